"""Fixtures for the progress-store tests: a SQLite file, and a real PostgreSQL server.

* ``postgres_server`` (session) — the throwaway PostgreSQL cluster of ``tests/conftest.py``
  (shared with the case-store tests in ``tests/cases/``); without PostgreSQL the tests skip,
  or fail when ``CI`` is set.
* ``store_url`` — parametrised: a new SQLite file, or a new database on that server, per test.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty progress store's URL: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'progress.db'}"
    server = request.getfixturevalue("postgres_server")
    return server.new_database()


@pytest.fixture(scope="module")
def cases():
    """The practice case bank, loaded once per module."""
    from aftersales.training.cases import load_cases

    return load_cases()


@pytest.fixture
def bank(tmp_path):
    """A private copy of the real case bank, free to edit or break."""
    from aftersales.training.cases import cases_root

    copy = tmp_path / "cases"
    shutil.copytree(cases_root(), copy)
    return copy
