"""Agreement between two coders who coded the same documents in a QDA tool.

Input: one row per coding (``document, code, coder, start, end``, positions in characters) and
each document's length.  Two families of measures, as the tools report them:

MAXQDA's intercoder agreement (MAXQDA manual, "Intercoder agreement"):
- *code presence per document*: for every document × code that at least one coder used, agreement
  when both did;
- *code frequency per document*: agreement when both used it equally often;
- *segment agreement*: a segment of one coder agrees when the other coder has a segment with the
  same code in the same document overlapping it by at least ``min_overlap`` percent of the span
  the two cover together; every segment of both coders is checked.  Per code and overall:
  agreements, disagreements, percentage, and kappa after Brennan & Prediger (1981),
  κn = (Po − 1/k) / (1 − 1/k) with k the number of codes used, as MAXQDA computes it.

Krippendorff's unitizing alpha for the text continuum, per code (Krippendorff 2004, "Measuring
the reliability of qualitative text analysis data", Quality & Quantity 38; the |uα of ATLAS.ti's
report): each coder's codings of a code split each document into units and gaps; the observed
disagreement sums, over pairs of coders, the squared differences of the beginnings and ends of
overlapping units and the squared length of a unit that lies in the other coder's gap; the
expected disagreement is that of units placed at random in the whole continuum.  The 2016
extensions (cu-α, Cu-α) are not computed here.
"""

from __future__ import annotations

import itertools

import pandas as pd

CODING_COLUMNS = ["document", "code", "coder", "start", "end"]


def _two(codings: pd.DataFrame, coders) -> tuple[str, str]:
    found = sorted(codings["coder"].unique())
    coders = list(coders) if coders else found
    if len(coders) != 2:
        raise ValueError(f"agreement needs exactly two coders; found {len(found)}: {', '.join(found) or 'none'}")
    absent = [c for c in coders if c not in found]
    if absent:
        raise ValueError(f"coders who coded something; {', '.join(map(repr, absent))} did not "
                         f"(coders in the data: {', '.join(found) or 'none'})")
    return coders[0], coders[1]


def presence_and_frequency(codings: pd.DataFrame, coders=None) -> pd.DataFrame:
    """Per document × code used by either coder: counts of each, presence and frequency agreement."""
    a, b = _two(codings, coders)
    counts = codings.groupby(["document", "code", "coder"]).size().unstack("coder", fill_value=0)
    counts = counts.reindex(columns=[a, b], fill_value=0).reset_index()
    counts.columns = ["document", "code", "count_a", "count_b"]
    counts["presence_agrees"] = (counts["count_a"] > 0) & (counts["count_b"] > 0)
    counts["frequency_agrees"] = counts["count_a"] == counts["count_b"]
    return counts


def overlap_share(a0, a1, b0, b1) -> float:
    """Overlap of two spans as a share of the span they cover together (MAXQDA's rule)."""
    inter = max(0, min(a1, b1) - max(a0, b0))
    union = max(a1, b1) - min(a0, b0)
    return inter / union if union > 0 else 1.0


def segment_agreement(codings: pd.DataFrame, coders=None, min_overlap: float = 90.0) -> pd.DataFrame:
    """Every segment of both coders: does the other coder have the same code on an overlapping segment?"""
    a, b = _two(codings, coders)
    rows = []
    by_key = {k: g for k, g in codings.groupby(["document", "code", "coder"])}
    for rec in codings.itertuples(index=False):
        other = b if rec.coder == a else a
        if rec.coder not in (a, b):
            continue
        candidates = by_key.get((rec.document, rec.code, other))
        best = 0.0
        if candidates is not None:
            best = max(overlap_share(rec.start, rec.end, s, e) for s, e in zip(candidates["start"], candidates["end"]))
        rows.append({"document": rec.document, "code": rec.code, "coder": rec.coder, "start": rec.start,
                     "end": rec.end, "best_overlap": round(100 * best, 1), "agrees": 100 * best >= min_overlap})
    return pd.DataFrame(rows, columns=["document", "code", "coder", "start", "end", "best_overlap", "agrees"])


def brennan_prediger(p_observed: float, k: int) -> float:
    """κn = (Po − 1/k) / (1 − 1/k) (Brennan & Prediger 1981); undefined for fewer than two codes."""
    if k < 2:
        return float("nan")
    chance = 1.0 / k
    return (p_observed - chance) / (1 - chance)


def segment_table(segments: pd.DataFrame, n_codes: int) -> pd.DataFrame:
    """Per code and overall: agreements, disagreements, percentage and Brennan & Prediger's kappa."""
    rows = []
    for code, g in list(segments.groupby("code")) + [("(all codes)", segments)]:
        agree = int(g["agrees"].sum())
        total = len(g)
        p = agree / total if total else float("nan")
        rows.append({"code": code, "agreements": agree, "disagreements": total - agree,
                     "percent": round(100 * p, 1) if total else float("nan"),
                     "kappa_brennan_prediger": round(brennan_prediger(p, n_codes), 3) if total else float("nan")})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- Krippendorff's unitizing alpha

