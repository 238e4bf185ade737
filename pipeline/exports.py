"""Readers for the files that databases and reference managers export.

``read_file`` picks the reader from the content (the extension only breaks ties), decodes
the bytes with the encoding it finds (a BOM, then strict UTF-8, then charset-normalizer),
and returns the records as one frame of text fields plus an import report.  One reader per
format, each small:

- RIS, every dialect (EndNote, Ovid, Cochrane, EBSCO, Scopus, ProQuest, Zotero, ...): rispy
- MEDLINE/PubMed (``.nbib``, PubMed's default ``pubmed-*.txt``) and ERIC's nbib
- Web of Science plain text (field-tagged, ``FN``/``PT``/``ER``)
- EndNote XML and the EndNote/refer tagged format (``%T``, ``%A``, ...)
- BibTeX (bibtexparser; LaTeX turned into Unicode with pylatexenc)
- CSV/TSV with any delimiter, XLSX, with header lines above the table; the column names
  of Covidence, Rayyan, Zotero, Lens, Scopus, Embase, CINAHL/EBSCO, EPPI-Reviewer, ASReview,
  PubMed, IEEE, Springer and Web of Science tab-delimited exports.

A bad value never refuses a good file: it is blanked and reported (file, line, field, what
was done).  Only a file that cannot be read at all is refused (``InputError``).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import InputError, require_file

FIELDS = ("title", "abstract", "authors", "year", "doi", "journal", "volume", "issue", "pages", "type",
          "language", "label", "database")
MAX_BYTES = 2_000_000_000
LINE_BREAK = re.compile(r"\r\n|\n|\r")  # not str.splitlines: U+2028 and friends occur inside abstracts
DOI_PATTERN = re.compile(r"10\.\d{4,9}/[^\s\"<>]+", re.IGNORECASE)
YEAR_PATTERN = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?=\d{4}(?!\d)|(?!\d))")  # also '20170812'



@dataclass
class Report:
    """What an import did with each file, record and field, for ``raw/import_log.csv``."""

    rows: list[dict] = field(default_factory=list)

    def add(self, file, line, fld, action, detail=""):
        self.rows.append({"file": str(file), "line": "" if line is None else str(line), "field": fld,
                          "action": action, "detail": str(detail)[:200]})

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=["file", "line", "field", "action", "detail"])


@dataclass
class Export:
    """One file as read: its records (text fields, one dict each), line of each record, and how it was read."""

    records: list[dict]
    lines: list
    format: str
    encoding: str


# --------------------------------------------------------------------------- bytes to text

def decode(data: bytes, path) -> tuple[str, str]:
    """Text and the name of the encoding used: BOM, strict UTF-8, else charset-normalizer's best guess."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                      (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError:
                break
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data[:2_000_000]))
    if not matches:
        raise InputError(path, "a text file in a known encoding (UTF-8, UTF-16, cp1252, GBK, ...); "
                         "this looks like binary data")
    # A few accented letters in an English export also read as two-byte Chinese, and the
    # detector cannot tell them apart on so little.  The bytes can: a single-byte code page puts
    # one non-ASCII byte between ASCII letters ('Éléments'), GBK, Big5 or Shift-JIS put pairs.
    runs = [len(m.group(0)) for m in re.finditer(rb"[\x80-\xff]+", data[:2_000_000])]
    if runs and sum(r == 1 for r in runs) >= 0.8 * len(runs):
        try:
            return data.decode("cp1252"), "cp1252"  # the Windows default behind Western exports
        except UnicodeDecodeError:
            pass
    encoding = matches[0].encoding
    try:
        return data.decode(encoding), encoding
    except (UnicodeDecodeError, LookupError):
        return data.decode(encoding, errors="replace"), f"{encoding} (with replacements)"


def lines_of(text: str) -> list[str]:
    return LINE_BREAK.split(text)


# --------------------------------------------------------------------------- format detection

