"""The EndNote/refer tagged format (``%T``, ``%A``, ...), as AIS eLibrary exports it."""

from __future__ import annotations

import re

from .base import clean_doi, split_tagged, first, join, lines_of, keywords_of


def read_refer(text: str, path) -> tuple[list[dict], list]:
    """Records of an EndNote/refer tagged export."""
    recs = split_tagged(lines_of(text.lstrip("\ufeff")), re.compile(r"^%([0-9A-Z@!#$&()*+^~>\[\]|?]) ?(.*)$"),
                   re.compile(r"^(?!%)\S"))
    out, starts = [], []
    for start, r in recs:
        out.append({"title": first(r, "T"), "abstract": " ".join(r.get("X", [])), "authors": join(r.get("A", [])),
                    "year": first(r, "D", "8"), "doi": clean_doi(first(r, "R") or " ".join(r.get("U", []))),
                    "journal": first(r, "J", "B"), "volume": first(r, "V"), "issue": first(r, "N"),
                    "pages": first(r, "P"), "type": first(r, "0"), "language": first(r, "G"),
                    "keywords": keywords_of(r.get("K", [])), "label": "",
                    "database": first(r, "~", "W")})
        starts.append(start)
    return out, starts
