"""Agreement and reliability coefficients for coded data.

Everything works on a *reliability matrix*: a DataFrame of units (rows) ×
coders or occasions (columns), one value per cell, NaN where a coder gave no
value.  Units with fewer than two values are not pairable and never count
toward agreement (Krippendorff 2011, sec. A).

References
----------
Cohen (1960) Educ. Psychol. Meas. 20:37-46 -- kappa.
Cohen (1968) Psychol. Bull. 70:213-220 -- weighted kappa.
Scott (1955) Public Opin. Q. 19:321-325 -- pi.
Holsti (1969) Content Analysis for the Social Sciences and Humanities -- CR = 2M / (N1 + N2).
Fleiss (1971) Psychol. Bull. 76:378-382 -- kappa for many raters.
Krippendorff (2011) Computing Krippendorff's alpha-reliability -- alpha.
Hayes & Krippendorff (2007) Commun. Methods Meas. 1:77-89 -- bootstrap of alpha.
Gwet (2008) Br. J. Math. Stat. Psychol. 61:29-48 -- AC1.
"""

from __future__ import annotations

import math

import krippendorff
import numpy as np
import pandas as pd

from . import language

LEVELS = ("nominal", "ordinal", "interval", "ratio")


class ReliabilityError(ValueError):
    """The data cannot give the coefficient asked for (too few coders, no pairable unit, ...)."""


# --------------------------------------------------------------------------- shaping

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


def _check(matrix: pd.DataFrame, min_coders: int = 2, exact: int | None = None) -> None:
    n = matrix.shape[1]
    if exact is not None and n != exact:
        raise ReliabilityError(f"this coefficient needs exactly {exact} coders; the data has {n}")
    if n < min_coders:
        raise ReliabilityError(f"agreement needs at least {min_coders} coders (or occasions); the data has {n}")
    if pairable(matrix).empty:
        raise ReliabilityError("no unit has values from two coders, so there is nothing to compare")


def _pair(matrix: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, int]:
    """Two coders' value indices on the units both coded."""
    _check(matrix, exact=2)
    codes, dom = encode(matrix)
    both = ~np.isnan(codes).any(axis=1)
    return codes[both, 0].astype(int), codes[both, 1].astype(int), len(dom)


# --------------------------------------------------------------------------- coefficients

def percent_agreement(matrix: pd.DataFrame) -> float:
    """Share of agreeing coder pairs within a unit, averaged over pairable units.

    With two coders this is the share of units on which they agree.
    """
    _check(matrix)
    codes, dom = encode(pairable(matrix))
    counts = value_counts(codes, len(dom))
    m = counts.sum(axis=1)
    return float(np.mean((counts * (counts - 1)).sum(axis=1) / (m * (m - 1))))


def holsti(matrix: pd.DataFrame) -> float:
    """Holsti's CR = 2M / (N1 + N2): M agreements, N1 and N2 the values each coder gave.

    With both coders coding the same N units it equals M / N.
    """
    _check(matrix, exact=2)
    a, b = matrix.iloc[:, 0], matrix.iloc[:, 1]
    agreements = int(((a == b) & a.notna() & b.notna()).sum())
    return 2 * agreements / (int(a.notna().sum()) + int(b.notna().sum()))


def confusion_matrix(matrix: pd.DataFrame) -> pd.DataFrame:
    """Two coders' joint counts on the units both coded (rows: first coder)."""
    a, b, k = _pair(matrix)
    dom = domain(matrix)
    table = np.zeros((k, k), dtype=int)
    np.add.at(table, (a, b), 1)
    return pd.DataFrame(table, index=pd.Index(dom, name=str(matrix.columns[0])),
                        columns=pd.Index(dom, name=str(matrix.columns[1])))


def _weights(k: int, weights: str | None) -> np.ndarray:
    i, j = np.indices((k, k))
    if weights is None:
        return (i != j).astype(float)
    if weights == "linear":
        return np.abs(i - j) / max(k - 1, 1)
    if weights == "quadratic":
        return ((i - j) / max(k - 1, 1)) ** 2
    raise ReliabilityError(f"unknown weights {weights!r}; expected None, 'linear' or 'quadratic'")


def _kappa_from_table(table: np.ndarray, w: np.ndarray) -> np.ndarray:
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
    return float(_kappa_from_table(table, _weights(table.shape[0], weights)))


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
    _check(matrix)
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
    _check(matrix)
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
    _check(matrix)
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


