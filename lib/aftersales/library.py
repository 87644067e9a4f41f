"""Loading the playbook library (:class:`~aftersales.library_model.Library`) from a folder, cached.

Scenarios are discovered from ``playbooks/*.yaml`` (one file = one scenario; ``common.yaml``
and ``parameters.yaml`` are shared parts, not scenarios), platforms from
``playbooks/platforms/*.yaml``. The folder is ``$AFTERSALES_PLAYBOOKS`` if set, else the
repository's ``playbooks/`` next to ``lib/``, else ``./playbooks``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from .errors import Location, PlaybookError, Problem
from .library_model import NOT_SCENARIOS, Library, catalogue_units, scenario_files
from .overlay import apply_overlay, resolve_overlay
from .paths import default_playbooks_dir, display_path
from .platforms import load_catalogue, load_profiles, profile_problems

__all__ = ["NOT_SCENARIOS", "Library", "catalogue_units", "configured_overlay", "load_library", "scenario_files"]

_CACHE: dict[str, tuple[tuple, Library]] = {}
_CHECKED: dict[str, float] = {}
RECHECK_SECONDS = 1.0  # edits to the YAML files are picked up within this time


def _fingerprint(root: Path) -> tuple:
    files = sorted(root.rglob("*.yaml"))
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)


def configured_overlay(overlay: str | Path | None = None) -> str | Path | None:
    """The store overlay to use: ``overlay`` if given, else ``$AFTERSALES_OVERLAY``, else none."""
    return overlay or os.environ.get("AFTERSALES_OVERLAY") or None


def load_library(root: str | Path | None = None, *, strict: bool = False, overlay: str | Path | None = None) -> Library:
    """Load (or reuse) the library in ``root``, with the store ``overlay`` laid over it if given.

    ``overlay`` is a name in ``<root>/overlays/`` or a file path; when neither ``root`` nor
    ``overlay`` is given, ``$AFTERSALES_OVERLAY`` is used if set (a user's setting for the app;
    ``aftersales render`` passes its overlay to the kernels as a notebook parameter). Invalid platform profiles and an invalid
    overlay always raise :class:`PlaybookError`; an invalid scenario file only makes that
    scenario unusable, unless ``strict`` asks for everything to be valid. Worked examples
    are not run here: ``aftersales validate`` and the tests run them.
    """
    if root is None:
        overlay = configured_overlay(overlay)
    root = Path(root) if root else default_playbooks_dir()
    library = _base_library(root)
    if strict and library.problems:
        raise PlaybookError(library.problems)
    if overlay is None:
        return library
    path = resolve_overlay(overlay, root)
    key = (str(root), str(path))
    stamp = (id(library), _stamp(path))
    cached = _OVERLAID.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    overlaid = apply_overlay(library, path)
    if len(_OVERLAID) > 16:
        _OVERLAID.clear()
    _OVERLAID[key] = (stamp, overlaid)
    return overlaid


_OVERLAID: dict[tuple[str, str], tuple[tuple, Library]] = {}


def _stamp(path: Path) -> tuple:
    try:
        stat = path.stat()
    except OSError:
        return ()
    return (stat.st_mtime_ns, stat.st_size)


def _base_library(root: Path) -> Library:
    key = str(root)
    cached = _CACHE.get(key)
    now = time.monotonic()
    if cached is not None and now - _CHECKED.get(key, 0.0) < RECHECK_SECONDS:
        return cached[1]
    fingerprint = _fingerprint(root) if root.is_dir() else ()
    if cached is not None and cached[0] == fingerprint:
        library = cached[1]
    else:
        library = _load(root)
        _CACHE[key] = (fingerprint, library)
    _CHECKED[key] = now
    return library


def _load(root: Path) -> Library:
    problems: list[Problem] = []
    if not root.is_dir():
        raise PlaybookError([Problem(_location(root), f"playbooks folder not found: {root}", "io")])
    profile_issues = profile_problems(root)
    if profile_issues:
        raise PlaybookError(profile_issues)
    catalogue = load_catalogue(root)
    profiles = load_profiles(root)
    library = Library(root, catalogue, profiles)
    for path in scenario_files(root):
        playbook, file_problems = library.load_file(path)
        if playbook is not None and playbook.scenario != path.stem:
            file_problems = [Problem(_location(path, 1), f"scenario '{playbook.scenario}' must match the file name "
                                     f"'{path.stem}'", "name")]
        errors = [p for p in file_problems if p.severity == "error"]
        library.warnings.extend(p for p in file_problems if p.severity != "error")
        problems.extend(errors)
        if errors:
            library.broken[path.stem] = errors
        elif playbook is not None:
            library.playbooks[playbook.scenario] = playbook
    library.problems = problems
    return library


def _location(path: Path, line: int = 0) -> Location:
    return Location(display_path(path), line, 1 if line else 0)
