"""Reproducible supplementary material: ``supplement/`` and ``supplement.zip`` with a manifest.

Everything a reviewer needs to re-run the analysis and to confirm that each file is the one the
authors produced: executed notebooks (HTML and .ipynb), figures, tables, the input data, the
parameters, the pinned environment, an ENTREQ checklist filled from the pipeline's metadata,
CITATION.cff, .zenodo.json, provenance.json and MANIFEST.sha256.  The zip is byte-identical
for identical inputs: sorted entries, fixed timestamps and permissions.
"""

from __future__ import annotations

import collections
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
    "README.md": "how to re-run and verify this supplement, and what every file is",
    "index.html": "the results to read in a browser: reproduction check, every figure and table, the executed "
                  "notebooks, the ENTREQ checklist (static, works offline)",
    "MANIFEST.sha256": "SHA-256 and size of every other file; check with `make verify` or `python -m pipeline verify`",
    "provenance.json": "git commit, dirty-tree flag, Python and package versions, parameters, and for every "
                       "figure and table the notebook and cell that wrote it",
    "ro-crate-metadata.json": "RO-Crate 1.1+ metadata (Workflow Run Crate): every file, the notebooks as the "
                              "workflow, the run with its parameters, inputs and outputs, the software",
    "CITATION.cff": "how to cite the analysis (Citation File Format)",
    ".zenodo.json": "metadata for depositing this supplement on Zenodo",
    "ENTREQ.md": "ENTREQ reporting checklist (Tong et al. 2012): items filled from the pipeline, the rest marked "
                 "for the authors",
    "Makefile": "`make` sets up Python, checks the manifest and rebuilds every figure and table from data/ into "
                "rebuilt/, comparing them byte for byte with the ones here",
    "tool.mk": "the set-up `make` uses: picks Python 3.11-3.13 and installs requirements.lock into .venv",
    "params.yml": "the analysis parameters of the run",
    "pyproject.toml": "the pipeline's package metadata and direct dependencies",
    "requirements.lock": "exact versions and hashes of every Python package (pip install --require-hashes)",
    "requirements-uv.lock": "the installer uv, pinned by hash, which `make` uses to install requirements.lock",
    "environment.yml": "the same pinned environment for conda",
    "FORMATS.md": "the format of every input file and column",
    "data/README.md": "datasheet: where the data come from and what was reconstructed",
    "tables/prisma2020.csv": "PRISMA 2020 counts in the template of the PRISMA2020 R package and web app",
    "tables/codebook.qdc": "the codebook as a REFI-QDA codebook for NVivo, ATLAS.ti, MAXQDA, QualCoder, Taguette",
}
FORMAT_NAMES = {".svg": "SVG (vector)", ".pdf": "PDF (vector, fonts embedded)", ".png": "PNG (300 dpi)",
                ".csv": "CSV", ".md": "Markdown", ".tex": "LaTeX (booktabs)", ".html": "HTML",
                ".ipynb": "Jupyter notebook", ".xsd": "XML schema"}


def _first_heading(notebook: bytes) -> str:
    for cell in json.loads(notebook).get("cells", []):
        if cell.get("cell_type") == "markdown":
            src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            for line in src.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return ""


def _heading_before(notebook: bytes, cell_number: int | None) -> str:
    """The last markdown heading above a code cell: what the notebook calls the output that cell writes."""
    cells = json.loads(notebook).get("cells", [])
    found = ""
    for cell in cells[:(cell_number or 0)]:
        if cell.get("cell_type") == "markdown":
            src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            heads = [ln.lstrip("#").strip() for ln in src.splitlines() if ln.startswith("#")]
            found = heads[-1] if heads else found
    return found


def caption(files: dict[str, bytes], record: dict, name: str) -> str:
    """A figure's or table's caption: the table's own (from its LaTeX), else the heading of the notebook
    section whose cell wrote it (``run.json`` knows the cell)."""
    path = Path(name)
    tex = files.get(str(path.with_suffix(".tex")))
    if tex:
        m = re.search(r"\\caption\{(.*?)\}\n", tex.decode("utf-8"))
        if m:
            return m.group(1).replace("\\", "")
    info = record.get("outputs", {}).get(name, {})
    nb = files.get(f"notebooks/{info.get('notebook')}.ipynb")
    return (_heading_before(nb, info.get("cell_number")) if nb else "") or path.stem


