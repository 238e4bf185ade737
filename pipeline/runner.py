"""Run the analysis notebooks with papermill, in this process, into a staging folder.

Parameters come from ``params.yml`` (overridable with ``-p NAME VALUE``; unknown names are
refused); every notebook also receives ``data_dir`` and ``out_dir``.  A notebook whose key
(code cells, parameters, the data files it read last time, the pipeline modules it imports, the
lock file) matches the last successful run, and whose outputs are unchanged, is skipped.
Otherwise the inputs are validated once, here, before any notebook starts, and handed to the
notebooks pickled; the stale notebooks run two at a time, longest first, each worker in a kernel
kept for the run (``kernels``), each notebook into its own work folder; and only when all have
succeeded are ``figures/``, ``tables/`` and ``reports/`` swapped into place, so a failed run
leaves the previous outputs untouched.  Executed notebooks are normalized (no timestamps, fixed
ids, no memory addresses, printed text in one piece) before nbconvert renders them, so reports
are byte-identical on a re-run.  ``reports/run.json`` records keys, parameters, each notebook's
reads and, for every output, the notebook and cell that wrote it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import yaml

from .errors import InputError
from .kernels import EVERYTHING, READS_FILE

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
    skipped: list[str] = field(default_factory=list)


def discover(notebook_dir: Path = NOTEBOOK_DIR) -> list[Path]:
    """The analysis notebooks, ``NN_name.ipynb``, in numeric order."""
    return sorted(p for p in Path(notebook_dir).iterdir() if NOTEBOOK_PATTERN.match(p.name))


def _read_json(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def parameters_of(nb: dict) -> dict:
    """Names and literal defaults assigned in the cell tagged ``parameters`` (read with ``ast``, no kernel)."""
    import ast

    for cell in nb.get("cells", []):
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            out = {}
            for node in ast.parse(_source(cell)).body:
                if isinstance(node, ast.Assign):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            try:
                                out[target.id] = ast.literal_eval(node.value)
                            except ValueError:
                                out[target.id] = None
            return out
    return {}


def declared_parameters(notebook: Path) -> dict:
    """Names and defaults in the notebook's cell tagged ``parameters``."""
    return parameters_of(_read_json(notebook))


def coerce(value: str):
    """A command-line value as YAML reads it: numbers, booleans, lists; otherwise the text."""
    try:
        parsed = yaml.safe_load(value)
    except yaml.YAMLError:
        return value
    return value if parsed is None else parsed


def _language_codes(value) -> str | None:
    """What a ``languages`` value must be, or None when it is that: codes with a translation file."""
    from . import language

    if isinstance(value, (str, type(None))) and all(c in language.available() for c in str(value or "").split()):
        return None
    return f"language codes separated by spaces, each with a translation file ({', '.join(language.available())})"


# The parameters' types and ranges: one schema for params.yml and -p, checked before any notebook
# starts.  A parameter a notebook declares without a rule here takes the type of its default.
PARAMETER_RULES = {
    "quality_min_yes": (int, 0, 10),
    "saturation_orders": (int, 1, 100_000),
    "random_seed": (int, 0, 2**32 - 1),
    "min_supporting_studies": (int, 1, 1_000_000),
    "reliability_minimum": (float, 0.0, 1.0),
    "alpha_minimum": (float, -1.0, 1.0),
    "bootstrap_resamples": (int, 0, 100_000),
    "reliability_level": (("nominal", "ordinal", "interval", "ratio"),),
    "languages": (_language_codes,),  # a check of its own: returns what was expected, or None
}


