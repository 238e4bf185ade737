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

import json
import os
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..datafiles import locked
from . import kernels
from .cache import (cell_of, data_read, files_below, hash_tree, module_dependencies, notebook_key, read_run_record,
                    recorded_reads, sha256_file, tree_digest, up_to_date)
from .execute import KERNEL_ARGUMENTS, any_cell_ran, execute, failure, kernel_for
from .params import RESERVED, check_params, load_params, parameters_of
from .project import NOTEBOOK_DIR, PARAMS_FILE, PROJECT_ROOT, cell_source, discover, read_json
from .reads import EVERYTHING, VALIDATED_ENV
from .reports import normalize, quick_jsonschema, to_html, warm_up
from .staging import OUTPUT_DIRS, STAGING, SWAP_JOURNAL, copy_file, finish_swap, locked_output, swap_into_place


@dataclass
class RunResult:
    """What a run did: seconds per notebook run, outputs per notebook, notebooks skipped."""
    timings: dict[str, float] = field(default_factory=dict)
    outputs: dict[str, list[str]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)


def run(data_dir: Path | str = PROJECT_ROOT / "data", out_dir: Path | str = PROJECT_ROOT, **options) -> RunResult:
    """``_run`` under the output folder's lock and a shared lock on the data folder (an import waits,
    and one interrupted by a crash is completed first), after finishing an interrupted swap."""

    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    say = options.get("echo", print)
    with locked_output(out, say), locked(data_dir, shared=True, say=say):
        finish_swap(out / STAGING, out)
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
    nbs = {nb.stem: read_json(nb) for nb in notebooks}
    declared = {name: parameters_of(nb) for name, nb in nbs.items()}
    known = set().union(*declared.values()) - set(RESERVED) if declared else set()
    params = load_params(params_file, overrides, known)
    defaults = {k: v for d in declared.values() for k, v in d.items() if k not in RESERVED}
    check_params(params, defaults, Path(params_file), {name for name, _ in overrides or []})
    own = {name: {k: v for k, v in params.items() if k in declared[name]} for name in nbs}
    data_hashes = hash_tree(data_dir)
    data_digest = tree_digest(data_hashes)
    record = read_run_record(out_dir)
    if record.get("data_dir") != str(data_dir):
        record = {}
    reads = {name: record.get("notebooks", {}).get(name, {}).get("reads") for name in nbs}

    def key(name: str) -> str:
        return notebook_key(nbs[name], own[name], data_read(reads[name], data_hashes, package_dir), package_dir,
                            lock_file)

    keys = {name: key(name) for name in nbs}
    stale = [n for n in nbs if force or not up_to_date(n, keys[n], record, out_dir)]
    result = RunResult()
    if not stale:
        if record.get("data") != data_digest:  # a file no notebook reads changed: still refuse bad data

            from ..inputs import load_inputs  # pandas and pandera: only when there is something to check

            load_inputs(data_dir)
        for i, name in enumerate(nbs, 1):
            echo(f"[{i}/{len(nbs)}] {name:<28} skipped (unchanged)")
        result.skipped = list(nbs)
        return result


    out_dir.mkdir(parents=True, exist_ok=True)
    staging = out_dir / STAGING
    shutil.rmtree(staging, ignore_errors=True)
    for sub in OUTPUT_DIRS:
        (staging / sub).mkdir(parents=True)
    validated = staging / VALIDATED_FILE
    outputs: dict[str, dict] = {}
    code = "\n".join(cell_source(c) for n in stale for c in nbs[n].get("cells", []) if c.get("cell_type") == "code")
    preload = module_dependencies(code, package_dir)
    seconds_file = out_dir / SECONDS_FILE
    stale = _longest_first(stale, seconds_file)  # two workers finish together when the long ones start first
    # The kernels import this review's own pipeline (the environment is shared by every review with the
    # same lock and holds none): its folder goes first on their path, and on a kernel papermill starts.
    own_path = os.pathsep.join(p for p in (str(package_dir.parent), os.environ.get("PYTHONPATH", "")) if p)
    saved_path = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = own_path
    try:
        with kernels.Pool(min(jobs, len(stale)), env={VALIDATED_ENV: str(validated), "PYTHONPATH": own_path},
                          extra_arguments=KERNEL_ARGUMENTS, preload_modules=preload) as pool:
            # While the kernels start: import papermill and nbconvert here, once (threads importing one
            # module at once can see it half-initialized), and refuse bad data before any notebook
            # executes (the notebooks' setup then reads the pickle).
            quick_jsonschema()
            import nbconvert  # noqa: F401
            import papermill  # noqa: F401

            warning = validate_for_run(data_dir, validated)
            if warning:
                echo(warning)
            threading.Thread(target=warm_up, name="html-warm-up", daemon=True).start()

            for name in nbs:  # carry over what unchanged notebooks made last time
                if name in stale:
                    continue
                for rel, info in record.get("outputs", {}).items():
                    if info["notebook"] == name:
                        copy_file(out_dir / rel, staging / rel)
                        outputs[rel] = info
                for ext in ("ipynb", "html"):
                    copy_file(out_dir / "reports" / f"{name}.{ext}", staging / "reports" / f"{name}.{ext}")
                result.skipped.append(name)
            progress = InOrder(list(nbs), echo)
            for name in result.skipped:
                progress.done(name, "skipped (unchanged)")

            def one(name: str, kernel) -> tuple[str, float]:
                work = staging / ".work" / name
                for sub in ("figures", "tables"):
                    (work / sub).mkdir(parents=True)
                parameters = {**own[name], "data_dir": str(data_dir), "out_dir": str(work)}
                executed = staging / "reports" / f"{name}.ipynb"
                start = time.perf_counter()
                for attempt in (1, 2):
                    try:
                        execute(notebook_dir / f"{name}.ipynb", executed, parameters, kernel_for(kernel))
                        break
                    except Exception as exc:  # papermill's error names the cell
                        if attempt == 1 and not any_cell_ran(executed):
                            kernel = None  # the kernel died before running a cell (a start-up race):
                            continue  # once more, in a kernel papermill starts
                        raise failure(notebook_dir / f"{name}.ipynb", exc, executed, out_dir) from None
                seconds = time.perf_counter() - start
                import nbformat

                nb = nbformat.read(executed, as_version=4)
                normalize(nb, work, out_dir, data_dir)
                nbformat.write(nb, executed)
                (staging / "reports" / f"{name}.html").write_text(to_html(nb), encoding="utf-8")
                return name, seconds

            for name, seconds in pool.map(one, stale):  # as they finish; said in the notebooks' order
                result.timings[name] = seconds
                progress.done(name, f"{seconds:6.1f} s")
        for name in stale:
            work = staging / ".work" / name
            reads[name] = recorded_reads(work)
            keys[name] = key(name)  # what it read this time
            for rel in sorted(files_below(work)):
                if (staging / rel).exists() or rel in outputs:
                    raise RuntimeError(f"{rel} is written by two notebooks ({name} and {outputs[rel]['notebook']})")
                copy_file(work / rel, staging / rel)
                cell_id, cell_number = cell_of(nbs[name], rel)
                outputs[rel] = {"notebook": name, "cell_id": cell_id, "cell_number": cell_number,
                                "sha256": sha256_file(work / rel)}
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
        swap_into_place(staging, out_dir)
        _save_seconds(seconds_file, result.timings)
    finally:
        if saved_path is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = saved_path
        if not (out_dir / SWAP_JOURNAL).exists():  # an interrupted swap keeps its staged folders to finish
            shutil.rmtree(staging, ignore_errors=True)
    return result