def sniff(data: bytes, text: str | None, suffix: str) -> str:
    """The format from the content; the extension only decides between formats the content allows."""
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    if text is None:
        return "unknown"
    head = text[:20000].lstrip("\ufeff \t\r\n")
    if re.match(r"<\?xml|<xml>|<records>", head) and "<record" in head:
        return "endnote_xml"
    if re.search(r"^PT [A-Z]\s*$", head, re.M) and re.search(r"^(FN|VR|TI|AU) ", head, re.M):
        return "wos"
    if re.search(r"^TY  -", head, re.M):
        return "ris"
    if re.search(r"^PMID- ?\d*", head, re.M) or (re.search(r"^(OWN|TI|AU|FAU) {0,2}- ", head, re.M)
                                                and re.search(r"^[A-Z]{2,4} {0,3}- ", head, re.M)
                                                and not re.search(r"^ER  -", head, re.M)):
        return "medline"
    if re.search(r"^%[0A-Z] ", head, re.M):
        return "refer"
    if re.search(r"^\s*@\s*[A-Za-z]+\s*[{(]", head, re.M):
        return "bibtex"
    if suffix in (".ris",):
        return "ris"
    if suffix in (".bib", ".bibtex"):
        return "bibtex"
    return "table"


# --------------------------------------------------------------------------- field helpers

def clean_doi(value: str) -> str:
    """A bare lower-case DOI from whatever the field holds (URL, 'doi:', text around it), or ''."""
    m = DOI_PATTERN.search(value or "")
    if not m:
        return ""
    return m.group(0).rstrip(".,;:)]}'").lower()


def year_of(value: str) -> str:
    m = YEAR_PATTERN.search(value or "")
    return m.group(1) if m else ""


def pages_of(start: str, end: str) -> str:
    start, end = (start or "").strip(), (end or "").strip()
    return f"{start}-{end}" if start and end and end != start else start or end


def join(values) -> str:
    if values is None:
        return ""
    if isinstance(values, str):
        return values
    return "; ".join(str(v).strip() for v in values if str(v).strip())


def first(entry: dict, *keys) -> str:
    for k in keys:
        v = entry.get(k)
        if isinstance(v, list):
            v = v[0] if v else ""
        if v:
            return str(v)
    return ""


def label_from_notes(notes: str) -> str:
    """ASReview and Rayyan write screening decisions into the notes."""
    if not notes:
        return ""
    if "ASReview_relevant" in notes:
        return "1"
    if "ASReview_irrelevant" in notes:
        return "0"
    m = re.search(r"RAYYAN-INCLUSION:\s*\{([^}]*)\}", notes)
    if m:
        d = m.group(1)
        if "Included" in d and "Excluded" not in d and "Maybe" not in d:
            return "1"
        if "Excluded" in d and "Included" not in d and "Maybe" not in d:
            return "0"
    return ""


# --------------------------------------------------------------------------- RIS

def _ris_records(lines: list[str], path, report: Report) -> tuple[list[str], list[int]]:
    """Only what rispy can take: text between records (EndNote's '1.', a banner, a comment) is
    dropped, a record that lacks its 'ER' is closed at the next 'TY', and tags written with one
    space ('KW - x', 'PMID - 1') get the standard two."""
    out, starts, open_at, dropped = [], [], None, 0
    for n, line in enumerate(lines, 1):
        m = re.match(r"^([A-Z][A-Z0-9]{1,3})\s{1,2}-( |$)(.*)$", line)
        tag = m.group(1) if m and len(m.group(1)) == 2 else None
        if tag == "TY":
            if open_at is not None:
                out.append("ER  - ")
                report.add(path, open_at, "", "kept", "record without 'ER  -'; closed at the next 'TY  -'")
            open_at = n
            starts.append(n)
            out.append(f"TY  - {m.group(3)}")
        elif open_at is None:
            dropped += bool(line.strip())
        elif tag == "ER":
            out.append("ER  - ")
            open_at = None
        elif tag:
            out.append(f"{tag}  - {m.group(3)}")
        elif m:
            continue  # a tag RIS does not have ('PMID - ...'): nothing rispy could use
        else:
            out.append(line)
    if open_at is not None:
        out.append("ER  - ")
    if dropped:
        report.add(path, None, "", "kept", f"{dropped} line(s) outside any record ignored")
    return out, starts


