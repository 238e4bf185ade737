"""MEDLINE/PubMed (``.nbib``, PubMed's default ``pubmed-*.txt``) and ERIC's nbib."""

from __future__ import annotations

import re

from .base import clean_doi, split_tagged, first, join, lines_of, keywords_of


def read_medline(text: str, path) -> tuple[list[dict], list]:
    """Records of a MEDLINE (PubMed, ERIC) export."""
    recs = split_tagged(lines_of(text.lstrip("\ufeff")), re.compile(r"^([A-Z][A-Z0-9]{1,3}) {0,3}- ?(.*)$"),
                   re.compile(r"^\s+\S"), start_tag="PMID")
    out, starts = [], []
    for start, r in recs:
        ids = r.get("LID", []) + r.get("AID", [])
        doi = next((clean_doi(i) for i in ids if "doi" in i.lower()), "")
        pt = r.get("PT", [])
        out.append({"title": " ".join(r.get("TI", []) or r.get("BTI", [])), "abstract": " ".join(r.get("AB", [])),
                    "authors": join(r.get("FAU") or r.get("AU") or []), "year": first(r, "DP", "DEP", "EDAT"),
                    "doi": doi, "journal": first(r, "JT", "TA", "SO"), "volume": first(r, "VI"),
                    "issue": first(r, "IP"), "pages": first(r, "PG"), "type": "; ".join(pt),
                    "language": first(r, "LA"), "keywords": keywords_of(r.get("OT", []), r.get("MH", [])),
                    "label": "",
                    "database": {"NLM": "PubMed", "ERIC": "ERIC"}.get(first(r, "OWN"), "")})
        starts.append(start)
    return out, starts
