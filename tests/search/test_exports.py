"""Issue 9: real database exports in, deduplication that never merges two studies, PRISMA CSVs from the R package."""

import itertools
import json
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import realdata
from conftest import DATA, cli, examples, tree_digest
from pipeline import datafiles
from pipeline import inputs as inputs_mod
from pipeline.screening import prisma
from pipeline.search import dedup
from pipeline.search import importing
from pipeline.search import records
from pipeline.search.readers import base
from pipeline.errors import InputError

HERE = Path(__file__).resolve().parents[1] / "data"


def read(path, source="X"):
    report = base.Report()
    return records.read_export(path, source, report=report), report.frame()


@pytest.mark.parametrize("package,path,n,fmt,checks", realdata.EXPORTS, ids=[e[1].split("/")[-1]
                                                                               for e in realdata.EXPORTS])
def test_every_real_export_reads_with_its_records_and_fields(real, package, path, n, fmt, checks):
    f = real(package, path)
    df, report = read(f)
    assert len(df) == n
    assert f"format {fmt};" in report.loc[report["action"] == "read", "detail"].iloc[0]
    for row, fields in checks.items():
        for field, value in fields.items():
            assert df.iloc[row][field] == value, (field, df.iloc[row][field])
    assert (df["title"] != "").sum() >= n - 2  # titles come through (two test files hold untitled records)


def test_ris_fields_match_the_raw_file(real):
    """Spot-check every record of a real Ovid export against its own tag lines."""
    f = real("asreview", realdata.AS + "ovid_psycinfo.ris")
    df, _ = read(f)
    blocks = ("\n" + f.read_text(encoding="utf-8-sig")).split("\nTY  - ")[1:]  # "1." lines come between
    first = lambda tag, b: next((line[6:].strip() for line in b.splitlines() if line.startswith(tag)), "")  # noqa
    assert df["doi"].tolist() == [base.clean_doi(first("DO  - ", b)) for b in blocks]
    assert df["title"].tolist() == [first("T1  - ", b) for b in blocks]
    assert df["year"].tolist() == [first("Y1  - ", b)[:4] for b in blocks]


def test_labels_inside_ris_notes_are_kept(real):
    df, _ = read(real("asreview", realdata.AS + "baseline_tag-notes_labels.ris"))
    assert set(df["label"]) == {"1", "0", ""} and (df["label"] == "1").sum() >= 1


def test_empty_records_are_skipped_and_reported(real):
    df, report = read(real("asreview", realdata.AS + "baseline_reference_types.ris"))
    assert df.empty
    skipped = report[report["action"] == "skipped"]
    assert len(skipped) == 61 and skipped["line"].iloc[0] == "1"


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16", "gbk"])
def test_non_utf8_exports_are_decoded_and_the_encoding_is_said(real, tmp_path, encoding):
    source = real("asreview", realdata.AS + "ovid_psycinfo.ris")
    text = source.read_text(encoding="utf-8-sig")
    if encoding == "gbk":  # a Chinese title, as CNKI users have them
        text = text.replace("The influence of self-criticism", "自我批评的影响 The influence of self-criticism", 1)
    else:
        text = text.replace("The influence of self-criticism", "Éléments: the influence of self-criticism", 1)
    text = "".join(ch if ch.encode(encoding, "ignore") else "?" for ch in text)
    f = tmp_path / f"export-{encoding}.ris"
    f.write_bytes(text.encode(encoding))
    df, report = read(f)
    expected, _ = read(source)
    assert len(df) == len(expected) == 6
    assert df["doi"].tolist() == expected["doi"].tolist()
    assert df["title"].iloc[0].startswith("自我批评的影响" if encoding == "gbk" else "Éléments")
    said = report.loc[report["action"] == "read", "detail"].iloc[0]
    assert "encoding" in said and "utf-8;" not in said


