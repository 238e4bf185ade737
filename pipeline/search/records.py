"""Search records: one export file as normalized records with stable ids, and the keys used to compare them.

Every record gets a stable id derived from its database, the export file's bytes and its
content, so re-importing the same file adds nothing, while the same study exported by two
databases, or in two files, becomes two records that deduplication then groups.
Readers live in ``exports`` and ``readers/``; duplicate detection in ``dedup``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..schemas import CONTROL  # what the data files refuse: cleaned out of records as they are read
from . import exports
from .readers.base import FIELDS, Report, clean_doi, year_of


RECORD_COLUMNS = ["record_id", "source", "source_type", "title", "abstract", "authors", "year", "doi", "journal",
                  "volume", "issue", "pages", "type", "language", "keywords", "label", "imported_from", "duplicate_of",
                  "duplicate_reason"]
# Letters that Unicode does not decompose into a base letter and an accent.
FOLD = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "ł": "l", "Ł": "L", "ß": "ss", "đ": "d", "Đ": "D",
                      "þ": "th", "Þ": "TH", "œ": "oe", "Œ": "OE", "ı": "i", "ð": "d", "Ð": "D"})
PARTICLES = {"van", "von", "de", "der", "den", "del", "della", "di", "da", "dos", "das", "du", "la", "le", "ten",
             "ter", "op", "het", "y", "al", "el", "bin", "ibn", "mac", "st", "zu", "vander", "vanden"}


def fold(text: str) -> str:
    """Lower-case ASCII-ish letters: accents removed, ø/æ/ł/ß and the like spelled out."""
    text = text or ""
    if text.isascii():  # most of a bibliography: nothing to decompose
        return text.lower()
    t = unicodedata.normalize("NFKD", text.translate(FOLD)).casefold()
    return "".join(ch for ch in t if not unicodedata.combining(ch))


def normalize_doi(doi: str) -> str:
    """A DOI as compared: bare and lower case, or ''."""
    return clean_doi(doi)


WORD = re.compile(r"\w+")
# Whole values that say a value is missing: R's and pandas' writers, databases' placeholders.
MISSING = {"NA", "N/A", "n/a", "N/a", "NULL", "null", "nan", "NaN", "None", "#N/A", "[No abstract available]",
           "No abstract available", "No abstract available.", "[No abstract]"}
LETTERS = re.compile(r"[^\W\d_]+")


def normalize_title(title: str) -> str:
    """Case- and accent-folded letters and digits of any script, single-spaced."""
    return " ".join(WORD.findall(fold(title)))


def split_authors(authors: str) -> list[str]:
    """Author names from 'A; B', 'A and B', or a comma list ('Liu R., Adler D.G.', 'Ana Gomez, Tom Weber')."""
    text = authors or ""
    if ";" in text or re.search(r"\s+and\s+", text):
        return [a.strip() for a in re.split(r";|\s+and\s+", text) if a.strip()]
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if len(parts) > 2 or (len(parts) == 2 and all(len(p.split()) >= 2 for p in parts)):
        return parts  # a comma can only separate family and given name once
    return [text.strip()] if text.strip() else []


def _is_initials(word: str) -> bool:
    bare = word.strip(".-")
    return 0 < len(bare) <= 3 and (bare.isupper() or (len(bare) == 1 and word.endswith(".")))


def family_name(author: str) -> str:
    """The family name's last word, folded: 'Van Schil, P' -> 'schil', 'Liu R.' -> 'liu', 'Ana Gomez' -> 'gomez'."""
    a = (author or "").strip()
    if "," in a:
        family = a.split(",")[0]
    else:
        words = a.replace(".", ". ").split()
        trailing = 0
        while trailing < len(words) - 1 and _is_initials(words[len(words) - 1 - trailing]):
            trailing += 1  # "Liu R.", "Adler DG", "Van Schil P": initials come last (Vancouver style)
        family = " ".join(words[:len(words) - trailing]) if trailing else (words[-1] if words else "")
    words = LETTERS.findall(fold(family))
    parts = [w for w in words if w not in PARTICLES] or words
    return parts[-1] if parts else ""


