"""``status``: what the review needs next, in the order a review does it, counted, with the ids.

Each stage the review uses (the stage columns of its screening log) is a task of its own — screen
at title or abstract, retrieve, assess the full text, appraise quality — then describing, coding and
placing what passed, and resolving reviewers' conflicts.  The command prints each task's count
first, then at most ``SHOWN`` ids.
"""

from __future__ import annotations

import pandas as pd

from .. import language
from ..coding.cerqual import unassessed
from ..inputs import Inputs
from ..screening.log import included_records, pending, stages_used
from ..screening.reviews import conflicts

SHOWN = 20  # ids listed per task; the rest are counted
# What a record waiting at each stage needs: (verb, what it is counted as).
AT_STAGE = {"title": "screen {n} records at title", "abstract": "screen {n} records at abstract",
            "retrieval": "retrieve {n} full texts", "full_text": "assess {n} full texts",
            "quality": "appraise {n} studies for quality"}


def pending_work(inp: Inputs) -> pd.DataFrame:
    """One row per thing left to do, in the order a review does them: the task (``{n}`` stands for how
    many), which record, study or category, and where it is recorded."""
    rows = []
    for rec in pending(inp.screening_log).to_dict("records"):
        rows.append({"task": AT_STAGE[rec["stage"]], "id": rec["record_id"],
                     "where": f"raw/screening_log.csv, column '{rec['stage']}'"})
    if inp.screening_reviews is not None:
        open_conflicts = conflicts(inp.screening_reviews, inp.screening_log)
        for rec in open_conflicts[open_conflicts["status"] == "to resolve"].to_dict("records"):
            rows.append({"task": "resolve {n} reviewers' conflicts", "id": rec["record_id"],
                         "where": f"raw/screening_log.csv, column '{rec['stage']}'"})
    included = set(included_records(inp.screening_log))
    for rid in sorted(included - set(inp.studies["record_id"])):
        rows.append({"task": "describe {n} included studies", "id": rid, "where": "raw/studies.csv"})
    coded = set(inp.segments["study_id"])
    for sid in inp.studies["study_id"]:
        if sid not in coded:
            rows.append({"task": "code {n} studies", "id": sid, "where": "coded/segments.csv (pipeline import-coded)"})
    cats = inp.codebook[inp.codebook["level"] == "category"]
    for nid in cats.loc[cats["role"] == "", "node_id"]:
        rows.append({"task": "assign a paradigm role to {n} categories", "id": nid,
                     "where": "coded/codebook.csv, column 'role'"})
    for fid in unassessed(inp.findings, inp.cerqual):
        rows.append({"task": "assess confidence in {n} findings (GRADE-CERQual)", "id": fid,
                     "where": "coded/cerqual.csv"})
    return pd.DataFrame(rows, columns=["task", "id", "where"])


def unfinished(inp: Inputs) -> list[tuple[str, dict]]:
    """What keeps the review from being finished, as (``draft.`` translation key, values): records
    awaiting a decision, no included study, included studies not coded, no author or licence for the
    citation.  Empty for a finished review.  The figures and tables of an unfinished one say so
    (``pipeline.draft``), and ``supplement`` refuses it unless asked for a draft."""
    log, out = inp.screening_log, []
    if not len(log):
        out.append(("no_records", {}))
    waiting = len(pending(log))
    if waiting:
        out.append(("pending", {"n": waiting}))
    if len(log) and not len(inp.studies):
        out.append(("no_studies", {}))
    uncoded = int((~inp.studies["study_id"].isin(set(inp.segments["study_id"]))).sum())
    if uncoded:
        out.append(("not_coded", {"n": uncoded}))
    article = inp.article or {}
    if not article.get("authors"):
        out.append(("no_authors", {}))
    if not article.get("license"):
        out.append(("no_license", {}))
    return out


def summary(inp: Inputs) -> list[str]:
    """The lines ``status`` prints: where the review stands, then each task with its count and ids."""
    log = inp.screening_log
    head = f"{inp.data_dir}: {len(log)} records, stages {' → '.join(stages_used(log))}"
    if not len(log):
        return [f"{head}; no record yet. Next: import the search results (pipeline import-records FILE …)"]
    todo = pending_work(inp)
    studies = f"{len(inp.studies)} included {'study' if len(inp.studies) == 1 else 'studies'}"
    if todo.empty:
        return [f"{head}; {studies}. Nothing to do: every record has its final decision, every included study is "
                f"coded, every category has its paradigm role and every finding its confidence"]
    lines = [f"{head}; {studies}. To do:"]
    for task, group in todo.groupby("task", sort=False):
        ids = group["id"].tolist()
        more = f" and {len(ids) - SHOWN} more" if len(ids) > SHOWN else ""
        lines.append(f"  {_counted(task, len(ids))}: {', '.join(ids[:SHOWN])}{more}  "
                     f"({group['where'].iloc[0].split(', column')[0]})")
    return lines


SINGULAR = {"records": "record", "studies": "study", "texts": "text", "categories": "category", "conflicts": "conflict",
            "findings": "finding"}


def _counted(task: str, n: int) -> str:
    """``task`` with ``n`` in it, its noun in the singular for one."""
    text = task.format(n=n)
    if n == 1:
        text = " ".join(SINGULAR.get(word, word) for word in text.split(" "))
    return text


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
