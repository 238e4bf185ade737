"""Coded data into the review: a REFI-QDA project or codebook, or a spreadsheet of coded segments.

Codes are matched by GUID, then by name path; a matched code keeps its node id and what the
interchange cannot carry (provenance, sources, related concepts), a new one is marked
``imported:<tool>``.  Existing segments and re-coding rows are never re-pointed.
"""

from __future__ import annotations

from dataclasses import dataclass
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


def merge_project(project: Project, codebook, segments, recoding, studies, source_map, where: str,
                  tool: str, replace: bool = False) -> Merged:
    """The imported codes and codings merged into the current data, codes matched by GUID, then by path.

    Matched codes keep their node id and what the interchange cannot carry (provenance, sources,
    related concepts; the role too unless the file has role Sets); new codes are marked
    ``imported:<tool>``.  Existing segments and re-coding rows are never re-pointed.  Without
    ``replace`` codes missing from the file stay; with it they go, unless a segment or re-coding
    row still uses them (refused, naming the rows).
    """
    import pandas as pd

    seen: dict[tuple[str, str], str] = {}
    for node in project.nodes:  # siblings must differ: a code is matched by GUID, then by its name path
        first = seen.setdefault((node.parent_guid, node.name), node.guid)
        if first != node.guid:
            raise InputError(where, f"code names unique among siblings: <Code name=\"{node.name}\" guid=\"{first}\"> "
                             f"and <Code name=\"{node.name}\" guid=\"{node.guid}\"> share a parent; rename one in the "
                             f"QDA tool and export again")
    current = codebook.copy()
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
        if nid is not None and nid not in guid_to_id.values():
            row = dict(rows[nid])
            row.update({"guid": node.guid, "name": node.name, "parent_id": parent_id, "level": level,
                        "definition": node.description if node.description or not row["definition"]
                        else row["definition"]})
            if has_roles or level != "category":
                row["role"] = project.roles.get(node.guid, "") if level == "category" else ""
            matched += 1
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
    seen = set(guid_to_id.values())
    missing = [nid for nid in order if nid not in seen]
    if replace:
        keep_seg = segments if project.kind == "codebook" else segments.iloc[0:0]
        used = [(f"coded/segments.csv segment {s}", c) for s, c in zip(keep_seg["segment_id"], keep_seg["code_id"])]
        used += [(f"coded/recoding.csv unit {u} occasion {o}", c)
                 for u, o, c in zip(recoding["unit_id"], recoding["occasion"], recoding["code_id"]) if c]
        dangling = [f"{what} uses {c}" for what, c in used if c in set(missing)]
        if dangling:
            raise InputError(where, f"codes that stay while rows use them; with --replace, {len(dangling)} "
                             f"row(s) would point at codes the file does not have: " + "; ".join(dangling[:5]))
        order = [nid for nid in order if nid in seen]
    kept = len(missing) if not replace else 0
    new_codebook = pd.DataFrame([rows[nid] for nid in order], columns=list(codebook.columns))
    new_segments, new_sources, n_new = None, None, 0
    if project.kind == "project":
        new_segments, new_sources, n_new = _segments(project, guid_to_id, segments, studies, source_map, where, tool,
                                                     replace)
        if replace:
            gone = set(segments["segment_id"]) - set(new_segments["segment_id"])
            rows_gone = [f"unit {u}" for u in recoding["unit_id"] if u in gone]
            if rows_gone:
                raise InputError(where, f"re-coding rows whose segments stay; with --replace, coded/recoding.csv "
                                 f"would point at segments the file does not have: {', '.join(rows_gone[:5])}")
    return Merged(new_codebook, new_segments, new_sources, matched, added, kept,
                  len(missing) if replace else 0, n_new)


def _segments(project, guid_to_id, segments, studies, source_map, where, tool, replace):
    import pandas as pd

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

    # A coding exported from here comes back with the GUID it left with: it is that segment, as it is.
    exported = {guid_for(("coding", sid)) for sid in segments["segment_id"]} if not replace else set()
    rows = []
    for c in project.codings:
        if c.guid in exported:
            continue
        code_id = guid_to_id.get(c.code_guid)
        if code_id is None:
            raise InputError(where, f"a Coding whose CodeRef names a code of the codebook (source {c.source_name!r}, "
                             f"characters {c.start}-{c.end}, code guid {c.code_guid!r})")
        location = f"characters {c.start}-{c.end}" + (f", page {c.page}" if c.page else "")
        rows.append({"study_id": mapping[c.source_name], "code_id": code_id, "location": location,
                     "quote": c.quote, "coder": c.coder, "provenance": f"imported:{tool}"})
    new = pd.DataFrame(rows, columns=["study_id", "code_id", "location", "quote", "coder", "provenance"])
    base = segments.iloc[0:0] if replace else segments
    key = lambda df: df["study_id"] + "\x1f" + df["code_id"] + "\x1f" + df["location"] + "\x1f" + df["coder"]  # noqa
    new = new[~key(new).isin(set(key(base)))].drop_duplicates()

    merged = append_segments(base, new)
    # The mapping file records only what is not obvious: a source whose name is not its study id.
    names = sorted({c.source_name for c in project.codings if mapping[c.source_name] != c.source_name})
    old = source_map if source_map is not None else pd.DataFrame(columns=SOURCE_MAP_COLUMNS)
    add = pd.DataFrame({"source_name": [n for n in names if n not in set(old["source_name"])]})
    add["study_id"] = add["source_name"].map(mapping)
    sources = pd.concat([old, add], ignore_index=True)[SOURCE_MAP_COLUMNS] if len(add) or source_map is not None \
        else None
    return merged, sources, len(new)


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
    """``new`` segments after ``existing`` ones, numbered on from the highest ``G<n>`` id in use."""
    numbers = existing["segment_id"].str.extract(r"^G(\d+)$", expand=False).dropna().astype(int)
    start = int(numbers.max()) + 1 if len(numbers) else 1
    new = new.assign(segment_id=[f"G{i:04d}" for i in range(start, start + len(new))])
    return pd.concat([existing, new[existing.columns]], ignore_index=True)
