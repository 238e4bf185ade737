"""One schema per input file, and the vocabulary they share (stages, decisions, levels, roles).

Every file is read as text (no type guessing), checked against its pandera schema, and only then
converted; the first failure becomes an ``InputError`` naming file, row, column and what was
expected.  ``docs/reference/formats.md`` documents the same columns for people.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from .errors import InputError


STAGES = ("title", "abstract", "retrieval", "full_text", "quality")  # in method order
# The stages a new review declares (``init --stages``): the columns of its screening log.
DEFAULT_STAGES = ("title", "abstract", "full_text")
DECISIONS = ("include", "exclude", "pending", "")
LEVELS = ("category", "subcategory", "code")
ROLES = ("causal_condition", "contextual_condition", "intervening_condition", "strategy", "consequence")
PROVENANCE_PATTERN = r"^(reported|reconstructed|derived:.+|imported:.+)$"
ID_PATTERN = r"^[A-Za-z0-9_.\-]+$"
SOURCE_TYPES = ("database", "register", "website", "organisation", "citation")


def _provenance() -> pa.Column:
    return pa.Column(str, pa.Check.str_matches(PROVENANCE_PATTERN,
                     error="reported, reconstructed, derived:<section of the article> or imported:<tool>"))


def _id() -> pa.Column:
    return pa.Column(str, pa.Check.str_matches(ID_PATTERN, error="a non-empty id of letters, digits, '_', '-' or '.'"))


def _text(nonempty: bool = False) -> pa.Column:
    checks = [pa.Check.str_length(min_value=1, error="a non-empty text")] if nonempty else []
    return pa.Column(str, checks)


def _translations(*columns: str) -> dict[str, pa.Column]:
    """Optional ``<column>_<language>`` companions (``name_fa``): the value in another language,
    used by that language's figures and tables; empty falls back to the column itself."""
    return {rf"^({'|'.join(columns)})_[a-z]{{2,3}}$": pa.Column(str, regex=True, required=False)}


def _one_of(values, required: bool = True) -> pa.Column:
    values = list(values)
    shown = ", ".join(repr(v) if v else "empty" for v in values)
    return pa.Column(str, pa.Check.isin(values, error=f"one of {shown}"), required=required)


def _integer() -> pa.Column:
    return pa.Column(str, pa.Check.str_matches(r"^-?\d{1,18}$", error="an integer (at most 18 digits)"))


SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "raw/search_strategy.csv": pa.DataFrameSchema({
        "facet": _one_of(["database", "register", "keyword", "period_start", "period_end"]),
        "value": _text(nonempty=True),
        "scope": _text(),
        "provenance": _provenance(),
    }, strict=True),
    "raw/criteria.csv": pa.DataFrameSchema({
        "criterion_id": _id(),
        "criterion": _text(nonempty=True),
        "include": _text(nonempty=True),
        "exclude": _text(nonempty=True),
        "provenance": _provenance(),
        **_translations("criterion", "include", "exclude"),
    }, strict=True, unique=["criterion_id"]),
    "raw/exclusion_reasons.csv": pa.DataFrameSchema({
        "reason_id": _id(),
        "label": _text(nonempty=True),
        "criterion_id": _text(),
        "stages": pa.Column(str, pa.Check.str_matches(
            r"^(%s)(;(%s))*$" % ("|".join(STAGES), "|".join(STAGES)),
            error="stage names separated by ';' (" + ", ".join(STAGES) + ")")),
        "provenance": _provenance(),
        **_translations("label"),
    }, strict=True, unique=["reason_id"]),
    "raw/screening_log.csv": pa.DataFrameSchema({
        "record_id": _id(),
        "round": pa.Column(str, pa.Check.str_matches(r"^[1-9]\d{0,17}$", error="a review round: 1, 2, ...")),
        # The stage columns present are the stages the review uses (declared, not inferred).
        **{stage: _one_of(DECISIONS, required=False) for stage in STAGES},
        "reason": _text(),
        "provenance": _provenance(),
    }, strict=True, unique=["record_id"]),
    "raw/studies.csv": pa.DataFrameSchema({
        "study_id": _id(),
        "record_id": _id(),
        "authors_as_cited": _text(nonempty=True),
        "first_author": _text(nonempty=True),
        "year_cited": _integer(),
        "calendar": _one_of(["gregorian", "solar_hijri"]),
        "year": _integer(),
        "language": pa.Column(str, pa.Check.str_matches(r"^[a-z]{2,3}$", error="an ISO 639 language code such as en or fa")),
        "title": _text(),
        "provenance": _provenance(),
        "provenance_note": _text(),
        # The study's context, where recorded: GRADE-CERQual's relevance shows it per finding.
        "country": pa.Column(str, required=False),
        "setting": pa.Column(str, required=False),
        "population": pa.Column(str, required=False),
    }, strict=True, unique=["study_id"]),
    "coded/codebook.csv": pa.DataFrameSchema({
        "node_id": _id(),
        "guid": pa.Column(str, pa.Check.str_matches(
            r"^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})?$",
            error="a lower-case GUID such as 6f1c1f0e-6a43-5b8e-9a57-2f6f1d1b9c3a (the code's REFI-QDA identity), "
                  "or empty for a code added here (it then gets one from its name path)")),
        "level": _one_of(LEVELS),
        "name": _text(nonempty=True),
        "parent_id": _text(),
        "role": _one_of(ROLES + ("",)),
        "definition": _text(),
        "related_concepts": _text(),
        "source": _text(),
        "provenance": _provenance(),
        **_translations("name", "definition", "related_concepts"),
    }, strict=True, unique=["node_id"]),
    "coded/segments.csv": pa.DataFrameSchema({
        "segment_id": _id(),
        "study_id": _id(),
        "code_id": _id(),
        "location": _text(),
        "quote": _text(),
        "coder": _text(nonempty=True),
        "provenance": _provenance(),
    }, strict=True, unique=["segment_id"]),
    "coded/recoding.csv": pa.DataFrameSchema({
        "unit_id": _id(),
        "study_id": _id(),
        "occasion": pa.Column(str, pa.Check.isin(["1", "2"], error="coding occasion 1 or 2")),
        "code_id": _text(),
        "provenance": _provenance(),
    }, strict=True, unique=["unit_id", "occasion"]),
}
# Optional inputs: used when present (imports, two reviewers, quality appraisal).
OPTIONAL_SCHEMAS: dict[str, pa.DataFrameSchema] = {
    # The review's findings, each supported by the segments on its nodes (GRADE-CERQual).
    "coded/findings.csv": pa.DataFrameSchema({
        "finding_id": _id(),
        "statement": _text(nonempty=True),
        "nodes": _text(nonempty=True),
        "provenance": _provenance(),
        **_translations("statement"),
    }, strict=True, unique=["finding_id"]),
    # The reviewers' GRADE-CERQual judgements: a concern per component, the overall confidence.
    "coded/cerqual.csv": pa.DataFrameSchema({
        "finding_id": _id(),
        "component": _one_of(["methodological_limitations", "coherence", "adequacy", "relevance", "overall"]),
        "judgement": _text(nonempty=True),
        "explanation": _text(),
        "assessor": _text(),
    }, strict=True, unique=["finding_id", "component"]),
    "raw/records.csv": pa.DataFrameSchema({
        "record_id": _id(),
        "round": pa.Column(str, pa.Check.str_matches(r"^[1-9]\d{0,17}$", error="a review round: 1, 2, ...")),
        "source": _text(nonempty=True),
        "source_type": _one_of(SOURCE_TYPES),
        "title": _text(),
        "abstract": _text(),
        "authors": _text(),
        "year": pa.Column(str, pa.Check.str_matches(r"^(\d{4})?$", error="a four-digit year or empty")),
        "doi": _text(),
        "journal": _text(),
        "volume": _text(),
        "issue": _text(),
        "pages": _text(),
        "type": _text(),
        "language": _text(),
        "keywords": pa.Column(str, required=False),  # since issue 23; older records.csv files have none
        "label": _one_of(["1", "0", ""]),
        "imported_from": _text(),
        "duplicate_of": _text(),
        "duplicate_reason": _text(),
    }, strict=True, unique=["record_id"]),
    "raw/dedup_overrides.csv": pa.DataFrameSchema({
        "record_a": _id(),
        "record_b": _id(),
        "decision": _one_of(["duplicate", "not_duplicate"]),
        "note": _text(),
    }, strict=True, unique=["record_a", "record_b"]),
    "raw/import_log.csv": pa.DataFrameSchema({
        "import": pa.Column(str, pa.Check.str_matches(r"^[1-9]\d*$", error="an import number: 1, 2, ...")),
        "file": _text(nonempty=True),
        "line": pa.Column(str, pa.Check.str_matches(r"^(\d+)?$", error="a line number or empty")),
        "field": _text(),
        "action": _one_of(["read", "kept", "blanked", "skipped"]),
        "detail": _text(),
    }, strict=True),
    "coded/sources.csv": pa.DataFrameSchema({
        "source_name": _text(nonempty=True),
        "study_id": _id(),
    }, strict=True, unique=["source_name"]),
    "coded/import_log.csv": pa.DataFrameSchema({
        "import": pa.Column(str, pa.Check.str_matches(r"^[1-9]\d*$", error="an import number: 1, 2, ...")),
        "file": _text(nonempty=True),
        "item": _text(nonempty=True),
        "name": _text(),
        "action": _text(nonempty=True),
        "detail": _text(),
    }, strict=True),
    "raw/screening_reviews.csv": pa.DataFrameSchema({
        "record_id": _id(),
        "stage": _one_of(STAGES),
        "reviewer": _text(nonempty=True),
        "decision": _one_of(["include", "exclude", "pending"]),
        "reason": _text(),
    }, strict=True, unique=["record_id", "stage", "reviewer"]),
    # The order the screening workspace (or a ranked sheet) showed records in, each decision, and the model.
    "raw/screening_order.csv": pa.DataFrameSchema({
        "stage": _one_of(STAGES),
        "position": pa.Column(str, pa.Check.str_matches(r"^[1-9]\d{0,9}$", error="a position: 1, 2, ...")),
        "record_id": _id(),
        "reviewer": _text(),
        "decision": _one_of(["include", "exclude", "maybe", "undo"]),
        "reason": _text(),
        "score": _text(),
        "trained_on": pa.Column(str, pa.Check.str_matches(r"^(\d{1,10})?$", error="a count of labelled records "
                                                          "(empty for a decision from a screening sheet)")),
        "model": _text(nonempty=True),
        "seed": pa.Column(str, pa.Check.str_matches(r"^(\d{1,10})?$", error="a seed: 0 or more (empty for a sheet)")),
    }, strict=True),
    # Where screening stopped before every record was seen, by which rule and on what evidence.
    "raw/screening_stop.csv": pa.DataFrameSchema({
        "round": pa.Column(str, pa.Check.str_matches(r"^[1-9]\d{0,17}$", error="a review round: 1, 2, ...")),
        "stage": _one_of(STAGES),
        "rule": _text(nonempty=True),
        "evidence": _text(),
        "screened": pa.Column(str, pa.Check.str_matches(r"^\d{1,10}$", error="a count of records")),
        "relevant_found": pa.Column(str, pa.Check.str_matches(r"^\d{1,10}$", error="a count of records")),
        "not_screened": pa.Column(str, pa.Check.str_matches(r"^\d{1,10}$", error="a count of records")),
        "model": _text(),
        "reviewer": _text(),
    }, strict=True, unique=["round", "stage"]),
    "reference/article_claims.csv": pa.DataFrameSchema({
        "claim_id": _text(nonempty=True),
        "claim": _text(nonempty=True),
        "reported": _text(nonempty=True),
        "source": _text(),
    }, strict=True, unique=["claim_id"]),
    "raw/quality_appraisal.csv": pa.DataFrameSchema({
        "record_id": _id(),
        **{f"q{i}": _one_of(["Yes", "Can't tell", "No"]) for i in range(1, 11)},
        "appraiser": _text(),
        "provenance": _provenance(),
    }, strict=True, unique=["record_id"]),
}
INTEGER_COLUMNS = {"raw/studies.csv": ["year_cited", "year"], "coded/recoding.csv": ["occasion"],
                   "raw/screening_log.csv": ["round"], "raw/records.csv": ["round"]}


