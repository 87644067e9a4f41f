"""A big flowchart cut into a main flow and linked sub-charts, so each prints legibly (issue 19, part 4).

A chart of more than :data:`MAX_NODES` boxes is split: the step whose part of the flow is the
largest that only it leads into (the nodes it *dominates*: every path from the chart's start to
them passes through it) becomes a sub-chart of its own, and the main chart shows it as one box
"→ chart 2". Repeated until the main chart is small enough; a sub-chart that is still too big is
split the same way. Outcomes reached from several parts stay where they are drawn and may appear
in more than one chart.

Source: issue 19 ("Legible flowcharts").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..playbook.compiled import CompiledPlaybook

__all__ = ["Chart", "MAX_NODES", "split_charts"]

#: The most boxes a chart keeps before a part of it moves to a sub-chart.
MAX_NODES = 8
#: The smallest part worth a sub-chart of its own.
MIN_PART = 3
#: The fewest boxes a chart keeps when a part moves out (a chart of three boxes helps nobody).
MIN_KEPT = 4


@dataclass
class Chart:
    """One chart: its start step, the nodes it draws, and the steps drawn as links to other charts."""

    number: int
    root: str
    nodes: set[str]
    links: dict[str, int] = field(default_factory=dict)  # a step drawn as "→ chart n" -> n


def _edges(playbook: CompiledPlaybook, keep: Any) -> dict[str, list[str]]:
    """Each kept step's targets (branches the platform keeps, or its ``next``)."""
    edges: dict[str, list[str]] = {}
    for step_id, step in playbook.steps.items():
        if keep is not None and step_id not in keep.steps:
            continue
        taken = keep.branches.get(step_id, ()) if keep is not None else tuple(b.index for b in step.branches)
        targets = [b.target for b in step.branches if b.index in taken]
        if not step.branches and step.next:
            targets.append(step.next)
        edges[step_id] = targets
    return edges


def _reach(edges: dict[str, list[str]], start: str, nodes: set[str], cut: str | None = None) -> set[str]:
    """Nodes of ``nodes`` reachable from ``start`` without passing through ``cut``."""
    seen, todo = set(), [start]
    while todo:
        node = todo.pop()
        if node in seen or node not in nodes or node == cut:
            continue
        seen.add(node)
        todo.extend(edges.get(node, ()))
    return seen


def _dominated(edges: dict[str, list[str]], root: str, nodes: set[str], step: str) -> set[str]:
    """The nodes of the chart only ``step`` leads into (``step`` included)."""
    without = _reach(edges, root, nodes, cut=step)
    return (_reach(edges, step, nodes) - without) | {step}


def split_charts(playbook: CompiledPlaybook, keep: Any = None, max_nodes: int = MAX_NODES) -> list[Chart]:
    """The charts of ``playbook`` (what ``keep`` leaves on a platform): the main chart first, then
    its sub-charts in the order they are linked."""
    edges = _edges(playbook, keep)
    everything = _reach(edges, playbook.start, set(edges) | set(playbook.outcomes))
    charts = [Chart(1, playbook.start, everything)]
    index = 0
    while index < len(charts):
        chart = charts[index]
        while len(chart.nodes) > max_nodes:
            best: tuple[int, str, set[str]] | None = None
            for step in sorted(n for n in chart.nodes if n in edges and n != chart.root and n not in chart.links):
                part = _dominated(edges, chart.root, chart.nodes, step)
                size = len(part)
                left = len(chart.nodes) - size + 1  # the chart keeps a box for the link
                if size >= MIN_PART and left >= MIN_KEPT and (best is None or size > best[0]):
                    best = (size, step, part)
            if best is None:
                break
            _size, step, part = best
            sub = Chart(len(charts) + 1, step, part)
            charts.append(sub)
            chart.nodes = (chart.nodes - part) | {step}
            chart.links[step] = sub.number
        index += 1
    return charts
