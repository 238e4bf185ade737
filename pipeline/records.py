"""Search records: import from database exports, normalize, and find duplicates.

Readers: RIS (rispy), BibTeX (bibtexparser), MEDLINE/PubMed ``.nbib``, and CSV/TSV/XLSX
exports (ASReview LAB with its label columns, Rayyan, Covidence, generic).  Every record gets
a stable id derived from its content, so re-importing the same export adds nothing.

Duplicates are never deleted: they stay in the records table with ``duplicate_of`` set, and
each group is written to a review file with the kept record and the reason.  Matching is an
exact DOI, then normalized title + year + first author with rapidfuzz inside blocks of
(year, first-author key), so the work grows with block sizes, not with the square of the
corpus.  A reviewer's override (``not_duplicate`` or ``duplicate`` for a pair) wins on every run.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError

RECORD_COLUMNS = ["record_id", "source", "source_type", "title", "abstract", "authors", "year", "doi", "journal",
                  "language", "label", "imported_from", "duplicate_of", "duplicate_reason"]
SOURCE_TYPES = ("database", "register", "website", "organisation", "citation")
TITLE_THRESHOLD = 90.0  # rapidfuzz ratio (0-100) for titles in the same block

# Column names seen in exports, lower-cased; first match wins.
CSV_FIELDS = {
    "title": ("title", "primary_title", "ti", "article title", "document title"),
    "abstract": ("abstract", "ab", "notes_abstract"),
    "authors": ("authors", "author", "au", "author names", "author(s)"),
    "year": ("year", "publication_year", "published year", "py", "publication year", "date"),
    "doi": ("doi", "do", "digital object identifier"),
    "journal": ("journal", "secondary_title", "source title", "publication title", "jo", "journal/book", "source"),
    "language": ("language", "la", "lang"),
    "label": ("asreview_label", "final_included", "label_included", "included", "label"),
}


# --------------------------------------------------------------------------- readers

def _ris_check(text: str, path: Path) -> None:
    """rispy skips what it cannot parse; refuse instead, naming the line."""
    open_record = None
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        tag = re.match(r"^([A-Z][A-Z0-9])  -( |$)", line)
        if tag is None:
            if open_record is None and re.match(r"^\s*\d+\.\s*$", line):
                continue  # EndNote numbers its records ("1.") between them
            if open_record is None:
                raise InputError(path, "a RIS tag line 'XX  - value' (outside any record)", row=n,
                                 value=line[:60])
            continue  # continuation of a long field
        if tag.group(1) == "TY":
            if open_record is not None:
                raise InputError(path, f"'ER  -' closing the record that starts on line {open_record}", row=n)
            open_record = n
        elif tag.group(1) == "ER":
            open_record = None
        elif open_record is None:
            raise InputError(path, "'TY  -' starting a record before other tags", row=n, value=line[:60])
    if open_record is not None:
        raise InputError(path, f"'ER  -' closing the record that starts on line {open_record}")


def read_ris(path: Path) -> pd.DataFrame:
    import rispy

    text = Path(path).read_text(encoding="utf-8-sig")
    _ris_check(text, path)
    entries = rispy.loads(text)
    return pd.DataFrame([{
        "title": e.get("title") or e.get("primary_title") or "",
        "abstract": e.get("abstract") or e.get("notes_abstract") or "",
        "authors": "; ".join(e.get("authors") or e.get("first_authors") or []),
        "year": (e.get("year") or e.get("publication_year") or "")[:4],
        "doi": e.get("doi", ""),
        "journal": (e.get("secondary_title") or e.get("journal_name") or e.get("alternate_title3")
                    or e.get("alternate_title1") or ""),
        "language": e.get("language", ""),
    } for e in entries])


def read_bibtex(path: Path) -> pd.DataFrame:
    import bibtexparser

    library = bibtexparser.parse_string(Path(path).read_text(encoding="utf-8-sig"))
    if library.failed_blocks:
        block = library.failed_blocks[0]
        raise InputError(path, f"a well-formed BibTeX entry ({getattr(block, 'error', 'parse error')})",
                         row=getattr(block, "start_line", -1) + 1)
    rows = []
    for e in library.entries:
        f = {k.lower(): str(v.value) for k, v in e.fields_dict.items()}
        authors = [a.strip() for a in re.split(r"\s+and\s+", f.get("author", "")) if a.strip()]
        rows.append({"title": f.get("title", "").strip("{}"), "abstract": f.get("abstract", ""),
                     "authors": "; ".join(authors), "year": f.get("year", "")[:4], "doi": f.get("doi", ""),
                     "journal": f.get("journal", f.get("booktitle", "")), "language": f.get("language", "")})
    return pd.DataFrame(rows)


def read_nbib(path: Path) -> pd.DataFrame:
    """MEDLINE/PubMed format: 4-character tags, continuation lines indented by six spaces."""
    text = Path(path).read_text(encoding="utf-8-sig")
    rows, rec, last = [], {}, None
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            if rec:
                rows.append(rec)
            rec, last = {}, None
            continue
        m = re.match(r"^([A-Z]{1,4})\s*- (.*)$", line)
        if m:
            last = m.group(1)
            rec.setdefault(last, []).append(m.group(2).strip())
        elif line.startswith("      ") and last:
            rec[last][-1] += " " + line.strip()
        else:
            raise InputError(path, "a MEDLINE tag line 'TAG - value' or an indented continuation", row=n,
                             value=line[:60])
    if rec:
        rows.append(rec)
    out = []
    for r in rows:
        ids = r.get("LID", []) + r.get("AID", [])
        doi = next((i.split(" ")[0] for i in ids if i.endswith("[doi]")), "")
        out.append({"title": " ".join(r.get("TI", [])), "abstract": " ".join(r.get("AB", [])),
                    "authors": "; ".join(r.get("FAU", r.get("AU", []))), "year": (r.get("DP", [""])[0])[:4],
                    "doi": doi, "journal": (r.get("JT", r.get("TA", [""]))[0]), "language": (r.get("LA", [""])[0])})
    return pd.DataFrame(out)


def read_table_export(path: Path) -> pd.DataFrame:
    """CSV/TSV/XLSX exports (ASReview LAB, Rayyan, Covidence, generic): columns found by their usual names."""
    suffix = Path(path).suffix.lower()
    try:
        if suffix in (".xlsx", ".xls"):
            df = pd.read_excel(path, dtype=str).fillna("")
        else:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                             sep="\t" if suffix in (".tsv", ".tab") else ",")
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(path, f"a readable CSV, TSV or XLSX export ({exc})") from None
    lower = {c.strip().lower(): c for c in df.columns}
    out = pd.DataFrame(index=df.index)
    for field, names in CSV_FIELDS.items():
        col = next((lower[n] for n in names if n in lower), None)
        if field == "title" and col is None:
            raise InputError(path, f"a title column (accepted names: {', '.join(names)})", column="title")
        out[field] = df[col].astype(str) if col else ""
    out["year"] = out["year"].str.extract(r"(\d{4})", expand=False).fillna("")
    out["label"] = out["label"].replace({"1.0": "1", "0.0": "0", "-1": ""})
    if "notes" in lower:  # Rayyan keeps reviewers' decisions in the notes: RAYYAN-INCLUSION: {"A"=>"Included"}
        decisions = df[lower["notes"]].str.extract(r"RAYYAN-INCLUSION:\s*\{([^}]*)\}", expand=False).fillna("")
        rayyan = decisions.map(lambda d: "" if not d else ("1" if "Excluded" not in d and "Maybe" not in d
                                                           else "0" if "Included" not in d and "Maybe" not in d
                                                           else ""))
        out["label"] = out["label"].where(out["label"] != "", rayyan)
    return out.reset_index(drop=True)


READERS = {".ris": read_ris, ".txt": read_ris, ".bib": read_bibtex, ".bibtex": read_bibtex, ".nbib": read_nbib,
           ".medline": read_nbib, ".csv": read_table_export, ".tsv": read_table_export, ".tab": read_table_export,
           ".xlsx": read_table_export, ".xls": read_table_export}


def read_export(path: Path, source: str, source_type: str = "database") -> pd.DataFrame:
    """One export file as normalized records with stable ids."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "file not found")
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise InputError(path, f"a RIS, BibTeX, nbib, CSV, TSV or XLSX export (by extension: "
                         f"{', '.join(sorted(READERS))})")
    df = reader(path)
    for col in ("title", "abstract", "authors", "year", "doi", "journal", "language", "label"):
        if col not in df.columns:
            df[col] = ""
        df[col] = df[col].fillna("").astype(str).str.strip()
    df["doi"] = df["doi"].map(normalize_doi)
    df["source"], df["source_type"], df["imported_from"] = source, source_type, path.name
    df["duplicate_of"], df["duplicate_reason"] = "", ""
    ids = [record_id(r) for r in df.to_dict("records")]
    # Identical records inside one export stay separate (and are then flagged as duplicates):
    # the k-th repeat gets "-k", which is stable as long as the export is.
    seen: dict[str, int] = {}
    for i, rid in enumerate(ids):
        seen[rid] = seen.get(rid, 0) + 1
        if seen[rid] > 1:
            ids[i] = f"{rid}-{seen[rid] - 1}"
    df["record_id"] = ids
    return df[RECORD_COLUMNS]


