"""``screen``: screening decisions into the log, and the included records into the studies file.

Reviewers decide in a spreadsheet (exported from Rayyan, Covidence or ASReview, or typed) or on
the command line; either way the decisions go through the same rules as the log itself
(``screening.check_log``), and a record that now passes every stage in use gets its row in
``raw/studies.csv``, built from its bibliographic record, so that it can be coded.  All files
change together or not at all (``datafiles.replace_files``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import datafiles
from ..errors import InputError
from ..inputs import load_inputs
from ..search.records import fold, split_authors
from .log import check_log, included_records, stages_used


DECISION_COLUMNS = {"record_id": ("record_id", "record", "id", "key"),
                    "stage": ("stage",),
                    "decision": ("decision", "included", "label"),
                    "reason": ("reason", "exclusion_reason", "reason_id"),
                    "reviewer": ("reviewer", "screener"),
                    "rank": ("rank",)}
DECISION_WORDS = {"include": "include", "included": "include", "yes": "include", "1": "include",
                  "exclude": "exclude", "excluded": "exclude", "no": "exclude", "0": "exclude",
                  "pending": "pending", "maybe": "pending", "undecided": "pending"}


# raw/screening_order.csv: every decision in the order it was made, for the stopping rule and PRISMA 2020
ORDER_COLUMNS = ["stage", "position", "record_id", "reviewer", "decision", "reason", "score", "trained_on",
                 "model", "seed"]
SHEET_MODEL = "the ranked screening sheet of export-screening, decided from the top"


@dataclass
class ScreenSummary:
    """What ``screen`` did: decisions read, records changed, studies added and removed."""
    decisions: int
    changed: int
    studies_added: list[str]
    studies_removed: list[str]


def read_decisions(path: Path) -> pd.DataFrame:
    """A decisions spreadsheet (CSV, TSV or XLSX): record_id, stage, decision, reason (columns found by name)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "a CSV, TSV or XLSX file of screening decisions (file not found)")
    try:
        if path.suffix.lower() in (".xlsx", ".xls"):
            df = pd.read_excel(path, dtype=str).fillna("")
        else:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                             sep="\t" if path.suffix.lower() == ".tsv" else ",")
    except Exception as exc:  # noqa: BLE001 -- any unreadable spreadsheet is the user's input
        raise InputError(path, f"a CSV, TSV or XLSX file of screening decisions ({type(exc).__name__}: {exc})") from None
    lower = {str(c).strip().lower(): c for c in df.columns}
    cols = {key: next((lower[n] for n in names if n in lower), None) for key, names in DECISION_COLUMNS.items()}
    for key in ("record_id", "stage", "decision"):
        if cols[key] is None:
            raise InputError(path, f"a '{key}' column (accepted names: {', '.join(DECISION_COLUMNS[key])})",
                             column=key)
    out = pd.DataFrame({key: df[col].astype(str).str.strip() if col else "" for key, col in cols.items()})
    out["row"] = range(2, len(out) + 2)
    return out[out["decision"] != ""]  # a screening sheet: rows not decided yet are left for later


def apply(log: pd.DataFrame, decisions: pd.DataFrame, reasons: pd.DataFrame, where: str,
          rows: list[int] | None = None) -> pd.DataFrame:
    """The log with ``decisions`` (record_id, stage, decision, reason, row) applied in order.

    A later decision on the same record and stage replaces an earlier one; an inclusion clears the
    record's reason.  Each decision is checked as it is applied, so a problem is located in the file
    the reviewer gave, at its row: an unknown record, stage, decision or reason, a stage the review
    does not use, a stage the record has not reached, a reason not valid at that stage.  ``rows``: the
    positions of the only records the decisions touch, when known (the workspace's one decision): the
    log's rules are per record, so only those are checked again."""
    log = log.copy()
    stages = stages_used(log)
    index = {r: i for i, r in zip(log.index, log["record_id"])}
    known_reasons = set(reasons["reason_id"])
    reason_stages = {r: set(s.split(";")) for r, s in zip(reasons["reason_id"], reasons["stages"])}
    for d in decisions.to_dict("records"):
        row = d.get("row")
        if d["record_id"] not in index:
            raise InputError(where, "a record_id of raw/screening_log.csv", row=row, column="record_id",
                             value=d["record_id"])
        stage = _stage(d["stage"])
        if stage not in stages:
            raise InputError(where, f"a stage this review uses: {', '.join(stages)} (the stage columns of "
                             f"raw/screening_log.csv)", row=row, column="stage", value=d["stage"])
        decision = DECISION_WORDS.get(d["decision"].lower())
        if decision is None:
            raise InputError(where, "include, exclude or pending", row=row, column="decision", value=d["decision"])
        reason = d.get("reason", "") or ""
        if decision == "exclude" and not reason:
            raise InputError(where, "a reason for an exclusion (a reason_id of raw/exclusion_reasons.csv)",
                             row=row, column="reason")
        if reason and reason not in known_reasons:
            raise InputError(where, "a reason_id of raw/exclusion_reasons.csv", row=row, column="reason", value=reason)
        if reason and decision == "exclude" and stage not in reason_stages[reason]:
            raise InputError(where, f"a reason that applies at stage '{stage}' (raw/exclusion_reasons.csv gives "
                             f"'{reason}' for {', '.join(sorted(reason_stages[reason]))})", row=row, column="reason",
                             value=reason)
        i = index[d["record_id"]]
        before = stages[:stages.index(stage)]
        blocked = next((s for s in before if log.at[i, s] != "include"), None)
        if blocked:
            said = log.at[i, blocked] or "no decision yet"
            raise InputError(where, f"a decision at a stage record {d['record_id']} has reached; it was not passed on "
                             f"at '{blocked}' ({said}), so it has no decision at '{stage}'", row=row, column="stage",
                             value=d["stage"])
        log.at[i, stage] = decision
        later = stages[stages.index(stage) + 1:]
        if decision != "include":  # the record stops here: later decisions no longer apply
            for s in later:
                log.at[i, s] = ""
        log.at[i, "reason"] = reason if decision == "exclude" else ""
    try:
        check_log(log if rows is None else log.iloc[rows], reasons, Path("raw/screening_log.csv"))
    except InputError as exc:
        raise InputError(where, f"decisions that keep the screening log consistent; with them, "
                         f"{exc.message}") from None
    return log


