"""A full run on the reference study: the outputs the article needs, byte for byte."""

import pandas as pd
import pytest

from conftest import ROOT, run_cli, tree_digest


def test_run_succeeds_with_a_progress_line_per_notebook(reference_run):
    res = reference_run["result"]
    assert res.returncode == 0, res.stderr
    lines = [line for line in res.stdout.splitlines() if line.startswith("[")]  # in order, whatever finishes first
    assert [line.split()[:2] for line in lines] == [
        ["[1/6]", "01_screening"], ["[2/6]", "02_code_extraction"], ["[3/6]", "03_category_aggregation"],
        ["[4/6]", "04_reliability"], ["[5/6]", "05_reproduction_check"], ["[6/6]", "06_languages"]]
    assert all(line.rstrip().endswith(" s") for line in lines)


def test_screening_flow_is_counted_from_the_log(reference_run):
    flow = pd.read_csv(reference_run["out"] / "tables" / "screening_flow.csv")
    assert list(flow.columns) == ["stage", "records_in", "excluded", "records_out"]
    assert flow.values.tolist() == [
        ["title", 87, 49, 38], ["abstract", 38, 19, 19], ["full_text", 19, 5, 14], ["quality", 14, 2, 12]]


def test_every_reported_claim_is_matched_or_explained(reference_run):
    check = pd.read_csv(reference_run["out"] / "tables" / "reproduction_check.csv", keep_default_na=False)
    assert list(check.columns[:5]) == ["claim", "reported", "computed", "status", "basis"]
    assert set(check["status"]) <= {"match", "not_derivable"}
    assert (check.loc[check["status"] == "not_derivable", "note"] != "").all()
    assert len(check) >= 30
    core = check[check["claim"].str.startswith("Core category")].iloc[0]
    assert core["computed"] == "Mentoring planning and management" and core["basis"] == "reconstructed"
    percent = check[check["claim"] == "Test-retest reliability (%)"].iloc[0]
    assert percent["computed"] == "86.7"


def test_article_tables_and_figures_exist_in_every_format(reference_run):
    out = reference_run["out"]
    for stem in ("table1_criteria", "table2_reliability", "table3_categories"):
        for ext in ("csv", "md", "tex"):
            assert (out / "tables" / f"{stem}.{ext}").stat().st_size > 0
    assert "\\toprule" in (out / "tables" / "table3_categories.tex").read_text()
    for stem in ("prisma_flow", "paradigm_model"):
        for ext in ("svg", "pdf", "png"):
            assert (out / "figures" / f"{stem}.{ext}").stat().st_size > 0
    for nb in ("01_screening", "05_reproduction_check"):
        assert (out / "reports" / f"{nb}.html").exists() and (out / "reports" / f"{nb}.ipynb").exists()


def test_png_is_300_dpi(reference_run):
    from PIL import Image

    with Image.open(reference_run["out"] / "figures" / "prisma_flow.png") as img:
        assert round(img.info["dpi"][0]) == 300


@pytest.mark.parametrize("folder", ["figures", "tables"])
def test_fresh_run_reproduces_committed_outputs_byte_for_byte(reference_run, folder):
    committed = tree_digest(ROOT / folder)
    fresh = tree_digest(reference_run["out"] / folder)
    assert fresh == committed, "outputs differ from the committed ones: run `make` and commit, or find the nondeterminism"


def test_run_leaves_data_unchanged(reference_run):
    assert reference_run["data_after"] == reference_run["data_before"]


def test_executed_notebooks_are_normalized(reference_run):
    text = (reference_run["out"] / "reports" / "04_reliability.ipynb").read_text()
    assert "start_time" not in text and "iopub" not in text and ".run-staging" not in text


@pytest.mark.slow
def test_executed_notebooks_carry_no_folder_of_this_machine(reference_run, tmp_path):
    """Issue 11: the same data give the same executed notebooks in any folder (and publish no home folder).
    Issue 12: also when one kept kernel runs all six in turn (the reference run had two)."""
    other = tmp_path / "somewhere" / "else"
    res = run_cli("run", "--out", other, "--jobs", "1")
    assert res.returncode == 0, res.stderr
    for folder in ("figures", "tables"):
        assert tree_digest(other / folder) == tree_digest(reference_run["out"] / folder)
    for nb in sorted((reference_run["out"] / "reports").glob("0*")):
        text = nb.read_text(encoding="utf-8")
        assert str(reference_run["out"]) not in text and str(ROOT) not in text, nb.name
        assert (other / "reports" / nb.name).read_text(encoding="utf-8") == text, nb.name
