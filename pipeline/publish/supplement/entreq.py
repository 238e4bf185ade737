"""The ENTREQ checklist (Tong et al. 2012): 21 items in 5 domains, filled from the pipeline's data where it
can be; the rest are marked for the authors.
"""

from __future__ import annotations

import platform

from ...coding.codebook import level_counts
from ...screening import prisma
from ...screening.log import flow as stage_flow


ENTREQ_ITEMS = [
    ("Introduction", "Aim", "State the research question the synthesis addresses."),
    ("Introduction", "Synthesis methodology", "Identify the synthesis methodology or theoretical framework."),
    ("Methods and methodology", "Approach to searching", "Pre-planned comprehensive search or iterative search."),
    ("Methods and methodology", "Inclusion criteria", "Specify the inclusion/exclusion criteria."),
    ("Methods and methodology", "Data sources", "Describe the information sources used."),
    ("Methods and methodology", "Electronic search strategy", "Describe the literature search (terms, years)."),
    ("Methods and methodology", "Study screening methods", "Describe the process of study screening and sifting."),
    ("Literature search and selection", "Study characteristics", "Present the characteristics of the included studies."),
    ("Literature search and selection", "Study selection results", "Identify the number of studies screened and reasons for exclusion."),
    ("Appraisal", "Rationale for appraisal", "Describe the rationale and approach used to appraise the included studies."),
    ("Appraisal", "Appraisal items", "State the tools, frameworks and criteria used to appraise the studies."),
    ("Appraisal", "Appraisal process", "Indicate whether the appraisal was conducted independently by more than one reviewer."),
    ("Appraisal", "Appraisal results", "Present results of the quality assessment."),
    ("Synthesis of findings", "Data extraction", "Indicate which sections of the primary studies were analysed and how."),
    ("Synthesis of findings", "Software", "State the computer software used."),
    ("Synthesis of findings", "Number of reviewers", "Identify who was involved in coding and analysis."),
    ("Synthesis of findings", "Coding", "Describe the process for coding of data."),
    ("Synthesis of findings", "Study comparison", "Describe how comparisons were made within and across studies."),
    ("Synthesis of findings", "Derivation of themes", "Explain whether the process of deriving themes was inductive or deductive."),
    ("Synthesis of findings", "Quotations", "Provide quotations from the primary studies to illustrate themes."),
    ("Synthesis of findings", "Synthesis output", "Present rich, compelling and useful results that go beyond a summary."),
]
FOR_AUTHORS = "FOR THE AUTHORS: not derivable from the pipeline's data"


