"""Issue 22: an incremental run re-runs what a changed file of the package changes, and only that:
the translations, fonts, schemas and templates the notebooks use are recorded like the data they read."""

import json
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow  # three runs of the analysis in a copy of the tool


def run(root):
    res = subprocess.run([sys.executable, "-m", "pipeline", "run"], cwd=root, capture_output=True, text=True,
                         timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]
    return {line.split()[1] for line in res.stdout.splitlines() if line.startswith("[") and "skipped" not in line}


def test_an_edited_translation_reruns_the_notebooks_that_use_it(tmp_path):
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.splitlines()
    for rel in files:
        if (ROOT / rel).is_file() and rel.split("/")[0] in ("pipeline", "notebooks", "data", "params.yml",
                                                             "requirements.lock", "tool.mk"):
            (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, tmp_path / rel)
    assert len(run(tmp_path)) == 6
    reads = json.loads((tmp_path / "reports" / "run.json").read_text())["notebooks"]
    assert "pipeline:translations/fa.yml" in reads["06_languages"]["reads"]
    assert "pipeline:screening/PRISMA2020_template.csv" in reads["01_screening"]["reads"]
    fa = tmp_path / "pipeline" / "translations" / "fa.yml"
    fa.write_text(fa.read_text(encoding="utf-8").replace("پیامدها", "پیامد", 1), encoding="utf-8")
    assert run(tmp_path) == {"06_languages"}  # the only notebook that draws in Persian
    en = tmp_path / "pipeline" / "translations" / "en.yml"
    en.write_text(en.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    assert run(tmp_path) == {name for name, r in reads.items() if "pipeline:translations/en.yml" in r["reads"]}