def sections(spans: list[tuple[int, int]], length: int) -> list[tuple[int, int, int]]:
    """A coder's units of one code in one document, with the gaps between them: (begin, length, is_unit).

    Overlapping or touching codings of the same code by the same coder are one unit.
    """
    merged: list[list[int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    out, pos = [], 0
    for s, e in merged:
        if s > pos:
            out.append((pos, s - pos, 0))
        out.append((s, e - s, 1))
        pos = e
    if pos < length:
        out.append((pos, length - pos, 0))
    return out


def _delta2(g, h) -> float:
    (bg, lg, vg), (bh, lh, vh) = g, h
    if vg and vh:
        if -lg < bg - bh < lh:  # the two units overlap
            return (bg - bh) ** 2 + (bg + lg - bh - lh) ** 2
        return 0.0
    if vg and not vh and 0 <= bg - bh <= lh - lg:  # a unit inside the other coder's gap
        return lg ** 2
    if vh and not vg and 0 <= bh - bg <= lg - lh:
        return lh ** 2
    return 0.0


def unitizing_alpha(codings: pd.DataFrame, lengths: dict, code) -> float:
    """Krippendorff's (2004) unitizing alpha for one code, over every document, any number of coders."""
    coders = sorted(codings["coder"].unique())
    m = len(coders)
    docs = sorted(lengths)
    L = sum(lengths[d] for d in docs)
    if m < 2 or L <= 1:
        return float("nan")
    mine = codings[codings["code"] == code]
    secs = {(d, c): sections(list(zip(g["start"], g["end"])), lengths[d])
            for d in docs for c in coders
            for g in [mine[(mine["document"] == d) & (mine["coder"] == c)]]}
    observed = 0.0
    for d in docs:
        for ci, cj in itertools.permutations(coders, 2):
            for g in secs[(d, ci)]:
                for h in secs[(d, cj)]:
                    observed += _delta2(g, h)
    d_o = observed / (m * (m - 1) * L ** 2)
    units = [s for s in secs.values() for s in s if s[2]]
    n_units = len(units)
    if n_units == 0:
        return float("nan")
    expected = 0.0
    gaps = [s for s in secs.values() for s in s if not s[2]]
    for _, lg, _ in units:
        expected += (n_units - 1) / 3 * (2 * lg ** 3 - 3 * lg ** 2 + lg)
        expected += lg ** 2 * sum(lh - lg + 1 for _, lh, _ in gaps if lh >= lg)
    positions = sum(m * lengths[d] * (m * lengths[d] - 1) for d in docs) - sum(lg * (lg - 1) for _, lg, _ in units)
    d_e = 2 / L * expected / positions
    return 1 - d_o / d_e if d_e > 0 else float("nan")


def report(codings: pd.DataFrame, lengths: dict, coders=None, min_overlap: float = 90.0) -> dict:
    """Everything at once: the MAXQDA tables, alpha per code and the segments to reconcile."""
    a, b = _two(codings, coders)
    codings = codings[codings["coder"].isin([a, b])]
    pf = presence_and_frequency(codings, (a, b))
    seg = segment_agreement(codings, (a, b), min_overlap)
    codes = sorted(codings["code"].unique())
    per_code = pf.groupby("code").agg(documents=("document", "size"), presence=("presence_agrees", "mean"),
                                      frequency=("frequency_agrees", "mean")).reset_index()
    per_code[["presence", "frequency"]] = (100 * per_code[["presence", "frequency"]]).round(1)
    both = {d for d in lengths if {a, b} <= set(codings.loc[codings["document"] == d, "coder"])}
    alphas = {c: unitizing_alpha(codings[codings["document"].isin(both)], {d: lengths[d] for d in both}, c)
              for c in codes} if both else {}
    per_code["unitizing_alpha"] = per_code["code"].map(lambda c: round(alphas.get(c, float("nan")), 3))
    return {
        "coders": (a, b), "min_overlap": min_overlap,
        "presence_percent": round(100 * pf["presence_agrees"].mean(), 1) if len(pf) else float("nan"),
        "frequency_percent": round(100 * pf["frequency_agrees"].mean(), 1) if len(pf) else float("nan"),
        "per_code": per_code, "segments": segment_table(seg, len(codes)),
        "to_reconcile": seg[~seg["agrees"]].reset_index(drop=True),
        "documents": pf,
    }


def from_segments(segments: pd.DataFrame, min_overlap: float = 90.0) -> dict | None:
    """The report for ``coded/segments.csv`` when it holds exactly two coders of the same studies, else None.

    Studies are the documents.  Segment overlap needs character positions ('characters a-b', as
    imports from QDA projects write them); without them only presence and frequency are computed.
    Unitizing alpha needs each document's length, which segments do not carry: it is left out here
    (``python -m pipeline reliability A.qdpx B.qdpx`` computes it from the projects).
    """
    coders = sorted(segments["coder"].unique())
    if len(coders) != 2:
        return None
    shared = set(segments.loc[segments["coder"] == coders[0], "study_id"]) & set(
        segments.loc[segments["coder"] == coders[1], "study_id"])
    if not shared:
        return None
    seg = segments[segments["study_id"].isin(shared)]
    pos = seg["location"].str.extract(r"characters (\d+)-(\d+)")
    codings = pd.DataFrame({"document": seg["study_id"], "code": seg["code_id"], "coder": seg["coder"],
                            "start": pd.to_numeric(pos[0]), "end": pd.to_numeric(pos[1])})
    positioned = bool(pos.notna().all().all())
    res = report(codings.fillna(0), {}, coders, min_overlap)
    if not positioned:
        res["segments"] = res["segments"].iloc[0:0]
        res["to_reconcile"] = res["to_reconcile"].iloc[0:0]
    res["positioned"] = positioned
    return res


def coders_note(segments: pd.DataFrame) -> str:
    """Why no agreement between coders is reported, in one sentence."""
    coders = sorted(segments["coder"].unique())
    if len(coders) != 2:
        return (f"The coded segments hold {len(coders)} coder(s) ({', '.join(coders) or 'none'}): agreement between "
                f"coders needs exactly two who coded the same studies.")
    return f"Coders {coders[0]} and {coders[1]} coded no study in common: there is nothing to compare."
