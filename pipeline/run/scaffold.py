"""``init DIR``: a new, empty review that runs, and the one list of which files are the tool.

A review is the tool (this package, the notebooks, the locks and the set-up in ``tool.mk``,
copied unchanged, so the review runs on a fresh machine and says which version of the method it
used) plus the study (``data/``, ``params.yml``, its README and datasheet, its outputs).
``TOOL`` is the one place that says which is which.
"""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import yaml

from .. import language
from ..errors import InputError
from ..schemas import DEFAULT_STAGES, OPTIONAL_SCHEMAS, SCHEMAS, STAGES
from .params import RESERVED
from .project import NOTEBOOK_DIR, PROJECT_ROOT, cell_source, discover, read_json


# The tool: copied unchanged into every review (and into the supplement, to re-run it).
TOOL = ("pipeline", "notebooks", "workspace", "pyproject.toml", "requirements.lock", "requirements-uv.lock",
        "environment.yml", "tool.mk", "docs")
_NOTEBOOK = re.compile(r"^\d{2}_[a-z0-9_]+\.ipynb$")


def tool_files(root: Path = PROJECT_ROOT) -> dict[str, bytes]:
    """Every file of the tool by its path relative to ``root`` (no caches, no executed notebooks)."""
    out = {}
    for name in TOOL:
        path = root / name
        if path.is_file():
            out[name] = path.read_bytes()
            continue
        for p in sorted(path.rglob("*")):
            rel = p.relative_to(root)
            if not p.is_file() or "__pycache__" in rel.parts or p.suffix == ".pyc" or p.name.startswith("."):
                continue
            if name == "notebooks" and not _NOTEBOOK.match(p.name):
                continue
            out[rel.as_posix()] = p.read_bytes()
    return out


def default_params(notebook_dir: Path = NOTEBOOK_DIR, **values) -> str:
    """params.yml with every notebook parameter at its default (or at ``values``, e.g. ``languages="fa"``),
    each with the comment its notebook gives it."""
    lines, seen = [], set()
    for nb in discover(notebook_dir):
        for cell in read_json(nb)["cells"]:
            if "parameters" not in cell.get("metadata", {}).get("tags", []):
                continue
            for line in cell_source(cell).splitlines():
                m = re.match(r"^(\w+)\s*=\s*([^#]*?)\s*(?:#\s*(.*))?$", line)
                if not m or m.group(1) in RESERVED or m.group(1) in seen:
                    continue
                seen.add(m.group(1))
                value = values.get(m.group(1)) or ast.literal_eval(m.group(2))
                if m.group(3):
                    lines.append(f"# {m.group(3)} ({nb.stem})")
                lines.append(yaml.safe_dump({m.group(1): value}, allow_unicode=True).strip())
    head = ("# Parameters of the analysis.  Every notebook receives the ones it declares in its cell tagged\n"
            "# `parameters`; override any of them with  pipeline run -p NAME VALUE\n\n")
    return head + "\n".join(lines) + "\n"


def _headers(stages: tuple[str, ...]) -> dict[str, bytes]:
    """Every required input file with its header row only; the screening log's stage columns are the
    stages the review uses.  Optional columns (``name_fa``, ...) are not written."""
    out = {}
    for key, schema in list(SCHEMAS.items()) + [(k, OPTIONAL_SCHEMAS[k]) for k in STARTED_OPTIONAL]:
        names = [n for n, c in schema.columns.items() if not c.regex and (c.required or n in stages)]
        out[f"data/{key}"] = (",".join(names) + "\n").encode()
    return out


# Optional files a new review starts with anyway, so that their columns are there to be filled.
STARTED_OPTIONAL = ("coded/findings.csv", "coded/cerqual.csv")


def parse_stages(text: str) -> tuple[str, ...]:
    """``--stages``: stage names separated by commas or spaces, taken in method order."""
    names = [s for s in re.split(r"[\s,;]+", text.strip()) if s]
    unknown = [s for s in names if s not in STAGES]
    if not names or unknown or len(set(names)) != len(names):
        raise InputError(None, f"--stages: stages of the review, each once, from {', '.join(STAGES)} "
                         f"(got {text!r})")
    return tuple(s for s in STAGES if s in names)


