"""Writing into data/: only through these helpers, all or nothing, after the result has been validated.

A failed import must leave data/ exactly as it was, and a crash in the middle of one must
not leave ``records.csv`` new beside an old ``screening_log.csv``.  So every changed file is
first written beside its target, the data folder is re-validated as it would be, and a
journal naming every (temporary, target) pair is written atomically before the first rename.
The renames follow; the journal goes last.  If the process dies in between, the next command
that touches the folder finishes the renames from the journal (``recover``), so the folder
only ever moves from one whole state to the next.  A lock on the folder keeps two imports apart.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import stat
import sys
import tempfile
from pathlib import Path

from typing import TYPE_CHECKING, Callable

from .errors import InputError

if TYPE_CHECKING:  # pandas is imported where a frame is made, so that `run` with nothing to do stays quick
    import pandas as pd

JOURNAL = ".pending-write.json"


def write_csv_atomic(df: pd.DataFrame, path: Path) -> None:
    """Write ``df`` as CSV to ``path`` through a temporary file beside it and one rename."""
    path = Path(path)
    tmp = _write_temp(df, path)
    os.replace(tmp, path)


def write_table_atomic(df: pd.DataFrame, path: Path) -> Path:
    """``df`` as XLSX (by the suffix) or CSV at ``path``, through a temporary file beside it and one rename."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        write_csv_atomic(df, path)
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp.xlsx", dir=path.parent)
    os.close(fd)
    try:
        df.to_excel(tmp, index=False, engine="openpyxl")
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path


