"""``make bench``: every benchmark in one run, results printed and saved to benchmarks/results.json."""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_dedup  # noqa: E402
import bench_dedup_asysd  # noqa: E402
import bench_dedup_labelled  # noqa: E402
import bench_import  # noqa: E402
import bench_reliability  # noqa: E402
import bench_reliability_scale  # noqa: E402
import bench_run  # noqa: E402
import bench_scale  # noqa: E402
import bench_screening  # noqa: E402
import bench_simulate  # noqa: E402
import bench_test_suite  # noqa: E402

BENCHMARKS = {"reliability": bench_reliability.main, "reliability_scale": bench_reliability_scale.main,
              "dedup": bench_dedup.main, "import": bench_import.main,
              "dedup_labelled": bench_dedup_labelled.main, "dedup_asysd": bench_dedup_asysd.main,
              "run": bench_run.main, "scale": bench_scale.main, "simulate": bench_simulate.main,
              "screening": bench_screening.main,
              "test_suite": bench_test_suite.main}


def summary(name: str, result: dict) -> str:
    """The lines a reader wants first: the scale table and the cold-run ratios (the JSON follows)."""
    if name == "scale":
        lines = ["| studies | codes | wall | peak memory | largest notebook | target met |", "|---|---|---|---|---|---|"]
        lines += [f"| {r['studies']:,} | {r['codes']} | {r['wall_s']} s | {r['peak_tree_rss_gib']} GiB | "
                  f"{r['largest_executed_notebook_mib']} MiB | {'' if r['meets_target'] is None else r['meets_target']} |"
                  for r in result["runs"]]
        return "\n".join(lines)
    if name == "run":
        c, f = result["cold_run"], result["first_run"]
        return (f"cold run / floor, median of {result['pairs']} pairs: wall {c['wall_ratio_median']}, "
                f"CPU {c['cpu_ratio_median']} (first run into an empty folder: {f['wall_ratio_median']}, "
                f"{f['cpu_ratio_median']}); no-op re-run {result['noop_rerun_median_s']} s")
    if name == "simulate" and "skipped" not in result:
        lines = ["| review | set | records | relevant | WSS@95 ours | WSS@95 ASReview | s/run ours | s/run ASReview | "
                 "stopped at >= 95% recall | unscreened at stop |", "|---|---|---|---|---|---|---|---|---|---|"]
        for name, r in result.items():
            if not name.startswith("mean_"):
                o, a = r["ours"], r.get("asreview", {})
                lines.append(f"| {name} | {r['set']} | {r['records']} | {r['relevant']} | {o['wss95']:.3f} | "
                             f"{a.get('wss95', float('nan')):.3f} | {o['seconds_per_run']} | {a.get('seconds_per_run', '')} | "
                             f"{o['stopped_at_95_recall']} | {o['unscreened_share_mean']:.1%} |")
        return "\n".join(lines)
    if name == "screening":
        return "decision to next record, median (90th percentile): " + ", ".join(
            f"{int(n):,} records {r['decision_to_next_median_ms']} ms ({r['decision_to_next_p90_ms']} ms; target "
            f"{r['target_ms']} ms; session opens in {r['session_open_s']} s)" for n, r in result.items())
    if name == "dedup_asysd" and "ours" in result:
        return "ASySD labelled set, precision / recall: " + ", ".join(
            f"{tool} {result[tool]['precision']} / {result[tool]['recall']}" for tool in ("ours", "bib-dedupe")
            if tool in result)
    if name == "import":
        return "reading time, largest / smallest file (4x the size; 4 is linear): " + ", ".join(
            f"{case} {t['ratio_largest_to_smallest']}" for case, t in result.items() if isinstance(t, dict))
    if name == "test_suite":
        return (f"make test {result['test_median_s']} s, pipeline run --force {result['run_median_s']} s: "
                f"{result['ratio_median']}x (median of {result['pairs']} pairs; target <= 6)")
    return ""


def main(names: list[str]) -> None:
    saved = HERE / "results.json"
    results = json.loads(saved.read_text()) if names and saved.exists() else {}  # a subset updates its entries
    results["machine"] = {"python": platform.python_version(), "cpus": __import__("os").cpu_count()}
    for name, fn in BENCHMARKS.items():
        if names and name not in names:
            continue
        print(f"running {name} ...", flush=True)
        results[name] = fn()
        print(json.dumps(results[name], indent=2), flush=True)
        if summary(name, results[name]):
            print(summary(name, results[name]), flush=True)
    saved.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