def first_author_key(authors: str) -> str:
    """The first author's folded family name, as compared."""
    names = split_authors(authors)
    return family_name(names[0]) if names else ""


def file_digest(path: Path) -> str:
    """A short digest of an export file's bytes (part of its records' ids)."""
    h = hashlib.sha256()
    with Path(path).open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def record_id(rec: dict, file_key: str = "") -> str:
    """Stable id from the record's source, its export file and content (same file, same ids)."""
    key = "\x1f".join([rec["source"], file_key, normalize_title(rec["title"]), rec["year"], rec["authors"],
                       rec["doi"]])
    return "R" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


def read_export(path: Path, source: str | None, source_type: str = "database",
                report: Report | None = None) -> pd.DataFrame:
    """One export file as normalized records with stable ids; every change to a value is reported.

    ``source`` names the database; when it is ``None`` the file must name it (RIS ``DB``/``DP``,
    MEDLINE's owner, Web of Science), record by record.
    """
    path = Path(path)
    report = report if report is not None else Report()
    export = exports.read_file(path, report)
    rows, lines = [], []
    missing: dict[str, int] = {}
    for i, rec in enumerate(export.records):
        line = export.lines[i] if i < len(export.lines) else None
        for fld, value in rec.items():
            if value in MISSING:
                rec[fld] = ""
                missing[fld] = missing.get(fld, 0) + 1
            elif CONTROL.search(value):
                rec[fld] = " ".join(CONTROL.sub(" ", value).split())
                report.add(path, line, fld, "kept", f"{len(CONTROL.findall(value))} control character(s) "
                           f"(NUL, vertical tab, ...) replaced by spaces")
        if not (rec["title"] or rec["abstract"] or rec["authors"] or rec["doi"]):
            report.add(path, line, "", "skipped", "empty record (no title, abstract, authors or DOI)")
            continue
        year = year_of(rec["year"])
        if rec["year"] and not year:
            report.add(path, line, "year", "blanked", f"no four-digit year in {rec['year']!r}")
        rec["year"] = year
        if not rec["title"]:
            report.add(path, line, "title", "kept", "record without a title")
        rows.append(rec)
        lines.append(line)
    for fld, n in missing.items():
        report.add(path, None, fld, "blanked", f"{n} value(s) that say the value is missing ('NA', 'N/A', "
                   f"'[No abstract available]', ...) read as empty")
    df = pd.DataFrame(rows, columns=list(FIELDS))
    df["keywords"] = df["keywords"].fillna("")  # readers of formats without keywords leave them out
    if source:
        df["source"] = source
    else:
        named = df["database"].where(df["database"] != "")
        if len(df) and named.isna().all():
            raise InputError(path, "a database name: this file does not name its database, so give it with "
                             "--source NAME (for example --source Scopus)")
        df["source"] = named.fillna(named.mode().iloc[0]) if len(df) else ""
    df["source_type"], df["imported_from"] = source_type, path.name
    df["duplicate_of"], df["duplicate_reason"] = "", ""
    digest = file_digest(path)
    ids = [record_id({"source": s, "title": t, "year": y, "authors": a, "doi": d}, digest)
           for s, t, y, a, d in zip(df["source"], df["title"], df["year"], df["authors"], df["doi"])]
    # Identical records inside one export stay separate (and are then flagged as duplicates):
    # the k-th repeat gets "-k", which is stable as long as the export is.
    seen: dict[str, int] = {}
    for i, rid in enumerate(ids):
        seen[rid] = seen.get(rid, 0) + 1
        if seen[rid] > 1:
            ids[i] = f"{rid}-{seen[rid] - 1}"
    df["record_id"] = ids
    report.add(path, None, "", "read", f"{len(df)} records; format {export.format}; encoding {export.encoding}; "
               f"source {', '.join(sorted(df['source'].unique())) or '-'}")
    return df[RECORD_COLUMNS]
