"""Where the playbooks live, and how files are named in messages."""

from __future__ import annotations

import os
from pathlib import Path

#: The layout of a playbooks folder (read by the loaders and by the render plan, which must not
#: import the loaders: they pull in pydantic).
CATALOGUE_FILE = "parameters.yaml"
JURISDICTIONS_DIR = "jurisdictions"


def default_playbooks_dir() -> Path:
    """``$AFTERSALES_PLAYBOOKS`` if set, else the repository's ``playbooks/`` next to ``lib/``,
    else ``./playbooks``."""
    env = os.environ.get("AFTERSALES_PLAYBOOKS")
    if env:
        return Path(env)
    repo = Path(__file__).resolve().parents[2] / "playbooks"
    return repo if repo.is_dir() else Path.cwd() / "playbooks"


def display_path(path: Path) -> str:
    """A file's name in problems: relative to the working directory when below it
    (``playbooks/claim.yaml``), else absolute."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path.resolve())


def default_notebooks_dir() -> Path:
    """``$AFTERSALES_NOTEBOOKS`` if set, else the repository's ``notebooks/``, else ``./notebooks``."""
    env = os.environ.get("AFTERSALES_NOTEBOOKS")
    if env:
        return Path(env)
    repo = Path(__file__).resolve().parents[2] / "notebooks"
    return repo if repo.is_dir() else Path.cwd() / "notebooks"