def entreq_rows(inp, record: dict, article: dict) -> list[tuple[int, str, str, str, str]]:
    """The ENTREQ checklist, (number, domain, item, guide, reported), with what the pipeline's own data can say."""

    flow = stage_flow(inp.screening_log)
    counts = prisma.counts(inp.screening_log, inp.exclusion_reasons, inp.records)
    s = inp.search_strategy
    dbs = s.loc[s["facet"] == "database", "value"].tolist()
    kws = s.loc[s["facet"] == "keyword", "value"].tolist()
    years = "-".join(s.loc[s["facet"].isin(["period_start", "period_end"]), "value"].tolist())
    levels = level_counts(inp.codebook)
    coders = sorted(set(inp.segments["coder"]))
    quoted = int((inp.segments["quote"] != "").sum())
    stages = ", ".join(f"{r['stage']} ({r['records_in']} in, {r['excluded']} excluded)" for r in flow.to_dict("records"))
    reviewers = (sorted(set(inp.screening_reviews["reviewer"])) if inp.screening_reviews is not None else [])
    filled = {
        "Synthesis methodology": article.get("design", FOR_AUTHORS),
        "Inclusion criteria": "; ".join(f"{c}: include {i}; exclude {e}" for c, i, e in
                                        zip(inp.criteria["criterion"], inp.criteria["include"], inp.criteria["exclude"]))
                              + " (tables/table1_criteria.*)",
        "Data sources": ", ".join(dbs) + (" (per-database counts: tables/prisma2020.csv)" if dbs else ""),
        "Electronic search strategy": f"keywords: {'; '.join(kws)}; years {years}" if kws else FOR_AUTHORS,
        "Study screening methods": f"stages: {stages}" + (f"; independent reviewers: {', '.join(reviewers)} "
                                                           f"(tables/screening_agreement.*)" if reviewers else "")
                                   + automation(inp),
        "Study characteristics": f"{len(inp.studies)} included studies in data/raw/studies.csv (authors, year, "
                                 f"language)",
        "Study selection results": f"{counts['records_screened']} records screened, {counts['new_studies']} studies "
                                   f"included; figures/prisma2020.*, figures/prisma_flow.*, tables/screening_flow.*",
        "Appraisal items": ("CASP qualitative checklist, 10 questions (tables/quality_appraisal.*)"
                            if inp.quality_appraisal is not None else FOR_AUTHORS),
        "Appraisal results": ("tables/quality_appraisal.*" if inp.quality_appraisal is not None
                              else f"{int(flow.loc[flow['stage'] == 'quality', 'excluded'].sum())} records excluded "
                                   f"at quality appraisal; instrument and scores not recorded"),
        "Software": f"qes-pipeline (Python {platform.python_version()}, papermill, pandas, krippendorff; exact "
                    f"versions in requirements.lock and provenance.json)",
        "Number of reviewers": f"coders in coded/segments.csv: {', '.join(coders)}",
        "Coding": f"open coding into {levels['code']} initial codes, axial coding into {levels['subcategory']} "
                  f"subcategories and {levels['category']} categories (tables/open_coding.*, tables/axial_coding.*); "
                  f"test-retest reliability in tables/table2_reliability.*",
        "Study comparison": "study x category matrix and co-occurrence (tables/study_category_matrix.*, "
                            "figures/evidence_heatmap.*, figures/category_network.*); leave-one-study-out "
                            "stability (tables/leave_one_out.*)",
        "Derivation of themes": "categories assigned Strauss & Corbin paradigm roles in the codebook; core category "
                                "computed by links to other categories, then code frequency (tables/core_category.*)",
        "Quotations": f"{quoted} coded segments carry a quotation (tables/open_coding.*)",
        "Synthesis output": "paradigm model (figures/paradigm_model.*) and Table 3 (tables/table3_categories.*); "
                            "confidence in each finding, GRADE-CERQual (tables/cerqual_soqf.*, "
                            "tables/cerqual_evidence_profile.*, figures/cerqual_findings.*)",
    }
    return [(n, domain, item, guide, filled.get(item, FOR_AUTHORS))
            for n, (domain, item, guide) in enumerate(ENTREQ_ITEMS, 1)]


def automation(inp) -> str:
    """What a review reports of its automation tools (PRISMA 2020 item 8): the prioritization model that
    ordered the records shown, and where a stopping rule ended screening, on what evidence, leaving how
    many records unscreened by a person."""
    parts = []
    order = inp.screening_order
    if order is not None and len(order):
        models = sorted(set(order["model"]))
        parts.append(f"records shown in the order of a prioritization model ({'; '.join(models)}), retrained on "
                     f"every decision; the order and each decision in data/raw/screening_order.csv")
    stops = inp.screening_stop
    for s in ([] if stops is None else stops.to_dict("records")):
        parts.append(f"round {s['round']}, stage {s['stage']}: screening stopped after {s['screened']} records "
                     f"({s['relevant_found']} relevant) by {s['rule']} ({s['evidence']}); {s['not_screened']} "
                     f"records not screened by a person, counted as marked ineligible by automation tools in "
                     f"figures/prisma2020.*")
    return "".join(f"; {p}" for p in parts)


def entreq(inp, record: dict, article: dict) -> str:
    """The ENTREQ checklist as Markdown."""
    lines = ["# ENTREQ checklist (Tong et al. 2012)", "",
             "Filled from the pipeline's data where it can be; items marked FOR THE AUTHORS need their words.", "",
             "| # | Domain | Item | Guide | Reported |", "|---|---|---|---|---|"]
    for n, domain, item, guide, reported in entreq_rows(inp, record, article):
        lines.append(f"| {n} | {domain} | {item} | {guide} | {reported.replace('|', '/')} |")
    return "\n".join(lines) + "\n"
