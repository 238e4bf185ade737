"""Tables for the article: CSV for machines, Markdown for reading, LaTeX (booktabs) for the journal.

Writers are deterministic: fixed line endings, no index, no timestamps.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

FORMATS = ("csv", "md", "tex")


def to_markdown(df: pd.DataFrame) -> str:
    return df.to_markdown(index=False) + "\n"


def to_latex(df: pd.DataFrame, caption: str | None = None, label: str | None = None) -> str:
    """A booktabs table; text is escaped so that '&', '%' and '_' in data cannot break the document."""
    return df.to_latex(index=False, escape=True, caption=caption, label=label,
                       column_format="l" * df.shape[1], na_rep="")


def write_table(df: pd.DataFrame, out_dir: Path | str, stem: str, caption: str | None = None,
                formats=FORMATS) -> list[Path]:
    """Write ``stem``.csv/.md/.tex under ``out_dir``; returns the paths written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        path = out_dir / f"{stem}.{fmt}"
        if fmt == "csv":
            text = df.to_csv(index=False, lineterminator="\n")
        elif fmt == "md":
            text = to_markdown(df)
        elif fmt == "tex":
            text = to_latex(df, caption=caption, label=f"tab:{stem}")
        else:
            raise ValueError(f"unknown table format {fmt!r}")
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written
