"""The screening log (PRISMA 2020; Moher et al. 2009): one row per record, one column per stage.

The stage columns a log has are the stages the review uses, declared up front (``init --stages``;
any of ``title``, ``abstract``, ``retrieval``, ``full_text``, ``quality``, always taken in that
order): the reference study has no separate retrieval stage, so its log has no such column.  Each
holds ``include``, ``exclude``, ``pending`` or empty (not reached yet).  Declared, not inferred from
the decisions, so a review whose records all wait at the first stage still has its flow.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..schemas import DEFAULT_STAGES, STAGES


# The reason given to records a stopping rule left unscreened (``session.stop``): PRISMA 2020 counts them
# as "marked as ineligible by automation tools", not as screened and excluded.
NOT_SCREENED = "not_screened"
NOT_SCREENED_LABEL = "Not screened by a person: screening stopped by a stopping rule (raw/screening_stop.csv)"


def stages_used(log: pd.DataFrame) -> list[str]:
    """The stages the review uses: its log's stage columns, in method order."""
    return [s for s in STAGES if s in log.columns]


def check_log(log: pd.DataFrame, reasons: pd.DataFrame, path: Path) -> None:
    """Each record moves forward only when included, and each exclusion has a reason valid at its stage.

    These rules are what make the stage counts reconcile: records passing one
    stage are exactly the records entering the next.
    """
    used = stages_used(log)
    if not used:
        raise InputError(path, f"at least one stage column, the stages this review uses ({', '.join(STAGES)}; a "
                         f"new review has {', '.join(DEFAULT_STAGES)})", column="title")
    reason_stages = {r: set(s.split(";")) for r, s in zip(reasons["reason_id"], reasons["stages"])}
    for i, rec in enumerate(log.to_dict("records")):
        row = i + 2
        reached = True
        excluded_at = None
        for stage in used:
            decision = rec[stage]
            if not reached and decision != "":
                raise InputError(path, f"no decision at stage '{stage}': record {rec['record_id']} was not passed on "
                                 f"by the stage before it", row=row, column=stage, value=decision)
            if decision == "exclude":
                excluded_at = stage
            reached = reached and decision == "include"
        reason = rec["reason"]
        if excluded_at and not reason:
            raise InputError(path, f"expected an exclusion reason for record {rec['record_id']}, excluded at "
                             f"'{excluded_at}'", row=row, column="reason")
        if reason and not excluded_at:
            raise InputError(path, f"expected no reason: record {rec['record_id']} was not excluded",
                             row=row, column="reason", value=reason)
        if reason and excluded_at not in reason_stages.get(reason, {excluded_at}):
            raise InputError(path, f"expected a reason that applies at stage '{excluded_at}' "
                             f"(see raw/exclusion_reasons.csv, column 'stages')", row=row, column="reason", value=reason)


def final_decision(log: pd.DataFrame) -> pd.Series:
    """``include`` (passed every stage used), ``exclude`` or ``pending``, per record."""
    used = stages_used(log)
    decisions = log[used]
    included = (decisions == "include").all(axis=1)
    excluded = (decisions == "exclude").any(axis=1)
    out = pd.Series("pending", index=log.index)
    out[included] = "include"
    out[excluded] = "exclude"
    return out


def included_records(log: pd.DataFrame) -> list[str]:
    """Ids of the records that passed every stage in use."""
    return log.loc[final_decision(log) == "include", "record_id"].tolist()


def check_studies(log: pd.DataFrame, studies: pd.DataFrame, path: Path) -> None:
    """A study's record must be one the log includes."""
    ok = set(included_records(log))
    for i, rec in enumerate(studies["record_id"]):
        if rec not in ok:
            raise InputError(path, "expected the record of an included study (the screening log does not include "
                             "this record at every stage)", row=i + 2, column="record_id", value=rec)


def reached(log: pd.DataFrame, stage: str, stages: list[str] | None = None) -> pd.Series:
    """Records that entered ``stage``: included at every earlier stage in use (pending ones too)."""
    mask = pd.Series(True, index=log.index)
    for s in stages or stages_used(log):
        if s == stage:
            return mask
        mask &= log[s] == "include"
    return mask


def flow(log: pd.DataFrame) -> pd.DataFrame:
    """Records entering, excluded at and passing each stage used, counted from the log.

    Records entering but neither excluded nor passed are still pending at that stage.
    """
    rows = []
    for stage in stages_used(log):
        decisions = log[stage]
        rows.append({
            "stage": stage,
            "records_in": int(reached(log, stage).sum()),
            "excluded": int((decisions == "exclude").sum()),
            "records_out": int((decisions == "include").sum()),
        })
    return pd.DataFrame(rows, columns=["stage", "records_in", "excluded", "records_out"])


def outcome(log: pd.DataFrame) -> str:
    """One sentence for the end of the screening: records in, studies out, records still waiting."""
    waiting = len(pending(log))
    included = len(included_records(log))
    text = f"From {len(log)} records, {included} {'study reaches' if included == 1 else 'studies reach'} the synthesis."
    return text + (f" {waiting} records still wait for a decision." if waiting else "")


def pending(log: pd.DataFrame, stages: list[str] | None = None) -> pd.DataFrame:
    """Records waiting for a decision: the stage they wait at (``stages``: those in use, by default
    read from this log)."""
    rows = []
    stages = stages or stages_used(log)
    for rec in log.to_dict("records"):
        for stage in stages:
            if rec[stage] in ("pending", ""):
                rows.append({"record_id": rec["record_id"], "stage": stage})
                break
            if rec[stage] == "exclude":
                break
    return pd.DataFrame(rows, columns=["record_id", "stage"])


def check_records(records: pd.DataFrame, log: pd.DataFrame, path: Path, log_path: Path) -> None:
    """A duplicate points at a record of the table and is never screened."""
    ids = set(records["record_id"])
    logged = set(log["record_id"])
    for i, rec in enumerate(records.to_dict("records")):
        if rec["duplicate_of"] and rec["duplicate_of"] not in ids:
            raise InputError(path, "duplicate_of naming a record_id of this table", row=i + 2, column="duplicate_of",
                             value=rec["duplicate_of"])
        if not rec["duplicate_of"] and rec["record_id"] not in logged:
            raise InputError(log_path, f"a screening row for record {rec['record_id']} (raw/records.csv row {i + 2}): "
                             f"every record that is not a duplicate is screened")
        if rec["duplicate_of"] and rec["record_id"] in logged:
            raise InputError(log_path, f"no screening row for record {rec['record_id']}: it is a duplicate of "
                             f"{rec['duplicate_of']} (raw/duplicates.csv); remove the row or override the pairing "
                             f"in raw/dedup_overrides.csv")
