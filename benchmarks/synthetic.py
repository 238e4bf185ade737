"""A valid synthetic review of any size, for the scale benchmark (issue 12).

Seeded, so every size is the same corpus each time.  Every schema and the screening log's rules
hold: ten screened records per included study, the excluded ones leaving at title (50%), abstract
(30%), full text (15%) or quality (5%) with a reason valid there; seven categories (one per
paradigm role, two contextual), three subcategories each and ``codes`` initial codes; about ten
coded segments per study (Poisson), codes drawn with Zipf-like frequencies; a test-retest
re-coding of three studies.  Nothing here is real data: every row says ``reconstructed``.

    python benchmarks/synthetic.py OUT_DIR --studies 1000 [--codes 60] [--seed 0]
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
GENERIC = ("raw/search_strategy.csv", "raw/criteria.csv", "raw/exclusion_reasons.csv")
STAGES = ("title", "abstract", "full_text", "quality")  # the stages the reference review uses
ROLES = ("causal_condition", "causal_condition", "contextual_condition", "contextual_condition",
         "intervening_condition", "strategy", "consequence")


def _screening(n_studies: int, rng) -> pd.DataFrame:
    n = 10 * n_studies
    leave = rng.choice(["title", "abstract", "full_text", "quality"], size=n - n_studies, p=[0.5, 0.3, 0.15, 0.05])
    rows = []
    for i in range(n):
        row = {"record_id": f"R{i + 1:06d}", "round": "1", **{s: "" for s in STAGES}, "reason": "",
               "provenance": "reconstructed"}
        out = leave[i - n_studies] if i >= n_studies else None
        for stage in STAGES:
            if stage == out:
                row[stage], row["reason"] = "exclude", "not_reported"
                break
            row[stage] = "include"
        rows.append(row)
    return pd.DataFrame(rows)


def _codebook(n_codes: int) -> pd.DataFrame:
    rows = []
    for c, role in enumerate(ROLES, 1):
        rows.append({"node_id": f"C{c}", "level": "category", "name": f"Category {c}", "parent_id": "", "role": role})
    for s in range(21):
        rows.append({"node_id": f"S{s + 1:02d}", "level": "subcategory", "name": f"Subcategory {s + 1}",
                     "parent_id": f"C{s // 3 + 1}", "role": ""})
    for k in range(n_codes):
        rows.append({"node_id": f"K{k + 1:04d}", "level": "code", "name": f"Initial code {k + 1}",
                     "parent_id": f"S{k % 21 + 1:02d}", "role": ""})
    cb = pd.DataFrame(rows)
    for col in ("definition", "related_concepts", "source"):
        cb[col] = ""
    cb["guid"] = ""
    cb["provenance"] = "reconstructed"
    return cb[["node_id", "guid", "level", "name", "parent_id", "role", "definition", "related_concepts", "source",
               "provenance"]]


def generate(out: Path, studies: int, codes: int = 60, seed: int = 0, cerqual: bool = False) -> Path:
    """Write a complete data folder for ``studies`` included studies into ``out`` (which must not exist).
    ``cerqual``: also CASP appraisals, each study's country, setting and population, one finding per
    category and a full set of GRADE-CERQual judgements (issue 25), all marked reconstructed."""
    rng = np.random.default_rng(seed)
    out = Path(out)
    for rel in GENERIC:
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / "data" / rel, out / rel)
    (out / "coded").mkdir(parents=True, exist_ok=True)
    log = _screening(studies, rng)
    log.to_csv(out / "raw" / "screening_log.csv", index=False)
    ids = [f"s{i + 1:05d}" for i in range(studies)]
    years = rng.integers(2004, 2025, studies)
    pd.DataFrame({"study_id": ids, "record_id": log["record_id"][:studies], "authors_as_cited": "Author et al.",
                  "first_author": "Author", "year_cited": years, "calendar": "gregorian", "year": years,
                  "language": "en", "title": [f"Synthetic study {i + 1}" for i in range(studies)],
                  "provenance": "reconstructed", "provenance_note": "synthetic (benchmarks/synthetic.py)"}
                 ).to_csv(out / "raw" / "studies.csv", index=False)
    cb = _codebook(codes)
    cb.to_csv(out / "coded" / "codebook.csv", index=False)
    code_ids = cb.loc[cb["level"] == "code", "node_id"].to_numpy()
    zipf = 1 / np.arange(1, len(code_ids) + 1)
    per_study = np.maximum(1, rng.poisson(10, studies))
    study_of = np.repeat(ids, per_study)
    drawn = rng.choice(code_ids, size=len(study_of), p=zipf / zipf.sum())
    first = min(len(drawn), len(code_ids))
    drawn[:first] = code_ids[:first]  # every code used at least once (when there are segments enough)
    seg = pd.DataFrame({"segment_id": [f"G{i + 1:07d}" for i in range(len(study_of))], "study_id": study_of,
                        "code_id": drawn, "location": "", "quote": "synthetic quotation", "coder": "coder1",
                        "provenance": "reconstructed"})
    seg.to_csv(out / "coded" / "segments.csv", index=False)
    units = seg[seg["study_id"].isin(ids[:3])]
    again = units["code_id"].to_numpy().copy()
    changed = rng.random(len(again)) < 0.13
    again[changed] = rng.choice(code_ids, size=int(changed.sum()))
    pd.concat([
        pd.DataFrame({"unit_id": units["segment_id"], "study_id": units["study_id"], "occasion": 1,
                      "code_id": units["code_id"], "provenance": "reconstructed"}),
        pd.DataFrame({"unit_id": units["segment_id"], "study_id": units["study_id"], "occasion": 2,
                      "code_id": again, "provenance": "reconstructed"}),
    ]).to_csv(out / "coded" / "recoding.csv", index=False)
    if cerqual:
        _cerqual(out, ids, log["record_id"][:studies].tolist(), cb, rng)
    return out


def _cerqual(out: Path, ids: list[str], records: list[str], cb: pd.DataFrame, rng) -> None:
    """CASP appraisals, context columns, findings and judgements for a synthetic review."""
    answers = rng.choice(["Yes", "Can't tell", "No"], size=(len(ids), 10), p=[0.8, 0.12, 0.08])
    casp = pd.DataFrame(answers, columns=[f"q{i}" for i in range(1, 11)])
    casp.insert(0, "record_id", records)
    casp["appraiser"], casp["provenance"] = "appraiser1", "reconstructed"
    casp.to_csv(out / "raw" / "quality_appraisal.csv", index=False)
    studies = pd.read_csv(out / "raw" / "studies.csv", dtype=str, keep_default_na=False)
    studies["country"] = rng.choice(["Iran", "United Kingdom", "Colombia", "United States"], len(ids))
    studies["setting"] = rng.choice(["university", "distance learning programme"], len(ids))
    studies["population"] = rng.choice(["undergraduates", "doctoral students", "faculty mentors"], len(ids))
    studies.loc[::7, ["country", "setting", "population"]] = ""  # not recorded for some
    studies.to_csv(out / "raw" / "studies.csv", index=False)
    cats = cb[cb["level"] == "category"]
    findings = pd.DataFrame({"finding_id": [f"F{i + 1}" for i in range(len(cats))],
                             "statement": [f"Synthetic finding about {n}." for n in cats["name"]],
                             "nodes": cats["node_id"].tolist(), "provenance": "reconstructed"})
    findings.to_csv(out / "coded" / "findings.csv", index=False)
    concerns = ["no or very minor concerns", "minor concerns", "moderate concerns", "serious concerns"]
    rows = []
    for k, fid in enumerate(findings["finding_id"]):
        worst = 0
        for j, comp in enumerate(("methodological_limitations", "coherence", "adequacy", "relevance")):
            level = (k + j) % 4 if k % 2 else 0
            worst = max(worst, level)
            rows.append({"finding_id": fid, "component": comp, "judgement": concerns[level],
                         "explanation": "" if level == 0 else f"synthetic explanation of {concerns[level]}",
                         "assessor": "reviewer1"})
        rows.append({"finding_id": fid, "component": "overall", "judgement": ["high", "moderate", "low", "very low"][worst],
                     "explanation": "synthetic: downgraded by the worst concern", "assessor": "reviewer1"})
    pd.DataFrame(rows).to_csv(out / "coded" / "cerqual.csv", index=False)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out")
    parser.add_argument("--studies", type=int, required=True)
    parser.add_argument("--codes", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    a = parser.parse_args()
    print(generate(Path(a.out), a.studies, a.codes, a.seed))
