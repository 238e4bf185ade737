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

ATLAS.ti's intercoder agreement (Krippendorff's alpha family for the text continuum; Krippendorff,
Mathet, Bouvry & Widlöcher 2016, in the coincidence form of Krippendorff 2019, §12.6): every
document is a continuum of characters that each coder cuts into coded units and uncoded gaps.
α-binary asks whether coders agree on what is coded (per code, per semantic domain, overall);
cu-α, per domain, whether they give the same code where both coded the domain; Cu-α whether they
give the same domain.  Semantic domains are the categories: the top of a code's path (or the
prefix of ATLAS.ti's ``Domain: code`` names).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


CODING_COLUMNS = ["document", "code", "coder", "start", "end"]


def _two(codings: pd.DataFrame, coders) -> tuple[str, str]:
    found = sorted(codings["coder"].unique())
    coders = list(coders) if coders else found
    if len(coders) != 2:
        raise ValueError(f"agreement needs exactly two coders; found {len(found)}: {', '.join(found) or 'none'}"
                         + ("; choose two with --coders NAME NAME" if len(found) > 2 else ""))
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


RECONCILE_COLUMNS = ["document", "overlap_percent", "coder", "segment", "code", "start", "end", "quote",
                     "other_coder", "other_segment", "other_start", "other_end", "other_quote", "other_codes_here"]


def reconcile(codings: pd.DataFrame, coders=None, min_overlap: float = 90.0) -> pd.DataFrame:
    """The segments without a match, to be worked from: for each, its id, code and quote; the other
    coder's segment with the same code that overlaps it most (id, range, quote, overlap) and the
    codes the other coder gave the same text instead.  Least overlap first: the widest disagreements
    lead.  ``codings`` may carry ``segment`` and ``quote`` columns (else they are left empty)."""
    a, b = _two(codings, coders)
    c = codings.assign(segment=codings["segment"] if "segment" in codings else "",
                       quote=codings["quote"] if "quote" in codings else "")
    by_doc = {(d, k): g for (d, k), g in c.groupby(["document", "coder"])}
    rows = []
    for r in c[c["coder"].isin([a, b])].itertuples(index=False):
        other = b if r.coder == a else a
        theirs = by_doc.get((r.document, other), c.iloc[0:0])
        same = theirs[theirs["code"] == r.code]
        shares = [overlap_share(r.start, r.end, s, e) for s, e in zip(same["start"], same["end"])]
        best = int(np.argmax(shares)) if shares else None
        share = shares[best] if best is not None else 0.0
        if 100 * share >= min_overlap:
            continue
        match = same.iloc[best] if best is not None and share > 0 else None
        here = theirs[(theirs["start"] < r.end) & (theirs["end"] > r.start) & (theirs["code"] != r.code)]
        rows.append({"document": r.document, "overlap_percent": round(100 * share, 1), "coder": r.coder,
                     "segment": r.segment, "code": r.code, "start": r.start, "end": r.end, "quote": r.quote,
                     "other_coder": other,
                     "other_segment": match["segment"] if match is not None else "",
                     "other_start": match["start"] if match is not None else "",
                     "other_end": match["end"] if match is not None else "",
                     "other_quote": match["quote"] if match is not None else "",
                     "other_codes_here": "; ".join(sorted(set(here["code"])))})
    out = pd.DataFrame(rows, columns=RECONCILE_COLUMNS)
    return out.sort_values(["overlap_percent", "document", "start", "coder"], kind="stable").reset_index(drop=True)


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


GAP = ""  # the value of matter an observer left uncoded (φ in Krippendorff's notation)


