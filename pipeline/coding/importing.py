"""``import-coded``: projects, codebooks and segment tables into ``coded/``, all or nothing."""

from __future__ import annotations

from pathlib import Path

from .. import datafiles
from ..errors import InputError
from ..inputs import load_inputs
from .qda.merge import append_segments, merge_project, read_coded_table
from .qda.read import read_qdc, read_qdpx


IMPORT_LOG_COLUMNS = ["import", "file", "item", "name", "action", "detail"]


def import_coded(files: list[Path], data_dir: Path, replace: bool = False, say=print) -> list[str]:
    """``import-coded``: projects, codebooks and segment tables into ``coded/``, all or nothing.

    The data folder is locked and validated with the change before anything is written; what a
    project holds that cannot be imported goes to ``coded/import_log.csv``.  Returns the files written.
    """
    import pandas as pd


    with datafiles.locked(data_dir):
        inp = load_inputs(data_dir)
        frames = {"coded/codebook.csv": inp.codebook, "coded/segments.csv": inp.segments,
                  "coded/sources.csv": inp.sources, "coded/recoding.csv": inp.recoding,
                  "coded/findings.csv": inp.findings, "coded/cerqual.csv": inp.cerqual}
        changed, not_imported = set(), []
        for path in files:
            suffix = path.suffix.lower()
            if suffix in (".qdc", ".qdpx"):
                project = read_qdc(path) if suffix == ".qdc" else read_qdpx(path)
                tool = " ".join((project.origin or "a REFI-QDA tool").split())[:80]
                merged = merge_project(project, frames["coded/codebook.csv"], frames["coded/segments.csv"],
                                       frames["coded/recoding.csv"], inp.studies, frames["coded/sources.csv"], str(path), tool,
                                       replace=replace)
                frames["coded/codebook.csv"] = merged.codebook
                changed.add("coded/codebook.csv")
                if merged.segments is not None and (merged.new_segments or (replace and merged.stale)):
                    frames["coded/segments.csv"] = merged.segments
                    changed.add("coded/segments.csv")
                if merged.recoding is not None and len(merged.recoding):
                    frames["coded/recoding.csv"] = merged.recoding
                    changed.add("coded/recoding.csv")
                for key, table in (("coded/findings.csv", merged.findings), ("coded/cerqual.csv", merged.cerqual)):
                    if table is not None and len(table) and (frames.get(key) is None or frames[key].empty):
                        frames[key] = table
                        changed.add(key)
                if merged.sources is not None:
                    frames["coded/sources.csv"] = merged.sources
                    changed.add("coded/sources.csv")
                not_imported += [dict(r, file=datafiles.logged_name(path, data_dir)) for r in project.report]
                summary = (f"{path}: from {tool}: {len(project.nodes)} codes ({merged.matched} matched by GUID or "
                           f"path, {merged.added} new, {merged.kept} kept that the file does not have, "
                           f"{merged.removed} removed)")
                if suffix == ".qdpx":
                    stale = merged.stale
                    summary += (f"; {len(project.codings)} text codings ({merged.new_segments} new segments, "
                                f"{merged.matched_segments} already in the review"
                                + (f", {len(stale)} of the review's segments of these studies not in the file "
                                   f"({', '.join(stale[:8])}{' …' if len(stale) > 8 else ''}; "
                                   + ("removed" if replace else "kept: --replace removes them") + ")" if stale else "")
                                + f"), positions read as {project.positions}")
                    if merged.recoding is not None and len(merged.recoding):
                        summary += f"; {len(merged.recoding)} re-coding rows restored from the export"
                if project.report:
                    summary += (f"; {len(project.report)} item(s) not imported, listed in "
                                f"{data_dir / 'coded/import_log.csv'}")
                say(summary)
            elif suffix in (".csv", ".tsv", ".xlsx", ".xls"):
                before = len(frames["coded/codebook.csv"])
                frames["coded/codebook.csv"], new = read_coded_table(path, frames["coded/codebook.csv"], inp.studies)
                frames["coded/segments.csv"] = append_segments(frames["coded/segments.csv"], new)
                changed |= {"coded/segments.csv", "coded/codebook.csv"}
                added = len(frames["coded/codebook.csv"]) - before
                say(f"{path}: {len(new)} coded segments added"
                    + (f"; {added} codebook nodes added from its category and subcategory columns" if added else ""))
            else:
                raise InputError(path, "a .qdpx project, a .qdc codebook, or a CSV/TSV/XLSX table of coded segments")
        changes = {k: frames[k].astype(str) for k in sorted(changed)}
        if not_imported:
            changes["coded/import_log.csv"] = datafiles.append_log(
                inp.coded_import_log, pd.DataFrame(not_imported), IMPORT_LOG_COLUMNS)
        datafiles.replace_files(data_dir, changes, check=load_inputs)
    return sorted(changes)
