"""Import and deduplicate 100,000 synthetic RIS records with 10% planted duplicates.

Planted duplicates: a third exact copies, the rest with one or two typos in the title, or with
changed case and punctuation and the first author's given name cut to an initial (those lose
their DOI, as copies from another database often do).  Reports seconds, peak memory,
precision and recall for this pipeline (``records.read_export`` + ``dedup.find_duplicates``)
and for ASReview LAB's own duplicate grouping on import (``load_records`` +
``identify_record_groups``) on the same file, each in its own process, in the same run.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ASREVIEW_PYTHON = ROOT / ".venv-bench" / "bin" / "python"
N_TOTAL, DUP_SHARE, SEED = 100_000, 0.10, 7


def make_corpus(path: Path, n_total: int = N_TOTAL, seed: int = SEED) -> dict[int, int]:
    """Write the RIS file; return {duplicate index: original index} (0-based record order)."""
    rng = np.random.default_rng(seed)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    vocab = np.array(["".join(rng.choice(letters, rng.integers(3, 10))) for _ in range(4000)])
    surnames = ["".join(rng.choice(letters, rng.integers(4, 9))).capitalize() for _ in range(20000)]
    n_dup = int(n_total * DUP_SHARE)
    n_orig = n_total - n_dup
    originals = []
    for i in range(n_orig):
        title = " ".join(rng.choice(vocab, rng.integers(6, 14))).capitalize()
        authors = [f"{surnames[rng.integers(len(surnames))]}, {surnames[rng.integers(len(surnames))]}"
                   for _ in range(rng.integers(1, 4))]
        originals.append({"title": title, "authors": authors, "year": int(rng.integers(1990, 2025)),
                          "doi": f"10.{1000 + i % 9000}/j.{i}" if rng.random() < 0.7 else "",
                          "abstract": " ".join(rng.choice(vocab, 25))})
    records = list(originals)
    truth = {}
    for k in range(n_dup):
        o = int(rng.integers(n_orig))
        r = dict(originals[o])
        kind = k % 3
        if kind == 1:  # typos in the title
            t = list(r["title"])
            for _ in range(int(rng.integers(1, 3))):
                pos = int(rng.integers(1, len(t) - 1))
                t[pos] = str(rng.choice(letters))
            r["title"], r["doi"] = "".join(t), ""
        elif kind == 2:  # case, punctuation, initials
            r["title"] = r["title"].upper() + "."
            surname, given = r["authors"][0].split(", ")
            r["authors"] = [f"{surname}, {given[0]}."] + r["authors"][1:]
            r["doi"] = ""
        truth[len(records)] = o
        records.append(r)
    order = rng.permutation(len(records))
    position = {int(old): new for new, old in enumerate(order)}
    with path.open("w", encoding="utf-8") as f:
        for old in order:
            r = records[old]
            f.write("TY  - JOUR\n")
            f.write(f"TI  - {r['title']}\n")
            for a in r["authors"]:
                f.write(f"AU  - {a}\n")
            f.write(f"PY  - {r['year']}\n")
            if r["doi"]:
                f.write(f"DO  - {r['doi']}\n")
            f.write(f"AB  - {r['abstract']}\nER  - \n\n")
    return {position[d]: position[o] for d, o in truth.items()}


OURS = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from pipeline.search import dedup, records
df = records.read_export(sys.argv[1], "Synthetic")
groups = dedup.find_duplicates(df)
seconds = time.perf_counter() - t0
index = {rid: i for i, rid in enumerate(df["record_id"])}
pairs = [[index[r], index[k]] for r, k, kept in zip(groups["record_id"], groups["kept_record"], groups["kept"]) if not kept]
print(json.dumps({"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "pairs": pairs}))
"""

ASREVIEW = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from asreview.data.loader import load_records
from asreview.data.utils import identify_record_groups
from asreview.database.database import Database
db = Database(":memory:")  # what asreview.data.load_dataset does on import, step by step
db.create_tables()
recs = load_records(sys.argv[1], dataset_id="synthetic")
db.input.add_records(records=recs)
groups = identify_record_groups(recs)
db.input.set_groups(groups)
seconds = time.perf_counter() - t0
index = {r.record_id: i for i, r in enumerate(recs)}
pairs = [[index[rid], index[gid]] for gid, rid in groups if gid != rid]
print(json.dumps({"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "pairs": pairs}))
"""


def score(pairs, truth: dict[int, int]) -> dict:
    """Precision and recall of flagged records against the planted duplicates.

    A flagged record is correct when it is a planted duplicate whose group (original and its
    copies) contains the record it was matched to.
    """
    group = {}
    for d, o in truth.items():
        group[d] = o
        group.setdefault(o, o)
    correct = sum(1 for d, k in pairs if d in group and group.get(k, -1) == group[d])
    flagged = len(pairs)
    return {"flagged": flagged, "precision": round(correct / flagged, 4) if flagged else None,
            "recall": round(correct / len(truth), 4)}


def run(python: Path, code: str, path: Path, repeat: int) -> dict:
    results = []
    for _ in range(repeat):
        # A scratch working folder: ASReview writes an HTTP cache (synergy_cache.sqlite) where it runs.
        out = subprocess.run([str(python), "-c", code, str(path)], capture_output=True, text=True, cwd=path.parent,
                             check=True)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {"seconds_median": round(statistics.median(r["seconds"] for r in results), 2),
            "peak_mb": round(max(r["peak_mb"] for r in results)), "pairs": results[0]["pairs"]}


def main(repeat: int = 3) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "synthetic.ris"
        truth = make_corpus(path)
        ours = run(Path(sys.executable), OURS, path, repeat)
        result = {"benchmark": f"import + deduplicate {N_TOTAL} RIS records, {len(truth)} planted duplicates",
                  "pipeline": {k: v for k, v in ours.items() if k != "pairs"} | score(ours["pairs"], truth)}
        if ASREVIEW_PYTHON.exists():
            asr = run(ASREVIEW_PYTHON, ASREVIEW, path, 1)
            result["asreview_lab"] = {k: v for k, v in asr.items() if k != "pairs"} | score(asr["pairs"], truth)
            result["speed_ratio_asreview_over_pipeline"] = round(asr["seconds_median"] / ours["seconds_median"], 2)
        else:
            result["asreview_lab"] = "not installed: run `make bench` (it creates .venv-bench with ASReview LAB)"
    p = result["pipeline"]
    result["targets"] = {"under_20_s": p["seconds_median"] < 20, "recall_at_least_0.95": p["recall"] >= 0.95,
                         "precision_at_least_0.99": (p["precision"] or 0) >= 0.99,
                         "faster_than_asreview": result.get("speed_ratio_asreview_over_pipeline", 0) > 1}
    return result


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
