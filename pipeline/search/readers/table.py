"""CSV/TSV with any delimiter and XLSX, with header lines above the table; the column names of
Covidence, Rayyan, Zotero, Lens, Scopus, Embase, CINAHL/EBSCO, EPPI-Reviewer, ASReview, PubMed, IEEE,
Springer and Web of Science tab-delimited exports.
"""

from __future__ import annotations

import csv
import io

from ...errors import InputError
from .base import Report, clean_doi, label_from_notes, lines_of, pages_of, year_of


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


def rows_from_text(text: str, suffix: str) -> list[list[str]]:
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


def rows_from_xlsx(path) -> list[list[str]]:
    """The rows of an XLSX workbook's first sheet, as text."""
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
    """Records of a table export, columns recognized by the names each tool uses (``TABLE_FIELDS``)."""
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
