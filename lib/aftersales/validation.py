"""``aftersales validate``: every problem of the given playbooks and of the platform profiles."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable

from .errors import Location, PlaybookError, Problem
from .examples import example_problems
from .library import load_library
from .library_model import Library, scenario_files
from .overlay import OVERLAYS_DIR, overlay_files, resolve_overlay
from .overlay_checks import check_overlay
from .paths import default_playbooks_dir
from .playbook.compiled import CompiledPlaybook


def validate_paths(paths: list[Path], playbooks_dir: str | Path | None = None,
                   overlays: list[str] | None = None) -> tuple[list[Problem], int]:
    """Validate ``paths`` (files or folders; none = the whole playbooks folder).

    A folder that holds its own ``parameters.yaml`` is validated as a library of its own
    (profiles and the overlays in its ``overlays/`` included); other files are checked
    against the default playbooks folder, an overlay file (one in an ``overlays/`` folder, or
    named in ``overlays``) as that folder's store overlay with its worked examples.
    Returns every problem found and the number of files checked.
    """
    default_root = Path(playbooks_dir) if playbooks_dir else default_playbooks_dir()
    groups, overlay_groups, problems = _group_paths(paths, default_root, overlays)
    checked = len(problems)
    for root, files in groups.items():
        found, count = _validate_group(root, files)
        problems.extend(found)
        checked += count
        whole_library = not paths or any(p.is_dir() and p.resolve() == root.resolve() for p in paths)
        loaded = not any(problem.severity == "error" for problem in found)  # warnings leave the playbooks usable
        if whole_library and (root / "cases").is_dir() and loaded:
            from .training.cases import case_files, case_problems

            problems.extend(case_problems(root / "cases"))  # the practice bank must agree with the playbooks
            checked += len(case_files(root / "cases"))
        if whole_library and loaded:
            from .cases.causes import CAUSES_FILE, cause_problems

            problems.extend(cause_problems(root, load_library(root).playbooks))  # the causes counted (seeds 000, 001)
            checked += (root / CAUSES_FILE).is_file()
        if whole_library:
            overlay_groups.setdefault(root, []).extend(overlay_files(root))
    for root, files in overlay_groups.items():
        found = _validate_overlays(root, list(dict.fromkeys(files)))
        problems.extend(found)
        checked += len(set(files))
    # --- citations (issue 14, part 7): every source resolves (docs/sources.md, aftersales.citations) ---
    from .citations import validation_problems as citation_problems

    problems.extend(citation_problems(paths, groups, overlay_groups))
    # --- end citations ---
    return sorted(set(problems)), checked


def playbooks_folders(paths: list[Path], playbooks_dir: str | Path | None = None,
                      overlays: list[str] | None = None) -> list[Path]:
    """The playbooks folders that :func:`validate_paths` checks ``paths`` against, resolved, so
    that ``validate`` can say which one it read (the installed copy or the one in this clone)."""
    default_root = Path(playbooks_dir) if playbooks_dir else default_playbooks_dir()
    groups, overlay_groups, _problems = _group_paths(paths, default_root, overlays)
    return list(dict.fromkeys(root.resolve() for root in [*groups, *overlay_groups]))


def _group_paths(paths: list[Path], default_root: Path, overlays: list[str] | None
                 ) -> tuple[dict[Path, list[Path]], dict[Path, list[Path]], list[Problem]]:
    """The files to check per playbooks folder (scenario files, then overlays), and the paths that do not exist."""
    from .yamlsource import YAML_SUFFIXES

    groups: dict[Path, list[Path]] = {}
    overlay_groups: dict[Path, list[Path]] = {}
    problems: list[Problem] = []
    if not paths:
        groups[default_root] = scenario_files(default_root)
    for name in overlays or []:
        overlay_groups.setdefault(default_root, []).append(resolve_overlay(name, default_root))
    for path in paths:
        if path.is_dir():
            root = path if (path / "parameters.yaml").is_file() else default_root
            groups.setdefault(root, []).extend(scenario_files(path))
            if path.name == OVERLAYS_DIR:
                overlay_groups.setdefault(root, []).extend(overlay_files(path.parent))
        elif path.is_file() and path.parent.name == OVERLAYS_DIR:
            root = path.parent.parent if (path.parent.parent / "parameters.yaml").is_file() else default_root
            overlay_groups.setdefault(root, []).append(path)
        elif path.is_file() and path.suffix not in YAML_SUFFIXES:  # never read (and echo) another kind of file
            problems.append(Problem(Location(str(path)), "not a playbook: a playbook or overlay is a YAML file ending "
                                    "in .yaml or .yml", "io"))
        elif path.is_file():
            groups.setdefault(default_root, []).append(path)
        elif path.exists():
            problems.append(Problem(Location(str(path)), "not a regular file or folder", "io"))
        else:
            problems.append(Problem(Location(str(path)), "no such file or folder", "io"))
    return groups, overlay_groups, problems


def _validate_overlays(root: Path, files: list[Path]) -> list[Problem]:
    """Each overlay merged onto the playbooks of ``root``, its own worked examples decided."""
    try:
        library = load_library(root, strict=True)
    except PlaybookError as exc:  # an overlay cannot be checked on broken playbooks; say why once
        return list(exc.problems)
    problems: list[Problem] = []
    for path in files:
        try:
            problems.extend(check_overlay(library, path).warnings)
        except PlaybookError as exc:
            problems.extend(exc.problems)
    return problems


def check_file(library: Library, path: Path) -> tuple[CompiledPlaybook | None, list[Problem]]:
    """Build one playbook file against ``library`` and decide its worked examples.

    The playbook, or None with every problem (of the file, or of an example that fails or
    disagrees with its own rules, at the example's file:line).
    """
    playbook, problems = library.load_file(path)  # with a playbook, its warnings only
    if playbook is None:
        return None, problems
    failed = example_problems(playbook, library)
    return (None, problems + failed) if failed else (playbook, problems)


def _validate_group(root: Path, files: list[Path]) -> tuple[list[Problem], int]:
    from .platforms import load_catalogue, load_profiles, profile_problems

    problems = list(profile_problems(root))
    profile_files = list((root / "platforms").glob("*.yaml")) + list((root / "jurisdictions").glob("*.yaml"))
    try:
        catalogue = load_catalogue(root)
    except PlaybookError as exc:
        return problems + [p for p in exc.problems if p not in problems], len(files) + len(profile_files) + 1
    profiles = {}
    if not problems:
        profiles = load_profiles(root)
    library = Library(root, catalogue, profiles)
    for path in dict.fromkeys(files):
        if profiles:
            _playbook, found = check_file(library, path)
        else:  # profiles are broken: check the playbook itself, skip its examples
            from .playbook.load import build_playbook

            _playbook, _draft, found = build_playbook(path, library.context(), str(path))
        problems.extend(found)
    from .platforms.floors import floor_problems

    problems.extend(p for p in floor_problems(root) if p not in problems)  # never below the law (docs/law.md)
    return problems, len(files) + len(profile_files) + 1


#: ``warning: file:line:col: message`` (or ``warning: file: message``), as verification_warnings writes them.
_WARNING = re.compile(r"warning: (?:(?P<file>.+?):(?P<line>\d+):(?P<col>\d+)|(?P<bare>[^:]+)): (?P<message>.*)", re.S)


def verification_problems(folders: Iterable[str | Path], today: Any = None) -> list[Problem]:
    """The staleness warnings of the parameter values of ``folders`` (see
    :func:`aftersales.platforms.load.verification_warnings`) as located problems of severity
    warning: ``stale-verification`` for a value verified too long ago, ``never-verified`` for the
    values of a file never verified. A folder without profiles, or one that cannot be read (its
    errors are validation's), has none."""
    from .platforms.load import verification_warnings

    problems: list[Problem] = []
    for folder in folders:
        if not (Path(folder) / "platforms").is_dir():
            continue
        try:
            lines = verification_warnings(folder, today)
        except Exception:  # noqa: BLE001 - a warning must never break validation
            continue
        for line in lines:
            match = _WARNING.fullmatch(line)
            if match is None:  # pragma: no cover - verification_warnings writes only the two forms
                continue
            if match["bare"] is not None:
                location = Location(match["bare"])
            else:
                location = Location(match["file"], int(match["line"]), int(match["col"]))
            message = match["message"]
            if "never verified" in message:
                problems.append(Problem(location, message, "never-verified"))
            else:
                problems.append(Problem(location, message, "stale-verification"))
    return problems
