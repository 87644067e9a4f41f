# The README's two commands are `make run` (set up, then the main job) and `make test`
# (set up, then the whole suite). Set-up is idempotent: it re-runs only when pyproject.toml changes.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup run test validate bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	bash .ci/setup.sh $(VENV)
	touch $(STAMP)

run: setup
	$(VENV)/bin/aftersales validate
	$(VENV)/bin/aftersales examples

validate: setup
	$(VENV)/bin/aftersales validate

test: setup
	$(PY) -m pytest -q

bench: setup
	$(PY) benchmarks/bench_engine.py

clean:
	rm -rf $(VENV) build .pytest_cache .hypothesis