MAKEFILE = """\
# `make` sets up .venv from the lock and runs the analysis; `make test` checks the data and that the
# outputs in figures/ and tables/ are exactly what a fresh run of the analysis gives.
.DEFAULT_GOAL := all  # tool.mk comes first but only sets up
include tool.mk

.PHONY: all run test lab screen clean
all: run

run: $(STAMP)
\t$(PY) -m pipeline run

test: $(STAMP)
\t$(PY) -m pipeline validate
\t@test -d figures -a -d tables || { echo "make test: no outputs to check yet; run make first" >&2; exit 2; }
\trm -rf .run-check
\t$(PY) -m pipeline run --force --out .run-check
\tdiff -r figures .run-check/figures && diff -r tables .run-check/tables
\trm -rf .run-check
\t@echo "make test: the data are valid and figures/ and tables/ are what a fresh run gives"

clean:
\trm -rf $(VENV) $(VENV)-ready-* .run-staging .run-check .failed
"""
GITIGNORE = """\
.venv
.venv-ready-*
__pycache__/
*.pyc
reports/
lab-output/
.run-*/
.run-seconds.json
.failed/
/supplement/
/supplement.zip
/supplement-draft/
/supplement-draft.zip
*.egg-info/
"""
DATASHEET = """\
# Datasheet: {title}

Fill in each section; reviewers and the journal's data editor read it with the supplement. The
format of every file (columns, allowed values, rules) is in `../docs/reference/formats.md`.

## Motivation
Why the review was done, by whom, and who funded it.

## Search
Databases and registers searched, the date of each search, the search strings (also in
`raw/search_strategy.csv`), and where each export in `raw/records.csv` came from.

## Screening
Who screened, independently or not, how conflicts were resolved (`raw/screening_reviews.csv` holds
reviewer-level decisions when there are any), and the exclusion reasons used.

## Appraisal
The appraisal instrument and who applied it (`raw/quality_appraisal.csv`).

## Coding
Who coded, with which tool, how the codebook was developed, and how reliability was checked
(`coded/recoding.csv`).

## Provenance
Every row carries `provenance`. Say here if any row is `derived:` or `reconstructed` (built, not
observed), how, and why.
"""
README = """\
# {title}

A qualitative evidence synthesis run with the qes-pipeline: from search exports to the
screening flow (PRISMA 2020), the coding, the paradigm model, coder reliability and a verified
supplement for the journal.

## Quick start

    make          # set up .venv (Python 3.11-3.13 and pip are all it needs) and run the analysis
    make test     # check the data, and that figures/ and tables/ are what a fresh run gives

## Which files are what

The **tool**, copied unchanged by `pipeline init` (to update it, copy them again from a newer
version): `pipeline/`, `notebooks/`, `docs/`, `pyproject.toml`, `requirements.lock`,
`requirements-uv.lock`, `environment.yml`, `tool.mk`.

The **study**, yours: `data/` (inputs, changed only by you and by the commands below),
`params.yml` (the analysis parameters), `data/README.md` (the datasheet to fill in), this README,
the `Makefile`. `figures/` and `tables/` are outputs, always regenerated.

## From the first import to the supplement

Every command below is `pipeline …`, with this review's environment active (after `make`:
`source .venv/bin/activate`; or type `.venv/bin/pipeline …`). Each checks every input before it
changes anything; bad input stops with the file, row and column, and changes nothing. The tutorial,
`docs/tutorial.md`, walks through these steps with real exports; `docs/README.md` lists the rest.

1. **Describe the search.** Add your databases, keywords and period to
   `data/raw/search_strategy.csv`, your inclusion and exclusion criteria to
   `data/raw/criteria.csv`, and the exclusion reasons you will use to
   `data/raw/exclusion_reasons.csv` (each with the stages it applies at, e.g. `title;abstract`).
2. **Import the search results.**
   `pipeline import-records scopus.ris pubmed.nbib --source Scopus --source PubMed`
   reads RIS, MEDLINE, Web of Science, EndNote XML, BibTeX, CSV and XLSX exports, removes
   duplicates (listed in `data/raw/duplicates.csv` for you to check) and adds one row per record
   to `data/raw/screening_log.csv`.
3. **Screen.** `make screen` opens the screening workspace in JupyterLab: one record at a
   time, the most likely relevant first, keys `i` (include), `1`–`9` (exclude with a reason),
   `m` (maybe), `u` (undo); each decision is saved at once. Or screen in a spreadsheet:
   `pipeline export-screening --sheet --out title.xlsx`, fill in `decision` and `reason`, then
   `pipeline screen title.xlsx`. `pipeline screen --stop` ends a title or abstract stage when the
   stopping rule says 95% recall is reached with 95% confidence (`docs/how-to/screen-records.md`).
   Records that pass every stage in use become studies in `data/raw/studies.csv`.
   `pipeline status` lists what is still pending.
4. **Code.** Import your QDA project (`pipeline import-coded project.qdpx`, from NVivo,
   ATLAS.ti, MAXQDA, QualCoder) or a spreadsheet of coded segments (`study`, `code`, `category`,
   `subcategory`, `quote`, `location`, `coder`). Give each category its paradigm role in
   `data/coded/codebook.csv`. For reliability, put the re-coding in `data/coded/recoding.csv`.
5. **Run.** `make` (or `pipeline run`) runs the notebooks in `notebooks/` and writes
   `figures/`, `tables/` and `reports/` (the executed notebooks); only what changed is re-run.
6. **Publish.** `pipeline supplement` writes `supplement/` and `supplement.zip` for the
   journal; `pipeline verify supplement.zip` checks it against its manifest.

This review reproduces no published article, so the reproduction check (notebook 05) is skipped;
to check a published article's numbers, add `data/reference/article_claims.csv` (see
`docs/reference/formats.md`).
"""


