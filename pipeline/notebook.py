"""The few lines every analysis notebook starts with, kept here so notebooks stay thin."""

from __future__ import annotations

from pathlib import Path

from .validate import Inputs, load_inputs


NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def locate(path: str) -> Path:
    """A path parameter, whatever folder the kernel runs in (papermill from the project root or from
    notebooks/, JupyterLab, the runner).  The notebooks' defaults ('../data', '..') are relative to
    notebooks/, so a relative path is taken from there when it exists there, else from the working
    folder (a path given with -p on the command line); absolute paths are kept."""
    p = Path(path)
    if p.is_absolute():
        return p
    beside = NOTEBOOKS / p
    return beside.resolve() if beside.exists() else p.resolve()


def setup(data_dir: str, out_dir: str) -> tuple[Inputs, Path, Path]:
    """Validated inputs and the figures/ and tables/ folders of this run."""
    data_dir, out = locate(data_dir), locate(out_dir)
    figures, tables = out / "figures", out / "tables"
    figures.mkdir(parents=True, exist_ok=True)
    tables.mkdir(parents=True, exist_ok=True)
    return load_inputs(data_dir), figures, tables


def show(path: Path):
    """Display a saved PNG (the saved file, so the notebook shows exactly what was published)."""
    from IPython.display import Image

    return Image(filename=str(Path(path).with_suffix(".png")), width=720)
