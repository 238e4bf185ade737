"""The codebook (Strauss & Corbin 1998): one table of nodes, checked, and placed in its hierarchy.

Categories (with their paradigm role, once it is assigned), subcategories (parent: a category)
and initial codes (parent: a subcategory, or another code: QDA projects nest codes at any depth).
Coded segments link studies to nodes, usually initial codes; everything at the higher levels is
derived through the hierarchy, never stored twice.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import language
from ..errors import InputError


PARENT_LEVEL = {"category": "", "subcategory": "category", "code": "subcategory"}
PARENT_LEVELS = {"category": ("",), "subcategory": ("category",), "code": ("subcategory", "code")}
ROLE_LABELS = language.section("roles")  # the English names; every language's are in pipeline/translations
ROLE_SINGULAR = language.section("role_singular")


def check_codebook(codebook: pd.DataFrame, path: Path) -> None:
    """Every node has a parent of the level above, no cycles, and roles only on categories."""
    level = dict(zip(codebook["node_id"], codebook["level"]))
    parent = dict(zip(codebook["node_id"], codebook["parent_id"]))
    # Names are unique among siblings only: real codebooks reuse "Other" or "Barriers" under several
    # parents.  A node's identity is its node_id (and GUID); its name path tells it apart in a project.
    twice = codebook[codebook.duplicated(subset=["parent_id", "name"], keep="first")]
    if len(twice):
        i, name, parent_id = twice.index[0], twice["name"].iloc[0], twice["parent_id"].iloc[0]
        same = codebook.loc[(codebook["name"] == name) & (codebook["parent_id"] == parent_id), "node_id"]
        under = f"under {parent_id}" if parent_id else "at the top level"
        raise InputError(path, f"a name unique among its siblings; {name!r} names {', '.join(same)} {under}",
                         row=int(codebook.index.get_loc(i)) + 2, column="name", value=name)
    if "guid" in codebook:
        guids = codebook.loc[codebook["guid"] != "", "guid"]
        again = guids[guids.duplicated(keep="first")]
        if len(again):
            i = codebook.index.get_loc(again.index[0])
            raise InputError(path, "a unique GUID (this code's GUID is already another code's)", row=int(i) + 2,
                             column="guid", value=again.iloc[0])
    for i, node in enumerate(codebook.to_dict("records")):
        row, nid = i + 2, node["node_id"]
        # Walk up first so that a cycle is reported as a cycle, not as a level mismatch.
        seen, cur = [nid], parent[nid]
        while cur:
            if cur in seen:
                chain = " -> ".join(seen + [cur])
                raise InputError(path, f"expected a tree; node {nid} is in a cycle ({chain})",
                                 row=row, column="parent_id", value=node["parent_id"])
            seen.append(cur)
            cur = parent.get(cur, "")
        want = PARENT_LEVEL[node["level"]]
        got = node["parent_id"]
        if not want and got:
            raise InputError(path, f"expected no parent for category {nid}", row=row, column="parent_id", value=got)
        if want and got not in level:
            what = "nothing" if not got else "an unknown node"
            raise InputError(path, f"{node['level']} {nid} is mapped to {what}; expected the node_id of a {want}",
                             row=row, column="parent_id", value=got or None)
        if want and level[got] not in PARENT_LEVELS[node["level"]]:
            raise InputError(path, f"expected {node['level']} {nid} to sit under a "
                             f"{' or a '.join(PARENT_LEVELS[node['level']])}, not a {level[got]}",
                             row=row, column="parent_id", value=got)
        if node["level"] != "category" and node["role"]:
            raise InputError(path, f"expected no role on {node['level']} {nid} (roles belong to categories)",
                             row=row, column="role", value=node["role"])


def placement(codebook: pd.DataFrame) -> pd.DataFrame:
    """Every node with the subcategory and category it belongs to (itself, for those levels)."""
    level = dict(zip(codebook["node_id"], codebook["level"]))
    parent = dict(zip(codebook["node_id"], codebook["parent_id"]))
    name = dict(zip(codebook["node_id"], codebook["name"]))
    role = dict(zip(codebook["node_id"], codebook["role"]))

    def up(nid, want):
        while nid and level.get(nid) != want:
            nid = parent.get(nid, "")
        return nid or ""

    ids = codebook["node_id"].tolist()
    subs = [up(n, "subcategory") for n in ids]
    cats = [up(n, "category") for n in ids]
    return pd.DataFrame({
        "code_id": ids, "code": codebook["name"].to_numpy(), "level": codebook["level"].to_numpy(),
        "subcategory_id": subs, "subcategory": [name.get(x, "") for x in subs],
        "category_id": cats, "category": [name.get(x, "") for x in cats], "role": [role.get(x, "") for x in cats],
    }).astype(str)  # text even when the codebook is empty, so joins on ids still work


def hierarchy(codebook: pd.DataFrame) -> pd.DataFrame:
    """One row per initial code with its subcategory, category and role."""
    p = placement(codebook)
    return p[p["level"] == "code"].drop(columns="level").reset_index(drop=True)


def level_counts(codebook: pd.DataFrame) -> dict[str, int]:
    """Number of nodes at each level of the codebook."""
    counts = codebook["level"].value_counts()
    return {lvl: int(counts.get(lvl, 0)) for lvl in ("code", "subcategory", "category")}


def categories(codebook: pd.DataFrame, separator: str = "; ") -> pd.DataFrame:
    """Categories in codebook order, with their subcategories joined as components."""
    cats = codebook[codebook["level"] == "category"]
    subs = codebook[codebook["level"] == "subcategory"]
    comps = subs.groupby("parent_id", sort=False)["name"].agg(separator.join)
    return pd.DataFrame({
        "category_id": cats["node_id"].to_numpy(),
        "category": cats["name"].to_numpy(),
        "components": comps.reindex(cats["node_id"]).fillna("").to_numpy(),
        "related_concepts": cats["related_concepts"].to_numpy(),
        "role": cats["role"].to_numpy(),
        "definition": cats["definition"].to_numpy(),
    })


def coded(segments: pd.DataFrame, codebook: pd.DataFrame) -> pd.DataFrame:
    """Segments joined to their place in the hierarchy."""
    return segments.merge(placement(codebook).drop(columns="level"), on="code_id", how="left",
                          validate="many_to_one")


def provenance_summary(segments: pd.DataFrame, codebook: pd.DataFrame) -> pd.DataFrame:
    """How many codebook nodes and coded segments rest on the article, and how many were reconstructed."""
    nodes = codebook.assign(kind=codebook["level"]).groupby(["kind", "provenance"]).size()
    segs = segments.assign(kind="segment").groupby(["kind", "provenance"]).size()
    return pd.concat([nodes, segs]).rename("n").reset_index()


def codebook_table(codebook: pd.DataFrame) -> pd.DataFrame:
    """The codebook for the article: category (role) > subcategory > initial codes."""
    h = hierarchy(codebook)
    h["role"] = h["role"].map(ROLE_SINGULAR)
    return (h.groupby(["category", "role", "subcategory"], sort=False)["code"].agg("; ".join).reset_index()
              .rename(columns={"category": "Category", "role": "Role", "subcategory": "Subcategory",
                               "code": "Initial codes"}))