def check_params(params: dict, defaults: dict, params_file: Path, overridden: set[str]) -> None:
    """Every parameter of its type and in its range; the error names params.yml or the -p option."""
    import math

    for name, value in params.items():
        where = (None, f"-p {name}") if name in overridden else (params_file, f"parameter '{name}'")
        rule = PARAMETER_RULES.get(name)
        if rule is None and name in defaults and defaults[name] is not None:
            rule = (type(defaults[name]),)
        if rule is None:
            continue
        kind = rule[0]
        if callable(kind) and not isinstance(kind, type):
            expected = kind(value)
            if expected:
                raise InputError(where[0], f"{where[1]}: {expected}", value=value)
            continue
        if isinstance(kind, tuple):
            if value not in kind:
                raise InputError(where[0], f"{where[1]}: one of {', '.join(kind)}", value=value)
            continue
        ok = (isinstance(value, int) and not isinstance(value, bool) if kind is int else
              isinstance(value, (int, float)) and not isinstance(value, bool) if kind is float else
              isinstance(value, kind))
        if ok and kind is float and not math.isfinite(value):
            ok = False
        if not ok:
            raise InputError(where[0], f"{where[1]}: {'a whole number' if kind is int else 'a number' if kind is float else 'a ' + kind.__name__}",
                             value=value)
        if len(rule) == 3 and not rule[1] <= value <= rule[2]:
            raise InputError(where[0], f"{where[1]}: between {rule[1]} and {rule[2]}", value=value)


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


def normalize(nb, staging: Path, out_dir: Path, data_dir: Path | None = None) -> None:
    """Strip what differs between identical runs: timings, timestamps, random ids, memory addresses, and
    the folders of this machine.  Paths are written relative to the output root (the data folder as
    ``data`` when it lies elsewhere), so the same data give the same notebooks in any folder and no
    home folder is published."""
    def rel(text: str) -> str:
        text = text.replace(str(staging), ".")
        if data_dir is not None:
            inside = Path(data_dir).is_relative_to(out_dir)
            text = text.replace(str(data_dir), str(Path(data_dir).relative_to(out_dir)) if inside else "data")
        return text.replace(str(out_dir), ".")

    nb.metadata.pop("papermill", None)
    for i, cell in enumerate(nb.cells):
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
        cell["source"] = rel(cell["source"])
        if "outputs" in cell:
            cell["outputs"] = _joined_streams(cell["outputs"])
        for out in cell.get("outputs", []):
            if "text" in out:
                out["text"] = rel(_ADDRESS.sub(" at 0x…", out["text"]))
            data = out.get("data", {})
            for key in ("text/plain", "text/html"):
                if key in data:
                    data[key] = rel(_ADDRESS.sub(" at 0x…", data[key]))


def _joined_streams(outputs: list) -> list:
    """Consecutive stream outputs of one name as one: the kernel flushes printed text in pieces
    whose boundaries depend on timing (a print's end of line can arrive apart), not on the code."""
    joined = []
    for out in outputs:
        if (out.get("output_type") == "stream" and joined and joined[-1].get("output_type") == "stream"
                and joined[-1].get("name") == out.get("name")):
            joined[-1]["text"] += out["text"]
        else:
            joined.append(out)
    return joined


_HTML: dict = {}
_HTML_LOCK = threading.Lock()


def to_html(nb) -> str:
    """The executed notebook as HTML, with one exporter shared by the workers (its first export
    compiles templates, ~0.5 s; exporting holds the GIL anyway, so the lock costs nothing)."""
    with _HTML_LOCK:
        if "exporter" not in _HTML:
            _quick_jsonschema()
            from nbconvert import HTMLExporter

            _HTML["exporter"] = HTMLExporter()
        body, _ = _HTML["exporter"].from_notebook_node(nb)
    return body


def _quick_jsonschema() -> None:
    """Keep jsonschema from importing rfc3987_syntax in this process: it compiles ~35 Earley grammars at
    import (1.5 s here, python-jsonschema/jsonschema#1428), for the ``iri`` format, which no notebook
    schema uses.  Only when jsonschema's formats are not loaded yet; kernels are not affected."""
    if "jsonschema._format" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


# No transport warning per kernel; no history database (two kernels writing one SQLite file can
# clash, and a kept kernel's history restarts with each notebook).
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR", "--HistoryManager.hist_file=:memory:"]


def _execute(notebook: Path, output: Path, parameters: dict, km=None) -> None:
    """papermill, in the kernel ``km`` when given (kept for the run; see ``kernels``), else in its own."""
    _quick_jsonschema()
    import papermill

    papermill.execute_notebook(
        str(notebook), str(output), parameters=parameters, kernel_name="python3", progress_bar=False,
        request_save_on_cell_execute=False, autosave_cell_every=0, execution_timeout=EXECUTION_TIMEOUT,
        shutdown_kernel="immediate", record_timing=False, log_output=False,
        extra_arguments=KERNEL_ARGUMENTS, **({"km": km} if km is not None else {}),
    )