def test_pubmed_txt_with_a_line_separator_inside_an_abstract(real, tmp_path):
    text = real("colrev", realdata.CL + "nbib_data.nbib").read_text(encoding="utf-8")
    text = text.replace("AB  - ", "AB  - First part\u2028second part ", 1) if "AB  - " in text else \
        text.replace("TI  - ", "AB  - First part\u2028second part\nTI  - ", 1)
    f = tmp_path / "pubmed-ementoring-set.txt"  # PubMed's own default file name
    f.write_text(text, encoding="utf-8")
    df, report = read(f)
    assert len(df) == 1 and "\u2028second part" in df["abstract"].iloc[0]
    assert "format medline;" in report["detail"].iloc[-1]


def test_web_of_science_plain_text():
    """Written here from Clarivate's field-tag list (no public plain-text export was at hand)."""
    df, report = read(HERE / "wos_plaintext.txt", None)
    assert len(df) == 2 and (df["source"] == "Web of Science").all()
    first = df.iloc[0]
    assert first["title"] == "E-mentoring: a new approach to teacher education in distance learning"
    assert first["authors"] == "Ongoz, Sakine" and first["doi"] == "10.1000/jet.2018.12.45"
    assert (first["year"], first["volume"], first["issue"], first["pages"]) == ("2018", "12", "3", "45-59")


def test_endnote_xml():
    """Written here in EndNote's XML layout (styled text runs); no public EndNote XML export was at hand."""
    df, _ = read(HERE / "endnote.xml", None)
    assert df["title"].tolist() == ["E-mentoring in teacher education", "Mentoring online: a second study"]
    assert df["authors"].iloc[0] == "Ongoz, Sakine; Ødegård, Kari" and df["doi"].iloc[0] == "10.1000/jet.2018.12.45"
    assert df["source"].iloc[0] == "ERIC" and df["type"].iloc[1] == "Conference Proceedings"


def test_bibtex_latex_becomes_unicode(tmp_path):
    f = tmp_path / "scopus.bib"
    f.write_text("@article{a,\n title = {E-mentoring in {H}igher {E}ducation: {\\\"O}zel {\\c{c}}al{\\i}{\\c{s}}ma},\n"
                 " author = {G{\\\"o}k, Ay{\\c{s}}e},\n year = {2019},\n doi = {10.1/x},\n doi = {10.1/x}\n}\n")
    df, report = read(f)
    assert df["title"].iloc[0] == "E-mentoring in Higher Education: Özel çalışma"
    assert df["authors"].iloc[0] == "Gök, Ayşe" and len(df) == 1


def test_one_odd_value_never_refuses_a_good_file(tmp_path):
    f = tmp_path / "odd.ris"
    f.write_text("Banner line from the database\nTY  - JOUR\nTI  - Good one\nPY  - 10 15\nER  - \n\n"
                 "TY  - JOUR\nTI  - Second\nPY  - 2020\nDO  - https://doi.org/10.1000/ABC.\nER  - \n")
    df, report = read(f)
    assert df["title"].tolist() == ["Good one", "Second"] and df["doi"].tolist() == ["", "10.1000/abc"]
    blanked = report[report["action"] == "blanked"]
    assert blanked[["line", "field"]].values.tolist() == [["2", "year"]]


def test_eppi_and_unknown_labels(tmp_path):
    f = tmp_path / "eppi.csv"
    f.write_text("ItemId,Title,Authors,Year,Included\n1,A study,\"Roe, K\",2020,I\n2,Another,\"Doe, J\",2021,E\n"
                 "3,Third,\"Poe, E\",2022,maybe\n")
    df, report = read(f)
    assert df["label"].tolist() == ["1", "0", ""]
    assert report.loc[report["action"] == "blanked", "line"].tolist() == ["4"]