def field_name(key: str) -> str:
    """The field of ``Inputs`` that holds input file ``key`` (``raw/screening_log.csv`` -> ``screening_log``)."""
    return {"coded/import_log.csv": "coded_import_log"}.get(key, re.sub(r"^.*/|\.csv$", "", key))


def _describe(check: str) -> str:
    if check == "column_in_dataframe":
        return "a column of that name (it is missing)"
    if check.startswith("column_in_schema"):
        return "no such column (not in this file's schema; see docs/reference/formats.md)"
    if "uniqueness" in check or check.startswith("unique"):
        return "a unique id (this value appears on an earlier row too)"
    return check


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _no_control_characters(df: pd.DataFrame, path: Path) -> None:
    """Text without control characters (other than tab and line breaks): XML (REFI-QDA, SVG) cannot
    carry them, and they are never meant."""
    for column in df.columns:
        hit = df[column].str.contains(CONTROL, na=False)
        if hit.any():
            i = int(hit.to_numpy().nonzero()[0][0])
            bad = CONTROL.search(df[column].iloc[i]).group(0)
            raise InputError(path, f"text without control characters (found U+{ord(bad):04X})", row=i + 2,
                             column=str(column))


def read_article(path: Path) -> dict:
    """``reference/article.yml``: the article's metadata, checked (title, authors, year, keywords)."""
    import yaml

    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError(path, f"valid UTF-8 YAML ({type(exc).__name__})") from None
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise InputError(path, "a mapping with title, authors, year, keywords")
    if not isinstance(doc.get("title", ""), str):
        raise InputError(path, "title: a text", column="title", value=doc.get("title"))
    authors = doc.get("authors") or []
    if not isinstance(authors, list) or not all(
            isinstance(a, dict) and isinstance(a.get("family"), str) and a.get("family")
            and isinstance(a.get("given", ""), str) for a in authors):
        raise InputError(path, "authors: a list of {family: ..., given: ...}", column="authors")
    year = doc.get("year")
    if year is not None and (not isinstance(year, int) or isinstance(year, bool) or not 1000 <= year <= 9999):
        raise InputError(path, "year: a four-digit year", column="year", value=year)
    for key in ("keywords",):
        if not isinstance(doc.get(key) or [], list) or not all(isinstance(k, str) for k in doc.get(key) or []):
            raise InputError(path, f"{key}: a list of texts", column=key)
    license = doc.get("license")
    if license is not None and (not isinstance(license, str) or not re.fullmatch(r"[A-Za-z0-9.+-]*", license)):
        raise InputError(path, "license: the data's licence as an SPDX id, such as CC-BY-4.0", column="license",
                         value=license)
    for key in ("affiliation", "design", "title_note", "year_as_published"):
        if key in doc and not isinstance(doc[key], (str, type(None))):
            raise InputError(path, f"{key}: a text", column=key, value=doc[key])
    return doc


