"""``screen``: decisions into the log from a spreadsheet or the command line, refused whole when any is wrong."""

import csv
import shutil

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import DATA, cli, examples, tree_digest


def write_csv(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


@pytest.fixture
def screened(tmp_path):
    """A copy of the reference data with two records back to pending, ready for `screen`."""
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    return data


def screen(data, *rows, name="d.csv"):
    path = data.parent / name
    write_csv(path, [["record_id", "stage", "decision", "reason"], *rows])
    return cli("screen", path, "--data", data)


@pytest.mark.parametrize("rows, words", [
    ([["R999", "title", "include", ""]], ["d.csv", "row 2", "'record_id'", "R999"]),
    ([["R013", "screening", "include", ""]], ["row 2", "'stage'", "a stage"]),
    ([["R013", "title", "perhaps", ""]], ["row 2", "'decision'", "include, exclude or pending"]),
    ([["R013", "title", "exclude", ""]], ["row 2", "'reason'", "a reason for an exclusion"]),
    ([["R013", "title", "exclude", "no_such"]], ["row 2", "'reason'", "no_such"]),
    ([["R013", "full_text", "include", ""]], ["d.csv", "not passed on"]),
    ([["R001", "title", "exclude", "not_reported"]], ["d.csv", "coded segments"]),
])
def test_screen_refuses_bad_decisions_naming_file_row_and_column(screened, rows, words):
    before = tree_digest(screened)
    res = screen(screened, *rows)
    assert res.returncode == 2, res.stdout + res.stderr
    assert "Traceback" not in res.stderr
    for w in words:
        assert w in res.stderr, (w, res.stderr)
    assert tree_digest(screened) == before


def test_screen_refuses_files_it_cannot_read(screened, tmp_path):
    before = tree_digest(screened)
    (tmp_path / "bad.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    (tmp_path / "nocols.csv").write_text("a,b\n1,2\n")
    for args in (["nowhere.csv"], [tmp_path / "bad.xlsx"], [tmp_path / "nocols.csv"], [],
                 ["--stage", "title"], ["--include", "R013"], [tmp_path / "nocols.csv", "--stage", "title",
                                                               "--include", "R013"]):
        res = cli("screen", *args, "--data", screened)
        assert res.returncode == 2 and "Traceback" not in res.stderr, (args, res.stderr)
    assert tree_digest(screened) == before


def test_screen_moves_a_record_on_and_back_without_touching_anything_else(screened):
    log0 = pd.read_csv(screened / "raw" / "screening_log.csv", dtype=str, keep_default_na=False)
    res = cli("screen", "--stage", "title", "--exclude", "R040", "--reason", "not_reported", "--data", screened)
    assert res.returncode == 0, res.stderr
    log1 = pd.read_csv(screened / "raw" / "screening_log.csv", dtype=str, keep_default_na=False)
    changed = (log0 != log1).any(axis=1)
    assert log1.loc[changed, "record_id"].tolist() in ([], ["R040"])
    row = log1[log1["record_id"] == "R040"].iloc[0]
    assert (row["title"], row["abstract"], row["reason"]) == ("exclude", "", "not_reported")


@settings(max_examples=examples(12), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(st.sampled_from(["R001", "R013", "R050", "R087", "X", ""]),
                               st.sampled_from(["title", "abstract", "retrieval", "full_text", "quality", "x", ""]),
                               st.sampled_from(["include", "exclude", "pending", "yes", "0", "", "?"]),
                               st.sampled_from(["", "not_reported", "not_retrieved", "bogus"])), max_size=5))
def test_screen_on_any_decisions_exits_0_or_2_and_leaves_data_alone_on_refusal(screened, rows):
    before = tree_digest(screened)
    res = screen(screened, *[list(r) for r in rows])
    assert res.returncode in (0, 2) and "Traceback" not in res.stderr, res.stderr
    if res.returncode == 2:
        assert tree_digest(screened) == before
    else:
        from pipeline import inputs as inputs_mod

        inputs_mod.load_inputs(screened)


def test_a_decision_at_a_stage_not_reached_is_located_in_the_reviewers_file(screened):
    """Issue 22: it named screening_log.csv's row; the reviewer's sheet is where the mistake is."""
    res = screen(screened, ["R013", "title", "include", ""], ["R013", "abstract", "exclude", "not_reported"],
                 ["R013", "full_text", "include", ""])
    assert res.returncode == 2 and "d.csv, row 4, column 'stage'" in res.stderr and "not passed on at 'abstract'" in res.stderr


def test_a_stage_the_review_does_not_use_is_refused_naming_the_stages_it_uses(screened):
    res = screen(screened, ["R013", "retrieval", "include", ""])
    assert res.returncode == 2 and "title, abstract, full_text, quality" in res.stderr and "row 2" in res.stderr
