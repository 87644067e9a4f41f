"""Decisions per second per scenario, on one core, without and with message rendering.

Targets (issue 2): >= 50,000 decisions/s without messages, >= 5,000/s with messages.
Each scenario cycles through its playbook's worked examples (several platforms and paths).
Also prints the CLI's ``--help`` wall time (target < 1 s).

    python benchmarks/bench_engine.py [--seconds 2]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from aftersales.engine import decide
from aftersales.library import load_library


def rate(scenario: str, cases: list[tuple[dict, str]], seconds: float, render: bool, library) -> float:
    """Decisions per second for ``scenario`` cycling through ``cases`` for about ``seconds``."""
    as_of = "2026-01-15T09:00:00+00:00"
    for facts, platform in cases:  # warm caches (parameters in force, holiday calendars)
        decide(scenario, facts, platform, as_of=as_of, render_message=render, library=library)
    count = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for facts, platform in cases:
            decide(scenario, facts, platform, as_of=as_of, render_message=render, library=library)
        count += len(cases)
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - start)


def help_time() -> float:
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "aftersales", "--help"], capture_output=True, check=True)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    args = parser.parse_args()
    library = load_library()
    print(f"{'scenario':<16} {'cases':>5} {'no message /s':>14} {'with message /s':>16}")
    worst_plain, worst_message = float("inf"), float("inf")
    for scenario in sorted(library.playbooks):
        playbook = library.playbooks[scenario]
        cases = [(example.facts, example.platform) for example, _ in playbook.examples]
        plain = rate(scenario, cases, args.seconds, False, library)
        with_message = rate(scenario, cases, args.seconds, True, library)
        worst_plain, worst_message = min(worst_plain, plain), min(worst_message, with_message)
        print(f"{scenario:<16} {len(cases):>5} {plain:>14,.0f} {with_message:>16,.0f}")
    print(f"slowest scenario: {worst_plain:,.0f}/s without messages (target 50,000), "
          f"{worst_message:,.0f}/s with messages (target 5,000)")
    print(f"aftersales --help: {help_time() * 1000:.0f} ms median of 5 (target < 1000 ms)")


if __name__ == "__main__":
    main()