def read_table(path: Path, schema_key: str) -> pd.DataFrame:
    """Read one input CSV as text and check it against its schema."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, f"file not found (expected the {schema_key} input; see docs/reference/formats.md)")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise InputError(path, f"a UTF-8 CSV file with a header row ({exc})") from None
    if not isinstance(df.index, pd.RangeIndex):
        raise _row_width_error(path)  # every row one value longer than the header: pandas took an index
    schema = SCHEMAS.get(schema_key) or OPTIONAL_SCHEMAS[schema_key]
    _no_control_characters(df, path)
    try:
        schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        raise _first_failure(path, exc.failure_cases) from None
    for column in INTEGER_COLUMNS.get(schema_key, []):
        df[column] = df[column].astype(int)
    return df


def _row_width_error(path: Path) -> InputError:
    """The first row with more values than the header has (a comma inside an unquoted value)."""
    import csv

    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        width = len(next(reader, []))
        for row in reader:
            if len(row) != width:
                return InputError(path, f"{width} values per row, as many as the header names (a value with a "
                                  f"comma in it must be in double quotes)", row=reader.line_num,
                                  value=f"{len(row)} values")
    return InputError(path, "as many values per row as the header names")


def _first_failure(path: Path, cases: pd.DataFrame) -> InputError:
    cases = cases.copy()
    cases["_row"] = pd.to_numeric(cases["index"], errors="coerce")
    missing = cases[cases["_row"].isna()]
    if len(missing):
        case = missing.iloc[0]
        column = case["failure_case"] if case["check"] in ("column_in_dataframe", "column_in_schema") else case["column"]
        return InputError(path, _describe(str(case["check"])), column=str(column))
    cases = cases.sort_values(["_row"], kind="stable")
    # A duplicate is reported where it repeats, not where the id first appears.
    unique_check = cases["check"].astype(str).str.contains("uniqu")
    repeats = cases[unique_check].duplicated(["column", "failure_case"], keep="first")
    cases = cases.drop(repeats[~repeats].index)
    case = cases.iloc[0]
    return InputError(path, "expected " + _describe(str(case["check"])), row=int(case["_row"]) + 2,
                      column=str(case["column"]), value=case["failure_case"])