# --------------------------------------------------------------------------- reconciliation

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
    _check(matrix)
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


# --------------------------------------------------------------------------- bootstrap

def bootstrap_alpha(matrix: pd.DataFrame, level: str = "nominal", n_boot: int = 1000, seed: int = 0,
                    minimum: float = 0.667) -> dict:
    """Bootstrap distribution of alpha after Hayes & Krippendorff (2007), as in their KALPHA macro.

    The expected disagreement is held at its observed value; each resample
    draws M pairs of values from the observed coincidences (M = min(25 × the
    number of non-empty coincidence cells, (coders − 1) × n / 2)), and
    alpha_b = 1 − (sum of the drawn pairs' distances) / (M × De).  All
    resamples are drawn at once as multinomial counts, so no Python loop runs
    per resample.  Returns the 95% interval and q, the probability that alpha
    falls below ``minimum``.
    """
    _check(matrix)
    codes, dom = encode(pairable(matrix), level)
    counts = value_counts(codes, len(dom))
    m_u = counts.sum(axis=1)
    # Coincidence matrix o_ck (Krippendorff 2011, eq. for o_ck).
    o = np.einsum("uc,uk->ck", counts / (m_u - 1)[:, None], counts) - np.diag((counts / (m_u - 1)[:, None]).sum(axis=0))
    n_c = o.sum(axis=1)
    n = n_c.sum()
    delta = _delta(dom, n_c, level)
    expected = (np.outer(n_c, n_c) - np.diag(n_c)) / (n - 1)
    de = float((expected * delta).sum() / n)
    if de == 0:
        raise ReliabilityError("all values are the same, so alpha is undefined (no variation to agree on)")
    alpha_hat = 1 - float((o * delta).sum()) / (de * n)
    iu = np.triu_indices(len(dom))
    prob = np.where(iu[0] == iu[1], o[iu] / n, 2 * o[iu] / n)
    cell_delta = delta[iu]
    q_cells = int((o > 0).sum())
    draws = int(min(25 * q_cells, (matrix.shape[1] - 1) * n / 2))
    rng = np.random.default_rng(seed)
    picked = rng.multinomial(draws, prob / prob.sum(), size=n_boot)
    alphas = 1 - (picked @ cell_delta) / (de * draws)
    alphas = np.maximum(alphas, -1.0)
    n_diag_nonzero = int((np.diag(o) > 0).sum())
    if n_diag_nonzero == 1:
        alphas[alphas == 1] = 0.0
    else:
        # KALPHA's correction: a sample of all-agreeing pairs is as likely as
        # drawing only diagonal cells for every pair in the data.
        n_pairs = float((m_u * (m_u - 1) / 2).sum())
        expected_ones = round(n_boot * float(((np.diag(o) / n) ** n_pairs).sum()))
        ones = np.flatnonzero(alphas == 1)
        if expected_ones > 0:
            alphas[ones[:expected_ones]] = 0.0
    alphas.sort()
    low = alphas[max(int(0.025 * n_boot) - 1, 0)]
    high = alphas[min(int(0.975 * n_boot), n_boot - 1)]
    return {
        "alpha": alpha_hat,
        "ci95": (float(low), float(high)),
        "q_below_minimum": float((alphas < minimum).mean()),
        "minimum": minimum,
        "n_boot": n_boot,
        "draws": draws,
        "samples": alphas,
    }


