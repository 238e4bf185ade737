"""Coded data into the review: a REFI-QDA project or codebook, or a spreadsheet of coded segments.

Codes are matched by GUID, then by name path; a matched code keeps its node id and what the
interchange cannot carry (provenance, sources, related concepts), a new one is marked
``imported:<tool>``.  Existing segments and re-coding rows are never re-pointed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ...errors import InputError
from .ids import guid_for, guids, next_ids, paths_of, PREFIX, slug
from .read import Project


LEVEL_OF_DEPTH = {1: "category", 2: "subcategory"}
SOURCE_MAP_COLUMNS = ["source_name", "study_id"]


@dataclass
class Merged:
    """The codebook, segments and source map after a merge, with what was matched, added, kept and removed."""
    codebook: object
    segments: object | None
    sources: object | None
    matched: int
    added: int
    kept: int
    removed: int
    new_segments: int
    matched_segments: int = 0
    stale: list = field(default_factory=list)  # segment ids of the file's studies the file no longer has
    recoding: object | None = None  # restored from our own export into a review without re-coding
    findings: object | None = None  # likewise the findings, and their judgements
    cerqual: object | None = None


def _table(side: dict, key: str):
    import pandas as pd

    t = side.get(key) or {}
    return pd.DataFrame(t.get("rows", []), columns=t.get("columns", [])).astype(str) if t else None


def merge_project(project: Project, codebook, segments, recoding, studies, source_map, where: str,
                  tool: str, replace: bool = False) -> Merged:
    """The imported codes and codings merged into the current data, codes matched by GUID, then by path.

    Matched codes keep their node id and what the interchange cannot carry (provenance, sources,
    related concepts; the role too unless the file has role Sets).  A new code takes what the file's
    qes-pipeline note says of it (our own export: node id, provenance, related concepts, names in
    other languages), else it is marked ``imported:<tool>``.  Codings are matched to the review's
    segments (``_segments``); existing segments and re-coding rows are never re-pointed.  Without
    ``replace`` codes and segments missing from the file stay (the segments are listed as stale);
    with it they go, for the studies the file holds only, unless a row still uses them (refused,
    naming the rows).
    """
    import pandas as pd

    seen: dict[tuple[str, str], str] = {}
    for node in project.nodes:  # siblings must differ: a code is matched by GUID, then by its name path
        first = seen.setdefault((node.parent_guid, node.name), node.guid)
        if first != node.guid:
            raise InputError(where, f"code names unique among siblings: <Code name=\"{node.name}\" guid=\"{first}\"> "
                             f"and <Code name=\"{node.name}\" guid=\"{node.guid}\"> share a parent; rename one in the "
                             f"QDA tool and export again")
    side = project.sidecar or {}
    side_cb = _table(side, "codebook")
    side_rows, side_index = {}, {}
    if side_cb is not None and len(side_cb):
        for i, (nid, g) in enumerate(guids(side_cb).items()):
            side_rows[g.lower()] = side_cb.iloc[i].to_dict()
            side_index[nid] = i
    current = codebook.copy()
    columns = list(current.columns) + [c for c in (side_cb.columns if side_cb is not None else [])
                                       if c not in current.columns]
    cur_paths = paths_of({r["node_id"]: (r["name"], r["parent_id"]) for r in current.to_dict("records")})

    by_guid = {g.lower(): nid for nid, g in guids(current).items()}
    by_path = {p: nid for nid, p in cur_paths.items()}
    imp_paths = paths_of({n.guid: (n.name, n.parent_guid) for n in project.nodes})
    rows = {r["node_id"]: r for r in current.to_dict("records")}
    order = list(current["node_id"])
    guid_to_id, matched, added = {}, 0, 0
    fresh = {level: next_ids(current, level) for level in PREFIX}
    has_roles = bool(project.roles)
    for node in project.nodes:  # parents come before their children
        level = LEVEL_OF_DEPTH.get(node.depth, "code")
        nid = by_guid.get(node.guid) or by_path.get(imp_paths[node.guid])
        parent_id = guid_to_id.get(node.parent_guid, "")
        ours = side_rows.get(node.guid)
        if nid is not None and nid not in guid_to_id.values():
            row = dict(rows[nid])
            row.update({"guid": node.guid, "name": node.name, "parent_id": parent_id, "level": level,
                        "definition": node.description if node.description or not row["definition"]
                        else row["definition"]})
            if ours is not None and ours["guid"] == "" and rows[nid].get("guid", "") == "":
                row["guid"] = ""  # ours, still the uuid5 of its path: kept implicit
            if has_roles or level != "category":
                row["role"] = project.roles.get(node.guid, "") if level == "category" else ""
            matched += 1
        elif ours is not None:  # from our own export: what it was, where the tool did not change it
            nid = ours["node_id"] if ours["node_id"] not in rows else next(fresh[ours["level"]])
            row = dict(ours)
            row.update({"node_id": nid, "name": node.name, "parent_id": parent_id,
                        "definition": node.description if node.description else ours.get("definition", ""),
                        "role": project.roles.get(node.guid, ours.get("role", "")) if ours["level"] == "category"
                        else ""})
            if ours["guid"] == "" and guid_for(imp_paths[node.guid]) != node.guid:
                row["guid"] = node.guid  # renamed or moved in the tool: its GUID is now its identity
            order.append(nid)
            added += 1
        else:
            nid = next(fresh[level])
            row = {"node_id": nid, "guid": node.guid, "level": level, "name": node.name, "parent_id": parent_id,
                   "role": project.roles.get(node.guid, "") if level == "category" else "",
                   "definition": node.description, "related_concepts": "", "source": f"imported from {tool}",
                   "provenance": f"imported:{tool}"}
            order.append(nid)
            added += 1
        rows[nid] = row
        guid_to_id[node.guid] = nid
    if current.empty and side_index:  # into an empty review: our export's rows in their own order
        order.sort(key=lambda n: side_index.get(n, len(side_index)))
    seen = set(guid_to_id.values())
    missing = [nid for nid in order if nid not in seen]

    new_segments, new_sources, n_new, n_matched, stale, new_recoding = None, None, 0, 0, [], None
    kept_segments = segments
    if project.kind == "project":
        new_segments, new_sources, n_new, n_matched, stale = _segments(
            project, guid_to_id, segments, studies, source_map, where, tool, replace)
        kept_segments = new_segments
        side_rec = _table(side, "recoding")
        if side_rec is not None and len(side_rec) and recoding.empty:
            new_recoding = side_rec[side_rec["unit_id"].isin(set(new_segments["segment_id"]))]
            now = _renumbering(side_cb, guid_to_id)
            new_recoding = new_recoding.assign(code_id=new_recoding["code_id"].map(lambda c: now.get(c, c)))
        if replace:
            gone = set(segments["segment_id"]) - set(new_segments["segment_id"])
            rows_gone = [f"unit {u}" for u in recoding["unit_id"] if u in gone]
            if rows_gone:
                raise InputError(where, f"re-coding rows whose segments stay; with --replace, coded/recoding.csv "
                                 f"would point at segments the file no longer has: {', '.join(rows_gone[:5])}")
    if replace:
        # The file speaks for its own studies: a code it lacks goes, unless rows it does not replace
        # (other studies' segments, re-coding) still use it; then it stays, with the nodes above it.
        used = set(kept_segments["code_id"]) | {c for c in recoding["code_id"] if c}
        if project.kind == "codebook":  # a codebook file is the whole codebook: codes in use cannot go
            rows_using = [f"coded/segments.csv segment {s} uses {c}" for s, c in
                          zip(kept_segments["segment_id"], kept_segments["code_id"]) if c in set(missing)]
            rows_using += [f"coded/recoding.csv unit {u} occasion {o} uses {c}" for u, o, c in
                           zip(recoding["unit_id"], recoding["occasion"], recoding["code_id"]) if c in set(missing)]
            if rows_using:
                raise InputError(where, f"codes that stay while rows use them; with --replace, {len(rows_using)} "
                                 f"row(s) would point at codes the file does not have: " + "; ".join(rows_using[:5]))
        parent = {nid: r["parent_id"] for nid, r in rows.items()}
        keep = set()
        for c in used:
            while c and c not in keep:
                keep.add(c)
                c = parent.get(c, "")
        order = [nid for nid in order if nid in seen or nid in keep]
        kept = sum(1 for nid in missing if nid in keep)
    else:
        kept = len(missing)
    new_codebook = pd.DataFrame([rows[nid] for nid in order], columns=columns).fillna("")
    new_findings = new_cerqual = None
    side_findings = _table(side, "findings")
    if side_findings is not None and len(side_findings) and current.empty:  # into an empty review
        now = _renumbering(side_cb, guid_to_id)
        new_findings = side_findings.assign(nodes=[";".join(now.get(n.strip(), n.strip()) for n in v.split(";")
                                                            if n.strip()) for v in side_findings["nodes"]])
        new_cerqual = _table(side, "cerqual")
    return Merged(new_codebook, new_segments, new_sources, matched, added, kept,
                  len(missing) - kept if replace else 0, n_new, n_matched, stale, new_recoding, new_findings,
                  new_cerqual)


def _renumbering(side_cb, guid_to_id: dict) -> dict[str, str]:
    """Node ids of our export's codebook -> the ids the review gives those nodes now (by GUID)."""
    if side_cb is None:
        return {}
    return {nid: guid_to_id[g.lower()] for nid, g in guids(side_cb).items() if g.lower() in guid_to_id}


