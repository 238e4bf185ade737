# The tool's set-up, shared by this repository's Makefile and by every review `pipeline init` creates
# (which copies this file): pick a supported Python, and make .venv the environment of the hashed lock
# (one per lock, shared by every review and supplement with that lock: pipeline/run/environment.py).
# A supported Python (3.11 to 3.13), newest first: on the PATH, then pyenv's.  Each candidate is
# run, because a pyenv shim of a version that is not activated exists but fails.
# `make PYTHON=/path/to/python3.x` chooses one.
SUPPORTED := import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))
CANDIDATES := $(foreach v,3.13 3.12 3.11,python$(v) $(wildcard $(HOME)/.pyenv/versions/$(v)*/bin/python3)) python3
PYTHON ?= $(shell for p in $(CANDIDATES); do $$p -c '$(SUPPORTED)' 2>/dev/null && { command -v $$p; break; }; done)
# `make PYTHON=python3.13` where that name is a pyenv shim of a version pyenv has not activated:
# take pyenv's own interpreter of that version.
ifneq ($(filter python3.%,$(notdir $(PYTHON))),)
override PYTHON := $(shell $(PYTHON) -c 'import sys' 2>/dev/null && echo $(PYTHON) || \
  ls -d $(HOME)/.pyenv/versions/$(patsubst python%,%,$(notdir $(PYTHON))).*/bin/python3 2>/dev/null | tail -n 1)
endif
PYVER  := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)-ready-$(PYVER)

# Checked again whenever the locks or the project metadata change: .venv is then the environment of
# exactly what requirements.lock says (built once per lock, under $$QES_ENV_HOME or
# ~/.cache/qes-pipeline/envs; the first time takes a minute or two and says what it does).
$(STAMP): requirements.lock requirements-uv.lock pyproject.toml
	@$(PYTHON) -c '$(SUPPORTED)' 2>/dev/null || { echo "make: no Python 3.11, 3.12 or 3.13 found" \
	  "$(if $(PYTHON),($(PYTHON) is not one)); install one (python.org, your package manager, pyenv)" \
	  "or run: make PYTHON=/path/to/python3.12" >&2; exit 2; }
	@$(PYTHON) -m pipeline.run.environment --venv $(VENV)
	@touch $(STAMP)

# JupyterLab on the review's folder: notebooks/ to read and run (a notebook run here writes into
# lab-output/, never into the committed figures/ and tables/), reports/ with the last run's executed
# notebooks.  As root (containers, WSL) Jupyter needs --allow-root.
lab: $(STAMP)
	PYTHONPATH=$(CURDIR) $(VENV)/bin/jupyter lab --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/notebooks \
	  $(if $(filter 0,$(shell id -u)),--allow-root)

# The screening workspace: JupyterLab opens workspace/screen.ipynb (run its cells; keys i, 1-9, e, m, u).
# Every decision is in data/raw/screening_log.csv the moment it is made.
screen: $(STAMP)
	PYTHONPATH=$(CURDIR) $(VENV)/bin/jupyter lab --ServerApp.root_dir=. \
	  --LabApp.default_url=/lab/tree/workspace/screen.ipynb $(if $(filter 0,$(shell id -u)),--allow-root)

