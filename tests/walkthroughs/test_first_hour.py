"""Issue 22: the first hour of a new review, from a fresh shell, on real exports.

`pipeline init` (the console script), one import of three real exports (Web of Science plain text,
Scopus RIS, PubMed MEDLINE), a run with every record still pending, `status` naming the screening to
do, `supplement` refused until `--draft`, and a draft that names no folder of this machine."""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT, run_cli

pytestmark = pytest.mark.slow  # a review from init to a draft supplement, each step a fresh process

EXPORTS = ROOT / "tests" / "data" / "exports"
FILES = [EXPORTS / "wos_savedrecs.txt", EXPORTS / "scopus.ris", EXPORTS / "pubmed-bluelight.nbib"]  # 12 + 6 + 8


@pytest.fixture(scope="module")
def hour(tmp_path_factory):
    root = tmp_path_factory.mktemp("first-hour") / "my-review"
    console = Path(sys.executable).parent / "pipeline"  # what `make` installs: .venv/bin/pipeline
    steps = {"init": subprocess.run([str(console), "init", str(root), "--title", "A first review"],
                                    capture_output=True, text=True, timeout=300)}
    steps["import"] = run_cli("import-records", *FILES, cwd=root)  # absolute paths, as from a Downloads folder
    steps["run"] = run_cli("run", cwd=root)
    steps["status"] = run_cli("status", cwd=root)
    steps["supplement"] = run_cli("supplement", cwd=root)
    steps["draft"] = run_cli("supplement", "--draft", cwd=root)
    steps["verify"] = run_cli("verify", root / "supplement-draft.zip", cwd=root)
    return {"root": root, "steps": steps}


def test_every_step_runs_and_a_finished_supplement_is_refused(hour):
    s = hour["steps"]
    for name in ("init", "import", "run", "status", "draft", "verify"):
        assert s[name].returncode == 0, (name, s[name].stdout + s[name].stderr)
    assert "read 26 records" in s["import"].stdout
    refused = s["supplement"]
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    for words in ("26 records await a screening decision", "no author is given", "no licence", "--draft"):
        assert words in refused.stderr, (words, refused.stderr)
    assert not (hour["root"] / "supplement.zip").exists()


def test_a_run_with_every_record_pending_adds_up_and_is_marked_as_a_draft(hour):
    root = hour["root"]
    assert "26 records still wait for a screening decision" in hour["steps"]["run"].stdout
    from pipeline.inputs import load_inputs
    from pipeline.screening import prisma

    inp = load_inputs(root / "data")
    counts = prisma.counts(inp.screening_log, inp.exclusion_reasons, inp.records)
    prisma.check(counts)  # every box adds up
    assert (counts["records_screened"], counts["pending_screening"], counts["dbr_sought_reports"]) == (26, 26, 0)
    flow = (root / "tables" / "screening_flow.md").read_text(encoding="utf-8")
    assert flow.startswith("**DRAFT: 26 records await a screening decision")
    assert "\\caption{DRAFT: 26 records" in (root / "tables" / "screening_flow.tex").read_text(encoding="utf-8")
    executed = (root / "reports" / "01_screening.ipynb").read_text(encoding="utf-8")
    assert "the figures and tables below are marked as a draft" in executed


def test_status_names_the_screening_to_do_first(hour):
    out = hour["steps"]["status"].stdout
    assert "26 records, stages title → abstract → full_text" in out
    line = next(line for line in out.splitlines() if line.strip().startswith("screen"))
    assert line.strip().startswith("screen 26 records at title: ") and line.count(",") == 19 and "and 6 more" in line


def test_the_draft_supplement_says_so_and_names_no_folder_of_this_machine(hour):
    folder = hour["root"] / "supplement-draft"
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert "DRAFT: this review is not finished" in index
    assert "Authors not given yet" in (folder / "CITATION.cff").read_text(encoding="utf-8")
    provenance = json.loads((folder / "provenance.json").read_text(encoding="utf-8"))
    assert provenance["git"].startswith("not a git repository") and provenance["dirty_tree"] is None
    log = pd.read_csv(folder / "data" / "raw" / "import_log.csv", dtype=str)
    assert set(log["file"]) == {f"{f.name} (sha256 {__import__('hashlib').sha256(f.read_bytes()).hexdigest()[:12]})"
                                for f in FILES}
    machine = {str(Path.home()), str(hour["root"]), str(ROOT), tempfile.gettempdir() + "/"}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            found = [m for m in machine if m.encode() in data]
            assert not found, (path.relative_to(folder), found)
