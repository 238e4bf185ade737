"""Reading REFI-QDA projects (.qdpx) and codebooks (.qdc) as NVivo, ATLAS.ti, MAXQDA, QualCoder and Taguette write them.

What the tools do differently, and how it is met here:
- the XML inside a .qdpx may have any ``.qde`` name (ATLAS.ti names it after the project) and
  the texts may sit under ``sources/`` or ``Sources/`` (NVivo);
- namespaces ``urn:QDA-XML:project:1.0``, ``…:1.1`` or none at all are read alike (elements are
  matched by local name);
- NVivo counts positions in UTF-16 code units, the standard in characters: with astral
  characters (emoji) in a text the two differ, and the reading whose selections start and end at
  word boundaries is taken (NVivo's origin decides a tie);
- any depth of codes; Sets named after a paradigm role give roles, other Sets are reported;
- codings on PDF text selections are imported with their page; codings on pictures, audio,
  video, notes, cases and other sets are listed in the import report, never dropped silently.

Safety: a limit on each entry's and the total decompressed size and on the compression ratio;
symlink entries, paths leaving the archive, entity declarations and DTDs are refused.
Every message names the user's file (and the entry inside it), never a temporary copy.
"""

from __future__ import annotations

import json
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree as ET

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from ...errors import InputError
from ..codebook import ROLE_LABELS
from .ids import SIDECAR, paths_of


MAX_ENTRY = 512 * 2**20  # one decompressed entry
MAX_TOTAL = 2 * 2**30  # all entries together
MAX_RATIO = 200  # decompressed / compressed, per entry larger than 1 MiB
MEDIA = {"PictureSource": "picture", "AudioSource": "audio", "VideoSource": "video", "PDFSource": "pdf"}


@dataclass
class Node:
    """One code of a REFI-QDA codebook, with its parent and depth in the tree."""
    guid: str
    name: str
    parent_guid: str
    depth: int
    description: str
    codable: bool


@dataclass
class Coding:
    """One coding: a code on a range of a text source, by a coder."""
    source_guid: str
    source_name: str
    code_guid: str
    start: int
    end: int
    quote: str
    coder: str
    page: str = ""
    guid: str = ""


@dataclass
class Project:
    """What a REFI-QDA file holds, in the tool's own terms (GUIDs, names, positions)."""

    origin: str
    nodes: list[Node] = field(default_factory=list)
    roles: dict[str, str] = field(default_factory=dict)  # code guid -> paradigm role
    codings: list[Coding] = field(default_factory=list)
    report: list[dict] = field(default_factory=list)  # what was not imported, and why
    positions: str = "characters"
    kind: str = "project"  # or "codebook": a .qdc carries no codings, so it never replaces segments
    lengths: dict[str, int] = field(default_factory=dict)  # text source name -> length in characters
    sidecar: dict | None = None  # what our own export carries in its qes-pipeline Note

    def note(self, what: str, name: str, action: str, detail: str = "") -> None:
        self.report.append({"item": what, "name": name, "action": action, "detail": detail})


GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def guid_of(value: str | None, where: str, what: str) -> str:
    """A REFI-QDA GUID as this pipeline keeps it: lower case, without the braces some tools write
    ('{6F1C...}'); '' when absent.  Anything else is refused naming the element that holds it."""
    guid = (value or "").strip().strip("{}").lower()
    if guid and not GUID.fullmatch(guid):
        raise InputError(where, f"a GUID such as 6f1c1f0e-6a43-5b8e-9a57-2f6f1d1b9c3a in {what}", value=value)
    return guid


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(el, name: str) -> list:
    return [c for c in el if _local(c.tag) == name]


def _child(el, name: str):
    return next((c for c in el if _local(c.tag) == name), None)


