# gan_edu -- the two commands a user needs:
#   make lab    create .venv if missing, install, start JupyterLab on notebooks/
#   make test   the same install, then lint, unit tests, a real JupyterHub with four students,
#               every lesson under nbval, and the real-browser tests (JupyterLab and Voila in
#               headless Chromium)
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CONSTRAINTS ?= constraints.txt
STAMP := $(VENV)/.gan_edu-installed
CHROMIUM ?= /usr/bin/chromium
# JupyterLab refuses to run as root unless told
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
# the venv first on PATH: Jupyter kernels started by nbval and the browser tests use its python
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: lab app test install lint unit hub hub-deps lessons browser browser-deps screenshots execute-notebooks bench clean

install: $(STAMP)

# Reinstalls only when pyproject.toml or the pins change, so a second `make lab` starts at once.
$(STAMP): pyproject.toml $(CONSTRAINTS)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install $(if $(CONSTRAINTS),-c $(CONSTRAINTS)) -e ".[dev]"
	@touch $@

# jupyter-config/: widget state saved with the notebook (reopened widgets never say "model not found")
lab: $(STAMP)
	cd notebooks && JUPYTER_CONFIG_PATH=$(abspath jupyter-config) ../$(BIN)/jupyter lab $(ROOT_FLAG)

# the training lab as a web app, for a projector (Voila: no code cells, just the dashboard);
# add ?projector=1 to the page's address for larger pictures and fonts
app: $(STAMP)
	@echo "Projecting? Open the address below with ?projector=1 at the end (larger pictures and fonts)."
	$(BIN)/voila notebooks/04_training_lab.ipynb

lint: $(STAMP)
	$(BIN)/ruff check gan_edu tests benchmarks tools deploy

unit: $(STAMP)
	$(BIN)/python -m pytest tests --ignore=tests/browser --ignore=tests/hub

# JupyterHub (into the venv) and npm's configurable-http-proxy (globally), for deploy/ and the hub
# test. The proxy's current release needs node >= 20: Debian's own nodejs is 18, so never apt's.
hub-deps: $(STAMP)
	@$(BIN)/python -c "import jupyterhub" 2>/dev/null || \
		$(BIN)/python -m pip install $(if $(CONSTRAINTS),-c $(CONSTRAINTS)) "jupyterhub>=5"
	@if ! command -v configurable-http-proxy >/dev/null; then \
		if ! command -v npm >/dev/null || ! node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)'; then \
			echo "The hub needs npm with node >= 20 for configurable-http-proxy (Debian's nodejs 18 is too old): install Node.js 20, then run  make hub-deps"; exit 1; \
		fi; \
		npm install -g configurable-http-proxy; \
	fi

# a real JupyterHub on 127.0.0.1: four students, their lessons, their progress files, the class report
hub: $(STAMP) hub-deps
	$(BIN)/python -m pytest tests/hub -p no:cacheprovider

lessons: $(STAMP)
	cd notebooks && ../$(BIN)/python -m pytest --nbval-lax --sanitize-with ../tests/nbval_sanitize.cfg \
		-p no:cacheprovider --rootdir=. [0-9][0-9]_*.ipynb

# Debian's Chromium (never `playwright install`, which downloads a browser at run time)
browser-deps:
	@if [ ! -x $(CHROMIUM) ]; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
		else echo "The browser tests need Chromium at $(CHROMIUM): run  sudo apt-get install -y chromium"; exit 1; fi; \
	fi

browser: $(STAMP) browser-deps
	$(BIN)/python -m pytest tests/browser -p no:cacheprovider

test: lint unit hub lessons browser

# refresh the README's screenshots from the browser tests
screenshots: $(STAMP) browser-deps
	$(BIN)/python -m pytest tests/browser -p no:cacheprovider -k "lab_play or explorer or (run_all_in_jupyterlab and 05)"
	mkdir -p docs/img
	cp tests/browser/screenshots/lab.png docs/img/lab.png
	cp tests/browser/screenshots/explorer.png docs/img/explorer.png
	cp tests/browser/screenshots/mode_collapse.png docs/img/mode_collapse.png

# Re-execute every lesson in place (outputs committed so they read well on GitHub).
execute-notebooks: $(STAMP)
	$(BIN)/python tools/execute_notebooks.py notebooks/[0-9][0-9]_*.ipynb

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_trainer.py
	$(BIN)/python benchmarks/bench_lab.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
