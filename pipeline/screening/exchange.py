"""Screening decisions in and out of other tools.

Out: a screening sheet (CSV or XLSX: every record waiting at a stage, most likely relevant first, with its
title and abstract and empty ``decision``/``reason`` columns) for teams that screen in a spreadsheet and
read it back with ``screen FILE``; and the ranked list with the decisions so far, as CSV or as RIS with
ASReview LAB's labels in ``N1`` (``ASReview_relevant``, ``ASReview_irrelevant``, ``ASReview_not_seen``)
so that ASReview, Rayyan or a reference manager can take it up.

In: a labelled export of ASReview, Rayyan or Covidence (any format ``import-records`` reads) becomes
prior decisions on the records of this review it matches (same DOI, else the same title and year);
Rayyan's per-reviewer decisions (``RAYYAN-INCLUSION: {"Ana"=>"Included", ...}``) keep their reviewers.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import datafiles
from ..errors import InputError
from .log import NOT_SCREENED
from .session import Session

SHEET_COLUMNS = ["record_id", "stage", "reviewer", "decision", "reason", "title", "abstract", "authors", "year",
                 "journal", "keywords", "doi", "rank"]
N1 = {"include": "ASReview_relevant", "exclude": "ASReview_irrelevant", "": "ASReview_not_seen"}


def sheet(data_dir: Path, stage: str | None = None, reviewer: str = "", seed: int = 0) -> pd.DataFrame:
    """Every record waiting at ``stage`` for ``reviewer``, in the model's order, ready to be decided."""
    s = Session(data_dir, stage=stage, reviewer=reviewer, seed=seed)
    rows = []
    for rank, rid in enumerate(s.queue(), 1):
        r = s.record(rid)
        rows.append({"record_id": rid, "stage": s.stage, "reviewer": reviewer, "decision": "", "reason": "",
                     "title": r["title"], "abstract": r["abstract"], "authors": r["authors"], "year": r["year"],
                     "journal": r["journal"], "keywords": r["keywords"], "doi": r["doi"], "rank": rank})
    return pd.DataFrame(rows, columns=SHEET_COLUMNS)


def ranked(data_dir: Path, stage: str | None = None, seed: int = 0) -> pd.DataFrame:
    """Every record that reached ``stage``: those decided first, in the order they were decided, then the
    rest in the model's order; with the decision (include, exclude or empty) and reason."""
    s = Session(data_dir, stage=stage, seed=seed)
    log = s.inp.screening_log.set_index("record_id")
    order = s.inp.screening_order
    decided_order = []
    if order is not None:
        done = order[(order["stage"] == s.stage) & order["decision"].isin(["include", "exclude"])]
        decided_order = list(dict.fromkeys(done["record_id"]))
    decided = [r for r in log.index if log.at[r, s.stage] in ("include", "exclude")]
    # Records a stopping rule excluded were never seen by a person: unlabelled, after the rest, by score.
    stopped = {r for r in decided if log.at[r, "reason"] == NOT_SCREENED}
    decided = [r for r in decided if r not in stopped]
    first = [r for r in decided_order if r in set(decided)] + [r for r in decided if r not in set(decided_order)]
    rest = s.queue()
    scores = s._scores
    unseen = sorted(stopped, key=lambda r: (-(scores[s.index[r]] if scores is not None else 0), s.index[r]))
    rows = []
    for rank, rid in enumerate(first + rest + unseen, 1):
        r = s.record(rid)
        decision = log.at[rid, s.stage] if rid not in stopped and log.at[rid, s.stage] in ("include", "exclude") else ""
        rows.append({"rank": rank, "record_id": rid, "stage": s.stage, "decision": decision,
                     "reason": log.at[rid, "reason"] if decision == "exclude" or rid in stopped else "", "title": r["title"],
                     "abstract": r["abstract"], "authors": r["authors"], "year": r["year"], "journal": r["journal"],
                     "keywords": r["keywords"], "doi": r["doi"]})
    return pd.DataFrame(rows)


