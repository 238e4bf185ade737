"""Issue 22: no deduplication block is ever skipped, sparse copies are grouped, supplement abstracts
stay apart, and a reviewer's overrides are checked before they are used.

The record shapes of the supplement cases are those of ASySD's labelled set (Embase conference
abstracts: a supplement DOI shared by a volume's abstracts, a volume cell cut to '1)', neighbouring
pages); the values are written here.  The set itself is measured in ``benchmarks/bench_dedup_asysd.py``."""

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import cli, examples, tree_digest
from pipeline.search import dedup

COLUMNS = ["record_id", "title", "year", "authors", "doi", "journal", "volume", "issue", "pages", "type"]
LONG = "Virtual mentoring of novice teachers in rural schools: a qualitative study"


def frame(rows):
    return pd.DataFrame([r + [""] * (len(COLUMNS) - len(r)) for r in rows], columns=COLUMNS).assign(source="S")


def groups(df, **kw):
    g = dedup.find_duplicates(df, **kw)
    return sorted(sorted(x) for _, x in g.groupby("group")["record_id"])


@pytest.mark.parametrize("n", [dedup.MAX_BLOCK + 1, 1500])
def test_a_block_larger_than_max_block_is_compared_not_skipped(n):
    df = frame([[f"R{i:05d}", LONG, "2019", "Doe, J", "", "J Ed", "3", "", "10-20"] for i in range(n)])
    assert groups(df) == [sorted(df["record_id"])]


def test_many_records_sharing_one_key_are_still_told_apart():
    """One first author and year for 600 different papers: the big block is compared in title order."""
    titles = [f"Mentoring study number {i} of {word} learners in distance education"
              for i, word in enumerate(["rural", "urban", "adult", "young"] * 150)]
    df = frame([[f"R{i:04d}", t, "2019", "Doe, J"] for i, t in enumerate(titles)])
    df = pd.concat([df, frame([["copy", titles[321], "2019", "Doe, J"]])], ignore_index=True)
    assert groups(df) == [["R0321", "copy"]]


def test_two_identical_sparse_records_are_grouped():
    df = frame([["a", "Peer mentoring online", "2021", "Roe, R"], ["b", "Peer mentoring online", "2021", "Roe, R"]])
    assert groups(df) == [["a", "b"]]


@pytest.mark.parametrize("change", [{"year": "2020"}, {"authors": "Poe, P"}, {"title": "Peer mentoring offline"}])
def test_sparse_records_that_differ_in_anything_they_hold_stay_apart(change):
    a = dict(zip(COLUMNS, ["a", "Peer mentoring online", "2021", "Roe, R"]))
    b = {**a, "record_id": "b", **change}
    df = pd.DataFrame([a, b]).fillna("").assign(source="S")
    assert groups(df) == []


def test_abstracts_of_one_supplement_sharing_its_doi_stay_apart():
    """Neighbouring pages and different author lists under a supplement's DOI: two abstracts."""
    doi = "10.1002/dmrr.2604"
    df = frame([["a", "Effects of incretin on artery lesions in apolipoprotein E-deficient mice", "2014",
                 "Chen R.; Wang Y.; Liang L.", doi, "Diabetes Metab Res Rev", "30", "SUPPL. 3", "51"],
                ["b", "The effects of incretin on artery lesions in apolipoprotein E-deficient mice", "2014",
                 "Chen R.; Wang J.; Yan C.; Wang Y.; Liang L.", doi, "Diabetes Metab Res Rev", "30", "SUPPL. 3", "52"]])
    assert groups(df) == []
    reason = dedup.judge(dedup.prepare(df), __import__("numpy").array([[0, 1]]))["reason"].iloc[0]
    assert "different pages" in reason


def test_a_volume_cut_to_a_parenthesis_says_nothing():
    """Embase writes '38 (Supplement 1)' so that a cell holds '1)': not a volume, not a match."""
    p = dedup.prepare(frame([["a", LONG, "2017", "Doe, J", "", "Eur Heart J", "1)"]]))
    assert p["volume"].tolist() == [""]


def test_one_studys_abstracts_in_two_journals_by_different_authors_stay_apart():
    t = "Comparison of linagliptin sitagliptin and liraglutide effects on survival in experimental sepsis"
    df = frame([["a", t, "2013", "Agdauletova S.; Hausding M.; Schuhmacher S.; Mader M.; Oelze M.",
                 "", "Free Radical Biology and Medicine", "65", "SUPPL. 2", "S67"],
                ["b", t, "2013", "Mader M.; Hausding M.; Kroller-Schon S.; Oelze M.; Steven S.", "",
                 "Journal of Vascular Research", "50", "SUPPL. 1", "45"]])
    assert groups(df) == []


