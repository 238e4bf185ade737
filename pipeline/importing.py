"""``import-records``: add database exports to the corpus without ever losing or silently dropping a record.

Steps: read every file, skip records already in ``raw/records.csv`` (same stable id), find
duplicates over the whole corpus (old and new, honouring ``raw/dedup_overrides.csv``), write
the review file ``raw/duplicates.csv``, and give every new non-duplicate record a screening row
(no decisions yet) in the current round.  The new data folder is validated before anything
is replaced, and each file is replaced atomically.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import datafiles, records, screening, validate
from .validate import STAGES


@dataclass
class ImportSummary:
    read: int
    already_present: int
    added: int
    duplicates: int
    round: int


def next_round(log: pd.DataFrame) -> int:
    """A new round starts when every record of the latest round has its final decision."""
    latest = int(log["round"].max()) if len(log) else 1
    pending = (screening.final_decision(log) == "pending") & (log["round"] == latest)
    return latest if pending.any() else latest + 1


def import_records(files: list[Path], source: str, data_dir: Path, source_type: str = "database",
                   round_: int | None = None) -> ImportSummary:
    data_dir = Path(data_dir)
    inp = validate.load_inputs(data_dir)
    new = pd.concat([records.read_export(f, source, source_type) for f in files], ignore_index=True)
    n_read = len(new)
    existing = inp.records if inp.records is not None else pd.DataFrame(columns=["round"] + records.RECORD_COLUMNS)
    known = set(existing["record_id"])
    fresh = new[~new["record_id"].isin(known)].drop_duplicates("record_id")
    round_ = round_ or next_round(inp.screening_log)
    fresh = fresh.assign(round=round_)
    corpus = pd.concat([existing, fresh[existing.columns]], ignore_index=True).fillna("")
    groups = records.find_duplicates(corpus, inp.dedup_overrides)
    corpus = records.mark_duplicates(corpus, groups)
    added = corpus[corpus["record_id"].isin(fresh["record_id"]) & (corpus["duplicate_of"] == "")]
    log = inp.screening_log
    rows = pd.DataFrame({"record_id": added["record_id"], "round": round_,
                         **{s: "" for s in STAGES}, "reason": "", "provenance": "reported"})
    new_log = pd.concat([log, rows[log.columns]], ignore_index=True)
    corpus_out = corpus[["record_id", "round"] + [c for c in records.RECORD_COLUMNS if c != "record_id"]]
    datafiles.replace_files(data_dir, {
        "raw/records.csv": corpus_out.astype(str),
        "raw/screening_log.csv": new_log.astype(str),
        "raw/duplicates.csv": groups.astype(str),
    })
    flagged = int(corpus["record_id"].isin(fresh["record_id"]).sum() - len(added))
    return ImportSummary(read=n_read, already_present=n_read - len(fresh), added=len(added), duplicates=flagged,
                         round=round_)
