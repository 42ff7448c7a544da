# gan_edu -- the two commands a user needs:
#   make lab    create .venv if missing, install, start JupyterLab on notebooks/
#   make test   the same install, then lint, unit tests and every lesson under nbval
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CONSTRAINTS ?= constraints.txt
STAMP := $(VENV)/.gan_edu-installed
# JupyterLab refuses to run as root unless told
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
# the venv first on PATH: Jupyter kernels started by nbval and the browser tests use its python
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: lab test install lint unit lessons execute-notebooks bench clean

install: $(STAMP)

# Reinstalls only when pyproject.toml or the pins change, so a second `make lab` starts at once.
$(STAMP): pyproject.toml $(CONSTRAINTS)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install $(if $(CONSTRAINTS),-c $(CONSTRAINTS)) -e ".[dev]"
	@touch $@

lab: $(STAMP)
	cd notebooks && ../$(BIN)/jupyter lab $(ROOT_FLAG)

lint: $(STAMP)
	$(BIN)/ruff check gan_edu tests benchmarks tools

unit: $(STAMP)
	$(BIN)/python -m pytest tests

lessons: $(STAMP)
	$(BIN)/python -m pytest --nbval-lax --sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider notebooks

test: lint unit lessons

# Re-execute every lesson in place (outputs committed so they read well on GitHub).
execute-notebooks: $(STAMP)
	$(BIN)/python tools/execute_notebooks.py notebooks/[0-9][0-9]_*.ipynb

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_trainer.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
