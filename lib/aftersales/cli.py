"""``aftersales``: the command line, a thin shell over the library.

Exit codes: 0 success; 1 invalid playbooks (``validate``) or failing examples; 2 bad input
(unknown scenario/platform, bad JSON, missing or invalid fact), always as one line on stderr.
Heavy modules are imported inside the commands so that ``--help`` answers at once.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any, Sequence

from .languages import LANGS


# Platforms are the profile files playbooks/platforms/*.yaml (a new platform is one file), so the
# command line checks names against the library, not against a fixed list; this is for --help.
def _platform_help() -> str:
    from .compliance.vocabulary import platform_names

    names = platform_names()
    return "{" + ",".join(names) + "}" if names else "PLATFORM"


PLATFORM_HELP = _platform_help()


class _PlaybooksFolder(argparse.Action):
    """``--playbooks DIR``: the folder, whose platforms (one profile file each) ``--platform`` then accepts."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        from .compliance.vocabulary import use_playbooks

        use_playbooks(values)  # before the command's options are parsed (check-message's --platform choices)
        setattr(namespace, self.dest, values)


CASES_DB_HELP = ("case store URL (default: $AFTERSALES_DB_URL, else the SQLite file $AFTERSALES_CASES_DB, "
                 "else ~/.aftersales/cases.db)")
OVERLAY_HELP = "store overlay: a name in playbooks/overlays/ or a YAML file (default: $AFTERSALES_OVERLAY)"
SCHEDULER_HELP = ("run the work on the Dask cluster of this scheduler, e.g. tcp://10.0.0.5:8786 (default: "
                  "$DASK_SCHEDULER_ADDRESS; neither: run here); docs/scale.md")


