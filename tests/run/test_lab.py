"""Issue 22: `make lab` works as root and shows the executed reports; a notebook run by hand writes into a
scratch folder, never into the committed outputs."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow  # a Jupyter server and a kernel


@pytest.fixture
def copy(tmp_path):
    """The tool and the reference study in a folder of their own, with a run's reports."""
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.splitlines()
    for rel in files:
        if (ROOT / rel).is_file() and not rel.startswith(("tests/", "benchmarks/", "docs/")):
            (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, tmp_path / rel)
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "01_screening.ipynb").write_text("{}")
    return tmp_path


def test_a_notebook_run_by_hand_writes_into_lab_output_not_the_committed_outputs(copy):
    before = sorted(p.name for p in (copy / "tables").iterdir())
    res = subprocess.run([sys.executable, "-m", "papermill", "05_reproduction_check.ipynb", "/dev/null"],
                         cwd=copy / "notebooks", capture_output=True, text=True, timeout=300,
                         env={**os.environ, "PYTHONPATH": str(copy)})
    assert res.returncode == 0, res.stderr[-2000:]
    assert (copy / "lab-output" / "tables" / "reproduction_check.csv").exists()
    assert sorted(p.name for p in (copy / "tables").iterdir()) == before
    assert "lab-output/" in (ROOT / ".gitignore").read_text()


def test_make_lab_starts_as_root_and_shows_notebooks_and_reports(copy):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    venv = os.path.dirname(os.path.dirname(sys.executable))
    stamp = f"{venv}-ready-{sys.version_info[0]}.{sys.version_info[1]}"
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    cmd = ["make", "lab", f"VENV={venv}", f"PYTHON={sys.executable}", "-o", stamp]
    # the server's own options, after make's: no browser, a free port, no token for this test
    env["JUPYTER_CONFIG_DIR"] = str(copy / ".jupyter-test")
    (copy / ".jupyter-test").mkdir()
    (copy / ".jupyter-test" / "jupyter_server_config.json").write_text(json.dumps(
        {"ServerApp": {"port": port, "open_browser": False, "token": "", "password": ""},
         "IdentityProvider": {"token": ""}}))
    proc = subprocess.Popen(cmd, cwd=copy, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        listing = None
        for _ in range(120):
            time.sleep(0.5)
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents", timeout=2) as r:
                    listing = json.load(r)
                break
            except OSError:
                if proc.poll() is not None:
                    break
        assert listing is not None, proc.stdout.read() if proc.poll() is not None else "no answer"
        names = {item["name"] for item in listing["content"]}
        assert {"notebooks", "reports", "figures", "tables"} <= names
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
