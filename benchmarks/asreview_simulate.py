"""Simulate one labelled review with ASReview LAB 3.0.8's default model (ELAS u4), as its CLI does, for
the given seeds and priors; print the labels in screening order and the seconds of each run as JSON.

Runs inside the benchmark environment (``.venv-bench``, ``benchmarks/requirements-asreview.lock``).
Usage: ``python asreview_simulate.py FILE.csv RUNS.json`` where RUNS.json is a list of
{"seed": N, "priors": [row index, ...]}.  Like ``asreview simulate``: ``np.random.seed(seed)``, the
priors labelled first, a top-down cycle until the model can be fitted, then ELAS u4 until the last
relevant record is found (the default stopper).  The time is that of the review loop, feature
extraction included, without start-up and reading the file.
"""

import json
import sys
import time

import numpy as np
from asreview.data.loader import load_dataset
from asreview.learner import ActiveLearningCycle
from asreview.models.models import get_ai_config
from asreview.models.queriers import TopDown
from asreview.models.stoppers import IsFittable, LastRelevant
from asreview.simulation.simulate import Simulate

db = load_dataset(sys.argv[1], dataset_id="bench")
df, included = db.input.get_df(), db.input["included"]
out = []
for run in json.loads(open(sys.argv[2]).read()):
    np.random.seed(run["seed"])
    start = time.perf_counter()
    cycles = [ActiveLearningCycle(querier=TopDown(), stopper=IsFittable()),
              ActiveLearningCycle.from_meta(get_ai_config("elas_u4")["value"])]
    sim = Simulate(df, included, cycles, stopper=LastRelevant(), print_progress=False)
    sim.label(run["priors"])
    sim.review()
    seconds = time.perf_counter() - start
    order = sim._results["record_id"].astype(int).tolist()
    out.append({"seed": run["seed"], "order": order, "seconds": seconds})
print(json.dumps(out))
