"""REFI-QDA out: the codebook as a .qdc document and the coded data as a .qdpx project.

The paradigm roles, which no tool stores, travel as ``Set``s named after the role.  Exports are
deterministic (the same data give the same bytes) and checked against the standard's schemas
before they are written.
"""

from __future__ import annotations

import json
import re
import zipfile
from io import BytesIO
from pathlib import Path
from xml.etree import ElementTree as ET

import pandas as pd

from ... import resources

from ..codebook import ROLE_LABELS
from .ids import SIDECAR, guid_for, guids


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


LOCATED = re.compile(r"^characters (\d+)-(\d+)")
FIXED_TIME = "1980-01-01T00:00:00Z"  # no clock in an export: same data, same bytes


def placeholder(segment: dict) -> str:
    """The text that stands for a segment without a quote, so that its coding has a place."""
    return f"[segment {segment['segment_id']}: {segment['location'] or 'no quote recorded'}]"


def study_text(segments: list[dict]) -> tuple[str, dict[str, tuple[int, int]]]:
    """One study's text for a project, and each segment's range in it.

    A segment imported with its characters ('characters a-b') whose quote has that length keeps its
    place, so that overlapping segments overlap as they did in the source (the characters between
    quotes, which the review does not hold, are blanks).  The others follow, each distinct quote once
    (several segments on one quote share its range), then a placeholder for each segment without a
    quote.  Deterministic: the same segments give the same text and ranges."""
    chars: dict[int, str] = {}
    ranges: dict[str, tuple[int, int]] = {}
    rest = []
    for seg in segments:
        m, quote = LOCATED.match(seg["location"]), seg["quote"]
        if m and quote and int(m[2]) - int(m[1]) == len(quote) and all(
                chars.get(int(m[1]) + i, ch) == ch for i, ch in enumerate(quote)):
            a = int(m[1])
            chars.update({a + i: ch for i, ch in enumerate(quote)})
            ranges[seg["segment_id"]] = (a, a + len(quote))
        else:
            rest.append(seg)
    size = max(chars) + 1 if chars else 0
    out = [chars.get(i, " ") for i in range(size)]
    for i in range(size):  # a gap of blanks starts and ends a line, so the quotes read apart
        if i not in chars and ((i == 0 or (i - 1) in chars) or (i + 1 == size or (i + 1) in chars)):
            out[i] = "\n"
    text = "".join(out)
    placed: dict[str, tuple[int, int]] = {}
    for seg in rest:
        quote = seg["quote"] or placeholder(seg)
        if quote not in placed or not seg["quote"]:
            text += ("\n\n" if text else "")
            placed[quote] = (len(text), len(text) + len(quote))
            text += quote
        ranges[seg["segment_id"]] = placed[quote]
    return text + ("\n" if text else ""), ranges


def project_qdpx(codebook: pd.DataFrame, segments: pd.DataFrame, name: str = "qes-pipeline export",
                 recoding: pd.DataFrame | None = None, extra: dict[str, pd.DataFrame] | None = None) -> bytes:
    """The coded data as a REFI-QDA project (.qdpx): the codebook (roles as Sets), one text source per
    study (``study_text``: quotes at their own characters where known, so overlaps survive), one
    selection per segment with its coder as ``creatingUser`` (as QualCoder, NVivo and ATLAS.ti read
    it), and a Note holding what REFI-QDA has no element for (node ids, provenance, related
    concepts, names in other languages, locations, roles, re-coding), which other tools ignore and
    ``import-coded`` reads back.  Same data, same bytes: GUIDs are uuid5 of what they name, no clock."""
    ET.register_namespace("", PROJECT_NS)
    q = f"{{{PROJECT_NS}}}"
    ids = guids(codebook)
    root = ET.Element(f"{q}Project", {"name": name, "origin": "qes-pipeline"})
    users = ET.SubElement(root, f"{q}Users")
    coders = sorted(set(segments["coder"])) or ["qes-pipeline"]
    for coder in coders:
        ET.SubElement(users, f"{q}User", {"guid": guid_for(("user", coder)), "name": coder})
    full = codebook_element(codebook, PROJECT_NS, None, frozenset(segments["code_id"]))
    cb_el = ET.SubElement(root, f"{q}CodeBook")
    cb_el.append(next(c for c in full if c.tag == f"{q}Codes"))
    sources = ET.SubElement(root, f"{q}Sources")
    texts, exported = {}, {}
    for study in sorted(set(segments["study_id"])):
        sguid = guid_for(("source", study))
        src = ET.SubElement(sources, f"{q}TextSource", {"guid": sguid, "name": study,
                                                         "plainTextPath": f"internal://{sguid}.txt"})
        segs = segments[segments["study_id"] == study].to_dict("records")
        text, ranges = study_text(segs)
        for seg in segs:
            a, b = ranges[seg["segment_id"]]
            user = guid_for(("user", seg["coder"]))
            sel = ET.SubElement(src, f"{q}PlainTextSelection", {
                "guid": guid_for(("selection", seg["segment_id"])), "name": text[a:b][:60],
                "startPosition": str(a), "endPosition": str(b), "creatingUser": user,
                "creationDateTime": FIXED_TIME})
            coding = ET.SubElement(sel, f"{q}Coding", {"guid": guid_for(("coding", seg["segment_id"])),
                                                       "creatingUser": user, "creationDateTime": FIXED_TIME})
            ET.SubElement(coding, f"{q}CodeRef", {"targetGUID": ids[seg["code_id"]]})
            exported[seg["segment_id"]] = [a, b]
        texts[sguid] = text
    notes = ET.SubElement(root, f"{q}Notes")
    note = ET.SubElement(notes, f"{q}Note", {"guid": guid_for(("note", "qes-pipeline data")), "name": SIDECAR,
                                             "creatingUser": guid_for(("user", coders[0])),
                                             "creationDateTime": FIXED_TIME})
    ET.SubElement(note, f"{q}PlainTextContent").text = sidecar_json(codebook, segments, recoding, exported, extra)
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


def sidecar_json(codebook: pd.DataFrame, segments: pd.DataFrame, recoding: pd.DataFrame | None,
                 exported: dict[str, list[int]], extra: dict[str, pd.DataFrame] | None = None) -> str:
    """The review's coded tables as they are, each segment with its range in the exported text, as one
    JSON document (rows in their order, every value a string): what the project's elements cannot hold."""
    table = lambda df: {"columns": list(df.columns), "rows": df.astype(str).values.tolist()}  # noqa: E731
    doc = {"about": "coded/ of a qes-pipeline review; import-coded restores from it what REFI-QDA cannot carry",
           "version": 1, "codebook": table(codebook), "segments": table(segments),
           "exported_ranges": exported}
    if recoding is not None:
        doc["recoding"] = table(recoding)
    for key, df in (extra or {}).items():  # the findings and their GRADE-CERQual judgements
        if df is not None:
            doc[key] = table(df)
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
