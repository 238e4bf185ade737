"""Quality appraisal with the CASP qualitative checklist (10 questions, Yes / Can't tell / No) and its rule."""

from __future__ import annotations

import pandas as pd


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
