"""One notebook through papermill, in a kept kernel or its own, and a failure located in its source cell."""

from __future__ import annotations

import shutil
from pathlib import Path

from .reports import quick_jsonschema


EXECUTION_TIMEOUT = 600  # seconds per cell; papermill has no limit by default


class NotebookFailed(Exception):
    """A cell raised; carries the notebook and the cell so the message can point at both."""

    def __init__(self, notebook: str, cell: int | None, first_line: str, ename: str, evalue: str, saved: Path):
        self.notebook, self.cell, self.first_line = notebook, cell, first_line
        self.ename, self.evalue, self.saved = ename, evalue, saved
        where = f"cell {cell} ({first_line!r})" if cell else "before its first cell"
        super().__init__(f"notebook {notebook} failed in {where}: {ename}: {evalue}\n"
                         f"  the executed notebook is saved at {saved}")


# No transport warning per kernel; no history database (two kernels writing one SQLite file can
# clash, and a kept kernel's history restarts with each notebook).
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR", "--HistoryManager.hist_file=:memory:"]


def execute(notebook: Path, output: Path, parameters: dict, km=None) -> None:
    """papermill, in the kernel ``km`` when given (kept for the run; see ``kernels``), else in its own."""
    quick_jsonschema()
    import papermill

    papermill.execute_notebook(
        str(notebook), str(output), parameters=parameters, kernel_name="python3", progress_bar=False,
        request_save_on_cell_execute=False, autosave_cell_every=0, execution_timeout=EXECUTION_TIMEOUT,
        shutdown_kernel="immediate", record_timing=False, log_output=False,
        extra_arguments=KERNEL_ARGUMENTS, **({"km": km} if km is not None else {}),
    )


def kernel_for(kernel):
    """The kept kernel's manager, reset for the next notebook; None (papermill starts a kernel of its
    own, and says why it cannot) when there is no kept kernel or it cannot be made ready."""
    if kernel is None:
        return None
    try:
        return kernel.ready()
    except Exception:  # noqa: BLE001 -- the notebook still runs, in a kernel of its own
        return None


def any_cell_ran(executed: Path) -> bool:
    """Whether a kernel got as far as running a cell of ``executed`` (papermill's output notebook)."""
    import nbformat

    try:
        cells = nbformat.read(executed, as_version=4).cells
    except (OSError, ValueError):
        return False
    return any(c.get("execution_count") or c.get("outputs") for c in cells if c.cell_type == "code")


def failure(source: Path, exc: Exception, executed: Path, out_dir: Path) -> Exception:
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
