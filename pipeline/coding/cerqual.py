"""Confidence in each review finding (GRADE-CERQual; Lewin et al. 2018, Implementation Science 13 Suppl 1).

A finding (``coded/findings.csv``) is a statement supported by the segments on its codebook nodes and
their descendants; its contributing studies are exactly the studies with such segments.  The tool
computes the evidence each component rests on — the CASP appraisals of those studies (methodological
limitations), how much data there is (adequacy), where the studies come from (relevance) — and shows
it beside the reviewers' judgements (``coded/cerqual.csv``).  It never makes a judgement: a finding
without one is "not assessed".
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import language
from ..errors import InputError

COMPONENTS = ("methodological_limitations", "coherence", "adequacy", "relevance")
CONCERNS = ("no or very minor concerns", "minor concerns", "moderate concerns", "serious concerns")
CONFIDENCE = ("high", "moderate", "low", "very low")
NOT_ASSESSED = "not assessed"
CONTEXT = ("country", "setting", "population")  # optional columns of raw/studies.csv
THIN_STUDIES = 3  # fewer contributing studies than this: the data are shown as thin


def descendants(codebook: pd.DataFrame, nodes: list[str]) -> set[str]:
    """The nodes and every node below them."""
    children: dict[str, list[str]] = {}
    for nid, parent in zip(codebook["node_id"], codebook["parent_id"]):
        children.setdefault(parent, []).append(nid)
    out, todo = set(), list(nodes)
    while todo:
        n = todo.pop()
        if n not in out:
            out.add(n)
            todo += children.get(n, [])
    return out


def node_list(value: str) -> list[str]:
    """The node ids of a finding's ``nodes`` cell ('C1; S03')."""
    return [n.strip() for n in str(value).split(";") if n.strip()]


def check_findings(findings: pd.DataFrame, codebook: pd.DataFrame, path: Path) -> None:
    """Every node a finding names is a node of the codebook."""
    known = set(codebook["node_id"])
    for i, r in enumerate(findings.to_dict("records")):
        names = node_list(r["nodes"])
        if not names:
            raise InputError(path, "one or more node ids of coded/codebook.csv, separated by ';'", row=i + 2,
                             column="nodes", value=r["nodes"] or None)
        for n in names:
            if n not in known:
                raise InputError(path, "a node_id of coded/codebook.csv", row=i + 2, column="nodes", value=n)


def check_judgements(judgements: pd.DataFrame, findings: pd.DataFrame | None, path: Path) -> None:
    """The reviewers' judgements: a known finding and component, a concern (or for ``overall`` a
    confidence) from CERQual's scale, an explanation for every concern above "no or very minor" and for
    every overall confidence, and no "high" confidence for a finding with a serious concern."""
    known = set(findings["finding_id"]) if findings is not None else set()
    serious: set[str] = set()
    for i, r in enumerate(judgements.to_dict("records")):
        row = i + 2
        if r["finding_id"] not in known:
            raise InputError(path, "a finding_id of coded/findings.csv", row=row, column="finding_id",
                             value=r["finding_id"])
        if r["component"] == "overall":
            if r["judgement"] not in CONFIDENCE:
                raise InputError(path, f"an overall confidence: {', '.join(CONFIDENCE)}", row=row,
                                 column="judgement", value=r["judgement"] or None)
            if not r["explanation"].strip():
                raise InputError(path, "an explanation of the overall confidence", row=row, column="explanation")
        else:
            if r["judgement"] not in CONCERNS:
                raise InputError(path, f"a concern: {'; '.join(CONCERNS)}", row=row, column="judgement",
                                 value=r["judgement"] or None)
            if r["judgement"] != CONCERNS[0] and not r["explanation"].strip():
                raise InputError(path, f"an explanation of '{r['judgement']}' ({r['component']})", row=row,
                                 column="explanation")
            if r["judgement"] == "serious concerns":
                serious.add(r["finding_id"])
    for i, r in enumerate(judgements.to_dict("records")):
        if r["component"] == "overall" and r["judgement"] == "high" and r["finding_id"] in serious:
            raise InputError(path, f"an overall confidence consistent with the components: finding "
                             f"{r['finding_id']} has serious concerns, so its confidence cannot be high",
                             row=i + 2, column="judgement", value=r["judgement"])


def contributing(findings: pd.DataFrame, codebook: pd.DataFrame, segments: pd.DataFrame) -> dict[str, list[str]]:
    """finding_id -> the studies with segments on its nodes or their descendants, sorted."""
    out = {}
    for r in findings.to_dict("records"):
        nodes = descendants(codebook, node_list(r["nodes"]))
        out[r["finding_id"]] = sorted(set(segments.loc[segments["code_id"].isin(nodes), "study_id"]))
    return out


def _casp_concern(row: dict) -> str:
    """A study's CASP answers in words: how many of the ten questions were answered No or Can't tell."""
    answers = [row[f"q{i}"] for i in range(1, 11)]
    no, unclear = answers.count("No"), answers.count("Can't tell")
    return "none" if not no and not unclear else f"{no} No, {unclear} Can't tell"


