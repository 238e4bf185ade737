"""Interchange with qualitative-analysis tools: REFI-QDA codebooks (.qdc) and projects (.qdpx) out.

REFI-QDA is the exchange standard of NVivo, ATLAS.ti, MAXQDA, QualCoder and Taguette.  A code's
identity is its GUID, kept in ``codebook.csv`` (uuid5 of its name path for codes made here, the
tool's own for imported ones), so a round trip through a tool re-attaches every coding to the
same code.  The paradigm roles, which no tool stores, travel as ``Set``s named after the role.
Exports are deterministic: the same data give the same bytes.  Reading is in ``qda_import``.
"""

from __future__ import annotations

import uuid
import zipfile
from io import BytesIO
from pathlib import Path
from xml.etree import ElementTree as ET

import pandas as pd

from .coding import ROLE_LABELS
from .errors import InputError

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
GUID_NAMESPACE = uuid.UUID("6f1c1f0e-6a43-5b8e-9a57-2f6f1d1b9c3a")  # fixed: GUIDs depend only on paths
CODEBOOK_COLUMNS = ["node_id", "guid", "level", "name", "parent_id", "role", "definition", "related_concepts",
                    "source", "provenance"]


def guid_for(path: tuple[str, ...]) -> str:
    """Deterministic GUID of a node from its name path (category / subcategory / code)."""
    return str(uuid.uuid5(GUID_NAMESPACE, "\x1f".join(path)))


def _paths(codebook: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    names = dict(zip(codebook["node_id"], codebook["name"]))
    parents = dict(zip(codebook["node_id"], codebook["parent_id"]))
    out = {}
    for nid in codebook["node_id"]:
        path, cur = [], nid
        while cur:
            path.append(names[cur])
            cur = parents.get(cur, "")
        out[nid] = tuple(reversed(path))
    return out


def guids(codebook: pd.DataFrame) -> dict[str, str]:
    """node_id -> GUID: the stored one, or uuid5 of the name path for a codebook without the column."""
    paths = _paths(codebook)
    stored = codebook["guid"] if "guid" in codebook else pd.Series("", index=codebook.index)
    return {nid: (g or guid_for(paths[nid])) for nid, g in zip(codebook["node_id"], stored)}


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

    xsd = etree.XMLSchema(etree.parse(str(SCHEMA_DIR / schema)))
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    doc = etree.fromstring(document, parser)
    return [] if xsd.validate(doc) else [f"line {e.line}: {e.message}" for e in xsd.error_log]


GENERIC_COLUMNS = {"study": ("study", "study_id", "document", "source", "document name", "file"),
                   "code": ("code", "code name", "codes"),
                   "quote": ("quote", "segment", "coded segment", "text", "quotation"),
                   "location": ("location", "position", "reference", "page"),
                   "coder": ("coder", "user", "author", "created by", "coded by"),
                   "category": ("category", "main category", "theme"),
                   "subcategory": ("subcategory", "sub-category", "sub category", "subtheme", "sub-theme")}


def read_coded_table(path: Path, codebook: pd.DataFrame, studies: pd.DataFrame,
                     tool: str = "spreadsheet") -> tuple[pd.DataFrame, pd.DataFrame]:
    """A spreadsheet of coded segments (study, quote, location, code, coder), mapped onto the codebook;
    returns (codebook, segments).

    Column names are matched case-insensitively against the usual export headers
    (``GENERIC_COLUMNS``).  A code is found by name or id; a code the codebook lacks is added when
    the row names its category (and, optionally, subcategory), as a data-extraction sheet does, and is
    marked ``imported:<tool>``.  A study must be in the studies file.  Anything else is an error
    naming the row.
    """
    from .qda_import import next_ids

    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xls"):
        df = pd.read_excel(path, dtype=str).fillna("")
    else:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                         sep="\t" if path.suffix.lower() == ".tsv" else ",")
    lower = {c.strip().lower(): c for c in df.columns}
    cols = {}
    for key, names in GENERIC_COLUMNS.items():
        cols[key] = next((lower[n] for n in names if n in lower), None)
    for key in ("study", "code"):
        if cols[key] is None:
            raise InputError(path, f"a '{key}' column (accepted names: {', '.join(GENERIC_COLUMNS[key])})",
                             column=key)
    nodes = codebook.to_dict("records")
    codes = codebook[codebook["level"] == "code"]
    by_name = dict(zip(codes["name"], codes["node_id"])) | dict(zip(codes["node_id"], codes["node_id"]))
    cat_of = {r["name"]: r["node_id"] for r in nodes if r["level"] == "category"}
    sub_of = {(r["parent_id"], r["name"]): r["node_id"] for r in nodes if r["level"] == "subcategory"}
    fresh = {level: next_ids(codebook, level) for level in ("category", "subcategory", "code")}

    def add(level, name, parent):
        nid = next(fresh[level])
        nodes.append({"node_id": nid, "guid": "", "level": level, "name": name, "parent_id": parent, "role": "",
                      "definition": "", "related_concepts": "", "source": f"imported from {path.name}",
                      "provenance": f"imported:{tool}"})
        return nid

    known_studies = set(studies["study_id"])
    cell = lambda rec, key: str(rec[cols[key]]).strip() if cols[key] else ""  # noqa: E731
    rows = []
    for i, rec in enumerate(df.to_dict("records")):
        code, study = cell(rec, "code"), cell(rec, "study")
        if study not in known_studies:
            raise InputError(path, "a study_id of raw/studies.csv", row=i + 2, column=cols["study"], value=study)
        if code not in by_name:
            category = cell(rec, "category")
            if not code or not category:
                raise InputError(path, "a code of coded/codebook.csv (by name or id), or a new code with its "
                                 "category in a 'category' column (and optionally a 'subcategory' column)",
                                 row=i + 2, column=cols["code"], value=code)
            parent = cat_of.get(category) or cat_of.setdefault(category, add("category", category, ""))
            sub = cell(rec, "subcategory")
            if sub:
                parent = sub_of.get((parent, sub)) or sub_of.setdefault((parent, sub), add("subcategory", sub, parent))
            by_name[code] = add("code", code, parent)
        rows.append({"study_id": study, "code_id": by_name[code], "location": cell(rec, "location"),
                     "quote": cell(rec, "quote"), "coder": cell(rec, "coder") or "unknown"})
    out = pd.DataFrame(rows, columns=["study_id", "code_id", "location", "quote", "coder"])
    out["provenance"] = "reported"
    return pd.DataFrame(nodes, columns=list(codebook.columns)), out


def append_segments(existing: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """``new`` segments after ``existing`` ones, numbered on from the highest ``G<n>`` id in use."""
    numbers = existing["segment_id"].str.extract(r"^G(\d+)$", expand=False).dropna().astype(int)
    start = int(numbers.max()) + 1 if len(numbers) else 1
    new = new.assign(segment_id=[f"G{i:04d}" for i in range(start, start + len(new))])
    return pd.concat([existing, new[existing.columns]], ignore_index=True)


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
