"""Tables for the article: CSV for machines, Markdown for reading, LaTeX (booktabs) for the journal.

Writers are deterministic: fixed line endings, no index, no timestamps.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

FORMATS = ("csv", "md", "tex")


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP: what makes a spreadsheet read a cell as a formula


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _text_cells(df: pd.DataFrame, fix) -> pd.DataFrame:
    """``fix`` applied to every text cell (numbers, as numbers or as numeric text, stay as they are)."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = [fix(v) if isinstance(v, str) and not _is_number(v) else v for v in out[col]]
    return out


def neutralize_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula get a leading apostrophe (OWASP's advice for
    CSV injection); numbers, such as -0.5, are left alone."""
    return _text_cells(df, lambda v: "'" + v if v.startswith(FORMULA_START) else v)


def escape_markdown(text: str) -> str:
    """A cell that stays one cell: '|' escaped, line breaks as <br>, HTML shown as text."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")
    return text.replace("\r\n", "<br>").replace("\n", "<br>").replace("\r", "<br>")


PAD_LIMIT = 500  # a longer cell is written unpadded: padding every row to it would take rows × its size


def to_markdown(df: pd.DataFrame) -> str:
    """A pipe table; columns aligned (tabulate) unless a cell is very long, then unpadded in linear memory."""
    cells = _text_cells(df, escape_markdown)
    longest = max((len(str(v)) for col in cells.columns for v in cells[col]), default=0)
    if longest <= PAD_LIMIT:
        return cells.to_markdown(index=False) + "\n"
    lines = ["| " + " | ".join(escape_markdown(str(c)) for c in cells.columns) + " |",
             "|" + "|".join(":---" for _ in cells.columns) + "|"]
    lines += ["| " + " | ".join("" if pd.isna(v) else str(v) for v in row) + " |"
              for row in cells.itertuples(index=False)]
    return "\n".join(lines) + "\n"


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
            text = neutralize_formulas(df).to_csv(index=False, lineterminator="\n")
        elif fmt == "md":
            text = to_markdown(df)
        elif fmt == "tex":
            text = to_latex(df, caption=caption, label=f"tab:{stem}")
        else:
            raise ValueError(f"unknown table format {fmt!r}")
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written
