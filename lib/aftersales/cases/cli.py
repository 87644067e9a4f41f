"""``aftersales cases import | status | due | followed-up | owner | note | repair | causes``: the case
store on the command line (issue 20, parts 1-4 and 7). ``aftersales cases --order O`` (the cases of an order) is
:func:`aftersales.cli.cmd_cases`; it reads the store when the order's cases are there."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import AftersalesError
from .life import STATUSES
from .repair import STAGES as REPAIR_STAGES

__all__ = ["add_subcommands", "run"]

DB_HELP = "case store URL (default: $AFTERSALES_DB_URL, else the SQLite file $AFTERSALES_CASES_DB, else ~/.aftersales/cases.db)"


def add_subcommands(parser: argparse.ArgumentParser, parser_class: type[argparse.ArgumentParser]) -> None:
    """Add the ``cases`` sub-subcommands to ``parser`` (the ``cases`` command's parser)."""
    sub = parser.add_subparsers(dest="cases_command", metavar="SUBCOMMAND", parser_class=parser_class)

    q = sub.add_parser("import", help="import the JSON Lines case log into the case store (importing twice adds nothing)")
    q.add_argument("--case-log", metavar="FILE", help="case log (default: $AFTERSALES_CASE_LOG or ~/.aftersales/case-log.jsonl)")
    q.add_argument("--db", metavar="URL", help=DB_HELP)

    q = sub.add_parser("status", help="move a case on: " + " → ".join(("open", "waiting_customer|return_in_transit|"
                                                                         "repair_in_progress", "resolved", "closed")))
    q.add_argument("case_id", metavar="CASE_ID")
    q.add_argument("new_status", metavar="NEW_STATUS", choices=STATUSES, help="{" + ",".join(STATUSES) + "}")
    q.add_argument("--who", metavar="NAME", help="who changed it (default: the user name)")
    q.add_argument("--satisfaction", metavar="1-5|not-asked",
                   help="closing: the customer's satisfaction, 1 to 5, or not-asked (never tied to a review)")
    q.add_argument("--expected", metavar="YYYY-MM-DD", help="the day the customer may expect it settled (e.g. the repair's end)")
    q.add_argument("--note", metavar="TEXT", help="why, for the case's story")
    q.add_argument("--db", metavar="URL", help=DB_HELP)

    q = sub.add_parser("due", help="today's follow-up list: overdue and due open cases by owner, with the next step "
                       "and the message to send (seed 001)")
    q.add_argument("--date", metavar="YYYY-MM-DD", help="the day (UTC; default: today)")
    q.add_argument("--owner", metavar="NAME", help="only this owner's cases")
    q.add_argument("--format", choices=("table", "csv", "json"), default="table")
    q.add_argument("--lang", choices=("en", "zh", "ru"), default="en", help="the team's language for the table and "
                   "the next steps (each message is in its customer's language)")
    q.add_argument("--db", metavar="URL", help=DB_HELP)

    q = sub.add_parser("followed-up", help="record that the customer was followed up; the case is due again tomorrow")
    q.add_argument("case_id", metavar="CASE_ID")
    q.add_argument("--who", metavar="NAME", help="who followed up (default: the user name)")
    q.add_argument("--note", metavar="TEXT", help="what was said or agreed")
    q.add_argument("--channel", metavar="NAME", help="how (chat, phone, email...)")
    q.add_argument("--db", metavar="URL", help=DB_HELP)

    q = sub.add_parser("owner", help="hand a case to another agent")
    q.add_argument("case_id", metavar="CASE_ID")
    q.add_argument("owner", metavar="NAME")
    q.add_argument("--who", metavar="NAME", help="who handed it over (default: the user name)")
    q.add_argument("--db", metavar="URL", help=DB_HELP)

    q = sub.add_parser("repair", help="record a repair stage (received → defect_confirmed → repaired → shipped_back → "
                       "customer_checked, or not_repairable) and print the message to send (seeds 000/004)")
    q.add_argument("case_id", metavar="CASE_ID")
    q.add_argument("stage", metavar="STAGE", choices=REPAIR_STAGES, help="{" + ",".join(REPAIR_STAGES) + "}")
    q.add_argument("--who", metavar="NAME", help="who recorded it (default: the user name)")
    q.add_argument("--note", metavar="TEXT", help="what was found or done, for the case's story")
    q.add_argument("--warranty-days", metavar="N", type=int,
                   help="shipped_back: the repair's warranty in days (default: the platform's repair_warranty_days)")
    check = q.add_mutually_exclusive_group()
    check.add_argument("--ok", dest="ok", action="store_const", const=True,
                       help="customer_checked: the customer found the repaired item working (the case is resolved)")
    check.add_argument("--not-ok", dest="ok", action="store_const", const=False,
                       help="customer_checked: it still does not work (the case is reopened)")
    q.add_argument("--at", metavar="YYYY-MM-DDTHH:MM+HH:MM", help="when it happened (default: now)")
    q.add_argument("--db", metavar="URL", help=DB_HELP)

    q = sub.add_parser("causes", help="count the cases per cause, SKU and supplier, for the product team and the "
                       "suppliers (seeds 000, 001)")
    q.add_argument("--since", metavar="YYYY-MM-DD", help="only cases opened on or after this day (UTC)")
    q.add_argument("--until", metavar="YYYY-MM-DD", help="only cases opened before this day (UTC)")
    q.add_argument("--format", choices=("table", "csv", "json"), default="table")
    q.add_argument("--lang", choices=("en", "zh", "ru"), default="en", help="the language of the causes' words")
    q.add_argument("--catalogue", metavar="CSV", help="a product catalogue (columns sku, supplier) naming the supplier "
                   "of a case that does not")
    q.add_argument("--chart", metavar="PNG", help="also write the bar chart of the causes")
    q.add_argument("--db", metavar="URL", help=DB_HELP)

    q = sub.add_parser("note", help="add a note to a case's story")
    q.add_argument("case_id", metavar="CASE_ID")
    q.add_argument("text", metavar="TEXT")
    q.add_argument("--who", metavar="NAME", help="who wrote it (default: the user name)")
    q.add_argument("--db", metavar="URL", help=DB_HELP)


def _who(args: argparse.Namespace) -> str:
    from ..caselog import _who as user

    return str(getattr(args, "who", None) or user())


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise AftersalesError(f"{option} {text!r} is not a date; give it as YYYY-MM-DD") from None


def run(args: argparse.Namespace) -> int:
    """Run ``aftersales cases SUBCOMMAND``; returns the exit code (errors raise AftersalesError)."""
    from .store import CaseStore

    command = args.cases_command
    with CaseStore(args.db) as store:
        if command == "import":
            from ..caselog import default_case_log, read_cases

            log = Path(args.case_log) if args.case_log else default_case_log()
            if not log.exists():
                raise AftersalesError(f"no case log at {log}")
            records = list(read_cases(log))
            added = store.import_records(records)
            print(f"imported {added} new decision record(s) of {len(records)} from {log} into {store.url}")
            return 0
        if command == "status":
            event = store.set_status(args.case_id, args.new_status, who=_who(args), satisfaction=args.satisfaction,
                                     expected_on=_day(args.expected, "--expected"), note=args.note)
            print(f"case {args.case_id}: {event.data.get('from')} → {args.new_status}")
            return 0
        if command == "due":
            return _due(store, args)
        if command == "followed-up":
            store.record_contact(args.case_id, who=_who(args), note=args.note, channel=args.channel, follow_up=True)
            case = store.get(args.case_id)
            from ..present.formats import moment_text

            print(f"case {args.case_id}: follow-up recorded; due again {moment_text(case.due_at) if case and case.due_at else '-'}")
            return 0
        if command == "owner":
            event = store.set_owner(args.case_id, args.owner, who=_who(args))
            print(f"case {args.case_id}: owner {event.data.get('from')} → {args.owner}")
            return 0
        if command == "note":
            store.add_note(args.case_id, args.text, who=_who(args))
            print(f"case {args.case_id}: note added")
            return 0
        if command == "repair":
            return _repair(store, args)
        if command == "causes":
            return _causes(store, args)
    raise AftersalesError(f"unknown cases subcommand {command!r}")  # pragma: no cover - argparse refuses it


def _due(store: Any, args: argparse.Namespace) -> int:
    from .due import collector_paused, due_cases, due_csv, due_json, due_table

    day = _day(args.date, "--date") or datetime.now(timezone.utc).date()
    with collector_paused():
        lines = due_cases(store, day, args.owner, team_lang=args.lang)
        if args.format == "csv":
            sys.stdout.write(due_csv(lines))
        elif args.format == "json":
            print(due_json(lines, day))
        else:
            print(due_table(lines, day, args.lang))
    return 0


def _causes(store: Any, args: argparse.Namespace) -> int:
    from .cause_report import cause_chart, cause_report, read_catalogue

    since, until = _day(args.since, "--since"), _day(args.until, "--until")
    if since and until and until <= since:
        raise AftersalesError(f"--until {until} must be after --since {since}")
    catalogue = read_catalogue(args.catalogue) if args.catalogue else None

    def start(day: date | None) -> datetime | None:
        return datetime(day.year, day.month, day.day, tzinfo=timezone.utc) if day else None

    report = cause_report(store.cause_counts(start(since), start(until)), lang=args.lang, since=since, until=until,
                          catalogue=catalogue)
    if args.format == "csv":
        sys.stdout.write(report.csv())
    elif args.format == "json":
        print(report.json())
    else:
        print(report.text())
    if args.chart:
        cause_chart(report, args.chart)
        print(f"chart: {args.chart}", file=sys.stderr)
    return 0


def _moment(text: str | None) -> datetime:
    if text is None:
        return datetime.now(timezone.utc)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise AftersalesError(f"--at {text!r} is not a moment; give it as YYYY-MM-DDTHH:MM+HH:MM") from None
    if moment.tzinfo is None:
        raise AftersalesError(f"--at {text!r}: say its time zone, e.g. {text}+00:00")
    return moment.astimezone(timezone.utc)


def _repair(store: Any, args: argparse.Namespace) -> int:
    """Record a repair stage and print what changed and the message to send the customer."""
    from ..platforms import load_profiles
    from ..present.formats import format_day, moment_text
    from .repair import plan_stage, repair_durations, stage_message, stage_name, stage_next_step

    case = store.get(args.case_id)
    if case is None:
        raise AftersalesError(f"unknown case {args.case_id!r} in the case store {store.url} "
                              f"(import the case log first: aftersales cases import)")
    profiles = load_profiles()
    if case.platform not in profiles:
        raise AftersalesError(f"case {args.case_id}: its platform {case.platform!r} has no profile; the platforms are: "
                              f"{', '.join(sorted(profiles))}")
    at = _moment(args.at)
    durations = repair_durations(profiles[case.platform], at)

    def plan(row: Any, last: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
        deadlines = (row.decision or {}).get("deadlines") if isinstance(row.decision, dict) else None
        return plan_stage(args.case_id, row.status, last, args.stage, at, durations, ok=args.ok,
                          warranty_days=args.warranty_days, note=args.note, deadlines=deadlines)

    event = store.record_repair(args.case_id, plan, who=_who(args), at=at)
    data = event.data
    ok = data.get("ok")
    print(f"case {args.case_id}: repair stage: {stage_name(args.stage, 'en', ok)}"
          + (f" (status {data['status_from']} → {data['status_to']})" if "status_to" in data else ""))
    if data.get("due_at"):
        print(f"  due again: {moment_text(datetime.fromisoformat(data['due_at']))}")
    if data.get("expected_on"):
        print(f"  repair expected by: {format_day(date.fromisoformat(data['expected_on']))} "
              f"({data['repair_days']} days, {data['repair_source']})")
    if "warranty_days" in data and args.stage == "shipped_back":
        print(f"  repair warranty: {data['warranty_days']} days ({data['warranty_source']})")
        if data.get("warranty_note"):
            print(f"  note: {data['warranty_note']}")
    print(f"  next step: {stage_next_step(args.stage, 'en', ok)}")
    lang = case.customer_lang or "en"
    print(f"Message to the customer ({lang}):")
    print(stage_message(data, lang, customer_name=case.customer_name, today=at.date()))
    return 0
