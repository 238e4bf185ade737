"""Deduplication on five labelled search libraries, ours beside bib-dedupe, in one run.

The libraries are those packaged with CoLRev's bib-dedupe for its evaluation (Cochrane and
IS reviews; ``records_pre_merged.csv`` and ``merged_record_ids.csv`` each): haematology,
stroke, cytology_screening, respiratory, digital_work.  They are not in this repository;
``benchmarks/get_dedup_libraries.sh`` puts them in ``~/.cache/qes-pipeline/dedup-libraries``.
Metrics are pairwise: every pair of records inside a labelled group is a true pair; pooled
precision and recall add the pair counts of all five libraries.  bib-dedupe runs in its own
environment (``.venv-bibdedupe``) on the same files, and its time is measured inside that
process on the same steps (prep, block, match, cluster), without start-up and import.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from pipeline.search import dedup

LIBRARIES = ("haematology", "stroke", "cytology_screening", "respiratory", "digital_work")
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "qes-pipeline" / "dedup-libraries"
BIBDEDUPE = ROOT / ".venv-bibdedupe" / "bin" / "python"


def load(name: str) -> tuple[pd.DataFrame, list[set]]:
    raw = pd.read_csv(CACHE / name / "records_pre_merged.csv", dtype=str).fillna("")
    get = lambda c: raw[c] if c in raw else ""  # noqa: E731
    records = pd.DataFrame({"record_id": raw["ID"], "title": get("title"),
                            "authors": raw["author"].str.replace(r"\s+and\s+", "; ", regex=True),
                            "year": get("year"), "doi": get("doi"), "journal": get("journal"),
                            "volume": get("volume"), "issue": get("number"), "pages": get("pages"),
                            "type": get("ENTRYTYPE"), "source": name})
    truth = [set(s.split(";")) for s in pd.read_csv(CACHE / name / "merged_record_ids.csv", dtype=str)["merged_ids"]]
    return records, truth


def pairs(groups) -> set:
    return {p for g in groups for p in itertools.combinations(sorted(g), 2)}


def score(predicted: set, truth: set) -> dict:
    tp = len(predicted & truth)
    return {"tp": tp, "fp": len(predicted - truth), "fn": len(truth - predicted)}


def ours(records: pd.DataFrame) -> tuple[list, float]:
    start = time.perf_counter()
    g = dedup.find_duplicates(records)
    seconds = time.perf_counter() - start
    return [set(x) for _, x in g.groupby("group")["record_id"]], seconds


def theirs(name: str) -> tuple[list, float] | None:
    if not BIBDEDUPE.exists():
        return None
    out = subprocess.run([str(BIBDEDUPE), str(HERE / "bibdedupe_groups.py"),
                          str(CACHE / name / "records_pre_merged.csv")], capture_output=True, text=True, check=True)
    res = json.loads(out.stdout.strip().splitlines()[-1])
    return [set(g) for g in res["groups"]], res["seconds"]


def summarize(counts: dict, seconds: float) -> dict:
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    return {"precision": round(tp / (tp + fp), 4) if tp + fp else 1.0, "recall": round(tp / (tp + fn), 4),
            "seconds": round(seconds, 2), **counts}


def main(names=LIBRARIES, with_bibdedupe=True) -> dict:
    if not all((CACHE / n / "records_pre_merged.csv").exists() for n in names):
        return {"skipped": f"labelled libraries not found in {CACHE}; run benchmarks/get_dedup_libraries.sh"}
    result, total = {}, {"ours": [{"tp": 0, "fp": 0, "fn": 0}, 0.0], "bib-dedupe": [{"tp": 0, "fp": 0, "fn": 0}, 0.0]}
    for name in names:
        records, truth = load(name)
        true_pairs = pairs(truth)
        row = {"records": len(records), "true_pairs": len(true_pairs)}
        runs = {"ours": ours(records)}
        if with_bibdedupe:
            runs["bib-dedupe"] = theirs(name)
        for tool, run in runs.items():
            if run is None:
                continue
            c = score(pairs(run[0]), true_pairs)
            row[tool] = summarize(c, run[1])
            for k in c:
                total[tool][0][k] += c[k]
            total[tool][1] += run[1]
        result[name] = row
        print(name, json.dumps(row), flush=True)
    result["pooled"] = {tool: summarize(c, s) for tool, (c, s) in total.items() if c["tp"] + c["fn"]}
    ours_pooled = result["pooled"]["ours"]
    result["targets"] = {"precision_at_least_0.998": ours_pooled["precision"] >= 0.998,
                         "recall_at_least_0.97": ours_pooled["recall"] >= 0.97}
    if "bib-dedupe" in result["pooled"]:
        ratio = round(result["pooled"]["bib-dedupe"]["seconds"] / ours_pooled["seconds"], 1)
        result["pooled"]["speed_ratio"] = ratio
        result["targets"]["at_least_5x_faster_than_bib_dedupe"] = ratio >= 5
    return result


if __name__ == "__main__":
    print(json.dumps(main(with_bibdedupe="--ours" not in sys.argv), indent=2))
