# The README's two commands are `make run` (set up, then the main job) and `make test`
# (set up, then the whole suite). Set-up is idempotent: it re-runs only when pyproject.toml changes.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup browser run test validate app bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	bash .ci/setup.sh $(VENV)
	touch $(STAMP)

run: setup
	$(VENV)/bin/aftersales validate
	$(VENV)/bin/aftersales examples

validate: setup
	$(VENV)/bin/aftersales validate

# The browser test drives Debian's Chromium; this installs the package when it is missing.
browser:
	bash .ci/install-chromium.sh

test: setup browser
	$(PY) -m pytest -q

# The trainees' app: the start page and every scenario's wizard, with no code visible.
app: setup
	$(VENV)/bin/voila notebooks/00_start_here.ipynb --no-browser --port=$${PORT:-8866}

bench: setup
	$(PY) benchmarks/bench_engine.py
	$(PY) benchmarks/bench_wizard.py

clean:
	rm -rf $(VENV) build .pytest_cache .hypothesis

# Notebooks: sync each notebooks/*.ipynb with its py:percent twin (the newer file wins), then
# strip outputs and execution counts so git holds sources only.
.PHONY: notebooks golden
notebooks: setup
	$(VENV)/bin/jupytext --sync notebooks/*.ipynb
	$(PY) tests/notebooks/strip_outputs.py notebooks/*.ipynb

# Golden notebooks for nbval: re-run after changing a notebook or a decision it shows.
golden: setup
	$(PY) tests/golden/make_golden.py
