"""QualCoder's source, for running its own REFI-QDA importer and exporter headless (tests/qualcoder_harness.py).

QualCoder is not on the package index and is LGPL: its source is never copied into this repository or
the package, only into a cache, ``~/.cache/qes-pipeline/qualcoder/<commit>/src``, at a pinned commit.
It comes from ``QUALCODER_SRC`` (a folder holding ``qualcoder/``), else the cache, else a ``git`` clone
of ``QUALCODER_GIT`` (a local clone or mirror) or of GitHub; where none can be had the tests skip and
say so.  The Python with PyQt6 that runs it is ``.venv-qualcoder`` (``make test-all`` builds it from
``tests/requirements-qualcoder.lock``; ``QUALCODER_PYTHON`` points at it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

COMMIT = "c3204641e0a997c08219d2377eb5736cd94504bc"  # ccbogel/QualCoder, 2026-08-22
REPOSITORY = "https://github.com/ccbogel/QualCoder"
CACHE = Path(os.environ.get("QES_CACHE", Path.home() / ".cache" / "qes-pipeline")) / "qualcoder" / COMMIT


def source() -> tuple[Path | None, str]:
    """QualCoder's ``src`` folder at the pinned commit, or None and why not."""
    given = os.environ.get("QUALCODER_SRC")
    if given:
        return (Path(given), "") if (Path(given) / "qualcoder" / "refi.py").is_file() else \
            (None, f"QUALCODER_SRC={given} holds no qualcoder/refi.py")
    if (CACHE / "src" / "qualcoder" / "refi.py").is_file():
        return CACHE / "src", ""
    origin = os.environ.get("QUALCODER_GIT", REPOSITORY)
    with tempfile.TemporaryDirectory() as tmp:
        try:
            subprocess.run(["git", "clone", "--quiet", "--no-checkout", origin, tmp], check=True, timeout=300,
                           capture_output=True, env={**os.environ, "GIT_TERMINAL_PROMPT": "0"})
            archive = subprocess.run(["git", "-C", tmp, "archive", COMMIT, "src"], check=True, timeout=120,
                                     capture_output=True).stdout
        except (OSError, subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            return None, f"QualCoder's source at {COMMIT[:8]} could not be fetched from {origin} ({type(exc).__name__})"
        staging = CACHE.with_name(CACHE.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        subprocess.run(["tar", "-x", "-C", str(staging)], input=archive, check=True)
        shutil.rmtree(CACHE, ignore_errors=True)
        staging.rename(CACHE)
    return CACHE / "src", ""
