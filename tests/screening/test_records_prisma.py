"""Issue 3: importing exports, deduplication, reviewers, CASP, PRISMA 2020 counts and CSV."""

from pathlib import Path

import pandas as pd
import pytest

from pipeline import inputs as inputs_mod
from pipeline.publish import figures
from pipeline.screening import appraisal
from pipeline.screening import prisma
from pipeline.screening import reviews
from pipeline.search import records
from pipeline.search.readers import base
from pipeline.errors import InputError

from conftest import DATA, cli, tree_digest

HERE = Path(__file__).resolve().parents[1] / "data"


@pytest.mark.parametrize("name,n", [("endnote_style.ris", 2), ("pubmed.nbib", 2), ("asreview_export.csv", 2),
                                    ("rayyan.csv", 1), ("covidence.csv", 1)])
def test_readers_normalize_every_format(name, n):
    df = records.read_export(HERE / name, "X")
    assert len(df) == n and list(df.columns) == records.RECORD_COLUMNS
    assert (df["title"] != "").all() and df["record_id"].str.match(r"^R[0-9a-f]{10}$").all()


def test_ris_keeps_non_latin_text_and_normalizes_doi():
    df = records.read_export(HERE / "endnote_style.ris", "X")
    assert df["title"].iloc[1] == "Электронное наставничество в университете"
    assert df["doi"].iloc[1] == "10.5555/xyz.1" and df["year"].tolist() == ["2014", "2009"]
    assert "second line" in df["abstract"].iloc[0]


def test_asreview_and_rayyan_labels():
    assert records.read_export(HERE / "asreview_export.csv", "X")["label"].tolist() == ["1", "0"]
    assert records.read_export(HERE / "rayyan.csv", "X")["label"].tolist() == ["1"]


def test_record_ids_are_stable():
    a = records.read_export(HERE / "pubmed.nbib", "PubMed")["record_id"].tolist()
    assert records.read_export(HERE / "pubmed.nbib", "PubMed")["record_id"].tolist() == a


@pytest.mark.parametrize("content,titles,note", [
    ("TY  - JOUR\nTI  - no end\n", ["no end"], None),
    ("TY  - JOUR\nTI  - a\nTY  - JOUR\nTI  - b\nER  - \n", ["a", "b"], "closed at the next"),
    ("Some header text\nTY  - JOUR\nTI  - c\nER  - \n", ["c"], "outside any record ignored"),
])
def test_faulty_ris_is_read_leniently_and_reported(tmp_path, content, titles, note):
    """A missing 'ER' or a banner never refuses the file: the records come through and the fault is reported."""
    f = tmp_path / "faulty.ris"
    f.write_text(content)
    report = base.Report()
    assert records.read_export(f, "X", report=report)["title"].tolist() == titles
    if note:
        assert report.frame()["detail"].str.contains(note).any()


def test_export_without_title_column_is_refused(tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("name,year\na,2020\n")
    with pytest.raises(InputError, match="title column"):
        records.read_export(f, "X")


def test_import_command_appends_only_what_is_new_and_updates_the_flow(data_copy, tmp_path):
    res = cli("import-records", HERE / "endnote_style.ris", HERE / "pubmed.nbib", "--source", "ERIC",
                  "--data", data_copy)
    assert res.returncode == 0, res.stderr
    assert "read 4 records" in res.stdout and "added 4" in res.stdout and "round 2" in res.stdout
    res = cli("import-records", HERE / "asreview_export.csv", "--source", "Scopus", "--data", data_copy)
    assert "added 1" in res.stdout and "flagged 1 as duplicates" in res.stdout  # same title, year and author
    res = cli("import-records", HERE / "pubmed.nbib", "--source", "ERIC", "--data", data_copy)
    assert "2 already in the corpus" in res.stdout and "added 0" in res.stdout
    inp = inputs_mod.load_inputs(data_copy)
    assert len(inp.screening_log) == 87 + 5
    review = pd.read_csv(data_copy / "raw" / "duplicates.csv")
    assert review["kept"].sum() == 1 and (~review["kept"]).sum() == 1
    c = prisma.counts(inp.screening_log, inp.exclusion_reasons, inp.records)
    assert c["round"] == 2 and c["previous_studies"] == 12 and c["duplicates"] == 1
    assert c["database_results"] == 6 and c["database_specific_results"] == {"ERIC": 4, "Scopus": 2}
    assert c["pending"] == 5


def test_failed_import_changes_nothing(data_copy, tmp_path):
    bad = tmp_path / "bad.ris"
    bad.write_bytes(b"\x00\x01\x02binary\xff\xfe" * 50)
    before = tree_digest(data_copy)
    res = cli("import-records", HERE / "pubmed.nbib", bad, "--source", "ERIC", "--data", data_copy)
    assert res.returncode == 2 and "bad.ris" in res.stderr and "Traceback" not in res.stderr
    assert tree_digest(data_copy) == before


def test_reference_prisma_counts_and_identities():
    inp = inputs_mod.load_inputs(DATA)
    c = prisma.counts(inp.screening_log, inp.exclusion_reasons, inp.records)
    prisma.check(c)
    assert (c["database_results"], c["records_screened"], c["records_excluded"], c["dbr_sought_reports"],
            c["dbr_assessed"], sum(c["dbr_excluded"].values()), c["new_studies"]) == (87, 87, 68, 19, 19, 7, 12)
    assert c["duplicates"] is None  # not reported: the box is switched off, not set to zero


def test_prisma_csv_round_trip_in_the_template(tmp_path):
    inp = inputs_mod.load_inputs(DATA)
    c = prisma.counts(inp.screening_log, inp.exclusion_reasons, inp.records)
    path = prisma.write_csv(c, tmp_path / "prisma2020.csv")
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    template = pd.read_csv(prisma.TEMPLATE, dtype=str, keep_default_na=False)
    assert list(df.columns) == ["data", "node", "box", "description", "boxtext", "tooltips", "url", "n"]
    assert df["data"].tolist() == template["data"].tolist()
    assert df.drop(columns="n").equals(template.drop(columns="n"))
    n = dict(zip(df["data"], df["n"]))
    assert n["records_screened"] == "87" and n["new_studies"] == "12" and n["duplicates"] == ""
    assert n["dbr_excluded"].endswith("appraisal: Reason not reported by the authors, 2")
    back = prisma.read_csv(path)
    assert back["dbr_excluded"] == c["dbr_excluded"] and back["new_studies"] == 12


def test_prisma_csv_that_does_not_add_up_is_refused(tmp_path):
    template = pd.read_csv(prisma.TEMPLATE, dtype=str, keep_default_na=False)
    values = {"database_results": "100", "records_screened": "90", "duplicates": "5", "records_excluded": "50",
              "dbr_sought_reports": "40", "dbr_assessed": "40", "new_studies": "30", "dbr_excluded": "Wrong population, 10"}
    template["n"] = [values.get(k, "") if k in values else v for k, v in zip(template["data"], template["n"])]
    f = tmp_path / "counts.csv"
    template.to_csv(f, index=False)
    with pytest.raises(InputError, match="records_screened"):
        prisma.read_csv(f)
    res = cli("prisma", f, "--out", tmp_path)
    assert res.returncode == 2 and "gives 95" in res.stderr


def test_prisma_diagram_from_counts_only(tmp_path):
    template = pd.read_csv(prisma.TEMPLATE, dtype=str, keep_default_na=False)
    values = {"database_results": "100", "records_screened": "90", "duplicates": "10", "records_excluded": "50",
              "dbr_sought_reports": "40", "dbr_assessed": "40", "new_studies": "30",
              "dbr_excluded": "Wrong population, 10", "database_specific_results": "ERIC, 60; Scopus, 40",
              "total_studies": "30"}
    template["n"] = [values.get(k, v if k not in prisma.LIST_KEYS else "") for k, v in zip(template["data"], template["n"])]
    f = tmp_path / "counts.csv"
    template.to_csv(f, index=False)
    res = cli("prisma", f, "--out", tmp_path)
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "figures" / "prisma2020.svg").exists()
    c = prisma.read_csv(f)
    assert figures.overflowing_boxes(figures.prisma2020(c)) == []