def read_ris(text: str, path, report: Report) -> tuple[list[dict], list]:
    import rispy

    lines, starts = _ris_records(lines_of(text.lstrip("\ufeff")), path, report)
    try:
        entries = rispy.loads("\n".join(lines), skip_unknown_tags=False, enforce_list_tags=False)
    except Exception:  # noqa: BLE001 -- rispy fails on some malformed records: parse them one by one
        entries, kept = [], []
        bounds = [i for i, line in enumerate(lines) if line.startswith("TY  - ")] + [len(lines)]
        for k, (a, b) in enumerate(zip(bounds, bounds[1:])):
            try:
                entries += rispy.loads("\n".join(lines[a:b]), skip_unknown_tags=False, enforce_list_tags=False)
                kept.append(starts[k])
            except Exception:  # noqa: BLE001
                report.add(path, starts[k], "", "skipped", "a RIS record that cannot be parsed")
        starts = kept
    out = []
    for e in entries:
        notes = join(e.get("notes")) + " " + join(e.get("note")) + " " + join(e.get("research_notes"))
        doi = ""
        for k in ("doi", "related_records", "urls", "link_to_pdf", "file_attachments1", "file_attachments2",
                  "note", "notes", "custom1"):
            doi = clean_doi(join(e.get(k)))
            if doi:
                break
        unknown = e.get("unknown_tag") or {}
        if not doi and isinstance(unknown, dict):
            doi = clean_doi(join(unknown.get("L3")) or join(unknown.get("DI")))
        out.append({
            "title": first(e, "title", "primary_title", "translated_title"),
            "abstract": first(e, "abstract", "notes_abstract"),
            "authors": join(e.get("authors") or e.get("first_authors") or []),
            "year": first(e, "year", "publication_year", "date"),
            "doi": doi,
            "journal": first(e, "secondary_title", "journal_name", "alternate_title3", "alternate_title1",
                             "alternate_title2", "tertiary_title"),
            "volume": first(e, "volume"), "issue": first(e, "number"),
            "pages": pages_of(first(e, "start_page"), first(e, "end_page")),
            "type": first(e, "type_of_reference") + (" " + first(e, "type_of_work") if e.get("type_of_work") else ""),
            "language": first(e, "language"),
            "label": label_from_notes(notes),
            "database": first(e, "name_of_database", "database_provider"),
        })
    if len(starts) != len(out):
        starts = [None] * len(out)
    return out, starts


# --------------------------------------------------------------------------- MEDLINE / PubMed

def _tagged(lines, tag_re, cont_re, end_tag=None):
    """Generic tagged-record splitter: records separated by blank lines or an end tag."""
    recs, rec, last, start = [], {}, None, None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            if rec and end_tag is None:
                recs.append((start, rec))
                rec, last = {}, None
            continue
        m = tag_re.match(line)
        if m:
            tag, value = m.group(1), m.group(2).strip()
            if end_tag and tag == end_tag:
                if rec:
                    recs.append((start, rec))
                rec, last = {}, None
                continue
            if not rec:
                start = n
            last = tag
            rec.setdefault(tag, []).append(value)
        elif last and cont_re.match(line):
            rec[last][-1] += " " + line.strip()
    if rec:
        recs.append((start, rec))
    return recs


def read_medline(text: str, path) -> tuple[list[dict], list]:
    recs = _tagged(lines_of(text.lstrip("\ufeff")), re.compile(r"^([A-Z][A-Z0-9]{1,3}) {0,3}- ?(.*)$"),
                   re.compile(r"^\s+\S"))
    out, starts = [], []
    for start, r in recs:
        ids = r.get("LID", []) + r.get("AID", [])
        doi = next((clean_doi(i) for i in ids if "doi" in i.lower()), "")
        pt = r.get("PT", [])
        out.append({"title": " ".join(r.get("TI", []) or r.get("BTI", [])), "abstract": " ".join(r.get("AB", [])),
                    "authors": join(r.get("FAU") or r.get("AU") or []), "year": first(r, "DP", "DEP", "EDAT"),
                    "doi": doi, "journal": first(r, "JT", "TA", "SO"), "volume": first(r, "VI"),
                    "issue": first(r, "IP"), "pages": first(r, "PG"), "type": "; ".join(pt),
                    "language": first(r, "LA"), "label": "",
                    "database": {"NLM": "PubMed", "ERIC": "ERIC"}.get(first(r, "OWN"), "")})
        starts.append(start)
    return out, starts


# --------------------------------------------------------------------------- Web of Science plain text

