"""EndNote XML, read with defusedxml (no DTD, no entities)."""

from __future__ import annotations

import re

from ...errors import InputError
from .base import clean_doi, join, keywords_of

DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def read_endnote_xml(data: bytes, text: str, path) -> tuple[list[dict], list]:
    """Records of an EndNote XML export.  The parser decodes the bytes itself, as the XML declaration
    (or a BOM) says; only a file whose declaration is missing or wrong is read from ``text``, the
    bytes as ``exports.decode`` read them, so no file is decoded twice."""
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException
    from xml.etree.ElementTree import ParseError

    try:
        root = ElementTree.fromstring(data, forbid_dtd=True)
    except (ParseError, DefusedXmlException) as exc:
        try:
            root = ElementTree.fromstring(DECLARATION.sub("", text.lstrip("\ufeff"), count=1), forbid_dtd=True)
        except (ParseError, DefusedXmlException):
            raise InputError(path, f"well-formed EndNote XML without a DTD ({exc})") from None

    def text(el, xpath):
        found = el.find(xpath)
        return "" if found is None else " ".join("".join(found.itertext()).split())

    def texts(el, xpath):
        return [" ".join("".join(f.itertext()).split()) for f in el.findall(xpath)]

    out = []
    for rec in root.iter("record"):
        ref_type = rec.find("ref-type")
        out.append({
            "title": text(rec, "titles/title"), "abstract": text(rec, "abstract"),
            "authors": join(texts(rec, "contributors/authors/author")),
            "year": text(rec, "dates/year"),
            "doi": clean_doi(text(rec, "electronic-resource-num") or " ".join(texts(rec, "urls/related-urls/url"))),
            "journal": text(rec, "titles/secondary-title") or text(rec, "periodical/full-title"),
            "volume": text(rec, "volume"), "issue": text(rec, "number"), "pages": text(rec, "pages"),
            "type": ref_type.get("name", "") if ref_type is not None else "",
            "language": text(rec, "language"), "keywords": keywords_of(texts(rec, "keywords/keyword")), "label": "", "database": text(rec, "remote-database-name"),
        })
    return out, [None] * len(out)