class InOrder:
    """Progress lines in the notebooks' order, although they finish in any: a notebook's line waits
    until every notebook before it has had its own ([1/6] is always said before [2/6])."""

    def __init__(self, names: list[str], echo: Callable[[str], None]):
        self.names, self.echo, self.said, self.next = names, echo, {}, 0

    def done(self, name: str, text: str) -> None:
        self.said[name] = text
        while self.next < len(self.names) and self.names[self.next] in self.said:
            first = self.names[self.next]
            self.echo(f"[{self.next + 1}/{len(self.names)}] {first:<28} {self.said[first]}")
            self.next += 1


VALIDATED_FILE = ".inputs.pickle"  # in the staging folder, for the run's kernels (see notebook.setup)


def validate_for_run(data_dir: Path | str, validated: Path | str) -> str:
    """Validate the inputs (InputError when they are bad), pickle them for the run's notebooks, and
    return the warning to show ("" for none)."""

    from ..inputs import load_inputs  # here, not at the top: `run` with nothing to do never loads pandas
    from ..screening.log import pending

    inputs = load_inputs(data_dir)
    _dump(inputs, Path(validated))
    waiting = pending(inputs.screening_log)
    if not len(waiting):
        return ""
    return (f"warning: {len(waiting)} records still wait for a screening decision (first: "
            f"{waiting['record_id'].iloc[0]} at '{waiting['stage'].iloc[0]}'); the flow is incomplete "
            f"(see `pipeline status`)")


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


def _dump(inputs, path: Path) -> None:
    import pickle

    with open(path, "wb") as f:
        pickle.dump(inputs, f, protocol=pickle.HIGHEST_PROTOCOL)
