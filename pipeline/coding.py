"""Open, axial and selective coding (Strauss & Corbin 1998) as data-frame functions.

The codebook is one table of nodes: categories (with their paradigm role, once
it is assigned), subcategories (parent: a category) and initial codes (parent:
a subcategory, or another code: QDA projects nest codes at any depth).  Coded
segments link studies to nodes, usually initial codes; everything at the
higher levels is derived through the hierarchy, never stored twice.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from . import language
from .errors import InputError

PARENT_LEVEL = {"category": "", "subcategory": "category", "code": "subcategory"}
PARENT_LEVELS = {"category": ("",), "subcategory": ("category",), "code": ("subcategory", "code")}

ROLE_LABELS = language.section("roles")  # the English names; every language's are in pipeline/translations
ROLE_SINGULAR = language.section("role_singular")


def check_codebook(codebook: pd.DataFrame, path: Path) -> None:
    """Every node has a parent of the level above, no cycles, and roles only on categories."""
    level = dict(zip(codebook["node_id"], codebook["level"]))
    parent = dict(zip(codebook["node_id"], codebook["parent_id"]))
    codes = codebook[codebook["level"] == "code"]
    twice = codes[codes["name"].duplicated(keep="first")]
    if len(twice):
        i, name = twice.index[0], twice["name"].iloc[0]
        parents = ", ".join(codes.loc[codes["name"] == name, "parent_id"])
        raise InputError(path, f"each initial code under one parent; code {name!r} is mapped to two parents "
                         f"({parents})", row=int(codebook.index.get_loc(i)) + 2, column="name", value=name)
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


def open_coding_table(segments: pd.DataFrame, codebook: pd.DataFrame) -> pd.DataFrame:
    """Every initial code: frequency, the studies it appears in, and one quotation with its location."""
    seg = coded(segments, codebook)
    rows = []
    p = placement(codebook)
    direct = p[(p["level"] != "code") & p["code_id"].isin(set(segments["code_id"]))]  # codings on upper nodes
    by_code = dict(tuple(seg.groupby("code_id", sort=False)))  # one pass, not a mask per code
    for code in pd.concat([hierarchy(codebook), direct.drop(columns="level")]).to_dict("records"):
        s = by_code.get(code["code_id"], seg.iloc[0:0])
        quoted = s[s["quote"] != ""]
        first = quoted.iloc[0] if len(quoted) else None
        rows.append({
            "code_id": code["code_id"],
            "code": code["code"],
            "subcategory": code["subcategory"],
            "frequency": len(s),
            "n_studies": s["study_id"].nunique(),
            "studies": "; ".join(sorted(s["study_id"].unique())),
            "quotation": "" if first is None else first["quote"],
            "location": "" if first is None else f"{first['study_id']}: {first['location']}",
        })
    return pd.DataFrame(rows)


def axial_table(codebook: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """Category > subcategory rows with the number of initial codes and coded segments under each."""
    h = hierarchy(codebook)
    freq = segments["code_id"].value_counts()
    h = h.assign(segments=h["code_id"].map(freq).fillna(0).astype(int))
    # Codings made on a subcategory itself count under it (QDA tools allow coding on any node).
    direct = freq.reindex(h["subcategory_id"]).fillna(0).astype(int).to_numpy()
    h["segments"] += direct * (~h["subcategory_id"].duplicated()).to_numpy()
    out = (h.groupby(["category_id", "category", "role", "subcategory_id", "subcategory"], sort=False)
             .agg(codes=("code_id", "size"), segments=("segments", "sum")).reset_index())
    per_cat = out.groupby("category_id", sort=False).agg(category_codes=("codes", "sum"),
                                                         category_segments=("segments", "sum"))
    return out.join(per_cat, on="category_id")


def study_category_matrix(segments: pd.DataFrame, codebook: pd.DataFrame, studies: pd.DataFrame) -> pd.DataFrame:
    """Coded segments per study (rows, in the studies file's order) and category (columns)."""
    seg = coded(segments, codebook)
    cats = codebook.loc[codebook["level"] == "category", "node_id"].tolist()
    m = pd.crosstab(seg["study_id"], seg["category_id"]).reindex(index=studies["study_id"], columns=cats, fill_value=0)
    m.index.name, m.columns.name = "study_id", None
    return m.astype(int)


def category_links(matrix: pd.DataFrame) -> pd.DataFrame:
    """Category co-occurrence: the number of studies in which both categories are coded."""
    present = (matrix > 0).astype(int)
    if present.empty:  # no study or no category yet
        return pd.DataFrame(0, index=matrix.columns, columns=matrix.columns)
    co = present.T @ present
    for c in co.index:
        co.loc[c, c] = 0
    return co


def core_category(segments: pd.DataFrame, codebook: pd.DataFrame, studies: pd.DataFrame) -> pd.DataFrame:
    """Rank categories by the article's criterion for the core: links to the other categories, then code frequency.

    ``links`` counts, over every other category, the studies in which both are
    coded (co-occurrence within studies); ``linked_categories`` is how many
    other categories it co-occurs with at all; ``frequency`` is the number of
    coded segments under it.  The core is the first row; ``criteria_agree``
    says whether it also has the highest frequency, i.e. whether both halves
    of the criterion point to the same category.
    """
    matrix = study_category_matrix(segments, codebook, studies)
    co = category_links(matrix)
    names = codebook.set_index("node_id")["name"]
    table = pd.DataFrame({
        "category_id": matrix.columns,
        "category": names.reindex(matrix.columns).to_numpy(),
        "links": co.sum(axis=1).reindex(matrix.columns).to_numpy(),
        "linked_categories": (co > 0).sum(axis=1).reindex(matrix.columns).to_numpy(),
        "frequency": matrix.sum(axis=0).to_numpy(),
        "studies": (matrix > 0).sum(axis=0).to_numpy(),
    })
    table = table.sort_values(["links", "frequency", "category_id"], ascending=[False, False, True], kind="stable")
    table = table.reset_index(drop=True)
    table.insert(0, "rank", range(1, len(table) + 1))
    table["is_core"] = table["rank"] == 1
    table["criteria_agree"] = bool(table["frequency"].iloc[0] == table["frequency"].max()) if len(table) else False
    return table


def core_of(core: pd.DataFrame) -> tuple[str, str]:
    """(category_id, name) of the core category in a ``core_category`` table; empty strings while the
    codebook has no category."""
    top = core[core["is_core"]]
    return (str(top["category_id"].iloc[0]), str(top["category"].iloc[0])) if len(top) else ("", "")


def paradigm_roles(codebook: pd.DataFrame) -> dict[str, list[str]]:
    """Category names grouped by their paradigm role, in codebook order."""
    cats = codebook[codebook["level"] == "category"]
    return {role: cats.loc[cats["role"] == role, "name"].tolist() for role in ROLE_LABELS}



def table3(codebook: pd.DataFrame, lang: str = language.BASE) -> pd.DataFrame:
    """Table 3 of a paradigm-model article: category, components, related concepts, role.

    In another language the names and related concepts come from their ``_<lang>`` columns (English
    where empty) and the headers and roles from the translation file.
    """
    codebook = language.localized(codebook, ["name", "related_concepts"], lang)
    t = categories(codebook, language.tr("meta.list_separator", lang))
    return language.columns(pd.DataFrame({
        "Category": t["category"],
        "Components (subcategories)": t["components"],
        "Related concepts": t["related_concepts"],
        "Role in the paradigm model": t["role"].map(language.section("role_singular", lang)),
    }), lang)


def provenance_summary(segments: pd.DataFrame, codebook: pd.DataFrame) -> pd.DataFrame:
    """How many codebook nodes and coded segments rest on the article, and how many were reconstructed."""
    nodes = codebook.assign(kind=codebook["level"]).groupby(["kind", "provenance"]).size()
    segs = segments.assign(kind="segment").groupby(["kind", "provenance"]).size()
    return pd.concat([nodes, segs]).rename("n").reset_index()


def publication_order(studies: pd.DataFrame) -> list[str]:
    """Study ids by Gregorian year, ties in file order (the order the evidence appeared)."""
    return studies.sort_values("year", kind="stable")["study_id"].tolist()


SATURATION_CHUNK = 50_000_000  # booleans (bytes) of random-order curves held at once: 3 GB at 5,000 × 600 before


def saturation_curve(segments: pd.DataFrame, studies: pd.DataFrame, n_orders: int = 500, seed: int = 0) -> pd.DataFrame:
    """Distinct initial codes found as studies are added: in publication order, and the mean and
    2.5-97.5% band over ``n_orders`` random orders (a saturation check for the open coding).
    """
    import numpy as np

    ids = studies["study_id"].tolist()
    codes = sorted(segments["code_id"].unique())
    col = {c: j for j, c in enumerate(codes)}
    row = {s: i for i, s in enumerate(ids)}
    present = np.zeros((len(ids), len(codes)), dtype=bool)
    present[segments["study_id"].map(row).to_numpy(dtype=int), segments["code_id"].map(col).to_numpy(dtype=int)] = True

    def curve(order_idx):
        return np.logical_or.accumulate(present[order_idx], axis=-2).sum(axis=-1)

    pub = curve(np.array([row[s] for s in publication_order(studies)], dtype=int))
    rng = np.random.default_rng(seed)
    orders = np.argsort(rng.random((n_orders, len(ids))), axis=1)
    step = max(1, SATURATION_CHUNK // max(1, present.size))  # orders per chunk, bounded memory
    rand = np.concatenate([curve(orders[i:i + step]) for i in range(0, n_orders, step)]) if n_orders \
        else curve(orders)
    return pd.DataFrame({
        "studies": np.arange(1, len(ids) + 1),
        "study_added": publication_order(studies),
        "codes_publication_order": pub,
        "codes_random_mean": rand.mean(axis=0).round(2),
        "codes_random_low": np.quantile(rand, 0.025, axis=0),
        "codes_random_high": np.quantile(rand, 0.975, axis=0),
    })


def leave_one_out(segments: pd.DataFrame, codebook: pd.DataFrame, studies: pd.DataFrame,
                  min_studies: int = 2) -> pd.DataFrame:
    """Which categories and subcategories lose support when one study is removed.

    Removing a study takes one supporting study from each node it supports and none from the others,
    so only a node with at most ``min_studies`` supporting studies can change status: one row per such
    node and each of its studies, with the number of supporting studies before and after and
    ``status`` ``loses all support`` (no study left) or ``below threshold`` (fewer than
    ``min_studies``).  Linear in the segments (it used to test every study against every node).
    """
    seg = coded(segments, codebook)
    parts = []
    for level, id_col, name_col in (("category", "category_id", "category"),
                                    ("subcategory", "subcategory_id", "subcategory")):
        pairs = seg[[id_col, name_col, "study_id"]].drop_duplicates()
        before = pairs.groupby([id_col, name_col])["study_id"].transform("size")
        at_risk = (before <= min_studies) & pairs["study_id"].isin(studies["study_id"])
        risky = pairs[at_risk]
        parts.append(pd.DataFrame({
            "study_removed": risky["study_id"].to_numpy(), "level": level, "node": risky[name_col].to_numpy(),
            "studies_before": before[at_risk].to_numpy(), "_id": risky[id_col].to_numpy()}))
    out = pd.concat(parts, ignore_index=True)
    out["studies_before"] = out["studies_before"].astype("int64")
    out["studies_after"] = out["studies_before"] - 1
    out["status"] = np.where(out["studies_after"] == 0, "loses all support", "below threshold")
    out = out.sort_values(["study_removed", "level", "node", "_id"], kind="stable").drop(columns="_id")
    return out[["study_removed", "level", "node", "studies_before", "studies_after", "status"]].reset_index(drop=True)


def codebook_table(codebook: pd.DataFrame) -> pd.DataFrame:
    """The codebook for the article: category (role) > subcategory > initial codes."""
    h = hierarchy(codebook)
    h["role"] = h["role"].map(ROLE_SINGULAR)
    return (h.groupby(["category", "role", "subcategory"], sort=False)["code"].agg("; ".join).reset_index()
              .rename(columns={"category": "Category", "role": "Role", "subcategory": "Subcategory",
                               "code": "Initial codes"}))
