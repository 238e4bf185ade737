# Front door.  `make` sets up .venv from the lock file and runs the analysis;
# `make test` sets up the same way and runs the tests.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: all run test lab bench lock clean
all: run

# Rebuilt from scratch whenever the lock or the project metadata changes, so
# the environment is exactly what requirements.lock says.
$(STAMP): requirements.lock pyproject.toml
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m pipeline run

# Taguette, whose own exporter writes a real Taguette codebook for the QDA tests, in its own
# environment (its pins clash with Jupyter's).
TAGUETTE_STAMP := .venv-taguette/.installed
$(TAGUETTE_STAMP): tests/requirements-taguette.lock
	rm -rf .venv-taguette
	$(PYTHON) -m venv .venv-taguette
	.venv-taguette/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -r tests/requirements-taguette.lock
	touch $(TAGUETTE_STAMP)

test: $(STAMP) $(TAGUETTE_STAMP)
	TAGUETTE_PYTHON=$(CURDIR)/.venv-taguette/bin/python $(PY) -m pytest

lab: $(STAMP)
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks

# ASReview LAB, for the deduplication comparison, lives in its own environment.
BENCH_STAMP := .venv-bench/.installed
$(BENCH_STAMP): benchmarks/requirements-asreview.lock
	rm -rf .venv-bench
	$(PYTHON) -m venv .venv-bench
	.venv-bench/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -r benchmarks/requirements-asreview.lock
	touch $(BENCH_STAMP)

# bib-dedupe, for the comparison on labelled libraries, in its own environment too.
BIBDEDUPE_STAMP := .venv-bibdedupe/.installed
$(BIBDEDUPE_STAMP): benchmarks/requirements-bibdedupe.lock
	rm -rf .venv-bibdedupe
	$(PYTHON) -m venv .venv-bibdedupe
	.venv-bibdedupe/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -r benchmarks/requirements-bibdedupe.lock
	touch $(BIBDEDUPE_STAMP)

bench: $(STAMP) $(BENCH_STAMP) $(BIBDEDUPE_STAMP)
	$(PY) benchmarks/run_all.py

# Re-pin after changing the dependencies in pyproject.toml.
lock:
	rm -rf $(VENV).lock-tmp
	$(PYTHON) -m venv $(VENV).lock-tmp
	$(VENV).lock-tmp/bin/pip install --quiet -e '.[test]'
	$(VENV).lock-tmp/bin/pip freeze --all --exclude-editable | grep -v '^pip==' > requirements.lock
	rm -rf $(VENV).lock-tmp

clean:
	rm -rf $(VENV) .venv-bench .venv-bibdedupe .venv-taguette .run-staging .failed
