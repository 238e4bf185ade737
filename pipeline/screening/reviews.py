"""Two independent reviewers: their decisions (``raw/screening_reviews.csv``), conflicts and agreement."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..reliability.coefficients import cohen_kappa, percent_agreement
from ..reliability.matrix import reliability_matrix
from ..schemas import STAGES


def check_reviews(reviews: pd.DataFrame, reasons: pd.DataFrame, path: Path, stages: list[str]) -> None:
    """Each reviewer's decision is at a stage the review uses, and an exclusion carries a reason from the list."""
    known = set(reasons["reason_id"])
    for i, rec in enumerate(reviews.to_dict("records")):
        if rec["stage"] not in stages:
            raise InputError(path, f"a stage this review uses ({', '.join(stages)}: the stage columns of "
                             f"raw/screening_log.csv)", row=i + 2, column="stage", value=rec["stage"])
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

    rows = []
    if reviews is None:
        reviews = pd.DataFrame(columns=["record_id", "stage", "reviewer", "decision", "reason"])
    for stage in STAGES:
        r = reviews[reviews["stage"] == stage]
        if r.empty:
            continue
        m = reliability_matrix(r, unit="record_id", coder="reviewer", value="decision")
        both = m.dropna()
        row = {"stage": stage, "reviewers": m.shape[1], "records": len(both)}
        if m.shape[1] == 2 and len(both):
            row["percent_agreement"] = round(100 * percent_agreement(both), 1)
            kappa = cohen_kappa(both) if both.stack().nunique() > 1 else float("nan")
            row["cohen_kappa"] = round(kappa, 3)
        rows.append(row)
    return pd.DataFrame(rows, columns=["stage", "reviewers", "records", "percent_agreement", "cohen_kappa"])


REVIEW_COLUMNS = ["record_id", "stage", "reviewer", "decision", "reason"]


def merge_reviews(reviews: pd.DataFrame | None, new: pd.DataFrame) -> pd.DataFrame:
    """``reviews`` with ``new`` rows (record_id, stage, reviewer, decision, reason); a reviewer's later
    decision on a record and stage replaces the earlier one; a ``None`` decision removes it (undo)."""
    old = (reviews if reviews is not None else pd.DataFrame(columns=REVIEW_COLUMNS)).astype(str)[REVIEW_COLUMNS]
    key = lambda df: df["record_id"] + "\x1f" + df["stage"] + "\x1f" + df["reviewer"]  # noqa: E731
    new = new.astype(object)
    kept = old[~key(old).isin(set(key(new.astype(str))))]
    added = new[new["decision"].notna() & (new["decision"].astype(str) != "None")].astype(str)[REVIEW_COLUMNS]
    return pd.concat([kept, added], ignore_index=True)


def agreed(reviews: pd.DataFrame, log: pd.DataFrame) -> pd.DataFrame:
    """Decisions the log can take from independent reviewers: records and stages where at least two
    reviewers decided, all alike (include, or exclude: the first reviewer's reason), and the log is
    still undecided there."""
    decided = reviews[reviews["decision"].isin(["include", "exclude"])]
    rows = []
    current = log.set_index("record_id")
    for (record, stage), group in decided.groupby(["record_id", "stage"], sort=False):
        if group["reviewer"].nunique() < 2 or group["decision"].nunique() != 1:
            continue
        if record not in current.index or stage not in current.columns or current.at[record, stage] not in ("", "pending"):
            continue
        decision = group["decision"].iloc[0]
        rows.append({"record_id": record, "stage": stage, "decision": decision,
                     "reason": group["reason"].iloc[0] if decision == "exclude" else "", "row": None})
    return pd.DataFrame(rows, columns=["record_id", "stage", "decision", "reason", "row"])