def read_wos(text: str, path) -> tuple[list[dict], list]:
    recs = _tagged(lines_of(text.lstrip("\ufeff")), re.compile(r"^([A-Z][A-Z0-9]) ?(.*)$"), re.compile(r"^   \S"),
                   end_tag="ER")
    out, starts = [], []
    for start, r in recs:
        if set(r) <= {"FN", "VR", "EF"}:
            continue
        out.append({"title": " ".join(r.get("TI", [])), "abstract": " ".join(r.get("AB", [])),
                    "authors": join(r.get("AF") or r.get("AU") or []), "year": first(r, "PY", "EA", "PD"),
                    "doi": clean_doi(first(r, "DI", "DL")), "journal": first(r, "SO", "SE"),
                    "volume": first(r, "VL"), "issue": first(r, "IS"), "pages": pages_of(first(r, "BP"), first(r, "EP")),
                    "type": first(r, "DT", "PT"), "language": first(r, "LA"), "label": "",
                    "database": "Web of Science"})
        starts.append(start)
    return out, starts


# --------------------------------------------------------------------------- EndNote tagged (refer) and XML

def read_refer(text: str, path) -> tuple[list[dict], list]:
    recs = _tagged(lines_of(text.lstrip("\ufeff")), re.compile(r"^%([0-9A-Z@!#$&()*+^~>\[\]|?]) ?(.*)$"),
                   re.compile(r"^(?!%)\S"))
    out, starts = [], []
    for start, r in recs:
        out.append({"title": first(r, "T"), "abstract": " ".join(r.get("X", [])), "authors": join(r.get("A", [])),
                    "year": first(r, "D", "8"), "doi": clean_doi(first(r, "R") or " ".join(r.get("U", []))),
                    "journal": first(r, "J", "B"), "volume": first(r, "V"), "issue": first(r, "N"),
                    "pages": first(r, "P"), "type": first(r, "0"), "language": first(r, "G"), "label": "",
                    "database": first(r, "~", "W")})
        starts.append(start)
    return out, starts


def read_endnote_xml(data: bytes, path) -> tuple[list[dict], list]:
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException
    from xml.etree.ElementTree import ParseError

    try:
        root = ElementTree.fromstring(data, forbid_dtd=True)
    except (ParseError, DefusedXmlException) as exc:
        raise InputError(path, f"well-formed EndNote XML without a DTD ({exc})") from None

    def text(el, xpath):
        found = el.find(xpath)
        return "" if found is None else " ".join("".join(found.itertext()).split())

    def texts(el, xpath):
        return [" ".join("".join(f.itertext()).split()) for f in el.findall(xpath)]

    out = []
    for rec in root.iter("record"):
        ref_type = rec.find("ref-type")
        out.append({
            "title": text(rec, "titles/title"), "abstract": text(rec, "abstract"),
            "authors": join(texts(rec, "contributors/authors/author")),
            "year": text(rec, "dates/year"),
            "doi": clean_doi(text(rec, "electronic-resource-num") or " ".join(texts(rec, "urls/related-urls/url"))),
            "journal": text(rec, "titles/secondary-title") or text(rec, "periodical/full-title"),
            "volume": text(rec, "volume"), "issue": text(rec, "number"), "pages": text(rec, "pages"),
            "type": ref_type.get("name", "") if ref_type is not None else "",
            "language": text(rec, "language"), "label": "", "database": text(rec, "remote-database-name"),
        })
    return out, [None] * len(out)


# --------------------------------------------------------------------------- BibTeX

