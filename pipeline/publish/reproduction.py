"""Check every number and assignment a published article reports against what the data gives.

``computed`` always comes from the input data through the stage functions,
never from the ``reported`` column.  ``basis`` says whether the computed
value rests only on rows the article reports (``reported``; rows marked
``derived:`` restate the article and count here) or also on rows a
reconstruction supplied (``reconstructed``), so that a value rebuilt to match
a published total is never mistaken for an independent confirmation.
"""

from __future__ import annotations

import pandas as pd

from ..coding.codebook import level_counts
from ..coding.paradigm import core_category
from ..inputs import Inputs
from ..reliability.retest import test_retest_table
from ..screening.log import flow, included_records


COLUMNS = ["claim", "reported", "computed", "status", "basis", "note"]


def _basis(*frames: pd.DataFrame) -> str:
    return "reconstructed" if any((f["provenance"] == "reconstructed").any() for f in frames) else "reported"


def computed_values(inp: Inputs, reliability_minimum: float) -> dict[str, tuple[object, str, str]]:
    """claim_id -> (computed value, basis, note), every value derived from the inputs."""
    out: dict[str, tuple[object, str, str]] = {}
    log = inp.screening_log
    log_basis = _basis(log)
    for row in flow(log).to_dict("records"):
        for key in ("records_in", "excluded", "records_out"):
            out[f"screening.{row['stage']}.{key}"] = (row[key], log_basis, "counted from raw/screening_log.csv")
    included = included_records(log)
    out["studies.included"] = (len(included), log_basis, "records included at every stage")

    s = inp.search_strategy
    start = s.loc[s["facet"] == "period_start", "value"]
    end = s.loc[s["facet"] == "period_end", "value"]
    out["search.period"] = (f"{start.iloc[0]}-{end.iloc[0]}" if len(start) and len(end) else "",
                            _basis(s), "from raw/search_strategy.csv")
    out["search.databases"] = (int((s["facet"] == "database").sum()), _basis(s), "from raw/search_strategy.csv")
    if len(start) and len(end):
        years = inp.studies["year"]
        within = bool(((years >= int(start.iloc[0])) & (years <= int(end.iloc[0]))).all())
        out["studies.within_period"] = ("yes" if within else "no", _basis(inp.studies),
                                        "Gregorian years in raw/studies.csv")

    cb = inp.codebook
    levels = level_counts(cb)
    for claim, level in (("coding.initial_codes", "code"), ("coding.subcategories", "subcategory"),
                         ("coding.categories", "category")):
        out[claim] = (levels[level], _basis(cb[cb["level"] == level]), "nodes of that level in coded/codebook.csv")
    cats = cb[cb["level"] == "category"]
    for name, role in zip(cats["name"], cats["role"]):
        out[f"role.{name}"] = (role, _basis(cats[cats["name"] == name]), "role column of coded/codebook.csv")
    core = core_category(inp.segments, cb, inp.studies)
    if len(core):
        top = core.iloc[0]
        note = (f"computed: {top['links']} study co-occurrence links, {top['frequency']} coded segments"
                + ("" if top["criteria_agree"] else "; the category with the most links is not the most frequent"))
        out["coding.core_category"] = (top["category"], _basis(inp.segments, cb), note)

    rc = inp.recoding
    t2 = test_retest_table(rc).iloc[0]
    rb = _basis(rc)
    out["reliability.studies"] = (int(rc["study_id"].nunique()), rb, "studies in coded/recoding.csv")
    out["reliability.codes"] = (int(t2["codes"]), rb, "units coded on both occasions")
    out["reliability.agreements"] = (int(t2["agreements"]), rb, "units given the same code on both occasions")
    out["reliability.disagreements"] = (int(t2["disagreements"]), rb, "units given different codes")
    out["reliability.percent"] = (t2["percent_agreement"], rb, "agreements / codes, one decimal")
    out["reliability.minimum_met"] = ("yes" if t2["percent_agreement"] >= 100 * reliability_minimum else "no", rb,
                                      f"against the minimum in params.yml ({reliability_minimum:.0%})")
    return out


NOT_DERIVABLE = {
    "reliability.interval": "the re-coding data carry no dates, so the interval between occasions cannot be computed",
}


def _same(reported: str, computed) -> bool:
    try:
        r = float(reported)
    except ValueError:
        return str(computed) == reported
    try:
        c = float(computed)
    except (TypeError, ValueError):
        return False
    decimals = len(reported.split(".")[1]) if "." in reported else 0
    return round(c, decimals) == round(r, decimals)


def _show(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def reproduction_check(inp: Inputs, claims: pd.DataFrame, reliability_minimum: float) -> pd.DataFrame:
    """One row per reported claim: reported, computed, match / mismatch / not_derivable, basis, note."""
    computed = computed_values(inp, reliability_minimum)
    rows = []
    for c in claims.to_dict("records"):
        cid = c["claim_id"]
        if cid in computed:
            value, basis, note = computed[cid]
            status = "match" if _same(c["reported"], value) else "mismatch"
            rows.append([c["claim"], c["reported"], _show(value), status, basis, note])
        else:
            reason = NOT_DERIVABLE.get(cid, "no input file holds what this claim needs")
            rows.append([c["claim"], c["reported"], "", "not_derivable", "", reason])
    return pd.DataFrame(rows, columns=COLUMNS)


SKIPPED = ("No published article to check against (data/reference/article_claims.csv is absent): "
           "the reproduction check is skipped.")


def check_or_skip(inp: Inputs, reliability_minimum: float) -> pd.DataFrame | None:
    """The reproduction check, or None (said, not failed) for a review that reproduces no article."""
    claims = inp.article_claims  # validated with the other inputs
    if claims is None:
        print(SKIPPED)
        return None
    return reproduction_check(inp, claims, reliability_minimum)


def summary(check: pd.DataFrame | None) -> pd.DataFrame | None:
    """Claims by status and basis."""
    if check is None:
        return None
    return check.groupby(["status", "basis"]).size().rename("claims").reset_index()
