"""REFI-QDA interchange, coded-data import and the coding analytics of issue 5."""

import zipfile
from pathlib import Path

import pandas as pd
import pytest

from pipeline import coding, qda, validate
from pipeline.errors import InputError

from conftest import DATA, ROOT, run_cli, tree_digest

SHARED_XSD = ROOT.parent / "shared" / "formats" / "refi-qda" / "Codebook.xsd"


@pytest.fixture(scope="module")
def ref():
    return validate.load_inputs(DATA)


def persian_codebook():
    rows = [["C1", "category", "زیرساخت فنی", "", "strategy", "تعریف"], ["S1", "subcategory", "پلتفرم پایدار", "C1", "", ""],
            ["K1", "code", "نیاز به پلتفرم پایدار", "S1", "", ""], ["K2", "code", "Ünïcode & <xml>", "S1", "", ""]]
    return pd.DataFrame([r + ["", "", "reported"] for r in rows], columns=qda.CODEBOOK_COLUMNS)


def test_exported_codebook_is_valid_against_the_standard_schema(ref):
    document = qda.codebook_to_qdc(ref.codebook)
    assert qda.validate_xml(document) == []
    if SHARED_XSD.exists():  # the package ships the standard's schema unchanged
        assert (qda.SCHEMA_DIR / "Codebook.xsd").read_bytes() == SHARED_XSD.read_bytes()
    assert not document.startswith(b"\xef\xbb\xbf")


def test_schema_check_catches_an_invalid_document():
    bad = b'<?xml version="1.0"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/><Sets/></CodeBook>'
    assert qda.validate_xml(bad)


def test_round_trip_is_unchanged_and_guids_are_deterministic(ref, tmp_path):
    first = qda.codebook_to_qdc(ref.codebook)
    assert qda.codebook_to_qdc(ref.codebook) == first
    path = tmp_path / "cb.qdc"
    path.write_bytes(first)
    back = qda.read_qdc(path)
    assert qda.codebook_to_qdc(back) == first
    def rows(cb):
        name = dict(zip(cb["node_id"], cb["name"]))
        return sorted(zip(cb["level"], cb["name"], cb["role"], cb["definition"], [name.get(p, "") for p in cb["parent_id"]]))

    assert rows(back) == rows(ref.codebook)


def test_persian_names_survive_xml(tmp_path):
    cb = persian_codebook()
    path = tmp_path / "fa.qdc"
    path.write_bytes(qda.codebook_to_qdc(cb))
    assert qda.validate_xml(path.read_bytes()) == []
    back = qda.read_qdc(path)
    assert back["name"].tolist() == cb["name"].tolist()
    assert back.loc[0, "role"] == "strategy"


def test_qdpx_import_reads_codings_quotes_and_coders(tmp_path):
    cb = persian_codebook()
    text = "مقدمه. نیاز به پلتفرم پایدار برای منتورینگ الکترونیکی ضروری است."
    seg = pd.DataFrame({"study_id": ["s1"], "code_id": ["K1"], "quote": ["نیاز به پلتفرم پایدار"], "coder": ["رضا"]})
    path = tmp_path / "p.qdpx"
    path.write_bytes(qda.project_bytes(cb, seg, {"s1": text}))
    codebook, segments = qda.read_qdpx(path)
    assert codebook["name"].tolist() == cb["name"].tolist()
    assert segments[["study_id", "quote", "coder"]].values.tolist() == [["s1", "نیاز به پلتفرم پایدار", "رضا"]]
    assert codebook.set_index("node_id").loc[segments["code_id"][0], "name"] == "نیاز به پلتفرم پایدار"


HOSTILE = {
    "entity expansion": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
                        b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>',
    "external entity": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                       b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="x" name="&e;" isCodable="true"/>'
                       b'</Codes></CodeBook>',
    "malformed": b"<CodeBook><Codes></CodeBook>",
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_or_malformed_xml_is_refused(case, tmp_path):
    path = tmp_path / "x.qdc"
    path.write_bytes(HOSTILE[case])
    with pytest.raises(InputError):
        qda.read_qdc(path)
    project = tmp_path / "x.qdpx"
    with zipfile.ZipFile(project, "w") as z:
        z.writestr("project.qde", HOSTILE[case])
    with pytest.raises(InputError):
        qda.read_qdpx(project)


@pytest.mark.parametrize("entry", ["../evil.txt", "/etc/evil", "sources/../../evil", "C:/evil"])
def test_zip_entries_pointing_outside_are_refused(entry, tmp_path):
    project = tmp_path / "x.qdpx"
    with zipfile.ZipFile(project, "w") as z:
        z.writestr("project.qde", b"<Project/>")
        z.writestr(entry, b"x")
    with pytest.raises(InputError, match="outside"):
        qda.read_qdpx(project)


def test_cli_import_of_a_project_with_an_unknown_study_changes_nothing(data_copy, tmp_path, ref):
    path = tmp_path / "p.qdpx"
    seg = pd.DataFrame({"study_id": ["nobody2020"], "code_id": ["K01"], "quote": ["x"], "coder": ["a"]})
    path.write_bytes(qda.project_bytes(ref.codebook, seg, {"nobody2020": "x"}))
    before = tree_digest(data_copy)
    res = run_cli("import-coded", path, "--data", data_copy)
    assert res.returncode == 2 and "nobody2020" in res.stderr and "Traceback" not in res.stderr
    assert tree_digest(data_copy) == before


def test_cli_imports_a_generic_spreadsheet(data_copy, tmp_path):
    f = tmp_path / "export.csv"
    f.write_text("Document,Code,Segment,Position,Coder\nneely2017,Matching process,فراهم کردن,p. 3,coder2\n",
                 encoding="utf-8")
    res = run_cli("import-coded", f, "--data", data_copy)
    assert res.returncode == 0, res.stderr
    seg = pd.read_csv(data_copy / "coded" / "segments.csv", dtype=str, keep_default_na=False)
    last = seg.iloc[-1]
    assert (last["study_id"], last["code_id"], last["quote"], last["coder"]) == ("neely2017", "K22", "فراهم کردن", "coder2")
    bad = tmp_path / "bad.csv"
    bad.write_text("study,code\nneely2017,No such code\n")
    before = tree_digest(data_copy)
    res = run_cli("import-coded", bad, "--data", data_copy)
    assert res.returncode == 2 and "row 2" in res.stderr and "No such code" in res.stderr
    assert tree_digest(data_copy) == before


def test_saturation_curve_ends_at_all_codes(ref):
    curve = coding.saturation_curve(ref.segments, ref.studies, n_orders=50, seed=1)
    assert len(curve) == 12 and curve["codes_publication_order"].iloc[-1] == 60
    assert curve["codes_publication_order"].is_monotonic_increasing
    assert (curve["codes_random_low"] <= curve["codes_random_mean"]).all()
    assert curve["study_added"].iloc[0] == "headlamwells2006"  # earliest study first


def test_leave_one_out_flags_single_study_support(ref):
    loo = coding.leave_one_out(ref.segments, ref.codebook, ref.studies, min_studies=2)
    email = loo[(loo["node"] == "Email")]
    assert email[["study_removed", "status"]].values.tolist() == [["ongoz2018", "loses all support"]]
    assert set(loo["status"]) <= {"loses all support", "below threshold"}
