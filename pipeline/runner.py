"""Run the analysis notebooks with papermill, in one process, into a staging folder.

Parameters come from ``params.yml`` (overridable with ``-p NAME VALUE``);
every notebook also receives ``data_dir`` and ``out_dir``.  Inputs are
validated before the first notebook starts.  Each notebook writes into
``<out>/.run-staging``; only when all have succeeded are ``figures/``,
``tables/`` and ``reports/`` swapped into place, so a failed run leaves the
previous outputs untouched.  Executed notebooks are normalized (no
timestamps, fixed ids, no memory addresses) before nbconvert renders them,
so reports are byte-identical on a re-run.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import nbformat
import yaml

from .errors import InputError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = PROJECT_ROOT / "notebooks"
PARAMS_FILE = PROJECT_ROOT / "params.yml"
OUTPUT_DIRS = ("figures", "tables", "reports")
STAGING = ".run-staging"
RESERVED = ("data_dir", "out_dir")
NOTEBOOK_PATTERN = re.compile(r"^\d{2}_[a-z0-9_]+\.ipynb$")
EXECUTION_TIMEOUT = 600  # seconds per cell; papermill has no limit by default


class NotebookFailed(Exception):
    """A cell raised; carries the notebook and the cell so the message can point at both."""

    def __init__(self, notebook: str, cell: int | None, first_line: str, ename: str, evalue: str, saved: Path):
        self.notebook, self.cell, self.first_line = notebook, cell, first_line
        self.ename, self.evalue, self.saved = ename, evalue, saved
        where = f"cell {cell} ({first_line!r})" if cell else "before its first cell"
        super().__init__(f"notebook {notebook} failed in {where}: {ename}: {evalue}\n"
                         f"  the executed notebook is saved at {saved}")


@dataclass
class RunResult:
    timings: dict[str, float] = field(default_factory=dict)
    outputs: dict[str, list[str]] = field(default_factory=dict)


def discover(notebook_dir: Path = NOTEBOOK_DIR) -> list[Path]:
    """The analysis notebooks, ``NN_name.ipynb``, in numeric order."""
    return sorted(p for p in Path(notebook_dir).iterdir() if NOTEBOOK_PATTERN.match(p.name))


def declared_parameters(notebook: Path) -> dict:
    """Names and defaults in the notebook's cell tagged ``parameters``."""
    import papermill

    return {name: info["default"] for name, info in papermill.inspect_notebook(str(notebook)).items()}


def coerce(value: str):
    """A command-line value as YAML reads it: numbers, booleans, lists; otherwise the text."""
    try:
        parsed = yaml.safe_load(value)
    except yaml.YAMLError:
        return value
    return value if parsed is None else parsed