def read_bibtex(text: str, path, report: Report) -> tuple[list[dict], list]:
    import bibtexparser
    from bibtexparser.middlewares import LatexDecodingMiddleware

    library = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    entries = [(e.start_line, e) for e in library.entries]
    for block in library.failed_blocks:
        # A repeated field (Scopus does this) is a fault of the export, not of the record:
        # bibtexparser keeps the parsed entry in ``ignore_error_block``; the first value wins.
        entry = getattr(block, "ignore_error_block", None)
        if entry is not None and hasattr(entry, "fields_dict"):
            entry = LatexDecodingMiddleware().transform(bibtexparser.Library([entry])).entries[0]
            report.add(path, block.start_line + 1, "", "kept", f"{getattr(block, 'error', 'faulty entry')}; "
                       f"first value of a repeated field used")
            entries.append((block.start_line, entry))
        else:
            report.add(path, block.start_line + 1, "", "skipped", "unparseable BibTeX block: "
                       + " ".join(str(getattr(block, "raw", "")).split())[:80])
    entries.sort(key=lambda x: x[0])
    out, starts = [], []
    for start, e in entries:
        f: dict[str, str] = {}
        for fld in e.fields:
            f.setdefault(fld.key.lower(), " ".join(str(fld.value).split()))
        authors = [a.strip() for a in re.split(r"\s+and\s+", f.get("author", "")) if a.strip()]
        out.append({"title": f.get("title", "").replace("{", "").replace("}", ""), "abstract": f.get("abstract", ""),
                    "authors": "; ".join(authors), "year": f.get("year", "") or f.get("date", ""),
                    "doi": clean_doi(f.get("doi", "") or f.get("url", "")),
                    "journal": f.get("journal", "") or f.get("journaltitle", "") or f.get("booktitle", ""),
                    "volume": f.get("volume", ""), "issue": f.get("number", "") or f.get("issue", ""),
                    "pages": f.get("pages", "").replace("--", "-"), "type": e.entry_type.lower(),
                    "language": f.get("language", ""), "label": "", "database": f.get("source", "")})
        starts.append(start + 1)
    return out, starts


# --------------------------------------------------------------------------- tables

# Column names seen in exports, lower-cased, first match wins.
TABLE_FIELDS = {
    "title": ("title", "primary_title", "ti", "article title", "document title", "item title", "primary title",
              "titel"),
    "abstract": ("abstract", "ab", "abstract note", "notes_abstract", "abstracts"),
    "authors": ("authors", "author", "au", "author names", "author(s)", "author/s", "af", "author full names",
                "creator"),
    "year": ("year", "publication_year", "publication year", "published year", "py", "pubyear", "year published",
             "date", "publication date", "date of publication", "pubdate"),
    "doi": ("doi", "do", "di", "digital object identifier", "item doi", "doi link", "article doi"),
    "journal": ("journal", "secondary_title", "source title", "publication title", "jo", "journal/book", "so",
                "source", "journal title", "parenttitle", "publication", "journal name"),
    "volume": ("volume", "vl", "journal volume", "vol"),
    "issue": ("issue", "number", "is", "issue number", "journal issue"),
    "pages": ("pages", "pg", "page range"),
    "start_page": ("start page", "page start", "bp", "first page"),
    "end_page": ("end page", "page end", "ep", "last page"),
    "type": ("document type", "type", "item type", "publication type", "dt", "content type", "pt",
             "type_of_reference", "publication_type"),
    "language": ("language", "la", "lang", "language of original document"),
    "label": ("asreview_label", "included", "final_included", "label_included", "label", "decision",
              "included_final", "include"),
    "notes": ("notes", "note", "n1"),
    "database": ("database", "source database", "db", "name_of_database"),
}
LABEL_VALUES = {"1": "1", "1.0": "1", "0": "0", "0.0": "0", "-1": "", "": "", "i": "1", "e": "0", "y": "1",
                "n": "0", "yes": "1", "no": "0", "true": "1", "false": "0", "include": "1", "included": "1",
                "exclude": "0", "excluded": "0", "relevant": "1", "irrelevant": "0"}


def _header_row(rows: list[list[str]]) -> int:
    """Embase and others put lines above the table: the header is the first row naming a title column."""
    titles = set(TABLE_FIELDS["title"])
    for i, row in enumerate(rows[:50]):
        if any(str(c).strip().lower() in titles for c in row):
            return i
    return -1


def _rows_from_text(text: str, suffix: str) -> list[list[str]]:
    """Rows of a delimited table; the delimiter is the one that gives the widest header row."""
    csv.field_size_limit(2**31 - 1)
    text = text.lstrip("\ufeff")
    sample = "\n".join(lines_of(text)[:60])
    candidates = ["\t"] if suffix in (".tsv", ".tab") else [",", ";", "\t", "|"]

    def width(d):
        try:
            rows = list(csv.reader(io.StringIO(sample, newline=""), delimiter=d))
        except csv.Error:
            return -1
        h = _header_row(rows)
        return len(rows[h]) if h >= 0 else 0

    delimiter = max(candidates, key=width)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _rows_from_xlsx(path) -> list[list[str]]:
    import openpyxl
    from zipfile import BadZipFile

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, OSError, KeyError, ValueError) as exc:
        raise InputError(path, f"a readable XLSX workbook ({type(exc).__name__}: {exc})") from None
    sheet = wb.worksheets[0]
    rows = [["" if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
             for v in row] for row in sheet.iter_rows(values_only=True)]
    wb.close()
    return rows


