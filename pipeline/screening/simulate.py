"""``simulate``: screen a labelled review with the model, as a reviewer would, and score the order.

The priors are screened first, in the order given; then, one record at a time, the model is retrained
on every label so far and the record it ranks highest is screened next (``priority``).  The stopping
rule watches the labels as they come (``stopping``); the simulation goes on to the end so that the
whole curve can be scored.  Once every relevant record is found, the remaining records are placed in
the last model's order without retraining: no label after that point can change a metric.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from . import priority, stopping


@dataclass
class Result:
    """The order shown, where the rule stopped, and the measures of the curve."""

    order: pd.DataFrame  # record_id, label, stop
    stop_row: int | None  # 1-based row of the last record screened before the rule stopped
    metrics: dict
    seconds: float


def read_labelled(path: Path) -> pd.DataFrame:
    """``record_id``, ``label`` (0/1), title and abstract of every record of a labelled export (any format
    ``import-records`` reads; the label from ASReview's label_included/included columns or its RIS notes).
    The ids are the file's ``record_id`` column, else the 1-based record number."""
    from ..search.exports import read_file
    from ..search.readers.base import Report

    path = Path(path)
    export = read_file(path, Report())
    df = pd.DataFrame(export.records)
    keys = df["key"] if "key" in df else pd.Series("", index=df.index)
    df["record_id"] = [k or str(i) for i, k in enumerate(keys, 1)]
    if df["record_id"].duplicated().any():
        dup = df.loc[df["record_id"].duplicated(), "record_id"].iloc[0]
        raise InputError(path, "a record_id column with each id once", column="record_id", value=dup)
    unlabelled = df["label"] == ""
    if unlabelled.any():
        i = int(np.flatnonzero(unlabelled)[0])
        line = export.lines[i] if i < len(export.lines) and export.lines[i] else None
        raise InputError(path, "a label (1 relevant, 0 irrelevant) for every record: a label_included or "
                         "included column, or ASReview's labels in RIS notes", row=line, column="label")
    df["label"] = df["label"].astype(int)
    if df["label"].sum() == 0:
        raise InputError(path, "at least one record labelled relevant (1)", column="label")
    return df[["record_id", "label", "title", "abstract"]].reset_index(drop=True)


def simulate(records: pd.DataFrame, priors: list[str], seed: int = 0, rule: stopping.Rule | None = None,
             criteria: list[str] = (), progress=None) -> Result:
    """Screen ``records`` (record_id, label, title, abstract) from ``priors`` with the model and ``rule``."""
    rule = rule or stopping.Rule()
    start = time.perf_counter()
    ids = records["record_id"].astype(str).tolist()
    index = {r: i for i, r in enumerate(ids)}
    labels = records["label"].to_numpy(dtype=np.int64)
    n = len(ids)
    missing = [p for p in priors if p not in index]
    if missing:
        raise InputError(None, f"--prior: a record_id of the labelled file (not found: {missing[0]})")
    if len(set(priors)) != len(priors):
        raise InputError(None, "--prior: each record once")
    x, crit = priority.features(priority.record_texts(records), list(criteria))
    ranker = priority.Ranker(x, seed=seed, criteria=crit if len(criteria) else None)
    shown = [index[p] for p in priors]
    seen = np.zeros(n, dtype=bool)
    seen[shown] = True
    total_relevant = int(labels.sum())
    last_report = time.perf_counter()
    while len(shown) < n:
        scores = ranker.scores(np.array(shown), labels[shown])
        pool = np.flatnonzero(~seen)
        if labels[shown].sum() == total_relevant:  # all found: the rest in the last model's order
            shown += ranker.order(scores, pool).tolist()
            break
        nxt = int(ranker.order(scores, pool)[0])
        shown.append(nxt)
        seen[nxt] = True
        if progress and time.perf_counter() - last_report > 5:
            progress(len(shown), n)
            last_report = time.perf_counter()
    ordered = labels[shown]
    stop = stopping.first_stop(rule, ordered, n, start=len(priors) + 1)
    stop_row = stop if stop is not None else n
    order = pd.DataFrame({"record_id": [ids[i] for i in shown], "label": ordered, "stop": 0})
    order.loc[stop_row - 1, "stop"] = 1
    metrics = measures(ordered) | {"stop_row": stop_row, "stop_recall": round(float(ordered[:stop_row].sum()
                                                                                       / total_relevant), 4),
                                   "stop_rule": rule.describe(), "rule_stopped": stop is not None}
    return Result(order, stop_row, metrics, time.perf_counter() - start)


def first_reaching(labels: np.ndarray, recall: float) -> int:
    """Records screened when the share ``recall`` of the relevant records is first found."""
    need = int(np.ceil(recall * labels.sum() - 1e-9))
    return int(np.searchsorted(np.cumsum(labels), need) + 1)


def measures(labels) -> dict:
    """WSS@95 and WSS@100 (work saved over sampling: recall minus the share screened to reach it, Cohen et
    al. 2006), and recall after 10% and 25% of the records are screened."""
    labels = np.asarray(labels, dtype=np.int64)
    n, relevant = len(labels), int(labels.sum())
    found = np.cumsum(labels)

    def recall_after(share):
        k = int(np.ceil(share * n))
        return round(float(found[k - 1] / relevant), 4) if k else 0.0

    return {"records": n, "relevant": relevant,
            "wss95": round(0.95 - first_reaching(labels, 0.95) / n, 4),
            "wss100": round(1.0 - first_reaching(labels, 1.0) / n, 4),
            "recall_at_10": recall_after(0.10), "recall_at_25": recall_after(0.25)}
