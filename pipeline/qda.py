"""Interchange with qualitative-analysis tools: REFI-QDA codebooks (.qdc) and projects (.qdpx).

REFI-QDA is the exchange standard of NVivo, ATLAS.ti, MAXQDA, QualCoder and Taguette.  The
paradigm roles, which no tool stores, travel as ``Set``s named after the role.  GUIDs are
uuid5 of each node's name path, so exporting the same codebook twice gives identical bytes.
XML is parsed with defusedxml (no entities, no external references); zip members are checked
so that no path can leave the extraction folder.
"""

from __future__ import annotations

import uuid
import zipfile
from io import BytesIO
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree as ET

import pandas as pd
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from .coding import ROLE_LABELS
from .errors import InputError

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
GUID_NAMESPACE = uuid.UUID("6f1c1f0e-6a43-5b8e-9a57-2f6f1d1b9c3a")  # fixed: GUIDs depend only on paths
LEVEL_BY_DEPTH = {1: "category", 2: "subcategory", 3: "code"}
ROLE_BY_LABEL = {label: role for role, label in ROLE_LABELS.items()}
CODEBOOK_COLUMNS = ["node_id", "level", "name", "parent_id", "role", "definition", "related_concepts", "source",
                    "provenance"]


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


def codebook_to_qdc(codebook: pd.DataFrame, origin: str = "qes-pipeline") -> bytes:
    """The codebook as a REFI-QDA .qdc document (UTF-8, no BOM), roles as Sets."""
    ET.register_namespace("", CODEBOOK_NS)
    q = f"{{{CODEBOOK_NS}}}"
    root = ET.Element(f"{q}CodeBook", {"origin": origin})
    codes = ET.SubElement(root, f"{q}Codes")
    paths = _paths(codebook)
    children: dict[str, list[dict]] = {}
    for node in codebook.to_dict("records"):
        children.setdefault(node["parent_id"], []).append(node)

    def add(parent_el, node):
        el = ET.SubElement(parent_el, f"{q}Code", {
            "guid": guid_for(paths[node["node_id"]]), "name": node["name"],
            "isCodable": "true" if node["level"] == "code" else "false"})
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
                ET.SubElement(s, f"{q}MemberCode", {"guid": guid_for(paths[nid])})
    ET.indent(root)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False) + b"\n"


def validate_xml(document: bytes, schema: str = "Codebook.xsd") -> list[str]:
    """Schema errors of a REFI-QDA document (empty list: valid)."""
    from lxml import etree

    xsd = etree.XMLSchema(etree.parse(str(SCHEMA_DIR / schema)))
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    doc = etree.fromstring(document, parser)
    return [] if xsd.validate(doc) else [f"line {e.line}: {e.message}" for e in xsd.error_log]


def _parse(document: bytes, where) -> ET.Element:
    try:
        return SafeET.fromstring(document)
    except DefusedXmlException as exc:
        raise InputError(where, f"XML without entity declarations or external references (refused: {exc})") from None
    except ET.ParseError as exc:
        raise InputError(where, f"well-formed XML ({exc})") from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _codes_to_frame(codes_el: ET.Element, sets_el: ET.Element | None, where) -> tuple[pd.DataFrame, dict[str, str]]:
    """Nested Code elements to codebook rows; returns the rows and guid -> node_id."""
    rows, by_guid, counters = [], {}, {"category": 0, "subcategory": 0, "code": 0}
    prefix = {"category": "C", "subcategory": "S", "code": "K"}

    def walk(el, parent_id, depth):
        for code in [c for c in el if _local(c.tag) == "Code"]:
            level = LEVEL_BY_DEPTH.get(depth)
            if level is None:
                raise InputError(where, f"at most three levels (category > subcategory > code); code "
                                 f"{code.get('name')!r} is at level {depth}")
            counters[level] += 1
            nid = f"{prefix[level]}{counters[level]:02d}"
            guid = code.get("guid", "")
            if guid in by_guid:
                raise InputError(where, f"each code once; code {code.get('name')!r} (guid {guid}) appears under "
                                 f"two parents")
            by_guid[guid] = nid
            desc = next((c.text or "" for c in code if _local(c.tag) == "Description"), "")
            rows.append({"node_id": nid, "level": level, "name": code.get("name", ""), "parent_id": parent_id,
                         "role": "", "definition": desc, "related_concepts": "", "source": "REFI-QDA import",
                         "provenance": "reported"})
            walk(code, nid, depth + 1)

    walk(codes_el, "", 1)
    frame = pd.DataFrame(rows, columns=CODEBOOK_COLUMNS)
    if sets_el is not None:
        for s in [c for c in sets_el if _local(c.tag) == "Set"]:
            role = ROLE_BY_LABEL.get(s.get("name", ""))
            if role is None:
                continue
            for m in [c for c in s if _local(c.tag) == "MemberCode"]:
                nid = by_guid.get(m.get("guid") or m.get("targetGUID"))
                if nid is not None:
                    frame.loc[frame["node_id"] == nid, "role"] = role
    return frame, by_guid


