"""The playbook library: every scenario playbook, the parameter catalogue and the platforms.

Scenarios are discovered from ``playbooks/*.yaml`` (one file = one scenario; ``common.yaml``
and ``parameters.yaml`` are shared parts, not scenarios), platforms from
``playbooks/platforms/*.yaml``. The folder is ``$AFTERSALES_PLAYBOOKS`` if set, else the
repository's ``playbooks/`` next to ``lib/``, else ``./playbooks``.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import DisabledPlatformError, PlaybookError, Problem, UnknownNameError
from .paths import default_playbooks_dir, display_path

NOT_SCENARIOS = frozenset({"common", "parameters"})


def scenario_files(root: Path) -> list[Path]:
    return sorted(p for p in root.glob("*.yaml") if p.stem not in NOT_SCENARIOS and not p.stem.startswith("_"))


@dataclass
class Library:
    """Everything loaded from one playbooks folder, with every problem found."""

    root: Path
    catalogue: Any
    profiles: dict[str, Any]
    playbooks: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    broken: dict[str, list[Problem]] = field(default_factory=dict)  # scenario file stem -> its problems
    overlay: Any = None  # the store overlay laid over these playbooks (aftersales.overlay.Overlay), if any
    disabled_platforms: dict[str, str] = field(default_factory=dict)  # platform -> where the overlay disables it

    @property
    def scenarios(self) -> list[str]:
        return sorted(set(self.playbooks) | set(self.broken))

    def playbook(self, scenario: str) -> Any:
        if scenario in self.broken:
            raise PlaybookError(self.broken[scenario])
        if scenario not in self.playbooks:
            raise UnknownNameError("scenario", scenario, self.scenarios)
        return self.playbooks[scenario]

    def profile(self, platform: str) -> Any:
        if platform in self.disabled_platforms:
            raise DisabledPlatformError(platform, self.overlay.name, self.disabled_platforms[platform], self.profiles)
        if platform not in self.profiles:
            raise UnknownNameError("platform", platform, self.profiles)
        return self.profiles[platform]

    def context(self) -> Any:
        from .compliance.vocabulary import platform_names
        from .playbook.load import BuildContext
        from .policy import POLICY_FUNCTIONS

        return BuildContext(
            functions={name: f.func for name, f in POLICY_FUNCTIONS.items()},
            signatures={name: f.signature for name, f in POLICY_FUNCTIONS.items()},
            parameters=catalogue_units(self.catalogue),
            # profiles that do not load (validate still checks the playbooks): the platform files' names
            platforms=tuple(sorted(self.profiles)) or platform_names(self.root),
            include_dirs=(self.root,),
        )

    def load_file(self, path: Path, *, run_examples: bool = True) -> tuple[Any, list[Problem]]:
        """Build one playbook file against this library's platforms and parameters.

        ``run_examples`` also decides its worked examples (validation does; deciding a case
        does not need to, which keeps a command's start-up short).
        """
        from .playbook.load import build_playbook

        playbook, _draft, problems = build_playbook(path, self.context(), display_path(path))
        if playbook is not None and run_examples:
            from .examples import example_problems

            problems = example_problems(playbook, self)
            if problems:
                return None, problems
        return playbook, problems


def catalogue_units(catalogue: Any) -> dict[str, str]:
    """Parameter name → unit, from the catalogue."""
    return {name: spec.unit for name, spec in catalogue.parameters.items()}


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
    ``overlay`` is given, ``$AFTERSALES_OVERLAY`` is used if set (that is how ``aftersales
    render --overlay`` reaches its notebook kernels). Invalid platform profiles and an invalid
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
    from .overlay import apply_overlay, resolve_overlay

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
    from .platforms import load_catalogue, load_profiles, profile_problems

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
        playbook, file_problems = library.load_file(path, run_examples=False)
        if playbook is not None and playbook.scenario != path.stem:
            file_problems = [Problem(_location(path, 1), f"scenario '{playbook.scenario}' must match the file name "
                                     f"'{path.stem}'", "name")]
        problems.extend(file_problems)
        if file_problems:
            library.broken[path.stem] = file_problems
        elif playbook is not None:
            library.playbooks[playbook.scenario] = playbook
    library.problems = problems
    return library


def _location(path: Path, line: int = 0) -> Any:
    from .errors import Location

    return Location(display_path(path), line, 1 if line else 0)
