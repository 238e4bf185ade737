"""Open, axial and selective coding as tables, and the paradigm model (Strauss & Corbin 1998).

The initial codes with their studies and quotes, the axial grouping into subcategories and
categories, the study × category evidence, the core category (most links to the other
categories, then the highest code frequency: computed, never declared) and the categories of
each paradigm role (the article's Table 3).
"""

from __future__ import annotations

import pandas as pd

from .. import language
from .codebook import ROLE_LABELS, categories, coded, hierarchy, placement


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
    return pd.DataFrame(rows, columns=["code_id", "code", "subcategory", "frequency", "n_studies", "studies",
                                       "quotation", "location"])  # its header even with no code yet


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
