"""Scoring a trainee's attempt at a practice case against the playbook.

The playbook decides the case from its hidden facts; the trainee's answers are compared with
that decision point by point: the outcome, who pays return shipping, who bears the cost, the
compensation (within the range the playbook allows), the deadlines, and whether the reply
passes the message compliance checker. Every miss is named with the playbook's reason and
source, and the path the trainee's facts lead to is shown beside the playbook's path.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, tzinfo
from typing import Any, Mapping

from ..engine import Decision, decide
from ..errors import AftersalesError, FactError, did_you_mean
from ..playbook.facts import OversizedNumber, _check_magnitude, show
from ..playbook.model import COST_BEARERS, RESOLUTIONS, SHIPPING_PAYERS
from ..present.formats import typed_moment
from ..present.words import word

#: A stated deadline counts as right within this many minutes of the playbook's.
DEADLINE_TOLERANCE_MIN = 60
#: Deadlines every attempt sets (the practice page asks for them): a blank one is a miss.
ASKED_DEADLINES = frozenset({"first_reply"})



#: Warnings that practice counts as a miss: seed 002's apology-letter elements the checker only warns
#: about in production (a letter without a prevention step may be sent, but the trainee learns to
#: write one).
COACHED_RULES = frozenset({"apology.missing_improvement"})

@dataclass
class Answer:
    """What the trainee decided: the facts they established, their choices, and their reply."""

    facts: dict[str, Any] = field(default_factory=dict)
    resolution: str | None = None
    return_shipping_paid_by: str | None = None
    cost_borne_by: str | None = None
    compensation: float | None = None
    deadlines: dict[str, str] = field(default_factory=dict)  # deadline name -> ISO due the trainee set
    reply: str = ""

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> "Answer":
        """An answer from JSON-like data; a wrong field or type is a :class:`FactError` naming it."""
        allowed = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise FactError(unknown[0], "unknown answer field", ", ".join(sorted(allowed)))
        for name, kinds, wanted in (("facts", dict, "an object of facts"), ("deadlines", dict, "an object of name: ISO time"),
                                    ("reply", str, "text"), ("resolution", (str, type(None)), "a resolution code"),
                                    ("return_shipping_paid_by", (str, type(None)), "seller, buyer, platform or none"),
                                    ("cost_borne_by", (str, type(None)), "seller, buyer, platform, insurer or none")):
            if name in data and not isinstance(data[name], kinds):
                raise FactError(name, f"expected {wanted}, got {show(data[name])}")
        compensation = data.get("compensation")
        if compensation is not None and (isinstance(compensation, bool) or not isinstance(compensation, (int, float))) \
                and not isinstance(compensation, OversizedNumber):
            raise FactError("compensation", f"expected a number or null, got {show(compensation)}")
        if compensation is not None:
            _check_magnitude("compensation", compensation)  # 10**400, 5,000 digits, inf, nan: refused by name
        return cls(**dict(data))


@dataclass
class Check:
    name: str
    ok: bool
    expected: Any
    given: Any
    why: str = ""  # the playbook's reason for the expected value
    source: str = ""


@dataclass
class Score:
    case_id: str
    points: float
    max_points: float
    checks: list[Check]
    findings: list[dict[str, Any]]
    expected_path: list[dict[str, Any]]
    trainee_path: list[dict[str, Any]]
    playbook_version: str
    playbook_hash: str

    @property
    def misses(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    def divergence(self) -> dict[str, Any] | None:
        """Where the trainee's path left the playbook's: the step, and where each went next."""
        expected = [e["step"] for e in self.expected_path]
        given = [e["step"] for e in self.trainee_path]
        if not given or expected == given:
            return None
        for index, (ours, theirs) in enumerate(zip(expected, given, strict=False)):
            if ours != theirs:
                step = expected[index - 1] if index else "(start)"
                return {"step": step, "expected": ours, "given": theirs}
        shorter = min(len(expected), len(given))
        return {"step": expected[shorter - 1], "expected": expected[shorter] if shorter < len(expected) else None,
                "given": given[shorter] if shorter < len(given) else None}

    def mistakes(self) -> list[dict[str, Any]]:
        """What the progress store records: each miss, where the path diverged, each reply finding."""
        found: list[dict[str, Any]] = [
            {"kind": "miss", "check": c.name, "expected": str(c.expected), "given": str(c.given), "why": c.why,
             "source": c.source}
            for c in self.misses]
        divergence = self.divergence()
        if divergence:
            found.append({"kind": "path", **divergence})
        found.extend({"kind": "reply", **f} for f in self.findings)
        return found

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "misses": [c.name for c in self.misses], "divergence": self.divergence()}


def _reason_for(decision: Decision, trainee: Decision | None = None) -> tuple[str, str]:
    """Why the playbook decided as it did: where the trainee's path left the playbook's, the
    reason of the playbook's step there; else the reason of the branch that led to the outcome."""
    trace = [e for e in decision.trace if not e.get("note")]
    if trainee is not None:
        theirs = [e["step"] for e in trainee.trace if not e.get("note")]
        for index, entry in enumerate(trace):
            if index >= len(theirs) or theirs[index] != entry["step"]:
                if index:
                    previous = trace[index - 1]
                    return previous["reason"], previous["source"]
                break
    for entry in reversed(trace[:-1]):
        if entry["reason"]:
            return entry["reason"], entry["source"]
    return trace[-1]["reason"], trace[-1]["source"]