def _kernel_for(kernel):
    """The kept kernel's manager, reset for the next notebook; None (papermill starts a kernel of its
    own, and says why it cannot) when there is no kept kernel or it cannot be made ready."""
    if kernel is None:
        return None
    try:
        return kernel.ready()
    except Exception:  # noqa: BLE001 -- the notebook still runs, in a kernel of its own
        return None


def _any_cell_ran(executed: Path) -> bool:
    """Whether a kernel got as far as running a cell of ``executed`` (papermill's output notebook)."""
    import nbformat

    try:
        cells = nbformat.read(executed, as_version=4).cells
    except (OSError, ValueError):
        return False
    return any(c.get("execution_count") or c.get("outputs") for c in cells if c.cell_type == "code")


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def hash_tree(folder: Path) -> dict[str, str]:
    """Content hash of every file below ``folder`` (sorted relative paths)."""
    folder = Path(folder)
    return {rel: _sha256(folder / rel) for rel in sorted(_files(folder))} if folder.exists() else {}


_IMPORT = re.compile(r"^[ \t]*from[ \t]+(?:pipeline\.?|\.)(\w*)[ \t]+import[ \t]+(\([^)]*\)|[\w \t,]+)", re.M)
_IMPORT_DOTTED = re.compile(r"^[ \t]*import[ \t]+pipeline\.(\w+)", re.M)  # import pipeline.figures [as f]


def module_dependencies(code: str, package_dir: Path = PROJECT_ROOT / "pipeline") -> list[str]:
    """The pipeline modules ``code`` imports, followed through their own imports (sorted file names)."""
    def direct(text):
        found = set(_IMPORT_DOTTED.findall(text))
        for module, names in _IMPORT.findall(text):
            if module:
                found.add(module)
            for name in re.split(r"[\s,()]+", names):
                if name and (package_dir / f"{name}.py").exists():
                    found.add(name)
        return found

    seen, todo = {"__init__"}, direct(code)
    while todo:
        mod = todo.pop()
        if mod in seen or not (package_dir / f"{mod}.py").exists():
            continue
        seen.add(mod)
        todo |= direct((package_dir / f"{mod}.py").read_text(encoding="utf-8"))
    return sorted(f"{m}.py" for m in seen)


def data_read(reads: list[str] | None, data_hashes: dict[str, str]) -> dict[str, str]:
    """The hashes of the data files a notebook read (recorded by its last run; see
    ``validate.RecordingInputs``), a file that was absent as ``absent``; all files when unknown."""
    if reads is None or EVERYTHING in reads:  # unknown: every data file
        return data_hashes
    return {rel: data_hashes.get(rel, "absent") for rel in sorted(reads)}