def test_embase_xlsx_with_lines_above_the_table(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Embase Session Results"])
    ws.append(["Search: e-mentoring"])
    ws.append([])
    ws.append(["Title", "Author Names", "Source", "Publication Year"])
    ws.append(["Peer e-mentoring", "Liu R., Adler D.G.", "Cancer (2004) 102:4", 2004])
    wb.save(tmp_path / "embase.xlsx")
    df, report = read(tmp_path / "embase.xlsx")
    assert df[["title", "year"]].values.tolist() == [["Peer e-mentoring", "2004"]]
    assert records.first_author_key(df["authors"].iloc[0]) == "liu"


def test_unreadable_file_is_refused_naming_the_users_file(tmp_path, data_copy):
    f = tmp_path / "my export.ris"
    f.write_bytes(bytes(range(256)) * 40)
    before = tree_digest(data_copy)
    res = cli("import-records", f, "--source", "X", "--data", data_copy)
    assert res.returncode == 2 and "my export.ris" in res.stderr and "Traceback" not in res.stderr
    assert "qes-check" not in res.stderr and tree_digest(data_copy) == before


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, 4000), junk=st.binary(max_size=40), pos=st.integers(0, 4000))
def test_mutated_real_export_is_read_or_refused_cleanly(real, tmp_path, cut, junk, pos):
    data = real("asreview", realdata.AS + "scopus.ris").read_bytes()[:5000]
    data = data[:pos] + junk + data[pos:cut + pos]
    f = tmp_path / "mutated.ris"
    f.write_bytes(data)
    try:
        read(f)
    except InputError as exc:
        assert "mutated.ris" in exc.message


# --------------------------------------------------------------------------- the multi-database workflow

def _groups(data: Path) -> set:
    g = pd.read_csv(data / "raw" / "duplicates.csv", dtype=str)
    return {frozenset(x) for _, x in g.groupby("group")["record_id"]}


def _fresh(tmp_path, name):
    target = tmp_path / name
    shutil.copytree(DATA, target)
    return target


def test_import_order_never_changes_the_groups(real, tmp_path):
    """The same records exported by Ovid, Zotero and Embase, imported in every order and in one call."""
    files = [(real("asreview", realdata.AS + n), s) for n, s in
             (("ovid_psycinfo.ris", "PsycINFO"), ("ovid_zotero.ris", "Zotero"), ("proquest.ris", "ProQuest"))]
    results = []
    for k, order in enumerate(itertools.permutations(files)):
        data = _fresh(tmp_path, f"d{k}")
        for f, s in order:
            importing.import_records([f], s, data)
        results.append((_groups(data), set(pd.read_csv(data / "raw" / "records.csv", dtype=str)["record_id"])))
    data = _fresh(tmp_path, "all")
    importing.import_records([f for f, _ in files], [s for _, s in files], data)
    results.append((_groups(data), set(pd.read_csv(data / "raw" / "records.csv", dtype=str)["record_id"])))
    assert all(r == results[0] for r in results)
    assert len(results[0][0]) == 6 and len(results[0][1]) == 18  # six studies, each exported three times
    inputs_mod.load_inputs(data)


def test_identical_records_in_two_files_of_one_import_are_duplicates(real, tmp_path, data_copy):
    f = real("asreview", realdata.AS + "scopus.ris")
    a, b = tmp_path / "scopus-1.ris", tmp_path / "scopus-2.ris"
    a.write_bytes(f.read_bytes())
    b.write_bytes(f.read_bytes().replace(b"\nER  -", b"\nN1  - second export\nER  -"))
    s = importing.import_records([a, b], "Scopus", data_copy)
    assert (s.read, s.already_present, s.added, s.duplicates) == (12, 0, 6, 6)
    again = importing.import_records([a], "Scopus", data_copy)
    assert (again.already_present, again.added) == (6, 0)