def _write_temp(df: pd.DataFrame, path: Path) -> Path:
    """The frame as CSV beside ``path``, with the mode ``path`` has (or the umask's default)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            df.to_csv(f, index=False, lineterminator="\n")
        if path.exists():
            mode = stat.S_IMODE(path.stat().st_mode)
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


TARGET = re.compile(r"(raw|coded)/[A-Za-z0-9_-]+\.csv")  # the files a command writes


def _journal_pairs(data_dir: Path, journal: Path) -> list[tuple[Path, Path]]:
    """The journal's (temporary, target) pairs, each confined to the data folder: a journal travels with a
    folder (a clone, a colleague's copy, an unzipped supplement) and must never move or overwrite a file
    elsewhere.  Each target is a data file of ours; each temporary file sits beside it, named as
    ``_write_temp`` names them, and is a regular file."""
    try:
        pairs = json.loads(journal.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []  # written atomically, so a broken one was never committed: nothing to finish
    root = data_dir.resolve()

    def refuse(entry):
        raise InputError(journal, f"a journal of an interrupted write naming data files of this folder only; "
                         f"{entry!r} is not one (remove {JOURNAL} if no command of yours was interrupted here)")

    if not isinstance(pairs, list):
        refuse(pairs)
    out = []
    for entry in pairs:
        if not (isinstance(entry, list) and len(entry) == 2 and all(isinstance(x, str) for x in entry)):
            refuse(entry)
        tmp, target = entry
        if not TARGET.fullmatch(target) or not re.fullmatch(
                re.escape(target.rpartition("/")[0] + "/." + target.rpartition("/")[2]) + r"\.[A-Za-z0-9_]+\.tmp", tmp):
            refuse(entry)
        tmp_path, target_path = root / tmp, root / target
        if (not tmp_path.resolve().is_relative_to(root) or not target_path.resolve().is_relative_to(root)
                or tmp_path.is_symlink() or target_path.is_symlink()):
            refuse(entry)
        out.append((tmp_path, target_path))
    return out


def recover(data_dir: Path) -> bool:
    """Finish a write that a crash interrupted (see the module's docstring); True if there was one.  Only
    under the folder's lock (``locked`` calls it): a second command must not rename beside it."""
    journal = Path(data_dir) / JOURNAL
    if not journal.exists():
        return False
    for tmp_path, target_path in _journal_pairs(Path(data_dir), journal):
        if tmp_path.is_file():
            os.replace(tmp_path, target_path)
    journal.unlink()
    return True


@contextlib.contextmanager
def locked(data_dir: Path, shared: bool = False, say=None):
    """A lock on the data folder: exclusive for an import, shared for a run that only reads it.

    Either way an import that a crash interrupted is completed first (under the exclusive lock),
    so a run never reads half of one.  A command that has to wait says so once, then waits.
    """
    import fcntl

    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise InputError(data_dir, "a data folder (it does not exist)")
    fd = os.open(data_dir, os.O_RDONLY)  # the folder itself is locked: no lock file among the data
    try:
        wait(fd, fcntl.LOCK_EX, f"{data_dir}: another command is changing or reading these data; waiting",
             say or (lambda m: print(m, file=sys.stderr)))
        recover(data_dir)
        if shared:
            fcntl.flock(fd, fcntl.LOCK_SH)  # imports now wait; other runs may read alongside
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def wait(fd: int, mode: int, message: str, say) -> None:
    """flock, saying ``message`` first when someone else holds the lock."""
    import fcntl

    try:
        fcntl.flock(fd, mode | fcntl.LOCK_NB)
    except BlockingIOError:
        say(message)
        fcntl.flock(fd, mode)


def logged_name(path: Path, data_dir: Path) -> str:
    """How an import log names the file a researcher gave: its path relative to the review when it lies
    inside it, else its file name and the start of its SHA-256.  The logs are published with the
    supplement, and no folder of the researcher's machine (Downloads, a home folder) is."""
    import hashlib

    path, review = Path(path).resolve(), Path(data_dir).resolve().parent
    if path.is_relative_to(review):
        return path.relative_to(review).as_posix()
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return f"{path.name} (sha256 {digest.hexdigest()[:12]})"


def append_log(old: pd.DataFrame | None, rows: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """An import log with this import's rows added under the next import number."""
    import pandas as pd

    old = old if old is not None else pd.DataFrame(columns=columns)
    number = int(pd.to_numeric(old["import"]).max()) + 1 if len(old) else 1
    return pd.concat([old, rows.assign(**{"import": str(number)})[columns]], ignore_index=True).astype(str)


def replace_files(data_dir: Path, changes: dict[str, pd.DataFrame], check: Callable[[Path], object] | None) -> None:
    """Check ``data_dir`` with ``changes`` applied (in a scratch copy; ``check`` is ``inputs.load_inputs``,
    passed in because the data model sits above this module), then write them all or none.  ``check``
    None: the caller has checked the changes itself (the screening workspace, one record at a time)."""
    data_dir = Path(data_dir).resolve()  # temp files come back absolute and without '..': compare like with like
    if check is not None:
        _check_copy(data_dir, changes, check)
    _swap(data_dir, changes)


def _check_copy(data_dir: Path, changes: dict[str, pd.DataFrame], check: Callable[[Path], object]) -> None:
    """``check`` on a scratch copy of the folder with the changes written into it."""
    with tempfile.TemporaryDirectory(prefix="qes-check-") as scratch:
        trial = Path(scratch) / "data"
        shutil.copytree(data_dir, trial, ignore=shutil.ignore_patterns(JOURNAL, ".*.tmp"))
        for rel, df in changes.items():
            write_csv_atomic(df, trial / rel)
        try:
            check(trial)
        except InputError as exc:  # name the user's folder, never the scratch copy
            file = exc.file.replace(str(trial), str(data_dir)) if exc.file else None
            raise InputError(file, exc.expected, row=exc.row, column=exc.column, value=exc.value) from None


def _swap(data_dir: Path, changes: dict[str, pd.DataFrame]) -> None:
    """Every changed file written beside its target, named in the journal, then renamed into place."""
    temps = []
    try:
        for rel, df in changes.items():
            temps.append((str(_write_temp(df, data_dir / rel).relative_to(data_dir)), rel))
        journal_tmp = data_dir / (JOURNAL + ".tmp")
        journal_tmp.write_text(json.dumps(temps), encoding="utf-8")
        os.replace(journal_tmp, data_dir / JOURNAL)
    except BaseException:
        for tmp, _ in temps:
            (data_dir / tmp).unlink(missing_ok=True)
        raise
    recover(data_dir)
