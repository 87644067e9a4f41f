"""Store overlays: a team's own rules laid over the shared playbooks, without forking them.

An overlay is one YAML file, ``playbooks/overlays/<store>.yaml`` or any path given with
``--overlay``. It may

* set **parameters** for every platform (``all``) or one platform, each value with its own
  source, confidence and ``effective_from`` like a platform file;
* **disable platforms** the store does not sell on (for the whole store or one scenario);
* per scenario: add or replace **inputs**, patch **steps** (replace keys, replace
  ``branches``, or put ``add_branches`` in front of the existing ones), add new steps, patch or
  add **outcomes** (e.g. their ``message`` templates), and add worked **examples**.

The merge is deterministic: the overlay's keys replace the base's, key by key, in the
overlay's order; nothing else moves. The merged playbook is compiled and validated like any
playbook, and every node taken from the overlay keeps the overlay's file and line, so an
error in an added branch points at the overlay, not at the base file.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError

from .errors import Location, PlaybookError, Problem, did_you_mean
from .library_model import Library
from .paths import display_path
from .platforms.load import read_parameters
from .playbook.load import build_playbook_doc
from .strict import StrictModel
from .yamlsource import (
    YAML_SUFFIXES,
    PathKey,
    SourceDoc,
    load_yaml,
    parse_yaml_text,
    pydantic_problems,
    read_yaml_bytes,
)

OVERLAYS_DIR = "overlays"
ALL_PLATFORMS = "all"
_NAME = r"^[a-z][a-z0-9_-]*$"


class ScenarioPatch(StrictModel):
    """What an overlay changes in one scenario."""

    sources: list[str] = []
    disable_platforms: list[str] = []
    inputs: dict[str, Any] = {}
    steps: dict[str, dict[str, Any]] = {}
    outcomes: dict[str, dict[str, Any]] = {}
    examples: list[Any] = []


class OverlayFile(StrictModel):
    """``playbooks/overlays/<store>.yaml``."""

    overlay: str = Field(pattern=_NAME)
    version: str = Field(pattern=r"^\d+(\.\d+)*$")
    title: dict[str, str] | None = None
    sources: list[str] = []
    disable_platforms: list[str] = []
    parameters: dict[str, dict[str, Any]] = {}
    scenarios: dict[str, ScenarioPatch] = {}


@dataclass(frozen=True)
class Overlay:
    """A parsed, schema-checked overlay file."""

    name: str
    version: str
    file: str  # as shown in messages
    path: Path
    digest: str  # sha256 of the file's bytes
    raw: bytes
    doc: SourceDoc
    spec: OverlayFile

    @property
    def tag(self) -> str:
        """What merged playbook versions carry after a ``+``: ``acme.3``."""
        return f"{self.name}.{self.version}"


def resolve_overlay(overlay: str | Path, playbooks_dir: Path) -> Path:
    """``acme`` → ``<playbooks>/overlays/acme.yaml``; a path (with a ``/`` or ``.yaml``) as given.

    A name the overlays folder holds wins over a file of that name in the current folder
    (which :func:`read_overlay` refuses anyway unless it is a ``.yaml``/``.yml`` file).
    """
    text = str(overlay)
    if "/" in text or text.endswith(YAML_SUFFIXES):
        return Path(text)
    named = playbooks_dir / OVERLAYS_DIR / f"{text}.yaml"
    if not named.is_file() and Path(text).is_file():
        return Path(text)
    return named


def overlay_files(playbooks_dir: Path) -> list[Path]:
    """The overlays a playbooks folder ships (``overlays/*.yaml``, not ``_*``)."""
    folder = playbooks_dir / OVERLAYS_DIR
    return sorted(p for p in folder.glob("*.yaml") if not p.name.startswith("_")) if folder.is_dir() else []


def read_overlay(path: Path) -> Overlay:
    """Parse and schema-check ``path``; raises :class:`PlaybookError` with located problems."""
    name = display_path(path)
    if not path.is_file() and path.exists():
        raise PlaybookError([Problem(Location(name), "not a regular file: an overlay is a YAML file ending in .yaml "
                                     "or .yml", "io")])
    if not path.is_file():
        folder = path.parent
        known = [p.stem for p in folder.glob("*.yaml")] if folder.is_dir() else []
        hint = f"; overlays in {display_path(folder)}: {', '.join(sorted(known))}" if known else ""
        raise PlaybookError([Problem(Location(name), f"overlay not found{hint}", "io")])
    # only a YAML file is read as an overlay: never /etc/shadow, a device or /proc/self/mem
    if path.suffix not in YAML_SUFFIXES:
        raise PlaybookError([Problem(Location(name), "an overlay is a YAML file: its name must end in .yaml or .yml "
                                     "(or give the name of one in playbooks/overlays/)", "io")])
    target = path.resolve()
    if target.suffix not in YAML_SUFFIXES:
        raise PlaybookError([Problem(Location(name), "an overlay is a YAML file: this one links to a file whose name "
                                     "does not end in .yaml or .yml", "io")])
    raw = read_yaml_bytes(path, name)  # a regular file, at most MAX_YAML_BYTES (limits.py)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise PlaybookError([Problem(Location(name), "cannot read file: an overlay is UTF-8 text", "io")]) from None
    doc, duplicates = parse_yaml_text(text, name)
    if not isinstance(doc.data, dict) or not isinstance(doc.data.get("overlay"), str):
        # any file can be named here: say what it must be, never echo what it holds (not even its keys)
        raise PlaybookError([doc.problem((), "not a store overlay: an overlay is a YAML mapping that starts with "
                                         "'overlay: <name>' and 'version', then what it changes", "schema")])
    if duplicates:
        raise PlaybookError(duplicates)
    try:
        spec = OverlayFile.model_validate(doc.data)
    except ValidationError as exc:
        raise PlaybookError(pydantic_problems(doc, exc, OverlayFile)) from None
    if path.parent.name == OVERLAYS_DIR and spec.overlay != path.stem:
        raise PlaybookError([doc.problem(("overlay",), f"overlay '{spec.overlay}' does not match the file name "
                                         f"'{path.name}' (expected 'overlay: {path.stem}')", "name")])
    return Overlay(spec.overlay, spec.version, name, path, hashlib.sha256(raw).hexdigest(), raw, doc, spec)


# --------------------------------------------------------------------------- merging one scenario


@dataclass
class _Merged:
    """A base playbook document being changed by an overlay, with every node's location."""

    data: dict[str, Any]
    marks: dict[PathKey, Location]
    key_marks: dict[PathKey, Location]
    problems: list[Problem] = field(default_factory=list)

    def drop(self, prefix: PathKey) -> None:
        size = len(prefix)
        for table in (self.marks, self.key_marks):
            for path in [p for p in table if p[:size] == prefix]:
                del table[path]

    def graft(self, doc: SourceDoc, src: PathKey, dst: PathKey) -> None:
        """Record that the node at ``dst`` comes from ``src`` in ``doc`` (replacing what was there)."""
        self.drop(dst)
        view = doc.view(src, dst)
        self.marks.update(view.marks)
        self.key_marks.update(view.key_marks)

    def shift(self, prefix: PathKey, by: int) -> None:
        """Move the locations of the list items under ``prefix`` ``by`` places down."""
        size = len(prefix)
        for table in (self.marks, self.key_marks):
            moved = {p: loc for p, loc in table.items() if p[:size] == prefix and len(p) > size}
            for path in moved:
                del table[path]
            table.update({prefix + (path[size] + by,) + path[size + 1:]: loc for path, loc in moved.items()})


def merge_scenario(base: SourceDoc, overlay: Overlay, scenario: str, disabled: dict[str, Location],
                   all_platforms: tuple[str, ...]) -> tuple[SourceDoc, list[Problem]]:
    """The base playbook document with the overlay's patch for ``scenario`` applied.

    ``disabled`` maps the platforms the overlay turns off (for the whole store) to where it
    says so. Returns the merged document and the problems only the overlay can explain
    (a patch of a step that does not exist, ``add_branches`` on a step that uses ``next``...).
    """
    merged = _Merged(copy.deepcopy(base.data), dict(base.marks), dict(base.key_marks))
    patch = overlay.spec.scenarios.get(scenario)
    here: PathKey = ("scenarios", scenario)
    doc = overlay.doc
    data = merged.data
    if patch is not None:
        data.setdefault("sources", []).extend(patch.sources)
        for name, spec in patch.inputs.items():
            data.setdefault("inputs", {})[name] = copy.deepcopy(spec)
            merged.graft(doc, here + ("inputs", name), ("inputs", name))
        _merge_steps(merged, doc, here, patch)
        _merge_outcomes(merged, doc, here, patch)
        start = len(data.get("examples") or [])
        for index, example in enumerate(patch.examples):
            data.setdefault("examples", []).append(copy.deepcopy(example))
            merged.graft(doc, here + ("examples", index), ("examples", start + index))
        for index, name in enumerate(patch.disable_platforms):
            disabled = {**disabled, name: doc.at(here + ("disable_platforms", index))}
    if disabled:
        platforms = data.get("platforms") or list(all_platforms)
        data["platforms"] = [p for p in platforms if p not in disabled]
        if not data["platforms"]:
            merged.problems.append(Problem(next(iter(disabled.values())),
                                           f"the overlay disables every platform of {scenario}", "overlay"))
        _drop_examples_of(merged, disabled)
    result = SourceDoc(base.file, data, merged.marks, merged.key_marks)
    return result, merged.problems


def _drop_examples_of(merged: _Merged, disabled: dict[str, Location]) -> None:
    """Worked examples of a disabled platform go with it (the others keep their locations)."""
    examples = merged.data.get("examples") or []
    keep = [i for i, e in enumerate(examples)
            if not (isinstance(e, dict) and isinstance(e.get("platform"), str) and e["platform"] in disabled)]
    if len(keep) == len(examples):
        return
    for table in (merged.marks, merged.key_marks):
        items = {p: loc for p, loc in table.items() if p[:1] == ("examples",) and len(p) > 1}
        for path in items:
            del table[path]
        for new, old in enumerate(keep):
            table.update({("examples", new) + p[2:]: loc for p, loc in items.items() if p[1] == old})
    merged.data["examples"] = [examples[i] for i in keep]


def _merge_steps(merged: _Merged, doc: SourceDoc, here: PathKey, patch: ScenarioPatch) -> None:
    steps = merged.data.get("steps")
    if not isinstance(steps, list):
        return
    index_of = {s.get("id"): i for i, s in enumerate(steps) if isinstance(s, dict)}
    for step_id, changes in patch.steps.items():
        at = here + ("steps", step_id)
        if step_id in index_of:
            _patch_step(merged, doc, at, index_of[step_id], changes)
            continue
        if "title" not in changes:
            merged.problems.append(doc.problem(at, f"unknown step '{step_id}'{did_you_mean(step_id, index_of)}: "
                                               "to add a new step give at least its title and its branches or next",
                                               "overlay", key=True))
            continue
        if "add_branches" in changes:
            merged.problems.append(doc.problem(at + ("add_branches",), f"'add_branches' patches an existing step; "
                                               f"the new step '{step_id}' lists its 'branches'", "overlay", key=True))
            continue
        if changes.get("id", step_id) != step_id:
            merged.problems.append(doc.problem(at + ("id",), f"the step's id is its key '{step_id}'", "overlay"))
            continue
        position = len(steps)
        steps.append({"id": step_id, **copy.deepcopy(changes)})
        merged.graft(doc, at, ("steps", position))
        merged.marks[("steps", position, "id")] = doc.at(at, key=True)
        index_of[step_id] = position


def _patch_step(merged: _Merged, doc: SourceDoc, at: PathKey, index: int, changes: dict[str, Any]) -> None:
    step = merged.data["steps"][index]
    for key, value in changes.items():
        if key == "id":
            if value != step.get("id"):
                merged.problems.append(doc.problem(at + ("id",), "an overlay cannot rename a step", "overlay"))
            continue
        if key == "add_branches":
            if "next" in step and "branches" not in changes:
                merged.problems.append(doc.problem(at + (key,), f"step '{step.get('id')}' ends in 'next: {step['next']}'"
                                                   "; give it 'branches' (with a default) instead of adding to them",
                                                   "overlay", key=True))
                continue
            if not isinstance(value, list):
                merged.problems.append(doc.problem(at + (key,), "'add_branches' must be a list of branches", "overlay"))
                continue
            for b_index, branch in enumerate(value):
                if isinstance(branch, dict) and not branch.get("reason") and not branch.get("default"):
                    merged.problems.append(doc.problem(
                        at + (key, b_index), f"a branch the store adds to step '{step.get('id')}' has no reason: "
                        "agents would see its condition in the trace and the SOP; give it a reason in en, zh and ru",
                        "overlay-reason"))
            existing = step.get("branches") or []
            merged.shift(("steps", index, "branches"), len(value))
            for b_index in range(len(value)):
                merged.graft(doc, at + (key, b_index), ("steps", index, "branches", b_index))
            step["branches"] = copy.deepcopy(value) + existing
            continue
        if key in ("reason", "source") and "add_branches" in changes:
            merged.problems.append(doc.problem(
                at + (key,), f"this replaces the {key} of step '{step.get('id')}' itself, shown in every case's trace; "
                f"if it is the {key} of a branch you add, indent it under that branch (as far as its 'when:')",
                "overlay-reason"))
        step[key] = copy.deepcopy(value)
        merged.graft(doc, at + (key,), ("steps", index, key))
    if "add_branches" in changes and "branches" in changes:
        merged.problems.append(doc.problem(at + ("add_branches",), "give either 'branches' (replacing them all) or "
                                           "'add_branches' (in front of the existing ones), not both", "overlay",
                                           key=True))


#: Outcome fields written once per language: an overlay may replace some languages and keep the rest.
_PER_LANGUAGE = frozenset({"message", "title"})


def _merge_outcomes(merged: _Merged, doc: SourceDoc, here: PathKey, patch: ScenarioPatch) -> None:
    outcomes = merged.data.get("outcomes")
    if not isinstance(outcomes, dict):
        return
    for outcome_id, changes in patch.outcomes.items():
        at = here + ("outcomes", outcome_id)
        if outcome_id in outcomes and isinstance(outcomes[outcome_id], dict):
            for key, value in changes.items():
                current = outcomes[outcome_id].get(key)
                if key in _PER_LANGUAGE and isinstance(value, dict) and isinstance(current, dict):
                    # one language replaced, the others kept: a store rewrites its Russian text only
                    for lang, text in value.items():
                        current[lang] = copy.deepcopy(text)
                        merged.graft(doc, at + (key, lang), ("outcomes", outcome_id, key, lang))
                    continue
                outcomes[outcome_id][key] = copy.deepcopy(value)
                merged.graft(doc, at + (key,), ("outcomes", outcome_id, key))
            continue
        if "title" not in changes or "resolution" not in changes:
            merged.problems.append(doc.problem(at, f"unknown outcome '{outcome_id}'{did_you_mean(outcome_id, outcomes)}"
                                               ": to add a new outcome give at least its title and resolution",
                                               "overlay", key=True))
            continue
        outcomes[outcome_id] = copy.deepcopy(changes)
        merged.graft(doc, at, ("outcomes", outcome_id))
        merged.key_marks[("outcomes", outcome_id)] = doc.at(at, key=True)


# --------------------------------------------------------------------------- the whole library


def overlay_problems(overlay: Overlay, scenarios: list[str], platforms: tuple[str, ...]) -> list[Problem]:
    """Names in the overlay that point nowhere: scenarios and platforms."""
    doc, spec, problems = overlay.doc, overlay.spec, []

    def platform_check(name: str, path: PathKey, extra: tuple[str, ...] = (), key: bool = False) -> None:
        if name not in platforms and name not in extra:
            allowed = (*extra, *platforms)
            problems.append(doc.problem(path, f"unknown platform '{name}'{did_you_mean(name, allowed)}; "
                                        f"allowed: {', '.join(allowed)}", "unknown-platform", key=key))

    for index, name in enumerate(spec.disable_platforms):
        platform_check(name, ("disable_platforms", index))
    for name in spec.parameters:
        platform_check(name, ("parameters", name), (ALL_PLATFORMS,), key=True)
    for scenario, patch in spec.scenarios.items():
        if scenario not in scenarios:
            problems.append(doc.problem(("scenarios", scenario), f"unknown scenario '{scenario}'"
                                        f"{did_you_mean(scenario, scenarios)}; allowed: {', '.join(scenarios)}",
                                        "unknown-scenario", key=True))
        for index, name in enumerate(patch.disable_platforms):
            platform_check(name, ("scenarios", scenario, "disable_platforms", index))
    return problems


def apply_overlay(library: Library, path: Path) -> Library:
    """A new :class:`~aftersales.library_model.Library`: ``library`` with the overlay at ``path`` laid over it.

    Raises :class:`PlaybookError` with every located problem when the overlay or a merged
    playbook is invalid. Its worked examples and templates are not run here:
    :func:`aftersales.overlay_checks.check_overlay` (what ``aftersales validate`` does) runs them.
    """
    overlay = read_overlay(path)
    spec, doc = overlay.spec, overlay.doc
    platforms = tuple(sorted(library.profiles))
    problems = overlay_problems(overlay, library.scenarios, platforms)
    disabled = {name: doc.at(("disable_platforms", i)) for i, name in enumerate(spec.disable_platforms)}
    shared: dict[str, Any] = {}
    own: dict[str, dict[str, Any]] = {}
    for target, raw in spec.parameters.items():
        view = doc.view(("parameters", target), ("parameters",))
        parsed = read_parameters(view, raw if isinstance(raw, dict) else {}, library.catalogue, problems)
        (shared if target == ALL_PLATFORMS else own.setdefault(target, {})).update(parsed)
    profiles = {name: profile.overridden({**shared, **own.get(name, {})}) if shared or own.get(name) else profile
                for name, profile in library.profiles.items() if name not in disabled}
    merged_library = Library(library.root, library.catalogue, profiles, overlay=overlay,
                             disabled_platforms={p: str(loc) for p, loc in disabled.items()})
    for scenario in library.scenarios:
        if scenario in library.broken:
            merged_library.broken[scenario] = library.broken[scenario]
            continue
        base_playbook = library.playbooks[scenario]
        if scenario not in spec.scenarios:
            kept = tuple(p for p in base_playbook.platforms if p not in disabled)
            merged_library.playbooks[scenario] = replace(base_playbook, platforms=kept)
            continue
        playbook, found = _merged_playbook(library, overlay, scenario, disabled)
        errors = [p for p in found if p.severity == "error"]
        merged_library.warnings.extend(p for p in found if p.severity != "error")
        if errors or playbook is None:
            merged_library.broken[scenario] = errors or found
            problems.extend(errors or found)
        else:
            merged_library.playbooks[scenario] = playbook
    merged_library.problems = list(library.problems)
    if problems:
        raise PlaybookError(sorted(set(problems)))
    return merged_library


def _merged_playbook(library: Library, overlay: Overlay, scenario: str,
                     disabled: dict[str, Location]) -> tuple[Any, list[Problem]]:
    base_path = Path(library.root) / f"{scenario}.yaml"
    base_doc = load_yaml(base_path, display_name=display_path(base_path))
    merged_doc, problems = merge_scenario(base_doc, overlay, scenario, disabled, tuple(sorted(library.profiles)))
    context = library.context()
    playbook, _draft, found = build_playbook_doc(merged_doc, base_path.parent, context,
                                                 [base_path.read_bytes(), overlay.raw])
    problems = problems + found
    if playbook is None or any(p.severity == "error" for p in problems):
        return None, problems
    return replace(playbook, version=f"{playbook.version}+{overlay.tag}"), problems  # warnings only
