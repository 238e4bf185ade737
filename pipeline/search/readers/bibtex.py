"""BibTeX, split into entries by bibtexparser; values resolved here (``@string`` macros and ``#``
concatenation, which bibtexparser leaves as written) and LaTeX turned into Unicode with pylatexenc.

Resolving values here, in one linear pass, also bounds the cost: pylatexenc runs only on values that
hold LaTeX and are of a size a field can have, so a megabyte title costs milliseconds, and a value
nested too deep for it is kept as text and reported instead of stopping the import.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .base import Report, clean_doi, keywords_of

MONTHS = {m: m.capitalize() for m in ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                      "dec")}  # BibTeX's predefined macros
LATEX_MARKS = re.compile(r"[\\{}$~]")
MAX_LATEX = 100_000  # characters: longer values are not fields a reference manager writes; kept as text


def read_bibtex(text: str, path, report: Report) -> tuple[list[dict], list]:
    """Records of a BibTeX file; a repeated field keeps its first value."""
    import bibtexparser

    library = bibtexparser.parse_string(text, parse_stack=[])
    strings: dict[str, str] = dict(MONTHS)
    for s in library.strings:  # in file order: a macro may use the ones defined before it
        strings[s.key.lower()] = resolve(s.value, strings)
    entries = [(e.start_line, e) for e in library.entries]
    for block in library.failed_blocks:
        # A repeated field (Scopus does this) is a fault of the export, not of the record:
        # bibtexparser keeps the parsed entry in ``ignore_error_block``; the first value wins.
        entry = getattr(block, "ignore_error_block", None)
        if entry is not None and hasattr(entry, "fields"):
            report.add(path, block.start_line + 1, "", "kept", f"{getattr(block, 'error', 'faulty entry')}; "
                       f"first value of a repeated field used")
            entries.append((block.start_line, entry))
        else:
            report.add(path, block.start_line + 1, "", "skipped", "unparseable BibTeX block: "
                       + " ".join(str(getattr(block, "raw", ""))[:400].split())[:80])
    entries.sort(key=lambda x: x[0])
    out, starts = [], []
    for start, e in entries:
        f: dict[str, str] = {}
        for fld in e.fields:
            key = fld.key.lower()
            if key not in f:
                f[key] = _decoded(resolve(str(fld.value), strings), path, start + 1, key, report)
        authors = [a.strip() for a in re.split(r"\s+and\s+", f.get("author", "")) if a.strip()]
        out.append({"title": f.get("title", "").replace("{", "").replace("}", ""), "abstract": f.get("abstract", ""),
                    "authors": "; ".join(authors), "year": f.get("year", "") or f.get("date", ""),
                    "doi": clean_doi(f.get("doi", "") or f.get("url", "")),
                    "journal": f.get("journal", "") or f.get("journaltitle", "") or f.get("booktitle", ""),
                    "volume": f.get("volume", ""), "issue": f.get("number", "") or f.get("issue", ""),
                    "pages": f.get("pages", "").replace("--", "-"), "type": e.entry_type.lower(),
                    "language": f.get("language", ""),
                    "keywords": keywords_of(f.get("author_keywords", ""), f.get("keywords", "")), "label": "", "database": f.get("source", "")})
        starts.append(start + 1)
    return out, starts


def parts(raw: str) -> list[str]:
    """A value split at the ``#`` that join its parts (not those inside braces or quotes)."""
    pieces, depth, quoted, begin = [], 0, False, 0
    for i, ch in enumerate(raw):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(depth - 1, 0)
        elif ch == '"' and depth == 0:
            quoted = not quoted
        elif ch == "#" and depth == 0 and not quoted:
            pieces.append(raw[begin:i])
            begin = i + 1
    pieces.append(raw[begin:])
    return [p.strip() for p in pieces]


def resolve(raw: str, strings: dict[str, str]) -> str:
    """A field's value as BibTeX means it: enclosing braces or quotes removed, macros replaced, parts joined."""
    out = []
    for p in parts(raw):
        if len(p) >= 2 and ((p[0] == "{" and p[-1] == "}") or (p[0] == '"' and p[-1] == '"')):
            out.append(p[1:-1])
        elif p.isdigit() or not p:
            out.append(p)
        else:
            out.append(strings.get(p.lower(), p))  # an undefined macro is kept as written
    return "".join(out)


def _decoded(value: str, path, line, key: str, report: Report) -> str:
    """LaTeX turned into Unicode, one line of white space; a value pylatexenc cannot take is kept as text."""
    if LATEX_MARKS.search(value):
        if len(value) > MAX_LATEX:
            report.add(path, line, key, "kept", f"a {len(value):,}-character value: LaTeX not decoded")
        else:
            try:
                value = _decoder().latex_to_text(value)
            except (RecursionError, Exception) as exc:  # noqa: BLE001 -- pylatexenc's own errors are many
                report.add(path, line, key, "kept", f"LaTeX not decoded ({type(exc).__name__})")
    return " ".join(value.split())


@lru_cache(maxsize=1)
def _decoder():
    """The decoder bibtexparser's LatexDecodingMiddleware uses: URLs unwrapped, math kept verbatim."""
    import pylatexenc.latex2text as l2t

    context = l2t.get_default_latex_context_db()
    context.add_context_category("bibtexparse-default-context", prepend=True,
                                 macros=[l2t.MacroTextSpec("url", simplify_repl="%s")])
    return l2t.LatexNodes2Text(latex_context=context, keep_braced_groups=False, math_mode="verbatim")
