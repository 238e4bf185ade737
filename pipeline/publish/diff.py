"""``diff``: what changed between the current analysis and an earlier supplement or git revision.

Both sides are read as snapshots (a project folder, a supplement folder or zip, or a git
revision) of the same few files: the flow counts, the studies, the codebook, the evidence matrix,
the core-category table and the reliability coefficients.  The report is Markdown.
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..run.cache import read_run_record
from .supplement.verify import read_supplement


FILES = {
    "flow": "tables/screening_flow.csv",
    "prisma": "tables/prisma2020_counts.csv",
    "studies": "data/raw/studies.csv",
    "codebook": "data/coded/codebook.csv",
    "matrix": "tables/study_category_matrix.csv",
    "core": "tables/core_category.csv",
    "reliability": "tables/reliability_coefficients.csv",
    "table2": "tables/table2_reliability.csv",
}


class Snapshot:
    """Read-only access to one version of the analysis."""

    def __init__(self, label: str, reader):
        self.label, self._read = label, reader

    def frame(self, key: str) -> pd.DataFrame | None:
        data = self._read(FILES[key])
        return None if data is None else pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)


def project_snapshot(project: Path) -> Snapshot:
    """Outputs under ``project``; inputs from the data folder its last run used."""

    project = Path(project)
    data_dir = Path(read_run_record(project).get("data_dir") or project / "data")

    def read(rel):
        path = data_dir / rel[len("data/"):] if rel.startswith("data/") else project / rel
        return path.read_bytes() if path.exists() else None

    return Snapshot(str(project), read)


def against_snapshot(project: Path, against: str) -> Snapshot:
    """A supplement (folder or zip) if the path exists, otherwise a git revision of ``project``."""

    path = Path(against)
    if path.exists():
        files = read_supplement(path)  # refuses anything that is not a supplement
        return Snapshot(f"supplement {against}", files.get)
    rev = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{against}^{{commit}}"], cwd=project,
                         capture_output=True, text=True)
    if rev.returncode != 0:
        raise InputError(against, "a supplement folder or zip, or a git revision of this project")

    def read(rel):
        out = subprocess.run(["git", "show", f"{against}:{rel}"], cwd=project, capture_output=True)
        return out.stdout if out.returncode == 0 else None

    return Snapshot(f"git {against} ({rev.stdout.strip()[:10]})", read)


def _counts(snap: Snapshot) -> dict[str, str]:
    out = {}
    flow = snap.frame("flow")
    if flow is not None:
        for r in flow.to_dict("records"):
            for k in ("records_in", "excluded", "records_out"):
                out[f"{r['stage']}.{k}"] = r[k]
    prisma = snap.frame("prisma")
    if prisma is not None:
        out |= {f"PRISMA {b}": n for b, n in zip(prisma["box"], prisma["n"])}
    return out


def _codes(snap: Snapshot) -> dict[str, str]:
    cb = snap.frame("codebook")
    if cb is None:
        return {}
    names = dict(zip(cb["node_id"], cb["name"]))
    parents = dict(zip(cb["node_id"], cb["parent_id"]))
    return {names[n]: f"{names.get(parents[p], '')} > {names.get(p, '')}"
            for n, p in zip(cb["node_id"], cb["parent_id"]) if cb.set_index("node_id").at[n, "level"] == "code"}


def _support(snap: Snapshot) -> dict[str, set[str]]:
    m, cb = snap.frame("matrix"), snap.frame("codebook")
    if m is None:
        return {}
    names = dict(zip(cb["node_id"], cb["name"])) if cb is not None else {}
    return {names.get(c, c): set(m.loc[m[c].astype(int) > 0, "study_id"]) for c in m.columns if c != "study_id"}


def _core(snap: Snapshot) -> str | None:
    core = snap.frame("core")
    if core is None:
        return None
    hit = core[core["is_core"] == "True"]
    return hit["category"].iloc[0] if len(hit) else None


def _coefficients(snap: Snapshot) -> dict[str, str]:
    out = {}
    rel = snap.frame("reliability")
    if rel is not None:
        out |= dict(zip(rel["coefficient"], rel["value"]))
    t2 = snap.frame("table2")
    if t2 is not None and len(t2):
        out |= {f"table 2 {k}": t2[k].iloc[0] for k in ("codes", "agreements", "disagreements", "percent_agreement")}
    return out


def _changed(old: dict, new: dict) -> list[tuple[str, str, str]]:
    return [(k, old.get(k, "—"), new.get(k, "—")) for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)]


def diff_report(project: Path, against: str) -> str:
    """Markdown: every change in flow counts, studies, codes, category support, core and reliability."""
    new, old = project_snapshot(project), against_snapshot(project, against)
    sections = []

    rows = _changed(_counts(old), _counts(new))
    if rows:
        sections.append(("Flow counts", ["| count | before | now |", "|---|---|---|"]
                         + [f"| {k} | {a} | {b} |" for k, a, b in rows]))
    so, sn = old.frame("studies"), new.frame("studies")
    ids_o = set(so["study_id"]) if so is not None else set()
    ids_n = set(sn["study_id"]) if sn is not None else set()
    if ids_o != ids_n:
        sections.append(("Studies", [f"- added: {s}" for s in sorted(ids_n - ids_o)]
                         + [f"- removed: {s}" for s in sorted(ids_o - ids_n)]))
    co, cn = _codes(old), _codes(new)
    lines = ([f"- added: {c} ({cn[c]})" for c in sorted(set(cn) - set(co))]
             + [f"- removed: {c} (was {co[c]})" for c in sorted(set(co) - set(cn))]
             + [f"- moved: {c}: {co[c]} → {cn[c]}" for c in sorted(set(co) & set(cn)) if co[c] != cn[c]])
    if lines:
        sections.append(("Initial codes", lines))
    po, pn = _support(old), _support(new)
    lines = []
    for cat in sorted(set(po) | set(pn)):
        gained, lost = pn.get(cat, set()) - po.get(cat, set()), po.get(cat, set()) - pn.get(cat, set())
        if gained or lost:
            lines.append(f"- {cat}: {len(po.get(cat, set()))} → {len(pn.get(cat, set()))} supporting studies"
                         + (f"; gained {', '.join(sorted(gained))}" if gained else "")
                         + (f"; lost {', '.join(sorted(lost))}" if lost else ""))
    if lines:
        sections.append(("Category support", lines))
    ko, kn = _core(old), _core(new)
    if ko != kn:
        sections.append(("Core category", [f"- {ko} → {kn}"]))
    rows = _changed(_coefficients(old), _coefficients(new))
    if rows:
        sections.append(("Reliability", ["| coefficient | before | now |", "|---|---|---|"]
                         + [f"| {k} | {a} | {b} |" for k, a, b in rows]))
    head = ["# What changed", "", f"- before: {old.label}", f"- now: {new.label}", ""]
    if not sections:
        return "\n".join(head + ["No changes: flow counts, studies, codes, category support, core category and "
                                 "reliability are the same."]) + "\n"
    body = []
    for title, lines in sections:
        body += [f"## {title}", ""] + lines + [""]
    return "\n".join(head + body)