def read_table(rows: list[list[str]], path, report: Report) -> tuple[list[dict], list]:
    h = _header_row(rows)
    if h < 0:
        raise InputError(path, f"a table with a title column in its first 50 rows (accepted names: "
                         f"{', '.join(TABLE_FIELDS['title'])})", column="title")
    if h > 0:
        report.add(path, h + 1, "", "kept", f"table starts on line {h + 1}; {h} line(s) above it skipped")
    header = [str(c).strip() for c in rows[h]]
    lower: dict[str, int] = {}
    for i, c in enumerate(header):
        lower.setdefault(c.lower().lstrip("\ufeff"), i)
    cols = {f: next((lower[n] for n in names if n in lower), None) for f, names in TABLE_FIELDS.items()}
    out, starts = [], []
    for n, row in enumerate(rows[h + 1:], h + 2):
        if not any(str(c).strip() for c in row):
            continue

        def get(f):
            i = cols[f]
            return str(row[i]).strip() if i is not None and i < len(row) else ""

        raw_label = get("label")
        label = LABEL_VALUES.get(raw_label.lower())
        if label is None:
            report.add(path, n, header[cols["label"]], "blanked", f"unknown label {raw_label!r}")
            label = ""
        label = label or label_from_notes(get("notes"))
        journal = get("journal")
        if cols["journal"] is not None and header[cols["journal"]].lower() == "source" and "(" in journal:
            journal = journal.split("(")[0].strip()  # Embase: "Cancer (2004) 102:4 (253-258). Date of ..."
        out.append({"title": get("title"), "abstract": get("abstract"), "authors": get("authors"), "year": get("year"),
                    "doi": clean_doi(get("doi")), "journal": journal, "volume": get("volume"), "issue": get("issue"),
                    "pages": get("pages") or pages_of(get("start_page"), get("end_page")), "type": get("type"),
                    "language": get("language"), "label": label, "database": get("database")})
        if not out[-1]["year"] and year_of(get("journal")):
            out[-1]["year"] = year_of(get("journal"))  # Embase's 'Source' carries the year
        starts.append(n)
    return out, starts


# --------------------------------------------------------------------------- front door

def read_file(path: Path, report: Report) -> Export:
    """Read one export, whatever its format and encoding; refuse only an unreadable file."""
    path = Path(path)
    require_file(path)
    if path.stat().st_size > MAX_BYTES:
        raise InputError(path, f"a file under {MAX_BYTES // 10**9} GB")
    data = path.read_bytes()
    if not data.strip():
        raise InputError(path, "an export with at least one record (the file is empty)")
    suffix = path.suffix.lower()
    if data[:4] == b"PK\x03\x04" or suffix in (".xlsx", ".xlsm"):
        recs, starts = read_table(_rows_from_xlsx(path), path, report)
        return Export(_frame(recs), starts, "xlsx", "binary (xlsx)")
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise InputError(path, "an XLSX, CSV or tagged text export (old binary .xls files: save as .xlsx)")
    text, encoding = decode(data, path)
    fmt = sniff(data, text, suffix)
    if fmt == "endnote_xml":
        recs, starts = read_endnote_xml(data if encoding.startswith("utf-8") else text.encode("utf-8"), path)
    elif fmt == "ris":
        recs, starts = read_ris(text, path, report)
    elif fmt == "medline":
        recs, starts = read_medline(text, path)
    elif fmt == "wos":
        recs, starts = read_wos(text, path)
    elif fmt == "refer":
        recs, starts = read_refer(text, path)
    elif fmt == "bibtex":
        recs, starts = read_bibtex(text, path, report)
    else:
        recs, starts = read_table(_rows_from_text(text, suffix), path, report)
    return Export(_frame(recs), starts, fmt, encoding)


def _frame(recs: list[dict]) -> list[dict]:
    """Every field of every record present, as stripped text."""
    return [{f: str(r.get(f) or "").strip() for f in FIELDS} for r in recs]
