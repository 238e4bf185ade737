"""What a notebook's outputs depend on, and the record of the last run that says whether they are current.

A notebook's key hashes its code cells, its parameters, the data files it read last time
(recorded, not declared: ``reads``), the pipeline modules it imports (followed through their
imports) and the lock file.  ``reports/run.json`` keeps the keys, the reads and, for every
output, the notebook and cell that wrote it.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from pathlib import Path

from .project import PROJECT_ROOT, cell_source, read_json
from ..resources import PREFIX
from .reads import EVERYTHING, READS_FILE


def files_below(folder: Path) -> set[str]:
    """Relative paths of every file below ``folder``."""
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's bytes, as hex."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def tree_digest(hashes: dict[str, str]) -> str:
    """One hash for a folder's ``hash_tree``: what ``run.json`` records of the data a run read."""
    return hashlib.sha256(json.dumps(hashes, sort_keys=True).encode()).hexdigest()


def hash_tree(folder: Path) -> dict[str, str]:
    """Content hash of every file below ``folder`` (sorted relative paths)."""
    folder = Path(folder)
    return {rel: sha256_file(folder / rel) for rel in sorted(files_below(folder))} if folder.exists() else {}


_STATEMENT = re.compile(r"^[ \t]*(?:from[ \t]+[\w.]+[ \t]+import[ \t]+(?:\([^)]*\)|[^\n]*)|import[ \t]+[^\n]*)", re.M)


def _imports(code: str, module: str) -> set[str]:
    """Dotted names ``code`` imports (``module``: its own dotted name, for relative imports), each with
    what may be a module under it (``from pipeline.screening import log`` gives ``pipeline.screening``
    and ``pipeline.screening.log``).  Import statements are taken out one by one, so a cell with IPython
    syntax elsewhere (``!ls``, ``%time``) is still read."""
    found = set()
    for statement in _STATEMENT.findall(code):
        try:
            nodes = ast.parse(statement.strip()).body
        except SyntaxError:
            continue
        for node in nodes:
            if isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = module.split(".")[: len(module.split(".")) - node.level] if node.level else []
                name = ".".join(base + ([node.module] if node.module else []))
                found.add(name)
                found |= {f"{name}.{a.name}" for a in node.names}
    return found


def module_file(name: str, package_dir: Path) -> Path | None:
    """The file of pipeline module ``name`` (``pipeline.screening.log``) under ``package_dir``, or None."""
    parts = name.split(".")
    if parts[0] != "pipeline":
        return None
    path = Path(package_dir).joinpath(*parts[1:])
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def module_dependencies(code: str, package_dir: Path = PROJECT_ROOT / "pipeline") -> list[str]:
    """The pipeline modules ``code`` imports, followed through their own imports, with the packages
    they sit in: dotted names, sorted."""
    package_dir = Path(package_dir)
    seen, todo = set(), {"pipeline"} | _imports(code, "__main__")
    while todo:
        name = todo.pop()
        path = module_file(name, package_dir)
        if name in seen or path is None:
            continue
        seen.add(name)
        parts = name.split(".")
        todo |= {".".join(parts[:i]) for i in range(1, len(parts))}  # importing a module runs its packages
        # relative imports count from the module's package (a package's __init__ is inside it)
        todo |= _imports(path.read_text(encoding="utf-8"), name + (".__init__" if path.name == "__init__.py" else ""))
    return sorted(seen)


def data_read(reads: list[str] | None, data_hashes: dict[str, str], package_dir: Path | None = None) -> dict[str, str]:
    """The hashes of the files a notebook read (recorded by its last run; see ``notebook.RecordingInputs``
    and ``pipeline.resources``): data files, a file that was absent as ``absent``, all of them when
    unknown; and the package's own files it used (translations, fonts, schemas, templates)."""
    package = {}
    for name in reads or []:
        if name.startswith(PREFIX):
            path = Path(package_dir or PROJECT_ROOT / "pipeline") / name[len(PREFIX):]
            package[name] = sha256_file(path) if path.is_file() else "absent"
    if reads is None or EVERYTHING in reads:  # unknown: every data file
        return {**data_hashes, **package}
    return {rel: data_hashes.get(rel, "absent") for rel in sorted(reads) if not rel.startswith(PREFIX)} | package


def recorded_reads(work: Path) -> list[str]:
    """What the notebook executed into ``work`` read, taken out of its outputs; unknown (everything)
    when it recorded nothing (a kernel the runner did not start, a notebook without ``setup``)."""
    log = work / READS_FILE
    if not log.exists():
        return [EVERYTHING]
    reads = sorted(set(log.read_text(encoding="utf-8").split()))
    log.unlink()
    return reads


def notebook_key(nb: dict, parameters: dict, data_hashes: dict[str, str], package_dir: Path,
                 lock_file: Path) -> str:
    """What a notebook's outputs depend on: code cells, parameters, the data it reads (``data_read``),
    pipeline modules, locked packages."""
    code = [cell_source(c) for c in nb.get("cells", []) if c.get("cell_type") == "code"]
    modules = {m: sha256_file(module_file(m, package_dir)) for m in module_dependencies("\n".join(code), package_dir)}
    blob = json.dumps({
        "code": code,
        "parameters": parameters,
        "data": data_hashes,
        "modules": modules,
        "lock": sha256_file(lock_file) if Path(lock_file).exists() else "",
    }, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def cell_of(nb: dict, rel: str) -> tuple[str | None, int | None]:
    """The code cell that names an output file's stem (where the file is written)."""
    stem = Path(rel).stem
    for i, cell in enumerate(nb.get("cells", []), 1):
        if cell.get("cell_type") == "code" and (f'"{stem}"' in cell_source(cell) or f'"{Path(rel).name}"' in cell_source(cell)):
            return cell.get("id"), i
    return None, None


def up_to_date(name: str, key: str, record: dict, out_dir: Path) -> bool:
    """Whether notebook ``name`` can be skipped: same key as last time and its outputs untouched."""
    entry = record.get("notebooks", {}).get(name)
    if not entry or entry.get("key") != key:
        return False
    files = [f"reports/{name}.ipynb", f"reports/{name}.html"]
    if not all((out_dir / f).exists() for f in files):
        return False
    # Outputs must still be the ones this key produced (a hand edit forces a re-run).
    return all((out_dir / rel).exists() and sha256_file(out_dir / rel) == info["sha256"]
               for rel, info in record.get("outputs", {}).items() if info["notebook"] == name)


def read_run_record(out_dir: Path) -> dict:
    """``reports/run.json`` of the last successful run into ``out_dir`` ({} when there is none)."""
    path = Path(out_dir) / "reports" / "run.json"
    try:
        return read_json(path)
    except (OSError, ValueError):
        return {}