def parse_xml(document: bytes, where: str) -> ET.Element:
    """Parse a REFI-QDA document safely (no DTD, no entities), naming ``where`` when it is not well-formed."""
    try:
        return SafeET.fromstring(document, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise InputError(where, f"XML without a DTD, entity declarations or external references (refused: "
                         f"{type(exc).__name__})") from None
    except ET.ParseError as exc:
        raise InputError(where, f"well-formed XML ({exc})") from None


def _codes(project: Project, codes_el, where: str, roles_from) -> None:

    role_by_label = {label.casefold(): role for role, label in ROLE_LABELS.items()}
    role_by_label |= {role.casefold(): role for role in ROLE_LABELS}
    seen: set[str] = set()

    def walk(el, parent_guid: str, depth: int) -> None:
        for code in _children(el, "Code"):
            guid = guid_of(code.get("guid"), where, f"Code {code.get('name')!r}")
            name = (code.get("name") or "").strip()
            if not guid or not name:
                raise InputError(where, f"every Code with a guid and a name (found guid={guid!r}, name={name!r})")
            if guid in seen:
                raise InputError(where, f"each code once; code {name!r} (guid {guid}) appears twice")
            seen.add(guid)
            desc = _child(code, "Description")
            project.nodes.append(Node(guid, name, parent_guid, depth,
                                      (desc.text or "").strip() if desc is not None else "",
                                      code.get("isCodable", "true") != "false"))
            walk(code, guid, depth + 1)

    walk(codes_el, "", 1)
    for sets_el in roles_from:
        for s in _children(sets_el, "Set"):
            role = role_by_label.get((s.get("name") or "").strip().casefold())
            members = [guid_of(m.get("targetGUID") or m.get("guid"), where, f"MemberCode of Set {s.get('name')!r}")
                       for m in _children(s, "MemberCode")]
            if role is None:
                project.note("set", s.get("name") or "", "not imported",
                             f"a set of {len(members)} code(s) and {len(_children(s, 'MemberSource'))} "
                             f"source(s) that is not a paradigm role")
                continue
            for guid in members:
                if guid in seen:
                    project.roles[guid] = role


def read_qdc_bytes(document: bytes, where: str) -> Project:
    """A REFI-QDA codebook document (.qdc) as a ``Project`` of kind ``codebook``."""
    root = parse_xml(document, where)
    if _local(root.tag) != "CodeBook":
        raise InputError(where, f"a REFI-QDA CodeBook root element, not {_local(root.tag)!r}")
    project = Project(origin=root.get("origin") or "", kind="codebook")
    codes = _child(root, "Codes")
    if codes is None:
        raise InputError(where, "a Codes element inside the CodeBook")
    _codes(project, codes, where, [s for s in [_child(root, "Sets")] if s is not None])
    return project


def read_qdc(path: Path) -> Project:
    """A .qdc codebook file as a ``Project`` of kind ``codebook``."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "a .qdc file")
    return read_qdc_bytes(path.read_bytes(), str(path))


def _members(archive: zipfile.ZipFile, where: str) -> dict[str, zipfile.ZipInfo]:
    """Entries by lower-cased path, after the safety checks; nothing is decompressed here."""
    out, total = {}, 0
    for info in archive.infolist():
        name = info.filename.replace("\\", "/")
        p = PurePosixPath(name)
        if p.is_absolute() or ".." in p.parts or (p.parts and p.parts[0].endswith(":")):
            raise InputError(where, f"zip entries inside the project; entry {info.filename!r} points outside it")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise InputError(where, f"no symbolic links in the project; entry {info.filename!r} is one")
        if info.file_size > MAX_ENTRY:
            raise InputError(where, f"entries under {MAX_ENTRY // 2**20} MiB decompressed; entry {info.filename!r} "
                             f"is {info.file_size // 2**20} MiB")
        if info.file_size > 2**20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise InputError(where, f"a compression ratio under {MAX_RATIO}:1; entry {info.filename!r} inflates "
                             f"{info.file_size // max(info.compress_size, 1)}:1 (a zip bomb?)")
        total += info.file_size
        if total > MAX_TOTAL:
            raise InputError(where, f"a project under {MAX_TOTAL // 2**30} GiB decompressed")
        if not info.is_dir():
            out[name.lower()] = info
    return out


def _read(archive, info, where: str) -> bytes:
    """An entry, read in chunks and stopped at its declared size (a lying header cannot inflate more)."""
    chunks, size = [], 0
    with archive.open(info) as f:
        while chunk := f.read(1 << 20):
            size += len(chunk)
            if size > min(info.file_size, MAX_ENTRY):
                raise InputError(where, f"entry {info.filename!r} larger than its header says")
            chunks.append(chunk)
    return b"".join(chunks)


def _text_of(archive, members, source, where: str) -> str | None:
    content = _child(source, "PlainTextContent")
    if content is not None and content.text:
        return content.text
    ref = source.get("plainTextPath") or ""
    if ref.startswith("internal://"):
        info = members.get(("sources/" + ref[len("internal://"):]).lower())
        if info is None:
            return None
        data = _read(archive, info, where)
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return data.decode("utf-16") if data[:2] in (b"\xff\xfe", b"\xfe\xff") else data.decode("cp1252")
    return None


def _utf16_to_index(text: str):
    """Map a UTF-16 offset to a character offset (None where it would split a surrogate pair)."""
    table, k = {}, 0
    for i, ch in enumerate(text):
        table[k] = i
        k += 2 if ord(ch) > 0xFFFF else 1
    table[k] = len(text)
    return table.get


def _boundary_share(text: str, spans) -> float:
    ok = 0
    for a, b in spans:
        if a is None or b is None or not (0 <= a <= b <= len(text)):
            continue
        left = a == 0 or not (text[a - 1].isalnum() and text[a:a + 1].isalnum())
        right = b == len(text) or not (text[b - 1:b].isalnum() and text[b].isalnum())
        ok += left and right
    return ok / max(len(spans), 1)


def _position_reader(text: str, raw_spans, origin: str):
    """Characters or UTF-16 code units: the reading whose selections fall on word boundaries."""
    if text is None or all(ord(c) <= 0xFFFF for c in text):
        return (lambda x: x), "characters"
    to_index = _utf16_to_index(text)
    as_chars = _boundary_share(text, raw_spans)
    as_utf16 = _boundary_share(text, [(to_index(a), to_index(b)) for a, b in raw_spans])
    if as_utf16 > as_chars or (as_utf16 == as_chars and origin.lower().startswith("nvivo")):
        return to_index, "UTF-16 code units"
    return (lambda x: x), "characters"


def read_qdpx(path: Path) -> Project:
    """A .qdpx project: codes, roles, text and PDF codings with exact quotes, and what was not imported."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "a .qdpx project file")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(path, f"a .qdpx zip archive ({exc})") from None
    with archive:
        members = _members(archive, str(path))
        qde = sorted(n for n in members if n.endswith(".qde") and "/" not in n) or sorted(
            n for n in members if n.endswith(".qde"))
        if not qde:
            raise InputError(path, "a .qde project file in the archive (project.qde or <name>.qde)")
        where = f"{path}!{members[qde[0]].filename}"
        root = parse_xml(_read(archive, members[qde[0]], where), where)
        if _local(root.tag) != "Project":
            raise InputError(where, f"a REFI-QDA Project root element, not {_local(root.tag)!r}")
        project = Project(origin=root.get("origin") or "")
        users = {guid_of(u.get("guid"), where, f"User {u.get('name')!r}"): u.get("name") or u.get("id") or u.get("guid")
                 for u in root.iter() if _local(u.tag) == "User"}
        codebook = _child(root, "CodeBook")
        codes = _child(codebook, "Codes") if codebook is not None else None
        if codes is not None:  # a project may have no codes yet (ATLAS.ti writes no CodeBook then)
            _codes(project, codes, where,
                   [s for s in (_child(root, "Sets"), _child(codebook, "Sets")) if s is not None])
        sources = _child(root, "Sources")
        units = set()
        for source in (list(sources) if sources is not None else []):
            kind = _local(source.tag)
            name = source.get("name") or source.get("guid") or ""
            if kind == "TextSource":
                _text_codings(project, archive, members, source, name, users, where, units)
            elif kind == "PDFSource":
                _pdf_codings(project, archive, members, source, name, users, where)
            elif kind in MEDIA:
                n = sum(len(_children(sel, "Coding")) for sel in source.iter()
                        if _local(sel.tag).endswith("Selection"))
                project.note(MEDIA[kind], name, "not imported", f"{n} coding(s) on a {MEDIA[kind]} source")
        for item, tag in (("note", "Note"), ("case", "Case")):
            parent = _child(root, tag + "s")
            for el in (_children(parent, tag) if parent is not None else []):
                if tag == "Note" and el.get("name") == SIDECAR and project.sidecar is None:
                    content = _child(el, "PlainTextContent")
                    try:
                        project.sidecar = json.loads(content.text or "") if content is not None else None
                    except ValueError:
                        project.sidecar = None
                    if isinstance(project.sidecar, dict):
                        continue
                    project.sidecar = None
                project.note(item, el.get("name") or el.get("guid") or "", "not imported",
                             "the pipeline keeps no notes or cases")
        if units:
            project.positions = ", ".join(sorted(units))
    return project


def _selections(source, kind: str = "PlainTextSelection"):
    return [s for s in source.iter() if _local(s.tag) == kind]


def _codings_of(sel, users, default_user, where):
    for coding in _children(sel, "Coding"):
        ref = _child(coding, "CodeRef")
        what = f"Coding {coding.get('guid')!r} of selection {sel.get('guid')!r}"
        guid = guid_of(ref.get("targetGUID"), where, f"CodeRef of {what}") if ref is not None else ""
        user = users.get(guid_of(coding.get("creatingUser") or default_user, where, f"creatingUser of {what}"),
                         "unknown")
        yield guid, user, guid_of(coding.get("guid"), where, what)


def _position(sel, attr: str, where: str, source_name: str) -> int:
    value = sel.get(attr, "")
    if not re.fullmatch(r"\d+", value or ""):
        raise InputError(where, f"a whole number of characters in {attr} of selection {sel.get('guid')} "
                         f"in source {source_name!r}", value=value)
    return int(value)


def _text_codings(project, archive, members, source, name, users, where, units) -> None:
    sels = _selections(source)
    text = _text_of(archive, members, source, where)
    raw = [(_position(s, "startPosition", where, name), _position(s, "endPosition", where, name)) for s in sels]
    to_index, unit = _position_reader(text, raw, project.origin)
    units.add(unit)
    if text is not None:
        project.lengths[name] = len(text)
    for sel, (a, b) in zip(sels, raw):
        start, end = to_index(a), to_index(b)
        if text is None:
            project.note("selection", sel.get("guid") or "", "not imported",
                         f"source {name!r} has no text in the project")
            continue
        if start is None or end is None or not (0 <= start <= end <= len(text)):
            raise InputError(where, f"positions inside the text of source {name!r} ({len(text)} characters) for "
                             f"selection {sel.get('guid')}", value=f"{a}-{b}")
        for guid, user, coding_guid in _codings_of(sel, users, sel.get("creatingUser"), where):
            project.codings.append(Coding(guid_of(source.get("guid"), where, f"source {name!r}"), name, guid, start, end, text[start:end],
                                          user, guid=coding_guid))


def _pdf_codings(project, archive, members, source, name, users, where) -> None:
    """Text selections in a PDF's text layer come in with their page; areas (pictures) do not."""
    for rep in _children(source, "Representation"):
        text = _text_of(archive, members, rep, where)
        for sel in _selections(rep):
            a, b = _position(sel, "startPosition", where, name), _position(sel, "endPosition", where, name)
            if text is None or not (0 <= a <= b <= len(text)):
                project.note("pdf selection", sel.get("guid") or "", "not imported",
                             f"no text layer, or positions outside it, in source {name!r}")
                continue
            for guid, user, coding_guid in _codings_of(sel, users, sel.get("creatingUser"), where):
                page = sel.get("page") or sel.get("firstPage") or ""
                project.codings.append(Coding(guid_of(source.get("guid"), where, f"source {name!r}"), name, guid, a, b, text[a:b], user,
                                              page, coding_guid))
    areas = _selections(source, "PDFSelection")
    if areas:
        n = sum(len(_children(s, "Coding")) for s in areas)
        project.note("pdf area", name, "not imported", f"{n} coding(s) on areas of the page (not text)")


def codings_frame(projects: list[Project]):
    """Text codings of one or more projects (documents matched by source name, codes by name path)
    as ``agreement`` takes them, with each document's length."""
    import pandas as pd

    rows, lengths = [], {}
    for project in projects:
        paths = paths_of({n.guid: (n.name, n.parent_guid) for n in project.nodes})
        for c in project.codings:
            rows.append({"document": c.source_name, "code": " > ".join(paths.get(c.code_guid, (c.code_guid,))),
                         "coder": c.coder, "start": c.start, "end": c.end, "quote": c.quote, "segment": c.guid})
        for name, n in project.lengths.items():
            lengths[name] = max(n, lengths.get(name, 0))
    return pd.DataFrame(rows, columns=["document", "code", "coder", "start", "end", "quote", "segment"]), lengths