def evidence(findings: pd.DataFrame, codebook: pd.DataFrame, segments: pd.DataFrame, studies: pd.DataFrame,
             appraisal: pd.DataFrame | None) -> pd.DataFrame:
    """Per finding, the evidence each component rests on, computed from the data (never a judgement)."""
    studies_of = contributing(findings, codebook, segments)
    record_of = dict(zip(studies["study_id"], studies["record_id"]))
    casp = {} if appraisal is None else {r["record_id"]: r for r in appraisal.to_dict("records")}
    rows = []
    for r in findings.to_dict("records"):
        fid, ids = r["finding_id"], studies_of[r["finding_id"]]
        nodes = descendants(codebook, node_list(r["nodes"]))
        seg = segments[segments["code_id"].isin(nodes)]
        words = int(seg["quote"].str.split().str.len().fillna(0).sum())
        appraised = {s: casp[record_of[s]] for s in ids if record_of.get(s) in casp}
        with_concerns = [s for s, a in appraised.items() if _casp_concern(a) != "none"]
        share = (seg["study_id"].isin(with_concerns).sum() / len(seg)) if len(seg) else 0.0
        if not ids:
            limitations = "no contributing study"
        elif not appraised:
            limitations = f"none of the {len(ids)} studies appraised (raw/quality_appraisal.csv)"
        else:
            limitations = (f"{len(appraised)} of {len(ids)} studies appraised (CASP); "
                           f"{len(appraised) - len(with_concerns)} with every answer Yes; "
                           + "; ".join(f"{s}: {_casp_concern(appraised[s])}" for s in with_concerns)
                           + (f"; studies with a No or Can't tell carry {share:.0%} of the finding's segments"
                              if with_concerns else ""))
        adequacy = (f"{len(ids)} studies, {len(seg)} segments, {words} words of quoted data"
                    + ("; thin data" if len(ids) < THIN_STUDIES else ""))
        context = []
        for col in CONTEXT:
            if col in studies:
                values = sorted({v for s, v in zip(studies["study_id"], studies[col]) if s in ids and v})
                if values:
                    context.append(f"{col}: {', '.join(values)}")
        relevance = "; ".join(context) if context else "country, setting and population not recorded in raw/studies.csv"
        rows.append({"finding_id": fid, "studies": ";".join(ids), "n_studies": len(ids), "n_segments": len(seg),
                     "words": words, "methodological_limitations": limitations,
                     "coherence": "a judgement of fit between the finding and its data (no computed evidence)",
                     "adequacy": adequacy, "relevance": relevance})
    return pd.DataFrame(rows, columns=["finding_id", "studies", "n_studies", "n_segments", "words",
                                       *COMPONENTS])


def _judged(judgements: pd.DataFrame | None) -> dict[tuple[str, str], tuple[str, str]]:
    if judgements is None:
        return {}
    return {(r["finding_id"], r["component"]): (r["judgement"], r["explanation"])
            for r in judgements.to_dict("records")}


def soqf(findings: pd.DataFrame, ev: pd.DataFrame, judgements: pd.DataFrame | None,
         lang: str = language.BASE) -> pd.DataFrame:
    """The Summary of Qualitative Findings, in the column order of the CERQual papers and iSoQ's printed
    table: the finding, its confidence and the explanation, the contributing studies.  In another
    language the statement comes from ``statement_<lang>`` (English where empty), CERQual's terms and
    the headers from the language's file."""
    judged = _judged(judgements)
    statement = f"statement_{lang}"
    ev = ev.set_index("finding_id")
    rows = []
    for r in findings.to_dict("records"):
        confidence, explanation = judged.get((r["finding_id"], "overall"), (NOT_ASSESSED, ""))
        text = r.get(statement) or r["statement"]
        rows.append({"finding_id": r["finding_id"], "statement": text, "confidence": _term(confidence, lang),
                     "explanation": explanation, "studies": ev.at[r["finding_id"], "studies"],
                     "n_studies": int(ev.at[r["finding_id"], "n_studies"])})
    out = pd.DataFrame(rows, columns=["finding_id", "statement", "confidence", "explanation", "studies", "n_studies"])
    return out if lang == language.BASE else language.columns(out, lang)


def _term(text: str, lang: str) -> str:
    """One of CERQual's terms in ``lang``."""
    return language.section("cerqual", lang).get(text, text)


def evidence_profile(findings: pd.DataFrame, ev: pd.DataFrame, judgements: pd.DataFrame | None,
                     lang: str = language.BASE) -> pd.DataFrame:
    """Per finding and component: the reviewers' concern and explanation beside the computed evidence
    (which stays in English: counts, study ids and CASP answers)."""
    judged = _judged(judgements)
    ev = ev.set_index("finding_id")
    rows = []
    for fid in findings["finding_id"]:
        for comp in COMPONENTS:
            concern, explanation = judged.get((fid, comp), (NOT_ASSESSED, ""))
            rows.append({"finding_id": fid, "component": _term(comp.replace("_", " "), lang),
                         "concern": _term(concern, lang), "explanation": explanation, "evidence": ev.at[fid, comp]})
        confidence, explanation = judged.get((fid, "overall"), (NOT_ASSESSED, ""))
        rows.append({"finding_id": fid, "component": _term("overall confidence", lang),
                     "concern": _term(confidence, lang), "explanation": explanation,
                     "evidence": f"{ev.at[fid, 'n_studies']} contributing studies"})
    out = pd.DataFrame(rows, columns=["finding_id", "component", "concern", "explanation", "evidence"])
    return out if lang == language.BASE else language.columns(out, lang)


def unassessed(findings: pd.DataFrame | None, judgements: pd.DataFrame | None) -> list[str]:
    """Findings without an overall confidence, in file order (for ``status``)."""
    if findings is None:
        return []
    done = set() if judgements is None else set(
        judgements.loc[judgements["component"] == "overall", "finding_id"])
    return [f for f in findings["finding_id"] if f not in done]
