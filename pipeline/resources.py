"""Files of the package that outputs depend on besides its code: translations, fonts, schemas, templates.

Whoever reads one says so here (``use``).  In a notebook the runner started, ``setup`` points ``LOG``
at the file where the notebook's data reads are noted, so the next run's key for that notebook also
covers these files: an edited translation re-runs the notebooks that used it, and only those.  The
note is taken at each use, not at each read from disk, since readers cache what they read.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
PREFIX = "pipeline:"  # how a package file is noted among the data files a notebook read
LOG: Path | None = None  # where this notebook's reads are noted (None: not under the runner)
_SEEN: set[str] = set()


def start(log: Path | None) -> None:
    """Note the package files used from now on in ``log`` (``setup`` calls it for every notebook)."""
    global LOG
    LOG = Path(log) if log is not None else None
    _SEEN.clear()


def use(path: Path) -> Path:
    """``path``, a file of the package, noted as used by the notebook running now; returned as it is."""
    if LOG is not None:
        name = PREFIX + Path(path).resolve().relative_to(PACKAGE).as_posix()
        if name not in _SEEN:
            _SEEN.add(name)
            with open(LOG, "a", encoding="utf-8") as f:
                f.write(name + "\n")
    return path
