# gmplab — two commands for a learner (`make lab`, `make test`), a few more for authors.
# Every recipe uses the project venv directly ($(PY)); nothing needs activating.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.gmplab-installed
CH     ?= 02

.DEFAULT_GOAL := help
.PHONY: help lab test install warmup kernel bench slides export clean-numba doctor

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 16

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || \
	  { echo "gmplab needs Python >= 3.11; '$(PYTHON)' is $$($(PYTHON) --version 2>&1). Run: make PYTHON=python3.11 ..."; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the dependency list changes (pyproject.toml is the source of truth).
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[lab,test]'
	@touch $(STAMP)

install: $(STAMP)  ## create .venv and install gmplab with its lab and test extras

warmup: $(STAMP)  ## compile every Numba kernel into the on-disk cache
	$(PY) -m gmplab warmup

kernel: $(STAMP)  ## register the 'gmplab' kernel for a JupyterLab installed elsewhere (--user)
	$(PY) -m ipykernel install --user --name gmplab --display-name "Python (gmplab)"

lab: $(STAMP)  ## install if needed, warm the kernels, open JupyterLab on chapter 00
	$(PY) -m ipykernel install --sys-prefix --name gmplab --display-name "Python (gmplab)" >/dev/null
	$(PY) -m gmplab warmup
	$(PY) -m gmplab lab

test: $(STAMP)  ## unit, property, notebook (nbval) and browser tests in one pytest run
	$(PY) -m pytest

slides: $(STAMP)  ## reveal.js decks of every chapter in out/slides/ (executed, players work offline)
	$(PY) -m gmplab slides out/slides

export: $(STAMP)  ## standalone HTML of every chapter in out/html/ that plays back without a kernel
	$(PY) -m gmplab export out/html

bench: $(STAMP)  ## run every benchmark script and print its figures
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean-numba:  ## delete Numba's on-disk caches
	find gmplab -name '*.nbi' -delete -o -name '*.nbc' -delete

doctor: $(STAMP)  ## versions, pip check, lab extensions
	$(PY) -m gmplab version
	$(PY) -m pip check
	$(VENV)/bin/jupyter labextension list
