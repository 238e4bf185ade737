"""Reliability data for ``pipeline reliability``: read, shaped into a matrix, checked.

Wide format: the first column is the unit id (its header names the unit of analysis, e.g.
``segment``), every other column is a coder or an occasion; an empty cell is a missing value.
Long format: columns ``unit,coder,value`` (optionally ``unit_of_analysis``).  CSV, TSV or XLSX.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from ..errors import InputError, require_file
from .matrix import LEVELS, is_number, pairable, reliability_matrix


OCCASION_PREFIXES = ("occasion", "time", "test", "retest", "round")


def _no_uncomputed_formulas(path: Path) -> None:
    """A formula cell whose value was never saved (a file written by a script, not by Excel) reads as empty,
    and would silently become missing data: refuse it, naming the cell."""
    from openpyxl import load_workbook

    formulas = load_workbook(path, read_only=True, data_only=False).worksheets[0]
    values = load_workbook(path, read_only=True, data_only=True).worksheets[0]
    for r, (frow, vrow) in enumerate(zip(formulas.iter_rows(values_only=True), values.iter_rows(values_only=True)), 1):
        for c, (f, v) in enumerate(zip(frow, vrow)):
            if isinstance(f, str) and f.startswith("=") and v is None:
                header = next(formulas.iter_rows(min_row=1, max_row=1, values_only=True))
                raise InputError(path, "a value, not a formula without a saved result (open the file in a "
                                 "spreadsheet and save it, or paste the values)", row=r,
                                 column=str(header[c]) if c < len(header) else None, value=f)


def _read(path: Path) -> pd.DataFrame:
    import zipfile

    require_file(path, "a CSV, TSV or XLSX file")
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm", ".xls"):
            if suffix != ".xls":
                _no_uncomputed_formulas(path)
            df = pd.read_excel(path, dtype=str).fillna("")
        else:
            sep = "\t" if suffix in (".tsv", ".tab") else ","
            df = pd.read_csv(path, dtype=str, keep_default_na=False, sep=sep, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        raise InputError(path, "the file is empty; expected a header row and at least one unit") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise InputError(path, f"a readable CSV, TSV or XLSX file ({type(exc).__name__}: {exc})") from None
    if df.empty:
        raise InputError(path, "no data rows; expected at least one unit")
    return df.apply(_by_distinct(lambda u: u.str.strip()))


def _by_distinct(fn):
    """Apply ``fn`` to a column's distinct values only: a million cells hold a handful of codes."""
    def apply(col: pd.Series) -> pd.Series:
        codes, uniques = pd.factorize(col, use_na_sentinel=False)
        return pd.Series(pd.Series(fn(pd.Series(uniques, dtype=object))).to_numpy()[codes], index=col.index,
                         name=col.name)
    return apply


def _values(series: pd.Series, numeric: bool) -> pd.Series:
    s = series.replace("", None)
    return _by_distinct(pd.to_numeric)(s) if numeric else s


