"""What an update of the corpus still needs: records without a decision, studies without coding."""

from __future__ import annotations

import pandas as pd

from .. import language
from ..inputs import Inputs
from ..screening.log import included_records, pending
from ..screening.reviews import conflicts


def pending_work(inp: Inputs) -> pd.DataFrame:
    """One row per thing left to do: what, which record or study, where."""
    rows = []
    for rec in pending(inp.screening_log).to_dict("records"):
        rows.append({"task": "screen", "id": rec["record_id"], "where": f"raw/screening_log.csv, stage '{rec['stage']}'"})
    included = set(included_records(inp.screening_log))
    with_study = set(inp.studies["record_id"])
    for rid in sorted(included - with_study):
        rows.append({"task": "describe study", "id": rid, "where": "raw/studies.csv (bibliographic data)"})
    coded = set(inp.segments["study_id"])
    for sid in inp.studies["study_id"]:
        if sid not in coded:
            rows.append({"task": "code", "id": sid, "where": "coded/segments.csv (no coded segments yet)"})
    cats = inp.codebook[inp.codebook["level"] == "category"]
    for nid in cats.loc[cats["role"] == "", "node_id"]:
        rows.append({"task": "assign a paradigm role", "id": nid, "where": "coded/codebook.csv, column 'role'"})
    if inp.screening_reviews is not None:
        open_conflicts = conflicts(inp.screening_reviews, inp.screening_log)
        for rec in open_conflicts[open_conflicts["status"] == "to resolve"].to_dict("records"):
            rows.append({"task": "resolve conflict", "id": rec["record_id"],
                         "where": f"raw/screening_log.csv, stage '{rec['stage']}'"})
    return pd.DataFrame(rows, columns=["task", "id", "where"])


def untranslated(inp: Inputs, languages: list[str]) -> list[str]:
    """One line per language of the translated figures and tables: what they still show in English."""

    lines = []
    for lang in languages:
        names = language.missing_names(inp.codebook, lang)
        labels = language.missing_labels(lang)
        if names or labels:
            shown = ", ".join(names[:12]) + (f", … ({len(names)} in all)" if len(names) > 12 else "")
            lines.append(f"{lang}: shown in English in its figures and tables: {len(names)} codebook name(s) without "
                         f"name_{lang} in coded/codebook.csv" + (f" ({shown})" if names else "")
                         + (f"; {len(labels)} fixed text(s) missing from pipeline/translations/{lang}.yml: "
                            + ", ".join(labels) if labels else ""))
    return lines