def test_source_per_file_and_the_prisma_counts_follow(real, data_copy):
    files = [real("asreview", realdata.AS + "embase.ris"), real("asreview", realdata.AS + "scopus.ris")]
    res = cli("import-records", *files, "--source", "Embase", "--source", "Scopus", "--data", data_copy)
    assert res.returncode == 0, res.stderr
    inp = inputs_mod.load_inputs(data_copy)
    c = prisma.counts(inp.screening_log, inp.exclusion_reasons, inp.records)
    assert c["database_specific_results"] == {"Embase": 6, "Scopus": 6}
    log = pd.read_csv(data_copy / "raw" / "import_log.csv", dtype=str)
    assert set(log["action"]) >= {"read"} and "embase.ris" in res.stdout


def test_validate_refuses_a_record_without_a_screening_row(real, data_copy):
    importing.import_records([real("asreview", realdata.AS + "scopus.ris")], "Scopus", data_copy)
    log = pd.read_csv(data_copy / "raw" / "screening_log.csv", dtype=str, keep_default_na=False)
    log.iloc[:-1].to_csv(data_copy / "raw" / "screening_log.csv", index=False)
    with pytest.raises(InputError, match="a screening row for record"):
        inputs_mod.load_inputs(data_copy)


def test_an_interrupted_write_is_finished_by_the_next_command(data_copy):
    log = pd.read_csv(data_copy / "raw" / "screening_log.csv", dtype=str, keep_default_na=False)
    crit = pd.read_csv(data_copy / "raw" / "criteria.csv", dtype=str, keep_default_na=False)
    temps = [datafiles._write_temp(log.iloc[:0], data_copy / "raw" / "x.csv"),
             datafiles._write_temp(crit, data_copy / "raw" / "criteria.csv")]
    (data_copy / datafiles.JOURNAL).write_text(
        '[["%s", "raw/x.csv"], ["%s", "raw/criteria.csv"]]' % tuple(str(t.relative_to(data_copy)) for t in temps))
    inputs_mod.load_inputs(data_copy)
    assert (data_copy / "raw" / "x.csv").exists() and not (data_copy / datafiles.JOURNAL).exists()
    assert not any(t.exists() for t in temps)


def test_rewritten_data_files_keep_their_mode(real, data_copy):
    log = data_copy / "raw" / "screening_log.csv"
    log.chmod(0o644)
    importing.import_records([real("asreview", realdata.AS + "scopus.ris")], "Scopus", data_copy)
    assert oct(log.stat().st_mode & 0o777) == "0o644"


# --------------------------------------------------------------------------- deduplication rules

def frame(rows):
    cols = ["record_id", "title", "year", "authors", "doi", "journal", "volume", "issue", "pages", "type"]
    return pd.DataFrame([r + [""] * (len(cols) - len(r)) for r in rows], columns=cols).assign(source="S")


def flagged(df, **kw):
    g = dedup.find_duplicates(df, **kw)
    return {frozenset(x) for _, x in g.groupby("group")["record_id"]}


LONG = "Virtual mentoring of novice teachers in rural schools: a qualitative study"


def test_literal_na_doi_is_no_doi():
    df = frame([["a", LONG, "2020", "Smith, J", "NA"], ["b", "Something else entirely different", "2020", "Roe, K",
                                                         "NA"]])
    df["doi"] = df["doi"].map(records.normalize_doi)
    assert df["doi"].tolist() == ["", ""] and flagged(df) == set()


def test_same_doi_with_different_titles_is_not_a_duplicate():
    df = frame([["a", "Abstracts of the 2019 annual congress", "2019", "", "10.1000/supp"],
                ["b", LONG, "2019", "Smith, J", "10.1000/supp"]])
    assert flagged(df) == set()
    assert "same DOI but different titles" in dedup.judge(dedup.prepare(df), __import__("numpy").array([[0, 1]]))[
        "reason"].iloc[0]


def test_erratum_and_article_stay_apart():
    df = frame([["a", LONG, "2019", "Smith, J", "", "J Ed", "3", "2", "10-20"],
                ["b", "Erratum: " + LONG, "2019", "Smith, J", "", "J Ed", "3", "4", "99"]])
    assert flagged(df) == set()


