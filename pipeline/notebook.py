"""The few lines every analysis notebook starts with, kept here so notebooks stay thin."""

from __future__ import annotations

from pathlib import Path

from .validate import Inputs, load_inputs


def setup(data_dir: str, out_dir: str) -> tuple[Inputs, Path, Path]:
    """Validated inputs and the figures/ and tables/ folders of this run."""
    out = Path(out_dir)
    figures, tables = out / "figures", out / "tables"
    figures.mkdir(parents=True, exist_ok=True)
    tables.mkdir(parents=True, exist_ok=True)
    return load_inputs(data_dir), figures, tables


def show(path: Path):
    """Display a saved PNG (the saved file, so the notebook shows exactly what was published)."""
    from IPython.display import Image

    return Image(filename=str(Path(path).with_suffix(".png")), width=720)
