"""A playbook while it is being built: what the loader fills in and the validator checks.

:mod:`aftersales.playbook.load` builds a :class:`Draft` part by part (header, inputs, steps,
outcomes, examples) and :mod:`aftersales.playbook.validate` runs the semantic and graph checks
on it; both import it from here, so neither imports the other at module level.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from inspect import Signature
from pathlib import Path
from typing import Any

from ..errors import Location, Problem
from ..yamlsource import PathKey, SourceDoc
from .compiled import CompiledChecklistItem, CompiledInput, CompiledOutcome, CompiledStep
from .expressions import Expression
from .model import Example, PlaybookHeader


@dataclass
class BuildContext:
    """What a playbook may refer to: functions, parameters (name → unit) and platforms."""

    functions: Mapping[str, Callable[..., Any]]
    signatures: Mapping[str, Signature]
    parameters: Mapping[str, str]
    platforms: tuple[str, ...]
    include_dirs: tuple[Path, ...] = ()


@dataclass
class Draft:
    """A playbook being built: raw docs, compiled parts and the problems found so far."""

    doc: SourceDoc
    context: BuildContext
    problems: list[Problem] = field(default_factory=list)
    header: PlaybookHeader | None = None
    inputs: dict[str, CompiledInput] = field(default_factory=dict)
    input_docs: dict[str, tuple[SourceDoc, PathKey]] = field(default_factory=dict)
    steps: dict[str, CompiledStep] = field(default_factory=dict)
    outcomes: dict[str, CompiledOutcome] = field(default_factory=dict)
    declared_ids: dict[str, PathKey] = field(default_factory=dict)  # id -> path (even if invalid)
    examples: list[tuple[Example, Location]] = field(default_factory=list)
    shared_checklists: dict[str, tuple[CompiledChecklistItem, ...]] = field(default_factory=dict)
    expressions: list[tuple[Expression, PathKey, str, SourceDoc]] = field(default_factory=list)  # (expr, path, owner, file)
    hash_parts: list[bytes] = field(default_factory=list)

    def add(self, path: PathKey, message: str, code: str, *, key: bool = False, doc: SourceDoc | None = None) -> None:
        """Record a problem at ``path`` of ``doc`` (the playbook file itself by default)."""
        self.problems.append((doc or self.doc).problem(path, message, code, key=key))
