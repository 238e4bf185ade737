"""The article's figures and tables in another language, right to left where the language is.

Fixed texts (box titles, PRISMA 2020 box texts, stage and role names, column headers, captions)
come from one translation file per language, ``pipeline/translations/<code>.yml``; adding a
language is adding a file.  English is a file too, and the one every other is checked against: a
key a translation lacks falls back to English and is listed by :func:`missing_labels`.

Data values (category, subcategory and code names, related concepts, criteria) come from a
companion column ``<column>_<code>`` beside the column in the data, e.g. ``name_fa`` in
``coded/codebook.csv``; an empty or absent cell falls back to the English value.  Codebook names
without one are listed by :func:`missing_names` (``pipeline status`` prints them).

Right-to-left text in figures needs no work here: matplotlib 3.11 lays text out with libraqm
(HarfBuzz for shaping, so letters join and lam-alef ligates; SheenBidi for the Unicode
bidirectional algorithm, so Latin words and numbers inside Persian keep their own direction).
The figures only mirror their layout and use a font that covers the script, shipped in
``pipeline/fonts`` (Vazirmatn, SIL Open Font Licence) so that output never depends on what is
installed.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from . import resources

if TYPE_CHECKING:  # only frames handed in are used: `run` checks `languages` without loading pandas
    import pandas as pd

HERE = Path(__file__).resolve().parent
TRANSLATIONS = HERE / "translations"
FONTS = HERE / "fonts"
BASE = "en"


def available() -> list[str]:
    """Languages with a translation file, English first."""
    found = sorted(p.stem for p in TRANSLATIONS.glob("*.yml"))
    return [BASE] + [c for c in found if c != BASE]


def _flat(doc: dict, prefix: str = "") -> dict[str, str]:
    out = {}
    for k, v in doc.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out |= _flat(v, key + ".")
        else:
            out[key] = v
    return out


@functools.cache
def _file(lang: str) -> dict:
    path = TRANSLATIONS / f"{lang}.yml"
    if not path.is_file():
        from .errors import InputError

        raise InputError(None, f"a language with a translation file in pipeline/translations "
                         f"({', '.join(available())}); not {lang!r}")
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def labels(lang: str) -> dict[str, str]:
    """Every fixed text of ``lang`` by dotted key, English where the file has none (the files noted as
    used: an edit of a translation re-runs the notebooks that use it)."""
    texts = _labels(lang)
    resources.use(TRANSLATIONS / f"{BASE}.yml")
    resources.use(TRANSLATIONS / f"{lang}.yml")
    return texts


@functools.cache
def _labels(lang: str) -> dict[str, str]:
    return _flat(_file(BASE)) | {k: v for k, v in _flat(_file(lang)).items() if v not in (None, "")}


def section(prefix: str, lang: str = BASE) -> dict[str, str]:
    """The texts under ``prefix`` (e.g. ``roles``) by their last key."""
    return {k[len(prefix) + 1:]: v for k, v in labels(lang).items() if k.startswith(prefix + ".")}


def missing_labels(lang: str) -> list[str]:
    """Keys of the English file that ``lang``'s file does not translate."""
    own = {k for k, v in _flat(_file(lang)).items() if v is not None}
    return sorted(set(_flat(_file(BASE))) - own)


def is_rtl(lang: str) -> bool:
    """Whether ``lang`` is written right to left (its ``meta.direction``)."""
    return labels(lang)["meta.direction"] == "rtl"


def digits(text: str, lang: str) -> str:
    """ASCII digits written in the language's own (``meta.digits``: ۰۱۲۳۴۵۶۷۸۹ for Persian)."""
    own = labels(lang)["meta.digits"]
    return text if own == "0123456789" else text.translate(str.maketrans("0123456789", own))


def tr(key: str, lang: str = BASE, **values) -> str:
    """The text of ``key`` in ``lang`` with ``values`` filled in, digits in the language's own."""
    text = str(labels(lang)[key])
    if values:
        text = text.format(**values)
    return digits(text, lang)


def localized(df: pd.DataFrame, columns, lang: str) -> pd.DataFrame:
    """``df`` with each of ``columns`` replaced by its ``<column>_<lang>`` companion where that is filled."""
    out = df.copy()
    if lang == BASE:
        return out
    for col in columns:
        own = f"{col}_{lang}"
        if own in out.columns:
            filled = out[own].fillna("").astype(str).str.strip() != ""
            out.loc[filled, col] = out.loc[filled, own]
    return out


def missing_names(codebook: pd.DataFrame, lang: str) -> list[str]:
    """Codebook nodes without a name in ``lang`` (they are shown in English)."""
    own = f"name_{lang}"
    if lang == BASE:
        return []
    if own not in codebook.columns:
        return codebook["node_id"].tolist()
    return codebook.loc[codebook[own].fillna("").str.strip() == "", "node_id"].tolist()


def font_files(lang: str) -> list[Path]:
    """The shipped font files for ``lang`` (``meta.font_files``), so output never depends on what is installed."""
    names = labels(lang).get("meta.font_files") or ""
    return [resources.use(FONTS / n) for n in names.split()]


def columns(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Column headers in ``lang`` (``columns.<English header>``), English where there is none."""
    table = labels(lang)
    return df.rename(columns={c: table.get(f"columns.{c}", c) for c in df.columns})


def caption(stem: str, lang: str) -> str:
    """The caption of figure or table ``stem`` in ``lang``."""
    return tr(f"captions.{stem}", lang)