# --------------------------------------------------------------------------- normalization

def normalize_doi(doi: str) -> str:
    doi = (doi or "").strip().lower()
    return re.sub(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", "", doi)


def normalize_title(title: str) -> str:
    """Case- and accent-folded letters and digits of any script, single-spaced."""
    t = unicodedata.normalize("NFKD", title or "").casefold()
    t = "".join(ch for ch in t if not unicodedata.combining(ch))
    return " ".join(re.findall(r"\w+", t))


def first_author_key(authors: str) -> str:
    first = (authors or "").split(";")[0].strip()
    surname = first.split(",")[0] if "," in first else (first.split()[-1] if first.split() else "")
    return normalize_title(surname).replace(" ", "")


def record_id(rec: dict) -> str:
    """Stable id from the record's source and content (same export, same ids)."""
    key = "\x1f".join([rec["source"], normalize_title(rec["title"]), rec["year"], rec["authors"], rec["doi"]])
    return "R" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


# --------------------------------------------------------------------------- deduplication

def find_duplicates(records: pd.DataFrame, overrides: pd.DataFrame | None = None,
                    threshold: float = TITLE_THRESHOLD) -> pd.DataFrame:
    """Duplicate groups: one row per record in a group, with the kept record and the reason.

    The kept record is the earliest in table order (so records already in the corpus keep
    their place).  ``overrides`` has columns ``record_a, record_b, decision`` with decision
    ``not_duplicate`` (the pair is never merged) or ``duplicate`` (always merged).
    """
    from rapidfuzz import fuzz, process

    n = len(records)
    parent = np.arange(n)
    reason = {}

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    blocked = set()
    index = {rid: i for i, rid in enumerate(records["record_id"])}
    if overrides is not None:
        for o in overrides.to_dict("records"):
            a, b = index.get(o["record_a"]), index.get(o["record_b"])
            if a is not None and b is not None and o["decision"] == "not_duplicate":
                blocked.add((min(a, b), max(a, b)))

    def union(i, j, why):
        if (min(i, j), max(i, j)) in blocked:
            return
        ri, rj = find(i), find(j)
        if ri != rj:
            keep, drop = min(ri, rj), max(ri, rj)
            parent[drop] = keep
            reason[(min(i, j), max(i, j))] = why

    doi = records["doi"].to_numpy()
    has_doi = doi != ""
    with_doi = np.nonzero(has_doi)[0]
    codes, _ = pd.factorize(doi[with_doi])
    _, first_pos = np.unique(codes, return_index=True)
    first_of = with_doi[first_pos[codes]]
    for i, first in zip(with_doi, first_of):
        if i != first:
            union(first, i, "same DOI")

    titles = records["title"].map(normalize_title).to_numpy()
    blocks = pd.Series(records["year"].astype(str) + "|" + records["authors"].map(first_author_key))
    for _, idx in blocks.groupby(blocks.to_numpy()).indices.items():
        if len(idx) < 2:
            continue
        scores = process.cdist(titles[idx], titles[idx], scorer=fuzz.ratio, score_cutoff=threshold, workers=1)
        ii, jj = np.nonzero(np.triu(scores, 1))
        for a, b in zip(ii, jj):
            i, j = idx[a], idx[b]
            if titles[i] and titles[j] and not (has_doi[i] and has_doi[j] and doi[i] != doi[j]):
                union(i, j, f"title+year+first author (similarity {scores[a, b]:.1f})")

    if overrides is not None:
        for o in overrides.to_dict("records"):
            a, b = index.get(o["record_a"]), index.get(o["record_b"])
            if a is not None and b is not None and o["decision"] == "duplicate":
                union(a, b, "reviewer override: duplicate")

    roots = np.array([find(i) for i in range(n)])
    counts = np.bincount(roots, minlength=n)
    rows = []
    ids = records["record_id"].to_numpy()
    pair_reason = {}
    for (i, j), why in reason.items():
        pair_reason.setdefault(j, why)
        pair_reason.setdefault(i, why)
    for i in np.nonzero(counts[roots] > 1)[0]:
        rows.append({"group": ids[roots[i]], "record_id": ids[i], "kept_record": ids[roots[i]],
                     "kept": bool(roots[i] == i), "reason": "" if roots[i] == i else pair_reason.get(i, "same group"),
                     "title": records["title"].iloc[i], "year": records["year"].iloc[i],
                     "source": records["source"].iloc[i]})
    return pd.DataFrame(rows, columns=["group", "record_id", "kept_record", "kept", "reason", "title", "year",
                                       "source"])


def mark_duplicates(records: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """Set ``duplicate_of`` and ``duplicate_reason`` from the groups (nothing is removed)."""
    out = records.copy()
    out["duplicate_of"], out["duplicate_reason"] = "", ""
    if groups.empty:
        return out
    dup = groups[~groups["kept"].astype(bool)].set_index("record_id")
    mask = out["record_id"].isin(dup.index)
    out.loc[mask, "duplicate_of"] = out.loc[mask, "record_id"].map(dup["kept_record"])
    out.loc[mask, "duplicate_reason"] = out.loc[mask, "record_id"].map(dup["reason"])
    return out
