"""Deduplication on ASySD's labelled test set, ours beside bib-dedupe, in one run (issue 22).

The set is ``tests/testthat/labelled_test_set.csv`` of camaradesuk/ASySD (GPL-3.0; not in this
repository: ``benchmarks/get_dedup_libraries.sh`` puts it in ``~/.cache/qes-pipeline/dedup-libraries``):
1,845 Embase, MEDLINE and Web of Science records of a preclinical diabetes review, each marked
``unique`` (the copy a reviewer kept) or ``duplicate`` (a copy removed) in its ``source`` column.  It
names no groups, so it is scored per record as ASySD's own validation scores it
(``validation/calculate_performance_function.R``, ``keep_label = "Unique"``): in each group a tool
finds, a record marked ``unique`` is the one kept if there is one; every other record of the group
counts as removed.  Precision is the share of removed records that are ``duplicate``; recall the
share of ``duplicate`` records removed.  The set writes all of a record's authors in one run
('Adeli K.Lewis G. F.'): both tools get them split at each name ('Adeli K.; Lewis G. F.').
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from pipeline.search import dedup  # noqa: E402

CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "qes-pipeline" / "dedup-libraries"
FILE = CACHE / "asysd" / "labelled_test_set.csv"
BIBDEDUPE = ROOT / ".venv-bibdedupe" / "bin" / "python"
NAME_END = re.compile(r"(?<=\.)(?=[A-Z][a-z])")  # 'Adeli K.Lewis G. F.' -> 'Adeli K.' | 'Lewis G. F.'


def load() -> pd.DataFrame:
    raw = pd.read_csv(FILE, dtype=str, encoding="cp1252").fillna("")  # the file is Windows-1252
    names = raw["author"].map(lambda a: [n.strip() for n in NAME_END.split(a) if n.strip()])
    return pd.DataFrame({"record_id": raw["record_id"], "title": raw["title"], "authors": names.map("; ".join),
                         "author_bibtex": names.map(" and ".join), "year": raw["year"], "doi": raw["doi"],
                         "journal": raw["journal"], "volume": raw["volume"], "issue": raw["number"],
                         "pages": raw["pages"], "type": "", "source": "asysd", "truth": raw["source"]})


def removed(groups: list[set], truth: dict) -> set:
    """The records a tool removes: all of each group but one, a record marked unique kept if there is one."""
    out = set()
    for g in groups:
        keep = min(g, key=lambda r: (truth[r] != "unique", r))
        out |= g - {keep}
    return out


def score(gone: set, truth: dict) -> dict:
    dup = {r for r, t in truth.items() if t == "duplicate"}
    tp, fp, fn = len(gone & dup), len(gone - dup), len(dup - gone)
    return {"precision": round(tp / (tp + fp), 4) if tp + fp else 1.0, "recall": round(tp / (tp + fn), 4),
            "tp": tp, "fp": fp, "fn": fn}


def ours(records: pd.DataFrame) -> tuple[list, float]:
    start = time.perf_counter()
    g = dedup.find_duplicates(records.drop(columns=["truth", "author_bibtex"]))
    return [set(x) for _, x in g.groupby("group")["record_id"]], time.perf_counter() - start


def theirs(records: pd.DataFrame) -> tuple[list, float] | None:
    if not BIBDEDUPE.exists():
        return None
    colrev = pd.DataFrame({"ID": records["record_id"], "ENTRYTYPE": "article", "title": records["title"],
                           "author": records["author_bibtex"], "year": records["year"], "journal": records["journal"],
                           "volume": records["volume"], "number": records["issue"], "pages": records["pages"],
                           "doi": records["doi"]})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "records_pre_merged.csv"
        colrev.to_csv(path, index=False)
        out = subprocess.run([str(BIBDEDUPE), str(HERE / "bibdedupe_groups.py"), str(path)], capture_output=True,
                             text=True, check=True)
    res = json.loads(out.stdout.strip().splitlines()[-1])
    return [set(g) for g in res["groups"]], res["seconds"]


def main(with_bibdedupe: bool = True) -> dict:
    if not FILE.exists():
        return {"skipped": f"{FILE} not found; run benchmarks/get_dedup_libraries.sh"}
    records = load()
    truth = dict(zip(records["record_id"], records["truth"]))
    result = {"records": len(records), "duplicates": int((records["truth"] == "duplicate").sum())}
    runs = {"ours": ours(records)}
    if with_bibdedupe:
        runs["bib-dedupe"] = theirs(records)
    for tool, run in runs.items():
        if run is not None:
            result[tool] = score(removed(run[0], truth), truth) | {"seconds": round(run[1], 2)}
    if "bib-dedupe" in result:
        result["at_least_bib_dedupe"] = (result["ours"]["precision"] >= result["bib-dedupe"]["precision"]
                                         and result["ours"]["recall"] >= result["bib-dedupe"]["recall"])
    return result


if __name__ == "__main__":
    print(json.dumps(main(with_bibdedupe="--ours" not in sys.argv), indent=2))
