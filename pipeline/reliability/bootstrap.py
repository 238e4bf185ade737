"""Bootstrap intervals: Krippendorff's alpha after Hayes & Krippendorff (2007), as their KALPHA macro
computes it (resampled coincidences with the expected disagreement held fixed, and q = P(alpha <
minimum)), and Cohen's kappa with units resampled.  Seeded and vectorized.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .coefficients import kappa_from_tables, disagreement_weights, cohen_kappa
from .matrix import LEVELS, ReliabilityError, check_matrix, coded_pair, encode, pairable, value_counts


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
    check_matrix(matrix)
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
    a, b, k = coded_pair(matrix)
    n = len(a)
    rng = np.random.default_rng(seed)
    cell = a * k + b
    tables = np.empty((n_boot, k, k), dtype=np.int64)
    step = max(1, BOOT_CELLS // max(n, 1))
    for lo in range(0, n_boot, step):
        rows = min(step, n_boot - lo)
        cells = cell[rng.integers(0, n, size=(rows, n))] + (np.arange(rows) * k * k)[:, None]
        tables[lo:lo + rows] = np.bincount(cells.ravel(), minlength=rows * k * k).reshape(rows, k, k)
    kappas = np.sort(kappa_from_tables(tables, disagreement_weights(k, weights)))
    kappas = kappas[~np.isnan(kappas)]
    return {
        "kappa": cohen_kappa(matrix, weights),
        "ci95": (float(np.quantile(kappas, 0.025)), float(np.quantile(kappas, 0.975))),
        "n_boot": n_boot,
    }