def _study_id(first_author: str, year: str, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9]", "", fold(first_author)) or "study"
    base = base[:1].upper() + base[1:] + (year or "")
    sid, n = base, 0
    while sid in taken:
        n += 1
        sid = base + "abcdefghijklmnopqrstuvwxyz"[(n - 1) % 26] * ((n - 1) // 26 + 1)
    taken.add(sid)
    return sid


def _family(author: str) -> str:
    """The family name as written ('Smith, J.' or 'J. Smith' → 'Smith'); records.family_name folds it."""
    author = author.strip()
    return author.split(",")[0].strip() if "," in author else (author.split()[-1] if author else "")


def _language(value: str) -> str:
    v = value.strip().lower()
    names = {"english": "en", "eng": "en", "persian": "fa", "farsi": "fa", "per": "fa", "fas": "fa",
             "german": "de", "ger": "de", "deu": "de", "french": "fr", "fre": "fr", "fra": "fr",
             "spanish": "es", "spa": "es", "portuguese": "pt", "por": "pt", "arabic": "ar", "ara": "ar",
             "chinese": "zh", "chi": "zh", "zho": "zh", "turkish": "tr", "tur": "tr"}
    v = names.get(v, v)
    return v if re.fullmatch(r"[a-z]{2,3}", v) else "und"


def sync_studies(log: pd.DataFrame, studies: pd.DataFrame, recs: pd.DataFrame | None,
                 segments: pd.DataFrame, recoding: pd.DataFrame, where: str) -> tuple[pd.DataFrame, list, list]:
    """Studies for the records the log now includes: a row added for each newly included record (from
    its bibliographic record), removed for a record no longer included.  A study that is already
    coded is never removed: that is refused, naming it."""
    included = included_records(log)
    have = set(studies["record_id"])
    gone = studies[~studies["record_id"].isin(set(included))]
    used = set(segments["study_id"]) | set(recoding["study_id"])
    coded = gone[gone["study_id"].isin(used)]
    if len(coded):
        raise InputError(where, f"decisions that keep every coded study included; record "
                         f"{coded['record_id'].iloc[0]} (study {coded['study_id'].iloc[0]}) would leave the "
                         f"synthesis but has coded segments or re-coding rows")
    meta = recs.set_index("record_id") if recs is not None else None
    taken = set(studies["study_id"])
    rows = []
    for rid in included:
        if rid in have:
            continue
        m = meta.loc[rid] if meta is not None and rid in meta.index else None
        authors = split_authors(m["authors"]) if m is not None else []
        first = _family(authors[0]) if authors else ""
        year = m["year"] if m is not None else ""
        cited = (first + (" et al." if len(authors) > 2 else f" & {_family(authors[1])}"
                          if len(authors) == 2 else "")) if first else rid
        note = "included at every screening stage in use (added by `screen`)"
        if not year:
            note += "; the export gives no year: fill year_cited and year"
        rows.append({"study_id": _study_id(first or rid, year, taken), "record_id": rid,
                     "authors_as_cited": f"{cited} ({year})" if year else cited, "first_author": first or rid,
                     "year_cited": year or "0", "calendar": "gregorian", "year": year or "0",
                     "language": _language(m["language"]) if m is not None else "und",
                     "title": m["title"] if m is not None else "", "provenance": "reported",
                     "provenance_note": note})
    kept = studies[studies["record_id"].isin(set(included))]
    new = pd.concat([kept.astype(str), pd.DataFrame(rows, columns=list(studies.columns))], ignore_index=True)
    return new, [r["study_id"] for r in rows], gone["study_id"].tolist()


def screen(data_dir: Path, decisions: pd.DataFrame, where: str) -> ScreenSummary:
    """Apply decisions to ``raw/screening_log.csv`` and keep ``raw/studies.csv`` in step, atomically.

    Rows with a reviewer are independent reviewers' decisions: they go to ``raw/screening_reviews.csv``
    (checked against the log like any decision), and reach the log where two reviewers agree."""
    from .reviews import agreed, merge_reviews

    data_dir = Path(data_dir)
    if "reviewer" not in decisions:
        decisions = decisions.assign(reviewer="")
    by_reviewer = decisions[decisions["reviewer"].astype(str) != ""]
    direct = decisions[decisions["reviewer"].astype(str) == ""]
    with datafiles.locked(data_dir):
        inp = load_inputs(data_dir)
        changes = {}
        log = apply(inp.screening_log, direct, inp.exclusion_reasons, where)
        if len(by_reviewer):
            apply(log, by_reviewer, inp.exclusion_reasons, where)  # each row valid where it was given, or refused
            rows = by_reviewer.assign(stage=[_stage(s) for s in by_reviewer["stage"]],
                                      decision=[DECISION_WORDS[d.lower()] for d in by_reviewer["decision"]])
            rows = rows.assign(reason=rows["reason"].where(rows["decision"] == "exclude", ""))
            reviews = merge_reviews(inp.screening_reviews, rows)
            changes["raw/screening_reviews.csv"] = reviews
            log = apply(log, agreed(reviews, log), inp.exclusion_reasons, where)
        studies, added, removed = sync_studies(log, inp.studies, inp.records, inp.segments, inp.recoding, where)
        changed = int((log.astype(str) != inp.screening_log.astype(str)).any(axis=1).sum())
        changes |= {"raw/screening_log.csv": log.astype(str), "raw/studies.csv": studies.astype(str)}
        order = sheet_order(inp.screening_order, decisions)
        if order is not None:
            changes["raw/screening_order.csv"] = order
        datafiles.replace_files(data_dir, changes, check=load_inputs)
    return ScreenSummary(len(decisions), changed, added, removed)


def sheet_order(order: pd.DataFrame | None, decisions: pd.DataFrame) -> pd.DataFrame | None:
    """The order file with a screening sheet's decisions added in the sheet's rank (None: not a sheet).

    ``export-screening --sheet`` lists the records most likely relevant first, as the workspace shows
    them; a team that decides it from the top screens in the model's order, so the stopping rule may
    count those decisions as it counts the workspace's.  A decision the order file already holds as
    the last one for that record, stage and reviewer is not added again (a sheet read back twice)."""
    if "rank" not in decisions:
        return None
    ranked = decisions[decisions["rank"].astype(str).str.fullmatch(r"\d{1,9}")]
    if not len(ranked):
        return None
    ranked = ranked.assign(rank=ranked["rank"].astype(int), stage=[_stage(s) for s in ranked["stage"]],
                           decision=[DECISION_WORDS.get(str(d).lower(), d) for d in ranked["decision"]],
                           reviewer=ranked["reviewer"].astype(str).str.strip() if "reviewer" in ranked else "")
    ranked = ranked[ranked["decision"].isin(["include", "exclude"])].sort_values("rank", kind="stable")
    order = order.astype(str) if order is not None else pd.DataFrame(columns=ORDER_COLUMNS)
    last = {(r["stage"], r["reviewer"], r["record_id"]): r["decision"] for r in order.to_dict("records")}
    rows = []
    for d in ranked.to_dict("records"):
        if last.get((d["stage"], d["reviewer"], d["record_id"])) == d["decision"]:
            continue
        last[(d["stage"], d["reviewer"], d["record_id"])] = d["decision"]
        position = int((order["stage"] == d["stage"]).sum()) + sum(r["stage"] == d["stage"] for r in rows) + 1
        rows.append({"stage": d["stage"], "position": str(position), "record_id": d["record_id"],
                     "reviewer": d["reviewer"], "decision": d["decision"],
                     "reason": d["reason"] if d["decision"] == "exclude" else "", "score": "", "trained_on": "",
                     "model": SHEET_MODEL, "seed": ""})
    if not rows:
        return None
    return pd.concat([order, pd.DataFrame(rows, columns=ORDER_COLUMNS)], ignore_index=True)[ORDER_COLUMNS]


def _stage(value: str) -> str:
    """A stage as the decisions spreadsheet may write it ('Full text', 'TIAB')."""
    stage = value.lower().replace("-", "_").replace(" ", "_")
    return {"fulltext": "full_text", "tiab": "title", "title_abstract": "title"}.get(stage, stage)
