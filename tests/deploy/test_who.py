"""Whose decision a record names when nobody says (``aftersales.caselog._who``): on the team hub,
the JupyterHub user whose server saved it; elsewhere, the system user."""

from __future__ import annotations

import getpass

import pytest

from aftersales.caselog import _who


def test_on_the_hub_the_record_names_the_hub_user_not_the_system_user(monkeypatch: pytest.MonkeyPatch) -> None:
    # in a container or under an OAuth login the system user is someone else (e.g. jovyan)
    monkeypatch.setenv("USER", "jovyan")
    monkeypatch.setenv("LOGNAME", "jovyan")
    monkeypatch.setenv("JUPYTERHUB_USER", "ana")
    assert _who() == "ana"


def test_off_the_hub_the_record_names_the_system_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    assert _who() == getpass.getuser()


def test_an_empty_hub_user_is_not_a_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTERHUB_USER", "  ")
    assert _who() == getpass.getuser()
