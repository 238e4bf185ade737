"""Web of Science plain text (field-tagged, ``FN``/``PT``/``ER``)."""

from __future__ import annotations

import re

from .base import clean_doi, split_tagged, first, join, lines_of, pages_of, keywords_of

# Fields that hold one value per line (Web of Science's field tags list): a continuation line is another value.
MULTI = frozenset({"AU", "AF", "BA", "BF", "CA", "GP", "BE", "ED", "CR", "C1"})


def read_wos(text: str, path) -> tuple[list[dict], list]:
    """Records of a Web of Science plain-text export."""
    recs = split_tagged(lines_of(text.lstrip("\ufeff")), re.compile(r"^([A-Z][A-Z0-9]) ?(.*)$"), re.compile(r"^   \S"),
                   end_tag="ER", multi=MULTI)
    out, starts = [], []
    for start, r in recs:
        if set(r) <= {"FN", "VR", "EF"}:
            continue
        out.append({"title": " ".join(r.get("TI", [])), "abstract": " ".join(r.get("AB", [])),
                    "authors": join(r.get("AF") or r.get("AU") or []), "year": first(r, "PY", "EA", "PD"),
                    "doi": clean_doi(first(r, "DI", "DL")), "journal": first(r, "SO", "SE"),
                    "volume": first(r, "VL"), "issue": first(r, "IS"), "pages": pages_of(first(r, "BP"), first(r, "EP")),
                    "type": first(r, "DT", "PT"), "language": first(r, "LA"),
                    "keywords": keywords_of(" ".join(r.get("DE", [])), " ".join(r.get("ID", []))), "label": "",
                    "database": "Web of Science"})
        starts.append(start)
    return out, starts
