"""Identity in REFI-QDA: a code is its GUID, kept in ``codebook.csv`` (uuid5 of its name path for codes
made here, the tool's own for imported ones), so a round trip through a tool re-attaches every
coding to the same code; node ids are never reused.
"""

from __future__ import annotations

import re
import unicodedata
import uuid

import pandas as pd


# The name of the Note in which export-qda carries what REFI-QDA has no element for.
SIDECAR = "qes-pipeline: coded data REFI-QDA has no element for (read back by pipeline import-coded)"
GUID_NAMESPACE = uuid.UUID("6f1c1f0e-6a43-5b8e-9a57-2f6f1d1b9c3a")  # fixed: GUIDs depend only on paths


def guid_for(path: tuple[str, ...]) -> str:
    """Deterministic GUID of a node from its name path (category / subcategory / code)."""
    return str(uuid.uuid5(GUID_NAMESPACE, "\x1f".join(path)))


def codebook_paths(codebook: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """node_id -> its name path from the category down (category / subcategory / code)."""
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
    paths = codebook_paths(codebook)
    stored = codebook["guid"] if "guid" in codebook else pd.Series("", index=codebook.index)
    return {nid: (g or guid_for(paths[nid])) for nid, g in zip(codebook["node_id"], stored)}


def paths_of(nodes: dict[str, tuple[str, str]]) -> dict[str, tuple]:
    """Name path of every node from {id: (name, parent id)}."""
    out = {}
    for nid in nodes:
        path, cur, guard = [], nid, 0
        while cur and guard < 10_000:
            name, parent = nodes[cur]
            path.append(name)
            cur, guard = parent, guard + 1
        out[nid] = tuple(reversed(path))
    return out


PREFIX = {"category": "C", "subcategory": "S", "code": "K"}


def next_ids(codebook, level: str):
    """Fresh node ids of a level (C/S/K + the next number, as wide as those in use), never reused."""
    prefix = PREFIX[level]
    used = codebook["node_id"].str.extract(rf"^{prefix}(\d+)$", expand=False).dropna()
    width = max([len(x) for x in used] + [2])
    n = max([int(x) for x in used] + [0])
    while True:
        n += 1
        yield f"{prefix}{n:0{width}d}"


def slug(name: str) -> str:
    """A study id from a source name: ASCII letters, digits, '_', '-', '.'; accents folded."""
    t = unicodedata.normalize("NFKD", name)
    t = "".join(c for c in t if not unicodedata.combining(c))
    t = re.sub(r"[^A-Za-z0-9_.\-]+", "_", t).strip("_.-")
    return t or "source"
