"""Issue 6: extending the corpus, incremental runs, what changed, the supplement and its verification."""

import csv
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from pipeline.publish.supplement import build as supplement_build
from pipeline.publish.supplement import verify as supplement_verify
from pipeline.run import cache
from pipeline.run import project

from conftest import run_cli

pytestmark = pytest.mark.slow  # a second round imported, screened, coded, re-run, published and compared

HERE = Path(__file__).resolve().parents[1] / "data"
NEW_RIS = """TY  - JOUR
TI  - Video-based e-mentoring of novice lecturers
AU  - Novak, Petra
PY  - 2023
DO  - 10.5555/new.2023.1
ER  - 

TY  - JOUR
TI  - Mentoring in hospital management
AU  - Quinn, Rob
PY  - 2022
ER  - 
"""


def append_rows(path, rows):
    with open(path, "a", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def set_decisions(path, record_id, decisions):
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for col, value in decisions.items():
        df.loc[df["record_id"] == record_id, col] = value
    df.to_csv(path, index=False, lineterminator="\n")


@pytest.fixture(scope="module")
def extended(tmp_path_factory):
    """The reference data extended by one round: two new records, one included and coded."""
    import shutil

    from conftest import DATA

    root = tmp_path_factory.mktemp("living")
    data, out = root / "data", root / "out"
    shutil.copytree(DATA, data)
    steps = {"cold": run_cli("run", "--data", data, "--out", out)}
    steps["noop"] = run_cli("run", "--data", data, "--out", out)
    steps["param"] = run_cli("run", "--data", data, "--out", out, "-p", "bootstrap_resamples", "200")
    steps["back"] = run_cli("run", "--data", data, "--out", out)
    # Issue 12: an edit re-runs only the notebooks that read the edited file.
    criteria = data / "raw" / "criteria.csv"
    original = criteria.read_bytes()
    criteria.write_text(original.decode("utf-8").replace("English", "English or German", 1), encoding="utf-8")
    steps["criteria"] = run_cli("run", "--data", data, "--out", out)
    criteria.write_bytes(original)
    steps["criteria_back"] = run_cli("run", "--data", data, "--out", out)
    overrides = data / "raw" / "dedup_overrides.csv"  # read by no notebook, still validated
    overrides.write_text("record_a,record_b,decision,note\nR001,R002,maybe,\n", encoding="utf-8")
    steps["unread_bad"] = run_cli("run", "--data", data, "--out", out)
    overrides.unlink()
    steps["unread_gone"] = run_cli("run", "--data", data, "--out", out)
    steps["supplement"] = run_cli("supplement", "--out", root / "s1", "--project", out)
    steps["supplement2"] = run_cli("supplement", "--out", root / "s2", "--project", out)

    ris = root / "new.ris"
    ris.write_text(NEW_RIS, encoding="utf-8")
    steps["import"] = run_cli("import-records", ris, "--source", "ERIC", "--data", data)
    steps["status_after_import"] = run_cli("status", "--data", data)
    steps["run_pending"] = run_cli("run", "--data", data, "--out", root / "pending_out")
    records = pd.read_csv(data / "raw" / "records.csv", dtype=str)
    new_id = records.loc[records["title"].str.startswith("Video"), "record_id"].iloc[0]
    other_id = records.loc[records["title"].str.startswith("Mentoring in hospital"), "record_id"].iloc[0]
    log = data / "raw" / "screening_log.csv"
    set_decisions(log, other_id, {"title": "exclude", "reason": "population"})
    set_decisions(log, new_id, {"title": "include", "abstract": "include", "full_text": "include", "quality": "include"})
    append_rows(data / "raw" / "studies.csv", [["novak2023", new_id, "Novak", "Novak", "2023", "gregorian", "2023",
                                                "en", "Video-based e-mentoring of novice lecturers", "reported", "added in round 2"]])
    steps["status_before_coding"] = run_cli("status", "--data", data)
    append_rows(data / "coded" / "codebook.csv", [["K61", "", "code", "Video conferencing", "S16", "", "", "", "round 2", "reported"]])
    append_rows(data / "coded" / "segments.csv", [
        ["G901", "novak2023", "K61", "p. 4", "mentoring sessions ran over video calls", "coder1", "reported"],
        ["G902", "novak2023", "K13", "p. 5", "pairs agreed on a schedule", "coder1", "reported"]])
    steps["status_done"] = run_cli("status", "--data", data)
    steps["rerun"] = run_cli("run", "--data", data, "--out", out)
    steps["diff"] = run_cli("diff", "--project", out, "--against", root / "s1" / "supplement.zip",
                            "--output", root / "diff.md")
    return {"root": root, "data": data, "out": out, "steps": steps, "new_id": new_id}


def test_runs_are_incremental(extended):
    s = extended["steps"]
    for key in ("cold", "noop", "param", "back"):
        assert s[key].returncode == 0, s[key].stderr
    n = len(project.discover(project.NOTEBOOK_DIR))
    assert s["cold"].stdout.count(" s\n") == n
    assert s["noop"].stdout.count("skipped (unchanged)") == n
    ran = [line.split()[1] for line in s["param"].stdout.splitlines() if line.startswith("[") and "skipped" not in line]
    assert ran == ["04_reliability"]
    assert s["back"].stdout.count("skipped (unchanged)") == n - 1


def _ran(step) -> set[str]:
    return {line.split()[1] for line in step.stdout.splitlines() if line.startswith("[") and "skipped" not in line}


def test_an_edit_reruns_only_the_notebooks_that_read_the_edited_file(extended):
    """Issue 12: each notebook's key covers the files it read in its last run (recorded in run.json)."""
    s = extended["steps"]
    assert s["criteria"].returncode == 0, s["criteria"].stderr
    assert _ran(s["criteria"]) == {"01_screening", "06_languages"}  # Table 1, in English and in Persian
    assert _ran(s["criteria_back"]) == {"01_screening", "06_languages"}
    record = cache.read_run_record(extended["out"])
    assert "raw/criteria.csv" in record["notebooks"]["01_screening"]["reads"]
    assert "raw/criteria.csv" not in record["notebooks"]["02_code_extraction"]["reads"]
    assert all("*" not in nb["reads"] for nb in record["notebooks"].values())  # every kernel took the runner's inputs


def test_a_bad_file_that_no_notebook_reads_is_still_refused(extended):
    s = extended["steps"]
    assert s["unread_bad"].returncode == 2 and "dedup_overrides.csv" in s["unread_bad"].stderr
    assert "Traceback" not in s["unread_bad"].stderr and "maybe" in s["unread_bad"].stderr
    assert s["unread_gone"].returncode == 0 and _ran(s["unread_gone"]) == set()


def test_supplement_is_reproducible_and_complete(extended):
    s = extended["steps"]
    assert s["supplement"].returncode == 0, s["supplement"].stderr
    one = (extended["root"] / "s1" / "supplement.zip").read_bytes()
    assert one == (extended["root"] / "s2" / "supplement.zip").read_bytes()
    with zipfile.ZipFile(extended["root"] / "s1" / "supplement.zip") as z:
        names = set(z.namelist())
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in z.infolist())
    for needed in ("README.md", "MANIFEST.sha256", "provenance.json", "CITATION.cff", ".zenodo.json", "ENTREQ.md",
                   "params.yml", "requirements.lock", "environment.yml", "tables/prisma2020.csv",
                   "tables/codebook.qdc", "reports/04_reliability.html", "reports/04_reliability.ipynb",
                   "figures/paradigm_model.svg", "data/raw/screening_log.csv", "data/coded/codebook.csv"):
        assert f"supplement/{needed}" in names, needed
    prov = supplement_verify.read_supplement(extended["root"] / "s1" / "supplement.zip")["provenance.json"].decode()
    assert '"figures/prisma_flow.svg"' in prov and '"cell_id": "01-10"' in prov and '"dirty_tree"' in prov
    entreq = (extended["root"] / "s1" / "supplement" / "ENTREQ.md").read_text()
    assert entreq.count("\n| ") == 22 and "FOR THE AUTHORS" in entreq and "Magiran" in entreq