def _segments(project, guid_to_id, segments, studies, source_map, where, tool, replace):
    """The review's segments with the file's codings: each coding is a segment the review has (by the
    GUID it left with, else by study, range in the exported text, code and coder), a segment of our
    own export restored as it was (node ids, location, quote or none, provenance), or a new one.
    Segments of the file's studies that no coding matched are stale: kept and listed, or, with
    ``replace``, removed."""
    import pandas as pd

    from .write import study_text

    known = set(studies["study_id"])
    mapping = dict(zip(source_map["source_name"], source_map["study_id"])) if source_map is not None else {}
    unmapped = {}
    for c in project.codings:
        if c.source_name in mapping:
            continue
        guess = c.source_name if c.source_name in known else slug(c.source_name)
        if guess in known:
            mapping[c.source_name] = guess
        else:
            unmapped[c.source_name] = guess
    if unmapped:
        listed = "; ".join(f"{name!r} (slug {s!r})" for name, s in list(unmapped.items())[:5])
        raise InputError(where, f"every source mapped to a study of raw/studies.csv; {len(unmapped)} source(s) are "
                         f"not: {listed}. Add a row 'source_name,study_id' for each to coded/sources.csv, "
                         f"or give the study that id in raw/studies.csv")

    # What the review has: each segment by the GUID it left with, and by study, range, code and coder
    # (its range in the text export-qda writes for it, which for a segment imported with its characters
    # is those characters).
    by_coding = {guid_for(("coding", sid)): sid for sid in segments["segment_id"]}
    by_place = {}
    for study, g in segments.groupby("study_id", sort=False):
        _, ranges = study_text(g.to_dict("records"))
        for r in g.to_dict("records"):
            by_place.setdefault((study, *ranges[r["segment_id"]], r["code_id"], r["coder"]), r["segment_id"])
    side = project.sidecar or {}
    side_seg = _table(side, "segments")
    ours = {}
    if side_seg is not None:
        ours = {guid_for(("coding", r["segment_id"])): r for r in side_seg.to_dict("records")}
        now = _renumbering(_table(side, "codebook"), guid_to_id)
        for r in ours.values():
            r["code_id"] = now.get(r["code_id"], r["code_id"])

    found, rows = [], []
    for c in project.codings:
        code_id = guid_to_id.get(c.code_guid)
        if code_id is None:
            raise InputError(where, f"a Coding whose CodeRef names a code of the codebook (source {c.source_name!r}, "
                             f"characters {c.start}-{c.end}, code guid {c.code_guid!r})")
        study = mapping[c.source_name]
        sid = by_coding.get(c.guid) or by_place.get((study, c.start, c.end, code_id, c.coder))
        if sid is None and c.guid in ours and ours[c.guid]["segment_id"] in set(segments["segment_id"]):
            sid = ours[c.guid]["segment_id"]
        if sid is not None:
            found.append(sid)
            continue
        if c.guid in ours:
            rows.append(dict(ours[c.guid], study_id=study, code_id=code_id))
            continue
        location = f"characters {c.start}-{c.end}" + (f", page {c.page}" if c.page else "")
        rows.append({"segment_id": "", "study_id": study, "code_id": code_id, "location": location,
                     "quote": c.quote, "coder": c.coder, "provenance": f"imported:{tool}"})
    columns = list(segments.columns)
    new = pd.DataFrame(rows, columns=columns).fillna("")
    key = lambda df: df["study_id"] + "\x1f" + df["code_id"] + "\x1f" + df["location"] + "\x1f" + df["coder"]  # noqa
    restored = new["segment_id"] != ""  # ours, by id: two equal segments stay two
    new = new[restored | ~new.drop(columns="segment_id").duplicated()]
    studies_in_file = {mapping[c.source_name] for c in project.codings}
    stale = [sid for sid, st in zip(segments["segment_id"], segments["study_id"])
             if st in studies_in_file and sid not in set(found)]
    if segments.empty and side_seg is not None:  # into an empty review: our export's rows in their own order
        rank = {sid: i for i, sid in enumerate(side_seg["segment_id"])}
        new = new.iloc[sorted(range(len(new)), key=lambda i: rank.get(new["segment_id"].iloc[i], len(rank)))]
    base = segments[~segments["segment_id"].isin(stale)] if replace else segments
    new = new[restored.loc[new.index] | ~key(new).isin(set(key(base)))]
    merged = append_segments(base, new)
    # The mapping file records only what is not obvious: a source whose name is not its study id.
    names = sorted({c.source_name for c in project.codings if mapping[c.source_name] != c.source_name})
    old = source_map if source_map is not None else pd.DataFrame(columns=SOURCE_MAP_COLUMNS)
    add = pd.DataFrame({"source_name": [n for n in names if n not in set(old["source_name"])]})
    add["study_id"] = add["source_name"].map(mapping)
    sources = pd.concat([old, add], ignore_index=True)[SOURCE_MAP_COLUMNS] if len(add) or source_map is not None \
        else None
    return merged, sources, len(new), len(found), stale


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
    by_id = set(codes["node_id"])
    by_name: dict[str, list[str]] = {}
    for name, nid in zip(codes["name"], codes["node_id"]):
        by_name.setdefault(name, []).append(nid)
    paths = paths_of({r["node_id"]: (r["name"], r["parent_id"]) for r in nodes})
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
        found = [code] if code in by_id else by_name.get(code, [])
        if len(found) > 1:  # one name under several parents: the category and subcategory columns decide
            above = [n for n in (cell(rec, "category"), cell(rec, "subcategory")) if n]
            found = [nid for nid in found if all(n in paths[nid][:-1] for n in above)] if above else found
            if len(found) != 1:
                where_all = "; ".join(" > ".join(paths[nid]) for nid in by_name[code])
                raise InputError(path, f"one code: the name {code!r} is in several places ({where_all}); give its "
                                 f"category and subcategory in 'category' and 'subcategory' columns, or its node id",
                                 row=i + 2, column=cols["code"], value=code)
        if not found:
            category = cell(rec, "category")
            if not code or not category:
                raise InputError(path, "a code of coded/codebook.csv (by name or id), or a new code with its "
                                 "category in a 'category' column (and optionally a 'subcategory' column)",
                                 row=i + 2, column=cols["code"], value=code)
            parent = cat_of.get(category) or cat_of.setdefault(category, add("category", category, ""))
            sub = cell(rec, "subcategory")
            if sub:
                parent = sub_of.get((parent, sub)) or sub_of.setdefault((parent, sub), add("subcategory", sub, parent))
            found = [add("code", code, parent)]
            by_name.setdefault(code, []).append(found[0])
            paths[found[0]] = (category, *([sub] if sub else []), code)
        rows.append({"study_id": study, "code_id": found[0], "location": cell(rec, "location"),
                     "quote": cell(rec, "quote"), "coder": cell(rec, "coder") or "unknown"})
    out = pd.DataFrame(rows, columns=["study_id", "code_id", "location", "quote", "coder"])
    out["provenance"] = "reported"
    return pd.DataFrame(nodes, columns=list(codebook.columns)), out


def append_segments(existing: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """``new`` segments after ``existing`` ones: a segment restored from our own export keeps its id
    when it is free; the others are numbered on from the highest ``G<n>`` id in use."""
    given = new["segment_id"].fillna("") if "segment_id" in new else pd.Series("", index=new.index)
    taken = set(existing["segment_id"])
    keep = []
    for sid in given:
        keep.append(bool(sid) and sid not in taken)
        taken.add(sid)
    numbers = pd.Series(sorted(taken), dtype=str).str.extract(r"^G(\d+)$", expand=False).dropna().astype(int)
    n = int(numbers.max()) if len(numbers) else 0
    ids = []
    for sid, k in zip(given, keep):
        if k:
            ids.append(sid)
        else:
            n += 1
            ids.append(f"G{n:04d}")
    new = new.assign(segment_id=ids)
    return pd.concat([existing, new[existing.columns]], ignore_index=True)
