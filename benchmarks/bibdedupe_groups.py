"""Run bib-dedupe on one labelled library and print its duplicate groups as JSON.

Runs inside the separate benchmark environment (``.venv-bibdedupe``, pinned in
``benchmarks/requirements-bibdedupe.lock``), so that bib-dedupe's dependencies never
touch the project's own lock.  Usage: ``python bibdedupe_groups.py records_pre_merged.csv``.
"""

import json
import sys
import time

import pandas as pd
from bib_dedupe.bib_dedupe import block, cluster, match, prep

records = pd.read_csv(sys.argv[1], dtype=str).fillna("")
start = time.perf_counter()
matched = match(block(prep(records, verbosity_level=0), verbosity_level=0), verbosity_level=0)  # its default: every core
groups = cluster(matched, verbosity_level=0)
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "groups": [sorted(g) for g in groups]}))
