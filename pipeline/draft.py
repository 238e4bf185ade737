"""A review still in progress publishes nothing that could pass for finished: its figures and tables
carry a visible DRAFT mark saying what is still open.

``reasons`` is set by each notebook's ``setup`` from the data (``run.status.unfinished``: records
awaiting a decision, included studies not coded, no author or licence for the citation) and read by
the writers of figures and tables (``publish.figures``, ``publish.tables``), which sit above this
module; every notebook sets it afresh, so one notebook's state never carries into the next.
"""

from __future__ import annotations

from . import language

# (translation key under ``draft.``, values), e.g. ("pending", {"n": 20}); empty: not a draft
REASONS: list[tuple[str, dict]] = []


def set_reasons(reasons: list[tuple[str, dict]]) -> None:
    """What is still open in the review whose outputs are being written (empty: nothing)."""
    REASONS[:] = list(reasons)


def mark(lang: str = language.BASE) -> str:
    """The word stamped across a draft figure (DRAFT, پیش‌نویس)."""
    return language.tr("draft.mark", lang)


def said(lang: str = language.BASE) -> str:
    """One line: DRAFT and what is still open, in ``lang``; '' when the review is not a draft."""
    if not REASONS:
        return ""
    return language.tr("draft.line", lang, reasons=language.tr("meta.list_separator", lang).join(
        language.tr(f"draft.{key}", lang, **values) for key, values in REASONS))
