"""Reproducible supplementary material: ``supplement/`` and ``supplement.zip`` with a manifest.

Everything a reviewer needs to re-run the analysis and to confirm that each file is the one the
authors produced: executed notebooks (HTML and .ipynb), figures, tables, the input data, the
parameters, the pinned environment, an ENTREQ checklist filled from the pipeline's metadata,
CITATION.cff, .zenodo.json, provenance.json and MANIFEST.sha256.  The zip is byte-identical
for identical inputs: sorted entries, fixed timestamps and permissions.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

import yaml

from .errors import InputError

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
MANIFEST = "MANIFEST.sha256"
MANIFEST_LINE = re.compile(r"^([0-9a-f]{64})  (\d+)  (.+)$")

DESCRIPTIONS = {
    "README.md": "this file",
    "MANIFEST.sha256": "SHA-256 and size of every other file; check with `python -m pipeline verify`",
    "provenance.json": "git commit, dirty-tree flag, Python and package versions, parameters, and for every "
                       "figure and table the notebook and cell that wrote it",
    "CITATION.cff": "how to cite the analysis (Citation File Format)",
    ".zenodo.json": "metadata for depositing this supplement on Zenodo",
    "ENTREQ.md": "ENTREQ reporting checklist (Tong et al. 2012): items filled from the pipeline, the rest marked "
                 "for the authors",
    "params.yml": "the analysis parameters of the run",
    "requirements.lock": "exact versions of every Python package (pip install -r requirements.lock)",
    "environment.yml": "the same pinned environment for conda",
    "tables/prisma2020.csv": "PRISMA 2020 counts in the template of the PRISMA2020 R package and web app",
    "tables/codebook.qdc": "the codebook as a REFI-QDA codebook for NVivo, ATLAS.ti, MAXQDA, QualCoder, Taguette",
}
FOLDER_DESCRIPTIONS = {
    "reports/": "executed notebooks (.ipynb) and their HTML: the record of the run",
    "figures/": "figures as SVG, PDF and PNG (300 dpi)",
    "tables/": "tables as CSV, Markdown and LaTeX (booktabs)",
    "data/raw/": "inputs: search strategy, criteria, exclusion reasons, screening log, included studies",
    "data/coded/": "inputs: codebook, coded segments, re-coding for reliability",
    "data/reference/": "the article's reported values, for the reproduction check",
    "data/README.md": "datasheet: where the data come from and what was reconstructed",
    "FORMATS.md": "the format of every input file and column",
}

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


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _git(project: Path, *args) -> str:
    try:
        return subprocess.run(["git", *args], cwd=project, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def _package_versions(lock: Path) -> dict[str, str]:
    names = [line.split("==")[0] for line in lock.read_text().splitlines() if "==" in line] if lock.exists() else []
    out = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def entreq(inp, record: dict, article: dict) -> str:
    """The ENTREQ checklist as Markdown, with what the pipeline's own data can say."""
    from . import coding, prisma, screening

    flow = screening.flow(inp.screening_log)
    counts = prisma.counts(inp.screening_log, inp.exclusion_reasons, inp.records)
    s = inp.search_strategy
    dbs = s.loc[s["facet"] == "database", "value"].tolist()
    kws = s.loc[s["facet"] == "keyword", "value"].tolist()
    years = "-".join(s.loc[s["facet"].isin(["period_start", "period_end"]), "value"].tolist())
    levels = coding.level_counts(inp.codebook)
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
                                                           f"(tables/screening_agreement.*)" if reviewers else ""),
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
        "Synthesis output": "paradigm model (figures/paradigm_model.*) and Table 3 (tables/table3_categories.*)",
    }
    lines = ["# ENTREQ checklist (Tong et al. 2012)", "",
             "Filled from the pipeline's data where it can be; items marked FOR THE AUTHORS need their words.", "",
             "| # | Domain | Item | Guide | Reported |", "|---|---|---|---|---|"]
    for n, (domain, item, guide) in enumerate(ENTREQ_ITEMS, 1):
        lines.append(f"| {n} | {domain} | {item} | {guide} | {filled.get(item, FOR_AUTHORS).replace('|', '/')} |")
    return "\n".join(lines) + "\n"