def _with_overlay(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--overlay", metavar="STORE|FILE", help=OVERLAY_HELP)
    return parser


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (exit 2), like every other bad input."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="aftersales",
        description="Guided after-sales playbooks: validate them, describe them, decide cases.",
    )
    parser.add_argument("--playbooks", metavar="DIR", action=_PlaybooksFolder, help="playbooks folder (default: $AFTERSALES_PLAYBOOKS or the repository's playbooks/)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = _with_overlay(sub.add_parser("list", help="list the scenarios"))
    p.add_argument("--json", action="store_true", help="print JSON")

    p = _with_overlay(sub.add_parser("describe", help="show a scenario's inputs, steps and outcomes"))
    p.add_argument("scenario")
    p.add_argument("--lang", choices=LANGS, default="en")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser("validate", help="check playbooks and profiles; every problem as file:line:col")
    p.add_argument("paths", nargs="*", metavar="PATH", help="playbook or overlay files, or folders (default: all, "
                   "with every overlay in playbooks/overlays/)")
    p.add_argument("--overlay", action="append", metavar="STORE|FILE", help="also check this store overlay (repeatable)")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text: one 'file:line:col: message [code]' line per problem (default); json: one JSON "
                        "array on stdout of {file, line, col, code, severity, message}, staleness warnings "
                        "included (docs/playbook-format.md lists the codes)")

    p = _with_overlay(sub.add_parser("decide", help="decide a case from its facts"))
    p.add_argument("scenario")
    p.add_argument("--platform", required=True, metavar=PLATFORM_HELP, help="platform profile")
    p.add_argument("--facts", required=True, metavar="FILE|-", help="JSON object of facts, or - for stdin")
    p.add_argument("--lang", choices=LANGS, help="customer's language (default: the platform's first)")
    p.add_argument("--as-of", metavar="ISO-DATETIME", help="moment of the decision (default: now); picks the parameters in force")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--record", action="store_true", help="append the decision to the case log (see 'case show') "
                   "and write it to the case store (see 'cases due')")
    p.add_argument("--case-log", metavar="FILE", help="case log (default: $AFTERSALES_CASE_LOG or ~/.aftersales/case-log.jsonl)")
    p.add_argument("--who", metavar="NAME", help="who decided, for the record (default: the user name)")
    p.add_argument("--db", metavar="URL", help=CASES_DB_HELP)

    p = sub.add_parser("case", help="decision records: show one exactly as it was decided")
    case_sub = p.add_subparsers(dest="case_command", metavar="SUBCOMMAND", parser_class=_Parser)
    case_sub.required = True
    q = case_sub.add_parser("show", help="re-make a recorded decision with the playbooks it was made with")
    q.add_argument("case_id", metavar="ID")
    q.add_argument("--case-log", metavar="FILE")
    q.add_argument("--db", metavar="URL", help=CASES_DB_HELP + "; read first, then the case log")
    q.add_argument("--json", action="store_true", help="print the recorded decision as JSON")
    q.add_argument("--today", action="store_true",
                   help="also decide the case with today's playbooks and show what would change (an appeal)")
    q = case_sub.add_parser("export", help="write one case as a page for an appeal: facts, numbers, rules with "
                            "their sources, the message sent, the timeline (HTML, or PDF by suffix)")
    q.add_argument("case_id", metavar="ID")
    q.add_argument("--case-log", metavar="FILE")
    q.add_argument("--db", metavar="URL", help=CASES_DB_HELP + "; read first, then the case log")
    q.add_argument("--out", metavar="FILE", required=True, help="case.html or case.pdf")

    p = sub.add_parser("slip", help="print the return slip of a case for the parcel: one A4 page (HTML and PDF) with "
                       "the case and order numbers as barcode and QR code, the items and the packing instructions")
    p.add_argument("case_id", metavar="CASE_ID")
    p.add_argument("--out", metavar="DIR", default=".", help="folder for slip-CASE.html and slip-CASE.pdf (default: .)")
    p.add_argument("--case-log", metavar="FILE", help="case log (default: $AFTERSALES_CASE_LOG or ~/.aftersales/case-log.jsonl)")
    p.add_argument("--db", metavar="URL", help=CASES_DB_HELP + "; read first, then the case log")
    p.add_argument("--warehouse-lang", choices=LANGS, default="zh",
                   help="the language printed beside the customer's, for the warehouse (default: zh)")
    p.add_argument("--no-pdf", action="store_true", help="write the HTML page only (no Chromium)")

    p = sub.add_parser("diff", help="what changed between two playbook versions, and which cases it decides differently")
    p.add_argument("old", metavar="OLD", help="playbooks folder or git revision (e.g. HEAD~1)")
    p.add_argument("new", metavar="NEW", help="playbooks folder or git revision (e.g. a working folder)")
    p.add_argument("--cases", metavar="CSV", help="also check these past cases (columns scenario, platform, facts...)")
    p.add_argument("--map", metavar="YAML", help="read --cases as a real export through this mapping, as "
                   "'replay --map' does (docs/replay.md)")
    p.add_argument("--chart", metavar="PNG", help="write a chart of the impact")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--overlay", metavar="STORE|FILE", help="compare with this store overlay on both sides "
                   "(looked up in each side's overlays/ when a name)")
    p.add_argument("--new-overlay", metavar="STORE|FILE", help="the overlay on the NEW side only: "
                   "'diff playbooks playbooks --new-overlay STORE' shows what a store overlay changes")
    p.add_argument("--allow-undecided", action="store_true", help="exit 0 or 1 even when some case cannot be "
                   "decided on one side or both (they are still counted and listed); without it such cases exit 2")
    p.add_argument("--write-baseline", metavar="JSON", help="save this impact (per case: old → new outcome, "
                   "resolution, payers, compensation; the changes) as the approved one")
    p.add_argument("--baseline", metavar="JSON", help="a CI gate: exit 0 when the impact equals this approved "
                   "one (from --write-baseline), 1 with the differences listed otherwise")
    p.add_argument("--report", metavar="HTML|MD", help="write the impact report a manager reads "
                   "(outcome matrix, money per outcome and currency, the rule that moved each case); .md for Markdown")

    p = _with_overlay(sub.add_parser("replay", help="decide every past case of a CSV (columns = facts) and summarise; "
                                     "exit 1 when any row is refused"))
    p.add_argument("csv", metavar="CASES_CSV")
    p.add_argument("--scenario", help="the cases' scenario (optional when the CSV or the --map file has a scenario "
                   "column or default)")
    p.add_argument("--platform", metavar=PLATFORM_HELP, help="the cases' platform (optional when the CSV or the "
                   "--map file has a platform column or default)")
    p.add_argument("--map", metavar="MAPPING_YAML", help="how a real export becomes facts: column renames, value "
                   "maps, date formats, as_of column, reason keywords (docs/replay.md)")
    p.add_argument("--out", metavar="RESULTS_CSV", help="one row per decided case; refused rows go to RESULTS.errors.csv")
    p.add_argument("--as-of", metavar="ISO-DATETIME", help="moment of the decisions for rows without an as_of cell "
                   "(default: each row's own latest date: complaint, return request, delivery)")
    p.add_argument("--chart", metavar="PNG", help="write the summary chart")
    p.add_argument("--record", action="store_true", help="also write every decided row to the case log as a decision "
                   "record (the id column becomes the case id; slower: each row's message is rendered)")
    p.add_argument("--case-log", metavar="FILE", help="case log for --record (default: $AFTERSALES_CASE_LOG or "
                   "~/.aftersales/case-log.jsonl)")
    p.add_argument("--who", metavar="NAME", default="replay", help="who the records name (default: replay)")
    p.add_argument("--scheduler", metavar="ADDRESS", help=SCHEDULER_HELP)
    p.add_argument("--no-progress", action="store_true", help="no progress bar (it is shown only on a terminal)")

    p = sub.add_parser("cases", help="the cases of an order (--order), and the case store: import, status, due, "
                       "followed-up, owner, note")
    p.add_argument("--order", metavar="ORDER_ID", help="list the recorded cases of this order")
    p.add_argument("--case-log", metavar="FILE")
    p.add_argument("--db", metavar="URL", help=CASES_DB_HELP + "; read first, then the case log")
    from .cases.cli import add_subcommands as add_cases_subcommands

    add_cases_subcommands(p, _Parser)

    p = _with_overlay(sub.add_parser("examples", help="run every playbook's worked examples and show their decisions"))
    p.add_argument("--scenario", action="append", help="only this scenario (repeatable)")

    p = _with_overlay(sub.add_parser("render", help="render the SOP library (Markdown, HTML, PDF) headless via the notebooks"))
    p.add_argument("--scenario", action="append", help="only these scenarios (a,b or repeated; default: all)")
    p.add_argument("--platform", action="append", metavar=PLATFORM_HELP, help="only these platforms (a,b or repeated)")
    p.add_argument("--lang", action="append", metavar="{en,zh,ru}", help="only these languages (a,b or repeated)")
    p.add_argument("--format", default="md,html,pdf", help="comma-separated formats: md, html, pdf (default: all)")
    p.add_argument("--out", metavar="DIR", help="output folder (default: build/sop, or build/sop-STORE with --overlay)")
    p.add_argument("--jobs", type=int, metavar="N", help="notebooks run at once (default: the number of cores)")
    p.add_argument("--force", action="store_true", help="render everything, even documents that are up to date")
    p.add_argument("--as-of", metavar="ISO-DATE", help="the parameters in force on this day (default: today)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--scheduler", metavar="ADDRESS", help=SCHEDULER_HELP + " (--jobs is then the cluster's)")

    from .compliance import cli as compliance_cli
    from .training.cases_cli import add_train_parser

    add_train_parser(sub)
    compliance_cli.add_parser(sub)
    from .recall import cli as recall_cli

    recall_cli.add_parser(sub)

    p = _with_overlay(sub.add_parser("params", help="show a platform's parameters in force, with sources"))
    p.add_argument("platform", metavar=PLATFORM_HELP)
    p.add_argument("--as-of", metavar="ISO-DATE")
    p.add_argument("--json", action="store_true")
    return parser


