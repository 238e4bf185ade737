"""Tables for the article: CSV for machines, Markdown for reading, LaTeX (booktabs) for the journal.

Writers are deterministic: fixed line endings, no index, no timestamps.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from .. import draft, language


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
    """A cell that stays one cell and plain text: '|' escaped, line breaks as <br>, HTML shown as text, and
    brackets escaped so that no '[text](javascript:...)' in the data becomes a live link."""
    text = text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
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


WIDE = 80  # characters: a table whose widest row is longer wraps its long text columns to the page
LINE = 90  # characters in \\linewidth at the body size, roughly


def _column_format(df: pd.DataFrame) -> str:
    """'l' per column; when the table is wider than a page, columns longer than 15 characters become
    paragraph columns sharing what the others leave of \\linewidth (about ``LINE`` characters)."""
    width = {c: max([len(str(c))] + [len(str(v)) for v in df[c]]) for c in df.columns}
    if sum(width.values()) <= WIDE:
        return "l" * df.shape[1]
    long = [c for c in df.columns if width[c] > 15]
    share = max(0.3, 0.95 - sum(width[c] + 2 for c in df.columns if c not in long) / LINE)
    total = sum(width[c] for c in long)
    return "".join(f"p{{{share * width[c] / total:.2f}\\linewidth}}" if c in long else "l" for c in df.columns)


def _number(value, lang: str | None) -> str:
    """A number as a reader expects it: shortest form, in the language's digits and decimal sign."""
    text = format(value, ".15g") if isinstance(value, float) else str(value)
    if lang:
        text = language.digits(text.replace(".", language.labels(lang)["meta.decimal"]), lang)
    return text


_LATIN = re.compile(r"(?<![\\A-Za-z0-9])[A-Za-z0-9](?:[A-Za-z0-9 .,/()+=:\-]|\\[_&%#$])*[A-Za-z0-9)]|(?<![\\A-Za-z0-9])[A-Za-z](?![A-Za-z0-9])")


def _for_reading(df: pd.DataFrame, lang: str | None) -> pd.DataFrame:
    """Numbers as text for Markdown and LaTeX: 0.5, not 0.500000 (and ۰٫۵ in Persian)."""
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_numeric_dtype(out[col]) and not pd.api.types.is_bool_dtype(out[col]):
            out[col] = ["" if pd.isna(v) else _number(v, lang) for v in out[col]]
    return out


def to_latex(df: pd.DataFrame, caption: str | None = None, label: str | None = None, rtl: bool = False) -> str:
    """A booktabs table; text is escaped so that '&', '%' and '_' in data cannot break the document.

    ``rtl``: for XePersian, where a tabular runs right to left; runs of Latin text inside a cell are
    set left to right with ``\\lr{}`` (a formula, an acronym), so their brackets and order hold.
    """
    text = df.to_latex(index=False, escape=True, caption=caption, label=label,
                       column_format=_column_format(df), na_rep="")
    if not rtl:
        return text
    head, sep, rest = text.partition("\\toprule\n")
    body, sep2, tail = rest.partition("\\bottomrule")

    def lr(m):
        run, after = m.group(0), ""
        while run.endswith(")") and run.count(")") > run.count("("):  # a bracket that closes Persian text
            run, after = run[:-1], ")" + after
        if not re.search(r"[A-Za-z]", run):
            return run + after
        return (f"\\lr{{\\mbox{{{run}}}}}" if len(run) <= 20 else f"\\lr{{{run}}}") + after  # short: unbroken

    cells = [" & ".join(_LATIN.sub(lr, cell) for cell in line.split(" & ")) for line in body.split("\n")]
    caption_line = re.sub(r"(\\caption\{)(.*)(\})", lambda m: m.group(1) + _LATIN.sub(lr, m.group(2)) + m.group(3),
                          head)
    return caption_line + sep + "\n".join(cells) + sep2 + tail


_DIGIT_RUN = re.compile(r"(?<![A-Za-z0-9])[0-9]+(?![A-Za-z0-9])")  # a number, not part of K01 or N1


def _own_digits(df: pd.DataFrame, lang: str | None) -> pd.DataFrame:
    """Numbers inside text cells (years, periods) in the language's own digits; text like K01 or N1 kept."""
    if not lang or lang == language.BASE:
        return df
    return _text_cells(df, lambda v: _DIGIT_RUN.sub(lambda m: language.digits(m.group(0), lang), v))


def write_table(df: pd.DataFrame, out_dir: Path | str, stem: str, caption: str | None = None,
                formats=FORMATS, lang: str | None = None) -> list[Path]:
    """Write ``stem``.csv/.md/.tex under ``out_dir``; returns the paths written.

    The CSV keeps numbers as numbers; Markdown and LaTeX write them for reading (in ``lang``'s digits
    when given, numbers inside text too, and LaTeX for XePersian when ``lang`` runs right to left;
    right-to-left Markdown is wrapped in ``<div dir="rtl">``).  A draft's Markdown and LaTeX say so
    above the table (``pipeline.draft``); its CSV stays plain data.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    df = _own_digits(df, lang)
    rtl = bool(lang) and language.is_rtl(lang)
    said = draft.said(lang or language.BASE)
    written = []
    for fmt in formats:
        path = out_dir / f"{stem}.{fmt}"
        if fmt == "csv":
            text = neutralize_formulas(df).to_csv(index=False, lineterminator="\n")
        elif fmt == "md":
            text = to_markdown(_for_reading(df, lang))
            if rtl:
                text = f'<div dir="rtl">\n\n{text}\n</div>\n'
            if said:
                text = f"**{escape_markdown(said)}**\n\n{text}"
        elif fmt == "tex":
            shown = f"{said}. {caption}" if said and caption else said or caption
            text = to_latex(_for_reading(df, lang), caption=shown, label=f"tab:{stem}", rtl=rtl)
        else:
            raise ValueError(f"unknown table format {fmt!r}")
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written
