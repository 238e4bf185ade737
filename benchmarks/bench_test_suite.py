"""``make test`` against one ``pipeline run --force`` of the reference study (issue 21's target: at most 6×).

Both run as fresh processes from the repository's root, alternating, so the ratio is measured in
one session on a machine that may be busy; reported as the median of the per-pair ratios, with the
median seconds of each.  The test command is the one ``make test`` runs (pytest on two workers,
``-m "not slow"``), without make's own start-up (about 2 s of finding Python).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _seconds(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - start


def main(pairs: int = 3) -> dict:
    py = sys.executable
    test = [py, "-m", "pytest", "-p", "no:cacheprovider", "-n", "2", "--dist", "loadfile", "-q", "-m", "not slow"]  # as make test
    tests, runs, ratios = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        run = [py, "-m", "pipeline", "run", "--force", "--out", str(Path(tmp) / "out")]
        _seconds(run)  # warm the file cache and leave each notebook's seconds, as any earlier run does
        for i in range(pairs):
            order = [("test", test), ("run", run)] if i % 2 == 0 else [("run", run), ("test", test)]
            got = {name: _seconds(cmd) for name, cmd in order}
            tests.append(got["test"])
            runs.append(got["run"])
            ratios.append(got["test"] / got["run"])
    return {"benchmark": "make test (quick suite, 2 workers) / pipeline run --force, reference study",
            "pairs": pairs, "test_median_s": round(statistics.median(tests), 1),
            "run_median_s": round(statistics.median(runs), 2), "ratio_median": round(statistics.median(ratios), 2),
            "target": "ratio <= 6"}


if __name__ == "__main__":
    print(main())
