"""Issue 22: importers never lose or garble a record without a word.

Each case starts from a real export of the fixture corpus (``tests/data/exports/SOURCE.md``) and
damages it the way files are damaged in practice: a stray quote, a byte of another encoding, lost
blank lines, an XML declaration in another encoding, a control character.  The tool/reader must
read every record and say in the import log what it did, or refuse the file naming it."""

import io
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import cli, examples, tree_digest
from pipeline.errors import InputError
from pipeline.search import records
from pipeline.search.readers import base, bibtex

EXPORTS = Path(__file__).resolve().parents[1] / "data" / "exports"


def read(path, source="X"):
    report = base.Report()
    return records.read_export(path, source, report=report), report.frame()


def csv_of_real_records(columns=("title", "authors", "year", "doi", "journal")) -> str:
    """The Web of Science fixture's 12 records as a CSV that a spreadsheet would save."""
    df, _ = read(EXPORTS / "wos_savedrecs.txt")
    out = io.StringIO()
    df[list(columns)].rename(columns=str.capitalize).to_csv(out, index=False)
    return out.getvalue()


@pytest.mark.parametrize("where", ["a line with quoted authors", "a line without other quotes"])
def test_an_unbalanced_quote_swallows_no_record(tmp_path, where):
    quoted = where == "a line with quoted authors"
    columns = ("title", "authors", "year", "doi", "journal") if quoted else ("title", "year", "doi", "journal")
    lines = csv_of_real_records(columns).splitlines(keepends=True)
    n = next(i for i, line in enumerate(lines) if i > 1 and ('"' in line) == quoted)
    lines[n] = '"' + lines[n]  # a quote typed before a record's title, never closed
    f = tmp_path / "export.csv"
    f.write_text("".join(lines), encoding="utf-8")
    df, report = read(f)
    expected, _ = read(EXPORTS / "wos_savedrecs.txt")
    assert len(df) == 12
    for col in columns:
        assert df[col].tolist() == expected[col].tolist()
    said = report[report["detail"].str.contains("unbalanced quote")]
    assert said["line"].tolist() == [str(n + 1)] and said["field"].tolist() == ["column 1"]


def test_a_legitimate_quoted_line_break_is_kept_in_its_value(tmp_path):
    f = tmp_path / "export.csv"
    f.write_text('Title,Abstract,Year\nFirst,"one paragraph\nand a second, with a comma",2019\nSecond,b,2020\n',
                 encoding="utf-8")
    df, report = read(f)
    assert df["title"].tolist() == ["First", "Second"] and "\n" in df["abstract"].iloc[0]
    assert not report["detail"].str.contains("unbalanced").any()


def test_utf8_with_one_stray_latin1_byte_stays_utf8_and_the_byte_is_reported(tmp_path):
    data = (EXPORTS / "pubmed-bluelight.nbib").read_bytes()
    assert re.search(rb"[\xc2-\xf4][\x80-\xbf]", data)  # the real file holds UTF-8 letters
    at = data.index(b"Formulation of Herbal Gel")
    f = tmp_path / "pubmed.nbib"
    f.write_bytes(data[:at] + b"\xe9" + data[at:])  # one latin-1 '\xe9' pasted into the first title
    df, report = read(f)
    expected, _ = read(EXPORTS / "pubmed-bluelight.nbib")
    assert len(df) == 8 and df["title"].iloc[0] == "\ufffd" + expected["title"].iloc[0]
    assert df["authors"].tolist() == expected["authors"].tolist()  # nothing else garbled
    said = report[report["detail"].str.contains("0xe9")]
    line = data[:at].count(b"\n") + 1
    assert said["line"].tolist() == [str(line)] and "U+FFFD" in said["detail"].iloc[0]


