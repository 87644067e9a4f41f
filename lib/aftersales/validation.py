"""``aftersales validate``: every problem of the given playbooks and of the platform profiles."""

from __future__ import annotations

from pathlib import Path

from .errors import Location, PlaybookError, Problem
from .library import Library, default_playbooks_dir, scenario_files


def validate_paths(paths: list[Path], playbooks_dir: str | Path | None = None) -> tuple[list[Problem], int]:
    """Validate ``paths`` (files or folders; none = the whole playbooks folder).

    A folder that holds its own ``parameters.yaml`` is validated as a library of its own
    (profiles included); other files are checked against the default playbooks folder.
    Returns every problem found and the number of files checked.
    """
    default_root = Path(playbooks_dir) if playbooks_dir else default_playbooks_dir()
    groups: dict[Path, list[Path]] = {}
    problems: list[Problem] = []
    if not paths:
        groups[default_root] = scenario_files(default_root)
    for path in paths:
        if path.is_dir():
            root = path if (path / "parameters.yaml").is_file() else default_root
            groups.setdefault(root, []).extend(scenario_files(path))
        elif path.is_file():
            groups.setdefault(default_root, []).append(path)
        else:
            problems.append(Problem(Location(str(path)), "no such file or folder", "io"))
    checked = len(problems)
    for root, files in groups.items():
        found, count = _validate_group(root, files)
        problems.extend(found)
        checked += count
        whole_library = not paths or any(p.is_dir() and p.resolve() == root.resolve() for p in paths)
        if whole_library and (root / "cases").is_dir() and not found:
            from .training.cases import case_files, case_problems

            problems.extend(case_problems(root / "cases"))  # the practice bank must agree with the playbooks
            checked += len(case_files(root / "cases"))
    return sorted(set(problems)), checked


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
            _playbook, found = library.load_file(path)
        else:  # profiles are broken: check the playbook itself, skip its examples
            from .playbook.load import build_playbook

            _playbook, _draft, found = build_playbook(path, library.context(), str(path))
        problems.extend(found)
    return problems, len(files) + len(profile_files) + 1