def _delta(dom: list, n_c: np.ndarray, level: str) -> np.ndarray:
    """Squared distance between values (Krippendorff 2011, metric differences per level)."""
    k = len(dom)
    if level == "nominal":
        return 1.0 - np.eye(k)
    if level == "ordinal":
        cum = np.concatenate([[0.0], np.cumsum(n_c)])
        i, j = np.indices((k, k))
        lo, hi = np.minimum(i, j), np.maximum(i, j)
        return ((cum[hi + 1] - cum[lo]) - (n_c[lo] + n_c[hi]) / 2) ** 2
    v = np.array([float(x) for x in dom])
    if level == "interval":
        return (v[:, None] - v[None, :]) ** 2
    if level == "ratio":
        s = v[:, None] + v[None, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(s == 0, 0.0, ((v[:, None] - v[None, :]) / np.where(s == 0, 1, s)) ** 2)
    raise ReliabilityError(f"unknown level {level!r}; expected one of {', '.join(LEVELS)}")


BOOT_CELLS = 4_000_000  # unit indices drawn per chunk of kappa resamples (32 MB)


def bootstrap_kappa(matrix: pd.DataFrame, n_boot: int = 1000, seed: int = 0,
                    weights: str | None = None) -> dict:
    """Percentile bootstrap of Cohen's kappa over units.

    Resamples are drawn in chunks of about ``BOOT_CELLS`` unit indices, so memory stays bounded
    for a million units; the random stream is the same as drawing them all at once.
    """
    a, b, k = _pair(matrix)
    n = len(a)
    rng = np.random.default_rng(seed)
    cell = a * k + b
    tables = np.empty((n_boot, k, k), dtype=np.int64)
    step = max(1, BOOT_CELLS // max(n, 1))
    for lo in range(0, n_boot, step):
        rows = min(step, n_boot - lo)
        cells = cell[rng.integers(0, n, size=(rows, n))] + (np.arange(rows) * k * k)[:, None]
        tables[lo:lo + rows] = np.bincount(cells.ravel(), minlength=rows * k * k).reshape(rows, k, k)
    kappas = np.sort(_kappa_from_table(tables, _weights(k, weights)))
    kappas = kappas[~np.isnan(kappas)]
    return {
        "kappa": cohen_kappa(matrix, weights),
        "ci95": (float(np.quantile(kappas, 0.025)), float(np.quantile(kappas, 0.975))),
        "n_boot": n_boot,
    }


# --------------------------------------------------------------------------- reports

def interpret_alpha(alpha: float | None) -> str:
    """Krippendorff's (2004, p. 241) guideline."""
    if alpha is None or math.isnan(alpha):
        return "undefined"
    if alpha >= 0.800:
        return "reliable (alpha >= .800)"
    if alpha >= 0.667:
        return "tentative conclusions only (.667 <= alpha < .800)"
    return "unreliable (alpha < .667)"


def _maybe(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except ReliabilityError:
        return None


def summary(matrix: pd.DataFrame, level: str = "nominal", n_boot: int = 0, seed: int = 0,
            minimum: float = 0.667) -> dict:
    """Every coefficient the data supports; None where a coefficient does not apply."""
    if level not in LEVELS:
        raise ReliabilityError(f"unknown level {level!r}; expected one of {', '.join(LEVELS)}")
    _check(matrix)
    two = matrix.shape[1] == 2
    result = {
        "n_units": int(len(matrix)),
        "n_pairable_units": int(len(pairable(matrix))),
        "n_coders": int(matrix.shape[1]),
        "level": level,
        "percent_agreement": percent_agreement(matrix),
        "holsti_cr": holsti(matrix) if two else None,
        "krippendorff_alpha": krippendorff_alpha(matrix, level),
        "cohen_kappa": cohen_kappa(matrix) if two else None,
        "cohen_kappa_linear": _maybe(cohen_kappa, matrix, "linear") if two and level != "nominal" else None,
        "cohen_kappa_quadratic": _maybe(cohen_kappa, matrix, "quadratic") if two and level != "nominal" else None,
        "fleiss_kappa": _maybe(fleiss_kappa, matrix) if not matrix.isna().any().any() else None,
        "scott_pi": scott_pi(matrix) if two else None,
        "gwet_ac1": gwet_ac1(matrix),
    }
    result["interpretation"] = interpret_alpha(result["krippendorff_alpha"])
    if n_boot:
        boot = bootstrap_alpha(matrix, level, n_boot=n_boot, seed=seed, minimum=minimum)
        result["alpha_ci95"] = list(boot["ci95"])
        result["alpha_q_below_minimum"] = boot["q_below_minimum"]
        result["alpha_minimum"] = minimum
        if two:
            result["cohen_kappa_ci95"] = list(bootstrap_kappa(matrix, n_boot=n_boot, seed=seed)["ci95"])
        result["n_boot"] = n_boot
        result["seed"] = seed
    return result


def test_retest_table(recoding: pd.DataFrame, occasions: tuple[int, int] = (1, 2), lang: str = "en") -> pd.DataFrame:
    """Table 2 of a test-retest check: codes compared, agreements, disagreements, percent agreement.

    A unit counts when it was coded on both occasions; percent agreement is
    agreements / codes compared, which equals Holsti's CR when both occasions
    coded the same units.  ``lang``: headers and formula in that language.
    """
    m = recoding_matrix(recoding, occasions)
    both = m.notna().all(axis=1)
    agree = int((m[both].iloc[:, 0] == m[both].iloc[:, 1]).sum())
    total = int(both.sum())
    return pd.DataFrame([{
        "codes": total,
        "agreements": agree,
        "disagreements": total - agree,
        "percent_agreement": round(100 * agree / total, 1) if total else float("nan"),
        "formula": language.labels(lang)["reliability.formula"],  # as written: N1, N2 keep Latin digits
    }]).pipe(language.columns, lang)


def data_note(recoding: pd.DataFrame) -> str:
    """The label a coefficient needs when the re-coding rests on reconstructed rows (provenance)."""
    if (recoding["provenance"] == "reconstructed").any():
        return "reconstruction: the unit-level re-coding was rebuilt from published totals, not the coders' own data"
    return ""


def recoding_matrix(recoding: pd.DataFrame, occasions: tuple[int, int] = (1, 2)) -> pd.DataFrame:
    """Units × occasions of a test-retest re-coding; an empty code means 'not coded'."""
    r = recoding[recoding["occasion"].isin(occasions)].copy()
    r["code_id"] = r["code_id"].replace("", np.nan)
    m = reliability_matrix(r, unit="unit_id", coder="occasion", value="code_id")
    m = m.reindex(columns=list(occasions))
    m.columns = [f"occasion_{o}" for o in occasions]
    return m


def often_cited_test_retest(codes: int, agreements: int) -> float:
    """The '2 × agreements / total codes' reading of test-retest reliability, with total = codes compared.

    Shown only to explain why it cannot produce the reported percentage: with
    45 codes and 39 agreements it gives 2 × 39 / 45 = 173%, above 100%.
    """
    return 2 * agreements / codes


def formula_comparison(codes: int, agreements: int) -> pd.DataFrame:
    """The reported percentage under the candidate formulas, from Table 2's totals (none without codes)."""
    if codes <= 0:
        return pd.DataFrame(columns=["formula", "value_percent", "possible"])
    return pd.DataFrame([
        {"formula": "agreements / codes", "value_percent": round(100 * agreements / codes, 1),
         "possible": True},
        {"formula": "2 × agreements / (codes on occasion 1 + codes on occasion 2)  [Holsti]",
         "value_percent": round(100 * 2 * agreements / (2 * codes), 1), "possible": True},
        {"formula": "2 × agreements / total codes, with total = codes compared",
         "value_percent": round(100 * often_cited_test_retest(codes, agreements), 1),
         "possible": often_cited_test_retest(codes, agreements) <= 1},
    ])


def coefficient_table(matrix: pd.DataFrame, level: str = "nominal", n_boot: int = 0, seed: int = 0,
                      minimum: float = 0.667, note: str = "", unit: str = "unit") -> pd.DataFrame:
    """The summary as a long table for the supplement: coefficient, value, 95% interval, note
    (no rows when no unit was coded twice: a review without re-coding yet)."""
    columns = ["coefficient", "value", "ci95_low", "ci95_high", "unit_of_analysis", "units", "coders", "level", "note"]
    if matrix.shape[1] < 2 or pairable(matrix).empty:
        return pd.DataFrame(columns=columns)
    s = summary(matrix, level=level, n_boot=n_boot, seed=seed, minimum=minimum)
    ci = {"krippendorff_alpha": s.get("alpha_ci95"), "cohen_kappa": s.get("cohen_kappa_ci95")}
    rows = []
    for key in ("percent_agreement", "holsti_cr", "scott_pi", "cohen_kappa", "fleiss_kappa",
                "krippendorff_alpha", "gwet_ac1"):
        if s.get(key) is None:
            continue
        low, high = ci.get(key) or (None, None)
        rows.append({"coefficient": key, "value": round(s[key], 3),
                     "ci95_low": None if low is None else round(low, 3),
                     "ci95_high": None if high is None else round(high, 3),
                     "unit_of_analysis": unit, "units": s["n_pairable_units"], "coders": s["n_coders"],
                     "level": level, "note": note})
    table = pd.DataFrame(rows, columns=columns)
    if n_boot:
        table.loc[table["coefficient"] == "krippendorff_alpha", "note"] = (
            f"{note}; P(alpha < {minimum}) = {s['alpha_q_below_minimum']:.3f}; {n_boot} resamples, seed {seed}")
    return table
