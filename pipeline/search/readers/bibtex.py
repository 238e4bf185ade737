"""BibTeX, with bibtexparser; LaTeX turned into Unicode with pylatexenc."""

from __future__ import annotations

import re

from .base import Report, clean_doi


def read_bibtex(text: str, path, report: Report) -> tuple[list[dict], list]:
    """Records of a BibTeX file, LaTeX turned into Unicode; a repeated field keeps its first value."""
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