def coincidences(codings: pd.DataFrame, lengths: dict, value=lambda code: code):
    """Length-weighted coincidences of values between observers (Krippendorff 2019, §12.6).

    ``value`` maps a code to the value it counts as, or to None when the code is not part of the
    measure (its matter is then a gap).  Overlapping codings of one value by one observer are one
    unit.  Returns ``(values, l, own, own_star)``: the values (GAP first), the coincidence matrix,
    each value's self-pairing term (a unit's length squared, a gap's length) and the same for units
    cut to their pairable part: the length the other observers also coded, averaged over them (with
    this reading, cuα on the worked example of Krippendorff 2019, Figure 12.11, is the book's 0.724;
    the union of the others' coded matter gives 0.728).
    """
    coders = sorted(codings["coder"].unique())
    m = len(coders)
    mapped = codings.assign(value=codings["code"].map(value)).dropna(subset=["value"])
    values = [GAP] + sorted(mapped["value"].unique())
    index = {v: i for i, v in enumerate(values)}
    ell = np.zeros((len(values), len(values)))
    own = np.zeros(len(values))
    own_star = np.zeros(len(values))
    by_doc = {d: g for d, g in mapped.groupby("document")}
    for doc in sorted(lengths):
        here = by_doc.get(doc, mapped.iloc[0:0])
        units = {c: _units(here[here["coder"] == c], index) for c in coders}
        cuts = np.unique(np.concatenate([[0, lengths[doc]]] + [u[:, :2].ravel() for u in units.values()]))
        width = np.diff(cuts).astype(float)
        present = {}
        for c, u in units.items():
            p = np.zeros((len(width) + 1, len(values)))
            np.add.at(p, (np.searchsorted(cuts, u[:, 0]), u[:, 2]), 1)
            np.add.at(p, (np.searchsorted(cuts, u[:, 1]), u[:, 2]), -1)
            p = (np.cumsum(p, axis=0)[:-1] > 0).astype(float)
            p[:, 0] = p.sum(axis=1) == 0
            present[c] = p
        # Where an observer gave one stretch several values (codes of one domain on the same text,
        # as NVivo coders do), pairing every value with every value would count x-with-y as
        # disagreement even between identical coders: there, each pair of observers pairs equal
        # values first (our simple pairing of two sets; docs/design/reliability.md).
        multi = np.zeros(len(width), dtype=bool)
        for p in present.values():
            multi |= p.sum(axis=1) > 1
        single = (~multi).astype(float) * width
        total = sum(present.values())
        ell += (total.T * single) @ total - sum((p.T * single) @ p for p in present.values())
        for i in np.nonzero(multi)[0]:
            _pair_sets(ell, [np.nonzero(p[i])[0].tolist() for p in present.values()], width[i])
        for c, u in units.items():
            np.add.at(own, u[:, 2], (u[:, 1] - u[:, 0]) ** 2)
            own[0] += (present[c][:, 0] * width).sum()
            others = sum((1 - p[:, 0]) for o, p in present.items() if o != c) / (m - 1)
            reach = np.concatenate([[0], np.cumsum(width * others)])
            pairable = reach[np.searchsorted(cuts, u[:, 1])] - reach[np.searchsorted(cuts, u[:, 0])]
            np.add.at(own_star, u[:, 2], pairable ** 2)
    return values, ell / (m - 1), own, own_star


def _pair_sets(ell: np.ndarray, sets: list[list[int]], w: float) -> None:
    """Add to ``ell`` the pairings of each ordered pair of observers' value sets on one stretch of width
    ``w``: equal values with each other, then the rest in order, and what is left over with the gap."""
    for i, a in enumerate(sets):
        for j, b in enumerate(sets):
            if i == j:
                continue
            for v in set(a) & set(b):
                ell[v, v] += w
            ra, rb = sorted(set(a) - set(b)), sorted(set(b) - set(a))
            for k in range(max(len(ra), len(rb))):
                ell[ra[k] if k < len(ra) else 0, rb[k] if k < len(rb) else 0] += w


def _units(codings: pd.DataFrame, index: dict) -> np.ndarray:
    """One observer's codings in one document as rows (start, end, value index), same-value overlaps merged."""
    out: list[list[int]] = []
    for v, s, e in sorted(zip(codings["value"].map(index), codings["start"].astype(int), codings["end"].astype(int))):
        if out and out[-1][2] == v and s < out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e, v])
    return np.array(out, dtype=np.int64).reshape(-1, 3)


def _alpha(ell: np.ndarray, own: np.ndarray) -> float:
    """1 − observed / expected disagreement, expected from the margins less each unit's pairing with itself."""
    total = ell.sum()
    if total <= 0:
        return float("nan")
    expected = np.outer(ell.sum(axis=1), ell.sum(axis=0))
    expected[np.diag_indices_from(expected)] -= own
    expected /= total - own.sum() / total
    d_o = total - np.trace(ell)
    d_e = expected.sum() - np.trace(expected)
    if d_e <= 0:
        return 1.0 if d_o == 0 else float("nan")
    return float(1 - d_o / d_e)


