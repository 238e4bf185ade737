"""CSV/TSV with any delimiter and XLSX, with header lines above the table; the column names of
Covidence, Rayyan, Zotero, Lens, Scopus, Embase, CINAHL/EBSCO, EPPI-Reviewer, ASReview, PubMed, IEEE,
Springer and Web of Science tab-delimited exports.
"""

from __future__ import annotations

import csv
import io
import re

from ...errors import InputError
from .base import Report, clean_doi, label_from_notes, lines_of, pages_of, reviewer_labels, year_of, keywords_of


# Column names seen in exports, lower-cased, first match wins.
TABLE_FIELDS = {
    "title": ("title", "primary_title", "ti", "article title", "document title", "item title", "primary title",
              "titel", "title primary"),
    "abstract": ("abstract", "ab", "abstract note", "notes_abstract", "abstracts"),
    "authors": ("authors", "author", "au", "author names", "author(s)", "author/s", "af", "author full names",
                "creator", "authors, primary", "authorships.author.display_name"),
    "year": ("year", "publication_year", "publication year", "published year", "py", "pubyear", "year published",
             "date", "publication date", "date of publication", "pubdate", "pub year"),
    "doi": ("doi", "do", "di", "digital object identifier", "item doi", "doi link", "article doi", "ids.doi"),
    "journal": ("journal", "secondary_title", "source title", "publication title", "jo", "journal/book", "so",
                "source", "journal title", "parenttitle", "publication", "journal name", "periodical full",
                "periodical abbrev", "primary_location.source.display_name", "host_venue.display_name"),
    "volume": ("volume", "vl", "journal volume", "vol", "biblio.volume"),
    "issue": ("issue", "number", "is", "issue number", "journal issue", "biblio.issue"),
    "pages": ("pages", "pg", "page range"),
    "start_page": ("start page", "page start", "bp", "first page", "biblio.first_page"),
    "end_page": ("end page", "page end", "ep", "last page", "biblio.last_page", "other pages"),
    "type": ("document type", "type", "item type", "publication type", "dt", "content type", "pt",
             "type_of_reference", "publication_type", "ref type", "reference type"),
    "language": ("language", "la", "lang", "language of original document"),
    "keywords": ("keywords", "author keywords", "author_keywords", "keyword", "kw", "de", "index keywords",
                 "mesh terms", "manual tags", "automatic tags"),
    "label": ("asreview_label", "included", "final_included", "label_included", "label", "decision",
              "included_final", "include"),
    "notes": ("notes", "note", "n1"),
    "database": ("database", "source database", "db", "name_of_database"),
    "key": ("record_id",),
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


LINE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+$")  # lines with their ends; U+2028 stays inside


def rows_from_text(text: str, suffix: str, path=None, report: Report | None = None) -> tuple[list[list[str]], list]:
    """Rows of a delimited table and the line each starts on; the delimiter is the one that gives the
    widest header row.  An unbalanced quote is found and read as a literal quote (``_parse``)."""
    csv.field_size_limit(2**31 - 1)
    text = text.lstrip("\ufeff")
    sample = "\n".join(lines_of(text)[:60])
    candidates = ["\t"] if suffix in (".tsv", ".tab") else [",", ";", "\t", "|"]

    def header(d):
        try:
            rows = list(csv.reader(io.StringIO(sample, newline=""), delimiter=d))
        except csv.Error:
            return []
        h = _header_row(rows)
        return rows[h] if h >= 0 else []

    delimiter = max(candidates, key=lambda d: len(header(d)))
    return _parse(LINE.findall(text), delimiter, len(header(delimiter)), path, report or Report())


def _parse(lines: list[str], delimiter: str, width: int, path, report: Report) -> tuple[list[list[str]], list]:
    """Rows and their first lines.  A quote that opens a value and does not close where it should
    either garbles its own line or swallows the lines after it into one value.  When each of those
    lines, read alone, is a whole row of the table (after taking out at most one quote that does not
    pair), that is what they are; what was done is reported with the line."""
    fed = [0]

    def feed():
        for line in lines:
            fed[0] += 1
            yield line

    rows, starts, end = [], [], 0
    for row in csv.reader(feed(), delimiter=delimiter):
        start, end = end, fed[0]  # the row came from lines[start:end]
        if width >= 2 and (end - start > 1 or (len(row) != width and any(c.strip() for c in row))):
            alone = [_alone(line, delimiter, width) for line in lines[start:end]]
            if all(alone) and (len(row) != width or end - start > 1):
                for k, (fixed, quote) in enumerate(alone):
                    if quote is not None:
                        report.add(path, start + k + 1, f"column {quote}", "kept",
                                   "unbalanced quote taken out" + (f"; lines {start + 2}-{end} were inside it and are "
                                                                   f"read as their own {end - start - 1} record(s)"
                                                                   if k == 0 and end - start > 1 else ""))
                rows += [fixed for fixed, _ in alone]
                starts += range(start + 1, end + 1)
                continue
        rows.append(row)
        starts.append(start + 1)
    return rows, starts


def _alone(line: str, delimiter: str, width: int) -> tuple[list[str], int | None] | None:
    """One line as one row of ``width`` values, as it is or with one of its quotes taken out (then also
    the column that quote was in), or None."""
    line = line.rstrip("\r\n")
    row = next(csv.reader([line], delimiter=delimiter), [])
    if len(row) == width:
        return row, None
    quotes = [i for i, c in enumerate(line) if c == '"'][:20]
    for q in quotes:
        row = next(csv.reader([line[:q] + line[q + 1:]], delimiter=delimiter), [])
        if len(row) == width:
            column = max(1, len(next(csv.reader([line[:q]], delimiter=delimiter, quoting=csv.QUOTE_NONE), [])))
            return row, column
    return None


def rows_from_xlsx(path) -> list[list[str]]:
    """The rows of an XLSX workbook's first sheet, as text."""
    import openpyxl
    from zipfile import BadZipFile

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, OSError, KeyError, ValueError) as exc:
        raise InputError(path, f"a readable XLSX workbook ({type(exc).__name__}: {exc})") from None
    if not wb.worksheets:
        wb.close()
        raise InputError(path, "an XLSX workbook with a sheet (this one has none)")
    sheet = wb.worksheets[0]
    rows = [["" if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
             for v in row] for row in sheet.iter_rows(values_only=True)]
    wb.close()
    return rows


