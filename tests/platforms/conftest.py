"""Fixtures for the platform-profile tests: the real profiles and a breakable copy."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from aftersales.platforms import Profile, load_profiles

PLAYBOOKS = Path(__file__).resolve().parents[2] / "playbooks"
TODAY = date(2026, 6, 1)  # a fixed "now": tests never read the clock


@pytest.fixture(scope="session")
def profiles() -> dict[str, Profile]:
    return load_profiles(PLAYBOOKS)


@pytest.fixture
def playbooks_copy(tmp_path: Path) -> Path:
    """A copy of the parameter files only (no scenario playbooks), named ``playbooks``."""
    root = tmp_path / "playbooks"
    root.mkdir()
    shutil.copy(PLAYBOOKS / "parameters.yaml", root / "parameters.yaml")
    for folder in ("jurisdictions", "platforms"):
        shutil.copytree(PLAYBOOKS / folder, root / folder)
    return root


def edit_in_block(path: Path, block: str, old: str, new: str) -> int:
    """Replace the first line containing ``old`` at or after the line ``block`` (a mapping
    key such as ``"  reply_deadline_h:"``) in ``path``; return its 1-based line number."""
    lines = path.read_text(encoding="utf-8").split("\n")
    start = next(i for i, line in enumerate(lines) if line.rstrip() == block.rstrip())
    index = next(i for i in range(start, len(lines)) if old in lines[i])
    lines[index] = lines[index].replace(old, new, 1)
    path.write_text("\n".join(lines), encoding="utf-8")
    return index + 1


def line_of(path: Path, text: str) -> int:
    """1-based number of the first line of ``path`` that contains ``text``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")
