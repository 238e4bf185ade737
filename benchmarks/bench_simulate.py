"""Prioritized screening on labelled SYNERGY reviews: ours beside ASReview LAB 3.0.8 (ELAS u4), in one run.

For each review and seed 0-9, the priors are one relevant and one irrelevant record drawn with that
seed (the same for both tools).  Each tool screens from them; both orders are scored the same way
(``screening.simulate.measures``: WSS@95, WSS@100, recall after 10% and 25% screened).  For ours, the
stopping rule (Callaghan & Müller-Hansen 2020, 95% recall with 95% confidence) is scored too: the
recall where it stopped and the share of records it left unscreened.  Times are those of the
simulation loops inside each process (feature extraction included; start-up and reading excluded).

The reviews are built by ``benchmarks/get_synergy.py`` into ``~/.cache/qes-pipeline/synergy``; the six
development reviews named in issue 23 are the only ones the settings may be tuned on, the others are
reported apart as held out.  ASReview runs in ``.venv-bench``; without it, ours alone is reported.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from pipeline.screening import simulate, stopping  # noqa: E402

from get_synergy import DEVELOPMENT, OUT  # noqa: E402

ASREVIEW = ROOT / ".venv-bench" / "bin" / "python"
SEEDS = range(10)
ALIASES = {"Meijboom_2022": "Meijboom_2021", "Valk_2021": "van_der_Valk_2021"}  # the same reviews renamed


def priors(labels: np.ndarray, seed: int) -> list[int]:
    rng = np.random.default_rng(seed)
    return [int(rng.choice(np.flatnonzero(labels == 1))), int(rng.choice(np.flatnonzero(labels == 0)))]


def ours(records: pd.DataFrame, runs: list[dict]) -> list[dict]:
    out = []
    for run in runs:
        ids = [records["record_id"].iloc[i] for i in run["priors"]]
        res = simulate.simulate(records, ids, seed=run["seed"], rule=stopping.Rule())
        out.append({"seed": run["seed"], "labels": res.order["label"].tolist(), "seconds": res.seconds,
                    "stop_row": res.stop_row, "stop_recall": res.metrics["stop_recall"]})
    return out


def theirs(records: pd.DataFrame, runs: list[dict]) -> list[dict] | None:
    if not ASREVIEW.exists():
        return None
    labels = records["label"].to_numpy()
    with tempfile.TemporaryDirectory() as tmp:
        data, spec = Path(tmp) / "review.csv", Path(tmp) / "runs.json"
        records[["title", "abstract"]].assign(label_included=labels).to_csv(data, index=False)  # ids = row numbers
        spec.write_text(json.dumps(runs))
        done = subprocess.run([str(ASREVIEW), str(HERE / "asreview_simulate.py"), str(data), str(spec)],
                              capture_output=True, text=True, check=True, cwd=tmp)  # its HTTP cache stays there
    out = []
    for res in json.loads(done.stdout.strip().splitlines()[-1]):
        seen = res["order"]
        rest = np.setdiff1d(np.arange(len(labels)), seen)  # after the last relevant: no relevant is left
        out.append({"seed": res["seed"], "labels": labels[np.concatenate([seen, rest]).astype(int)].tolist(),
                    "seconds": res["seconds"]})
    return out


def summarize(runs: list[dict]) -> dict:
    m = [simulate.measures(r["labels"]) for r in runs]
    out = {k: round(statistics.mean(x[k] for x in m), 4) for k in ("wss95", "wss100", "recall_at_10", "recall_at_25")}
    out["wss95_seed0"] = m[0]["wss95"]
    out["seconds_per_run"] = round(statistics.mean(r["seconds"] for r in runs), 2)
    if "stop_row" in runs[0]:
        n = len(runs[0]["labels"])
        out["stop_recall_min"] = min(r["stop_recall"] for r in runs)
        out["stopped_at_95_recall"] = f"{sum(r['stop_recall'] >= 0.95 for r in runs)}/{len(runs)}"
        out["unscreened_share_mean"] = round(statistics.mean(1 - r["stop_row"] / n for r in runs), 4)
    return out


def reviews() -> list[str]:
    source = json.loads((OUT / "SOURCE.json").read_text()) if (OUT / "SOURCE.json").exists() else {}
    names = [n for n in source if n not in ALIASES]
    return sorted(names, key=lambda n: (n not in DEVELOPMENT, n))


def main(names: list[str] | None = None, seeds=SEEDS) -> dict:
    names = names or reviews()
    if not names:
        return {"skipped": f"no SYNERGY reviews in {OUT}; run benchmarks/get_synergy.py"}
    result = {}
    for name in names:
        raw = pd.read_csv(OUT / f"{name}.csv", dtype=str, keep_default_na=False)
        records = pd.DataFrame({"record_id": raw["record_id"], "title": raw["title"], "abstract": raw["abstract"],
                                "label": raw["label_included"].astype(int)})
        runs = [{"seed": s, "priors": priors(records["label"].to_numpy(), s)} for s in seeds]
        row = {"set": "development" if name in DEVELOPMENT else "held out", "records": len(records),
               "relevant": int(records["label"].sum()), "ours": summarize(ours(records, runs))}
        asr = theirs(records, runs)
        if asr:
            row["asreview"] = summarize(asr)
        result[name] = row
        print(name, json.dumps(row), flush=True)
    per_review = list(result.values())
    for group in ("development", "held out"):
        rows = [r for r in per_review if r["set"] == group and "asreview" in r]
        if rows:
            result[f"mean_{group.replace(' ', '_')}"] = {
                tool: round(statistics.mean(r[tool]["wss95"] for r in rows), 4) for tool in ("ours", "asreview")}
    return result


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:] or None), indent=2))
