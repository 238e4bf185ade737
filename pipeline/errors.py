"""The one error type for bad input: the command line turns it into a message and exit 2."""

from __future__ import annotations


class InputError(Exception):
    """Bad input, located as precisely as the data allows.

    ``row`` is the 1-based line number in the file as a spreadsheet shows it
    (the header is line 1), so a researcher can jump straight to it.
    """

    def __init__(self, file, expected: str, row: int | None = None, column: str | None = None,
                 value=None):
        self.file = str(file) if file is not None else None
        self.row = row
        self.column = column
        self.value = value
        self.expected = expected
        super().__init__(self.message)

    @property
    def message(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column '{self.column}'")
        head = ", ".join(where)
        got = "" if self.value is None else f" (found {self.value!r})"
        return f"{head}: {self.expected}{got}" if head else f"{self.expected}{got}"


def require_file(path, what: str = "a file") -> None:
    """Refuse a path that is not a regular file, saying what it is instead."""
    from pathlib import Path

    path = Path(path)
    if path.is_file():
        return
    if not path.exists():
        raise InputError(path, f"{what} (file not found)")
    kind = "a folder" if path.is_dir() else "a device, pipe or socket"
    raise InputError(path, f"{what} (this is {kind})")
