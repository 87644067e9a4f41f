"""Server-side time per wizard step: from a value put in the control and Next pressed to the
redrawn form (next question, checklist of the path, or the recommendation card).

Target (issue 3): p95 <= 50 ms per step. Every worked example of every playbook is walked
``--rounds`` times; Back, a language switch and Restart are timed as steps too. Widget state
messages are serialised to JSON as a kernel would send them (ipywidgets without a kernel
drops them), so their cost is counted; the number of messages and bytes per step is printed.

    python benchmarks/bench_wizard.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import comm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aftersales.examples import EXAMPLE_AS_OF  # noqa: E402
from aftersales.library import load_library  # noqa: E402
from aftersales.widgets.wizard import Wizard  # noqa: E402

SENT = {"messages": 0, "bytes": 0}


def _serialise(self: Any, msg_type: str, data: Any = None, metadata: Any = None, buffers: Any = None, **keys: Any) -> None:
    SENT["messages"] += 1
    SENT["bytes"] += len(json.dumps({"msg_type": msg_type, "data": data, "metadata": metadata}, default=str))


def timed(samples: list[float], action: Any) -> None:
    start = time.perf_counter()
    action()
    samples.append((time.perf_counter() - start) * 1000)


def walk(scenario: str, example: Any, library: Any, samples: dict[str, list[float]]) -> None:
    asked_somewhere = {name for step in library.playbook(scenario).steps.values() for name in step.ask}
    given = {k: v for k, v in example.facts.items()
             if k not in asked_somewhere and library.playbook(scenario).inputs[k].has_default}
    start = time.perf_counter()
    wizard = Wizard(scenario, example.platform, "en", example.as_of or EXAMPLE_AS_OF, facts=given, library=library)
    samples["open"].append((time.perf_counter() - start) * 1000)
    answered = 0
    while wizard.field is not None:
        question = wizard.field.question
        value = example.facts.get(question.name, question.default)

        timed(samples["next"], lambda value=value: wizard.answer(value))
        if wizard.error.value:
            raise SystemExit(f"{scenario}/{example.name}: {question.name} refused: {wizard.error.value}")
        answered += 1
        if answered == 2:
            timed(samples["back"], wizard.back_button.click)
            timed(samples["next"], wizard.next_button.click)
    timed(samples["language"], lambda: setattr(wizard.lang_select, "value", "zh"))
    timed(samples["restart"], wizard.restart_button.click)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="walks of every example (default 5)")
    args = parser.parse_args()
    comm.DummyComm.publish_msg = _serialise  # count what a kernel would send
    library = load_library()
    cases = [(s, e) for s in library.scenarios for e, _loc in library.playbook(s).examples]
    walk(*cases[0], library, {k: [] for k in ("open", "next", "back", "language", "restart")})  # warm caches
    SENT.update(messages=0, bytes=0)
    samples: dict[str, list[float]] = {k: [] for k in ("open", "next", "back", "language", "restart")}
    per_scenario: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        for scenario, example in cases:
            mine = {k: [] for k in samples}
            walk(scenario, example, library, mine)
            for k, v in mine.items():
                samples[k].extend(v)
            per_scenario.setdefault(scenario, []).extend(mine["next"] + mine["back"] + mine["language"] + mine["restart"])
    steps = samples["next"] + samples["back"] + samples["language"] + samples["restart"]
    print(f"wizard steps, server side ({len(cases)} example paths x {args.rounds} rounds, {len(steps)} steps)")
    print(f"{'action':<22} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for name, values in [*samples.items(), *((f"  {s}", v) for s, v in sorted(per_scenario.items()))]:
        print(f"{name:<22} {len(values):>6} {statistics.median(values):>8.2f} {percentile(values, 95):>8.2f} "
              f"{max(values):>8.2f}")
    p95 = percentile(steps, 95)
    print(f"all steps              {len(steps):>6} {statistics.median(steps):>8.2f} {p95:>8.2f} {max(steps):>8.2f}")
    print(f"widget messages per step: {SENT['messages'] / len(steps):.1f}, "
          f"JSON bytes per step: {SENT['bytes'] / len(steps):,.0f}")
    print(f"target p95 <= 50 ms: {'met' if p95 <= 50 else 'NOT met'} ({p95:.2f} ms)")
    return 0 if p95 <= 50 else 1


if __name__ == "__main__":
    raise SystemExit(main())
