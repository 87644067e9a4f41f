"""Suite-wide set-up.

Papermill and nbformat import jsonschema's format checkers, which import ``rfc3987_syntax``
(~2.5 s building parsers) only for the ``iri`` format that no notebook schema uses; jsonschema
skips that check when the module cannot be imported. ``aftersales render`` does the same
(see aftersales.render.batch), so the tests run what production runs.
"""

import sys

sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

import os
import tempfile

# Nothing the tests save (cases, archived playbooks, practice attempts) goes to the user's home:
# set here, before any test runs, so that kernels and subprocesses the tests start inherit it.
_STATE = tempfile.mkdtemp(prefix="aftersales-test-state-")
for _name, _value in (("AFTERSALES_CASE_LOG", os.path.join(_STATE, "case-log.jsonl")),
                      ("AFTERSALES_ARCHIVE", os.path.join(_STATE, "archive"))):
    os.environ.setdefault(_name, _value)


# ------------------------------------------------------------------ the slow marker
# Tests that start a notebook kernel, Chromium, Voila or a PostgreSQL server are marked ``slow``
# here, by where they live, so `make test-fast` (pytest -m "not slow") is the edit loop and
# `make test` the whole suite. A new test of that kind in another file adds its node id below.
import pytest

_SLOW_PATHS = ("tests/browser/", "tests/notebooks/", "tests/render/test_pdf.py", "tests/render/test_render_batch.py")
_SLOW_IDS = ("postgres", "test_render_writes_the_store_sop_through_the_notebook", "tests/test_registry.py::")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: starts a kernel, Chromium, Voila or PostgreSQL (skipped by make test-fast)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        node = item.nodeid
        if node.startswith(_SLOW_PATHS) or any(part in node for part in _SLOW_IDS):
            item.add_marker(pytest.mark.slow)