def alpha_family(codings: pd.DataFrame, lengths: dict, value=lambda code: code) -> dict:
    """uα (boundaries and values), |uα (coded matter against gaps) and cuα (values where both coded).

    Krippendorff, Mathet, Bouvry & Widlöcher (2016), "On the reliability of unitizing textual
    continua: Further developments", Quality & Quantity 50, in the coincidence form of Krippendorff
    (2019), Content Analysis, 4th ed., §12.6.  These are what ATLAS.ti's intercoder agreement
    reports: α-binary, cu-α over the codes of one semantic domain, Cu-α over the domains.
    """
    values, ell, own, own_star = coincidences(codings, lengths, value)
    coded = np.array([[1, 0]] + [[0, 1]] * (len(values) - 1), dtype=float)  # gap / coded
    return {
        "u": _alpha(ell, own),
        "binary": _alpha(coded.T @ ell @ coded, coded.T @ own),
        "cu": _alpha(ell[1:, 1:], own_star[1:]) if len(values) > 1 else float("nan"),
    }


def domain(code: str) -> str:
    """A code's semantic domain: its category (top of its path), or ATLAS.ti's ``Domain: code`` prefix."""
    if " > " in code:
        return code.split(" > ", 1)[0]
    head, sep, _ = code.partition(":")
    return head.strip() if sep and head.strip() else code


def unitizing_tables(codings: pd.DataFrame, lengths: dict) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """ATLAS.ti's report: α-binary per code; α-binary and cu-α per semantic domain; overall |uα, uα, Cu-α.

    Per code, the code is the only value and everything else a gap.  Per domain, its codes are the
    values (cu-α: do coders who both coded matter of the domain give it the same code?).  Cu-α takes
    the domains themselves as values.  ATLAS.ti asks codes of one domain to be mutually exclusive;
    a coder who gives two of them to the same characters contributes both pairings here.
    """
    codes = sorted(codings["code"].unique())
    per_code = pd.DataFrame({"code": codes, "alpha_binary": [
        round(alpha_family(codings, lengths, lambda c, k=k: k if c == k else None)["binary"], 3) for k in codes]})
    rows = []
    for d in sorted({domain(c) for c in codes}):
        mine = [c for c in codes if domain(c) == d]
        fam = alpha_family(codings, lengths, lambda c, mine=mine: c if c in mine else None)
        rows.append({"domain": d, "codes": len(mine), "alpha_binary": round(fam["binary"], 3),
                     "cu_alpha": round(fam["cu"], 3) if len(mine) > 1 else float("nan")})
    overall = alpha_family(codings, lengths, domain)
    return per_code, pd.DataFrame(rows, columns=["domain", "codes", "alpha_binary", "cu_alpha"]), {
        "alpha_binary": round(overall["binary"], 3), "Cu_alpha": round(overall["cu"], 3),
        "u_alpha": round(alpha_family(codings, lengths)["u"], 3), "overlapping_codes": overlaps(codings)}


def overlaps(codings: pd.DataFrame) -> dict[str, int]:
    """Per semantic domain, the characters to which one coder gave two or more of its codes (ATLAS.ti
    forbids it; NVivo coders do it).  The alphas then pair equal codes first (``_pair_sets``)."""
    out: dict[str, int] = {}
    for (doc, coder), g in codings.groupby(["document", "coder"]):
        for d, h in g.groupby(g["code"].map(domain)):
            if h["code"].nunique() < 2:
                continue
            edges = sorted(set(h["start"].astype(int)) | set(h["end"].astype(int)))
            depth = np.zeros(max(len(edges) - 1, 0), dtype=int)
            for code, k in h.groupby("code"):
                cover = np.zeros_like(depth)
                for s, e in zip(k["start"].astype(int), k["end"].astype(int)):
                    cover[edges.index(s):edges.index(e)] = 1
                depth += cover
            width = np.diff(edges)
            n = int(width[depth > 1].sum()) if len(width) else 0
            if n:
                out[d] = out.get(d, 0) + n
    return dict(sorted(out.items()))


