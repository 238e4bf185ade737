"""PRISMA 2020 flow counts (Page et al. 2021) from the record-level log, and the PRISMA2020 CSV.

The CSV is the data template of the PRISMA2020 R package and web app (Haddaway et al. 2022):
columns ``data,node,box,description,boxtext,tooltips,url,n``, rows found by their ``data``
key; reason and per-source cells hold ``Label, n; Label, n``.

Mapping of a multi-stage log onto the PRISMA 2020 boxes (documented in the README):
- identification = records screened in the round + records removed as duplicates;
- "records screened / excluded" = the title and abstract stages together;
- "reports sought" = records entering retrieval (or full text when there is no retrieval stage);
  "not retrieved" = excluded at retrieval;
- "reports assessed" = records entering full-text assessment; "reports excluded, with reasons"
  = excluded at full text or quality appraisal, each reason prefixed by its stage;
- "new studies" = included in this round; "previous studies" = included in earlier rounds.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from .. import language, resources
from ..errors import InputError, require_file
from .log import NOT_SCREENED, final_decision, pending, reached, stages_used


TEMPLATE = Path(__file__).resolve().parent / "PRISMA2020_template.csv"
OTHER_KEYS = ("website_results", "organisation_results", "citations_results", "other_sought_reports",
              "other_notretrieved_reports", "other_assessed")
LIST_KEYS = ("database_specific_results", "register_specific_results", "dbr_excluded", "other_excluded")
SCREEN_STAGES = ("title", "abstract")
ASSESS_STAGES = ("full_text", "quality")


def _label(text: str) -> str:
    """Labels in the template cannot contain ',' or ';' (they separate label and count)."""
    return text.replace(",", " -").replace(";", " -").strip()


def counts(log: pd.DataFrame, reasons: pd.DataFrame, records: pd.DataFrame | None = None,
           round_: int | None = None, lang: str = "en") -> dict:
    """Every PRISMA 2020 box for one review round, counted from the log (and the records table);
    exclusion reasons are labelled in ``lang``."""
    if round_ is None:
        round_ = int(log["round"].max()) if len(log) else 1
    cur = log[log["round"] == round_]
    prev = log[log["round"] < round_]
    used = stages_used(log)

    def entering(stages):
        first = next((s for s in used if s in stages), None)
        return int(reached(cur, first, used).sum()) if first else 0

    def excluded(stages):
        return int(sum((cur[s] == "exclude").sum() for s in used if s in stages))

    dups = None  # not known without an itemized records table: the box is switched off
    per_source: dict[str, int] = {}
    per_register: dict[str, int] = {}
    registers = 0
    if records is not None and len(records):
        rec = records[records["round"] == round_]
        dups = int((rec["duplicate_of"] != "").sum())
        for source, stype in zip(rec["source"], rec["source_type"]):
            if stype == "register":
                per_register[source] = per_register.get(source, 0) + 1
                registers += 1
            else:
                per_source[source] = per_source.get(source, 0) + 1
        not_itemized = len(cur) - int(cur["record_id"].isin(rec["record_id"]).sum())
        if not_itemized and per_source:
            per_source["Not itemized"] = not_itemized
    identified = len(cur) + (dups or 0)
    # Records a stopping rule left unscreened: "marked as ineligible by automation tools", before screening.
    automatic = int(sum(((cur[s] == "exclude") & (cur["reason"] == NOT_SCREENED)).sum() for s in used
                        if s in SCREEN_STAGES))
    screened = (entering(SCREEN_STAGES) if any(s in used for s in SCREEN_STAGES) else len(cur)) - automatic
    retrieval_used = "retrieval" in used
    sought = entering(("retrieval",)) if retrieval_used else entering(ASSESS_STAGES)
    not_retrieved = excluded(("retrieval",))
    assessed = entering(ASSESS_STAGES)
    labels = dict(zip(reasons["reason_id"], language.localized(reasons, ["label"], lang)["label"]))
    stage_names = language.section("stages", lang)
    reason_counts: dict[str, int] = {}
    for stage in [s for s in used if s in ASSESS_STAGES]:
        for reason in cur.loc[cur[stage] == "exclude", "reason"]:
            label = _label(f"{stage_names[stage]}: {labels.get(reason, reason)}")
            reason_counts[label] = reason_counts.get(label, 0) + 1
    waiting = pending(cur, used)
    phase = {"title": "screening", "abstract": "screening", "retrieval": "retrieval",
             "full_text": "assessment", "quality": "assessment"}
    pending_in = {k: int((waiting["stage"].map(phase) == k).sum()) for k in ("screening", "retrieval", "assessment")}
    final = final_decision(log)
    new = int(((final == "include") & (log["round"] == round_)).sum())
    previous = int(((final == "include") & (log["round"] < round_)).sum())
    return {
        "round": round_,
        "previous_studies": previous, "previous_reports": previous,
        "database_results": identified - registers,
        "database_specific_results": per_source,
        "register_results": registers, "register_specific_results": per_register,
        "duplicates": dups, "excluded_automatic": automatic, "excluded_other": 0,
        "records_screened": screened, "records_excluded": excluded(SCREEN_STAGES) - automatic,
        "dbr_sought_reports": sought, "dbr_notretrieved_reports": not_retrieved if retrieval_used else None,
        "dbr_assessed": assessed, "dbr_excluded": reason_counts,
        "new_studies": new, "new_reports": new,
        "total_studies": new + previous, "total_reports": new + previous,
        "pending": int(((final == "pending") & (log["round"] == round_)).sum()),
        "pending_screening": pending_in["screening"], "pending_retrieval": pending_in["retrieval"],
        "pending_assessment": pending_in["assessment"],
        "n_prev_records": len(prev),
    }


def check(c: dict, where="PRISMA counts") -> None:
    """The flow's arithmetic: each box follows from the one before it."""
    c = {k: (0 if v is None else v) for k, v in c.items()}
    total = lambda v: sum(v.values()) if isinstance(v, dict) else int(v)  # noqa: E731
    identities = [
        ("database_results + register_results - duplicates - excluded_automatic - excluded_other = records_screened",
         c["database_results"] + c["register_results"] - c["duplicates"] - c["excluded_automatic"]
         - c["excluded_other"], c["records_screened"]),
        ("records_screened - records_excluded = dbr_sought_reports",
         c["records_screened"] - c["records_excluded"] - c.get("pending_screening", 0), c["dbr_sought_reports"]),
        ("dbr_sought_reports - dbr_notretrieved_reports = dbr_assessed",
         c["dbr_sought_reports"] - c["dbr_notretrieved_reports"] - c.get("pending_retrieval", 0), c["dbr_assessed"]),
        # The R package counts studies from both arms in new_studies.
        ("dbr_assessed - dbr_excluded + other_assessed - other_excluded = new_studies",
         c["dbr_assessed"] - total(c["dbr_excluded"]) - c.get("pending_assessment", 0)
         + c.get("other_assessed", 0) - total(c.get("other_excluded", {})), c["new_studies"]),
        ("new_studies + previous_studies = total_studies",
         c["new_studies"] + c["previous_studies"], c["total_studies"]),
    ]
    if any(c.get(k, 0) for k in OTHER_KEYS):
        identities.insert(3, ("other_sought_reports - other_notretrieved_reports = other_assessed",
                              c.get("other_sought_reports", 0) - c.get("other_notretrieved_reports", 0),
                              c.get("other_assessed", 0)))
    for key, value in c.items():
        values = value.values() if isinstance(value, dict) else [value]
        if any(isinstance(v, int) and v < 0 for v in values):
            raise _box_error(where, f"counts of 0 or more; '{key}' is negative", key)
    for text, left, right in identities:
        if left != right:
            raise _box_error(where, f"counts that add up: {text} gives {left}, but the box says {right}",
                             text.rsplit("= ", 1)[-1])


