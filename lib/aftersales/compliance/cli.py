"""``aftersales check-message``: check a message file (or stdin) against the compliance rules.

The parent command line wires it in with two calls::

    from .compliance import cli as compliance_cli
    compliance_cli.add_parser(subparsers)          # adds the "check-message" subcommand
    handler["check-message"] = compliance_cli.run  # returns the exit code

Exit codes: 0 no error-level finding (warnings may be printed), 1 at least one error-level
finding, 2 bad input. For bad input (unreadable file, empty text, unknown platform, language or
kind, text too long) :func:`run` raises :class:`~aftersales.errors.AftersalesError`; the main
``aftersales`` CLI prints it as one line on stderr and exits 2. Bad option values given on the
command line are already refused by argparse (``choices``), also with exit 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..errors import AftersalesError
from .vocabulary import KINDS, LANGS, PLATFORMS

COMMAND = "check-message"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``check-message`` subcommand to ``subparsers`` (from ``add_subparsers()``) and return it."""
    parser = subparsers.add_parser(
        COMMAND,
        help="check a buyer message for missing apology elements and forbidden content",
        description="Check an after-sales message against the compliance rules (seed 002 apology elements; "
                    "Amazon and Ozon message rules; blame and deceptive tactics). Exit 0: no error; "
                    "1: at least one error-level finding; 2: bad input.",
    )
    parser.add_argument("file", metavar="FILE", help="text file with the message (UTF-8), or - for stdin")
    parser.add_argument("--platform", required=True, choices=PLATFORMS, help="platform the message is sent on")
    parser.add_argument("--lang", required=True, choices=LANGS, help="language of the message")
    parser.add_argument("--kind", required=True, choices=KINDS,
                        help="apology: seed 002's required elements; review_reply, claim_response: expected "
                             "elements (warnings); general: forbidden content only")
    parser.add_argument("--json", action="store_true",
                        help='print one JSON object {"ok": bool, "findings": [...]}')
    return parser


def read_message(file: str) -> str:
    """The message text from ``file`` (``-`` is stdin); AftersalesError if unreadable or empty."""
    try:
        text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AftersalesError(f"message file not found: {file}") from None
    except UnicodeDecodeError as exc:
        raise AftersalesError(f"message file is not UTF-8 text: {file} ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise AftersalesError(f"cannot read message file {file}: {exc.strerror or exc}") from None
    if not text.strip():
        where = "stdin" if file == "-" else file
        raise AftersalesError(f"message is empty ({where}): nothing to check")
    return text


def format_finding(finding: Any, text: str) -> str:
    """``severity rule: message [source] at start-end "matched text"`` (no position for a missing element)."""
    line = f"{finding.severity} {finding.rule}: {finding.message} [{finding.source}]"
    if finding.span is not None:
        start, end = finding.span
        excerpt = text[start:end].replace("\n", " ")
        line += f' at {start}-{end} "{excerpt}"'
    return line


def run(args: argparse.Namespace) -> int:
    """Check the message named by ``args`` and print the findings; return 0, or 1 if any is an error.

    Raises AftersalesError for bad input (the caller prints it and exits 2).
    """
    from .checker import check_message, has_errors

    text = read_message(args.file)
    findings = check_message(text, args.platform, args.lang, args.kind)
    failed = has_errors(findings)
    if getattr(args, "json", False):
        print(json.dumps({"ok": not failed, "findings": [f.to_dict() for f in findings]}, ensure_ascii=False))
    elif findings:
        for finding in findings:
            print(format_finding(finding, text))
    else:
        print("no findings")
    return 1 if failed else 0
