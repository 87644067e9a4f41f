"""The playbook library: every scenario playbook of one folder, the parameter catalogue and the
platforms, with every problem found. The model only; :mod:`aftersales.library` loads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .compliance.vocabulary import platform_names
from .errors import DisabledPlatformError, PlaybookError, Problem, UnknownNameError
from .paths import display_path
from .platforms.model import Catalogue
from .platforms.profile import Profile
from .playbook.compiled import CompiledPlaybook
from .playbook.load import BuildContext, build_playbook
from .policy import POLICY_FUNCTIONS

if TYPE_CHECKING:
    from .overlay import Overlay


NOT_SCENARIOS = frozenset({"common", "parameters", "training", "causes"})  # training: the lead's mastery settings; causes: cases counted by cause


def scenario_files(root: Path) -> list[Path]:
    """The scenario playbook files of the folder ``root`` (not its shared parts), in name order."""
    return sorted(p for p in root.glob("*.yaml") if p.stem not in NOT_SCENARIOS and not p.stem.startswith("_"))


@dataclass
class Library:
    """Everything loaded from one playbooks folder, with every problem found."""

    root: Path
    catalogue: Catalogue
    profiles: dict[str, Profile]
    playbooks: dict[str, CompiledPlaybook] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    broken: dict[str, list[Problem]] = field(default_factory=dict)  # scenario file stem -> its problems
    overlay: Overlay | None = None  # the store overlay laid over these playbooks (aftersales.overlay.Overlay), if any
    disabled_platforms: dict[str, str] = field(default_factory=dict)  # platform -> where the overlay disables it
    warnings: list[Problem] = field(default_factory=list)  # what validate reports but loading accepts

    @property
    def scenarios(self) -> list[str]:
        """Every scenario of the folder, usable or broken."""
        return sorted(set(self.playbooks) | set(self.broken))

    def playbook(self, scenario: str) -> CompiledPlaybook:
        """The compiled playbook of ``scenario``; PlaybookError if its file is invalid, UnknownNameError if none."""
        if scenario in self.broken:
            raise PlaybookError(self.broken[scenario])
        if scenario not in self.playbooks:
            raise UnknownNameError("scenario", scenario, self.scenarios)
        return self.playbooks[scenario]

    def profile(self, platform: str) -> Profile:
        """The platform profile of ``platform``; an error naming the overlay that disabled it, or the platforms there are."""
        if platform in self.disabled_platforms:
            raise DisabledPlatformError(platform, self.overlay.name if self.overlay else "", self.disabled_platforms[platform], self.profiles)
        if platform not in self.profiles:
            raise UnknownNameError("platform", platform, self.profiles)
        return self.profiles[platform]

    def context(self) -> BuildContext:
        """What a playbook file is built against: the policy functions, parameters, platforms, includes."""
        return BuildContext(
            functions={name: f.func for name, f in POLICY_FUNCTIONS.items()},
            signatures={name: f.signature for name, f in POLICY_FUNCTIONS.items()},
            parameters=catalogue_units(self.catalogue),
            # profiles that do not load (validate still checks the playbooks): the platform files' names
            platforms=tuple(sorted(self.profiles)) or platform_names(self.root),
            include_dirs=(self.root,),
        )

    def load_file(self, path: Path) -> tuple[CompiledPlaybook | None, list[Problem]]:
        """Build one playbook file against this library's platforms and parameters.

        Its worked examples are not decided here (:mod:`aftersales.validation` does that), so
        loading never needs the engine.
        """
        playbook, _draft, problems = build_playbook(path, self.context(), display_path(path))
        return playbook, problems


def catalogue_units(catalogue: Catalogue) -> dict[str, str]:
    """Parameter name → unit, from the catalogue."""
    return {name: spec.unit for name, spec in catalogue.parameters.items()}
