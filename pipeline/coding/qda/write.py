"""REFI-QDA out: the codebook as a .qdc document and the coded data as a .qdpx project.

The paradigm roles, which no tool stores, travel as ``Set``s named after the role.  Exports are
deterministic (the same data give the same bytes) and checked against the standard's schemas
before they are written.
"""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path
from xml.etree import ElementTree as ET

import pandas as pd

from ... import resources

from ..codebook import ROLE_LABELS
from .ids import guid_for, guids


CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
SCHEMA_DIR = Path(__file__).resolve().parent  # Codebook.xsd and Project.xsd of the REFI-QDA standard
CODEBOOK_COLUMNS = ["node_id", "guid", "level", "name", "parent_id", "role", "definition", "related_concepts",
                    "source", "provenance"]


def codebook_element(codebook: pd.DataFrame, ns: str, origin: str | None = "qes-pipeline",
                     codable: frozenset = frozenset()) -> ET.Element:
    """``<CodeBook>`` in namespace ``ns`` (codebook or project), roles as Sets."""
    q = f"{{{ns}}}"
    root = ET.Element(f"{q}CodeBook", {"origin": origin} if origin else {})
    codes = ET.SubElement(root, f"{q}Codes")
    ids = guids(codebook)
    children: dict[str, list[dict]] = {}
    for node in codebook.to_dict("records"):
        children.setdefault(node["parent_id"], []).append(node)

    def add(parent_el, node):
        el = ET.SubElement(parent_el, f"{q}Code", {
            "guid": ids[node["node_id"]], "name": node["name"],
            "isCodable": "true" if node["level"] == "code" or node["node_id"] in codable else "false"})
        if node.get("definition"):
            ET.SubElement(el, f"{q}Description").text = node["definition"]
        for child in children.get(node["node_id"], []):
            add(el, child)

    for top in children.get("", []):
        add(codes, top)
    cats = codebook[codebook["level"] == "category"]
    sets = [(role, cats[cats["role"] == role]) for role in ROLE_LABELS]
    sets = [(role, members) for role, members in sets if len(members)]
    if sets:  # an empty <Sets/> is invalid
        sets_el = ET.SubElement(root, f"{q}Sets")
        for role, members in sets:
            s = ET.SubElement(sets_el, f"{q}Set", {"guid": guid_for(("set", role)), "name": ROLE_LABELS[role]})
            ET.SubElement(s, f"{q}Description").text = f"Strauss & Corbin paradigm role: {role}"
            for nid in members["node_id"]:
                ET.SubElement(s, f"{q}MemberCode", {"guid": ids[nid]})
    return root


def codebook_to_qdc(codebook: pd.DataFrame, origin: str = "qes-pipeline", codable: frozenset = frozenset()) -> bytes:
    """The codebook as a REFI-QDA .qdc document (UTF-8, no BOM), roles as Sets."""
    ET.register_namespace("", CODEBOOK_NS)
    root = codebook_element(codebook, CODEBOOK_NS, origin, codable)
    ET.indent(root)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False) + b"\n"


def validate_xml(document: bytes, schema: str = "Codebook.xsd") -> list[str]:
    """Schema errors of a REFI-QDA document (empty list: valid)."""
    from lxml import etree

    xsd = etree.XMLSchema(etree.parse(str(resources.use(SCHEMA_DIR / schema))))
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    doc = etree.fromstring(document, parser)
    return [] if xsd.validate(doc) else [f"line {e.line}: {e.message}" for e in xsd.error_log]


def save_qdc(codebook: pd.DataFrame, path: Path) -> Path | None:
    """Write the codebook as .qdc, refusing to write a document the standard's schema rejects.
    An empty codebook writes nothing (the schema needs at least one code), and says so."""
    if codebook.empty:
        print(f"no code yet: {Path(path).name} is not written")
        return None
    document = codebook_to_qdc(codebook)
    errors = validate_xml(document)
    if errors:
        raise ValueError("the exported codebook does not validate against Codebook.xsd: " + "; ".join(errors[:3]))
    Path(path).write_bytes(document)
    return Path(path)


def project_qdpx(codebook: pd.DataFrame, segments: pd.DataFrame, name: str = "qes-pipeline export") -> bytes:
    """The coded data as a REFI-QDA project (.qdpx): the codebook (roles as Sets), one text source per
    study made of its quotes (so every position is exact), every coding with its coder.  Same data,
    same bytes: GUIDs are uuid5 of what they name, and the zip entries carry a fixed date.

    A segment without a quote is exported as a one-line marker '[segment <id>: <location>]', said
    in that text, so that its coding still has a place.
    """
    ET.register_namespace("", PROJECT_NS)
    q = f"{{{PROJECT_NS}}}"
    ids = guids(codebook)
    root = ET.Element(f"{q}Project", {"name": name, "origin": "qes-pipeline"})
    users = ET.SubElement(root, f"{q}Users")
    for coder in sorted(set(segments["coder"])):
        ET.SubElement(users, f"{q}User", {"guid": guid_for(("user", coder)), "name": coder})
    full = codebook_element(codebook, PROJECT_NS, None, frozenset(segments["code_id"]))
    cb_el = ET.SubElement(root, f"{q}CodeBook")
    cb_el.append(next(c for c in full if c.tag == f"{q}Codes"))
    sources = ET.SubElement(root, f"{q}Sources")
    texts = {}
    for study in sorted(set(segments["study_id"])):
        sguid = guid_for(("source", study))
        src = ET.SubElement(sources, f"{q}TextSource", {"guid": sguid, "name": study,
                                                         "plainTextPath": f"internal://{sguid}.txt"})
        by_quote: dict[str, list[dict]] = {}  # each quote once in the text, with all its codings
        for seg in segments[segments["study_id"] == study].to_dict("records"):
            quote = seg["quote"] or f"[segment {seg['segment_id']}: {seg['location'] or 'no quote recorded'}]"
            by_quote.setdefault(quote, []).append(seg)
        pos = 0
        for quote, segs in by_quote.items():
            sel = ET.SubElement(src, f"{q}PlainTextSelection", {
                "guid": guid_for(("selection", study, quote)), "name": quote[:60],
                "startPosition": str(pos), "endPosition": str(pos + len(quote))})
            for seg in segs:
                coding = ET.SubElement(sel, f"{q}Coding", {"guid": guid_for(("coding", seg["segment_id"])),
                                                           "creatingUser": guid_for(("user", seg["coder"]))})
                ET.SubElement(coding, f"{q}CodeRef", {"targetGUID": ids[seg["code_id"]]})
            pos += len(quote) + 2
        texts[sguid] = "".join(quote + "\n\n" for quote in by_quote)
    sets = [c for c in full if c.tag == f"{q}Sets"]
    if sets:
        sets_el = ET.SubElement(root, f"{q}Sets")
        for s in sets[0]:
            new = ET.SubElement(sets_el, f"{q}Set", dict(s.attrib))
            for d in s:
                if d.tag == f"{q}Description":
                    ET.SubElement(new, f"{q}Description").text = d.text
                else:
                    ET.SubElement(new, f"{q}MemberCode", {"targetGUID": d.get("guid")})
    ET.indent(root)
    document = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"
    errors = validate_xml(document, "Project.xsd")
    if errors:
        raise ValueError("the exported project does not validate against Project.xsd: " + "; ".join(errors[:3]))
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for entry, data in [("project.qde", document)] + [(f"sources/{g}.txt", t.encode("utf-8"))
                                                           for g, t in sorted(texts.items())]:
            info = zipfile.ZipInfo(entry, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, 0o644 << 16
            z.writestr(info, data)
    return buf.getvalue()