def _citation(article: dict, commit: str) -> str:
    doc = {
        "cff-version": "1.2.0",
        "message": "If you use this supplementary material, please cite it as below.",
        "title": f"Supplementary material (reproducible analysis): {article.get('title', '')}",
        "authors": [{"family-names": a["family"], "given-names": a["given"]} for a in article.get("authors", [])],
        "type": "dataset",
        "keywords": article.get("keywords", []),
    }
    if commit:
        doc["commit"] = commit
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


def _zenodo(article: dict) -> str:
    return json.dumps({
        "title": f"Supplementary material (reproducible analysis): {article.get('title', '')}",
        "upload_type": "dataset",
        "description": "Data, executed notebooks, figures and tables of a qualitative meta-synthesis, with a "
                       "manifest to verify every file. Re-run with `make` (see README.md).",
        "creators": [{"name": f"{a['family']}, {a['given']}",
                      **({"affiliation": article["affiliation"]} if article.get("affiliation") else {})}
                     for a in article.get("authors", [])],
        "keywords": article.get("keywords", []),
        "license": "cc-by-4.0",
    }, indent=2, ensure_ascii=False) + "\n"


def _readme(files: list[str]) -> str:
    lines = ["# Supplementary material", "",
             "Everything needed to re-run the analysis and to check that each file is the one the authors produced.",
             "", "Re-run: install Python 3.11, 3.12 or 3.13, then `pip install -r requirements.lock` (or "
             "`conda env create -f environment.yml`) and run the pipeline from the project repository "
             "(`python -m pipeline run --data data`). Check: `python -m pipeline verify supplement.zip`.", "",
             "## Files", "", "| file | what it is |", "|---|---|"]
    for f in files + ["README.md", MANIFEST]:
        desc = DESCRIPTIONS.get(f) or FOLDER_DESCRIPTIONS.get(f) or next((d for prefix, d in FOLDER_DESCRIPTIONS.items() if f.startswith(prefix)), "")
        lines.append(f"| `{f}` | {desc} |")
    return "\n".join(lines) + "\n"