def load_params(params_file: Path = PARAMS_FILE, overrides: list[tuple[str, str]] | None = None,
                known: set[str] | None = None) -> dict:
    """params.yml with command-line overrides; an unknown name is an error, not a silent default."""
    params_file = Path(params_file)
    params = {}
    if params_file.exists():
        try:
            params = yaml.safe_load(params_file.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise InputError(params_file, f"valid YAML ({exc})") from None
        if not isinstance(params, dict):
            raise InputError(params_file, "a mapping of parameter names to values")
    for name, raw in overrides or []:
        if name in RESERVED:
            raise InputError(None, f"-p {name}: set it with --{name.replace('_dir', '')} instead")
        allowed = set(params) | (known or set())
        if name not in allowed:
            raise InputError(None, f"-p {name}: unknown parameter; expected one of {', '.join(sorted(allowed))}")
        params[name] = coerce(raw)
    return params


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def normalize(nb, staging: Path, out_dir: Path) -> None:
    """Strip what differs between identical runs: timings, timestamps, random ids, memory addresses."""
    nb.metadata.pop("papermill", None)
    nb.metadata.get("widgets", None)
    for i, cell in enumerate(nb.cells):
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
        cell["source"] = cell["source"].replace(str(staging), str(out_dir))
        for out in cell.get("outputs", []):
            if "text" in out:
                out["text"] = _ADDRESS.sub(" at 0x…", out["text"])
            data = out.get("data", {})
            for key in ("text/plain", "text/html"):
                if key in data:
                    data[key] = _ADDRESS.sub(" at 0x…", data[key].replace(str(staging), str(out_dir)))


def to_html(nb) -> str:
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter().from_notebook_node(nb)
    return body


def _execute(notebook: Path, output: Path, parameters: dict) -> None:
    import papermill

    papermill.execute_notebook(
        str(notebook), str(output), parameters=parameters, kernel_name="python3", progress_bar=False,
        request_save_on_cell_execute=False, autosave_cell_every=0, execution_timeout=EXECUTION_TIMEOUT,
        shutdown_kernel="immediate", record_timing=False, log_output=False,
        extra_arguments=["--IPKernelApp.log_level=ERROR"],  # no transport warning per kernel
    )


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def run(data_dir: Path | str = PROJECT_ROOT / "data", out_dir: Path | str = PROJECT_ROOT,
        overrides: list[tuple[str, str]] | None = None, notebook_dir: Path = NOTEBOOK_DIR,
        params_file: Path = PARAMS_FILE, echo: Callable[[str], None] = print) -> RunResult:
    """Validate, execute every notebook in order, then move the outputs into place."""
    from . import reproduction, validate

    data_dir, out_dir = Path(data_dir).resolve(), Path(out_dir).resolve()
    notebooks = discover(notebook_dir)
    declared = {nb.stem: declared_parameters(nb) for nb in notebooks}
    known = set().union(*declared.values()) - set(RESERVED) if declared else set()
    params = load_params(params_file, overrides, known)
    validate.load_inputs(data_dir)  # refuse bad data before anything executes
    reproduction.load_claims(data_dir)

    out_dir.mkdir(parents=True, exist_ok=True)
    staging = out_dir / STAGING
    shutil.rmtree(staging, ignore_errors=True)
    for sub in OUTPUT_DIRS:
        (staging / sub).mkdir(parents=True)
    result = RunResult()
    try:
        for i, nb_path in enumerate(notebooks, 1):
            name = nb_path.stem
            own = {k: v for k, v in params.items() if k in declared[name]}
            parameters = {**own, "data_dir": str(data_dir), "out_dir": str(staging)}
            executed = staging / "reports" / f"{name}.ipynb"
            before = _files(staging)
            start = time.perf_counter()
            try:
                _execute(nb_path, executed, parameters)
            except Exception as exc:  # papermill's error names the cell
                raise _failure(nb_path, exc, executed, out_dir) from None
            seconds = time.perf_counter() - start
            nb = nbformat.read(executed, as_version=4)
            normalize(nb, staging, out_dir)
            nbformat.write(nb, executed)
            (staging / "reports" / f"{name}.html").write_text(to_html(nb), encoding="utf-8")
            result.timings[name] = seconds
            result.outputs[name] = sorted(f for f in _files(staging) - before if not f.startswith("reports/"))
            echo(f"[{i}/{len(notebooks)}] {name:<28} {seconds:6.1f} s")
        (staging / "reports" / "run.json").write_text(json.dumps({
            "parameters": params,
            "data_dir": str(data_dir),
            "outputs": result.outputs,
        }, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
        _swap_into_place(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return result


def _failure(source: Path, exc: Exception, executed: Path, out_dir: Path) -> Exception:
    """Locate the failing cell in the *source* notebook (1-based), past papermill's injected cell."""
    failed_dir = out_dir / ".failed"
    failed_dir.mkdir(exist_ok=True)
    saved = failed_dir / executed.name
    if executed.exists():
        shutil.copyfile(executed, saved)
    cells = nbformat.read(executed, as_version=4).cells if executed.exists() else []
    # papermill adds a banner cell on failure, so find the cell by its error output, not by index.
    failing = next((c for c in cells if any(o.get("output_type") == "error" for o in c.get("outputs", []))), None)
    if failing is None:
        return NotebookFailed(source.stem, None, "", getattr(exc, "ename", type(exc).__name__),
                              getattr(exc, "evalue", str(exc)), saved)
    ids = [c.get("id") for c in nbformat.read(source, as_version=4).cells]
    cell = ids.index(failing.get("id")) + 1 if failing.get("id") in ids else None
    first_line = failing.source.strip().splitlines()[0] if failing.source.strip() else ""
    return NotebookFailed(source.stem, cell, first_line, exc.ename, exc.evalue, saved)


def _swap_into_place(staging: Path, out_dir: Path) -> None:
    """Replace each output folder by its staged version: two renames, the old copy removed last."""
    old = staging / ".old"
    old.mkdir()
    for sub in OUTPUT_DIRS:
        target = out_dir / sub
        if target.exists():
            target.rename(old / sub)
        (staging / sub).rename(target)
    shutil.rmtree(old)