def test_online_first_year_and_author_forms_still_match():
    df = frame([["a", LONG, "2019", "Van Schil, P.; Ødegård, K", "", "Journal of Education", "12", "", "45-59"],
                ["b", LONG.upper(), "2020", "P. Van Schil; K. Odegard", "", "J Educ", "12", "", "45-59"],
                ["c", LONG, "2020", "Schil P, Odegard K", "", "", "", "", ""]])
    assert flagged(df) == {frozenset({"a", "b", "c"})}


def test_journal_volume_pages_tell_apart_two_trial_registrations():
    df = frame([["a", "Eculizumab in children with atypical HUS: an open-label trial", "2012", "Greenbaum, L", "",
                 "Pediatr Nephrol", "27", "", "100-110"],
                ["b", "Eculizumab in adults with atypical HUS: an open-label trial", "2012", "Greenbaum, L", "",
                 "Pediatr Nephrol", "28", "", "200-210"]])
    assert flagged(df) == set()


def test_screened_records_are_never_grouped_and_a_bridge_cannot_chain():
    df = frame([["a", LONG, "2020", "Smith, J", "10.1000/a"], ["c", LONG, "2020", "Smith, J", "10.1000/c"],
                ["b", LONG, "2020", "Smith, J", ""]])
    groups = flagged(df)
    assert len(groups) == 1 and len(next(iter(groups))) == 2  # b joins one of them, never both
    assert flagged(frame([["a", LONG, "2020", "Smith, J"], ["b", LONG, "2020", "Smith, J"]]),
                   protected={"a", "b"}) == set()


def test_reviewer_overrides_win():
    df = frame([["a", LONG, "2020", "Smith, J"], ["c", LONG, "2020", "Smith, J"]])
    no = pd.DataFrame({"record_a": ["a"], "record_b": ["c"], "decision": ["not_duplicate"], "note": [""]})
    assert flagged(df, overrides=no) == set()
    df2 = frame([["a", "One", "2020", "Smith, J"], ["c", "Two", "2019", "Roe, K"]])
    yes = pd.DataFrame({"record_a": ["a"], "record_b": ["c"], "decision": ["duplicate"], "note": [""]})
    g = dedup.find_duplicates(df2, yes)
    assert g.loc[~g["kept"], "reason"].tolist() == ["reviewer override: duplicate"]


# --------------------------------------------------------------------------- PRISMA2020 CSVs as the R package writes them

def _filled(tmp_path, values: dict) -> Path:
    t = pd.read_csv(prisma.TEMPLATE, dtype=str, keep_default_na=False)
    t["n"] = t["data"].map(lambda k: values.get(k, "NA"))
    f = tmp_path / "PRISMA.csv"
    t.to_csv(f, index=False)
    return f


BOTH_ARMS = {"previous_studies": "NA", "database_results": "120", "register_results": "NA", "duplicates": "20",
             "excluded_automatic": "NA", "excluded_other": "NA", "records_screened": "100", "records_excluded": "70",
             "dbr_sought_reports": "30", "dbr_notretrieved_reports": "2", "dbr_assessed": "28",
             "dbr_excluded": "Wrong population, 10; Wrong design, 8", "website_results": "5",
             "organisation_results": "NA", "citations_results": "7", "other_sought_reports": "12",
             "other_notretrieved_reports": "1", "other_assessed": "11", "other_excluded": "Not qualitative, 6",
             "new_studies": "15", "new_reports": "15", "total_studies": "15"}


def test_prisma_reads_the_r_packages_na_cells_and_both_arms(tmp_path):
    c = prisma.read_csv(_filled(tmp_path, BOTH_ARMS))
    assert c["other_assessed"] == 11 and c["other_excluded"] == {"Not qualitative": 6} and c["new_studies"] == 15
    res = cli("prisma", _filled(tmp_path, BOTH_ARMS), "--out", tmp_path)
    assert res.returncode == 0, res.stderr
    svg = (tmp_path / "figures" / "prisma2020.svg").read_text()
    assert "other methods" in svg