def collect(project: Path) -> dict[str, bytes]:
    """Every file of the supplement (except README and manifest), by its path inside it.

    ``project`` is the output root of the run (figures/, tables/, reports/); parameters, the
    lock file and the git state come from the repository the pipeline runs from.
    """
    from . import runner, validate

    project = Path(project).resolve()
    repo = runner.PROJECT_ROOT
    record = runner.read_run_record(project)
    if not record.get("outputs"):
        raise InputError(project / "reports" / "run.json", "the record of a completed run; run "
                         "`python -m pipeline run` first")
    for rel, info in record["outputs"].items():
        path = project / rel
        if not path.exists() or _sha256(path.read_bytes()) != info["sha256"]:
            raise InputError(path, "the output of the last run (missing or changed since); run "
                             "`python -m pipeline run` again")
    data_dir = Path(record["data_dir"])
    files: dict[str, bytes] = {}
    for sub in ("figures", "tables", "reports"):
        for p in sorted((project / sub).rglob("*")):
            if p.is_file() and p.name != "run.json" and not p.name.startswith("diff"):
                files[p.relative_to(project).as_posix()] = p.read_bytes()
    for p in sorted(data_dir.rglob("*")):
        if p.is_file() and not p.name.startswith("."):
            files["data/" + p.relative_to(data_dir).as_posix()] = p.read_bytes()
    for name in ("params.yml", "requirements.lock", "environment.yml", "FORMATS.md"):
        if (repo / name).exists():
            files[name] = (repo / name).read_bytes()
    inp = validate.load_inputs(data_dir)
    article_path = data_dir / "reference" / "article.yml"
    article = yaml.safe_load(article_path.read_text(encoding="utf-8")) if article_path.exists() else {}
    commit = _git(repo, "rev-parse", "HEAD")
    dirty = bool(_git(repo, "status", "--porcelain", "--", "pipeline", "notebooks", "data", "params.yml",
                      "requirements.lock"))
    files["ENTREQ.md"] = entreq(inp, record, article).encode("utf-8")
    files["CITATION.cff"] = _citation(article, commit).encode("utf-8")
    files[".zenodo.json"] = _zenodo(article).encode("utf-8")
    provenance = {
        "git_commit": commit or None,
        "dirty_tree": dirty,
        "python": platform.python_version(),
        "packages": _package_versions(repo / "requirements.lock"),
        "parameters": record.get("parameters", {}),
        "notebooks": record.get("notebooks", {}),
        "outputs": {rel: {k: v for k, v in info.items()} for rel, info in record["outputs"].items()},
    }
    files["provenance.json"] = (json.dumps(provenance, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
    return files


def manifest(files: dict[str, bytes]) -> bytes:
    return "".join(f"{_sha256(b)}  {len(b)}  {name}\n" for name, b in sorted(files.items())).encode("utf-8")


def build(out: Path, project: Path) -> tuple[Path, Path]:
    """Write ``out/supplement/`` and ``out/supplement.zip``; nothing half-built is ever left in place."""
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    files = collect(project)
    files["README.md"] = _readme(sorted(files)).encode("utf-8")
    files[MANIFEST] = manifest(files)
    tmp_dir = Path(tempfile.mkdtemp(prefix=".supplement-", dir=out))
    try:
        folder = tmp_dir / "supplement"
        for name, data in files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
        tmp_zip = tmp_dir / "supplement.zip"
        with zipfile.ZipFile(tmp_zip, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
            for name in sorted(files):
                info = zipfile.ZipInfo(f"supplement/{name}", date_time=ZIP_DATE)
                info.external_attr = 0o644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3
                z.writestr(info, files[name], compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
        target = out / "supplement"
        if target.exists():
            shutil.rmtree(target)
        folder.rename(target)
        os.replace(tmp_zip, out / "supplement.zip")
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)
    return out / "supplement", out / "supplement.zip"


def read_supplement(path: Path) -> dict[str, bytes]:
    """Files of a supplement folder or zip, by their path inside the supplement."""
    path = Path(path)
    if path.is_dir():
        root = path / "supplement" if (path / "supplement" / MANIFEST).exists() else path
        if not (root / MANIFEST).exists():
            raise InputError(path, f"a supplement folder (no {MANIFEST} in it)")
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            names = [n for n in z.namelist() if not n.endswith("/")]
            prefix = "supplement/" if f"supplement/{MANIFEST}" in names else ""
            if f"{prefix}{MANIFEST}" not in names:
                raise InputError(path, f"a supplement zip (no {MANIFEST} in it)")
            return {n[len(prefix):]: z.read(n) for n in names if n.startswith(prefix)}
    raise InputError(path, "a supplement folder or supplement.zip")


def verify(path: Path) -> tuple[list[str], int]:
    """Problems (missing, extra, changed, malformed manifest) and the number of files listed."""
    files = read_supplement(path)
    listed = {}
    for n, line in enumerate(files[MANIFEST].decode("utf-8", errors="replace").splitlines(), 1):
        m = MANIFEST_LINE.match(line)
        if not m:
            raise InputError(f"{path}: {MANIFEST}", "lines of 'sha256  size  path' (the manifest was altered)",
                             row=n, value=line[:80])
        listed[m.group(3)] = (m.group(1), int(m.group(2)))
    problems = []
    for name, (digest, size) in sorted(listed.items()):
        if name not in files:
            problems.append(f"missing: {name}")
        elif len(files[name]) != size or _sha256(files[name]) != digest:
            problems.append(f"changed: {name}")
    for name in sorted(set(files) - set(listed) - {MANIFEST}):
        problems.append(f"extra: {name}")
    return problems, len(listed)
