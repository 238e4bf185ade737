"""What every reader shares: the record fields, the import report and the field clean-ups."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd


FIELDS = ("title", "abstract", "authors", "year", "doi", "journal", "volume", "issue", "pages", "type",
          "language", "keywords", "label", "database", "key", "reviewers")
# key: a table's own record_id column (for `simulate`); reviewers: each reviewer's decision, 'Ana=include;Bo=exclude'
# (Rayyan), for `screen --labels`.  Neither goes into raw/records.csv.
LINE_BREAK = re.compile(r"\r\n|\n|\r")  # not str.splitlines: U+2028 and friends occur inside abstracts
# A DOI's suffix may hold anything but white space; '<' and '>' occur only in SICI-based DOIs, as one
# '<page:code>' segment ('10.1892/0891-6640(2003)017<0680:DPFICK>2.3.CO;2'), and elsewhere end the DOI
# (HTML around it).
DOI_PATTERN = re.compile(r"10\.\d{4,9}/(?:[^\s\"<>]|<[0-9A-Za-z.]+:[0-9A-Za-z]+>)+", re.IGNORECASE)
URL_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
QUERY_REST = re.compile(r"&[A-Za-z_]+=.*$")
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


def lines_of(text: str) -> list[str]:
    """Lines split at line ends only (never at U+2028 inside an abstract)."""
    return LINE_BREAK.split(text)


def clean_doi(value: str) -> str:
    """A bare lower-case DOI from whatever the field holds (URL, URL-encoded, 'doi:', text around it), or ''."""
    value = value or ""
    if URL_ESCAPE.search(value):
        from urllib.parse import unquote

        value = unquote(value)  # 'https://doi.org/10.1002%2F%28SICI%291097-...'
    m = DOI_PATTERN.search(value)
    if not m:
        return ""
    doi = QUERY_REST.sub("", m.group(0))  # '...?doi=10.1016/j.x.2019.1&partnerID=40' (Scopus' record URLs)
    return doi.rstrip(".,;:)]}'").lower()


def year_of(value: str) -> str:
    """The first plausible four-digit year in a field, or ''."""
    m = YEAR_PATTERN.search(value or "")
    return m.group(1) if m else ""


def pages_of(start: str, end: str) -> str:
    """A page range from its start and end ('12-19'; one page alone)."""
    start, end = (start or "").strip(), (end or "").strip()
    return f"{start}-{end}" if start and end and end != start else start or end


def join(values) -> str:
    """A list of values as one '; '-separated text."""
    if values is None:
        return ""
    if isinstance(values, str):
        return values
    return "; ".join(str(v).strip() for v in values if str(v).strip())


def first(entry: dict, *keys) -> str:
    """The first non-empty value of ``keys`` in a record (the first item of a list)."""
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


RAYYAN_VOTE = re.compile(r'"([^"]+)"\s*=>\s*"(Included|Excluded|Maybe)"')


def reviewer_labels(notes: str) -> str:
    """Each reviewer's decision in Rayyan's notes (``RAYYAN-INCLUSION: {"Ana"=>"Included", "Bo"=>"Excluded"}``)
    as 'Ana=include;Bo=exclude'; '' when the notes hold none."""
    m = re.search(r"RAYYAN-INCLUSION:\s*\{([^}]*)\}", notes or "")
    if not m:
        return ""
    words = {"Included": "include", "Excluded": "exclude", "Maybe": "maybe"}
    return ";".join(f"{who.replace(';', ',').replace('=', '-')}={words[d]}" for who, d in RAYYAN_VOTE.findall(m.group(1)))


def split_tagged(lines, tag_re, cont_re, end_tag=None, start_tag=None, multi=frozenset()):
    """Tagged records, each with the line it starts on: a record ends at a blank line (or only at
    ``end_tag`` when one is given) and at a second ``start_tag`` (PubMed files whose blank lines were
    lost); a continuation line extends the last value, or is a value of its own for ``multi`` tags
    (Web of Science puts one author per line under a single ``AU``)."""
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
            if tag == start_tag and tag in rec:
                recs.append((start, rec))
                rec = {}
            if not rec:
                start = n
            last = tag
            rec.setdefault(tag, []).append(value)
        elif last and cont_re.match(line):
            if last in multi:
                rec[last].append(line.strip())
            else:
                rec[last][-1] += " " + line.strip()
    if rec:
        recs.append((start, rec))
    return recs


def keywords_of(*values) -> str:
    """Keywords as one '; '-separated list, each once, in order: from lists (RIS KW, EndNote, MEDLINE OT
    and MH, refer %K) and from strings a tool separated with ';' (Scopus, Web of Science) or ','."""
    out: list[str] = []
    for v in values:
        items = v if isinstance(v, (list, tuple)) else [v or ""]
        for item in items:
            item = str(item)
            for k in re.split(r"\s*;\s*" if ";" in item else r"\s*,\s*", item):
                k = " ".join(k.split())
                if k and k.lower() not in {o.lower() for o in out}:
                    out.append(k)
    return "; ".join(out)