def test_previous_studies_arm_in_the_diagram():
    c = {"previous_studies": 12, "previous_reports": 12, "database_results": 6, "database_specific_results": {"ERIC": 6},
         "register_results": 0, "duplicates": 1, "excluded_automatic": 0, "excluded_other": 0, "records_screened": 5,
         "records_excluded": 3, "dbr_sought_reports": 2, "dbr_notretrieved_reports": 0, "dbr_assessed": 2,
         "dbr_excluded": {"Full text: wrong design": 1}, "new_studies": 1, "new_reports": 1, "total_studies": 13,
         "total_reports": 13}
    prisma.check(c)
    fig = figures.prisma2020(c)
    assert figures.overflowing_boxes(fig) == []
    assert any("previous version" in t.get_text() for t in fig.axes[0].texts)


def test_two_reviewers_agreement_and_conflicts():
    decided = pd.DataFrame({
        "record_id": ["a", "a", "b", "b", "c", "c", "d", "d"],
        "stage": ["title"] * 8,
        "reviewer": ["r1", "r2"] * 4,
        "decision": ["include", "include", "exclude", "include", "exclude", "exclude", "include", "include"],
        "reason": ["", "", "language", "", "language", "language", "", ""]})
    log = pd.DataFrame({"record_id": list("abcd"), "title": ["include", "exclude", "exclude", "include"]})
    agreement = reviews.reviewer_agreement(decided)
    assert agreement[["stage", "records", "percent_agreement"]].values.tolist() == [["title", 4, 75.0]]
    assert agreement["cohen_kappa"].iloc[0] == 0.5
    conf = reviews.conflicts(decided, log)
    assert conf[["record_id", "r1", "r2", "resolved", "status"]].values.tolist() == [
        ["b", "exclude", "include", "exclude", "resolved"]]


def test_screening_decision_for_an_unknown_record_is_refused(data_copy):
    (data_copy / "raw" / "screening_reviews.csv").write_text(
        "record_id,stage,reviewer,decision,reason\nR001,title,r1,include,\nR999,title,r1,include,\n")
    res = cli("validate", "--data", data_copy)
    assert res.returncode == 2 and "row 3" in res.stderr and "R999" in res.stderr


def test_casp_rule():
    answers = pd.DataFrame([["r1"] + ["Yes"] * 8 + ["No", "Can't tell"], ["r2"] + ["Yes"] * 5 + ["No"] * 5],
                             columns=["record_id"] + [f"q{i}" for i in range(1, 11)])
    t = appraisal.casp_table(answers, min_yes=7)
    assert t[["record_id", "yes", "no", "cant_tell", "rule_decision"]].values.tolist() == [
        ["r1", 8, 1, 1, "include"], ["r2", 5, 5, 0, "exclude"]]
    log = pd.DataFrame({"record_id": ["r1", "r2"], "quality": ["include", "include"]})
    assert appraisal.quality_disagreements(t, log)["record_id"].tolist() == ["r2"]
