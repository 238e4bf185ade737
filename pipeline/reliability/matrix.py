"""The reliability matrix: units (rows) × coders or occasions (columns), one value per cell, NaN where
a coder gave no value.  Units with fewer than two values are not pairable and never count toward
agreement (Krippendorff 2011, sec. A).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


LEVELS = ("nominal", "ordinal", "interval", "ratio")


class ReliabilityError(ValueError):
    """The data cannot give the coefficient asked for (too few coders, no pairable unit, ...)."""


def reliability_matrix(long: pd.DataFrame, unit: str = "unit", coder: str = "coder",
                       value: str = "value") -> pd.DataFrame:
    """Units × coders from a long table with one value per (unit, coder); first-seen order kept."""
    dup = long.duplicated([unit, coder], keep=False)
    if dup.any():
        first = long[dup].iloc[0]
        raise ReliabilityError(f"unit {first[unit]!r} has more than one value from coder {first[coder]!r}")
    units = pd.unique(long[unit])
    coders = pd.unique(long[coder])
    m = long.pivot(index=unit, columns=coder, values=value).reindex(index=units, columns=coders)
    m.index.name, m.columns.name = unit, None
    return m


def domain(matrix: pd.DataFrame, level: str = "nominal") -> list:
    """The values that occur, ordered: numerically when all are numbers, else as text."""
    per_column = [pd.unique(matrix[c].dropna().to_numpy(dtype=object)) for c in matrix.columns]
    values = pd.unique(np.concatenate(per_column)) if per_column else np.array([], dtype=object)
    if level != "nominal" or all(is_number(v) for v in values):
        try:
            return sorted(values, key=float)
        except (TypeError, ValueError):
            if level in ("interval", "ratio"):
                bad = next(v for v in values if not is_number(v))
                raise ReliabilityError(f"value {bad!r} is not a number, which the {level} level needs") from None
    return sorted(values, key=str)


def is_number(v) -> bool:  # used by reliability_io too
    """Whether a value reads as a number (interval and ratio data need numbers)."""
    try:
        float(v)
        return True
    except (TypeError, ValueError):
        return False


def encode(matrix: pd.DataFrame, level: str = "nominal") -> tuple[np.ndarray, list]:
    """(units, coders) float array of value indices into the domain (NaN missing), and the domain."""
    dom = domain(matrix, level)
    index = pd.Index(dom, dtype=object)
    arr = np.full(matrix.shape, np.nan)
    for j, col in enumerate(matrix.columns):
        vals = matrix[col]
        ok = vals.notna().to_numpy()
        arr[ok, j] = index.get_indexer(pd.Index(vals[ok].to_numpy(dtype=object), dtype=object))
    return arr, dom


def value_counts(codes: np.ndarray, n_values: int) -> np.ndarray:
    """(units, values) counts: how many coders gave each value to each unit."""
    out = np.zeros((codes.shape[0], n_values))
    rows, cols = np.nonzero(~np.isnan(codes))
    np.add.at(out, (rows, codes[rows, cols].astype(int)), 1)
    return out


def pairable(matrix: pd.DataFrame) -> pd.DataFrame:
    """Units with at least two values."""
    return matrix[matrix.notna().sum(axis=1) >= 2]


def check_matrix(matrix: pd.DataFrame, min_coders: int = 2, exact: int | None = None) -> None:
    """Refuse a matrix a coefficient cannot use: too few coders, or no unit coded twice."""
    n = matrix.shape[1]
    if exact is not None and n != exact:
        raise ReliabilityError(f"this coefficient needs exactly {exact} coders; the data has {n}")
    if n < min_coders:
        raise ReliabilityError(f"agreement needs at least {min_coders} coders (or occasions); the data has {n}")
    if pairable(matrix).empty:
        raise ReliabilityError("no unit has values from two coders, so there is nothing to compare")


def coded_pair(matrix: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, int]:
    """Two coders' value indices on the units both coded."""
    check_matrix(matrix, exact=2)
    codes, dom = encode(matrix)
    both = ~np.isnan(codes).any(axis=1)
    return codes[both, 0].astype(int), codes[both, 1].astype(int), len(dom)
