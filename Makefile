# Front door.  `make` sets up .venv from the lock file and runs the analysis;
# `make test` sets up the same way and runs the tests.
.DEFAULT_GOAL := all  # tool.mk comes first but only sets up
include tool.mk

.PHONY: all run test test-all lab screen bench lock clean browser
all: run

# Side environments, each built from its own lock and rebuilt when the lock changes: tools the
# tests and benchmarks take real files from or compare with, kept apart because their pins clash
# with Jupyter's.  Taguette writes real Taguette codebooks for the QDA tests; PyQt6 runs QualCoder's own
# importer and exporter (its source, LGPL and not on the package index, is fetched into a cache by
# tests/qualcoder.py, never into this repository); cffconvert validates the supplement's CITATION.cff;
# roc-validator checks the
# supplement's RO-Crate; ASReview LAB and
# bib-dedupe are the deduplication benchmarks' comparisons.
TAGUETTE_STAMP  := .venv-taguette/.installed
QUALCODER_STAMP := .venv-qualcoder/.installed
CFF_STAMP       := .venv-cffconvert/.installed
ROCRATE_STAMP   := .venv-rocrate/.installed
BENCH_STAMP     := .venv-bench/.installed
BIBDEDUPE_STAMP := .venv-bibdedupe/.installed
$(TAGUETTE_STAMP): tests/requirements-taguette.lock
$(QUALCODER_STAMP): tests/requirements-qualcoder.lock
$(CFF_STAMP): tests/requirements-cffconvert.lock
$(ROCRATE_STAMP): tests/requirements-rocrate.lock
$(BENCH_STAMP): benchmarks/requirements-asreview.lock
$(BIBDEDUPE_STAMP): benchmarks/requirements-bibdedupe.lock
.venv-%/.installed:
	rm -rf .venv-$*
	$(PYTHON) -m venv .venv-$*
	.venv-$*/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -r $(firstword $^)
	touch $@

run: $(STAMP)
	$(PY) -m pipeline run

# `make test`: the quick check that set-up worked and the analysis reproduces (a few times one
# `pipeline run --force`): unit tests, the commands' refusals, and one end-to-end run compared byte for
# byte with the committed figures and tables.  `make test-all` adds the slow suites (tests marked `slow`:
# real-data corpora, whole walkthroughs from a fresh shell, QualCoder, Taguette, roc-validator, Chromium,
# scale) and the property-based tests' full number of examples.  Both run the test files on TEST_JOBS
# workers (pytest-xdist; on this 2-core machine 2 workers took 27 s against 39 s for one) and print one
# line per file as it finishes.
TEST_JOBS ?= 2
PYTEST = $(PY) -m pytest -n $(TEST_JOBS) --dist loadfile --by-file

test: $(STAMP)
	$(PYTEST) -m "not slow"

test-all: $(STAMP) $(TAGUETTE_STAMP) $(ROCRATE_STAMP) $(QUALCODER_STAMP) $(CFF_STAMP)
	QES_TEST_ALL=1 TAGUETTE_PYTHON=$(CURDIR)/.venv-taguette/bin/python ROCRATE_PYTHON=$(CURDIR)/.venv-rocrate/bin/python \
	  QUALCODER_PYTHON=$(CURDIR)/.venv-qualcoder/bin/python CFFCONVERT=$(CURDIR)/.venv-cffconvert/bin/cffconvert $(PYTEST)

# The browser test of the supplement's index.html needs Chromium: Debian's package, installed here
# when this machine allows it (root with apt-get); elsewhere the test is skipped and says so.
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	{ [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  { DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1 || \
	    { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1; }; } \
	  && echo "make browser: installed Debian's chromium"; } || \
	echo "make browser: no Chromium and no way to install it here; the browser test will be skipped"

bench: $(STAMP) $(BENCH_STAMP) $(BIBDEDUPE_STAMP)
	$(PY) benchmarks/run_all.py

# Re-pin after changing the dependencies in pyproject.toml: pip-tools resolves them, writes every
# version with the hash of each of its files (for every platform and Python), and environment.yml
# gets the same versions for conda users.
# It resolves with Python 3.11, the oldest supported: some packages are needed only there (e.g.
# overrides, for jupyter_server), and the lock is installed without resolving (--no-deps).
LOCK_PYTHON := $(shell for p in python3.11 $(wildcard $(HOME)/.pyenv/versions/3.11*/bin/python3); do \
  $$p -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null && { command -v $$p; break; }; done)
lock:
	@test -n "$(LOCK_PYTHON)" || { echo "make lock: needs Python 3.11 (the oldest supported)" >&2; exit 2; }
	rm -rf $(VENV).lock-tmp
	$(LOCK_PYTHON) -m venv $(VENV).lock-tmp
	$(VENV).lock-tmp/bin/pip install --quiet --disable-pip-version-check pip-tools==7.6.2
	$(VENV).lock-tmp/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --all-extras \
	  --no-emit-index-url --no-emit-find-links --no-header --output-file requirements.lock pyproject.toml
	sed -i '1i # Pinned with hashes by `make lock` (pip-tools); install with pip install --require-hashes.' requirements.lock
	{ sed -n '1,/^  - pip:$$/p' environment.yml; grep -E '^[A-Za-z0-9_.-]+==' requirements.lock \
	  | sed -e 's/ .*//' -e 's/^/      - /'; echo '      - -e .'; } > environment.yml.tmp && mv environment.yml.tmp environment.yml
	rm -rf $(VENV).lock-tmp

clean:
	rm -rf $(VENV) $(VENV)-ready-* .venv-bench .venv-bibdedupe .venv-taguette .venv-rocrate .run-staging .failed
