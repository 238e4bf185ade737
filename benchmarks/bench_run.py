"""The cold ``run`` of the reference study against a plain floor with the same parallelism.

"Floor": the notebooks' code cells executed as plain Python by two fresh worker processes (the
runner's two-way parallelism), with the same parameters and in the same order the runner starts
them; no kernel, papermill or nbconvert, no validation apart from what the notebooks do.
"Cold run": ``python -m pipeline run --force`` in a fresh process, so every notebook executes in a
new kernel; into the folder of an earlier run (the runner then knows each notebook's seconds and
starts the long ones first).  "First run": the same into an empty folder.

Measured as alternating pairs in one session (the order rotates every round), and reported as
the median of the per-pair ratios, in wall time and in CPU time (user + system of the whole
process tree: kernels and workers are children that are waited for).  Target: both medians <= 1.5.
Also the no-op re-run (nothing changed): target < 0.5 s.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FLOOR = r"""
import json, sys
from concurrent.futures import ProcessPoolExecutor
import multiprocessing as mp
from pathlib import Path

def one(task):
    root, nb_path, data_dir, out_dir = task
    sys.path.insert(0, root)
    from pipeline.run import params as run_params
    from pipeline.run import project
    params = run_params.load_params()
    nb = json.loads(Path(nb_path).read_text(encoding="utf-8"))
    declared = run_params.parameters_of(nb)
    ns = {"display": lambda *a, **k: None}
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        exec(compile(project.cell_source(cell), nb_path, "exec"), ns)
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            ns.update({k: v for k, v in params.items() if k in declared}, data_dir=data_dir, out_dir=out_dir)
    return nb_path

if __name__ == "__main__":
    root, data_dir, out_dir, order = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split(",")
    tasks = [(root, str(Path(root) / "notebooks" / f"{name}.ipynb"), data_dir, out_dir) for name in order]
    with ProcessPoolExecutor(2, mp_context=mp.get_context("spawn")) as pool:
        list(pool.map(one, tasks))
"""


def _measure(cmd: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system of the process and every descendant it waited for)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _ratios(runs: list[tuple[float, float]], floors: list[tuple[float, float]]) -> dict:
    wall = [r[0] / f[0] for r, f in zip(runs, floors)]
    cpu = [r[1] / f[1] for r, f in zip(runs, floors)]
    return {"wall_ratio_median": round(statistics.median(wall), 2), "cpu_ratio_median": round(statistics.median(cpu), 2),
            "wall_ratios": [round(x, 2) for x in wall], "cpu_ratios": [round(x, 2) for x in cpu],
            "wall_s_median": round(statistics.median(r[0] for r in runs), 2),
            "cpu_s_median": round(statistics.median(r[1] for r in runs), 2)}


def main(pairs: int = 7) -> dict:
    sys.path.insert(0, str(ROOT))
    from pipeline.run import project
    from pipeline.run import runner

    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        floor_py = Path(tmp) / "floor.py"  # a file: spawned workers import `one` from it
        floor_py.write_text(FLOOR, encoding="utf-8")
        kept = Path(tmp) / "kept"
        subprocess.run([py, "-m", "pipeline", "run", "--force", "--out", str(kept)], cwd=ROOT, check=True,
                       capture_output=True)  # leaves each notebook's seconds, as any earlier run does
        order = runner._longest_first([p.stem for p in project.discover()], kept / runner.SECONDS_FILE)
        cold, first, floor = [], [], []
        for i in range(pairs):
            steps = {
                "cold": lambda: cold.append(_measure([py, "-m", "pipeline", "run", "--force", "--out", str(kept)])),
                "first": lambda: first.append(_measure([py, "-m", "pipeline", "run", "--out", str(Path(tmp) / f"new{i}")])),
                "floor": lambda: floor.append(_measure([py, str(floor_py), str(ROOT), str(ROOT / "data"),
                                                        str(Path(tmp) / f"floor{i}"), ",".join(order)])),
            }
            names = list(steps)
            for name in names[i % 3:] + names[:i % 3]:  # rotate who goes first
                steps[name]()
        noop = [_measure([py, "-m", "pipeline", "run", "--out", str(kept)])[0] for _ in range(5)]
    result = {
        "benchmark": "reference study: `run` (papermill, kernels kept for the run, 2 at a time, HTML) "
                     "vs plain code cells in 2 worker processes",
        "pairs": pairs,
        "order": order,
        "floor_wall_s_median": round(statistics.median(f[0] for f in floor), 2),
        "floor_cpu_s_median": round(statistics.median(f[1] for f in floor), 2),
        "cold_run": _ratios(cold, floor),
        "first_run": _ratios(first, floor),
        "noop_rerun_median_s": round(statistics.median(noop), 3),
    }
    result["targets"] = {
        "cold_wall_at_most_1.5": result["cold_run"]["wall_ratio_median"] <= 1.5,
        "cold_cpu_at_most_1.5": result["cold_run"]["cpu_ratio_median"] <= 1.5,
        "noop_under_0.5_s": result["noop_rerun_median_s"] < 0.5,
    }
    return result


if __name__ == "__main__":
    print(json.dumps(main(int(os.environ.get("PAIRS", 7))), indent=2))
