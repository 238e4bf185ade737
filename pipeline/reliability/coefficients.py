"""Agreement and reliability coefficients on a reliability matrix (``matrix``).

References
----------
Cohen (1960) Educ. Psychol. Meas. 20:37-46 -- kappa.
Cohen (1968) Psychol. Bull. 70:213-220 -- weighted kappa.
Scott (1955) Public Opin. Q. 19:321-325 -- pi.
Holsti (1969) Content Analysis for the Social Sciences and Humanities -- CR = 2M / (N1 + N2).
Fleiss (1971) Psychol. Bull. 76:378-382 -- kappa for many raters.
Krippendorff (2011) Computing Krippendorff's alpha-reliability -- alpha.
Gwet (2008) Br. J. Math. Stat. Psychol. 61:29-48 -- AC1.
"""

from __future__ import annotations

import krippendorff
import numpy as np
import pandas as pd

from .matrix import LEVELS, ReliabilityError, check_matrix, coded_pair, domain, encode, pairable, value_counts


def percent_agreement(matrix: pd.DataFrame) -> float:
    """Share of agreeing coder pairs within a unit, averaged over pairable units.

    With two coders this is the share of units on which they agree.
    """
    check_matrix(matrix)
    codes, dom = encode(pairable(matrix))
    counts = value_counts(codes, len(dom))
    m = counts.sum(axis=1)
    return float(np.mean((counts * (counts - 1)).sum(axis=1) / (m * (m - 1))))


def holsti(matrix: pd.DataFrame) -> float:
    """Holsti's CR = 2M / (N1 + N2): M agreements, N1 and N2 the values each coder gave.

    With both coders coding the same N units it equals M / N.
    """
    check_matrix(matrix, exact=2)
    a, b = matrix.iloc[:, 0], matrix.iloc[:, 1]
    agreements = int(((a == b) & a.notna() & b.notna()).sum())
    return 2 * agreements / (int(a.notna().sum()) + int(b.notna().sum()))


def confusion_matrix(matrix: pd.DataFrame) -> pd.DataFrame:
    """Two coders' joint counts on the units both coded (rows: first coder)."""
    a, b, k = coded_pair(matrix)
    dom = domain(matrix)
    table = np.zeros((k, k), dtype=int)
    np.add.at(table, (a, b), 1)
    return pd.DataFrame(table, index=pd.Index(dom, name=str(matrix.columns[0])),
                        columns=pd.Index(dom, name=str(matrix.columns[1])))


def disagreement_weights(k: int, weights: str | None) -> np.ndarray:
    """k × k disagreement weights: nominal (0/1), linear or quadratic (Cohen 1968)."""
    i, j = np.indices((k, k))
    if weights is None:
        return (i != j).astype(float)
    if weights == "linear":
        return np.abs(i - j) / max(k - 1, 1)
    if weights == "quadratic":
        return ((i - j) / max(k - 1, 1)) ** 2
    raise ReliabilityError(f"unknown weights {weights!r}; expected None, 'linear' or 'quadratic'")


