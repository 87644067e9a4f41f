"""``aftersales train``: the case bank on the command line (a thin shell over :mod:`.cases`).

* ``train list`` — one case per line: ``id  scenario  platform  difficulty`` (aligned columns,
  no spaces inside a field, so ``line.split()`` gives the four fields).
* ``train show ID [--reveal] [--lang LANG]`` — the title, platform, difficulty and the customer's
  opening message; the hidden facts, traps and expected decision only with ``--reveal`` (title
  and traps in ``--lang``, default English).
* ``train refresh`` — rewrite the expectations from the engine (after a playbook change).

A bad id raises :class:`~aftersales.errors.UnknownNameError`; the main CLI prints it as one line.
"""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..languages import LANGS

__all__ = ["add_train_parser", "format_case", "format_case_list", "run_train"]


def add_train_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``train`` command (``list``, ``show``, ``refresh``, ``next``, ``board``, ``score``) to the CLI's sub-parsers."""
    train = subparsers.add_parser("train", help="practice cases: list them, show one, refresh their expectations")
    train.add_argument("--cases", metavar="DIR", help="case bank folder (default: the playbooks folder's cases/)")
    sub = train.add_subparsers(dest="train_command", metavar="SUBCOMMAND")
    sub.required = True

    p = sub.add_parser("list", help="one case per line: id, scenario, platform, difficulty")
    p.add_argument("--scenario", action="append", help="only this scenario (repeatable)")

    p = sub.add_parser("show", help="a case as the trainee sees it (--reveal: its facts and expected decision)")
    p.add_argument("case_id", metavar="ID")
    p.add_argument("--reveal", action="store_true", help="also show the hidden facts, the traps and the expected decision")
    p.add_argument("--lang", choices=LANGS, default="en", help="language of the title and the traps (default: en)")

    sub.add_parser("refresh", help="rewrite the cases' expected decisions from the engine (after a playbook change)")

    p = sub.add_parser("board", help="readiness per trainee x scenario x platform against the lead's mastery bar")
    p.add_argument("--trainee", action="append", metavar="NAME", help="only this trainee (repeatable)")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("--progress-url", metavar="URL", help="progress store (default: $AFTERSALES_PROGRESS_URL or local SQLite)")

    p = sub.add_parser("next", help="the case a trainee should work next (a missed rule returns as a sibling case)")
    p.add_argument("--trainee", required=True, metavar="NAME")
    p.add_argument("--platform", metavar="NAME", help="only cases on this platform")
    p.add_argument("--lang", choices=LANGS, help="only cases whose customer writes in this language")
    p.add_argument("--progress-url", metavar="URL", help="progress store (default: $AFTERSALES_PROGRESS_URL or local SQLite)")

    p = sub.add_parser("score", help="score a trainee's answers to a case, with the playbook's reasons for each miss")
    p.add_argument("id", metavar="ID")
    p.add_argument("--answers", required=True, metavar="FILE|-",
                   help="JSON object: facts, resolution, return_shipping_paid_by, cost_borne_by, compensation, deadlines, reply")
    p.add_argument("--json", action="store_true", help="print the score as one JSON object")
    p.add_argument("--trainee", metavar="NAME", help="also record the attempt for this trainee in the progress store")
    p.add_argument("--progress-url", metavar="URL", help="progress store (default: $AFTERSALES_PROGRESS_URL or local SQLite)")
    p.add_argument("--lang", choices=LANGS, default="en", help="language of the playbook's reasons (default: en)")
    return train


def _root(args: argparse.Namespace) -> Path | None:
    if getattr(args, "cases", None):
        return Path(args.cases)
    playbooks = getattr(args, "playbooks", None)
    return Path(playbooks) / "cases" if playbooks else None


def _library(args: argparse.Namespace) -> Any:
    from ..library import load_library

    playbooks = getattr(args, "playbooks", None)
    return load_library(playbooks) if playbooks else None


def format_case_list(cases: list[Any]) -> str:
    """The ``train list`` table: ``id  scenario  platform  difficulty``, one case per line."""
    if not cases:
        return ""
    widths = [max(len(str(value)) for value in column) for column in
              zip(*[(c.id, c.scenario, c.platform) for c in cases], strict=False)]
    return "\n".join(f"{c.id:<{widths[0]}}  {c.scenario:<{widths[1]}}  {c.platform:<{widths[2]}}  {c.difficulty}"
                     for c in cases)