def _path(decision: Decision | None) -> list[dict[str, Any]]:
    if decision is None:
        return []
    return [{"step": e["step"], "reason": e["reason"], "source": e["source"]} for e in decision.trace]


def _compensation_check(decision: Decision, given: float | None, why: str, source: str) -> Check:
    comp = decision.compensation
    if not comp:
        ok = given in (None, 0, 0.0)
        return Check("compensation", ok, None, given, why, source)
    low = comp.get("min", comp["amount"])
    high = comp.get("max", comp["amount"])
    ok = given is not None and low - 0.005 <= float(given) <= high + 0.005
    expected = comp["amount"] if low == high else f"{low:g}–{high:g} {comp.get('currency', '')}".strip()
    return Check("compensation", ok, expected, given, why, source)


def stated_moment(raw: Any, zone: tzinfo | None) -> datetime | None:
    """A due time as a trainee may write it: ISO with an offset, or a wall time ("2026-01-16 17:00",
    "2026-01-16T17:00") read on the buyer's clock ``zone``; None when blank or unreadable."""
    text = str(raw or "").strip().replace("Z", "+00:00")
    if not text:
        return None
    for candidate in (text, text.replace(" ", "T", 1)):
        try:
            moment = datetime.fromisoformat(candidate)
        except ValueError:
            continue
        return moment if moment.tzinfo is not None or zone is None else moment.replace(tzinfo=zone)
    return None


def _deadline_checks(decision: Decision, given: Mapping[str, str], lang: str) -> list[Check]:
    """One check per deadline the trainee sets: the first reply's always (the practice page asks it
    of every case, and a blank is a miss there and in the command line alike), others when given.
    A time without an offset is the buyer's local time; an unreadable one is a miss with a hint."""
    checks = []
    for deadline in decision.deadlines:
        if deadline.name not in given and deadline.name not in ASKED_DEADLINES:
            continue
        raw = given.get(deadline.name)
        stated = stated_moment(raw, deadline.due.tzinfo)
        ok = stated is not None and abs((stated - deadline.due).total_seconds()) <= DEADLINE_TOLERANCE_MIN * 60
        why = deadline.rule
        if stated is None and str(raw or "").strip():
            why += " " + word("deadline_format_hint", lang, example=typed_moment(deadline.due))
        checks.append(Check(f"deadline:{deadline.name}", ok, deadline.due.isoformat(), raw, why, deadline.source))
    return checks


