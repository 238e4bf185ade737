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

from ... import language
from ...errors import InputError
from ...inputs import load_inputs
from ...run.cache import hash_tree, read_run_record, tree_digest
from ...run.project import PROJECT_ROOT
from ...run.scaffold import tool_files
from ...run.status import unfinished
from . import crate, webpage
from .licences import code_license, license_file, stated
from .entreq import entreq, entreq_rows


ZIP_DATE = (1980, 1, 1, 0, 0, 0)
MANIFEST = "MANIFEST.sha256"
DESCRIPTIONS = {
    "README.md": "how to re-run and verify this supplement, and what every file is",
    "index.html": "the results to read in a browser: reproduction check, every figure and table, the executed "
                  "notebooks, the ENTREQ checklist (static, works offline)",
    "MANIFEST.sha256": "SHA-256 and size of every other file; check with `make verify` or `pipeline verify`",
    "provenance.json": "git commit, dirty-tree flag, Python and package versions, parameters, for every "
                       "figure and table the notebook and cell that wrote it, and the SHA-256 of every other file "
                       "but the manifest (checked by `verify`)",
    "ro-crate-metadata.json": "RO-Crate 1.1+ metadata (Workflow Run Crate): every file, the notebooks as the "
                              "workflow, the run with its parameters, inputs and outputs, the software",
    "CITATION.cff": "how to cite the analysis (Citation File Format)",
    ".zenodo.json": "metadata for depositing this supplement on Zenodo",
    "LICENSE": "the licences: one for the data and results, one for the code",
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
    "docs/reference/formats.md": "the format of every input file and column",
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
    that draws it, a table by its caption, a notebook by its title, an input by its heading in
    docs/reference/formats.md, a module by its docstring."""
    import ast

    formats = files.get("docs/reference/formats.md", b"").decode("utf-8")
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
            out[name] = f"input: {input_of[rel]}" if rel in input_of else "input data (see docs/reference/formats.md)"
        elif path.parts[0] == "docs" and path.suffix == ".md":
            heading = next((ln.lstrip("#").strip() for ln in data.decode("utf-8").splitlines() if ln.startswith("#")), "")
            out[name] = f"documentation: {heading or path.stem}"
        elif path.parts[0] == "pipeline" and path.suffix == ".py":
            doc = ast.get_docstring(ast.parse(data.decode("utf-8"))) or ""
            out[name] = "pipeline source: " + (doc.split("\n\n")[0].replace("\n", " ") or path.stem)
        elif path.parts[0] == "pipeline":
            out[name] = f"pipeline resource: {path.name} ({fmt})"
        else:
            out[name] = fmt
    return out


def sha256(data: bytes) -> str:
    """The SHA-256 of ``data``, as hex."""
    return hashlib.sha256(data).hexdigest()


def git(project: Path, *args) -> str:
    """What ``git ARGS`` prints in ``project``, or '' where git or the repository is missing."""
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


def _citation(article: dict, commit: str, code: str = "MIT", date: str = "") -> str:
    """``CITATION.cff`` (Citation File Format 1.2.0); a draft without authors names them as still to come,
    since the format needs at least one.  Version is the commit it was built from, the release date
    the commit's; both licences, the data's first; the DOI where ``article.yml`` gives one."""
    data = article.get("license", "")
    doc = {
        "cff-version": "1.2.0",
        "message": "If you use this supplementary material, please cite it as below.",
        "title": crate.title(article),
        "authors": [{"family-names": a["family"], "given-names": a.get("given", "")} for a in article.get("authors", [])]
        or [{"name": "Authors not given yet (data/reference/article.yml)"}],
        "type": "dataset",
        "keywords": article.get("keywords", []),
        "version": commit[:12] if commit else "unversioned",
    }
    if len(date) == 10:  # a full date (the commit's); a year alone is no CFF date
        doc["date-released"] = date
    licences = [x for x in dict.fromkeys([data, code]) if x]
    if licences:
        doc["license"] = licences[0] if len(licences) == 1 else licences
    if article.get("doi"):
        doc["doi"] = str(article["doi"])
    if commit:
        doc["commit"] = commit
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


def _zenodo(article: dict) -> str:

    return json.dumps({
        "title": crate.title(article),
        "upload_type": "dataset",
        "description": "Data, executed notebooks, figures and tables of a qualitative meta-synthesis, with a "
                       "manifest to verify every file. Re-run with `make` (see README.md).",
        "creators": [{"name": f"{a['family']}, {a['given']}",
                      **({"affiliation": article["affiliation"]} if article.get("affiliation") else {})}
                     for a in article.get("authors", [])],
        "keywords": article.get("keywords", []),
        **({"license": article["license"].lower()} if article.get("license") else {}),
        **({"doi": str(article["doi"])} if article.get("doi") else {}),
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


# roc-validator's RECOMMENDED-level checks that cannot be met by a crate that is byte-identical on every
# re-build and holds its own code, with the reason (issue 25; tests/publish/test_supplement.py runs the
# validator and requires every finding to be one of these).
CRATE_NOT_APPLICABLE = {
    "process-run-crate-0.5_3.2": "The notebooks and the Makefile are files of this crate, not applications "
                                 "published elsewhere: they have no URL of their own.",
    "process-run-crate-0.5_5.1": "For the same reason their ids are paths inside the crate, as RO-Crate requires "
                                 "of data entities, not absolute URIs.",
    "process-run-crate-0.5_8.4": "No end time is recorded, so that the same run gives the same crate byte for "
                                 "byte (the run record names the inputs and parameters instead).",
    "process-run-crate-0.5_8.7": "The run's `actionStatus` is the IRI the check names "
                                 "(`http://schema.org/CompletedActionStatus`); roc-validator 0.x still reports it.",
    "ro-crate-1.1_22.3": "No publisher is named: the supplement is published by whoever deposits it "
                         "(a journal or a repository), which is not known when it is built.",
    "ro-crate-1.1_31.2": "The authors' affiliation is recorded as the article gives it, without a URL.",
}


def _readme(descriptions: dict[str, str], title: str, data_license: str = "", code_license_id: str = "MIT") -> str:
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
             "## Licences", "",
             f"Data, results and documents: {stated(data_license)}. Code (`pipeline/`, "
             f"`notebooks/`, `workspace/`, the Makefiles): {stated(code_license_id)}. "
             "`LICENSE`, `CITATION.cff` and `ro-crate-metadata.json` state both; `.zenodo.json` the data's (Zenodo "
             "takes one).", "",
             "## The RO-Crate", "",
             "`ro-crate-metadata.json` describes this folder as an RO-Crate 1.1 conforming to Workflow Run Crate "
             "0.5. It passes roc-validator at the REQUIRED level. At the RECOMMENDED level these checks do not "
             "apply here, for the reasons given:", "",
             "| check | why it does not apply |", "|---|---|",
             *[f"| {check} | {why} |" for check, why in CRATE_NOT_APPLICABLE.items()], "",
             "## Files", "", "| file | what it is |", "|---|---|"]
    for f in sorted(descriptions):
        lines.append(f"| `{f}` | {descriptions[f].replace('|', '/')} |")
    return "\n".join(lines) + "\n"


def _date(repo: Path, article: dict) -> str:
    """The date the crate is published under, fixed for a given commit: the commit's date, else the
    article's year (a timestamp of the build would change the bytes of every re-build)."""
    stamp = git(repo, "log", "-1", "--format=%cs")
    return stamp or str(article.get("year") or "1970")


def collect(project: Path):
    """Every file of the supplement (except README, index, crate and manifest) by its path inside it,
    with the run record, the article's metadata, the inputs and the publication date.

    ``project`` is the output root of the run (figures/, tables/, reports/); parameters, the
    lock file and the git state come from the repository the pipeline runs from.
    """

    project = Path(project).resolve()
    repo = PROJECT_ROOT
    record = read_run_record(project)
    if not record.get("outputs"):
        raise InputError(project / "reports" / "run.json", "the record of a completed run; run "
                         "`pipeline run` first")
    for rel, info in record["outputs"].items():
        path = project / rel
        if not path.exists() or sha256(path.read_bytes()) != info["sha256"]:
            raise InputError(path, "the output of the last run (missing or changed since); run "
                             "`pipeline run` again")
    data_dir = Path(record["data_dir"])
    if record.get("data") != tree_digest(hash_tree(data_dir)):  # the outputs must be the ones these data give
        raise InputError(data_dir, "the data of the last run; they changed since (run `pipeline run` again, then "
                         "build the supplement)")
    files: dict[str, bytes] = {}
    for sub in ("figures", "tables", "reports"):
        for p in sorted((project / sub).rglob("*")):
            if p.is_file() and p.name != "run.json" and not p.name.startswith("diff"):
                files[p.relative_to(project).as_posix()] = p.read_bytes()
    for p in sorted(data_dir.rglob("*")):
        if p.is_file() and not p.name.startswith("."):
            files["data/" + p.relative_to(data_dir).as_posix()] = p.read_bytes()

    files |= tool_files(repo)  # the pipeline itself, so the supplement re-runs on its own
    # The parameters the run used (params.yml with any -p override), so that `make` rebuilds the same outputs.
    files["params.yml"] = ("# The parameters of the run that made this supplement's outputs.\n" + yaml.safe_dump(
        record.get("parameters", {}), sort_keys=True, allow_unicode=True)).encode("utf-8")
    files["Makefile"] = SUPPLEMENT_MAKEFILE.encode("utf-8")
    inp = load_inputs(data_dir)
    article = inp.article or {}
    in_git = git(repo, "rev-parse", "--is-inside-work-tree") == "true"
    commit = git(repo, "rev-parse", "HEAD") if in_git else ""
    dirty = bool(git(repo, "status", "--porcelain", "--", "pipeline", "notebooks", "data", "params.yml",
                      "requirements.lock")) if in_git else None
    files["ENTREQ.md"] = entreq(inp, record, article).encode("utf-8")
    date = _date(repo, article)
    code = code_license(repo)
    files["CITATION.cff"] = _citation(article, commit, code, date).encode("utf-8")
    files[".zenodo.json"] = _zenodo(article).encode("utf-8")
    files["LICENSE"] = license_file(article, code, date).encode("utf-8")
    provenance = {
        "git": "the commit below" if in_git else "not a git repository: no commit or uncommitted change can be "
                                                  "recorded (put the review under git to have them here)",
        "git_commit": commit or None,
        "dirty_tree": dirty,
        "python": platform.python_version(),
        "packages": _package_versions(repo / "requirements.lock"),
        "parameters": record.get("parameters", {}),
        "notebooks": record.get("notebooks", {}),
        "outputs": {rel: {k: v for k, v in info.items()} for rel, info in record["outputs"].items()},
    }
    return files, provenance, record, article, inp, date


def manifest(files: dict[str, bytes]) -> bytes:
    """``MANIFEST.sha256``: hash, size and name of every file, sorted by name."""
    return "".join(f"{sha256(b)}  {len(b)}  {name}\n" for name, b in sorted(files.items())).encode("utf-8")


def build(out: Path, project: Path, draft: bool = False) -> tuple[Path, Path]:
    """Write ``out/supplement/`` and ``out/supplement.zip``; nothing half-built is ever left in place.

    A review that is not finished (``run.status.unfinished``: records awaiting a decision, no study
    or coding, no author or licence) is refused, naming what is open, unless ``draft``: then the folder
    and zip are ``supplement-draft``, ``index.html`` says so at its top, and the figures and tables
    carry the DRAFT mark the run gave them."""
    out = Path(out).resolve()
    files, provenance, record, article, inp, date = collect(project)
    open_items = unfinished(inp)
    if open_items and not draft:
        listed = "; ".join(language.tr(f"draft.{key}", language.BASE, **values) for key, values in open_items)
        raise InputError(project, f"a finished review for the supplement; still open: {listed} (build a draft with "
                         f"`pipeline supplement --draft`)")
    out.mkdir(parents=True, exist_ok=True)
    names = sorted([*files, "README.md", "index.html", "ro-crate-metadata.json", "provenance.json", MANIFEST])
    descriptions = describe({n: files.get(n, b"") for n in names}, record)
    captions = {n: caption(files, record, n) for n in files if n.split("/")[0] in ("figures", "tables")}
    draft_said = "; ".join(language.tr(f"draft.{key}", language.BASE, **values) for key, values in open_items)
    files["index.html"] = webpage.index_html(files, descriptions, captions, article, entreq_rows(inp, record, article),
                                             record.get("outputs", {}), draft=draft_said).encode("utf-8")
    files["README.md"] = _readme(descriptions, article.get("title", ""), article.get("license", ""),
                                 code_license(PROJECT_ROOT)).encode("utf-8")
    files["ro-crate-metadata.json"] = crate.metadata(files, descriptions, provenance, article, date)
    # provenance.json is written last but one: it holds the hash of every other file but the manifest, so
    # `verify` finds a file changed together with its manifest line.
    provenance["files"] = {name: sha256(data) for name, data in sorted(files.items())}
    files["provenance.json"] = (json.dumps(provenance, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
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
        name = "supplement-draft" if open_items else "supplement"
        target = out / name
        if target.exists():
            shutil.rmtree(target)
        folder.rename(target)
        os.replace(tmp_zip, out / f"{name}.zip")
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)
    return target, out / f"{name}.zip"