def init(target: Path, title: str = "A new qualitative evidence synthesis", stages: tuple[str, ...] = DEFAULT_STAGES,
         languages: str = "") -> list[str]:
    """Create a new review in ``target`` (absent or empty); return the files written.  ``stages`` are the
    screening stages it uses; ``languages`` the languages its article's figures and tables are also
    drawn in (``fa``)."""
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InputError(target, "a new or empty folder for the review (this one " +
                         ("is a file)" if not target.is_dir() else "already holds files; nothing was written)"))
    if not title.strip() or any(ord(c) < 32 for c in title):
        raise InputError(None, f"--title: a one-line, non-empty title (got {title!r})")
    others = [c for c in language.available() if c != language.BASE]
    if any(code not in others for code in languages.split()):
        raise InputError(None, f"--language: a language with a translation file ({', '.join(others)}), "
                         f"not {languages!r}")
    article = yaml.safe_dump({"title": title, "authors": [], "year": None, "keywords": [], "license": ""},
                             allow_unicode=True, sort_keys=False)
    files = tool_files() | _headers(stages) | {
        "Makefile": MAKEFILE.encode(),
        ".gitignore": GITIGNORE.encode(),
        "params.yml": default_params(languages=languages).encode(),
        "README.md": README.format(title=title).encode("utf-8"),
        "data/README.md": DATASHEET.format(title=title).encode("utf-8"),
        "data/reference/article.yml": ("# The article this review is published as: its citation in the "
                                       "supplement.\n# authors: a list of {family: ..., given: ...}; license: the "
                                       "licence of the data and outputs, an SPDX id such as CC-BY-4.0\n"
                                       + article).encode("utf-8"),
    }
    scratch = target.parent / f".{target.name}.init-tmp"

    shutil.rmtree(scratch, ignore_errors=True)
    try:
        for rel, data in sorted(files.items()):
            path = scratch / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        if target.exists():
            target.rmdir()  # empty, checked above
        scratch.rename(target)  # the review appears whole or not at all
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return sorted(files)
