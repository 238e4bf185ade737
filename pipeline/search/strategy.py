"""The search strategy (``raw/search_strategy.csv``) as the article reports it: databases, keywords, period."""

from __future__ import annotations

import pandas as pd


def search_summary(strategy: pd.DataFrame) -> pd.DataFrame:
    """The search strategy grouped by facet and scope: databases, keywords, period."""
    return (strategy.groupby(["facet", "scope"], sort=False)["value"].agg("; ".join)
            .reset_index().rename(columns={"value": "values"}))