def test_a_translated_journal_name_with_the_same_authors_still_matches():
    t = "A randomized study of small bore catheter thoracostomy versus pleural aspiration in malignant effusions"
    df = frame([["a", t, "2005", "Gou, H.; Hou, M.; Zhu, J.; Qiu, M.", "", "Chinese Journal of Lung Cancer", "8", "",
                 "459"],
                ["b", t, "2005", "Gou, H.; Hou, M.; Zhu, J.; Qiu, M.", "", "Zhongguo Fei Ai Za Zhi", "8", "", "459"]])
    assert groups(df) == [["a", "b"]]


@settings(max_examples=examples(40), deadline=None)
@given(order=st.permutations(list(range(8))), n_copies=st.integers(2, 6))
def test_groups_do_not_depend_on_the_order_of_a_big_block(order, n_copies):
    base = [[f"R{i}", f"Mentoring study {i} of learners in distance education", "2019", "Doe, J"] for i in range(8)]
    rows = base + [[f"C{k}", base[3][1], "2019", "Doe, J"] for k in range(n_copies)]
    df = frame([rows[i] for i in order] + rows[8:])
    old = dedup.MAX_BLOCK
    try:
        dedup.MAX_BLOCK = 3  # every block is "large" here: the sorted neighbourhood is what is tested
        assert groups(df) == [sorted(["R3"] + [f"C{k}" for k in range(n_copies)])]
    finally:
        dedup.MAX_BLOCK = old


# --- raw/dedup_overrides.csv is checked by validate ------------------------------------------------

def _review_with_records(tmp_path):
    review = tmp_path / "review"
    assert cli("init", review).returncode == 0
    from pathlib import Path

    export = Path(__file__).resolve().parents[1] / "data" / "exports" / "scopus.ris"
    res = cli("import-records", export, "--source", "Scopus", "--data", review / "data")
    assert res.returncode == 0, res.stderr
    ids = pd.read_csv(review / "data" / "raw" / "records.csv", dtype=str)["record_id"].tolist()
    return review / "data", ids


@pytest.mark.parametrize("rows,row,expected", [
    ([("{0}", "Rnot-there", "duplicate")], 2, "a record_id of raw/records.csv"),
    ([("{0}", "{0}", "not_duplicate")], 2, "two different records"),
    ([("{0}", "{1}", "duplicate"), ("{1}", "{0}", "duplicate")], 3, "each pair of records once"),
    ([("{0}", "{1}", "duplicate"), ("{1}", "{2}", "duplicate"), ("{2}", "{0}", "not_duplicate")], 4,
     "'duplicate' through rows 2, 3"),
])
def test_overrides_that_name_unknown_records_or_contradict_are_refused_with_their_row(tmp_path, rows, row, expected):
    data, ids = _review_with_records(tmp_path)
    body = "".join(f"{a.format(*ids)},{b.format(*ids)},{d},\n" for a, b, d in rows)
    (data / "raw" / "dedup_overrides.csv").write_text("record_a,record_b,decision,note\n" + body, encoding="utf-8")
    before = tree_digest(data)
    for command in (["validate", "--data", data], ["status", "--data", data]):
        res = cli(*command)
        assert res.returncode == 2, res.stdout + res.stderr
        assert f"dedup_overrides.csv, row {row}" in res.stderr and expected in res.stderr
        assert "Traceback" not in res.stderr
    assert tree_digest(data) == before


def test_consistent_overrides_pass_and_win(tmp_path):
    data, ids = _review_with_records(tmp_path)
    (data / "raw" / "dedup_overrides.csv").write_text(
        f"record_a,record_b,decision,note\n{ids[0]},{ids[1]},duplicate,same trial\n{ids[2]},{ids[3]},not_duplicate,\n",
        encoding="utf-8")
    assert cli("validate", "--data", data).returncode == 0


@settings(max_examples=examples(30), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.tuples(st.sampled_from(["{0}", "{1}", "{2}", "R0", "", "x,y"]),
                                st.sampled_from(["{0}", "{1}", "{3}", "Rzz"]),
                                st.sampled_from(["duplicate", "not_duplicate", "maybe", ""])), max_size=5))
def test_any_overrides_file_exits_0_or_2(tmp_path_factory, cells):
    data, ids = _review_with_records(tmp_path_factory.mktemp("o"))
    body = "".join(f"{a.format(*ids)},{b.format(*ids)},{d},\n" for a, b, d in cells)
    (data / "raw" / "dedup_overrides.csv").write_text("record_a,record_b,decision,note\n" + body, encoding="utf-8")
    before = tree_digest(data)
    res = cli("validate", "--data", data)
    assert res.returncode in (0, 2) and "Traceback" not in res.stderr
    assert tree_digest(data) == before
