"""When to stop screening: a statistical rule a review can cite, and two common heuristics beside it.

The statistical rule is Callaghan & Müller-Hansen (2020), "Statistical stopping criteria for automated
screening in systematic reviews", Systematic Reviews 9:273, as its authors' package ``buscarpy``
computes it.  The null hypothesis that recall is below the target is tested on every run of the last k
screened records as a sample from the records not yet screened; screening stops when it is rejected at
the chosen confidence (95% recall with 95% confidence by default).  ``buscar_p`` computes exactly
what ``buscarpy`` computes, fast enough to check after every record.  It assumes nothing about how good
the ranking is (an unbiased urn), which makes it conservative.  The heuristics, kept for comparison,
are N irrelevant records in a row and a fixed share of the records screened; neither has a guarantee.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RULES = ("buscar", "consecutive", "share")


@dataclass(frozen=True)
class Rule:
    """A stopping rule and its parameters, as recorded when a reviewer stops."""

    name: str = "buscar"
    recall: float = 0.95  # buscar: the recall target
    confidence: float = 0.95  # buscar: 1 - the p-value at which to stop
    consecutive: int = 100  # consecutive: this many irrelevant records in a row
    share: float = 0.5  # share: this share of all records screened

    def describe(self) -> str:
        if self.name == "buscar":
            return (f"Callaghan & Müller-Hansen (2020): stop when recall >= {self.recall:g} is shown with "
                    f"{self.confidence:g} confidence (hypergeometric test, buscarpy)")
        if self.name == "consecutive":
            return f"heuristic: stop after {self.consecutive} irrelevant records in a row"
        return f"heuristic: stop after {self.share:.0%} of the records are screened"


def buscar_p(labels, n_total: int, recall: float = 0.95) -> float:
    """p-value of 'recall is below ``recall``' after screening ``labels`` (0/1, in screening order) out of
    ``n_total`` records: ``buscarpy.calculate_h0`` (unbiased urn), computed exactly but on the windows that
    can hold its minimum.  buscarpy tests every window of the last i records; for windows holding the same
    number of relevant records the p-value falls as the window grows, so the minimum is always at a window
    that reaches back to just after a relevant record, or to the start: r + 1 windows instead of n.
    (tests/screening/test_stopping.py checks equality with buscarpy.)"""
    labels = np.asarray(labels, dtype=np.int64)
    k = len(labels)
    if k == 0:
        return 1.0
    if k >= n_total:
        return 0.0  # everything screened: nothing was missed
    r = int(labels.sum())
    back = labels[::-1]
    found_back = np.cumsum(back)  # relevant records among the last i: found_back[i - 1]
    sizes = np.unique(np.concatenate([np.flatnonzero(back), [k]]))
    sizes = sizes[sizes >= 1]
    x = found_back[sizes - 1]  # relevant in each window
    k_hat = np.floor(r / recall + 1 - (r - x))  # relevant records the urn would hold if recall were short
    pop = n_total - (k - sizes)  # the urn: the window and every record not yet screened

    if (k_hat > pop).any():  # more relevant records than the urn holds: that hypothesis is impossible
        return 0.0
    lo = np.maximum(0, sizes - (pop - k_hat))  # the terms of each window's cdf: j = lo .. hi relevant drawn
    hi = np.minimum(x, k_hat)
    if (hi < lo).any():
        return 0.0
    counts = (hi - lo + 1).astype(np.int64)
    at = np.repeat(np.arange(len(sizes)), counts)
    j = lo[at] + np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    big_k, m, n_draw = k_hat[at], pop[at], sizes[at]
    terms = np.exp(_log_choose(big_k, j) + _log_choose(m - big_k, n_draw - j) - _log_choose(m, n_draw))
    return float(min(np.add.reduceat(terms, np.cumsum(counts) - counts).min(), 1.0))


def _log_choose(a, b):
    from scipy.special import gammaln

    return gammaln(a + 1) - gammaln(b + 1) - gammaln(a - b + 1)


def estimate(rule: Rule, labels, n_total: int) -> dict:
    """Whether ``rule`` says stop after ``labels``, with what it rests on."""
    labels = np.asarray(labels, dtype=np.int8)
    if rule.name == "buscar":
        p = buscar_p(labels, n_total, rule.recall)
        return {"stop": p < 1 - rule.confidence, "p_value": p}
    if rule.name == "consecutive":
        ones = np.flatnonzero(labels)
        run = len(labels) - (ones[-1] + 1 if len(ones) else 0)
        return {"stop": run >= rule.consecutive, "irrelevant_in_a_row": int(run)}
    screened = len(labels) / max(n_total, 1)
    return {"stop": screened >= rule.share, "share_screened": round(screened, 4)}


def first_stop(rule: Rule, labels, n_total: int, start: int = 1) -> int | None:
    """The number of records screened when ``rule`` first says stop, seeing only the labels up to then
    (records ``start`` on; the priors before are always screened); None if it never does."""
    labels = np.asarray(labels, dtype=np.int8)
    n = len(labels)
    if rule.name == "consecutive":
        run = 0
        for k in range(n):
            run = 0 if labels[k] else run + 1
            if k + 1 >= start and run >= rule.consecutive:
                return k + 1
        return None
    if rule.name == "share":
        k = max(start, int(np.ceil(rule.share * n_total)))
        return k if k <= n else None
    for k in range(max(start, 1), n + 1):  # checked after every record, as a reviewer would see it
        if buscar_p(labels[:k], n_total, rule.recall) < 1 - rule.confidence:
            return k
    return None
