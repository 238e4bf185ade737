"""Writing into data/: only through these helpers, atomically, after the result has been validated.

A failed import must leave data/ exactly as it was, so every change is first written to a
temporary file beside its target, the whole data folder is re-validated as it would be, and
only then are the files moved into place with ``os.replace`` (atomic on one filesystem).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd


def write_csv_atomic(df: pd.DataFrame, path: Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            df.to_csv(f, index=False, lineterminator="\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def replace_files(data_dir: Path, changes: dict[str, pd.DataFrame]) -> None:
    """Validate ``data_dir`` with ``changes`` applied (in a scratch copy), then write them atomically."""
    from .validate import load_inputs

    data_dir = Path(data_dir)
    with tempfile.TemporaryDirectory(prefix="qes-check-") as scratch:
        trial = Path(scratch) / "data"
        shutil.copytree(data_dir, trial)
        for rel, df in changes.items():
            write_csv_atomic(df, trial / rel)
        load_inputs(trial)  # raises InputError naming the file, row and column
    for rel, df in changes.items():
        write_csv_atomic(df, data_dir / rel)
