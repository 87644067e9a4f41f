"""The registry of problem codes: every code a :class:`~aftersales.errors.Problem` can carry.

Each code has an id (the ``[code]`` at the end of a ``validate`` line), a severity (``error``
makes ``aftersales validate`` exit 1; ``warning`` is reported and never changes the exit code),
the checks that report it and a one-line doc. ``docs/playbook-format.md`` holds the table
:func:`markdown_table` renders (``python -m aftersales.problem_codes --write
docs/playbook-format.md`` rewrites it) and ``tests/test_problem_codes.py`` keeps the three in
step: every code the package emits is registered here, every registered code is emitted, and
the documented table is this one.

This module imports nothing of aftersales, so that every other module may import it.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]

#: The severities, most severe first.
SEVERITIES: tuple[Severity, ...] = ("error", "warning")

#: The severity of a code that is not registered (a Problem built with the default code).
DEFAULT_SEVERITY: Severity = "error"

#: Where a problem is found: the kind of file or check that reports it.
ORIGINS = {
    "file": "reading any YAML file, or a path given to validate",
    "playbook": "a scenario playbook (playbooks/*.yaml) and its included input sets",
    "example": "the worked examples of a playbook or an overlay",
    "profile": "platform and jurisdiction profiles and the parameter catalogue (docs/parameters.md)",
    "floor": "the legal floors (`floors:` of playbooks/jurisdictions/*.yaml, docs/law.md)",
    "overlay": "a store overlay (docs/overlays.md)",
    "case bank": "the practice case bank (playbooks/cases/)",
    "replay mapping": "a mapping file for `aftersales replay --map` (docs/replay.md)",
    "causes": "the causes cases are counted under (playbooks/causes.yaml)",
}

#: The markers in docs/playbook-format.md between which :func:`markdown_table` is kept.
DOCS_BEGIN = "<!-- problem-codes:begin (generated from lib/aftersales/problem_codes.py; do not edit) -->"
DOCS_END = "<!-- problem-codes:end -->"


@dataclass(frozen=True)
class ProblemCode:
    """One registered problem code: its id, severity, where it is found and what it means."""

    id: str
    severity: Severity
    origins: tuple[str, ...]
    doc: str


def _code(code_id: str, origins: str, doc: str, severity: Severity = "error") -> ProblemCode:
    return ProblemCode(code_id, severity, tuple(o.strip() for o in origins.split(",")), doc)


_REGISTRY = (
    # reading files
    _code("io", "file", "a file or folder that is missing or cannot be read (not a regular file, not UTF-8 text, "
          "not .yaml/.yml)"),
    _code("yaml", "file, causes", "a YAML syntax error, or a key given twice in one mapping"),
    _code("limit", "file", "a file past a safety limit of limits.py (bytes, nodes, aliases, nesting depth, key "
          "length)"),
    _code("schema", "file, playbook, profile, overlay, case bank, causes",
          "wrong shape: an unknown key (with \"did you mean\" and the allowed keys), a missing key, a wrong type "
          "or value, an id or input name not snake_case, min/max or choices where they do not apply"),
    _code("name", "playbook, profile, overlay, case bank",
          "`scenario:` / `platform:` / `jurisdiction:` / `overlay:` differs from the file name; a catalogue "
          "parameter name not snake_case"),
    # playbooks
    _code("missing-language", "playbook, causes", "a text without one of the languages en, zh, ru"),
    _code("language", "playbook, case bank", "an unknown language, or a case's opening message not written in "
          "its `lang`"),
    _code("expression", "playbook, overlay, causes",
          "a condition or value that does not parse or uses a construct the condition language does not allow; "
          "an overlay's condition or outcome that fails on every worked example reaching it"),
    _code("unknown-fact", "playbook, causes", "a name that is not an input, a `let` value or a built-in; a message "
          "variable that is not a fact"),
    _code("overlay-reason", "overlay", "a branch an overlay adds without a reason, or a step's own reason or "
          "source replaced next to `add_branches` (often a branch's reason indented one level too far left)",
          "warning"),
    _code("overlay-moves-example", "overlay", "a base playbook's worked example that decides otherwise under the "
          "overlay (the overlay may mean it: check the example's expectation)", "warning"),
    _code("bypassed-parameter", "playbook, overlay", "a message that prints `params.NAME` while a `let` replaces "
          "that parameter for some cases (it would tell those customers the wrong value)", "warning"),
    _code("type-mismatch", "playbook, overlay", "a condition that compares an input with a literal of another type "
          "(`order_value < '30'`, `evidence_provided == 'yes'`)"),
    _code("not-a-choice", "playbook, overlay", "a condition that compares a choice input with a value outside its "
          "choices (`currency == 'RMB'`)"),
    _code("unknown-parameter", "playbook, profile", "a `params.NAME` or a profile parameter not in the parameter "
          "catalogue"),
    _code("unknown-input", "playbook", "a step that asks an input not declared under `inputs`"),
    _code("arguments", "playbook", "a policy function called with the wrong arguments"),
    _code("dangling", "playbook", "a `start`, `goto` or `next` that names no step or outcome"),
    _code("duplicate-id", "playbook, case bank", "two steps, a step and an outcome, or two practice cases with "
          "one id"),
    _code("cycle", "playbook", "a path that loops back to a step it has passed"),
    _code("unreachable", "playbook", "a step or outcome no path from `start` reaches"),
    _code("dead-end", "playbook", "a path that ends without an outcome (no `branches`/`next`, or branches "
          "without a default that cannot be shown to cover every case)"),
    _code("overlap", "playbook", "two numeric branches on one fact that both match some values"),
    _code("gap", "playbook", "numeric branches on one fact that leave values uncovered, with no default"),
    _code("never-taken", "playbook", "a branch that earlier branches already cover"),
    _code("undefined-on-path", "playbook", "a `let` value, fact or template variable used where some path "
          "has not set or asked it"),
    _code("template", "playbook, overlay", "a message template that does not parse, or an overlay's template "
          "that fails on a worked example's facts"),
    _code("type", "playbook, profile", "a default that does not fit its input; a profile value that does not "
          "fit its catalogue type"),
    _code("branch", "playbook", "a branch with both or neither of `when`/`default`, a default that is not last, "
          "`branches` and `next` together"),
    _code("shadow", "playbook", "a `let` that would hide an input or a built-in name"),
    _code("duration", "playbook", "a deadline's `within` that is neither `params.NAME` nor \"N unit\""),
    _code("unit", "playbook, profile", "an unknown unit, a unit of another kind than the catalogue's, or a "
          "deadline parameter that is not a duration"),
    _code("include", "playbook", "an included input set or checklist that does not exist"),
    _code("unknown-platform", "playbook, overlay, case bank", "a platform (in `platforms:`, an example, an "
          "overlay or a case) with no profile"),
    _code("unknown-reply-kind", "playbook", "a `reply_kind` that is not apology, review_reply, claim_response "
          "or general"),
    _code("citation", "playbook, profile, overlay, case bank", "a `source` citation that resolves nowhere "
          "(neither a seed described in docs/sources.md, a URL, a note, a law, an issue nor a named document)"),
    _code("mapping", "replay mapping", "a replay mapping (`--map`) entry that cannot be used: a date format that is "
          "not a strptime pattern, an unknown time zone, an as_of with both column and derive_from, a reason "
          "rule without keywords"),
    _code("citation-split", "playbook, profile, overlay, case bank", "a `sources: [a, b]` list whose comma "
          "split one citation in two (\"[X policy, §2]\"): quote it as one item", "warning"),
    _code("example", "example", "a worked example that fails or decides differently than it expects"),
    # profiles and floors
    _code("no-source", "profile", "a parameter value without a source"),
    _code("duplicate-date", "profile", "two values of one parameter that take effect on the same date"),
    _code("choice", "profile", "a map key or value outside the catalogue's `keys` / `choices`"),
    _code("unknown-jurisdiction", "profile", "a platform's `jurisdiction:` that has no file"),
    _code("missing-parameter", "profile", "a catalogue parameter defined neither by the platform nor by its "
          "jurisdiction"),
    _code("return-route", "profile", "a fulfilment model with no `return_flow`, or a flow with no `return_route` "
          "sentence"),
    _code("missing-platform", "profile", "a playbooks folder without any platform file"),
    _code("floor", "floor", "a malformed legal floor (not a map, unknown key or bound, no parameter or number)"),
    _code("below-floor", "floor, overlay", "a parameter value that gives the buyer less than the law's floor"),
    _code("stale-verification", "profile", "a value in force whose `verified_on` is older than the re-check "
          "period: re-check it against its source", "warning"),
    _code("never-verified", "profile", "values in force without `verified_on` (one line per file)", "warning"),
    # overlays
    _code("overlay", "overlay", "a change an overlay cannot make (unknown step or outcome, a rename, both "
          "`branches` and `add_branches`, every platform disabled)"),
    _code("unknown-scenario", "overlay, case bank, causes", "an overlay or case file for a scenario with no playbook"),
    # the case bank
    _code("playbook", "case bank", "a case file whose scenario's playbook is invalid"),
    _code("fact", "case bank", "a case fact the engine rejects (unknown, wrong type, out of range)"),
    _code("decide", "case bank", "a case the engine cannot decide"),
    _code("incomplete-facts", "case bank", "a case whose facts lack an answer the playbook asks on its path"),
    _code("missing-expected", "case bank", "a case without its `expected` decision (`aftersales train refresh` "
          "writes it)"),
    _code("expected", "case bank", "a case whose `expected` decision differs from what the playbook decides"),
    _code("replies", "case bank", "a case's buyer's words for a fact it does not have, or for a fact the buyer does not "
          "tell (the agent's findings go under `records`)"),
    _code("records", "case bank", "a case's record for a fact it does not have, or for a fact the buyer tells "
          "(their words go under `replies`)"),
    _code("later-messages", "case bank", "a later message that arrives after a fact the case does not have, or says "
          "a fact changed from the value it still has"),
    _code("no-estimate", "playbook", "an outcome without `estimate`: the deadline its first reply gives as the "
          "estimated resolution time, or `now` (seed 001)"),
    _code("estimate", "playbook", "an `estimate` that is not one of the outcome's deadlines, or a message that does "
          "not say it in every language"),
    _code("unknown-cause", "causes", "a rule of playbooks/causes.yaml naming a cause that is not under `causes`"),
    _code("too-few-cases", "case bank", "a scenario with fewer practice cases than the minimum"),
    _code("refresh", "case bank", "`aftersales train refresh` cannot rewrite a case's `expected` block"),
)

#: Every registered code by id, in documentation order.
CODES: dict[str, ProblemCode] = {code.id: code for code in _REGISTRY}


def lookup(code: str) -> ProblemCode | None:
    """The registered code ``code``, or None."""
    return CODES.get(code)


def severity(code: str) -> Severity:
    """The severity of ``code``: ``error`` for an unregistered code (never hide a problem)."""
    entry = CODES.get(code)
    return entry.severity if entry else DEFAULT_SEVERITY


def markdown_table() -> str:
    """The table of every code for docs/playbook-format.md (without the markers)."""
    rows = ["| code | severity | found in | problem |", "|---|---|---|---|"]
    for code in _REGISTRY:
        rows.append(f"| `{code.id}` | {code.severity} | {', '.join(code.origins)} | {code.doc} |")
    rows.append("")
    rows.append("Found in: " + "; ".join(f"**{name}**, {what}" for name, what in ORIGINS.items()) + ".")
    return "\n".join(rows) + "\n"


def docs_section(text: str) -> str | None:
    """The generated table kept in ``text`` between the markers, or None when they are missing."""
    begin, end = text.find(DOCS_BEGIN), text.find(DOCS_END)
    if begin < 0 or end < begin:
        return None
    return text[begin + len(DOCS_BEGIN):end].strip("\n") + "\n"


def with_table(text: str) -> str:
    """``text`` with the generated table between the markers replaced by :func:`markdown_table`."""
    begin, end = text.find(DOCS_BEGIN), text.find(DOCS_END)
    if begin < 0 or end < begin:
        raise ValueError(f"the markers {DOCS_BEGIN!r} and {DOCS_END!r} are missing")
    return f"{text[:begin + len(DOCS_BEGIN)]}\n{markdown_table()}{text[end:]}"


def main(argv: list[str] | None = None) -> int:
    """Print the table, or ``--write FILE`` (docs/playbook-format.md) to refresh it in place."""
    parser = argparse.ArgumentParser(prog="python -m aftersales.problem_codes", description=main.__doc__)
    parser.add_argument("--write", metavar="FILE", help="replace the table between the markers of FILE")
    args = parser.parse_args(argv)
    if not args.write:
        sys.stdout.write(markdown_table())
        return 0
    path = Path(args.write)
    path.write_text(with_table(path.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
