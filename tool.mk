# The tool's set-up, shared by this repository's Makefile and by every review `python -m pipeline init`
# creates (which copies this file): pick a supported Python, build .venv from the hashed lock.
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
STAMP  := $(VENV)/.installed-$(PYVER)

# Rebuilt from scratch whenever the lock or the project metadata changes, so
# the environment is exactly what requirements.lock says.
$(STAMP): requirements.lock requirements-uv.lock pyproject.toml
	@$(PYTHON) -c '$(SUPPORTED)' 2>/dev/null || { echo "make: no Python 3.11, 3.12 or 3.13 found" \
	  "$(if $(PYTHON),($(PYTHON) is not one)); install one (python.org, your package manager, pyenv)" \
	  "or run: make PYTHON=/path/to/python3.12" >&2; exit 2; }
	@echo "make: setting up $(VENV) with $(PYTHON) (Python $(PYVER))"
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	@# uv installs the lock faster than pip (README, Quick start); pip is the fallback.
	{ $(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements-uv.lock \
	  && $(VENV)/bin/uv pip install --quiet --python $(PY) --require-hashes --no-deps --compile-bytecode \
	     -r requirements.lock; } \
	|| $(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks

