"""Saturation and stability of the coding: distinct codes as studies are added, and what rests on one study."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .codebook import coded


def publication_order(studies: pd.DataFrame) -> list[str]:
    """Study ids by Gregorian year, ties in file order (the order the evidence appeared)."""
    return studies.sort_values("year", kind="stable")["study_id"].tolist()


SATURATION_CHUNK = 50_000_000  # booleans (bytes) of random-order curves held at once: 3 GB at 5,000 × 600 before


def saturation_curve(segments: pd.DataFrame, studies: pd.DataFrame, n_orders: int = 500, seed: int = 0) -> pd.DataFrame:
    """Distinct initial codes found as studies are added: in publication order, and the mean and
    2.5-97.5% band over ``n_orders`` random orders (a saturation check for the open coding).
    """
    import numpy as np

    ids = studies["study_id"].tolist()
    codes = sorted(segments["code_id"].unique())
    col = {c: j for j, c in enumerate(codes)}
    row = {s: i for i, s in enumerate(ids)}
    present = np.zeros((len(ids), len(codes)), dtype=bool)
    present[segments["study_id"].map(row).to_numpy(dtype=int), segments["code_id"].map(col).to_numpy(dtype=int)] = True

    def curve(order_idx):
        return np.logical_or.accumulate(present[order_idx], axis=-2).sum(axis=-1)

    pub = curve(np.array([row[s] for s in publication_order(studies)], dtype=int))
    rng = np.random.default_rng(seed)
    orders = np.argsort(rng.random((n_orders, len(ids))), axis=1)
    step = max(1, SATURATION_CHUNK // max(1, present.size))  # orders per chunk, bounded memory
    rand = np.concatenate([curve(orders[i:i + step]) for i in range(0, n_orders, step)]) if n_orders \
        else curve(orders)
    return pd.DataFrame({
        "studies": np.arange(1, len(ids) + 1),
        "study_added": publication_order(studies),
        "codes_publication_order": pub,
        "codes_random_mean": rand.mean(axis=0).round(2),
        "codes_random_low": np.quantile(rand, 0.025, axis=0),
        "codes_random_high": np.quantile(rand, 0.975, axis=0),
    })


def leave_one_out(segments: pd.DataFrame, codebook: pd.DataFrame, studies: pd.DataFrame,
                  min_studies: int = 2) -> pd.DataFrame:
    """Which categories and subcategories lose support when one study is removed.

    Removing a study takes one supporting study from each node it supports and none from the others,
    so only a node with at most ``min_studies`` supporting studies can change status: one row per such
    node and each of its studies, with the number of supporting studies before and after and
    ``status`` ``loses all support`` (no study left) or ``below threshold`` (fewer than
    ``min_studies``).  Linear in the segments (it used to test every study against every node).
    """
    seg = coded(segments, codebook)
    parts = []
    for level, id_col, name_col in (("category", "category_id", "category"),
                                    ("subcategory", "subcategory_id", "subcategory")):
        pairs = seg[[id_col, name_col, "study_id"]].drop_duplicates()
        before = pairs.groupby([id_col, name_col])["study_id"].transform("size")
        at_risk = (before <= min_studies) & pairs["study_id"].isin(studies["study_id"])
        risky = pairs[at_risk]
        parts.append(pd.DataFrame({
            "study_removed": risky["study_id"].to_numpy(), "level": level, "node": risky[name_col].to_numpy(),
            "studies_before": before[at_risk].to_numpy(), "_id": risky[id_col].to_numpy()}))
    out = pd.concat(parts, ignore_index=True)
    out["studies_before"] = out["studies_before"].astype("int64")
    out["studies_after"] = out["studies_before"] - 1
    out["status"] = np.where(out["studies_after"] == 0, "loses all support", "below threshold")
    out = out.sort_values(["study_removed", "level", "node", "_id"], kind="stable").drop(columns="_id")
    return out[["study_removed", "level", "node", "studies_before", "studies_after", "status"]].reset_index(drop=True)
