"""``reliability`` on 1,000,000 units × 2 coders: wall time and peak memory of the whole command.

Issue 11's targets: ≤ 10 s without bootstrap; with ``--bootstrap 1000`` it finishes within 2 GiB
(Cohen's kappa resamples units in chunks; alpha's resamples are multinomial draws over the
coincidence cells).  Each case runs the command in a fresh process (``python -m pipeline
reliability FILE``), as a user would, ``repeat`` times; the median wall time and the largest peak
resident set size are reported.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
UNITS = 1_000_000


def make_file(folder: Path, seed: int = 0) -> Path:
    """Two coders who agree on about 84% of units, five nominal codes."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 5, UNITS)
    other = np.where(rng.random(UNITS) < 0.8, truth, rng.integers(0, 5, UNITS))
    path = folder / "million.csv"
    pd.DataFrame({"unit": np.arange(UNITS), "coder1": truth, "coder2": other}).to_csv(path, index=False)
    return path


def run(args: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one command in a child process."""
    code = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
            "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
            "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, sys.executable, "-m", "pipeline", "reliability", *args],
                         check=True, capture_output=True, text=True, cwd=ROOT).stdout.split()
    return float(out[0]), int(out[1])


def main(repeat: int = 3) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = make_file(Path(tmp))
        plain = [run([str(path)]) for _ in range(repeat)]
        boot = [run([str(path), "--bootstrap", "1000"])]
    wall = statistics.median(t for t, _ in plain)
    peak = max(m for _, m in plain) / 2**20
    boot_wall, boot_peak = boot[0][0], boot[0][1] / 2**20
    return {
        "benchmark": "reliability command, 1,000,000 units x 2 coders, nominal",
        "median_wall_s": round(wall, 2), "runs": repeat, "peak_rss_gib": round(peak, 2),
        "bootstrap_1000_wall_s": round(boot_wall, 1), "bootstrap_1000_peak_rss_gib": round(boot_peak, 2),
        "targets": {"under_10_s": wall <= 10, "bootstrap_under_2_gib": boot_peak < 2},
    }


if __name__ == "__main__":
    import json

    print(json.dumps(main(), indent=2))
