"""The screening workspace in JupyterLab: one record at a time, the most likely relevant first.

A thin widget (anywidget) over ``session.Session``: it shows the record (title, abstract, authors, year,
journal, with the review's search terms marked) beside the review's criteria, and sends the reviewer's
key or click back to the session, which writes the decision before the next record is shown.  Keys:
``i`` include, ``1``-``9`` exclude with that reason, ``e`` exclude with the reason last used, ``m`` maybe,
``u`` undo.  The widget's element carries ``data-lm-suppress-shortcuts`` so that JupyterLab's own
notebook shortcuts (``m`` makes a Markdown cell) do not fire while screening.  ``Conflicts`` shows where
two reviewers disagreed, with their agreement, and records the resolution.
"""

from __future__ import annotations

import pathlib

import anywidget
import traitlets

from ..errors import InputError
from . import stopping
from .session import Session

ASSETS = pathlib.Path(__file__).parent / "workspace_assets"


def _terms(session: Session) -> list[str]:
    """The review's search terms (``search_strategy.csv`` keywords), to mark in titles and abstracts."""
    s = session.inp.search_strategy
    return sorted({v.strip() for v in s.loc[s["facet"] == "keyword", "value"] if len(v.strip()) > 2}, key=len,
                  reverse=True)


class Workspace(anywidget.AnyWidget):
    """Screen ``stage`` (default: the first with records waiting) as ``reviewer`` ('' screens alone)."""

    _esm = ASSETS / "workspace.js"
    _css = ASSETS / "workspace.css"
    record = traitlets.Dict(allow_none=True).tag(sync=True)
    progress = traitlets.Dict().tag(sync=True)
    criteria = traitlets.List().tag(sync=True)
    reasons = traitlets.List().tag(sync=True)
    terms = traitlets.List().tag(sync=True)
    message = traitlets.Unicode("").tag(sync=True)
    busy = traitlets.Bool(False).tag(sync=True)

    def __init__(self, data_dir="data", stage: str | None = None, reviewer: str = "", seed: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.session = Session(data_dir, stage=stage, reviewer=reviewer, seed=seed)
        stage = self.session.stage
        crit = self.session.inp.criteria
        self.criteria = [{"id": c["criterion_id"], "name": c["criterion"], "include": c["include"],
                          "exclude": c["exclude"]} for c in crit.to_dict("records")]
        reasons = self.session.inp.exclusion_reasons
        self.reasons = [{"id": r["reason_id"], "label": r["label"]} for r in reasons.to_dict("records")
                        if stage in r["stages"].split(";") and r["reason_id"] != "not_screened"]
        self.terms = _terms(self.session)
        self.on_msg(self._on_message)
        self._show(self.session.next())

    def _show(self, record) -> None:
        self.record = record
        self.progress = _plain(self.session.progress())

    def _on_message(self, _widget, content, _buffers) -> None:
        action = content.get("action")
        self.busy = True
        try:
            if action in ("include", "exclude", "maybe"):
                self._show(self.session.decide(content["record_id"], action, content.get("reason", "")))
            elif action == "undo":
                self._show(self.session.undo())
            elif action == "stop":
                done = self.session.stop(stopping.Rule(), force=bool(content.get("force")))
                self._show(None)
                self.message = (f"Screening stopped: {done['screened']} records screened, {done['not_screened']} "
                                f"not screened ({done['evidence']}).")
                return
            self.message = ""
        except InputError as exc:
            self.message = exc.message
        finally:
            self.busy = False


class Conflicts(anywidget.AnyWidget):
    """Records two reviewers decided differently at ``stage``, their agreement, and the resolution."""

    _esm = ASSETS / "conflicts.js"
    _css = ASSETS / "workspace.css"
    rows = traitlets.List().tag(sync=True)
    agreement = traitlets.List().tag(sync=True)
    reasons = traitlets.List().tag(sync=True)
    message = traitlets.Unicode("").tag(sync=True)

    def __init__(self, data_dir="data", stage: str = "title", **kwargs):
        super().__init__(**kwargs)
        self.data_dir, self.stage = data_dir, stage
        self.on_msg(self._on_message)
        self._refresh()

    def _refresh(self) -> None:
        from ..inputs import load_inputs
        from .reviews import conflicts, reviewer_agreement

        inp = load_inputs(self.data_dir)
        reviews = inp.screening_reviews
        found = conflicts(reviews, inp.screening_log)
        found = found[(found["stage"] == self.stage) & (found["status"] == "to resolve")]
        meta = inp.records.set_index("record_id") if inp.records is not None else None
        rows = []
        for rec in found.to_dict("records"):
            said = reviews[(reviews["record_id"] == rec["record_id"]) & (reviews["stage"] == self.stage)]
            rows.append({"record_id": rec["record_id"],
                         "title": str(meta.at[rec["record_id"], "title"]) if meta is not None and rec["record_id"] in meta.index else "",
                         "decisions": [{"reviewer": r["reviewer"], "decision": r["decision"], "reason": r["reason"]}
                                       for r in said.to_dict("records")]})
        self.rows = rows
        self.agreement = _plain(reviewer_agreement(reviews).fillna("").to_dict("records"))
        self.reasons = [{"id": r["reason_id"], "label": r["label"]} for r in inp.exclusion_reasons.to_dict("records")
                        if self.stage in r["stages"].split(";")]

    def _on_message(self, _widget, content, _buffers) -> None:
        import pandas as pd

        from .decisions import screen

        try:
            table = pd.DataFrame([{"record_id": content["record_id"], "stage": self.stage,
                                   "decision": content["decision"], "reason": content.get("reason", ""), "row": None}])
            screen(pathlib.Path(self.data_dir), table, "the conflicts view")
            self.message = f"{content['record_id']}: {content['decision']} recorded in raw/screening_log.csv"
            self._refresh()
        except InputError as exc:
            self.message = exc.message


def _plain(value):
    """Values JSON can carry (numpy numbers and NaN made plain)."""
    import math

    import numpy as np

    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(float(value)) else float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value
