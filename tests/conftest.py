import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


def run_cli(*args, cwd=ROOT):
    """``python -m pipeline …`` in a subprocess, as a researcher runs it."""
    return subprocess.run([sys.executable, "-m", "pipeline", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=900)


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
    """One full run of the pipeline on the reference data, shared by the end-to-end tests."""
    out = tmp_path_factory.mktemp("run")
    before = tree_digest(DATA)
    result = run_cli("run", "--out", out)
    return {"out": out, "result": result, "data_before": before, "data_after": tree_digest(DATA)}
