"""Duplicate records: grouped, never deleted, and never two different studies in one group.

Candidate pairs come from several blocking keys (DOI, title, title start and end, first
author + year, volume + first page), so a typo in one field does not hide a pair, and the
work grows with block sizes rather than the square of the corpus.  Each pair is then judged
on all the evidence: the title (rapidfuzz), DOI, first author (folded, particles dropped,
given/family order tolerated), year (±1, for online-first), journal, volume, issue and first
page.  Errata, retractions, comments and conference abstracts are different records from the
article they refer to, and a same-DOI pair with clearly different titles (a supplement's
abstracts share its DOI) is not a duplicate.

Groups are built from the strongest pairs down, and two groups are joined only if no pair
across them is known to differ (different DOIs, kinds or years, a reviewer's
``not_duplicate``), so one ambiguous record cannot chain two studies together.  Every input
of the decision is a record's content, so any import order gives the same groups.  A
reviewer's override in ``dedup_overrides.csv`` wins.
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import pandas as pd

from .records import family_name, fold, normalize_doi, normalize_title, split_authors

GROUP_COLUMNS = ["group", "record_id", "kept_record", "kept", "reason", "score", "title", "year", "source"]
LONG_WORD = re.compile(r"[^\W\d_]{3,}")
MAX_BLOCK = 400  # records with one key value compared all against all; a larger block is compared
WINDOW = 20  # ... as a sorted neighbourhood: each record with the next WINDOW in title order

ERRATUM = re.compile(r"^\W*(erratum|errata|corrigendum|corrigenda|correction|publisher s note|author correction|"
                     r"notice of retraction and replacement)\b|\(vol\W+\d+\W.*\b(pg|pp?)\W+\d+|^\W*correction to\b")
RETRACTION = re.compile(r"^\W*(retraction|retracted|withdrawn|expression of concern|notice of retraction)\b")
COMMENT = re.compile(r"^\W*(comment on|comments on|commentary on|reply\b|in reply|response to|re\b|"
                     r"letter to the editor|author s reply|authors reply)")
CONFERENCE = re.compile(r"conference|meeting|proceeding|congress|symposium|\bconf\b|\bcpaper\b|inproceedings|"
                        r"\babstr\b|conference abstract")


TITLE_TAIL = re.compile(r"(\s*\[review\]|\s*\[\d+ refs\]|\.?\s*\[(erratum|comment|retraction|corrected|published|see)\b.*|\.\.\.\s.*\b(19|20)\d\d\b.*|"
                        r"\s*\([^()]*\(\d{4}\)[^()]*(\([^()]*\))?[^()]*\)\s*$)", re.IGNORECASE)


def kind_of(title: str, type_: str, normalized: str | None = None) -> str:
    """What a record is, as far as its title and type tell: erratum, retraction, comment, conference or ''."""
    t = normalize_title(title) if normalized is None else normalized
    if ERRATUM.search(t):
        return "erratum"
    if RETRACTION.search(t):
        return "retraction"
    if COMMENT.search(t):
        return "comment"
    if CONFERENCE.search(fold(type_ or "")):
        return "conference"
    return ""


MAX_TITLE = 1000  # characters compared: no real title is longer, and fuzzy matching costs length x length


def title_key(title: str) -> str:
    """The title for comparison: folded, without a bracketed translation marker or a trailing erratum note."""
    t = (title or "").strip()[:MAX_TITLE]
    if t.startswith("[") and t.rstrip(".").endswith("]"):
        t = t.strip("[].")  # MEDLINE marks titles translated into English with brackets
    t = TITLE_TAIL.sub("", t)  # "[Erratum appears in ...]", "... N Engl J Med. 2009 ...", "(Journal (2009) 3)"
    return normalize_title(t)


def _digits(value: str) -> str:
    m = re.search(r"\d+", value or "")
    return m.group(0).lstrip("0") if m else ""


def _volume(value: str) -> str:
    """The volume number; '' for a cell Embase broke ('1)': the tail of '38 (Supplement 1)'), which would
    otherwise make every such record 'the same volume'."""
    if re.fullmatch(r"\s*\d+\s*\)\s*", value or ""):
        return ""
    return _digits(value)


def _clean_pages(value: str) -> bool:
    """'125-128', 'S109-S112', 'e12724': a page field that can be trusted to tell two papers apart."""
    m = re.fullmatch(r"\s*([A-Za-z]{0,2})(\d+)(?:\s*-+\s*([A-Za-z]{0,2})(\d+))?\s*", value or "")
    return bool(m) and (m.group(4) is None or int(m.group(4)) >= int(m.group(2)) or len(m.group(4)) < len(m.group(2)))


def _first_page(value: str) -> str:
    """'S109' from 'S109-S112', 'e12724', '945' from '945-948'; '' when there is none."""
    m = re.match(r"\s*([A-Za-z]?)0*(\d+)", value or "")
    return (m.group(1).lower() + m.group(2)) if m else ""


def _page_cmp(a: str, b: str) -> int:
    """+1 same first page, -1 different, 0 unknown: an article number ('c1804', 'e12724') against a
    page, or pages one apart (a page range read with or without its first page), tell nothing."""
    if not a or not b:
        return 0
    if a == b:
        return 1
    if a[0].isalpha() != b[0].isalpha():
        return 0
    if a.isdigit() and b.isdigit() and abs(int(a) - int(b)) <= 1:
        return 0
    return -1


def _one_apart(a: str, b: str) -> bool:
    """Two first pages that are neighbouring numbers ('51' / '52')."""
    return a.isdigit() and b.isdigit() and abs(int(a) - int(b)) == 1


def _page_range(value: str) -> str:
    """'1647-1653' for a range of two pages or more (one-page abstracts share pages), else ''."""
    m = re.fullmatch(r"\s*(\d+)\s*-+\s*(\d+)\s*", value or "")
    if not m:
        return ""
    start, end = m.group(1), m.group(2)
    if len(end) < len(start):
        end = start[:len(start) - len(end)] + end  # '1647-53'
    return f"{int(start)}-{int(end)}" if int(end) > int(start) else ""


def _journal(value: str) -> str:
    return " ".join(w for w in normalize_title(value).split() if w not in ("the", "of", "and", "journal", "j"))


def prepare(records: pd.DataFrame) -> pd.DataFrame:
    """The comparison keys of every record (one row per record, same order)."""
    get = lambda c: records[c].fillna("").astype(str) if c in records else pd.Series("", index=records.index)  # noqa
    title = get("title")
    p = pd.DataFrame(index=records.index)
    p["title"] = title.map(title_key)
    plain = [normalize_title(t) if (t.startswith("[") or "(" in t or "..." in t) else k
             for t, k in zip(title, p["title"])]  # title_key only cuts those; the kind needs the whole title
    p["kind"] = [kind_of(t, ty, n) for t, ty, n in zip(title, get("type"), plain)]
    p["doi"] = get("doi").map(normalize_doi)  # records.csv holds bare DOIs; other callers may not
    p["year"] = pd.to_numeric(get("year").str.extract(r"(\d{4})", expand=False), errors="coerce").fillna(-1)
    names = get("authors").map(split_authors)
    p["author"] = names.map(lambda n: family_name(n[0]) if n else "")
    p["authors"] = names.map(lambda n: frozenset(k for k in map(family_name, n[:6]) if k))
    p["first_words"] = names.map(lambda n: frozenset(
        w for w in LONG_WORD.findall(fold(n[0] if n else "")) if w != "null"))
    p["journal"] = get("journal").map(_journal)
    p["volume"] = get("volume").map(_volume)
    p["issue"] = get("issue").map(_digits)
    p["page"] = get("pages").map(_digits)
    p["first_page"] = get("pages").map(_first_page)
    p["clean_pages"] = get("pages").map(_clean_pages)
    p["page_range"] = get("pages").map(_page_range)
    p["numbers"] = p["title"].map(lambda t: frozenset(re.findall(r"\d+", t)))
    return p.reset_index(drop=True)


def _blocks(p: pd.DataFrame) -> set[tuple[int, int]]:
    words = p["title"].str.split()
    keys = {
        "doi": p["doi"],
        "title": p["title"].where(p["title"].str.len() >= 12, ""),
        "start": words.map(lambda w: " ".join(w[:4]) if len(w) >= 4 else ""),
        "end": words.map(lambda w: " ".join(w[-4:]) if len(w) >= 4 else ""),
        "author_year": (p["author"] + "|" + p["year"].astype(int).astype(str)).where(p["author"] != "", ""),
        "volume_page": (p["volume"] + "|" + p["page"]).where((p["volume"] != "") & (p["page"] != ""), ""),
    }
    # Within a block too large to compare all against all (a DOI given to a whole volume, 401 copies of
    # one record, a common name and year), records are ordered by what tells them apart and each is
    # compared with its next WINDOW: no block is ever skipped, and copies end up next to each other.
    order = np.lexsort((np.arange(len(p)), p["author"].to_numpy(), p["year"].to_numpy(), p["title"].to_numpy()))
    rank = np.empty(len(p), dtype=np.int64)
    rank[order] = np.arange(len(p))
    pairs: set[tuple[int, int]] = set()
    for key in keys.values():
        codes, _ = pd.factorize(key.to_numpy())
        codes[key.to_numpy() == ""] = -1
        counts = np.bincount(codes[codes >= 0], minlength=1)
        size = np.where(codes >= 0, counts[np.maximum(codes, 0)], 0)
        members = np.nonzero(size > 1)[0]
        members = members[np.lexsort((rank[members], codes[members]))]
        cuts = np.nonzero(np.diff(codes[members]))[0] + 1
        for block in np.split(members, cuts):
            block = block.tolist()
            if len(block) <= MAX_BLOCK:
                pairs.update(itertools.combinations(block, 2))
            else:
                pairs.update((block[k], block[m]) for k in range(len(block))
                             for m in range(k + 1, min(k + 1 + WINDOW, len(block))))
    return {(min(a, b), max(a, b)) for a, b in pairs}


def _same_person(a_key: str, b_key: str, a_set: frozenset, b_set: frozenset, a_words: frozenset,
                 b_words: frozenset) -> bool:
    """Same authors: equal first family names, a spelling variant, given and family name swapped
    ('Ching-yi, Wu' / 'Wu, Ching-yi'), or two of the first six family names in common."""
    from rapidfuzz import fuzz

    if not a_key or not b_key:
        return False
    return (a_key == b_key or a_key in b_words or b_key in a_words
            or (min(len(a_key), len(b_key)) >= 4 and fuzz.ratio(a_key, b_key) >= 80)
            or len(a_set & b_set) >= 2)


def _journal_differs(a: str, b: str) -> bool:
    """Two journals with nothing in common: no word of one begins a word of the other ('free radical
    biology medicine' / 'vascular research'; not 'obesity' / 'obesity silver spring')."""
    wa, wb = a.split(), b.split()
    if not wa or not wb:
        return False
    return not any(x.startswith(y) or y.startswith(x) for x in wa for y in wb)


def _journal_same(a: str, b: str) -> bool:
    """Same journal, allowing abbreviations ('nat rev nephrol' / 'nature reviews nephrology')."""
    if not a or not b:
        return False
    if a == b:
        return True
    wa, wb = a.split(), b.split()
    if len(wa) > len(wb):
        wa, wb = wb, wa
    # Each word of the shorter name begins a word of the longer one, in order ('cir cir' /
    # 'cirugia y cirujanos', 'nat rev nephrol' / 'nature reviews nephrology').
    k = 0
    for w in wa:
        while k < len(wb) and not wb[k].startswith(w):
            k += 1
        if k == len(wb):
            return False
        k += 1
    return len(wa) >= min(2, len(wb))


def judge(p: pd.DataFrame, pairs: np.ndarray) -> pd.DataFrame:
    """Each candidate pair's evidence, score and verdict (``duplicate``) with the reasons that decided it."""
    from rapidfuzz import fuzz, process

    a, b = pairs[:, 0], pairs[:, 1]
    titles = p["title"].to_numpy()
    ts = process.cpdist(titles[a], titles[b], scorer=fuzz.ratio, workers=1) if len(a) else np.zeros(0)
    # A title cut short (a lost subtitle, a truncated field) begins the other one.
    lengths = np.array([len(t) for t in titles])
    short = np.minimum(lengths[a], lengths[b])
    cut_a = np.array([t[:m] for t, m in zip(titles[b], short)], dtype=object)
    cut_b = np.array([t[:m] for t, m in zip(titles[a], short)], dtype=object)
    prefix = process.cpdist(cut_b, cut_a, scorer=fuzz.ratio, workers=1) if len(a) else np.zeros(0)
    prefix = np.where(short >= 20, prefix, 0)
    col = {c: p[c].to_numpy() for c in ("doi", "year", "kind", "author", "authors", "first_words", "journal",
                                        "volume", "issue", "page", "first_page", "clean_pages", "page_range",
                                        "numbers")}
    rows = []
    for k in range(len(a)):
        i, j, score = a[k], b[k], float(ts[k])
        why, verdict = [], False
        ti, tj = titles[i], titles[j]
        doi_i, doi_j = col["doi"][i], col["doi"][j]
        yi, yj = col["year"][i], col["year"][j]
        dy = abs(yi - yj) if yi > 0 and yj > 0 else 0
        same_doi = bool(doi_i) and doi_i == doi_j
        diff_doi = bool(doi_i) and bool(doi_j) and doi_i != doi_j
        person = _same_person(col["author"][i], col["author"][j], col["authors"][i], col["authors"][j],
                              col["first_words"][i], col["first_words"][j])
        no_author = not col["author"][i] or not col["author"][j]

        def cmp(c):
            x, y = col[c][i], col[c][j]
            return 0 if not x or not y else (1 if x == y else -1)

        vol, issue = cmp("volume"), cmp("issue")
        page = _page_cmp(col["first_page"][i], col["first_page"][j])
        twin = score == 100 and col["authors"][i] == col["authors"][j]  # same title and authors, word for word
        if page == 0 and not twin and _one_apart(col["first_page"][i], col["first_page"][j]):
            page = -1  # neighbouring abstracts of one supplement; only a copy in every other respect is spared
        journal = _journal_same(col["journal"][i], col["journal"][j])
        # Journals with nothing in common tell two records apart when their authors differ too (one
        # study's abstracts at two meetings); with the same authors it is a translated journal name
        # ('Chinese Journal of Lung Cancer' / 'Zhongguo Fei Ai Za Zhi').
        other_journal = _journal_differs(col["journal"][i], col["journal"][j]) and col["authors"][i] != col["authors"][j]
        # Issue numbers are often wrong (record numbers in some exports): they count only without pages,
        # where they are what tells apart a column that recurs in every issue.
        # Pages are often garbled ('Suppl-12', 't-8', an article number): a long, near-identical
        # title by the same author in the same year outweighs them.
        # Issue numbers are wrong too often (some exports put record numbers there): only small ones count.
        small_issues_differ = issue < 0 and max(len(col["issue"][i]), len(col["issue"][j])) <= 2
        garbled = not (col["clean_pages"][i] and col["clean_pages"][j])
        same_paper = (garbled and score >= 98 and min(len(ti), len(tj)) >= 50 and person and dy == 0 and vol >= 0
                      and issue >= 0)
        contradiction = (vol < 0 or (page < 0 and not same_paper) or (small_issues_differ and page == 0)
                         or other_journal)
        numbers_i, numbers_j = col["numbers"][i], col["numbers"][j]
        venue = vol > 0 or page > 0 or journal
        if col["kind"][i] != col["kind"][j]:
            why.append(f"different kinds ({col['kind'][i] or 'article'} / {col['kind'][j] or 'article'})")
        elif same_doi:
            if page < 0 and not same_paper and not twin:
                why.append("same DOI but different pages (a supplement's abstracts share its DOI)")
            elif score >= 70 or not ti or not tj:
                verdict = dy <= 1 or score >= 95
                why.append("same DOI")
            else:
                why.append("same DOI but different titles")
        elif diff_doi:
            verdict = score >= 97 and person and dy == 0 and vol > 0 and page > 0
            why.append("different DOIs" + ("; same title, author, year, volume and page" if verdict else ""))
        elif not ti or not tj:
            why.append("no title")
        elif (person and dy == 0 and vol > 0 and journal and col["page_range"][i]
              and col["page_range"][i] == col["page_range"][j] and not small_issues_differ):
            verdict = True  # a translated or re-worded title: same author, year, journal, volume and pages
            why.append("same author, year, journal, volume and page range")
        elif dy > 1:
            why.append("years differ by more than one")
        elif numbers_i and numbers_j and numbers_i != numbers_j:
            why.append("numbers in the titles differ")  # 'Part 1' / 'Part 2', 'FOCUS 1' / 'FOCUS 2'
        elif dy == 1 and not venue:
            why.append("years differ and no journal, volume or page to confirm")
        elif contradiction:
            why.append("volume, issue or pages differ")
        elif len(ti) < 30 and len(tj) < 30:
            # A short title needs a venue to confirm it, unless neither record has one to tell: then the
            # same title, word for word, with the same first author and year is the same record.
            bare = not (col["journal"][i] or col["volume"][i] or col["page"][i]) or \
                not (col["journal"][j] or col["volume"][j] or col["page"][j])
            same_record = (score == 100 and len(ti.split()) >= 2 and bare and dy == 0 and yi > 0
                           and col["author"][i] == col["author"][j] != "")
            verdict = score >= 95 and person and (venue or same_record)
            why.append("short title" + ("; no venue on one side: same title, first author and year"
                                        if verdict and not venue else ""))
        elif score >= 95:
            same_range = bool(col["page_range"][i]) and col["page_range"][i] == col["page_range"][j]
            verdict = person or (no_author and venue) or (same_range and vol > 0 and dy == 0)
            why.append("title")
        elif score >= 88 or prefix[k] >= 97:
            verdict = person and venue
            why.append("similar title" if score >= 88 else "one title begins the other")
        else:
            why.append("titles differ")
        if verdict:
            why += [w for w, ok in (("first author", person), (f"year ±{int(dy)}" if dy else "year", yi > 0 and yj > 0),
                                    ("journal", journal), ("volume", vol > 0), ("pages", page > 0)) if ok]
        rows.append((verdict, score, "; ".join(why)))
    return pd.DataFrame({"a": a, "b": b, "duplicate": [r[0] for r in rows], "score": [r[1] for r in rows],
                         "reason": [r[2] for r in rows]})


def find_duplicates(records: pd.DataFrame, overrides: pd.DataFrame | None = None,
                    protected: set | None = None) -> pd.DataFrame:
    """Duplicate groups: one row per record in a group, with the kept record, the reason and the score.

    The kept record is a ``protected`` one (already screened) if the group has one, else the
    earliest in table order, so records already in the corpus keep their place.  Two protected
    records are never grouped: reviewers already screened both.  ``overrides`` has columns
    ``record_a, record_b, decision`` with ``not_duplicate`` (never grouped) or ``duplicate``.
    """
    records = records.reset_index(drop=True)
    n = len(records)
    ids = records["record_id"].to_numpy()
    index = {rid: i for i, rid in enumerate(ids)}
    protected_idx = {index[r] for r in (protected or ()) if r in index}
    p = prepare(records)
    never, forced = set(), []
    for o in ([] if overrides is None else overrides.to_dict("records")):
        i, j = index.get(o["record_a"]), index.get(o["record_b"])
        if i is not None and j is not None:
            (never.add((min(i, j), max(i, j))) if o["decision"] == "not_duplicate" else forced.append((i, j)))

    pairs = np.array(sorted(_blocks(p)), dtype=np.int64).reshape(-1, 2)
    judged = judge(p, pairs)
    edges = judged[judged["duplicate"].astype(bool)].copy()
    # Strongest first, ties by position of the records' ids: independent of the table's order.
    edges["ka"] = ids[edges["a"].to_numpy(dtype=np.int64)]
    edges["kb"] = ids[edges["b"].to_numpy(dtype=np.int64)]
    edges = edges.sort_values(["score", "ka", "kb"], ascending=[False, True, True], kind="stable")

    members = {i: [i] for i in range(n)}
    root = np.arange(n)
    reason: dict[int, tuple[str, float]] = {}
    kind, doi, year = p["kind"].to_numpy(), p["doi"].to_numpy(), p["year"].to_numpy()
    apart: dict[int, set] = {}
    for i, j in never:
        apart.setdefault(i, set()).add(j)
        apart.setdefault(j, set()).add(i)
    # What a group holds, kept up to date as groups join: any protected record, its DOIs, its years.
    held = {i: (i in protected_idx, {doi[i]} - {""}, {year[i]} - {-1}) for i in range(n)}

    def allowed(ra, rb):
        """No record of one group is known to differ from a record of the other: a different kind,
        DOI or year (more than one apart), a reviewer's not_duplicate, or both already screened.
        Checked on the groups' summaries, so a join costs the size of the groups, not their product."""
        (pa, da, ya), (pb, db, yb) = held[ra], held[rb]
        if kind[ra] != kind[rb] or (pa and pb) or len(da | db) > 1:
            return False
        if ya and yb and max(max(ya) - min(yb), max(yb) - min(ya)) > 1:
            return False
        small, other = (members[ra], set(members[rb])) if len(members[ra]) <= len(members[rb]) else \
            (members[rb], set(members[ra]))
        return not any(apart.get(x, set()) & other for x in small)

    def join(i, j, why, score, check=True):
        ra, rb = root[i], root[j]
        if ra == rb or (check and not allowed(ra, rb)):
            return
        if len(members[ra]) < len(members[rb]):
            ra, rb = rb, ra
        for x in members[rb]:
            root[x] = ra
        members[ra] += members.pop(rb)
        (pa, da, ya), (pb, db, yb) = held[ra], held.pop(rb)
        held[ra] = (pa or pb, da | db, ya | yb)
        for x in (i, j):
            reason.setdefault(x, (why, score))

    for i, j, why, score in zip(edges["a"], edges["b"], edges["reason"], edges["score"]):
        join(int(i), int(j), why, float(score))
    for i, j in forced:
        join(i, j, "reviewer override: duplicate", 100.0, check=False)

    rows = []
    for group in members.values():
        if len(group) < 2:
            continue
        group = sorted(group, key=lambda x: (x not in protected_idx, x))
        keep = group[0]
        for x in sorted(group):
            why, score = reason.get(x, ("same group", 0.0))
            rows.append({"group": ids[keep], "record_id": ids[x], "kept_record": ids[keep], "kept": x == keep,
                         "reason": "" if x == keep else why, "score": "" if x == keep else f"{score:.1f}",
                         "title": records["title"].iloc[x], "year": records["year"].iloc[x],
                         "source": records["source"].iloc[x] if "source" in records else ""})
    out = pd.DataFrame(rows, columns=GROUP_COLUMNS)
    return out.sort_values(["group", "kept", "record_id"], ascending=[True, False, True]).reset_index(drop=True)


def mark_duplicates(records: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """Set ``duplicate_of`` and ``duplicate_reason`` from the groups (nothing is removed)."""
    out = records.copy()
    out["duplicate_of"], out["duplicate_reason"] = "", ""
    if groups.empty:
        return out
    dup = groups[~groups["kept"].astype(bool)].set_index("record_id")
    mask = out["record_id"].isin(dup.index)
    out.loc[mask, "duplicate_of"] = out.loc[mask, "record_id"].map(dup["kept_record"])
    out.loc[mask, "duplicate_reason"] = out.loc[mask, "record_id"].map(dup["reason"])
    return out
