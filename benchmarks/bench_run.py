"""The cold ``run`` on the reference study against the same stages as plain function calls.

"Plain": one fresh Python process executes every notebook's code cells in order, with the same
parameters, without a kernel, papermill or nbconvert.  "Cold run": ``python -m pipeline run
--force`` into an empty output folder.  Both measured in this run, medians of repeats.  Also the
no-op re-run (nothing changed).  Target: cold / plain <= 2.0; no-op < 0.5 s.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PLAIN = r"""
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from pipeline import runner
data_dir, out_dir = sys.argv[2], sys.argv[3]
params = runner.load_params()
for nb_path in runner.discover():
    nb = json.loads(nb_path.read_text())
    declared = runner.parameters_of(nb)
    ns = {}
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        exec(compile(runner._source(cell), str(nb_path), "exec"), ns)
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            ns.update({k: v for k, v in params.items() if k in declared}, data_dir=data_dir, out_dir=out_dir)
"""


def _time(cmd) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - start


def main(repeat: int = 3) -> dict:
    py = sys.executable
    cold, plain, noop = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(repeat):
            out = Path(tmp) / f"run{i}"
            cold.append(_time([py, "-m", "pipeline", "run", "--force", "--out", str(out)]))
            plain.append(_time([py, "-c", PLAIN, str(ROOT), str(ROOT / "data"), str(Path(tmp) / f"plain{i}")]))
        for _ in range(5):
            noop.append(_time([py, "-m", "pipeline", "run", "--out", str(Path(tmp) / "run0")]))
    c, p, n = statistics.median(cold), statistics.median(plain), statistics.median(noop)
    return {
        "benchmark": "reference study: cold `run` (papermill, 2 notebooks at a time, HTML) vs plain calls",
        "cold_run_median_s": round(c, 2),
        "plain_calls_median_s": round(p, 2),
        "ratio": round(c / p, 2),
        "noop_rerun_median_s": round(n, 3),
        "targets": {"ratio_at_most_2": c / p <= 2.0, "noop_under_0.5_s": n < 0.5},
    }


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
