"""Outputs staged and swapped into place whole: the output folder's lock, and a journalled swap that a
crash cannot leave half done.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from pathlib import Path

from ..datafiles import wait


OUTPUT_DIRS = ("figures", "tables", "reports")
STAGING = ".run-staging"
SWAP_JOURNAL = ".run-swap"


@contextlib.contextmanager
def locked_output(folder: Path, say):
    """An exclusive lock on the output folder for the whole run: a second run on the same folder waits
    (the folder itself is locked, so no lock file lies among the outputs)."""


    fd = os.open(folder, os.O_RDONLY)
    try:
        wait(fd, fcntl.LOCK_EX, f"{folder}: another run is writing here; waiting for it to finish", say)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def swap_into_place(staging: Path, out_dir: Path) -> None:
    """Replace each output folder by its staged version.  A journal written first makes the renames one
    step: if the process dies between them, the next run (or ``finish_swap``) completes them, so
    figures/, tables/ and reports/ are never left from two different runs."""
    journal = out_dir / SWAP_JOURNAL
    tmp = out_dir / (SWAP_JOURNAL + ".tmp")
    tmp.write_text(str(staging), encoding="utf-8")
    os.replace(tmp, journal)
    finish_swap(staging, out_dir)


def finish_swap(staging: Path, out_dir: Path) -> None:
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


def copy_file(src: Path, dst: Path) -> None:
    """Copy ``src`` to ``dst``, making its folder."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
