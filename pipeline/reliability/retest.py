"""Test-retest reliability: the same coder's two codings compared unit by unit (the article's Table 2).

Percent agreement is agreements / codes compared, which equals Holsti's CR = 2M / (N1 + N2)
when both occasions coded the same units; ``formula_comparison`` shows why the often quoted
"2 × agreements / total codes" cannot be what a reported percentage means.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import language
from .matrix import reliability_matrix


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
