"""``aftersales cases import | status | due | followed-up | owner | note``: the case store on the
command line (issue 20, parts 1-3). ``aftersales cases --order O`` (the cases of an order) is
:func:`aftersales.cli.cmd_cases`; it reads the store when the order's cases are there."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import AftersalesError
from .life import STATUSES

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
    raise AftersalesError(f"unknown cases subcommand {command!r}")  # pragma: no cover - argparse refuses it


def _due(store: Any, args: argparse.Namespace) -> int:
    from datetime import datetime, timezone

    from .due import due_cases, due_csv, due_json, due_table

    day = _day(args.date, "--date") or datetime.now(timezone.utc).date()
    lines = due_cases(store, day, args.owner, team_lang=args.lang)
    if args.format == "csv":
        sys.stdout.write(due_csv(lines))
    elif args.format == "json":
        print(due_json(lines, day))
    else:
        print(due_table(lines, day, args.lang))
    return 0