def test_verify_catches_one_changed_byte_and_a_tampered_manifest(extended, tmp_path):
    import shutil

    folder = tmp_path / "supplement"
    shutil.copytree(extended["root"] / "s1" / "supplement", folder)
    ok = run_cli("verify", folder)
    assert ok.returncode == 0, ok.stderr
    target = folder / "tables" / "screening_flow.csv"
    data = bytearray(target.read_bytes())
    data[-2] = ord("9") if data[-2] != ord("9") else ord("8")
    target.write_bytes(bytes(data))
    (folder / "extra.txt").write_text("x")
    bad = run_cli("verify", folder)
    assert bad.returncode == 2 and "changed: tables/screening_flow.csv" in bad.stderr and "extra: extra.txt" in bad.stderr
    manifest = folder / "MANIFEST.sha256"
    manifest.write_text(manifest.read_text().replace("  ", " ", 1))
    tampered = run_cli("verify", folder)
    assert tampered.returncode == 2 and "MANIFEST.sha256" in tampered.stderr and "Traceback" not in tampered.stderr
    assert run_cli("verify", tmp_path / "nothing-here").returncode == 2


def test_interrupted_build_leaves_no_zip(extended, tmp_path, monkeypatch):
    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(supplement_build.zipfile.ZipFile, "writestr", boom)
    with pytest.raises(KeyboardInterrupt):
        supplement_build.build(tmp_path, project=extended["out"])
    assert not (tmp_path / "supplement.zip").exists() and not (tmp_path / "supplement").exists()
    assert not list(tmp_path.glob(".supplement-*"))


