"""Every input of a review, read, validated and cross-checked: ``load_inputs`` gives ``Inputs``.

Each file is checked against its schema (``schemas``); then the links between files (ids that one
file uses and another defines) and each stage's own rules (the screening log's, the codebook's),
so a command or a run can refuse bad data before it changes or executes anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .coding.cerqual import check_findings, check_judgements
from .coding.codebook import check_codebook
from .datafiles import JOURNAL, locked
from .errors import InputError
from .schemas import OPTIONAL_SCHEMAS, SCHEMAS, field_name, read_article, read_table
from .screening.log import check_log, check_records, check_studies, stages_used
from .screening.reviews import check_reviews


@dataclass(frozen=True)
class Inputs:
    """Every input of a run, validated.  Paths are kept for error messages."""

    data_dir: Path
    search_strategy: pd.DataFrame
    criteria: pd.DataFrame
    exclusion_reasons: pd.DataFrame
    screening_log: pd.DataFrame
    studies: pd.DataFrame
    codebook: pd.DataFrame
    segments: pd.DataFrame
    recoding: pd.DataFrame
    records: pd.DataFrame | None = None
    dedup_overrides: pd.DataFrame | None = None
    screening_reviews: pd.DataFrame | None = None
    quality_appraisal: pd.DataFrame | None = None
    article_claims: pd.DataFrame | None = None
    article: dict | None = None
    import_log: pd.DataFrame | None = None
    sources: pd.DataFrame | None = None
    coded_import_log: pd.DataFrame | None = None
    screening_order: pd.DataFrame | None = None
    screening_stop: pd.DataFrame | None = None
    findings: pd.DataFrame | None = None
    cerqual: pd.DataFrame | None = None

    def path(self, key: str) -> Path:
        return self.data_dir / key


def load_inputs(data_dir: Path | str) -> Inputs:
    """Read and check every input file, then the links between them."""

    data_dir = Path(data_dir)
    if (data_dir / JOURNAL).exists():  # a write a crash interrupted: finished under the folder's lock first
        with locked(data_dir, say=lambda message: None):
            pass
    frames = {field_name(k): read_table(data_dir / k, k) for k in SCHEMAS}
    frames |= {field_name(k): read_table(data_dir / k, k) for k in OPTIONAL_SCHEMAS if (data_dir / k).exists()}
    article = data_dir / "reference" / "article.yml"
    inputs = Inputs(data_dir=data_dir, **frames, article=read_article(article) if article.exists() else None)
    check_links(inputs)
    return inputs


def _must_exist(df, column, allowed, path, what):
    """Every value of ``column`` in ``allowed``; rows are numbered by the frame's index, which is the
    file's row order even when ``df`` is a filtered part of it."""
    allowed = set(allowed)
    for i, value in df[column].items():
        if value not in allowed:
            raise InputError(path, f"expected {what}", row=int(i) + 2, column=column, value=value)


