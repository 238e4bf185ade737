"""The article's figures and tables in another language, beside the English ones (notebook 06).

Figures 1 and 2 (the multi-stage flow and the paradigm model), the PRISMA 2020 diagram,
Tables 1-3 and the GRADE-CERQual tables, computed from the same data as the English set by the same functions, with texts
from ``pipeline.language``; written to ``figures/<lang>/`` and ``tables/<lang>/``.
"""

from __future__ import annotations

from pathlib import Path

from .. import language
from ..coding import cerqual
from ..coding.paradigm import core_category, core_of, table3
from ..reliability.retest import test_retest_table
from ..screening import prisma
from ..screening.criteria import criteria_table, reasons_by_stage
from ..screening.log import flow as stage_flow
from . import figures, tables


FIGURES = ("prisma_flow", "prisma2020", "paradigm_model")
TABLES = ("table1_criteria", "table2_reliability", "table3_categories", "cerqual_soqf", "cerqual_evidence_profile")


def write(inputs, lang: str, figures_dir: Path, tables_dir: Path) -> list[Path]:
    """Every translated figure and table of ``lang``; returns the files written."""
    fig_dir, tab_dir = Path(figures_dir) / lang, Path(tables_dir) / lang
    reasons = language.localized(inputs.exclusion_reasons, ["label"], lang)
    flow = stage_flow(inputs.screening_log)
    counts = prisma.counts(inputs.screening_log, inputs.exclusion_reasons, inputs.records, lang=lang)
    codebook = language.localized(inputs.codebook, ["name", "related_concepts"], lang)
    core = core_category(inputs.segments, inputs.codebook, inputs.studies)
    core_id = core_of(core)[0]
    names = codebook.set_index("node_id")["name"]
    drawn = {
        "prisma_flow": (figures.prisma_flow, flow, reasons_by_stage(inputs.screening_log, reasons)),
        "prisma2020": (figures.prisma2020, counts),
        "paradigm_model": (figures.paradigm_model, codebook, names.get(core_id, "") if core_id else ""),
    }
    written = []
    for stem, (draw, *args) in drawn.items():
        fig = figures.in_language(lang, draw, *args)
        written += figures.save_figure(fig, fig_dir, stem)
        figures.plt.close(fig)
    made = {
        "table1_criteria": criteria_table(inputs.criteria, lang),
        "table2_reliability": test_retest_table(inputs.recoding, lang=lang),
        "table3_categories": table3(inputs.codebook, lang),
    }
    if inputs.findings is not None:  # GRADE-CERQual's two tables
        ev = cerqual.evidence(inputs.findings, inputs.codebook, inputs.segments, inputs.studies,
                              inputs.quality_appraisal)
        made["cerqual_soqf"] = cerqual.soqf(inputs.findings, ev, inputs.cerqual, lang)
        made["cerqual_evidence_profile"] = cerqual.evidence_profile(inputs.findings, ev, inputs.cerqual, lang)
    for stem, df in made.items():
        written += tables.write_table(df, tab_dir, stem, caption=language.caption(stem, lang), lang=lang)
    return written


def missing(inputs, lang: str) -> dict[str, list[str]]:
    """What ``lang`` still shows in English: fixed texts and codebook names without a translation."""
    return {"labels": language.missing_labels(lang), "names": language.missing_names(inputs.codebook, lang)}