def report(codings: pd.DataFrame, lengths: dict, coders=None, min_overlap: float = 90.0) -> dict:
    """Everything at once: the MAXQDA tables, ATLAS.ti's alphas and the segments to reconcile.

    The alphas are computed on the documents both coders coded, with each document's ``lengths``.
    """
    a, b = _two(codings, coders)
    codings = codings[codings["coder"].isin([a, b])]
    pf = presence_and_frequency(codings, (a, b))
    seg = segment_agreement(codings, (a, b), min_overlap)
    codes = sorted(codings["code"].unique())
    per_code = pf.groupby("code").agg(documents=("document", "size"), presence=("presence_agrees", "mean"),
                                      frequency=("frequency_agrees", "mean")).reset_index()
    per_code[["presence", "frequency"]] = (100 * per_code[["presence", "frequency"]]).round(1)
    both = {d for d in lengths if {a, b} <= set(codings.loc[codings["document"] == d, "coder"])}
    shared = codings[codings["document"].isin(both)]
    if both:
        alphas, domains, overall = unitizing_tables(shared, {d: lengths[d] for d in both})
        per_code = per_code.merge(alphas, on="code", how="left")
    else:
        per_code["alpha_binary"] = float("nan")
        domains = pd.DataFrame(columns=["domain", "codes", "alpha_binary", "cu_alpha"])
        overall = {"alpha_binary": float("nan"), "Cu_alpha": float("nan"), "u_alpha": float("nan"),
                   "overlapping_codes": {}}
    return {
        "domains": domains, "alpha": overall,
        "coders": (a, b), "min_overlap": min_overlap,
        "presence_percent": round(100 * pf["presence_agrees"].mean(), 1) if len(pf) else float("nan"),
        "frequency_percent": round(100 * pf["frequency_agrees"].mean(), 1) if len(pf) else float("nan"),
        "per_code": per_code, "segments": segment_table(seg, len(codes)),
        "to_reconcile": reconcile(codings, (a, b), min_overlap),
        "documents": pf,
    }


def from_segments(segments: pd.DataFrame, min_overlap: float = 90.0, codebook: pd.DataFrame | None = None
                  ) -> dict | None:
    """The report for ``coded/segments.csv`` when it holds exactly two coders of the same studies, else None.

    Studies are the documents.  Segment overlap needs character positions ('characters a-b', as
    imports from QDA projects write them); without them only presence and frequency are computed.
    The alphas need each document's length, which segments do not carry: they are left out here
    (``pipeline reliability A.qdpx B.qdpx`` computes it from the projects).
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
    names = _code_names(codebook) if codebook is not None else {}
    codings = pd.DataFrame({"document": seg["study_id"], "code": seg["code_id"].map(lambda c: names.get(c, c)),
                            "coder": seg["coder"], "start": pd.to_numeric(pos[0]), "end": pd.to_numeric(pos[1]),
                            "segment": seg["segment_id"], "quote": seg["quote"]})
    positioned = bool(pos.notna().all().all())
    res = report(codings.fillna(0), {}, coders, min_overlap)
    res["per_code"] = res["per_code"].drop(columns="alpha_binary")
    if not positioned:
        res["segments"] = res["segments"].iloc[0:0]
        res["to_reconcile"] = res["to_reconcile"].iloc[0:0]
    res["positioned"] = positioned
    return res


def _code_names(codebook: pd.DataFrame) -> dict[str, str]:
    """node id -> the code's name, with its id where two codes share a name (names recur under parents)."""
    names = dict(zip(codebook["node_id"], codebook["name"]))
    twice = {n for n, k in codebook["name"].value_counts().items() if k > 1}
    return {nid: f"{n} ({nid})" if n in twice else n for nid, n in names.items()}


def coders_note(segments: pd.DataFrame) -> str:
    """Why no agreement between coders is reported, in one sentence."""
    coders = sorted(segments["coder"].unique())
    if len(coders) != 2:
        return (f"The coded segments hold {len(coders)} coder(s) ({', '.join(coders) or 'none'}): agreement between "
                f"coders needs exactly two who coded the same studies.")
    return f"Coders {coders[0]} and {coders[1]} coded no study in common: there is nothing to compare."