def _check_codes(answer: Answer) -> None:
    """An unknown resolution or payer code is refused with what is allowed (never scored as a miss
    silently: "refund_only" is no resolution)."""
    for name, value, allowed in (("resolution", answer.resolution, RESOLUTIONS),
                                 ("return_shipping_paid_by", answer.return_shipping_paid_by, SHIPPING_PAYERS),
                                 ("cost_borne_by", answer.cost_borne_by, COST_BEARERS)):
        if value is not None and value not in allowed:
            raise FactError(name, f"unknown code {show(value)}{did_you_mean(value, allowed)}", ", ".join(allowed))


def _model_message(case: Any, library: Any) -> str | None:
    """The playbook's own message for ``case``, in the customer's language (None: it has none)."""
    try:
        decision = decide(case.scenario, case.facts, case.platform, lang=case.lang, as_of=case.as_of, library=library)
    except AftersalesError:
        return None
    return decision.message["text"] if decision.message else None


def score_attempt(case: Any, answer: Answer, *, library: Any = None, lang: str | None = None) -> Score:
    """Score ``answer`` to ``case`` (anything with id, scenario, platform, lang, as_of, facts).

    ``lang`` is the trainee's language for the playbook's reasons (default: the case's); the
    reply is checked in the customer's language, the case's ``lang``.
    """
    from ..compliance import check_message
    from .reply_content import reply_problems, reply_problems_text

    lang = lang or case.lang
    _check_codes(answer)
    expected = decide(case.scenario, case.facts, case.platform, lang=lang, as_of=case.as_of, library=library,
                      render_message=False)
    try:  # the trainee's facts may be incomplete or wrong: then there is no trainee path
        trainee = decide(case.scenario, answer.facts, case.platform, lang=lang, as_of=case.as_of,
                         library=library, render_message=False) if answer.facts else None
    except AftersalesError:
        trainee = None
    why, source = _reason_for(expected, trainee)
    checks = [
        Check("resolution", answer.resolution == expected.resolution, expected.resolution, answer.resolution, why, source),
        Check("return_shipping_paid_by", answer.return_shipping_paid_by == expected.return_shipping_paid_by,
              expected.return_shipping_paid_by, answer.return_shipping_paid_by, why, source),
        Check("cost_borne_by", answer.cost_borne_by == expected.cost_borne_by, expected.cost_borne_by,
              answer.cost_borne_by, why, source),
        _compensation_check(expected, answer.compensation, why, source),
        *_deadline_checks(expected, answer.deadlines, lang),
    ]
    # the reply is held to the rules of the expected outcome's message (its reply_kind, else the playbook's)
    found = check_message(answer.reply or "", case.platform, case.lang,
                          expected.outcome_node.reply_kind) if answer.reply.strip() else []
    findings = [f.to_dict() for f in found]
    errors = [f for f in findings if f["severity"] == "error" or f["rule"] in COACHED_RULES]
    said = {f.rule: f.message_in(lang) for f in found}  # the findings in the trainee's language
    # and held to what it promises: enough words, the customer's language, no money, remedy or payer
    # the decision does not give (issue 18, part 1; training/reply_content.py)
    problems = reply_problems(answer.reply, expected, case.lang, _model_message(case, library)) \
        if answer.reply.strip() else []
    why_reply = "; ".join([said[f["rule"]] for f in errors]
                          + ([reply_problems_text(problems, expected, case.lang, lang)] if problems else []))
    given = (f"{len(errors)} error(s)" + (f", {', '.join(problems)}" if problems else "")
             if answer.reply.strip() else "no reply")
    checks.append(Check("reply", bool(answer.reply.strip()) and not errors and not problems,
                        "a reply with no compliance error that says what the decision gives", given, why_reply,
                        "; ".join(sorted({f["source"] for f in errors} | ({"seed 002 (a concrete solution, in the customer's language)"} if problems else set())))))
    points = float(sum(1 for c in checks if c.ok))
    return Score(case.id, points, float(len(checks)), checks, findings, _path(expected), _path(trainee),
                 expected.playbook_version, expected.playbook_hash)