class UsageError(Exception):
    """Bad command-line input: printed as one line, exit 2."""


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from .errors import AftersalesError, PlaybookError

    handler = {
        "list": cmd_list, "describe": cmd_describe, "validate": cmd_validate, "decide": cmd_decide,
        "examples": cmd_examples, "params": cmd_params, "render": cmd_render, "train": cmd_train,
        "check-message": _check_message,
        "case": cmd_case, "cases": cmd_cases, "diff": cmd_diff, "replay": cmd_replay, "slip": cmd_slip,
        "recall": cmd_recall,
    }[args.command]
    try:
        return handler(args)
    except PlaybookError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        # exit 1 of diff means "some case is decided differently": bad playbooks or a bad overlay are errors (2)
        return 2 if args.command in ("decide", "diff", "replay") else 1
    except (AftersalesError, UsageError) as exc:
        print(f"aftersales {args.command}: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


def _overlay(args: argparse.Namespace) -> str | None:
    """The store overlay asked for: ``--overlay``, else ``$AFTERSALES_OVERLAY``."""
    from .library import configured_overlay

    return configured_overlay(getattr(args, "overlay", None))


def _library(args: argparse.Namespace) -> Any:
    from .library import load_library

    return load_library(args.playbooks, overlay=_overlay(args))


def cmd_list(args: argparse.Namespace) -> int:
    library = _library(args)
    rows = []
    for name in library.scenarios:
        playbook = library.playbooks.get(name)
        if playbook is None:
            rows.append({"scenario": name, "version": None, "title": "(invalid: run aftersales validate)", "platforms": []})
        else:
            rows.append({"scenario": name, "version": playbook.version, "title": playbook.title["en"],
                         "platforms": list(playbook.platforms)})
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for row in rows:
            print(f"{row['scenario']:<16} {row['version'] or '-':<8} {row['title']}")
    return 0


def cmd_describe(args: argparse.Namespace) -> int:
    from .present.view import describe_playbook, describe_text

    library = _library(args)
    playbook = library.playbook(args.scenario)
    if args.json:
        print(json.dumps(describe_playbook(playbook, args.lang), ensure_ascii=False, indent=2))
    else:
        print(describe_text(playbook, args.lang))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Every problem as ``file:line:col``; the summary names the playbooks folder(s) read, and
    warns when ``./playbooks`` is another folder than the one checked (run from another clone,
    the default is the installed package's folder)."""
    from .paths import default_playbooks_dir, display_path
    from .validation import playbooks_folders, validate_paths

    paths = [Path(p) for p in args.paths]
    problems, checked = validate_paths(paths, args.playbooks, overlays=args.overlay)
    read = playbooks_folders(paths, args.playbooks, args.overlay)
    folders = ", ".join(display_path(folder) for folder in read)
    if getattr(args, "format", "text") == "json":  # for editors and CI: problems and warnings, each with its severity
        from .validation import verification_problems

        found = sorted(set(problems) | set(verification_problems(read)))
        print(json.dumps([problem.to_dict() for problem in found], ensure_ascii=False, indent=2))
    else:
        for problem in problems:
            print(problem)
        _print_verification_warnings(read)
    here = Path.cwd() / "playbooks"
    chosen = args.playbooks or os.environ.get("AFTERSALES_PLAYBOOKS")
    if not chosen and not paths and here.is_dir() and here.resolve() != default_playbooks_dir().resolve():
        print(f"note: checked {folders}, not ./playbooks; to check this folder's playbooks run "
              "'aftersales --playbooks playbooks validate' (or set AFTERSALES_PLAYBOOKS)", file=sys.stderr)
    if any(problem.severity == "error" for problem in problems):
        print(f"{len(problems)} problem(s) in {checked} file(s) (playbooks folder: {folders})", file=sys.stderr)
        return 1
    print(f"ok: {checked} file(s) valid (playbooks folder: {folders})", file=sys.stderr)
    return 0


def _print_verification_warnings(folders: Any) -> None:
    """Stale or never-verified parameter values: warnings on stderr, never a changed exit code."""
    from .platforms.load import verification_warnings

    for folder in folders:
        if not (Path(folder) / "platforms").is_dir():
            continue
        try:
            warnings = verification_warnings(folder)
        except Exception:  # pragma: no cover - a warning must never break validation
            continue
        for line in warnings:
            print(line, file=sys.stderr)


def _read_json(source: str, what: str = "answers") -> Any:
    """A JSON document from a file or stdin (``-``) within the limits of limits.py: at most
    MAX_FACTS_BYTES, UTF-8 (BOM or not) or GB18030 text, nested at most MAX_JSON_DEPTH deep,
    numbers of at most MAX_NUMBER_DIGITS digits; anything else is one line (exit 2)."""
    from .playbook.facts import decode_text, load_json, read_limited

    name = "stdin" if source == "-" else source
    try:
        if source == "-":
            data = read_limited(getattr(sys.stdin, "buffer", sys.stdin), name)
        else:
            with Path(source).open("rb") as stream:
                data = read_limited(stream, name)
    except OSError as exc:
        raise UsageError(f"cannot read {what} file '{source}': {exc.strerror or exc}") from None
    return load_json(decode_text(data, name), name, what)


def _read_facts(source: str) -> Any:
    facts = _read_json(source, "facts")
    if not isinstance(facts, dict):
        raise UsageError(f"facts must be a JSON object of fact names to values, got {type(facts).__name__}")
    return facts


def cmd_decide(args: argparse.Namespace) -> int:
    from .engine import decide

    facts = _read_facts(args.facts)
    library = _library(args)
    decision = decide(args.scenario, facts, args.platform, lang=args.lang, as_of=args.as_of, library=library)
    if args.json:
        print(json.dumps(decision.to_dict(), ensure_ascii=False, indent=2))
    else:
        from .present.view import decision_text

        print(decision_text(decision))
    if args.record:
        from .caselog import append_case, case_record

        record = case_record(decision, who=args.who, library_root=Path(library.root), overlay=library.overlay)
        target = append_case(record, args.case_log)
        print(f"recorded case {record['case_id']} (order {record['order_id']}) in {target}", file=sys.stderr)
        from .cases.store import CaseStore
        from .errors import AftersalesError

        try:
            with CaseStore(getattr(args, "db", None)) as store:
                store.record_decision(record)
                print(f"recorded case {record['case_id']} in the case store {store.url}", file=sys.stderr)
        except AftersalesError as exc:  # the log has it: 'cases import' adds it to the store later
            raise AftersalesError(f"case {record['case_id']} is recorded in the case log {target} but not in the "
                                  f"case store ({exc}); run 'aftersales cases import' when the store is back") from None
    return 0


def cmd_case(args: argparse.Namespace) -> int:
    """``case show ID``: the decision re-made with its archived playbooks, checked against the record."""
    from .caselog import find_case, redecide
    from .errors import UnknownNameError
    from .present.view import decision_text

    stored, store_url = _stored_case(args)
    try:  # the case log is what a decision is re-made from; the store has every agent's cases
        record = find_case(args.case_id, args.case_log)
    except UnknownNameError:
        if stored is None or not stored.decision:
            raise
        record = stored.decision
    if getattr(args, "case_command", "show") == "export":
        from .case_export import export_case

        print(f"wrote {export_case(record, Path(args.out))}")
        return 0
    decision = redecide(record)  # checks the archive against its hash first: a changed archive is an error
    remade = json.loads(json.dumps(decision.to_dict(), ensure_ascii=False, default=str))
    # what the customer and the team were told; a field a record older than it lacks is not compared
    compared = ("outcome", "message", "deadlines", "resolution", "return_shipping_paid_by", "cost_borne_by",
                "compensation", "checklist")
    same = all(remade.get(key) == record[key] for key in compared if key in record)
    if args.json:
        print(json.dumps(record, ensure_ascii=False, indent=2))
    else:
        print(f"case {record['case_id']} · order {record.get('order_id')} · saved {record.get('saved_at')} by "
              f"{record.get('who')} · playbooks {record.get('library_hash')}"
              + (f" + overlay {record['overlay']['name']} {record['overlay'].get('version')}" if record.get("overlay") else ""))
        if stored is not None:
            from .present.formats import moment_text

            print(f"status {stored.status} · owner {stored.owner or '-'} · due "
                  f"{moment_text(stored.due_at) if stored.due_at else '-'} (case store {store_url})")
        print(decision_text(decision))
        if record.get("override"):
            print(_override_text(record["override"]))
        if getattr(args, "today", False):
            print(_today_text(record, decision, getattr(args, "playbooks", None) or os.environ.get("AFTERSALES_PLAYBOOKS")))
    if not same:
        print(f"aftersales case: case {record['case_id']}: re-made decision differs from the record", file=sys.stderr)
        return 1
    return 0


def cmd_slip(args: argparse.Namespace) -> int:
    """``slip CASE_ID``: the return slip of a recorded case (aftersales.slip, seed 003)."""
    from .slip import write_slip

    files = write_slip(args.case_id, args.out, case_log=args.case_log, db=args.db,
                       warehouse_lang=args.warehouse_lang, playbooks=args.playbooks, pdf=not args.no_pdf)
    print(f"wrote {files.html}")
    if files.pdf is not None:
        print(f"wrote {files.pdf}")
    for warning in files.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0


def _today_text(record: dict[str, Any], then: Any, playbooks: str | None = None) -> str:
    """``case show --today``: today's decision of the same case beside the recorded one, and the
    parameters whose value for the case differs."""
    from .caselog import decide_today, parameter_differences
    from .errors import FactError
    from .present.sentences import compensation_text
    from .present.words import term

    try:
        now = decide_today(record, playbooks)
    except FactError as exc:  # today's rules walk a path that asks what the case never recorded
        return f"\ntoday's playbooks cannot decide this case from what was recorded: {exc}"
    lines = ["", f"today's playbooks ({now.playbook_version}) would decide:"]
    rows = [("outcome", then.title, now.title),
            ("resolution", term("resolutions", then.resolution, "en"), term("resolutions", now.resolution, "en")),
            ("return shipping paid by", term("parties", then.return_shipping_paid_by, "en"),
             term("parties", now.return_shipping_paid_by, "en")),
            ("cost borne by", term("parties", then.cost_borne_by, "en"), term("parties", now.cost_borne_by, "en")),
            ("compensation", compensation_text(then.compensation, "en"), compensation_text(now.compensation, "en"))]
    for label, old, new in rows:
        lines.append(f"  {label + ':':<25} {old}" + ("  (unchanged)" if old == new else f"  →  {new}"))
    changed = parameter_differences(then, now)
    lines.append("  parameters for this case: " + ("unchanged" if not changed else f"{len(changed)} changed"))
    for name, old, new, source in changed:
        lines.append(f"    {name}: {old} → {new}  [{source}]")
    return "\n".join(lines)


def _override_text(override: dict[str, Any]) -> str:
    """What the agent chose instead of the recommendation, as ``case show`` prints it: the
    outcome and reason, and the terms and message sent for it (or that they were settled by hand)."""
    lines = [f"  overridden:   {override['outcome']} ({override.get('resolution')}) instead of the recommendation",
             f"  reason:       {override.get('reason')}"]
    terms = override.get("terms")
    if terms and terms.get("by_hand"):
        lines.append(f"  terms:        settled by hand ({terms.get('why')})")
    elif terms:
        lines.append(f"  terms:        return shipping paid by {terms.get('return_shipping_paid_by')}; "
                     f"cost borne by {terms.get('cost_borne_by')}")
    message = override.get("message")
    if message and message.get("by_hand"):
        lines.append(f"  message:      written by hand ({message.get('why')})")
    elif message:
        lines.append(f"  message sent ({message.get('lang')}):")
        lines.append("    " + str(message.get("text")).replace("\n", "\n    "))
    return "\n".join(lines)


def _stored_case(args: argparse.Namespace) -> tuple[Any, str]:
    """The case ``args.case_id`` from the case store (``--db``) and the store's URL; None when the
    store does not have it (or there is no store yet: the case log is read as before)."""
    from .cases.store import CaseStore, default_cases_url

    url = getattr(args, "db", None)
    if url is None and default_cases_url().startswith("sqlite:///"):
        if not Path(default_cases_url().removeprefix("sqlite:///")).expanduser().exists():
            return None, ""  # no store file: never create one just to look
    with CaseStore(url) as store:
        return store.get(args.case_id), store.url


def cmd_cases(args: argparse.Namespace) -> int:
    """``cases --order O``: the order's cases from the case log, with their status and owner from the
    case store; from the store when the log has none (a teammate's cases in a shared store).
    ``cases SUBCOMMAND``: the case store's commands (:mod:`aftersales.cases.cli`)."""
    from .caselog import cases_of_order

    if getattr(args, "cases_command", None):
        from .cases.cli import run

        return run(args)
    if not args.order:
        raise UsageError("give --order ORDER_ID, or a subcommand: import, status, due, followed-up, owner, note "
                         "(see 'aftersales cases --help')")
    stored = {c.case_id: c for c in _stored_order(args)}
    records = cases_of_order(args.order, args.case_log)
    if not records:  # not decided on this machine: the store has every agent's cases
        records = [c.decision for c in stored.values() if c.decision]
    for r in records:
        case = stored.get(r["case_id"])
        where = f"  [{case.status} · owner {case.owner or '-'}]" if case is not None else ""
        print(f"{r['case_id']}  {r['saved_at']}  {r['scenario']:<15} {r['platform']:<8} {r['outcome']:<28} {r['who']}{where}")
    if not records:
        print(f"aftersales cases: no case for order {args.order!r}", file=sys.stderr)
    return 0


def _stored_order(args: argparse.Namespace) -> list[Any]:
    """The cases of ``args.order`` in the case store (empty when there is no store file yet)."""
    from .cases.store import CaseStore, default_cases_url

    url = getattr(args, "db", None)
    if url is None and default_cases_url().startswith("sqlite:///"):
        if not Path(default_cases_url().removeprefix("sqlite:///")).expanduser().exists():
            return []
    with CaseStore(url) as store:
        return store.of_order(args.order)


def cmd_examples(args: argparse.Namespace) -> int:
    from .errors import AftersalesError
    from .examples import mismatches, run_example
    from .present.formats import format_money

    library = _library(args)
    failures = 0
    names = args.scenario or library.scenarios
    for name in names:
        playbook = library.playbook(name)
        print(f"== {name} {playbook.version} ({len(playbook.examples)} examples)")
        for example, location in playbook.examples:
            try:
                decision = run_example(playbook, example, library)
                problems = mismatches(example, decision)
            except AftersalesError as exc:
                failures += 1
                print(f"  FAIL {location}: {example.name}: {exc}")
                continue
            status = "ok  " if not problems else "FAIL"
            failures += bool(problems)
            money = decision.compensation
            comp = f" {format_money(money, lang='en')}" if money else ""
            print(f"  {status} [{example.platform:<7}] {decision.outcome:<28} {decision.resolution:<22} "
                  f"ship:{decision.return_shipping_paid_by:<7} cost:{decision.cost_borne_by:<8}{comp}  — {example.name}")
            for problem in problems:
                print(f"       {problem}")
    return 1 if failures else 0


def cmd_params(args: argparse.Namespace) -> int:
    from .engine import resolve_as_of

    library = _library(args)
    profile = library.profile(args.platform)
    as_of = resolve_as_of(args.as_of).date()
    resolved = profile.resolve(as_of)
    rows = [{"name": name, "value": p.value, "unit": p.unit, "source": p.source, "confidence": p.confidence,
             "effective_from": p.effective_text, "verified_on": p.verified_on.isoformat() if p.verified_on else None,
             "layer": p.layer,
             "cases": [{"when": c.when, "value": c.value, "source": c.source} for c in p.cases]}
            for name, p in sorted(resolved.items())]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return 0
    print(f"{profile.name} (jurisdiction {profile.jurisdiction}) as of {as_of.isoformat()}")
    for row in rows:
        value = json.dumps(row["value"], ensure_ascii=False, default=str)
        print(f"  {row['name']:<42} {value:<28} {row['unit']:<14} {row['confidence']:<10} "
              f"from {row['effective_from']:<10}  {row['source']}")
        for case in row["cases"]:
            shown = json.dumps(case["value"], ensure_ascii=False, default=str)
            print(f"  {'':<42} {shown:<28} when {case['when']}  {case['source']}")
    if any(row["effective_from"] == "unknown" for row in rows):
        print("  (from unknown: the value's start date is not known; it applies only where no dated value "
              "is in force on that day)")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


def cmd_recall(args: argparse.Namespace) -> int:
    """``aftersales recall ORDERS.csv --recall FILE``: one case per affected buyer (seed 004)."""
    from .recall.cli import run

    return run(args)


def cmd_render(args: argparse.Namespace) -> int:
    """Render the SOP library; exit 1 if any document (or a requested format) failed."""
    from datetime import date

    from .render.batch import render_library
    from .render.plan import FORMATS

    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise UsageError(f"unknown format {', '.join(unknown) or '(none)'}; allowed: {', '.join(FORMATS)}")
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be 1 or more")
    from .limits import MAX_YEAR, MIN_YEAR

    try:
        as_of = date.fromisoformat(args.as_of) if args.as_of else None
    except ValueError:
        raise UsageError(f"--as-of {args.as_of!r} is not an ISO date such as 2026-11-23") from None
    if as_of is not None and not MIN_YEAR <= as_of.year <= MAX_YEAR:
        raise UsageError(f"--as-of {args.as_of} is outside the supported dates; allowed: {MIN_YEAR}-01-01 to {MAX_YEAR}-12-31")
    def names(values: list[str] | None) -> list[str] | None:  # repeatable and comma-separated
        return [n.strip() for v in values for n in v.split(",") if n.strip()] if values else None

    langs = names(args.lang)
    if langs and any(lang not in LANGS for lang in langs):
        raise UsageError(f"unknown language in {','.join(langs)}; allowed: {', '.join(LANGS)}")
    overlay = _overlay(args)
    out = Path(args.out) if args.out else Path("build") / (f"sop-{Path(overlay).stem}" if overlay else "sop")
    from .scale import scheduler_address

    scheduler = scheduler_address(args.scheduler)
    if scheduler is not None:  # only then is Dask imported
        from functools import partial

        from .scale.render import render_on_cluster

        render_library = partial(render_on_cluster, scheduler)
    report = render_library(playbooks=Path(args.playbooks) if args.playbooks else None, out=out, overlay=overlay,
                            scenarios=names(args.scenario), platforms=names(args.platform), langs=langs, formats=formats,
                            jobs=args.jobs, force=args.force, as_of=as_of, progress=not args.no_progress)
    if report.pdf_problem:
        print(f"aftersales render: no PDF: {report.pdf_problem}", file=sys.stderr)
    done, cached, failed = len(report.rendered), len(report.cached), report.failed
    print(f"{done} rendered, {cached} up to date, {len(failed)} failed, {report.notebook_runs} notebook runs, "
          f"{report.seconds:.1f} s; index: {report.out / 'index.html'}")
    if failed:
        print("failed:", file=sys.stderr)
        for job in failed:
            print(f"  {job.doc_id}: {job.error}", file=sys.stderr)
    return 1 if failed or report.pdf_problem else 0


def cmd_train(args: argparse.Namespace) -> int:
    """``train list | show | refresh`` (the case bank) and ``train score`` (an attempt)."""
    if getattr(args, "train_command", None) == "score":
        return _train_score(args)
    from .training.cases_cli import run_train

    return run_train(args)


def _train_score(args: argparse.Namespace) -> int:
    from .training.cases import get_case
    from .training.feedback import feedback_text
    from .training.scoring import Answer, score_attempt

    if args.trainee is not None and not args.trainee.strip():
        raise UsageError("--trainee '': the attempt would be recorded for nobody; allowed: the trainee's name "
                         "(or leave --trainee out to score without recording)")
    case = get_case(args.id, getattr(args, "cases", None))
    answers = _read_json(args.answers)
    if not isinstance(answers, dict):
        raise UsageError("--answers must hold one JSON object (facts, resolution, payers, compensation, reply)")
    score = score_attempt(case, Answer.from_mapping(answers), library=_library(args), lang=args.lang)
    if args.json:
        print(json.dumps(score.to_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        print(feedback_text(score))
    if args.trainee:
        from .training.store import ProgressStore, scored_attempt

        with ProgressStore(args.progress_url) as store:
            attempt_id = store.record(scored_attempt(trainee=args.trainee, case=case, answers=answers, score=score))
        print(f"recorded as attempt {attempt_id} for {args.trainee}", file=sys.stderr)
    return 0


def _check_message(args: argparse.Namespace) -> int:
    """``check-message``: exit 0 without error-level findings, 1 with any, 2 on bad input."""
    from .compliance import cli as compliance_cli

    return compliance_cli.run(args)


def cmd_diff(args: argparse.Namespace) -> int:
    """Exit 0 when no case is decided differently, 1 when some are (a CI gate), 2 on error and
    when some case cannot be decided on one side or both (unless ``--allow-undecided``): a case
    that was not decided is never counted as unchanged. With ``--baseline`` the gate is the
    approved impact instead: 0 when the impact equals it, 1 with the differences listed;
    ``--write-baseline`` saves the impact as approved and exits 0."""
    from . import diff_report as out
    from .diff import diff_libraries
    from .errors import AftersalesError

    for option, target in (("--chart", args.chart), ("--report", args.report), ("--write-baseline", args.write_baseline)):
        if target and not Path(target).resolve().parent.is_dir():
            raise AftersalesError(f"{option} {target}: no such folder {Path(target).parent}")
    repo = Path(__file__).resolve().parents[2]
    approved = out.read_baseline(Path(args.baseline)) if args.baseline else None
    if args.map and not args.cases:
        raise AftersalesError("--map reads the --cases file: give both")
    report = diff_libraries(args.old, args.new, repo=repo, cases_csv=Path(args.cases) if args.cases else None,
                            cases_map=Path(args.map) if args.map else None,
                            old_overlay=args.overlay, new_overlay=args.new_overlay or args.overlay)
    if args.chart:
        out.impact_chart(report, Path(args.chart))
    if args.report:
        out.write_report(report, Path(args.report))
    if args.json:
        print(json.dumps(out.json_record(report), ensure_ascii=False, indent=2))
    else:
        print("\n".join(out.text_lines(report)))
    if args.write_baseline:
        out.write_baseline(report, Path(args.write_baseline))
        print(f"aftersales diff: wrote the impact of {report.title} to {args.write_baseline} as the approved baseline",
              file=sys.stderr)
        return 0
    if approved is not None:
        differences = out.baseline_differences(report, approved)
        if differences:
            print(f"aftersales diff: the impact differs from the approved baseline {args.baseline} "
                  f"({len(differences)} difference(s)):", file=sys.stderr)
            for line in differences:
                print(f"  {line}", file=sys.stderr)
            return 1
        print(f"aftersales diff: the impact equals the approved baseline {args.baseline}", file=sys.stderr)
        return 0
    if report.undecided and not args.allow_undecided:
        print(f"aftersales diff: {len(report.undecided)} case(s) could not be decided, so the impact is incomplete "
              "(listed above); fix the cases or pass --allow-undecided", file=sys.stderr)
        return 2
    return 1 if report.outcome_changes else 0


def cmd_replay(args: argparse.Namespace) -> int:
    from .replay import NO_CURRENCY, RecordTo, replay, summary_chart

    record = RecordTo(Path(args.case_log) if args.case_log else None, args.who) if args.record else None
    from .scale import scheduler_address

    scheduler = scheduler_address(args.scheduler)
    if scheduler is not None:  # only then is Dask imported
        from functools import partial

        from .scale.replay import replay_on_cluster

        replay = partial(replay_on_cluster, scheduler)
    report = replay(Path(args.csv), args.scenario, args.platform, out=Path(args.out) if args.out else None,
                    as_of=args.as_of, library=_library(args), record=record,
                    mapping=Path(args.map) if args.map else None, progress=not args.no_progress)
    print(f"{report.rows} rows: {report.decided} decided, {report.errors} refused "
          f"({report.distinct} distinct fact combinations decided)"
          + (f" — PARTIAL RUN, {report.partial}" if report.partial else ""))
    if report.mapping:
        print(f"mapping: {report.mapping} ({args.map})")
    if report.passed_through:
        print(f"passed through unchanged (no fact): {', '.join(report.passed_through)}")
    if report.as_of_from:
        print("decided as of: " + "; ".join(f"{_as_of_origin(origin)}: {count} row(s)"
                                            for origin, count in report.as_of_from.most_common()))
    for outcome, count in report.outcomes.most_common():
        print(f"  {outcome:<32} {count:>9}")
    from .present.formats import format_money
    from .present.words import term

    print("estimated cost per resolution, per currency (refunded amounts, compensation, seller-paid shipping "
          "when known; never added across currencies):")
    for currency, per in sorted(report.cost.items()):
        code = None if currency == NO_CURRENCY else currency
        total = sum(per.values())
        print(f"  {currency}: {format_money(total, code, 'en')} in all")
        for resolution, cost in sorted(per.items(), key=lambda item: -item[1]):
            print(f"    {term('resolutions', resolution, 'en'):<30} {format_money(cost, code, 'en'):>14}")
    if report.shipping_unknown:
        print(f"  not counted: the return shipping the seller pays in {report.shipping_unknown} case(s) (no "
              "shipping_cost for them in the export)")
    if args.chart:
        summary_chart(report, Path(args.chart))
    if record is not None:
        from .caselog import default_case_log

        print(f"recorded {record.written} case(s) in {record.log or default_case_log()}", file=sys.stderr)
    if report.partial:
        print(f"aftersales replay: partial run: {report.partial}", file=sys.stderr)
        return 2
    if report.rows and not report.decided:
        reasons = "; ".join(f"{column}: {count} × e.g. {report.refusal_example[column]}"
                            for column, count in report.refusals.most_common(3))
        print(f"aftersales replay: all {report.rows} row(s) were refused, nothing was decided (see "
              f"{report.errors_file}); most common: {reasons}", file=sys.stderr)
        return 1
    if not report.rows:
        print(f"aftersales replay: {args.csv} has a header but no row: nothing was decided", file=sys.stderr)
        return 1
    if report.errors:
        print(f"aftersales replay: {report.errors} row(s) refused, see {report.errors_file}", file=sys.stderr)
        return 1
    return 0


def _as_of_origin(origin: str) -> str:
    """``replay``'s summary of where a moment came from."""
    if origin.startswith("derived: "):
        return f"derived from each row's own {origin[9:]} (no as_of)"
    return {"column": "the as_of column", "--as-of": "--as-of"}.get(origin, f"the {origin[7:]} column"
                                                                  if origin.startswith("column ") else origin)
