"""Inclusion and exclusion criteria (the article's Table 1) and the exclusion reasons recorded per stage."""

from __future__ import annotations

import pandas as pd

from .. import language
from .log import stages_used


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
