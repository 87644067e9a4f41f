"""What of a playbook applies on one platform: the steps, branches and outcomes a case there can reach.

An SOP for Ozon should not print the FBA reimbursement or the card-chargeback procedure, which do
not exist there (issue 19, part 2). A branch condition is decided *statically* for a platform when
it reads only what the platform fixes — its parameters in force (``params.NAME``), ``platform`` and
``jurisdiction`` — or compares a choice fact with choices the platform does not offer (an input's
``choices_where``: each choice's condition over the platform's parameters). A statically false
branch is dropped; a statically true one is the only way on from its step (later branches, the
default too, cannot be taken). Whatever depends on the case's facts stays. What no branch reaches
from the start is left out of that platform's flowchart, steps and outcome table.

Source: issue 19 ("Only what applies"); the conditions are the playbook's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from ..playbook.compiled import CompiledPlaybook
from ..playbook.static import available_choices, static_truth

__all__ = ["Applicable", "applicable", "static_truth", "available_choices"]


@dataclass(frozen=True)
class Applicable:
    """The parts of a playbook a case on one platform can reach."""

    steps: frozenset[str]
    outcomes: frozenset[str]
    #: per step, the indices of its branches that can be taken (in order)
    branches: Mapping[str, tuple[int, ...]]
    #: the platform's parameters in force it was worked out with (for conditions said in words)
    params: Mapping[str, Any] | None = None

    def keeps(self, node_id: str) -> bool:
        return node_id in self.steps or node_id in self.outcomes


def applicable(playbook: CompiledPlaybook, params: Mapping[str, Any], platform: str,
               jurisdiction: str | None = None) -> Applicable:
    """The steps, branches and outcomes of ``playbook`` a case on ``platform`` can reach, with the
    platform's parameters in force ``params``."""
    env = {"params": params, "platform": platform, "jurisdiction": jurisdiction}
    steps: set[str] = set()
    outcomes: set[str] = set()
    branches: dict[str, tuple[int, ...]] = {}
    todo = [playbook.start]
    while todo:
        node = todo.pop()
        if node in steps or node in outcomes:
            continue
        if node in playbook.outcomes:
            outcomes.add(node)
            continue
        step = playbook.steps[node]
        steps.add(node)
        taken: list[int] = []
        for branch in step.branches:
            truth = True if branch.condition is None else (
                static_truth(branch.condition.tree, playbook, env) if branch.condition.tree is not None else None)
            if truth is False:
                continue
            taken.append(branch.index)
            todo.append(branch.target)
            if truth is True:
                break
        branches[node] = tuple(taken)
        if not step.branches and step.next:
            todo.append(step.next)
    return Applicable(frozenset(steps), frozenset(outcomes), branches, params)
