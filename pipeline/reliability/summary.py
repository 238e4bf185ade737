"""Every coefficient the data supports, interpreted (Krippendorff 2004), and as a table for the supplement."""

from __future__ import annotations

import math

import pandas as pd

from .bootstrap import bootstrap_alpha, bootstrap_kappa
from .coefficients import cohen_kappa, fleiss_kappa, gwet_ac1, holsti, krippendorff_alpha, percent_agreement, scott_pi
from .matrix import LEVELS, ReliabilityError, check_matrix, pairable


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
    check_matrix(matrix)
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
