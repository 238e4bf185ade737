"""The ``reliability`` command's printed report: coefficients with intervals, per-value agreement and
the units to reconcile; for two coders' projects, MAXQDA's and ATLAS.ti's measures as text or JSON.
"""

from __future__ import annotations

import math

import pandas as pd

from .coefficients import disagreements, per_category_agreement


def _fmt(v) -> str:
    return "n/a" if v is None else f"{v:.3f}"


def report(result: dict, matrix: pd.DataFrame) -> str:
    """A plain-text report: design, every coefficient, interpretation, units to reconcile."""
    lines = [
        f"Unit of analysis : {result['unit_of_analysis']}",
        f"Mode             : {result['mode']}",
        f"Units            : {result['n_units']} ({result['n_pairable_units']} with two or more values)",
        f"Coders/occasions : {result['n_coders']} ({', '.join(map(str, matrix.columns))})",
        f"Level            : {result['level']}",
        "",
        f"{'coefficient':<28}{'value':>8}   95% CI",
    ]
    cis = {"krippendorff_alpha": result.get("alpha_ci95"), "cohen_kappa": result.get("cohen_kappa_ci95")}
    names = [("percent_agreement", "Percent agreement"), ("holsti_cr", "Holsti's CR"),
             ("scott_pi", "Scott's pi"), ("cohen_kappa", "Cohen's kappa"),
             ("cohen_kappa_linear", "Cohen's kappa (linear)"), ("cohen_kappa_quadratic", "Cohen's kappa (quadratic)"),
             ("fleiss_kappa", "Fleiss' kappa"), ("krippendorff_alpha", "Krippendorff's alpha"),
             ("gwet_ac1", "Gwet's AC1")]
    for key, name in names:
        if key not in result or (result[key] is None and key.startswith("cohen_kappa_")):
            continue
        ci = cis.get(key)
        ci_text = f"[{ci[0]:.3f}, {ci[1]:.3f}]" if ci else ""
        lines.append(f"{name:<28}{_fmt(result[key]):>8}   {ci_text}")
    lines += ["", f"Interpretation (Krippendorff): {result['interpretation']}"]
    if "alpha_q_below_minimum" in result:
        lines.append(f"P(alpha < {result['alpha_minimum']}) = {result['alpha_q_below_minimum']:.3f} "
                     f"({result['n_boot']} bootstrap resamples, seed {result['seed']})")
    per = per_category_agreement(matrix)
    lines += ["", "Agreement per value (specific agreement over coder pairs):",
              per.to_string(index=False, float_format=lambda v: f"{v:.3f}")]
    dis = disagreements(matrix)
    lines += ["", f"Units with disagreement: {len(dis)}"]
    if len(dis):
        lines.append(dis.head(20).astype(object).to_string(index=False))
        if len(dis) > 20:
            lines.append(f"... and {len(dis) - 20} more")
    return "\n".join(lines)


def _clean(value):
    return None if isinstance(value, float) and math.isnan(value) else value


def intercoder_json(res: dict) -> dict:
    """``intercoder.report``'s result as JSON-ready values (a coefficient that is not defined is null)."""
    rows = lambda df: [{k: _clean(v) for k, v in r.items()} for r in df.to_dict("records")]  # noqa: E731
    return {"coders": list(res["coders"]), "min_overlap": res["min_overlap"],
            "presence_percent": _clean(res["presence_percent"]), "frequency_percent": _clean(res["frequency_percent"]),
            "per_code": rows(res["per_code"]), "segments": rows(res["segments"]),
            "alpha": {k: _clean(v) for k, v in res["alpha"].items() if k != "overlapping_codes"},
            "overlapping_codes": res["alpha"].get("overlapping_codes", {}), "domains": rows(res["domains"]),
            "to_reconcile": res["to_reconcile"].to_dict("records")}


def intercoder_text(res: dict) -> str:
    """``intercoder.report``'s result as the plain-text report the command prints."""
    a, b = res["coders"]
    al = res["alpha"]
    lines = [f"Coders: {a} and {b}; {len(res['documents'])} document × code pairs; segments agree at ≥ "
             f"{res['min_overlap']:g}% overlap",
             f"Code presence per document: {res['presence_percent']}% agreement; "
             f"code frequency per document: {res['frequency_percent']}%",
             "", "Segment agreement (kappa after Brennan & Prediger):", res["segments"].to_string(index=False),
             "", "Per code (presence and frequency in % of documents; Krippendorff's α-binary):",
             res["per_code"].to_string(index=False),
             "", f"Krippendorff's alpha family on the text (as ATLAS.ti reports it): α-binary {al['alpha_binary']}, "
                 f"Cu-α {al['Cu_alpha']} (semantic domains), uα {al['u_alpha']}; per semantic domain:",
             res["domains"].to_string(index=False)]
    if al.get("overlapping_codes"):
        lines.append(overlap_caveat(al["overlapping_codes"]))
    lines += ["", f"{len(res['to_reconcile'])} segment(s) to reconcile:"]
    if len(res["to_reconcile"]):
        brief = res["to_reconcile"][["document", "overlap_percent", "coder", "segment", "code", "start", "end",
                                     "other_segment", "other_codes_here"]]
        lines.append(brief.to_string(index=False))
        lines.append("(each with both coders' quotes: --reconcile FILE.csv or FILE.xlsx, or --json)")
    return "\n".join(lines)


def overlap_caveat(overlapping: dict[str, int]) -> str:
    """One line: where a coder gave several codes of one domain to the same text, and what the alphas did."""
    where = ", ".join(f"{d} ({n:,} characters, both coders)" for d, n in overlapping.items())
    return (f"Caveat: a coder gave several codes of one semantic domain to the same text in {where}; ATLAS.ti's "
            f"alphas assume a domain's codes exclude each other, so there equal codes are paired first "
            f"(multi-valued coding, docs/design/reliability.md).")
