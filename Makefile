# The README's two commands are `make run` (set up, then the main job) and `make test`
# (set up, then the whole suite). Set-up is idempotent: it re-runs only when pyproject.toml changes.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup tools run sop test test-fast lint validate app team screens bench clean accept-policy

setup: $(STAMP)

$(STAMP): pyproject.toml
	bash .ci/setup.sh $(VENV)
	touch $(STAMP)

# The main job: validate, then render the SOP library (every scenario x platform x language).
run: setup tools
	$(VENV)/bin/aftersales validate
	$(VENV)/bin/aftersales render --out build/sop

sop: run

validate: setup
	$(VENV)/bin/aftersales validate

# Debian packages the SOP render and the tests need, installed when missing: Chromium (PDFs and
# the browser test), Graphviz (flowcharts), the fonts (Noto CJK, WenQuanYi, DejaVu) and poppler-utils (pdftotext), and
# PostgreSQL (the progress store's tests start a throwaway server of their own).
tools:
	bash .ci/install-chromium.sh
	bash .ci/install-render-tools.sh
	bash .ci/install-postgres.sh
	bash .ci/install-hub.sh $(VENV)  # and JupyterHub's proxy from npm, into $(VENV)/hub-node (make team, tests/deploy)

test: setup tools lint
	$(PY) -m pytest -q

# ruff: pyflakes, pycodestyle, import order and bug-prone patterns ([tool.ruff] in pyproject.toml)
lint: setup
	$(VENV)/bin/ruff check lib tests benchmarks notebooks
	$(VENV)/bin/mypy

# The edit loop, within a minute on two cores: the suite but the tests marked slow in
# tests/conftest.py (notebook kernels, the browser, Chromium PDFs, the PostgreSQL server, the fuzz
# suite, multi-process stress tests and repeated whole-library sweeps), on two pytest-xdist workers,
# with the Hypothesis profile "edit-loop" (a tenth of each property's examples, at least 10) and a
# fixed sample (one in three) of the big parametrized sweeps (tests/conftest.py: _sampled).
# `make test` runs every test, serially, with every property's full count of examples.
test-fast: setup
	$(PY) -m pytest -q -m "not slow" -n 2 --dist worksteal --hypothesis-profile=edit-loop

# A lead changed a platform or legal value on purpose: show what differs from the approved values
# (tests/policy_values.yaml) and, after a yes, approve them (commit the file with the change).
accept-policy: setup
	$(PY) tests/accept_policy.py

# The trainees' app: the start page and every scenario's wizard, with no code visible.
# Server settings (kernel shutdown on tab close, idle culling) are in etc/voila.py.
app: setup
	$(VENV)/bin/voila notebooks/00_start_here.ipynb --no-browser --port=$${PORT:-8866} --Voila.config_file_paths=etc

# The team on JupyterHub (deploy/jupyterhub_config.py, docs/deploy.md): http://127.0.0.1:8000 (or $PORT), any
# name with the shared password ($AFTERSALES_HUB_PASSWORD, else made once in ~/.aftersales/hub/shared-password).
team: setup
	bash .ci/install-hub.sh $(VENV)
	PATH="$(VENV)/hub-node/node_modules/.bin:$$PATH" PORT=$${PORT:-8000} $(VENV)/bin/jupyterhub -f deploy/jupyterhub_config.py

# Screenshots of the app for the docs (docs/screens/, listed in its README.md): the app served as
# `make app` serves it, each scenario's card worked in Debian's Chromium (installed when missing).
screens: setup
	bash .ci/install-chromium.sh
	$(PY) docs/screens/make_screens.py

bench: setup
	$(PY) benchmarks/bench_engine.py
	$(PY) benchmarks/bench_wizard.py
	$(PY) benchmarks/bench_render.py
	$(PY) benchmarks/bench_app_start.py

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