def describe(files: dict[str, bytes], record: dict) -> dict[str, str]:
    """What each file of the supplement is, one description per file: a figure by the notebook section
    that draws it, a table by its caption, a notebook by its title, an input by its FORMATS.md
    heading, a module by its docstring."""
    import ast

    formats = files.get("FORMATS.md", b"").decode("utf-8")
    input_of = {m.group(1): m.group(2) for m in re.finditer(r"^#{2,3} (\S+\.csv) — (.+)$", formats, re.M)}
    outputs = record.get("outputs", {})
    out = {}
    for name, data in files.items():
        path = Path(name)
        fmt = FORMAT_NAMES.get(path.suffix, path.suffix.lstrip(".").upper())
        if name in DESCRIPTIONS:
            out[name] = DESCRIPTIONS[name]
        elif path.parts[0] in ("figures", "tables") and name in outputs:
            kind = "figure" if path.parts[0] == "figures" else "table"
            out[name] = f"{kind}: {caption(files, record, name)}, {fmt} (notebook {outputs[name]['notebook']})"
        elif path.parts[0] == "reports" and path.suffix in (".html", ".ipynb"):
            nb = files.get(f"reports/{path.stem}.ipynb") or files.get(f"notebooks/{path.stem}.ipynb")
            title = _first_heading(nb) if nb else path.stem
            out[name] = f"executed notebook \u201c{title}\u201d with its outputs, {fmt}"
        elif path.parts[0] == "notebooks":
            out[name] = f"notebook \u201c{_first_heading(data)}\u201d as run, without outputs (the workflow's step)"
        elif path.parts[0] == "data":
            rel = "/".join(path.parts[1:])
            out[name] = f"input: {input_of[rel]}" if rel in input_of else "input data (see FORMATS.md)"
        elif path.parts[0] == "pipeline" and path.suffix == ".py":
            doc = ast.get_docstring(ast.parse(data.decode("utf-8"))) or ""
            out[name] = "pipeline source: " + (doc.split("\n\n")[0].replace("\n", " ") or path.stem)
        elif path.parts[0] == "pipeline":
            out[name] = f"pipeline resource: {path.name} ({fmt})"
        else:
            out[name] = fmt
    return out


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


def entreq_rows(inp, record: dict, article: dict) -> list[tuple[int, str, str, str, str]]:
    """The ENTREQ checklist, (number, domain, item, guide, reported), with what the pipeline's own data can say."""
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
    return [(n, domain, item, guide, filled.get(item, FOR_AUTHORS))
            for n, (domain, item, guide) in enumerate(ENTREQ_ITEMS, 1)]


def entreq(inp, record: dict, article: dict) -> str:
    """The ENTREQ checklist as Markdown."""
    lines = ["# ENTREQ checklist (Tong et al. 2012)", "",
             "Filled from the pipeline's data where it can be; items marked FOR THE AUTHORS need their words.", "",
             "| # | Domain | Item | Guide | Reported |", "|---|---|---|---|---|"]
    for n, domain, item, guide, reported in entreq_rows(inp, record, article):
        lines.append(f"| {n} | {domain} | {item} | {guide} | {reported.replace('|', '/')} |")
    return "\n".join(lines) + "\n"


def _citation(article: dict, commit: str) -> str:
    from . import crate

    doc = {
        "cff-version": "1.2.0",
        "message": "If you use this supplementary material, please cite it as below.",
        "title": crate.title(article),
        "authors": [{"family-names": a["family"], "given-names": a["given"]} for a in article.get("authors", [])],
        "type": "dataset",
        "keywords": article.get("keywords", []),
    }
    if commit:
        doc["commit"] = commit
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


def _zenodo(article: dict) -> str:
    from . import crate

    return json.dumps({
        "title": crate.title(article),
        "upload_type": "dataset",
        "description": "Data, executed notebooks, figures and tables of a qualitative meta-synthesis, with a "
                       "manifest to verify every file. Re-run with `make` (see README.md).",
        "creators": [{"name": f"{a['family']}, {a['given']}",
                      **({"affiliation": article["affiliation"]} if article.get("affiliation") else {})}
                     for a in article.get("authors", [])],
        "keywords": article.get("keywords", []),
        "license": "cc-by-4.0",
    }, indent=2, ensure_ascii=False) + "\n"