def _recorded_reads(work: Path) -> list[str]:
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
    code = [_source(c) for c in nb.get("cells", []) if c.get("cell_type") == "code"]
    modules = {m: _sha256(package_dir / m) for m in module_dependencies("\n".join(code), package_dir)}
    blob = json.dumps({
        "code": code,
        "parameters": parameters,
        "data": data_hashes,
        "modules": modules,
        "lock": _sha256(lock_file) if Path(lock_file).exists() else "",
    }, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _cell_of(nb: dict, rel: str) -> tuple[str | None, int | None]:
    """The code cell that names an output file's stem (where the file is written)."""
    stem = Path(rel).stem
    for i, cell in enumerate(nb.get("cells", []), 1):
        if cell.get("cell_type") == "code" and (f'"{stem}"' in _source(cell) or f'"{Path(rel).name}"' in _source(cell)):
            return cell.get("id"), i
    return None, None


def _up_to_date(name: str, key: str, record: dict, out_dir: Path) -> bool:
    entry = record.get("notebooks", {}).get(name)
    if not entry or entry.get("key") != key:
        return False
    files = [f"reports/{name}.ipynb", f"reports/{name}.html"]
    if not all((out_dir / f).exists() for f in files):
        return False
    # Outputs must still be the ones this key produced (a hand edit forces a re-run).
    return all((out_dir / rel).exists() and _sha256(out_dir / rel) == info["sha256"]
               for rel, info in record.get("outputs", {}).items() if info["notebook"] == name)


def read_run_record(out_dir: Path) -> dict:
    path = Path(out_dir) / "reports" / "run.json"
    try:
        return _read_json(path)
    except (OSError, ValueError):
        return {}


@contextlib.contextmanager
def _locked(folder: Path, say):
    """An exclusive lock on the output folder for the whole run: a second run on the same folder waits
    (the folder itself is locked, so no lock file lies among the outputs)."""
    import fcntl

    from .datafiles import wait

    fd = os.open(folder, os.O_RDONLY)
    try:
        wait(fd, fcntl.LOCK_EX, f"{folder}: another run is writing here; waiting for it to finish", say)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def run(data_dir: Path | str = PROJECT_ROOT / "data", out_dir: Path | str = PROJECT_ROOT, **options) -> RunResult:
    """``_run`` under the output folder's lock and a shared lock on the data folder (an import waits,
    and one interrupted by a crash is completed first), after finishing an interrupted swap."""
    from .datafiles import locked

    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    say = options.get("echo", print)
    with _locked(out, say), locked(data_dir, shared=True, say=say):
        _finish_swap(out / STAGING, out)
        return _run(data_dir, out_dir, **options)


def _run(data_dir: Path | str = PROJECT_ROOT / "data", out_dir: Path | str = PROJECT_ROOT,
        overrides: list[tuple[str, str]] | None = None, notebook_dir: Path = NOTEBOOK_DIR,
        params_file: Path = PARAMS_FILE, echo: Callable[[str], None] = print, force: bool = False,
        jobs: int = 2, package_dir: Path = PROJECT_ROOT / "pipeline",
        lock_file: Path = PROJECT_ROOT / "requirements.lock") -> RunResult:
    """Validate, execute the notebooks whose inputs changed (in parallel where independent), then
    move the outputs into place.  A notebook is skipped when its key matches the last
    successful run and its outputs are unchanged."""
    data_dir, out_dir = Path(data_dir).resolve(), Path(out_dir).resolve()
    notebooks = discover(notebook_dir)
    nbs = {nb.stem: _read_json(nb) for nb in notebooks}
    declared = {name: parameters_of(nb) for name, nb in nbs.items()}
    known = set().union(*declared.values()) - set(RESERVED) if declared else set()
    params = load_params(params_file, overrides, known)
    defaults = {k: v for d in declared.values() for k, v in d.items() if k not in RESERVED}
    check_params(params, defaults, Path(params_file), {name for name, _ in overrides or []})
    own = {name: {k: v for k, v in params.items() if k in declared[name]} for name in nbs}
    data_hashes = hash_tree(data_dir)
    data_digest = hashlib.sha256(json.dumps(data_hashes, sort_keys=True).encode()).hexdigest()
    record = read_run_record(out_dir)
    if record.get("data_dir") != str(data_dir):
        record = {}
    reads = {name: record.get("notebooks", {}).get(name, {}).get("reads") for name in nbs}

    def key(name: str) -> str:
        return notebook_key(nbs[name], own[name], data_read(reads[name], data_hashes), package_dir, lock_file)

    keys = {name: key(name) for name in nbs}
    stale = [n for n in nbs if force or not _up_to_date(n, keys[n], record, out_dir)]
    result = RunResult()
    if not stale:
        if record.get("data") != data_digest:  # a file no notebook reads changed: still refuse bad data
            from . import validate

            validate.load_inputs(data_dir)
        for i, name in enumerate(nbs, 1):
            echo(f"[{i}/{len(nbs)}] {name:<28} skipped (unchanged)")
        result.skipped = list(nbs)
        return result

    from . import kernels

    out_dir.mkdir(parents=True, exist_ok=True)
    staging = out_dir / STAGING
    shutil.rmtree(staging, ignore_errors=True)
    for sub in OUTPUT_DIRS:
        (staging / sub).mkdir(parents=True)
    validated = staging / VALIDATED_FILE
    outputs: dict[str, dict] = {}
    code = "\n".join(_source(c) for n in stale for c in nbs[n].get("cells", []) if c.get("cell_type") == "code")
    preload = [f"pipeline.{m[:-3]}" for m in module_dependencies(code, package_dir) if m != "__init__.py"]
    seconds_file = out_dir / SECONDS_FILE
    stale = _longest_first(stale, seconds_file)  # two workers finish together when the long ones start first
    try:
        with kernels.Pool(min(jobs, len(stale)), env={kernels.VALIDATED_ENV: str(validated)},
                          extra_arguments=KERNEL_ARGUMENTS, preload_modules=preload) as pool:
            # While the kernels start: import papermill and nbconvert here, once (threads importing one
            # module at once can see it half-initialized), and refuse bad data before any notebook
            # executes (the notebooks' setup then reads the pickle).
            _quick_jsonschema()
            import nbconvert  # noqa: F401
            import papermill  # noqa: F401

            warning = validate_for_run(data_dir, validated)
            if warning:
                echo(warning)
            threading.Thread(target=_warm_up, name="html-warm-up", daemon=True).start()

            for name in nbs:  # carry over what unchanged notebooks made last time
                if name in stale:
                    continue
                for rel, info in record.get("outputs", {}).items():
                    if info["notebook"] == name:
                        _copy(out_dir / rel, staging / rel)
                        outputs[rel] = info
                for ext in ("ipynb", "html"):
                    _copy(out_dir / "reports" / f"{name}.{ext}", staging / "reports" / f"{name}.{ext}")
                result.skipped.append(name)
            order = {name: i for i, name in enumerate(nbs, 1)}
            for name in result.skipped:
                echo(f"[{order[name]}/{len(nbs)}] {name:<28} skipped (unchanged)")

            def one(name: str, kernel) -> tuple[str, float]:
                work = staging / ".work" / name
                for sub in ("figures", "tables"):
                    (work / sub).mkdir(parents=True)
                parameters = {**own[name], "data_dir": str(data_dir), "out_dir": str(work)}
                executed = staging / "reports" / f"{name}.ipynb"
                start = time.perf_counter()
                for attempt in (1, 2):
                    try:
                        _execute(notebook_dir / f"{name}.ipynb", executed, parameters, _kernel_for(kernel))
                        break
                    except Exception as exc:  # papermill's error names the cell
                        if attempt == 1 and not _any_cell_ran(executed):
                            kernel = None  # the kernel died before running a cell (a start-up race):
                            continue  # once more, in a kernel papermill starts
                        raise _failure(notebook_dir / f"{name}.ipynb", exc, executed, out_dir) from None
                seconds = time.perf_counter() - start
                import nbformat

                nb = nbformat.read(executed, as_version=4)
                normalize(nb, work, out_dir, data_dir)
                nbformat.write(nb, executed)
                (staging / "reports" / f"{name}.html").write_text(to_html(nb), encoding="utf-8")
                return name, seconds

            for name, seconds in pool.map(one, stale):  # as they finish
                result.timings[name] = seconds
                echo(f"[{order[name]}/{len(nbs)}] {name:<28} {seconds:6.1f} s")
        for name in stale:
            work = staging / ".work" / name
            reads[name] = _recorded_reads(work)
            keys[name] = key(name)  # what it read this time
            for rel in sorted(_files(work)):
                if (staging / rel).exists() or rel in outputs:
                    raise RuntimeError(f"{rel} is written by two notebooks ({name} and {outputs[rel]['notebook']})")
                _copy(work / rel, staging / rel)
                cell_id, cell_number = _cell_of(nbs[name], rel)
                outputs[rel] = {"notebook": name, "cell_id": cell_id, "cell_number": cell_number,
                                "sha256": _sha256(work / rel)}
        shutil.rmtree(staging / ".work")
        validated.unlink()
        result.outputs = {n: sorted(r for r, i in outputs.items() if i["notebook"] == n) for n in nbs}
        (staging / "reports" / "run.json").write_text(json.dumps({
            "data_dir": str(data_dir),
            "data": data_digest,
            "parameters": params,
            "notebooks": {n: {"key": keys[n], "parameters": own[n], "reads": reads[n] or [EVERYTHING]} for n in nbs},
            "outputs": dict(sorted(outputs.items())),
        }, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
        _swap_into_place(staging, out_dir)
        _save_seconds(seconds_file, result.timings)
    finally:
        if not (out_dir / SWAP_JOURNAL).exists():  # an interrupted swap keeps its staged folders to finish
            shutil.rmtree(staging, ignore_errors=True)
    return result


VALIDATED_FILE = ".inputs.pickle"  # in the staging folder, for the run's kernels (see notebook.setup)


def validate_for_run(data_dir: Path | str, validated: Path | str) -> str:
    """Validate the inputs (InputError when they are bad), pickle them for the run's notebooks, and
    return the warning to show ("" for none)."""
    from . import screening, validate

    inputs = validate.load_inputs(data_dir)
    _dump(inputs, Path(validated))
    waiting = screening.pending(inputs.screening_log)
    if not len(waiting):
        return ""
    return (f"warning: {len(waiting)} records still wait for a screening decision (first: "
            f"{waiting['record_id'].iloc[0]} at '{waiting['stage'].iloc[0]}'); the flow is incomplete "
            f"(see `python -m pipeline status`)")


# Each notebook's seconds in the last run, beside the outputs but not among them (they differ from
# run to run, and the outputs must not): only the order in which notebooks start depends on them.
SECONDS_FILE = ".run-seconds.json"


def _longest_first(names: list[str], seconds_file: Path) -> list[str]:
    """The notebooks in decreasing order of their last run's seconds (unknown ones first, in order)."""
    try:
        seconds = json.loads(Path(seconds_file).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        seconds = {}
    if not isinstance(seconds, dict):
        seconds = {}
    known = {n: s for n, s in seconds.items() if isinstance(s, (int, float))}
    return sorted(names, key=lambda n: -known.get(n, float("inf")))


def _save_seconds(seconds_file: Path, timings: dict[str, float]) -> None:
    """Best effort: the file only orders the next run's notebooks, so a failure to write it is ignored."""
    try:
        seconds = json.loads(Path(seconds_file).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        seconds = {}
    seconds = {**(seconds if isinstance(seconds, dict) else {}), **{n: round(t, 2) for n, t in timings.items()}}
    tmp = Path(seconds_file).with_name(Path(seconds_file).name + ".tmp")
    try:
        tmp.write_text(json.dumps(seconds, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, seconds_file)
    except OSError:
        tmp.unlink(missing_ok=True)


def _warm_up() -> None:
    """Render a small notebook to HTML while the first notebooks execute, so that their own export
    finds the templates compiled and the highlighter loaded (the first export costs ~0.5 s)."""
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("*x*"), nbformat.v4.new_code_cell(
        "x", outputs=[nbformat.v4.new_output("execute_result", {"text/plain": "1", "text/html": "<b>1</b>"})])])
    to_html(nb)


def _dump(inputs, path: Path) -> None:
    import pickle

    with open(path, "wb") as f:
        pickle.dump(inputs, f, protocol=pickle.HIGHEST_PROTOCOL)


def _copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)


def _failure(source: Path, exc: Exception, executed: Path, out_dir: Path) -> Exception:
    """Locate the failing cell in the *source* notebook (1-based), past papermill's injected cell."""
    failed_dir = out_dir / ".failed"
    failed_dir.mkdir(exist_ok=True)
    saved = failed_dir / executed.name
    if executed.exists():
        shutil.copyfile(executed, saved)
    import nbformat

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


SWAP_JOURNAL = ".run-swap"


def _swap_into_place(staging: Path, out_dir: Path) -> None:
    """Replace each output folder by its staged version.  A journal written first makes the renames one
    step: if the process dies between them, the next run (or ``_finish_swap``) completes them, so
    figures/, tables/ and reports/ are never left from two different runs."""
    journal = out_dir / SWAP_JOURNAL
    tmp = out_dir / (SWAP_JOURNAL + ".tmp")
    tmp.write_text(str(staging), encoding="utf-8")
    os.replace(tmp, journal)
    _finish_swap(staging, out_dir)


def _finish_swap(staging: Path, out_dir: Path) -> None:
    """Complete a journalled swap (idempotent: every step checks what is already done)."""
    journal = out_dir / SWAP_JOURNAL
    if not journal.exists():
        return
    old = staging / ".old"
    old.mkdir(parents=True, exist_ok=True)
    for sub in OUTPUT_DIRS:
        target = out_dir / sub
        if (staging / sub).exists():
            if target.exists():
                shutil.rmtree(old / sub, ignore_errors=True)
                target.rename(old / sub)
            (staging / sub).rename(target)
    journal.unlink()
    shutil.rmtree(old, ignore_errors=True)