def test_extending_the_corpus_is_visible(extended):
    s = extended["steps"]
    assert s["import"].returncode == 0, s["import"].stderr
    assert "added 2" in s["import"].stdout and "round 2" in s["import"].stdout
    assert "screen 2 records at title" in s["status_after_import"].stdout
    assert s["run_pending"].returncode == 0, s["run_pending"].stderr
    assert "warning: 2 records still wait for a screening decision" in s["run_pending"].stdout
    assert "describe" not in s["status_before_coding"].stdout and "novak2023" in s["status_before_coding"].stdout
    assert "code 1 study:" in s["status_before_coding"].stdout
    # Screened, described and coded: what is left is the reviewers' GRADE-CERQual judgement (issue 25).
    done = s["status_done"].stdout.split("\nfa:")[0]
    assert "To do:\n  assess confidence in 7 findings (GRADE-CERQual)" in done
    assert not any(word in done for word in ("screen ", "describe", "code 1", "paradigm role"))
    assert s["rerun"].returncode == 0, s["rerun"].stderr
    out = extended["out"]
    flow = pd.read_csv(out / "tables" / "screening_flow.csv")
    assert flow.iloc[0].tolist() == ["title", 89, 50, 39] and flow.iloc[-1]["records_out"] == 13
    n = dict(pd.read_csv(out / "tables" / "prisma2020.csv", dtype=str, keep_default_na=False)[["data", "n"]].values)
    assert (n["previous_studies"], n["new_studies"], n["total_studies"], n["database_results"]) == ("12", "1", "13", "2")
    assert n["database_specific_results"] == "ERIC, 2"


def test_diff_report_names_every_change(extended):
    s = extended["steps"]
    assert s["diff"].returncode == 0, s["diff"].stderr
    report = (extended["root"] / "diff.md").read_text()
    assert "| title.records_in | 87 | 89 |" in report
    assert "- added: novak2023" in report
    assert "- added: Video conferencing (Technological tools and communication methods > Email)" in report
    assert "Technological tools and communication methods: 3 → 4 supporting studies; gained novak2023" in report
    assert "Mentoring planning and management: 10 → 11" in report
    assert "Core category" not in report


def test_diff_against_itself_and_against_nonsense(extended, tmp_path):
    res = run_cli("diff", "--project", extended["out"], "--against", extended["root"] / "s1" / "supplement.zip",
                  "--output", tmp_path / "d.md")
    assert res.returncode == 0
    same = run_cli("supplement", "--out", tmp_path / "now", "--project", extended["out"])
    assert same.returncode == 0, same.stderr
    res = run_cli("diff", "--project", extended["out"], "--against", tmp_path / "now" / "supplement",
                  "--output", tmp_path / "d2.md")
    assert "No changes" in (tmp_path / "d2.md").read_text()
    bad = run_cli("diff", "--project", extended["out"], "--against", tmp_path, "--output", tmp_path / "d3.md")
    assert bad.returncode == 2 and "supplement" in bad.stderr
    bad = run_cli("diff", "--project", extended["out"], "--against", "no-such-ref", "--output", tmp_path / "d4.md")
    assert bad.returncode == 2 and "git revision" in bad.stderr