def _value(value: Any) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def format_case(case: Any, *, reveal: bool = False, lang: str = "en", library: Any = None) -> str:
    """A case as text: what the trainee sees, and with ``reveal`` what they must find out and decide."""
    lines = [
        f"{case.id}: {case.title.get(lang) or case.title['en']}",
        f"scenario:   {case.scenario}",
        f"platform:   {case.platform}",
        f"difficulty: {case.difficulty} of 3",
        f"customer's language: {case.lang}",
        f"as of:      {case.as_of.isoformat()}",
        "",
        "Customer's message:",
        *(f"  {line}" for line in case.opening_message.strip().splitlines()),
        "",
    ]
    if not reveal:
        lines.append("(the hidden facts and the expected decision: add --reveal)")
        return "\n".join(lines)
    for later in case.later_messages:
        lines.append(f"Later (when asked about {later.after}):")
        lines.extend(f"  {line}" for line in later.text.strip().splitlines())
        if later.was:
            lines.append("  (changes " + ", ".join(f"{name} from {_value(before)}" for name, before in later.was.items())
                         + ")")
    if case.later_messages:
        lines.append("")
    lines.append("Hidden facts:")
    lines.extend(f"  {name}: {_value(value)}" for name, value in case.facts.items())
    if case.traps:
        from .cases import trap_texts

        lines.append("")
        lines.append("Traps:")
        lines.extend(f"  - {trap}" for trap in trap_texts(case, lang))
    lines.append("")
    lines.append(f"Sources: {', '.join(case.source)}")
    lines.append("")
    if case.expected is not None:
        expected = case.expected.model_dump()
        expected["deadlines"] = {name: due.isoformat() for name, due in case.expected.deadlines.items()}
        lines.append("Expected decision (written by the engine):")
    else:
        from .cases import compute_expected

        expected = compute_expected(case, library)
        lines.append("Expected decision (computed now; run 'aftersales train refresh' to store it):")
    for name in ("outcome", "resolution", "return_shipping_paid_by", "cost_borne_by"):
        lines.append(f"  {name}: {expected[name]}")
    comp = expected["compensation"]
    if comp is None:
        lines.append("  compensation: none")
    else:
        bounds = f" (allowed {comp['min']:g}–{comp['max']:g})" if comp.get("min") is not None and comp.get("max") is not None else ""
        lines.append(f"  compensation: {comp['amount']:g} {comp['currency']}{bounds}")
    if expected["deadlines"]:
        lines.append("  deadlines:")
        lines.extend(f"    {name}: {due}" for name, due in expected["deadlines"].items())
    lines.append(f"  path: {' → '.join(expected['path'])} → {expected['outcome']}")
    return "\n".join(lines)


def run_train(args: argparse.Namespace) -> int:
    """Run ``aftersales train SUBCOMMAND``; returns the exit code (errors raise AftersalesError)."""
    from .cases import get_case, load_cases, refresh_expectations

    root = _root(args)
    command = args.train_command
    if command == "list":
        cases = load_cases(root)
        if args.scenario:
            from ..errors import UnknownNameError

            known = sorted({c.scenario for c in cases})
            for name in args.scenario:
                if name not in known:
                    raise UnknownNameError("scenario", name, known)
            cases = [c for c in cases if c.scenario in args.scenario]
        text = format_case_list(cases)
        if text:
            print(text)
        return 0
    if command == "show":
        case = get_case(args.case_id, root)
        print(format_case(case, reveal=args.reveal, lang=args.lang, library=_library(args)))
        return 0
    if command == "board":
        import csv
        import json
        import sys

        from .mastery import board_rows, load_training_profile
        from .store import ProgressStore

        with ProgressStore(args.progress_url) as store:
            attempts = store.attempts()
        if args.trainee:
            attempts = [a for a in attempts if a.trainee in args.trainee]
        rows = board_rows(load_cases(root), attempts, load_training_profile(getattr(args, "playbooks", None)))
        if args.format == "json":
            print(json.dumps(rows, ensure_ascii=False))
        elif args.format == "csv":
            writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["trainee"])
            writer.writeheader()
            writer.writerows(rows)
        elif not rows:
            print("no attempts recorded yet")
        else:
            for row in rows:
                rate = "-" if row["pass_rate"] is None else f"{row['pass_rate']:.0%}"
                minutes = "" if row["median_minutes"] is None else f"  median {row['median_minutes']:g} min"
                print(f"{row['trainee']:<16} {row['scenario']:<15} {row['platform']:<8} {row['status']:<12} "
                      f"{row['first_attempt_passes']}/{row['needed']}  attempts {row['attempts']}  passed {rate}{minutes}")
        return 0
    if command == "next":
        from .mastery import load_training_profile, mastery, next_case
        from .store import ProgressStore

        cases = load_cases(root)
        if args.platform and args.platform not in {c.platform for c in cases}:
            from ..errors import UnknownNameError

            raise UnknownNameError("platform", args.platform, sorted({c.platform for c in cases}))
        playbooks = getattr(args, "playbooks", None)
        profile = load_training_profile(playbooks)
        with ProgressStore(args.progress_url) as store:
            attempts = store.attempts(trainee=args.trainee)
        case = next_case(cases, attempts, platform=args.platform, lang=args.lang, profile=profile)
        entry = mastery(cases, attempts, profile)[(case.scenario, case.platform)]
        print(f"{case.id}\t{case.scenario}\t{case.platform}\t{case.lang}\t"
              f"{entry['status']} ({entry['first_attempt_passes']}/{entry['needed']} first-attempt passes)")
        return 0
    if command == "refresh":
        changed = refresh_expectations(root, _library(args))
        for case_id in changed:
            print(f"refreshed {case_id}")
        print(f"{len(changed)} expectation(s) rewritten" if changed else "every expectation agrees with the playbooks")
        return 0
    raise ValueError(f"unknown train command {command!r}")  # argparse only lets the ones above through