def kappa_from_tables(table: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Cohen's kappa for one or many (…, k, k) count tables, as 1 - observed / expected disagreement."""
    n = table.sum(axis=(-2, -1), keepdims=True)
    p = table / n
    expected = p.sum(axis=-1, keepdims=True) * p.sum(axis=-2, keepdims=True)
    do = (w * p).sum(axis=(-2, -1))
    de = (w * expected).sum(axis=(-2, -1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(de > 0, 1 - do / de, np.where(do == 0, 1.0, np.nan))


def cohen_kappa(matrix: pd.DataFrame, weights: str | None = None) -> float:
    """Cohen's kappa for two coders (Cohen 1960); ``weights`` 'linear' or 'quadratic' gives Cohen (1968)."""
    table = confusion_matrix(matrix).to_numpy()
    return float(kappa_from_tables(table, disagreement_weights(table.shape[0], weights)))


def scott_pi(matrix: pd.DataFrame) -> float:
    """Scott's pi: like kappa, but chance from the coders' pooled distribution (Scott 1955)."""
    table = confusion_matrix(matrix).to_numpy()
    p = table / table.sum()
    po = np.trace(p)
    pooled = (p.sum(axis=0) + p.sum(axis=1)) / 2
    pe = float((pooled ** 2).sum())
    return 1.0 if pe == 1 else float((po - pe) / (1 - pe))


def fleiss_kappa(matrix: pd.DataFrame) -> float:
    """Fleiss' kappa (Fleiss 1971); needs every unit rated by every coder."""
    check_matrix(matrix)
    if matrix.isna().any().any():
        raise ReliabilityError("Fleiss' kappa needs complete data (every unit coded by every coder)")
    codes, dom = encode(matrix)
    return fleiss_kappa_counts(value_counts(codes, len(dom)))


def fleiss_kappa_counts(counts: np.ndarray) -> float:
    """Fleiss' kappa from a (subjects, categories) table of how many raters chose each category."""
    counts = np.asarray(counts, dtype=float)
    n = counts.sum(axis=1)
    if not np.all(n == n[0]):
        raise ReliabilityError("Fleiss' kappa needs the same number of ratings for every subject")
    n = n[0]
    p_i = ((counts ** 2).sum(axis=1) - n) / (n * (n - 1))
    p_j = counts.sum(axis=0) / counts.sum()
    p_bar, p_e = p_i.mean(), (p_j ** 2).sum()
    return 1.0 if p_e == 1 else float((p_bar - p_e) / (1 - p_e))


def krippendorff_alpha(matrix: pd.DataFrame, level: str = "nominal") -> float:
    """Krippendorff's alpha at any level with missing data and any number of coders (Krippendorff 2011)."""
    if level not in LEVELS:
        raise ReliabilityError(f"unknown level {level!r}; expected one of {', '.join(LEVELS)}")
    check_matrix(matrix)
    codes, dom = encode(matrix, level)
    if len(dom) < 2:
        raise ReliabilityError("all values are the same, so alpha is undefined (no variation to agree on)")
    if level == "nominal":
        data, domain_ = codes.T, np.arange(len(dom), dtype=float)
    else:
        values = np.array([float(v) for v in dom])
        data = np.where(np.isnan(codes), np.nan, values[np.nan_to_num(codes).astype(int)]).T
        domain_ = values
    return float(krippendorff.alpha(reliability_data=data, value_domain=domain_, level_of_measurement=level))


def gwet_ac1(matrix: pd.DataFrame) -> float:
    """Gwet's AC1 for any number of coders with missing data (Gwet 2008; Gwet 2014, ch. 4)."""
    check_matrix(matrix)
    codes, dom = encode(matrix)
    counts = value_counts(codes, len(dom))
    r = counts.sum(axis=1)
    rated = r >= 1
    two = r >= 2
    pa = np.mean((counts[two] * (counts[two] - 1)).sum(axis=1) / (r[two] * (r[two] - 1)))
    pi = (counts[rated] / r[rated, None]).mean(axis=0)
    q = len(dom)
    pe = 0.0 if q < 2 else float((pi * (1 - pi)).sum() / (q - 1))
    return 1.0 if pe == 1 else float((pa - pe) / (1 - pe))


def disagreements(matrix: pd.DataFrame) -> pd.DataFrame:
    """Pairable units on which the coders' values differ, with every coder's value."""
    import warnings

    p = pairable(matrix)
    codes, _ = encode(p)
    with warnings.catch_warnings():  # rows are pairable, so never all-NaN; the guard is for empty input
        warnings.simplefilter("ignore", RuntimeWarning)
        differ = np.nanmin(codes, axis=1) != np.nanmax(codes, axis=1) if len(p) else np.zeros(0, dtype=bool)
    return p[differ].reset_index()


def per_category_agreement(matrix: pd.DataFrame) -> pd.DataFrame:
    """For each value: how often it was used and the specific agreement on it.

    Specific agreement for value c is 2 × (pairs both c) / (pairs involving c),
    computed over coder pairs within pairable units.
    """
    check_matrix(matrix)
    codes, dom = encode(pairable(matrix))
    counts = value_counts(codes, len(dom))
    m = counts.sum(axis=1, keepdims=True)
    weight = 1 / (m - 1)
    both = (counts * (counts - 1) * weight).sum(axis=0)
    involved = (counts * (m - 1) * weight).sum(axis=0)
    return pd.DataFrame({
        "value": dom,
        "n_values": counts.sum(axis=0).astype(int),
        "specific_agreement": np.where(involved > 0, both / np.where(involved > 0, involved, 1), np.nan),
    })
