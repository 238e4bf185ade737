"""Screening: the record-level log and the flow counts it implies (PRISMA 2020; Moher et al. 2009).

The log has one row per record and one column per stage (``title``,
``abstract``, ``retrieval``, ``full_text``, ``quality``) holding ``include``,
``exclude``, ``pending`` or empty (not reached).  A stage that no record has a
decision for is a stage the review did not use (the reference study has no
separate retrieval stage); the flow lists only the stages used.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import language
from .errors import InputError
from .validate import STAGES


def stages_used(log: pd.DataFrame) -> list[str]:
    """Stages with at least one decision, in method order."""
    return [s for s in STAGES if (log[s] != "").any()]


def check_log(log: pd.DataFrame, reasons: pd.DataFrame, path: Path) -> None:
    """Each record moves forward only when included, and each exclusion has a reason valid at its stage.

    These rules are what make the stage counts reconcile: records passing one
    stage are exactly the records entering the next.
    """
    used = stages_used(log)
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


STAGE_LABELS = language.section("stages")  # English; every language's are in pipeline/translations


def reasons_by_stage(log: pd.DataFrame, reasons: pd.DataFrame) -> dict[str, dict[str, int]]:
    """{stage: {reason label: number of records excluded there for it}}, for the flow's side boxes."""
    labels = dict(zip(reasons["reason_id"], reasons["label"]))
    out: dict[str, dict[str, int]] = {}
    used = stages_used(log)  # once: per record it made this quadratic (20 s at 10,000 records)
    for rec in log.to_dict("records"):
        stage = next((s for s in used if rec[s] == "exclude"), None)
        if stage:
            label = labels.get(rec["reason"], rec["reason"])
            out.setdefault(stage, {}).setdefault(label, 0)
            out[stage][label] += 1
    return out


def criteria_table(criteria: pd.DataFrame, lang: str = language.BASE) -> pd.DataFrame:
    """Table 1: inclusion and exclusion criteria, as the article prints them (in ``lang``: from the
    ``_<lang>`` columns, English where empty)."""
    criteria = language.localized(criteria, ["criterion", "include", "exclude"], lang)
    return language.columns(criteria[["criterion", "include", "exclude"]].rename(columns={
        "criterion": "Criterion", "include": "Inclusion", "exclude": "Exclusion"}), lang)


def search_summary(strategy: pd.DataFrame) -> pd.DataFrame:
    """The search strategy grouped by facet and scope: databases, keywords, period."""
    return (strategy.groupby(["facet", "scope"], sort=False)["value"].agg("; ".join)
            .reset_index().rename(columns={"value": "values"}))


# --------------------------------------------------------------------------- two reviewers

def check_reviews(reviews: pd.DataFrame, reasons: pd.DataFrame, path: Path) -> None:
    """Each reviewer's exclusion carries a reason from the controlled list."""
    known = set(reasons["reason_id"])
    for i, rec in enumerate(reviews.to_dict("records")):
        if rec["decision"] == "exclude" and rec["reason"] not in known:
            raise InputError(path, "an exclusion reason from raw/exclusion_reasons.csv", row=i + 2, column="reason",
                             value=rec["reason"] or None)


def conflicts(reviews: pd.DataFrame | None, log: pd.DataFrame) -> pd.DataFrame:
    """Records and stages where independent reviewers disagree, with the resolved decision from the log."""
    if reviews is None or reviews.empty:
        return pd.DataFrame(columns=["record_id", "stage", "resolved", "status"])
    wide = reviews.pivot(index=["record_id", "stage"], columns="reviewer", values="decision")
    differ = wide.nunique(axis=1) > 1
    out = wide[differ].reset_index()
    resolved = log.set_index("record_id")
    out["resolved"] = [resolved.at[r, s] if r in resolved.index else "" for r, s in zip(out["record_id"], out["stage"])]
    out["status"] = out["resolved"].map(lambda d: "resolved" if d in ("include", "exclude") else "to resolve")
    out.columns.name = None
    return out


def reviewer_agreement(reviews: pd.DataFrame | None) -> pd.DataFrame:
    """Per stage: records both reviewers decided, percent agreement and Cohen's kappa (via ``reliability``)."""
    from . import reliability

    rows = []
    if reviews is None:
        reviews = pd.DataFrame(columns=["record_id", "stage", "reviewer", "decision", "reason"])
    for stage in STAGES:
        r = reviews[reviews["stage"] == stage]
        if r.empty:
            continue
        m = reliability.reliability_matrix(r, unit="record_id", coder="reviewer", value="decision")
        both = m.dropna()
        row = {"stage": stage, "reviewers": m.shape[1], "records": len(both)}
        if m.shape[1] == 2 and len(both):
            row["percent_agreement"] = round(100 * reliability.percent_agreement(both), 1)
            kappa = reliability.cohen_kappa(both) if both.stack().nunique() > 1 else float("nan")
            row["cohen_kappa"] = round(kappa, 3)
        rows.append(row)
    return pd.DataFrame(rows, columns=["stage", "reviewers", "records", "percent_agreement", "cohen_kappa"])


# --------------------------------------------------------------------------- imported records

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


# --------------------------------------------------------------------------- quality appraisal (CASP)

CASP_QUESTIONS = [
    "Was there a clear statement of the aims of the research?",
    "Is a qualitative methodology appropriate?",
    "Was the research design appropriate to address the aims of the research?",
    "Was the recruitment strategy appropriate to the aims of the research?",
    "Was the data collected in a way that addressed the research issue?",
    "Has the relationship between researcher and participants been adequately considered?",
    "Have ethical issues been taken into consideration?",
    "Was the data analysis sufficiently rigorous?",
    "Is there a clear statement of findings?",
    "How valuable is the research?",
]


def casp_table(appraisal: pd.DataFrame | None, min_yes: int) -> pd.DataFrame:
    """The CASP qualitative checklist per appraised record, its 'Yes' count, and the rule's decision.

    Rule (parameter ``quality_min_yes``): a study with fewer than ``min_yes`` answers 'Yes'
    out of the ten questions is excluded on quality.
    """
    qs = [f"q{i}" for i in range(1, 11)]
    if appraisal is None:
        appraisal = pd.DataFrame(columns=["record_id"] + qs)
    out = appraisal[["record_id"] + qs].copy()
    out["yes"] = (appraisal[qs] == "Yes").sum(axis=1)
    out["cant_tell"] = (appraisal[qs] == "Can't tell").sum(axis=1)
    out["no"] = (appraisal[qs] == "No").sum(axis=1)
    out["rule_decision"] = (out["yes"] >= min_yes).map({True: "include", False: "exclude"})
    return out


def quality_disagreements(casp: pd.DataFrame, log: pd.DataFrame) -> pd.DataFrame:
    """Records whose quality decision in the log differs from what the CASP rule gives."""
    decision = dict(zip(log["record_id"], log["quality"]))
    got = casp["record_id"].map(lambda r: decision.get(r, ""))
    return casp.assign(log_decision=got)[got != casp["rule_decision"]]
