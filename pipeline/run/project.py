"""Where a review's notebooks and parameters are, and how the notebooks are read (no kernel needed)."""

from __future__ import annotations

import json
import re
from pathlib import Path


PROJECT_ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = PROJECT_ROOT / "notebooks"
PARAMS_FILE = PROJECT_ROOT / "params.yml"
NOTEBOOK_PATTERN = re.compile(r"^\d{2}_[a-z0-9_]+\.ipynb$")


def discover(notebook_dir: Path = NOTEBOOK_DIR) -> list[Path]:
    """The analysis notebooks, ``NN_name.ipynb``, in numeric order."""
    return sorted(p for p in Path(notebook_dir).iterdir() if NOTEBOOK_PATTERN.match(p.name))


def read_json(path: Path) -> dict:
    """A JSON file (a notebook) as a dict."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def cell_source(cell: dict) -> str:
    """A notebook cell's source as one string."""
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src