def read_qdc(path: Path) -> pd.DataFrame:
    """A .qdc codebook as codebook rows (levels by depth, roles from Sets named after them)."""
    path = Path(path)
    root = _parse(path.read_bytes(), path)
    if _local(root.tag) != "CodeBook":
        raise InputError(path, f"a REFI-QDA CodeBook root element, not {_local(root.tag)!r}")
    codes = next((c for c in root if _local(c.tag) == "Codes"), None)
    if codes is None:
        raise InputError(path, "a Codes element")
    sets = next((c for c in root if _local(c.tag) == "Sets"), None)
    return _codes_to_frame(codes, sets, path)[0]


def safe_member(name: str) -> PurePosixPath:
    """A zip member's path, refused if it could land outside the extraction folder."""
    p = PurePosixPath(name.replace("\\", "/"))
    if p.is_absolute() or ".." in p.parts or (p.parts and p.parts[0].endswith(":")):
        raise ValueError(name)
    return p


def read_qdpx(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A .qdpx project: (codebook rows, coded segments with study = source name and coder = user)."""
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise InputError(path, "a .qdpx zip archive") from None
    with archive:
        members = {}
        for info in archive.infolist():
            try:
                members[str(safe_member(info.filename))] = info
            except ValueError:
                raise InputError(path, f"zip entries inside the project folder; entry {info.filename!r} points "
                                 f"outside it") from None
        if "project.qde" not in members:
            raise InputError(path, "a project.qde file at the top of the archive")
        root = _parse(archive.read(members["project.qde"]), f"{path}!project.qde")
        users = {u.get("guid"): u.get("name") or u.get("guid") for u in root.iter(f"{{{PROJECT_NS}}}User")}
        cb_el = next((c for c in root if _local(c.tag) == "CodeBook"), None)
        if cb_el is None:
            raise InputError(f"{path}!project.qde", "a CodeBook element")
        codes_el = next(c for c in cb_el if _local(c.tag) == "Codes")
        sets_el = next((c for c in root if _local(c.tag) == "Sets"), None)
        codebook, by_guid = _codes_to_frame(codes_el, sets_el, f"{path}!project.qde")
        segments = []
        for source in root.iter(f"{{{PROJECT_NS}}}TextSource"):
            study = source.get("name") or source.get("guid")
            text = _source_text(archive, members, source)
            for sel in [c for c in source if _local(c.tag) == "PlainTextSelection"]:
                start, end = int(sel.get("startPosition", 0)), int(sel.get("endPosition", 0))
                for coding in [c for c in sel if _local(c.tag) == "Coding"]:
                    ref = next((c for c in coding if _local(c.tag) == "CodeRef"), None)
                    code_id = by_guid.get(ref.get("targetGUID")) if ref is not None else None
                    if code_id is None:
                        raise InputError(f"{path}!project.qde", f"a Coding whose CodeRef names a code of the "
                                         f"codebook (selection {sel.get('guid')})")
                    segments.append({
                        "study_id": study, "code_id": code_id, "location": f"characters {start}-{end}",
                        "quote": text[start:end] if text else (sel.get("name") or ""),
                        "coder": users.get(coding.get("creatingUser") or sel.get("creatingUser"), "unknown")})
    seg = pd.DataFrame(segments, columns=["study_id", "code_id", "location", "quote", "coder"])
    seg.insert(0, "segment_id", [f"Q{i:04d}" for i in range(1, len(seg) + 1)])
    seg["provenance"] = "reported"
    return codebook, seg


def _source_text(archive, members, source) -> str:
    content = next((c.text for c in source if _local(c.tag) == "PlainTextContent"), None)
    if content:
        return content
    ref = source.get("plainTextPath", "")
    if ref.startswith("internal://"):
        name = "sources/" + ref[len("internal://"):]
        if name in members:
            return archive.read(members[name]).decode("utf-8-sig")
    return ""


GENERIC_COLUMNS = {"study": ("study", "document", "source", "document name", "file"),
                   "code": ("code", "code name", "codes"),
                   "quote": ("quote", "segment", "coded segment", "text", "quotation"),
                   "location": ("location", "position", "reference", "page"),
                   "coder": ("coder", "user", "author", "created by", "coded by")}


def read_coded_table(path: Path, codebook: pd.DataFrame, studies: pd.DataFrame) -> pd.DataFrame:
    """A spreadsheet of coded segments (study, quote, location, code, coder), mapped onto the codebook.

    Column names are matched case-insensitively against the usual export headers
    (``GENERIC_COLUMNS``).  A code must be a code of the codebook (by name or id) and a study
    must be in the studies file: anything else is an error naming the row.
    """
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
    codes = codebook[codebook["level"] == "code"]
    by_name = dict(zip(codes["name"], codes["node_id"])) | dict(zip(codes["node_id"], codes["node_id"]))
    known_studies = set(studies["study_id"])
    rows = []
    for i, rec in enumerate(df.to_dict("records")):
        code, study = rec[cols["code"]].strip(), rec[cols["study"]].strip()
        if code not in by_name:
            raise InputError(path, "a code of coded/codebook.csv (by name or id)", row=i + 2, column=cols["code"],
                             value=code)
        if study not in known_studies:
            raise InputError(path, "a study_id of raw/studies.csv", row=i + 2, column=cols["study"], value=study)
        rows.append({"study_id": study, "code_id": by_name[code],
                     "location": rec[cols["location"]] if cols["location"] else "",
                     "quote": rec[cols["quote"]] if cols["quote"] else "",
                     "coder": (rec[cols["coder"]] if cols["coder"] else "") or "unknown"})
    out = pd.DataFrame(rows, columns=["study_id", "code_id", "location", "quote", "coder"])
    out["provenance"] = "reported"
    return out


def append_segments(existing: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """``new`` segments after ``existing`` ones, numbered on from the highest ``G<n>`` id in use."""
    numbers = existing["segment_id"].str.extract(r"^G(\d+)$", expand=False).dropna().astype(int)
    start = int(numbers.max()) + 1 if len(numbers) else 1
    new = new.assign(segment_id=[f"G{i:04d}" for i in range(start, start + len(new))])
    return pd.concat([existing, new[existing.columns]], ignore_index=True)


def project_bytes(codebook: pd.DataFrame, segments: pd.DataFrame, texts: dict[str, str]) -> bytes:
    """A minimal .qdpx (for tests and hand-off): codebook, one TextSource per study with its codings."""
    ET.register_namespace("", PROJECT_NS)
    q = f"{{{PROJECT_NS}}}"
    paths = _paths(codebook)
    root = ET.Element(f"{q}Project", {"name": "qes-pipeline export", "origin": "qes-pipeline"})
    users = ET.SubElement(root, f"{q}Users")
    coders = sorted(set(segments["coder"]))
    for c in coders:
        ET.SubElement(users, f"{q}User", {"guid": guid_for(("user", c)), "name": c})
    cb = ET.fromstring(codebook_to_qdc(codebook))
    cb_el = ET.SubElement(root, f"{q}CodeBook")
    codes_el = ET.SubElement(cb_el, f"{q}Codes")

    def copy(src, dst):
        for c in src:
            if _local(c.tag) == "Code":
                el = ET.SubElement(dst, f"{q}Code", dict(c.attrib))
                for d in c:
                    if _local(d.tag) == "Description":
                        ET.SubElement(el, f"{q}Description").text = d.text
                copy(c, el)

    copy(next(c for c in cb if _local(c.tag) == "Codes"), codes_el)
    sources = ET.SubElement(root, f"{q}Sources")
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for study, text in texts.items():
            sguid = guid_for(("source", study))
            src = ET.SubElement(sources, f"{q}TextSource", {"guid": sguid, "name": study,
                                                             "plainTextPath": f"internal://{sguid}.txt"})
            for n, seg in enumerate(segments[segments["study_id"] == study].to_dict("records")):
                start = text.find(seg["quote"]) if seg["quote"] else 0
                end = start + len(seg["quote"])
                sel = ET.SubElement(src, f"{q}PlainTextSelection", {
                    "guid": guid_for(("sel", study, str(n))), "startPosition": str(max(start, 0)),
                    "endPosition": str(max(end, 0))})
                coding = ET.SubElement(sel, f"{q}Coding", {"guid": guid_for(("coding", study, str(n))),
                                                           "creatingUser": guid_for(("user", seg["coder"]))})
                ET.SubElement(coding, f"{q}CodeRef", {"targetGUID": guid_for(paths[seg["code_id"]])})
            z.writestr(f"sources/{sguid}.txt", text.encode("utf-8"))
        ET.indent(root)
        z.writestr("project.qde", b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8"))
    return buf.getvalue()


def save_qdc(codebook: pd.DataFrame, path: Path) -> Path:
    """Write the codebook as .qdc, refusing to write a document the standard's schema rejects."""
    document = codebook_to_qdc(codebook)
    errors = validate_xml(document)
    if errors:
        raise ValueError("the exported codebook does not validate against Codebook.xsd: " + "; ".join(errors[:3]))
    Path(path).write_bytes(document)
    return Path(path)
