"""``import-records``: add database exports to the corpus without ever losing or silently dropping a record.

Steps: read every file (each with its own database name), skip records already in
``raw/records.csv`` (same stable id: the same file imported again), find duplicates over the
whole corpus (old and new, honouring ``raw/dedup_overrides.csv``), write the review file
``raw/duplicates.csv``, give every new non-duplicate record a screening row (no decisions yet)
in the current round, and append what was done to ``raw/import_log.csv``.  A record already
in the log that turns out to duplicate another is taken out of the log only while nobody has
screened it; screened records are never grouped with each other.  The new data folder is
validated before anything is replaced, all files are replaced together, and the data folder
is locked for the length of the import.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import datafiles
from ..errors import InputError
from ..inputs import load_inputs
from ..screening.log import final_decision, stages_used
from . import dedup, records
from .readers.base import Report

IMPORT_LOG_COLUMNS = ["import", "file", "line", "field", "action", "detail"]


@dataclass
class ImportSummary:
    """What an import did, counted, for the command's summary line."""
    read: int
    already_present: int
    added: int
    duplicates: int
    round: int
    skipped: int
    warnings: int
    unscreened: int
    per_file: list


def next_round(log: pd.DataFrame) -> int:
    """A new round starts when every record of the latest round has its final decision."""
    if not len(log):
        return 1  # the first import of a new review
    latest = int(log["round"].max())
    pending = (final_decision(log) == "pending") & (log["round"] == latest)
    return latest if pending.any() else latest + 1


def screened(log: pd.DataFrame) -> set:
    """Records with at least one screening decision: their place in the corpus is settled."""
    decided = (log[stages_used(log)] != "").any(axis=1)
    return set(log.loc[decided, "record_id"])


def import_records(files: list[Path], sources: list[str] | str | None, data_dir: Path,
                   source_type: str = "database", round_: int | None = None) -> ImportSummary:
    """``import-records``: read the exports, deduplicate the corpus, add screening rows; all files or none."""
    data_dir = Path(data_dir)
    files = [Path(f) for f in files]
    if isinstance(sources, str) or sources is None:
        sources = [sources]
    if len(sources) == 1:
        sources = list(sources) * len(files)
    if len(sources) != len(files):
        raise InputError(None, f"one --source for all files or one per file, in order ({len(files)} files, "
                         f"{len(sources)} sources)")
    for s in sources:
        if s is not None and (not s.strip() or records.CONTROL.search(s) or "\n" in s or "\r" in s):
            raise InputError(None, f"--source: a database name in plain text (got {s!r})")
    if round_ is not None and round_ < 1:
        raise InputError(None, f"--round 1 or later (got {round_})")
    with datafiles.locked(data_dir):
        inp = load_inputs(data_dir)
        report = Report()
        frames = [records.read_export(f, s, source_type, report) for f, s in zip(files, sources)]
        names = {str(f): datafiles.logged_name(f, data_dir) for f in files}
        logged = report.frame().assign(file=lambda df: df["file"].map(lambda f: names.get(f, f)))
        new = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=records.RECORD_COLUMNS)
        n_read = len(new)
        existing = inp.records if inp.records is not None else pd.DataFrame(columns=["round"] + records.RECORD_COLUMNS)
        known = set(existing["record_id"])
        fresh = new[~new["record_id"].isin(known)].drop_duplicates("record_id")  # one file given twice
        round_ = round_ or next_round(inp.screening_log)
        fresh = fresh.assign(round=round_)
        columns = ["record_id", "round"] + [c for c in records.RECORD_COLUMNS if c != "record_id"]
        # reindex: a records.csv written before a column existed (keywords) gets it, empty
        corpus = pd.concat([existing.reindex(columns=columns), fresh[columns]], ignore_index=True).fillna("")
        log = inp.screening_log
        settled = screened(log)
        groups = dedup.find_duplicates(corpus, inp.dedup_overrides, protected=settled)
        corpus = dedup.mark_duplicates(corpus, groups)
        is_dup = corpus["duplicate_of"] != ""
        # Records in the log that are now duplicates (never screened, or grouping would have refused).
        demoted = set(corpus.loc[is_dup, "record_id"]) & set(log["record_id"])
        log = log[~log["record_id"].isin(demoted)]
        added = corpus[corpus["record_id"].isin(fresh["record_id"]) & ~is_dup]
        rows = pd.DataFrame({"record_id": added["record_id"], "round": round_,
                             **{s: "" for s in stages_used(log)}, "reason": "", "provenance": "reported"})
        new_log = pd.concat([log, rows[log.columns]], ignore_index=True)
        datafiles.replace_files(data_dir, {
            "raw/records.csv": corpus[columns].astype(str),
            "raw/screening_log.csv": new_log.astype(str),
            "raw/duplicates.csv": groups.astype(str),
            "raw/import_log.csv": datafiles.append_log(inp.import_log, logged, IMPORT_LOG_COLUMNS),
        }, check=load_inputs)
    actions = report.frame()["action"]
    per_file = [r for r in report.rows if r["action"] == "read"]
    return ImportSummary(read=n_read, already_present=n_read - len(fresh), added=len(added),
                         duplicates=int(corpus["record_id"].isin(fresh["record_id"]).sum() - len(added)),
                         round=round_, skipped=int((actions == "skipped").sum()),
                         warnings=int((actions == "blanked").sum()), unscreened=len(demoted), per_file=per_file)