SUPPLEMENT_MAKEFILE = """\
# `make`: set up Python (tool.mk), check every file against MANIFEST.sha256, then rebuild every figure
# and table from data/ into rebuilt/ and compare them byte for byte with figures/ and tables/.
# `make verify`: the manifest check alone.
.DEFAULT_GOAL := all
include tool.mk

.PHONY: all verify
all: verify
\trm -rf rebuilt
\t$(PY) -m pipeline run --force --data data --out rebuilt
\tdiff -r figures rebuilt/figures
\tdiff -r tables rebuilt/tables
\t@echo "make: every figure and table rebuilt from data/ (in rebuilt/) is byte-identical to the published one"

verify: $(STAMP)
\t$(PY) -m pipeline verify .
"""
# What `make` adds to an unzipped supplement folder; `verify` of a folder passes over it.
BUILD_ARTEFACTS = (".venv/", "rebuilt/", "__pycache__/", ".run-staging/", ".failed/", "qes_pipeline.egg-info/")


def _readme(descriptions: dict[str, str], title: str) -> str:
    lines = [f"# Supplementary material: {title}" if title else "# Supplementary material", "",
             "Everything needed to re-run the analysis and to check that each file is the one the authors produced. "
             "Open `index.html` in a browser to read the results.", "",
             "## Re-run and verify", "",
             "Needs Python 3.11, 3.12 or 3.13 and pip (nothing else; the package index is used to install the "
             "pinned packages):", "",
             "```", "unzip supplement.zip && cd supplement && make", "```", "",
             "`make` installs `requirements.lock` (every package pinned by hash) into `.venv`, checks every file "
             "against `MANIFEST.sha256`, runs the notebooks on `data/` with `params.yml` into `rebuilt/` and "
             "compares every figure and table with the published ones, byte for byte. `make verify` runs the "
             "manifest check alone. The pipeline's own code (`pipeline/`) and the notebooks (`notebooks/`) are "
             "in this folder; only the pinned packages come from the package index.", "",
             "## Files", "", "| file | what it is |", "|---|---|"]
    for f in sorted(descriptions):
        lines.append(f"| `{f}` | {descriptions[f].replace('|', '/')} |")
    return "\n".join(lines) + "\n"


def _date(repo: Path, article: dict) -> str:
    """The date the crate is published under, fixed for a given commit: the commit's date, else the
    article's year (a timestamp of the build would change the bytes of every re-build)."""
    stamp = _git(repo, "log", "-1", "--format=%cs")
    return stamp or str(article.get("year") or "1970")