def to_ris(df: pd.DataFrame) -> str:
    """The ranked list as RIS, one record per row, the decision in ``N1`` as ASReview LAB writes it."""
    import rispy

    from ..search.records import split_authors

    entries = []
    for r in df.to_dict("records"):
        e = {"type_of_reference": "JOUR", "id": r["record_id"], "title": r["title"],
             "notes": [N1[r["decision"]] + (f" (reason: {r['reason']})" if r["reason"] else "")]}
        for key, value in (("abstract", r["abstract"]), ("year", r["year"]), ("doi", r["doi"]),
                           ("secondary_title", r["journal"])):
            if value:
                e[key] = value
        if r["authors"]:
            e["authors"] = split_authors(r["authors"])
        if r.get("keywords"):
            e["keywords"] = [k for k in r["keywords"].split("; ") if k]
        entries.append(e)

    class Writer(rispy.RisWriter):
        def set_header(self, count):  # no "1." line before each record: plain RIS
            return ""

    return rispy.dumps(entries, implementation=Writer)


def write(df: pd.DataFrame, out: Path, ris: str | None = None) -> Path:
    """``df`` as CSV, XLSX or (``ris`` given) RIS at ``out``, through a temporary file and one rename."""
    import os
    import tempfile

    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".ris"):
        raise InputError(out, "a file name ending in .csv, .xlsx or .ris")
    if suffix != ".ris":
        return datafiles.write_table_atomic(df, out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.stem}.", suffix=".tmp.ris", dir=out.parent)
    os.close(fd)
    try:
        Path(tmp).write_text(ris if ris is not None else to_ris(df), encoding="utf-8")
        os.replace(tmp, out)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return out


def labelled_decisions(data_dir: Path, export: Path, stage: str, reviewer: str = "", reason: str = "") -> tuple[
        pd.DataFrame, dict]:
    """Decisions (record_id, stage, decision, reason, reviewer, row) for the records of ``export`` that this
    review holds, from their labels; Rayyan's decisions per reviewer.  Also what was matched and not."""
    from ..inputs import load_inputs
    from ..search.exports import read_file
    from ..search.readers.base import Report
    from ..search.records import normalize_doi, normalize_title

    inp = load_inputs(data_dir)
    if inp.records is None:
        raise InputError(Path(data_dir) / "raw" / "records.csv", "the review's records (import them first with "
                                                                 "import-records)")
    export = Path(export)
    got = read_file(export, Report())
    by_doi, by_title = {}, {}
    for r in inp.records.to_dict("records"):
        if r["duplicate_of"]:
            continue
        if normalize_doi(r["doi"]):
            by_doi.setdefault(normalize_doi(r["doi"]), r["record_id"])
        by_title.setdefault((normalize_title(r["title"]), r["year"][:4]), r["record_id"])
    rows, unmatched, unlabelled = [], 0, 0
    for k, e in enumerate(got.records):
        line = got.lines[k] if k < len(got.lines) else None
        rid = by_doi.get(normalize_doi(e["doi"])) or by_title.get((normalize_title(e["title"]), e["year"][:4]))
        if rid is None:
            unmatched += 1
            continue
        votes = [tuple(v.split("=", 1)) for v in e.get("reviewers", "").split(";") if "=" in v]
        if not votes and e["label"] in ("0", "1"):
            votes = [(reviewer, "include" if e["label"] == "1" else "exclude")]
        if not votes:
            unlabelled += 1
        for who, decision in votes:
            if decision == "exclude" and not reason:
                raise InputError(None, f"--reason: a reason_id of raw/exclusion_reasons.csv for the records {export} "
                                 f"marks as excluded (it gives none this review can use)")
            rows.append({"record_id": rid, "stage": stage, "decision": decision,
                         "reason": reason if decision == "exclude" else "", "reviewer": who, "row": line})
    return (pd.DataFrame(rows, columns=["record_id", "stage", "decision", "reason", "reviewer", "row"]),
            {"read": len(got.records), "matched": len(got.records) - unmatched, "unmatched": unmatched,
             "unlabelled": unlabelled})
