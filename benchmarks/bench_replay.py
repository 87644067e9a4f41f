"""Replay at scale: a synthetic 1,000,000-row CSV per scenario, decided by ``aftersales replay``'s
chunked, de-duplicated path, against the plain per-row engine loop in the same run.

Target (issue 6): <= 20 s per 1,000,000 rows. Rows are drawn from the practice bank's cases of
the scenario on one platform, with varied numbers and dates, a unique order id and a few rows
the engine must refuse (sent to the errors file). The per-row loop decides a sample of rows
one by one and is scaled to the file; the ratio is reported.

    python benchmarks/bench_replay.py [--rows 1000000] [--sample 20000] [--scenario S] [--record-rows 20000]

``--record-rows`` also times ``replay --record`` (every row decided in full, with its message,
and appended to a case log) on that many rows of each file, and prints its rate.
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))

from aftersales.engine import decide  # noqa: E402
from aftersales.library import load_library  # noqa: E402
from aftersales.replay import RecordTo, parse_cell, replay  # noqa: E402
from aftersales.training.cases import load_cases  # noqa: E402

PLATFORM = {"size_mismatch": "taobao", "quality_defect": "ozon", "wrong_item": "generic", "claim": "amazon",
            "bad_review": "amazon"}


def synthesise(scenario: str, platform: str, rows: int, path: Path, seed: int = 11) -> list[str]:
    """Write ``rows`` synthetic past cases; returns the columns."""
    rng = random.Random(seed)
    cases = [c for c in load_cases() if c.scenario == scenario and c.platform == platform] or \
        [c for c in load_cases() if c.scenario == scenario]
    columns = sorted({k for c in cases for k in c.facts} | {"order_id"})
    booleans = {k for c in cases for k, v in c.facts.items() if isinstance(v, bool)}
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for n in range(rows):
            facts = dict(rng.choice(cases).facts)
            for name in booleans - set(facts):  # a fact another path needs: the agent would have it too
                facts[name] = rng.choice((True, False))
            for name, value in facts.items():
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    facts[name] = round(value * rng.choice((0.5, 0.8, 1, 1, 1.2, 2)), 1)
            facts["order_id"] = f"ORD-{n:07d}"
            if n % 997 == 0:
                facts[columns[0] if columns[0] != "order_id" else columns[1]] = "???"  # refused rows
            writer.writerow(["" if facts.get(c) is None else str(facts[c]).lower() if isinstance(facts.get(c), bool)
                             else facts[c] for c in columns])
    return columns


def per_row(scenario: str, platform: str, path: Path, sample: int, library) -> float:
    """Seconds per row of the plain loop: read each row, parse it, decide it."""
    playbook = library.playbook(scenario)
    with path.open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = [next(reader) for _ in range(sample)]
    started = time.perf_counter()
    for row in rows:
        facts = {k: parse_cell(v) for k, v in row.items() if v != ""}
        try:
            decide(playbook, facts, platform, as_of="2026-01-15T09:00:00+00:00", library=library, render_message=False)
        except Exception:  # noqa: BLE001  (refused rows cost their time too)
            pass
    return (time.perf_counter() - started) / sample


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--scenario", action="append")
    parser.add_argument("--record-rows", type=int, default=20_000, help="rows to time replay --record on (0: skip)")
    args = parser.parse_args()
    library = load_library()
    work = Path(tempfile.mkdtemp(prefix="bench-replay-"))
    worst = 0.0
    for scenario in args.scenario or list(PLATFORM):
        platform = PLATFORM[scenario]
        source = work / f"{scenario}.csv"
        synthesise(scenario, platform, args.rows, source)
        started = time.perf_counter()
        report = replay(source, scenario, platform, out=work / f"{scenario}.out.csv", library=library)
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        loop = per_row(scenario, platform, source, min(args.sample, args.rows), library) * args.rows
        worst = max(worst, seconds)
        print(f"{scenario:<15} {platform:<8} {report.rows:>9,} rows in {seconds:6.1f} s "
              f"({report.rows / seconds:>9,.0f} rows/s; {report.errors:,} refused; {report.distinct:,} distinct); "
              f"per-row loop {loop:6.1f} s (sampled) = {loop / seconds:4.1f}x slower; process peak RSS so far "
              f"{peak / 2**20:5.0f} MiB")
        if args.record_rows:
            recorded = timed_record(source, work, scenario, platform, args.record_rows, library)
            print(f"{'':<24} replay --record: {recorded[0]:,} records in {recorded[1]:.1f} s "
                  f"({recorded[0] / recorded[1]:,.0f} records/s; case log {recorded[2] / 2**20:.1f} MiB)")
    print(f"target <= 20 s per 1,000,000 rows: {'met' if worst <= 20 * args.rows / 1_000_000 else 'NOT met'} "
          f"(worst {worst:.1f} s)")
    return 0


def timed_record(source: Path, work: Path, scenario: str, platform: str, rows: int, library) -> tuple[int, float, int]:
    """``replay --record`` on the first ``rows`` rows of ``source``: (records written, seconds, log bytes)."""
    import os

    head = work / f"{scenario}.head.csv"
    with source.open(encoding="utf-8") as src, head.open("w", encoding="utf-8") as dst:
        for number, line in enumerate(src):
            if number > rows:
                break
            dst.write(line)
    log = work / f"{scenario}.case-log.jsonl"
    os.environ.setdefault("AFTERSALES_ARCHIVE", str(work / "archive"))
    record = RecordTo(log, "bench")
    started = time.perf_counter()
    replay(head, scenario, platform, library=library, record=record)
    return record.written, time.perf_counter() - started, log.stat().st_size


if __name__ == "__main__":
    raise SystemExit(main())