def read_table(rows: list[list[str]], path, report: Report, lines: list | None = None) -> tuple[list[dict], list]:
    """Records of a table export, columns recognized by the names each tool uses (``TABLE_FIELDS``);
    ``lines`` are the lines the rows start on (a row per line when not given)."""
    lines = lines or list(range(1, len(rows) + 1))
    h = _header_row(rows)
    if h < 0:
        raise InputError(path, f"a table with a title column in its first 50 rows (accepted names: "
                         f"{', '.join(TABLE_FIELDS['title'])})", column="title")
    if h > 0:
        report.add(path, lines[h], "", "kept", f"table starts on line {lines[h]}; {h} row(s) above it skipped")
    header = [str(c).strip() for c in rows[h]]
    named = max((i + 1 for i, c in enumerate(header) if c), default=0)  # columns with a name
    lower: dict[str, int] = {}
    for i, c in enumerate(header):
        lower.setdefault(c.lower().lstrip("\ufeff"), i)
    cols = {f: next((lower[n] for n in names if n in lower), None) for f, names in TABLE_FIELDS.items()}
    out, starts = [], []
    for row, n in zip(rows[h + 1:], lines[h + 1:]):
        if not any(str(c).strip() for c in row):
            continue

        if len(row) < named or any(str(c).strip() for c in row[len(header):]):
            report.add(path, n, "", "kept", f"{len(row)} values where the header has {named}: values may "
                       f"be in the wrong columns (check the quotes on this line)")

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
        authors = get("authors")
        if "|" in authors and ";" not in authors:
            authors = "; ".join(a.strip() for a in authors.split("|"))  # OpenAlex joins names with '|'
        out.append({"title": get("title"), "abstract": get("abstract"), "authors": authors, "year": get("year"),
                    "doi": clean_doi(get("doi")), "journal": journal, "volume": get("volume"), "issue": get("issue"),
                    "pages": get("pages") or pages_of(get("start_page"), get("end_page")), "type": get("type"),
                    "language": get("language"), "keywords": keywords_of(get("keywords")), "label": label, "database": get("database"), "key": get("key"),
                    "reviewers": reviewer_labels(get("notes"))})
        if not out[-1]["year"] and year_of(get("journal")):
            out[-1]["year"] = year_of(get("journal"))  # Embase's 'Source' carries the year
        starts.append(n)
    return out, starts