@pytest.mark.parametrize("encoding", ["utf-8", "windows-1252", "iso-8859-1", "utf-16"])
def test_endnote_xml_is_decoded_once_as_it_declares(tmp_path, encoding):
    text = (EXPORTS / "endnote-bluelight.xml").read_text(encoding="utf-8")
    declared = text.replace('encoding="UTF-8"', f'encoding="{encoding.upper()}"', 1)
    f = tmp_path / "endnote.xml"
    f.write_bytes(declared.encode(encoding, errors="xmlcharrefreplace"))  # μ becomes &#956; where it must
    df, _ = read(f)
    assert len(df) == 3
    assert "±" in df["abstract"].iloc[2] and "Â" not in " ".join(df["abstract"])
    assert df["authors"].iloc[0].startswith("Shahtalebi, M. A.; Asghari, G. R.")


def test_medline_records_without_blank_lines_between_them_stay_apart(tmp_path):
    text = (EXPORTS / "pubmed-bluelight.nbib").read_text(encoding="utf-8")
    f = tmp_path / "pubmed.nbib"
    f.write_text("\n".join(line for line in text.splitlines() if line.strip()) + "\n", encoding="utf-8")
    df, _ = read(f)
    expected, _ = read(EXPORTS / "pubmed-bluelight.nbib")
    assert len(df) == 8 and df["title"].tolist() == expected["title"].tolist()


def test_web_of_science_continuation_lines_are_authors_of_their_own():
    df, _ = read(EXPORTS / "wos_savedrecs.txt")
    assert df["authors"].iloc[0] == "Asampong, Emmanuel; Gyeke, Mavis Dako Plusminus; Oduro, Razak"
    assert df["authors"].iloc[1].count(";") == 3


def test_bibtex_strings_and_concatenation_are_resolved(tmp_path):
    f = tmp_path / "refs.bib"
    f.write_text('@string{jnl = {Journal of {E}-Mentoring}}\n@string{full = jnl # " (Online)"}\n'
                 '@article{a, title = "Mentoring " # {at a distance}, journal = full, month = jan, year = 2019,\n'
                 ' note = {C# is not a concatenation}, author = {Doe, Jane and Roe, Rich}}\n', encoding="utf-8")
    df, _ = read(f)
    assert df["title"].iloc[0] == "Mentoring at a distance"
    assert df["journal"].iloc[0] == "Journal of E-Mentoring (Online)"
    assert df["authors"].iloc[0] == "Doe, Jane; Roe, Rich"


def test_bibtex_nested_too_deep_for_latex_decoding_is_kept_and_reported(tmp_path):
    f = tmp_path / "deep.bib"
    f.write_text("@article{a, title = {" + "{" * 5000 + "Deep" + "}" * 5000 + "}, year = 2020}\n"
                 "@article{b, title = {Flat}, year = 2021}\n", encoding="utf-8")
    df, report = read(f)
    assert df["title"].tolist() == ["Deep", "Flat"]
    assert report["detail"].str.contains("LaTeX not decoded").any()