def read_reliability_file(path: Path, fmt: str = "wide", unit: str | None = None) -> tuple[pd.DataFrame, str]:
    """(units × coders matrix, unit-of-analysis label); errors name file, row and column."""
    df = _read(path)
    if fmt == "long":
        missing = [c for c in ("unit", "coder", "value") if c not in df.columns]
        if missing:
            raise InputError(path, "a column of that name (long format needs unit,coder,value)", column=missing[0])
        dup = df.duplicated(["unit", "coder"], keep="first")
        if dup.any():
            i = int(dup.to_numpy().nonzero()[0][0])
            raise InputError(path, f"one value per unit and coder; unit {df['unit'].iloc[i]!r} already has a value "
                             f"from coder {df['coder'].iloc[i]!r}", row=i + 2, column="coder")
        label = unit or (df["unit_of_analysis"].iloc[0] if "unit_of_analysis" in df.columns else "unit (not stated)")
        long = df[df["value"] != ""]
        numeric = _all_numeric(long["value"])
        long = long.assign(value=_values(long["value"], numeric))
        matrix = reliability_matrix(long, "unit", "coder", "value")
        matrix = matrix.reindex(pd.unique(df["unit"]))
    elif fmt == "wide":
        if df.shape[1] < 3:
            raise InputError(path, f"at least two coder (or occasion) columns after the unit column; found "
                             f"{df.shape[1] - 1}", column=df.columns[-1] if df.shape[1] > 1 else df.columns[0])
        unit_col = df.columns[0]
        dup = df.duplicated([unit_col])
        if dup.any():
            i = int(dup.to_numpy().nonzero()[0][0])
            raise InputError(path, "one row per unit (this unit id appears on an earlier row)", row=i + 2,
                             column=unit_col, value=df[unit_col].iloc[i])
        label = unit or unit_col
        value_cols = list(df.columns[1:])
        numeric = _all_numeric(pd.concat([df[c] for c in value_cols]))
        matrix = pd.DataFrame({c: _values(df[c], numeric) for c in value_cols})
        matrix.index = df[unit_col]
    else:
        raise InputError(path, f"format 'wide' or 'long', not {fmt!r}")
    if not numeric:  # numbers keep a numeric dtype: checks on a million cells stay vectorized
        matrix = matrix.astype(object)
    if matrix.shape[1] < 2:
        raise InputError(path, f"at least two coders or occasions; found {matrix.shape[1]}", column="coder")
    if pairable(matrix).empty:
        raise InputError(path, "at least one unit with values from two coders; no unit has two values")
    return matrix, label


def _all_numeric(values: pd.Series) -> bool:
    v = pd.Series(pd.unique(values[values != ""]), dtype=object)
    return bool(len(v)) and pd.to_numeric(v, errors="coerce").notna().all()


def check_level(path: Path, fmt: str, matrix: pd.DataFrame, level: str) -> None:
    """The interval and ratio levels need numbers: name the first cell that is not one."""
    if level not in LEVELS:
        raise InputError(None, f"--level {level!r} is unknown; expected one of {', '.join(LEVELS)}")
    if level not in ("interval", "ratio"):
        return

    for j, col in enumerate(matrix.columns):
        for i, v in enumerate(matrix[col]):
            bad = (isinstance(v, str) and not is_number(v)) or (
                isinstance(v, (int, float)) and not isinstance(v, bool) and not pd.isna(v) and not math.isfinite(v))
            if not bad and isinstance(v, str):
                bad = not math.isfinite(float(v))
            if bad or (isinstance(v, float) and math.isnan(v) and _was_written(path, fmt, matrix, i, col)):
                column = "value" if fmt == "long" else str(col)
                row = _long_row(path, matrix.index[i], col) if fmt == "long" else i + 2
                raise InputError(path, f"a finite number at the {level} level (nan, inf and overflowing values "
                                 f"such as 1e309 cannot be compared)", row=row, column=column, value=v)


def _was_written(path: Path, fmt: str, matrix: pd.DataFrame, i: int, col) -> bool:
    """A NaN in the matrix that the file spells out ('nan', 'NaN'), rather than an empty (missing) cell."""
    df = _read(path)
    if fmt == "long":
        hit = df[(df["unit"] == str(matrix.index[i])) & (df["coder"] == str(col))]
        return bool(len(hit)) and hit["value"].iloc[0] != ""
    return str(col) in df.columns and df[str(col)].iloc[i] != ""


def _long_row(path: Path, unit, coder) -> int | None:
    df = _read(path)
    hit = ((df["unit"] == str(unit)) & (df["coder"] == str(coder))).to_numpy().nonzero()[0]
    return int(hit[0]) + 2 if len(hit) else None


def mode_of(matrix: pd.DataFrame) -> str:
    """How the matrix compares: two occasions of one coder (test-retest) or coders."""
    names = [str(c).lower() for c in matrix.columns]
    if all(n.startswith(OCCASION_PREFIXES) for n in names):
        return "intra-coder (test-retest: one coder, several occasions)"
    return "inter-coder"