def _box_error(where, expected: str, box: str) -> InputError:
    """An error about one box; ``read_csv`` locates it on that box's row."""
    err = InputError(where, expected)
    err.box = box
    return err


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return "; ".join(f"{k}, {v}" for k, v in value.items())
    return str(value)


def to_csv(c: dict) -> str:
    """The PRISMA2020 template with its ``n`` column filled from the counts (other rows kept)."""
    with resources.use(TEMPLATE).open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    n_col = header.index("n")
    for row in body:
        key = row[0]
        if key in c and key != "NA":
            row[n_col] = _cell(c[key])
        elif key in LIST_KEYS:
            row[n_col] = ""
    if not c.get("previous_studies"):
        for row in body:  # no earlier round: switch the previous-studies arm off (blank n)
            if row[0] in ("previous_studies", "previous_reports") or row[2] == "prevstud":
                row[n_col] = ""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header] + body)
    return out.getvalue()


MAX_DIGITS = 9  # a billion records: more than any search returns
COUNT = re.compile(rf"\d{{1,{MAX_DIGITS}}}(\.0+)?")


def _parse_list(text: str, path, key: str, row: int) -> dict[str, int]:
    out = {}
    for part in [p.strip() for p in text.split(";") if p.strip()]:
        label, _, n = part.rpartition(",")
        if n.strip().lower() == "xxx":  # the template's own placeholder: nothing filled in
            continue
        if not label.strip() or not COUNT.fullmatch(n.strip()):
            raise InputError(path, f"'Label, n' items separated by ';' in the n of row '{key}', each n a whole "
                             f"number of records (0 or more, at most {MAX_DIGITS} digits)", row=row, column="n",
                             value=part)
        if label.strip() in out:
            raise InputError(path, f"each reason once in the n of row '{key}'", row=row, column="n",
                             value=label.strip())
        out[label.strip()] = int(n.strip().split(".")[0])
    return out


