"""The app notebooks a user's server starts with (deploy/start_user_server.py): given when
missing, updated while the user has not changed them, never overwritten once they have."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "start_user_server.py"


@pytest.fixture(scope="module")
def start() -> ModuleType:
    spec = importlib.util.spec_from_file_location("start_user_server", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _notebook(path: Path, text: str) -> None:
    path.write_text(json.dumps({"cells": [{"cell_type": "markdown", "source": text}]}), encoding="utf-8")


def test_a_new_user_gets_every_shipped_notebook(start: ModuleType, tmp_path: Path) -> None:
    copied, kept = start.seed_app(start.APP_SOURCE, tmp_path / "aftersales")
    shipped = sorted(p.name for p in start.APP_SOURCE.glob("*.ipynb"))
    assert "00_start_here.ipynb" in shipped and copied == shipped and kept == []
    for name in shipped:
        assert (tmp_path / "aftersales" / name).read_bytes() == (start.APP_SOURCE / name).read_bytes()
    assert start.seed_app(start.APP_SOURCE, tmp_path / "aftersales") == ([], [])  # the next start copies nothing


def test_a_newer_notebook_replaces_the_users_untouched_copy_but_not_a_changed_one(start: ModuleType,
                                                                                  tmp_path: Path) -> None:
    shipped, home = tmp_path / "shipped", tmp_path / "home"
    shipped.mkdir()
    _notebook(shipped / "claim.ipynb", "v1")
    _notebook(shipped / "desk.ipynb", "v1")
    assert start.seed_app(shipped, home) == (["claim.ipynb", "desk.ipynb"], [])
    _notebook(home / "desk.ipynb", "my notes")  # the user changed this one
    _notebook(shipped / "claim.ipynb", "v2")
    _notebook(shipped / "desk.ipynb", "v2")
    assert start.seed_app(shipped, home) == (["claim.ipynb"], ["desk.ipynb"])
    assert "v2" in (home / "claim.ipynb").read_text() and "my notes" in (home / "desk.ipynb").read_text()
    (home / "desk.ipynb").unlink()  # what the server log tells the user to do to get the new one
    assert start.seed_app(shipped, home) == (["desk.ipynb"], [])
    assert "v2" in (home / "desk.ipynb").read_text()


def test_a_notebook_the_user_already_has_unchanged_is_adopted_not_reported(start: ModuleType, tmp_path: Path) -> None:
    shipped, home = tmp_path / "shipped", tmp_path / "home"
    shipped.mkdir()
    home.mkdir()
    _notebook(shipped / "claim.ipynb", "v1")
    _notebook(home / "claim.ipynb", "v1")  # e.g. copied by hand before the hub, no manifest
    assert start.seed_app(shipped, home) == ([], [])
    _notebook(shipped / "claim.ipynb", "v2")
    assert start.seed_app(shipped, home) == (["claim.ipynb"], [])