def test_prisma_refuses_negative_counts_even_when_they_add_up(tmp_path):
    bad = BOTH_ARMS | {"duplicates": "-20", "database_results": "80"}
    res = cli("prisma", _filled(tmp_path, bad), "--out", tmp_path)
    assert res.returncode == 2 and "row" in res.stderr and "Traceback" not in res.stderr


def test_two_imports_at_once_lose_no_record(real, data_copy):
    """The data folder is locked: the second import waits and then adds its records to the first's."""
    import sys

    files = [real("asreview", realdata.AS + "scopus.ris"), real("asreview", realdata.AS + "embase.ris")]
    procs = [subprocess.Popen([sys.executable, "-m", "pipeline", "import-records", str(f), "--source", s,
                               "--data", str(data_copy)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for f, s in zip(files, ("Scopus", "Embase"))]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    rec = pd.read_csv(data_copy / "raw" / "records.csv", dtype=str)
    assert sorted(rec["source"].value_counts().items()) == [("Embase", 6), ("Scopus", 6)]
    inputs_mod.load_inputs(data_copy)


@settings(max_examples=examples(8), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(args=st.lists(st.sampled_from(["--source", "X", "--round", "0", "-1", "2", "--source-type", "register",
                                      "nowhere.ris", "--data", "ERIC", ""]), max_size=6))
def test_import_records_arguments_exit_0_or_2_and_leave_data_alone_on_refusal(real, data_copy, args):
    f = real("asreview", realdata.AS + "scopus.ris")
    before = tree_digest(data_copy)
    res = cli("import-records", f, *args, "--data", data_copy)
    assert res.returncode in (0, 2) and "Traceback" not in res.stderr
    if res.returncode == 2:
        assert tree_digest(data_copy) == before


def test_the_same_file_twice_in_one_call_is_read_once(real, data_copy):
    f = real("asreview", realdata.AS + "scopus.ris")
    s = importing.import_records([f, f], "Scopus", data_copy)
    assert (s.read, s.already_present, s.added) == (12, 6, 6)


def test_ebsco_doi_in_l3_and_cinahl_year_and_database(tmp_path):
    f = tmp_path / "cinahl.ris"
    f.write_text("TY  - JOUR\nTI  - EBSCO record\nAU  - Roe, K\nPY  - 2019///\nJO  - Nurse Educ Today\n"
                 "L3  - 10.1016/j.nedt.2019.01.001\nDB  - CINAHL\nER  - \n")
    df, _ = read(f, None)
    assert df[["doi", "year", "journal", "source"]].values.tolist() == [
        ["10.1016/j.nedt.2019.01.001", "2019", "Nurse Educ Today", "CINAHL"]]


def test_every_real_export_goes_through_the_import_command(real, data_copy):
    """All of them in one call, as a reviewer with many databases would: exit 0 and every record accounted for."""
    files = [real(package, path) for package, path, *_ in realdata.EXPORTS]
    expected = sum(n for *_, n, _fmt, _checks in realdata.EXPORTS)
    res = cli("import-records", *files, "--source", "Many", "--data", data_copy)
    assert res.returncode == 0, res.stderr
    assert f"read {expected} records" in res.stdout
    rec = pd.read_csv(data_copy / "raw" / "records.csv", dtype=str, keep_default_na=False)
    log = pd.read_csv(data_copy / "raw" / "screening_log.csv", dtype=str, keep_default_na=False)
    assert len(rec) <= expected and (rec["duplicate_of"] == "").sum() == len(log) - 87


def test_a_data_path_with_dot_dot_imports_and_leaves_no_temporary_file(data_copy, tmp_path):
    """--data ../data (as the command reference writes it) ended in a traceback and left a .tmp file."""
    (tmp_path / "elsewhere").mkdir()
    res = cli("import-records", HERE / "pubmed.nbib", "--source", "PubMed", "--data", "../data", cwd=tmp_path / "elsewhere")
    assert res.returncode == 0, res.stderr
    assert not list(data_copy.rglob("*.tmp")) and "read 2 records" in res.stdout


@pytest.mark.parametrize("journal", [
    [["../../outside.txt", "raw/screening_log.csv"]],           # a file from elsewhere moved into data/
    [["raw/.screening_log.csv.ab12.tmp", "../../victim.csv"]],  # a file elsewhere overwritten
    [["/etc/hostname", "raw/studies.csv"]],
    [["raw/.x.csv.ab.tmp", "raw/x.txt"]],                       # not a data file of ours
    {"not": "a list"}, [["only one"]], [[1, 2]]])
def test_a_journal_that_names_anything_outside_the_data_folder_is_refused(data_copy, tmp_path, journal):
    """Issue 22: a .pending-write.json travels with a folder (a clone, an unzipped supplement); it could
    move or overwrite any file the user can write."""
    victim = tmp_path / "victim.csv"
    victim.write_text("mine")
    (tmp_path / "outside.txt").write_text("outside")
    (data_copy / "raw" / ".screening_log.csv.ab12.tmp").write_text("record_id\n")
    (data_copy / datafiles.JOURNAL).write_text(json.dumps(journal))
    before = tree_digest(data_copy)
    for command in ("validate", "status"):
        res = cli(command, "--data", data_copy)
        assert res.returncode == 2 and "Traceback" not in res.stderr and datafiles.JOURNAL in res.stderr, res.stderr
    assert victim.read_text() == "mine" and (tmp_path / "outside.txt").read_text() == "outside"
    assert tree_digest(data_copy) == before


def test_keywords_are_read_from_every_format_that_has_them():
    """Issue 23: the screening workspace shows keywords; real exports of five tools carry them."""
    exports = HERE / "exports"
    scopus, _ = read(exports / "scopus.ris")
    assert scopus["keywords"].iloc[0].startswith("Brain-gut axis; Chronic-inflammatory bowel diseases; ")
    pubmed, _ = read(exports / "pubmed-bluelight.nbib")
    assert pubmed["keywords"].iloc[0] == "Acne; Antirrhinum majus; Propionibacterium acnes; blue light"
    endnote, _ = read(exports / "endnote-bluelight.xml", "X")
    assert endnote["keywords"].iloc[0] == pubmed["keywords"].iloc[0]  # the same library, two tools
    wos, _ = read(exports / "wos_savedrecs.txt", None)
    # A list continued on the next line is one list: 'LATRINE' / '   PROMOTION' is one keyword.
    assert "; LATRINE PROMOTION; " in wos["keywords"].iloc[3] and wos["keywords"].iloc[0] == "MENTAL-HEALTH; STIGMA; INDIA"
    assert (read(exports / "embase_ovid.ris")[0]["keywords"] != "").all()
    assert base.keywords_of("a, b", ["B", "c"]) == "a; b; c"  # each once, commas split where no ';' is used


@pytest.mark.slow
def test_a_records_file_from_before_keywords_still_validates_and_takes_them_on_the_next_import(tmp_path):
    root = tmp_path / "review"
    assert cli("init", root).returncode == 0
    data = root / "data"
    assert cli("import-records", HERE / "exports" / "scopus.ris", "--source", "Scopus", "--data", data).returncode == 0
    path = data / "raw" / "records.csv"
    pd.read_csv(path, dtype=str, keep_default_na=False).drop(columns="keywords").to_csv(path, index=False)
    assert cli("validate", "--data", data).returncode == 0
    res = cli("import-records", HERE / "exports" / "pubmed-bluelight.nbib", "--source", "PubMed", "--data", data)
    assert res.returncode == 0, res.stderr
    recs = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert (recs.loc[recs["source"] == "Scopus", "keywords"] == "").all()
    assert (recs.loc[recs["source"] == "PubMed", "keywords"] != "").all()
