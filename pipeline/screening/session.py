"""A screening session: one reviewer at one stage, the most likely relevant record first, every decision
written at once.

The workspace in JupyterLab (``workspace``) and ``screen --stop`` are thin layers over this.  A session
reads the review once; each decision is then applied to the log in memory with the log's own rules
(``decisions.apply``, for the one record it touches), and written together with the order it was shown
in (``raw/screening_order.csv``) under the data folder's lock, through its journal, so that a crash or
a closed tab loses nothing and ``run``, ``status`` and ``validate`` see it.  When another command
changed the data folder meanwhile, the session reads it again first.

With a reviewer name the screening is blind and dual: decisions go to ``raw/screening_reviews.csv``,
the model learns from this reviewer's decisions only, and a record reaches the log when the reviewers
agree, or when a conflict is resolved (``resolve``).  Without one, decisions go to the log directly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import datafiles
from ..errors import InputError
from ..inputs import Inputs, load_inputs
from . import priority, stopping
from .decisions import ORDER_COLUMNS, apply, sync_studies
from .reviews import agreed, merge_reviews
from .log import NOT_SCREENED as STOPPED, NOT_SCREENED_LABEL as STOPPED_LABEL, pending, reached, stages_used

STOP_COLUMNS = ["round", "stage", "rule", "evidence", "screened", "relevant_found", "not_screened", "model",
                "reviewer"]
WATCHED = ("raw/screening_log.csv", "raw/studies.csv", "raw/screening_reviews.csv", "raw/screening_order.csv",
           "raw/exclusion_reasons.csv", "raw/records.csv", "raw/screening_stop.csv")


def model_name() -> str:
    """The model as recorded with each decision: what it is and the library version that ran it."""
    import sklearn

    return f"tfidf-linear-svm (ASReview ELAS u4 settings), scikit-learn {sklearn.__version__}"


@dataclass
class Session:
    """Screening of ``stage`` by ``reviewer`` ('' for a single reviewer writing straight to the log)."""

    data_dir: Path
    stage: str | None = None
    reviewer: str = ""
    seed: int = 0
    inp: Inputs = field(init=False, repr=False)
    _stamp: dict = field(init=False, repr=False, default_factory=dict)
    _history: list = field(init=False, repr=False, default_factory=list)

    def __post_init__(self):
        self.data_dir = Path(self.data_dir)
        self.reviewer = (self.reviewer or "").strip()
        self._load()

    # --- reading -------------------------------------------------------------------------------------

    def _load(self) -> None:
        """Read and check the review; the texts, the model's features and the records of this stage."""
        self.inp = load_inputs(self.data_dir)
        self._stamp = self._fingerprint()
        log = self.inp.screening_log
        used = stages_used(log)
        if self.stage is None:
            waiting = pending(log, used)
            self.stage = waiting["stage"].iloc[0] if len(waiting) else used[0]
        if self.stage not in used:
            raise InputError(self.data_dir / "raw" / "screening_log.csv", f"a stage this review uses "
                             f"({', '.join(used)})", value=self.stage)
        recs = self.inp.records
        meta = (recs.set_index("record_id") if recs is not None else pd.DataFrame()).reindex(log["record_id"])
        self.ids = log["record_id"].tolist()
        self.index = {r: i for i, r in enumerate(self.ids)}
        self.meta = meta.fillna("").reset_index()
        criteria = self.inp.criteria["include"].tolist() if "include" in self.inp.criteria else []
        self.x, crit = priority.features(priority.record_texts(self.meta), [" ".join(criteria)] if criteria else [])
        self.ranker = priority.Ranker(self.x, seed=self.seed, criteria=crit if criteria else None)
        self._scores = None

    def _fingerprint(self) -> dict:
        out = {}
        for rel in WATCHED:
            try:
                st = os.stat(self.data_dir / rel)
                out[rel] = (st.st_mtime_ns, st.st_size)
            except FileNotFoundError:
                out[rel] = None
        return out

    def _fresh(self) -> None:
        """Read the review again when another command changed it since (checked under the lock)."""
        if self._fingerprint() != self._stamp:
            self._load()

    def _reviews(self) -> pd.DataFrame:
        r = self.inp.screening_reviews
        return r if r is not None else pd.DataFrame(columns=["record_id", "stage", "reviewer", "decision", "reason"])

    def _order(self) -> pd.DataFrame:
        o = self.inp.screening_order
        return o if o is not None else pd.DataFrame(columns=ORDER_COLUMNS)

    # --- what to show --------------------------------------------------------------------------------

    def labelled(self) -> tuple[np.ndarray, np.ndarray]:
        """Records with a decision at this stage (indices) and their labels, as the model may see them:
        the log's decisions; in dual screening, this reviewer's own decisions instead."""
        log = self.inp.screening_log
        if self.reviewer:
            mine = self._reviews()
            mine = mine[(mine["reviewer"] == self.reviewer) & (mine["stage"] == self.stage)
                        & mine["decision"].isin(["include", "exclude"])]
            idx = [self.index[r] for r in mine["record_id"] if r in self.index]
            return np.array(idx, dtype=np.int64), (mine["decision"] == "include").to_numpy(dtype=np.int64)
        decided = log[self.stage].isin(["include", "exclude"]) & ~(log["reason"] == STOPPED)
        return np.flatnonzero(decided.to_numpy()), (log.loc[decided, self.stage] == "include").to_numpy(dtype=np.int64)

    def pool(self) -> np.ndarray:
        """Records waiting at this stage for this reviewer (indices), ``maybe`` ones last."""
        log = self.inp.screening_log
        if self.reviewer:
            done = self._reviews()
            done = set(done.loc[(done["reviewer"] == self.reviewer) & (done["stage"] == self.stage)
                                & done["decision"].isin(["include", "exclude"]), "record_id"])
            waiting = reached(log, self.stage) & log[self.stage].isin(["", "pending"]) & ~log["record_id"].isin(done)
        else:
            waiting = reached(log, self.stage) & log[self.stage].isin(["", "pending"])
        return np.flatnonzero(waiting.to_numpy())

    def _maybe(self) -> set:
        o = self._order()
        o = o[(o["stage"] == self.stage) & (o["reviewer"] == self.reviewer)]
        last = o.drop_duplicates("record_id", keep="last")
        return set(last.loc[last["decision"] == "maybe", "record_id"])

    def queue(self) -> list[str]:
        """Record ids in the order they will be shown: the model's, with records marked maybe at the end."""
        idx, labels = self.labelled()
        self._scores = self.ranker.scores(idx, labels)
        order = [self.ids[i] for i in self.ranker.order(self._scores, self.pool())]
        maybe = self._maybe()
        return [r for r in order if r not in maybe] + [r for r in order if r in maybe]

    def next(self) -> dict | None:
        """The record to screen now, with what the reviewer needs to decide it; None when none is left."""
        q = self.queue()
        if not q:
            return None
        return self.record(q[0])

    def record(self, record_id: str) -> dict:
        """Title, abstract, authors, year, journal and the model's score of one record."""
        i = self.index[record_id]
        m = self.meta.iloc[i]
        get = lambda c: str(m[c]) if c in m.index else ""  # noqa: E731
        return {"record_id": record_id, "title": get("title"), "abstract": get("abstract"), "authors": get("authors"),
                "year": get("year"), "journal": get("journal"), "doi": get("doi"), "source": get("source"),
                "keywords": get("keywords"),
                "score": None if self._scores is None else round(float(self._scores[i]), 4),
                "maybe": record_id in self._maybe()}

    def progress(self) -> dict:
        """Screened, included and waiting at this stage, and at most how many relevant records are still
        unseen (95% confidence, from the stopping rule's test), once there is a relevant one to go by."""
        idx, labels = self.labelled()
        sequence = self.sequence()
        total = len(sequence) + len(self.pool())
        return {"stage": self.stage, "reviewer": self.reviewer, "screened": len(idx), "included": int(labels.sum()),
                "waiting": len(self.pool()), "unseen_relevant_at_most": unseen_bound(sequence, total),
                "stop": stopping.estimate(stopping.Rule(), sequence, total) if total else {"stop": False}}

    def _unordered_note(self, sequence: np.ndarray) -> str:
        """Why the rule counts fewer decisions than the log holds, when it does."""
        missing = len(self.labelled()[0]) - len(sequence)
        return (f" ({missing} decision(s) at '{self.stage}' came from the command line or a spreadsheet without the "
                f"sheet's rank column: they have no screening order, and the rule counts only decisions in the order "
                f"the model showed them, in the workspace or in a sheet of export-screening)") if missing > 0 else ""

    def sequence(self) -> np.ndarray:
        """This stage's labels in the order they were decided (the order file), for the stopping rule."""
        o = self._order()
        o = o[(o["stage"] == self.stage) & (o["reviewer"] == self.reviewer)]
        last = {}
        for rec in o.to_dict("records"):
            if rec["decision"] in ("include", "exclude"):
                last[rec["record_id"]] = 1 if rec["decision"] == "include" else 0
            elif rec["decision"] == "undo":
                last.pop(rec["record_id"], None)
        return np.array(list(last.values()), dtype=np.int64)

    # --- deciding ------------------------------------------------------------------------------------

    def decide(self, record_id: str, decision: str, reason: str = "") -> dict | None:
        """Record one decision (include, exclude with a reason, maybe) at once; the next record to show."""
        if decision not in ("include", "exclude", "maybe"):
            raise InputError(None, "a decision: include, exclude or maybe", value=decision)
        with datafiles.locked(self.data_dir):
            self._fresh()
            if record_id not in self.index:
                raise InputError(self.data_dir / "raw" / "screening_log.csv", "a record of the screening log",
                                 value=record_id)
            changes = self._decision_changes(record_id, decision, reason)
            self._write(changes)
        self._history.append((record_id, decision))
        return self.next()

    def undo(self) -> dict | None:
        """Take back this session's last decision; that record is shown again."""
        if not self._history:
            raise InputError(None, "a decision of this session to undo (none yet)")
        record_id, decision = self._history[-1]
        with datafiles.locked(self.data_dir):
            self._fresh()
            changes = self._decision_changes(record_id, "undo", "")
            self._write(changes)
        self._history.pop()
        return self.record(record_id)

    def _decision_changes(self, record_id: str, decision: str, reason: str) -> dict[str, pd.DataFrame]:
        log, i = self.inp.screening_log, self.index[record_id]
        changes: dict[str, pd.DataFrame] = {}
        if decision in ("include", "exclude") and not self.reviewer:
            table = pd.DataFrame([{"record_id": record_id, "stage": self.stage, "decision": decision,
                                   "reason": reason if decision == "exclude" else "", "row": None}])
            new_log = apply(log, table, self.inp.exclusion_reasons, "the screening workspace", rows=[i])
            changes |= self._log_changes(new_log)
        elif decision == "undo" and not self.reviewer:
            later = stages_used(log)[stages_used(log).index(self.stage) + 1:]
            if any(log.at[log.index[i], s] not in ("", "pending") for s in later):
                raise InputError(None, f"a decision to undo that no later stage builds on: record {record_id} "
                                 f"already has a decision after '{self.stage}'")
            new_log = log.copy()
            new_log.loc[new_log.index[i], [self.stage, "reason"]] = ["", ""]
            changes |= self._log_changes(new_log)
        elif self.reviewer and decision != "maybe":
            changes |= self._review_changes(record_id, decision, reason)
        order = self._order()
        position = int((order["stage"] == self.stage).sum()) + 1
        idx, _ = self.labelled()
        score = "" if self._scores is None else f"{float(self._scores[i]):.4f}"
        row = {"stage": self.stage, "position": str(position), "record_id": record_id, "reviewer": self.reviewer,
               "decision": decision, "reason": reason if decision == "exclude" else "", "score": score,
               "trained_on": str(len(idx)), "model": model_name(), "seed": str(self.seed)}
        changes["raw/screening_order.csv"] = pd.concat([order.astype(str), pd.DataFrame([row])],
                                                       ignore_index=True)[ORDER_COLUMNS]
        return changes

    def _log_changes(self, new_log: pd.DataFrame) -> dict[str, pd.DataFrame]:
        inp = self.inp
        studies, _, _ = sync_studies(new_log, inp.studies, inp.records, inp.segments, inp.recoding,
                                     "the screening workspace")
        out = {"raw/screening_log.csv": new_log.astype(str)}
        if not studies.astype(str).equals(inp.studies.astype(str)):
            out["raw/studies.csv"] = studies.astype(str)
        return out

    def _review_changes(self, record_id: str, decision: str, reason: str) -> dict[str, pd.DataFrame]:
        """Dual screening: this reviewer's decision (or its removal); the log follows when the reviewers agree."""
        if decision == "exclude" and reason not in set(self.inp.exclusion_reasons["reason_id"]):
            raise InputError(None, "a reason from raw/exclusion_reasons.csv for an exclusion", value=reason or None)
        new = pd.DataFrame([{"record_id": record_id, "stage": self.stage, "reviewer": self.reviewer,
                             "decision": None if decision == "undo" else decision,
                             "reason": reason if decision == "exclude" else ""}])
        reviews = merge_reviews(self._reviews(), new)
        out = {"raw/screening_reviews.csv": reviews}
        log = self.inp.screening_log
        take = agreed(reviews[reviews["record_id"] == record_id], log)
        if len(take):
            out |= self._log_changes(apply(log, take, self.inp.exclusion_reasons, "the screening workspace",
                                           rows=[self.index[record_id]]))
        return out

    def _write(self, changes: dict[str, pd.DataFrame]) -> None:
        """All files at once, through the journal; the session's copy of the review follows."""
        from ..schemas import INTEGER_COLUMNS, field_name

        datafiles.replace_files(self.data_dir, {rel: df.astype(str) for rel, df in changes.items()}, check=None)
        for rel, df in changes.items():
            df = df.reset_index(drop=True).astype(str)
            for column in INTEGER_COLUMNS.get(rel, []):
                df[column] = df[column].astype(int)
            object.__setattr__(self.inp, field_name(rel), df)
        self._stamp = self._fingerprint()

    # --- stopping ------------------------------------------------------------------------------------

    def stop(self, rule: stopping.Rule | None = None, force: bool = False) -> dict:
        """End screening at this stage when ``rule`` says so (or ``force``): the records not yet screened are
        excluded as not screened by a person, and the rule and its evidence recorded in
        ``raw/screening_stop.csv`` for the PRISMA 2020 diagram and the supplement."""
        rule = rule or stopping.Rule()
        if self.stage not in ("title", "abstract"):
            raise InputError(None, f"a title or abstract stage to stop early (stopping rules are for screening; "
                             f"'{self.stage}' needs every record read)")
        if self.reviewer:
            raise InputError(None, "a single screening to stop: stop after both reviewers' conflicts are resolved, "
                             "without --reviewer")
        with datafiles.locked(self.data_dir):
            self._fresh()
            sequence = self.sequence()
            waiting = self.pool()
            total = len(sequence) + len(waiting)
            said = stopping.estimate(rule, sequence, total)
            if not said["stop"] and not force:
                raise InputError(None, f"a stopping rule that says stop: {rule.describe()} does not yet "
                                 f"({', '.join(f'{k} {v:.4g}' if isinstance(v, float) else f'{k} {v}' for k, v in said.items() if k != 'stop')}); "
                                 f"screen on, or stop anyway with --force{self._unordered_note(sequence)}")
            log = self.inp.screening_log.copy()
            reasons = self.inp.exclusion_reasons.astype(str)
            changes: dict[str, pd.DataFrame] = {}
            if STOPPED not in set(reasons["reason_id"]):
                row = {c: "" for c in reasons.columns} | {"reason_id": STOPPED, "label": STOPPED_LABEL,
                                                          "stages": self.stage, "provenance": "reported"}
                reasons = pd.concat([reasons, pd.DataFrame([row])], ignore_index=True)
            else:
                k = reasons.index[reasons["reason_id"] == STOPPED][0]
                stages = set(reasons.at[k, "stages"].split(";")) | {self.stage}
                reasons.at[k, "stages"] = ";".join(s for s in stages_used(log) if s in stages)
            changes["raw/exclusion_reasons.csv"] = reasons
            rows = log.index[waiting]
            log.loc[rows, self.stage] = "exclude"
            log.loc[rows, "reason"] = STOPPED
            changes["raw/screening_log.csv"] = log.astype(str)
            stops = self.inp.screening_stop
            stops = stops.astype(str) if stops is not None else pd.DataFrame(columns=STOP_COLUMNS)
            round_ = str(int(log["round"].max()))
            stops = stops[~((stops["round"] == round_) & (stops["stage"] == self.stage))]
            evidence = "; ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in said.items()
                                 if k != "stop") + ("; stopped by the reviewer before the rule said so" if not said["stop"] else "")
            stops = pd.concat([stops, pd.DataFrame([{
                "round": round_, "stage": self.stage, "rule": rule.describe(), "evidence": evidence,
                "screened": str(len(sequence)), "relevant_found": str(int(sequence.sum())),
                "not_screened": str(len(waiting)), "model": model_name(), "reviewer": self.reviewer}])],
                ignore_index=True)
            changes["raw/screening_stop.csv"] = stops[STOP_COLUMNS]
            datafiles.replace_files(self.data_dir, changes, check=load_inputs)
            self._load()
        return {"rule": rule.describe(), "evidence": evidence, "screened": len(sequence),
                "not_screened": len(waiting)}


def unseen_bound(sequence: np.ndarray, total: int, confidence: float = 0.95) -> int | None:
    """At most how many relevant records are still unseen, with ``confidence``: from the highest recall the
    stopping rule's test shows (recall targets 0.99 down to 0.05, as buscarpy's recall frontier scans
    them).  None before a relevant record is found."""
    r = int(np.sum(sequence))
    if r == 0 or total == 0:
        return None
    if len(sequence) >= total:
        return 0
    for target in np.arange(0.99, 0.0, -0.005):
        if stopping.buscar_p(sequence, total, float(target)) < 1 - confidence:
            return int(np.floor(r / target - r))
    return total - len(sequence)