def read_csv(path: Path) -> dict:
    """Counts from a PRISMA2020 CSV (this pipeline's or the web app's), for reviews that publish only counts."""
    path = Path(path)
    require_file(path, "the PRISMA2020 CSV template")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(path, f"the PRISMA2020 CSV template in UTF-8 ({type(exc).__name__}: {exc})") from None
    for col in ("data", "n"):
        if col not in df.columns:
            raise InputError(path, "a column of the PRISMA2020 template", column=col)
    c: dict = {}
    rows: dict[str, int] = {}
    for i, rec in enumerate(df.to_dict("records")):
        key, n = rec["data"], rec["n"].strip()
        if key in ("NA", "") or key in ("identification", "screening", "included"):
            continue
        if key in rows:
            raise InputError(path, f"each box once (data = '{key}' is also on row {rows[key]})", row=i + 2,
                             column="data", value=key)
        rows[key] = i + 2
        if n.upper() == "NA":
            n = ""  # the R package and web app write NA for a box that is not used
        if key in LIST_KEYS:
            c[key] = _parse_list(n, path, key, i + 2)
        elif n == "":
            c[key] = 0
        else:
            if not COUNT.fullmatch(n):
                raise InputError(path, f"a whole number of records, 0 or more (at most {MAX_DIGITS} digits)",
                                 row=i + 2, column="n", value=n)
            c[key] = int(n.split(".")[0])  # exact: '12.0' is 12, and no float rounds a large count
    for key in ("database_results", "records_screened", "records_excluded", "dbr_sought_reports", "dbr_assessed",
                "new_studies"):
        if key not in c:
            raise InputError(path, f"a row with data = '{key}'", column="data")
    c.setdefault("register_results", 0)
    for key in ("duplicates", "excluded_automatic", "excluded_other", "dbr_notretrieved_reports", "previous_studies",
                *OTHER_KEYS):
        c.setdefault(key, 0)
    c.setdefault("other_excluded", {})
    c.setdefault("dbr_excluded", {})
    c.setdefault("total_studies", c["new_studies"] + c["previous_studies"])
    try:
        check(c, path)
    except InputError as exc:
        row = rows.get(getattr(exc, "box", None))  # the row of the box at fault, when the file has it
        raise InputError(path, exc.expected, row=row, column="n" if row else None) from None
    return c


def table(c: dict) -> pd.DataFrame:
    """The counts as a two-column table (box, n) for the supplement."""
    rows = [(k, _cell(v)) for k, v in c.items() if k not in ("round", "n_prev_records")
            and not k.startswith("pending_")]
    return pd.DataFrame(rows, columns=["box", "n"])


def write_csv(c: dict, path: Path) -> Path:
    """``prisma2020.csv`` in the exact template of the PRISMA2020 R package."""
    Path(path).write_text(to_csv(c), encoding="utf-8", newline="")
    return Path(path)