def check_links(inp: Inputs) -> None:
    """Ids that one file uses and another defines; the screening log's own logic."""

    p = inp.path
    crit = inp.exclusion_reasons[inp.exclusion_reasons["criterion_id"] != ""]
    _must_exist(crit, "criterion_id", inp.criteria["criterion_id"], p("raw/exclusion_reasons.csv"),
                "a criterion_id from raw/criteria.csv, or empty")
    period = inp.search_strategy[inp.search_strategy["facet"].isin(["period_start", "period_end"])]
    for i, value in period["value"].items():
        if not re.fullmatch(r"\d{4}", value):
            raise InputError(p("raw/search_strategy.csv"), "a four-digit year for period_start and period_end",
                             row=int(i) + 2, column="value", value=value)
    _must_exist(inp.screening_log[inp.screening_log["reason"] != ""], "reason",
                inp.exclusion_reasons["reason_id"], p("raw/screening_log.csv"),
                "a reason_id from raw/exclusion_reasons.csv")
    check_log(inp.screening_log, inp.exclusion_reasons, p("raw/screening_log.csv"))
    _must_exist(inp.studies, "record_id", inp.screening_log["record_id"], p("raw/studies.csv"),
                "a record_id from raw/screening_log.csv")
    check_studies(inp.screening_log, inp.studies, p("raw/studies.csv"))
    if inp.screening_reviews is not None:
        _must_exist(inp.screening_reviews, "record_id", inp.screening_log["record_id"], p("raw/screening_reviews.csv"),
                    "a record_id from raw/screening_log.csv")
        check_reviews(inp.screening_reviews, inp.exclusion_reasons, p("raw/screening_reviews.csv"),
                      stages_used(inp.screening_log))
    if inp.records is not None:
        check_records(inp.records, inp.screening_log, p("raw/records.csv"), p("raw/screening_log.csv"))
    if inp.dedup_overrides is not None:
        check_overrides(inp.dedup_overrides, inp.records, p("raw/dedup_overrides.csv"))
    if inp.quality_appraisal is not None:
        _must_exist(inp.quality_appraisal, "record_id", inp.screening_log["record_id"],
                    p("raw/quality_appraisal.csv"), "a record_id from raw/screening_log.csv")
    check_codebook(inp.codebook, p("coded/codebook.csv"))
    codes = inp.codebook.loc[inp.codebook["level"] == "code", "node_id"]
    _must_exist(inp.segments, "study_id", inp.studies["study_id"], p("coded/segments.csv"),
                "a study_id from raw/studies.csv")
    _must_exist(inp.segments, "code_id", inp.codebook["node_id"], p("coded/segments.csv"),
                "a node_id of coded/codebook.csv")
    if inp.sources is not None:
        _must_exist(inp.sources, "study_id", inp.studies["study_id"], p("coded/sources.csv"),
                    "a study_id from raw/studies.csv")
    _must_exist(inp.recoding, "study_id", inp.studies["study_id"], p("coded/recoding.csv"),
                "a study_id from raw/studies.csv")
    if inp.findings is not None:
        check_findings(inp.findings, inp.codebook, p("coded/findings.csv"))
    if inp.cerqual is not None:
        check_judgements(inp.cerqual, inp.findings, p("coded/cerqual.csv"))
    _must_exist(inp.recoding[inp.recoding["code_id"] != ""], "code_id", codes, p("coded/recoding.csv"),
                "a code_id of level 'code' in coded/codebook.csv (or empty for 'not coded')")


def check_overrides(overrides: pd.DataFrame, records: pd.DataFrame | None, path: Path) -> None:
    """A reviewer's duplicate decisions name two different records of ``raw/records.csv``, each pair
    once, and do not contradict each other: records joined by ``duplicate`` rows (directly or through
    other records) cannot also be ``not_duplicate``."""
    known = set() if records is None else set(records["record_id"])
    seen: dict[frozenset, int] = {}
    parent: dict[str, str] = {}

    def root(x):
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    rows = list(enumerate(overrides.to_dict("records"), 2))
    for row, o in rows:
        for col in ("record_a", "record_b"):
            if o[col] not in known:
                raise InputError(path, "a record_id of raw/records.csv (import the records first)", row=row,
                                 column=col, value=o[col])
        if o["record_a"] == o["record_b"]:
            raise InputError(path, "two different records (a record is always its own duplicate)", row=row,
                             column="record_b", value=o["record_b"])
        pair = frozenset((o["record_a"], o["record_b"]))
        if pair in seen:
            raise InputError(path, f"each pair of records once (this pair is also on row {seen[pair]})", row=row,
                             column="record_b", value=o["record_b"])
        seen[pair] = row
        if o["decision"] == "duplicate":
            parent[root(o["record_a"])] = root(o["record_b"])
    for row, o in rows:
        if o["decision"] == "not_duplicate" and root(o["record_a"]) == root(o["record_b"]):
            chain = [r for r, x in rows if x["decision"] == "duplicate" and root(x["record_a"]) == root(o["record_a"])]
            raise InputError(path, f"decisions that agree: {o['record_a']} and {o['record_b']} are 'not_duplicate' "
                             f"here but 'duplicate' through rows {', '.join(map(str, chain))}", row=row,
                             column="decision", value=o["decision"])