def collect(project: Path):
    """Every file of the supplement (except README, index, crate and manifest) by its path inside it,
    with the run record, the article's metadata, the inputs and the publication date.

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
    from .scaffold import tool_files

    files |= tool_files(repo)  # the pipeline itself, so the supplement re-runs on its own
    # The parameters the run used (params.yml with any -p override), so that `make` rebuilds the same outputs.
    files["params.yml"] = ("# The parameters of the run that made this supplement's outputs.\n" + yaml.safe_dump(
        record.get("parameters", {}), sort_keys=True, allow_unicode=True)).encode("utf-8")
    files["Makefile"] = SUPPLEMENT_MAKEFILE.encode("utf-8")
    inp = validate.load_inputs(data_dir)
    article = inp.article or {}
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
    return files, record, article, inp, _date(repo, article)


def manifest(files: dict[str, bytes]) -> bytes:
    return "".join(f"{_sha256(b)}  {len(b)}  {name}\n" for name, b in sorted(files.items())).encode("utf-8")


def build(out: Path, project: Path) -> tuple[Path, Path]:
    """Write ``out/supplement/`` and ``out/supplement.zip``; nothing half-built is ever left in place."""
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    from . import crate, webpage

    files, record, article, inp, date = collect(project)
    names = sorted([*files, "README.md", "index.html", "ro-crate-metadata.json", MANIFEST])
    descriptions = describe({n: files.get(n, b"") for n in names}, record)
    captions = {n: caption(files, record, n) for n in files if n.split("/")[0] in ("figures", "tables")}
    files["index.html"] = webpage.index_html(files, descriptions, captions, article, entreq_rows(inp, record, article),
                                             record.get("outputs", {})).encode("utf-8")
    files["ro-crate-metadata.json"] = crate.metadata(files, descriptions, json.loads(files["provenance.json"]),
                                                     article, date)
    files["README.md"] = _readme(descriptions, article.get("title", "")).encode("utf-8")
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


MAX_MANIFEST = 50 * 1024 * 1024  # the manifest and provenance.json are read whole; nothing else is


def _entries(path: Path):
    """(name inside the supplement, size, opener) for every file, and the problems of the container itself:
    zip entries outside ``supplement/`` and names stored twice.  Nothing is read yet."""
    path = Path(path)
    if path.is_dir():
        root = path / "supplement" if (path / "supplement" / MANIFEST).exists() else path
        if not (root / MANIFEST).exists():
            raise InputError(path, f"a supplement folder (no {MANIFEST} in it)")
        made = lambda rel: rel.startswith(BUILD_ARTEFACTS) or "/__pycache__/" in rel  # noqa: E731 -- by `make`
        files = {rel: (p.stat().st_size, (lambda p=p: open(p, "rb"))) for p in sorted(root.rglob("*"))
                 if p.is_file() and not made(rel := p.relative_to(root).as_posix())}
        return files, [], None
    if not zipfile.is_zipfile(path):
        raise InputError(path, "a supplement folder or supplement.zip")
    z = zipfile.ZipFile(path)
    infos = [i for i in z.infolist() if not i.filename.endswith("/")]
    names = [i.filename for i in infos]
    prefix = "supplement/" if f"supplement/{MANIFEST}" in names else ""
    if f"{prefix}{MANIFEST}" not in names:
        z.close()
        raise InputError(path, f"a supplement zip (no {MANIFEST} in it)")
    problems = [f"outside supplement/: {n}" for n in names if not n.startswith(prefix)]
    counts = collections.Counter(names)
    problems += [f"stored twice: {n}" for n in sorted(n for n, k in counts.items() if k > 1)]
    files = {i.filename[len(prefix):]: (i.file_size, (lambda i=i: z.open(i))) for i in infos
             if i.filename.startswith(prefix)}
    return files, problems, z


def read_supplement(path: Path) -> dict[str, bytes]:
    """Files of a supplement folder or zip, by their path inside the supplement (read whole: for
    supplements this pipeline built; ``verify`` streams instead)."""
    files, _, z = _entries(path)
    try:
        return {name: _read_all(opener) for name, (_, opener) in files.items()}
    finally:
        if z is not None:
            z.close()


def _read_all(opener) -> bytes:
    with opener() as f:
        return f.read()


def _read_capped(opener, cap: int) -> bytes | None:
    with opener() as f:
        data = f.read(cap + 1)
    return None if len(data) > cap else data


def _digest(opener, size: int) -> str | None:
    """SHA-256 of at most ``size`` bytes, streamed; None when the entry holds more (a bomb or a change)."""
    h, seen = hashlib.sha256(), 0
    with opener() as f:
        while chunk := f.read(1 << 20):
            seen += len(chunk)
            if seen > size:
                return None
            h.update(chunk)
    return h.hexdigest() if seen == size else None


def verify(path: Path) -> tuple[list[str], int]:
    """Problems (missing, extra, changed, stored twice, outside the supplement, disagreeing with
    provenance.json, malformed manifest) and the number of files listed.  Entries are streamed and
    never inflated beyond the size the manifest gives them."""
    files, problems, z = _entries(path)
    try:
        text = _read_capped(files[MANIFEST][1], MAX_MANIFEST)
        if text is None:
            raise InputError(f"{path}: {MANIFEST}", f"a manifest under {MAX_MANIFEST // 2**20} MB")
        listed = {}
        for n, line in enumerate(text.decode("utf-8", errors="replace").splitlines(), 1):
            m = MANIFEST_LINE.match(line)
            if not m or m.group(3) in listed:
                raise InputError(f"{path}: {MANIFEST}", "lines of 'sha256  size  path', each path once (the "
                                 "manifest was altered)", row=n, value=line[:80])
            listed[m.group(3)] = (m.group(1), int(m.group(2)))
        for name, (digest, size) in sorted(listed.items()):
            if name not in files:
                problems.append(f"missing: {name}")
            elif files[name][0] != size or _digest(files[name][1], size) != digest:
                problems.append(f"changed: {name}")
        for name in sorted(set(files) - set(listed) - {MANIFEST}):
            problems.append(f"extra: {name}")
        if "provenance.json" in files and "provenance.json" in listed:
            raw = _read_capped(files["provenance.json"][1], MAX_MANIFEST) or b"{}"
            try:
                outputs = json.loads(raw).get("outputs", {})
            except (ValueError, AttributeError):
                outputs = None
            if not isinstance(outputs, dict):
                problems.append("changed: provenance.json (not the record the pipeline writes)")
                outputs = {}
            for name, info in sorted(outputs.items()):
                if name in listed and isinstance(info, dict) and info.get("sha256") != listed[name][0]:
                    problems.append(f"changed: {name} (its manifest line disagrees with provenance.json)")
    finally:
        if z is not None:
            z.close()
    return problems, len(listed)