def test_a_megabyte_bibtex_value_is_not_handed_to_the_latex_decoder(tmp_path, monkeypatch):
    """The decoder is the slow part (13 s per MB); plain text and oversized values skip it (measured
    in benchmarks/bench_import.py)."""
    calls = []
    monkeypatch.setattr(bibtex, "_decoder", lambda: calls.append(1) or pytest.fail("decoder used"))
    f = tmp_path / "big.bib"
    f.write_text("@article{a, title = {" + "word " * 200_000 + "}, year = 2020}\n"
                 "@article{b, abstract = {" + "\\'e" * (bibtex.MAX_LATEX // 3 + 10) + "}, title = {x}, year = 2020}\n",
                 encoding="utf-8")
    df, report = read(f)
    assert len(df) == 2 and len(df["title"].iloc[0]) == 5 * 200_000 - 1 and not calls
    assert report["detail"].str.contains("LaTeX not decoded").sum() == 1


@pytest.mark.parametrize("content", [b"Welcome to Ovid.\r\nYour session has expired. Please log in again.\r\n",
                                     b"<html><body>Too many requests</body></html>\n"])
@pytest.mark.parametrize("suffix", [".ris", ".bib", ".txt", ".nbib"])
def test_a_page_of_text_is_refused_not_read_as_zero_records(tmp_path, content, suffix, data_copy):
    f = tmp_path / f"export{suffix}"
    f.write_bytes(content)
    before = tree_digest(data_copy)
    res = cli("import-records", f, "--source", "Ovid", "--data", data_copy)
    assert res.returncode == 2 and str(f) in res.stderr and "Traceback" not in res.stderr
    assert "at least one record" in res.stderr or "title column" in res.stderr
    assert tree_digest(data_copy) == before


def test_binary_bytes_are_refused_as_binary(tmp_path):
    import random

    rng = random.Random(7)
    f = tmp_path / "export.ris"
    f.write_bytes(b"TY  - JOUR\n" + bytes(rng.randrange(256) for _ in range(5000)))
    with pytest.raises(InputError, match="binary"):
        read(f)


def test_a_nul_and_a_vertical_tab_in_one_title_are_cleaned_and_reported_by_export_and_line(tmp_path, data_copy):
    text = (EXPORTS / "scopus.ris").read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    n = next(i for i, line in enumerate(lines) if line.startswith("TI  - "))
    lines[n] = lines[n][:12] + "\x00" + lines[n][12:20] + "\x0b" + lines[n][20:]
    f = tmp_path / "scopus.ris"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = cli("import-records", f, "--source", "Scopus", "--data", data_copy)
    assert res.returncode == 0, res.stderr
    rec = pd.read_csv(data_copy / "raw" / "records.csv", dtype=str, keep_default_na=False)
    assert not rec["title"].str.contains("[\x00\x0b]").any()
    log = pd.read_csv(data_copy / "raw" / "import_log.csv", dtype=str, keep_default_na=False)
    said = log[log["detail"].str.contains("control character")]
    assert said[["file", "field"]].values.tolist() == [[said["file"].iloc[0], "title"]]
    assert said["file"].iloc[0].startswith("scopus.ris") and said["line"].iloc[0] == "1"


@pytest.mark.parametrize("source", ["Scopus\x00", "Web\x0bof Science", "Sco\npus", "   "])
def test_a_control_character_in_source_is_refused_naming_source(tmp_path, data_copy, source):
    before = tree_digest(data_copy)
    res = cli("import-records", EXPORTS / "scopus.ris", "--source", source, "--data", data_copy)
    assert res.returncode == 2 and "--source" in res.stderr and "records.csv" not in res.stderr
    assert tree_digest(data_copy) == before


def test_refworks_tab_export_columns(tmp_path):
    """RefWorks' tab-delimited export, written here from its column names (no public file was at hand)."""
    df0, _ = read(EXPORTS / "wos_savedrecs.txt")
    f = tmp_path / "refworks.txt"
    rows = ["Ref Type\tAuthors, Primary\tTitle Primary\tPeriodical Full\tPub Year\tVolume\tStart Page\tOther Pages\tDOI"]
    for r in df0.head(3).itertuples():
        rows.append(f"Journal Article\t{r.authors}\t{r.title}\t{r.journal}\t{r.year}\t{r.volume}\t12\t19\t{r.doi}")
    f.write_text("\n".join(rows) + "\n", encoding="utf-8")
    df, _ = read(f)
    assert df["title"].tolist() == df0["title"].head(3).tolist()
    assert df["authors"].tolist() == df0["authors"].head(3).tolist()
    assert df["journal"].tolist() == df0["journal"].head(3).tolist() and (df["pages"] == "12-19").all()
    assert df["year"].tolist() == df0["year"].head(3).tolist()


def test_openalex_csv_keeps_authors_and_journal(tmp_path):
    """OpenAlex's CSV download: authors joined with '|', the journal under primary_location (column names from
    OpenAlex's documentation of the Work object; no public export was at hand)."""
    f = tmp_path / "works-2026.csv"
    f.write_text("id,doi,title,display_name,publication_year,type,authorships.author.display_name,"
                 "primary_location.source.display_name,biblio.volume,biblio.first_page,biblio.last_page\n"
                 "https://openalex.org/W2741809807,https://doi.org/10.7717/peerj.4375,The state of OA,"
                 "The state of OA,2018,article,Heather Piwowar|Jason Priem|Vincent Larivière,PeerJ,6,e4375,\n",
                 encoding="utf-8")
    df, _ = read(f)
    r = df.iloc[0]
    assert (r["title"], r["doi"], r["year"], r["journal"], r["volume"], r["pages"]) == (
        "The state of OA", "10.7717/peerj.4375", "2018", "PeerJ", "6", "e4375")
    assert r["authors"] == "Heather Piwowar; Jason Priem; Vincent Larivière"


@pytest.mark.parametrize("value,doi", [
    ("10.1892/0891-6640(2003)017<0680:DPFICK>2.3.CO;2", "10.1892/0891-6640(2003)017<0680:dpfick>2.3.co;2"),
    ("https://doi.org/10.1892/0891-6640%282003%29017%3C0680%3ADPFICK%3E2.3.CO%3B2",
     "10.1892/0891-6640(2003)017<0680:dpfick>2.3.co;2"),
    ("https://doi.org/10.1016%2FS0140-6736%2820%2930183-5", "10.1016/s0140-6736(20)30183-5"),
    ('<a href="https://doi.org/10.1234/abc">10.1234/abc</a>', "10.1234/abc"),
])
def test_sici_and_url_encoded_dois_are_kept_whole(value, doi):
    assert base.clean_doi(value) == doi


def test_a_doi_only_in_ris_m3_is_taken_and_na_values_are_blanked(tmp_path):
    text = (EXPORTS / "scopus.ris").read_text(encoding="utf-8-sig")
    first = text.split("ER  -")[0]
    doi = re.search(r"^DO  - (.+)$", first, re.M).group(1).strip()
    body = re.sub(r"^DO  - .+\n", f"M3  - {doi}\n", first, flags=re.M)
    body = re.sub(r"^AB  - .+$", "AB  - NA", body, flags=re.M)
    f = tmp_path / "m3.ris"
    f.write_text(body + "ER  - \n", encoding="utf-8")
    df, report = read(f)
    assert df["doi"].iloc[0] == base.clean_doi(doi) and doi.lower() not in df["type"].iloc[0].lower()
    assert df["abstract"].iloc[0] == ""
    assert report[(report["field"] == "abstract") & (report["action"] == "blanked")]["detail"].str.contains("NA").any()


def test_an_xlsx_without_a_sheet_is_refused_naming_it(tmp_path):
    import openpyxl

    good = tmp_path / "good.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["Title", "Year"])
    wb.save(good)
    bad = tmp_path / "nosheet.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "xl/workbook.xml":
                data = re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", data, flags=re.S)
            zout.writestr(item, data)
    with pytest.raises(InputError) as err:
        read(bad)
    assert str(bad) in str(err.value) and "sheet" in str(err.value)


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, 6000), junk=st.binary(min_size=1, max_size=12), fmt=st.sampled_from(
    ["wos_savedrecs.txt", "pubmed-bluelight.nbib", "endnote-bluelight.xml", "scopus.ris", "embase_ovid.ris"]))
def test_damaged_real_exports_are_read_or_refused_never_a_traceback(tmp_path, cut, junk, fmt):
    data = (EXPORTS / fmt).read_bytes()
    cut = min(cut, len(data))
    f = tmp_path / fmt
    f.write_bytes(data[:cut] + junk + data[cut:])
    try:
        df, report = read(f)
    except InputError as exc:
        assert str(f) in str(exc)
        return
    assert len(df) >= 1 and set(report["action"]) <= {"read", "kept", "blanked", "skipped"}

