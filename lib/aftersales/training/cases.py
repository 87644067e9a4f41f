"""The case bank: practice cases for training, one YAML file per scenario in ``playbooks/cases/``.

A case is what a trainee meets: the customer's opening message, the hidden facts they uncover
by asking, a difficulty, the traps the case sets (with the seed they come from) and the decision
the playbook reaches. That ``expected`` decision is written by :func:`refresh_expectations` from
the engine, never typed by hand; :func:`case_problems` reports (as ``file:line:col``) every case
whose stored expectation disagrees with the playbooks as they are now, so a playbook change
that moves a case's answer cannot go unnoticed.

File layout (``playbooks/cases/size_mismatch.yaml``)::

    scenario: size_mismatch
    cases:
      - id: size-002
        title: {en: ..., zh: ..., ru: ...}
        platform: taobao
        lang: zh                          # the customer's language
        difficulty: 2                     # 1 (routine) .. 3 (tricky)
        as_of: 2026-01-15T09:00:00+00:00  # the moment the case is decided
        opening_message: ...
        facts: {...}                      # every fact the playbook asks on this case's path
        traps:                            # optional; each {en, zh, ru} (a plain string: English only)
          - {en: ..., zh: ..., ru: ...}
        source: [seed 001]
        expected: {...}                   # written by `aftersales train refresh`
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, PlainValidator, PrivateAttr, StrictInt, ValidationError, field_validator

from ..errors import AftersalesError, FactError, Location, PlaybookError, Problem, UnknownNameError, did_you_mean
from ..paths import default_playbooks_dir, display_path
from ..playbook.model import LANGS
from ..strict import StrictModel
from ..yamlsource import SourceDoc, load_yaml, load_yaml_text, pydantic_problems

__all__ = [
    "MIN_CASES_PER_SCENARIO",
    "Case",
    "Expected",
    "ExpectedCompensation",
    "case_problems",
    "cases_root",
    "compute_expected",
    "expected_mismatches",
    "get_case",
    "load_cases",
    "refresh_expectations",
    "trap_texts",
]

#: The issue asks for at least this many practice cases per scenario.
MIN_CASES_PER_SCENARIO = 10
#: The bank's folder below the playbooks folder.
CASES_FOLDER = "cases"
#: Scalars a YAML 1.1 reader would not read back as the same string.
_YAML_WORDS = {"yes", "no", "on", "off", "true", "false", "null", "y", "n", "~"}
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: How a customer's language shows in writing (a message in the wrong language is a mislabelled case).
_SCRIPTS = {"zh": re.compile(r"[\u4e00-\u9fff]"), "ru": re.compile(r"[\u0400-\u04ff]")}


def _trap(value: Any) -> str | dict[str, str]:
    """A trap: a plain string (English only, as older banks wrote it) or ``{en, zh, ru}``, all non-empty."""
    if isinstance(value, str):
        if not value.strip():
            raise ValueError("a trap must not be empty")
        return value
    if isinstance(value, dict):
        return _in_every_language(value, "trap")
    raise ValueError("a trap is a text or a mapping {en, zh, ru}")


def _in_every_language(value: dict[Any, Any], what: str) -> dict[str, str]:
    """``value`` as ``{en, zh, ru}``, each a non-empty text; else which language is unknown or missing."""
    unknown = sorted(str(key) for key in value if key not in LANGS)
    if unknown:
        raise ValueError(f"unknown language '{unknown[0]}'{did_you_mean(unknown[0], LANGS)} in a {what}; "
                         f"allowed: {', '.join(LANGS)}")
    missing = [lang for lang in LANGS if not isinstance(value.get(lang), str) or not value[lang].strip()]
    if missing:
        raise ValueError(f"a {what} needs a non-empty text in every language (missing: {', '.join(missing)})")
    return {lang: value[lang] for lang in LANGS}


#: One trap of a case: English text, or the same trap in every language.
Trap = Annotated[str | dict[str, str], PlainValidator(_trap)]

#: Facts the customer knows and would tell when asked. Every other fact is something the agent
#: finds out (the order's records, the shop's stock and prices, the agent's own judgement of
#: photos and rules): Practice shows it as what the agent looks up, never as the customer's words.
CUSTOMER_FACTS = frozenset({
    "order_id", "customer_name", "order_value", "item_value", "currency", "delivered_on", "ordered_on",
    "evidence_provided", "customer_timezone", "return_requested_at", "category", "item_resaleable",
    "size_deviation_cm", "customer_preference", "problem", "item_name", "reported_on", "claim_type", "claim_amount",
    "buyer_contacted_at", "buyer_agrees_to_wait", "defect_description", "colour_difference",
    "customer_accepts_partial_refund", "customer_accepts_raised_offer",
})
#: Customer facts that are on the order itself (its number, price, dates, zone): the trainee reads
#: them there, so a case gives no buyer's words for them.
ORDER_FACTS = frozenset({"order_id", "customer_name", "order_value", "item_value", "currency", "delivered_on",
                         "ordered_on", "customer_timezone"})
#: The customer facts a buyer tells in their own words when asked (issue 18, part 4).
TOLD_FACTS = CUSTOMER_FACTS - ORDER_FACTS


def _record(value: Any) -> dict[str, str]:
    """What the agent finds when looking a fact up, in every interface language ``{en, zh, ru}``."""
    if not isinstance(value, dict):
        raise ValueError("a record is a mapping {en, zh, ru}: what the agent finds, in each interface language")
    return _in_every_language(value, "record")


#: What the agent finds for one looked-up fact: a tracking page line, a photo, the stock system...
Record = Annotated[dict[str, str], PlainValidator(_record)]


class LaterMessage(StrictModel):
    """A later message from the buyer, in the case's language: it arrives when the trainee asks
    about the fact ``after`` (a case may hold several, revealed one after another). ``was`` names the
    facts this message changes and what they were before it (the buyer's change of mind, a lie
    found out): the case's ``facts`` hold the final values, the ones the playbook decides on."""

    after: str
    text: str = Field(min_length=1, max_length=3000)
    was: dict[str, Any] = {}


class ExpectedCompensation(StrictModel):
    """The compensation the playbook decides (``min``/``max``: the range it allows, if any)."""

    amount: float
    min: float | None = None
    max: float | None = None
    currency: str


class Expected(StrictModel):
    """The engine's decision for a case, as stored in the bank."""

    outcome: str
    resolution: str
    return_shipping_paid_by: str
    cost_borne_by: str
    compensation: ExpectedCompensation | None
    deadlines: dict[str, datetime]
    path: list[str]


class Case(StrictModel):
    """One practice case. ``scenario`` and ``location`` come from the file it is in."""

    id: str = Field(pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$", max_length=40)
    title: dict[str, str]
    platform: str
    lang: str
    difficulty: Annotated[StrictInt, Field(ge=1, le=3)]
    as_of: datetime
    opening_message: str = Field(min_length=1, max_length=5000)
    facts: dict[str, Any]
    traps: list[Trap] = []
    #: The buyer's own words, in the case's language, when asked about a fact they know
    #: ("量了一下，腰围比标的小了4厘米左右"): the trainee reads the fact from them.
    replies: dict[str, Annotated[str, Field(min_length=1, max_length=1000)]] = {}
    #: What the agent finds when looking up a fact they must judge or check (a tracking page, the
    #: photos, the stock system), in every interface language: never the answer as a code.
    records: dict[str, Record] = {}
    #: The buyer's later messages, revealed as the trainee asks (several messages, a change of mind).
    later_messages: list[LaterMessage] = []
    source: list[str] = Field(min_length=1)
    expected: Expected | None = None

    _scenario: str = PrivateAttr("")
    _location: Location = PrivateAttr(default_factory=lambda: Location("(case)"))

    @field_validator("title")
    @classmethod
    def _every_language(cls, title: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(title) - set(LANGS))
        if unknown:
            raise ValueError(f"unknown language '{unknown[0]}'{did_you_mean(unknown[0], LANGS)}; allowed: {', '.join(LANGS)}")
        missing = [lang for lang in LANGS if not str(title.get(lang) or "").strip()]
        if missing:
            raise ValueError(f"a title in every language is needed (missing: {', '.join(missing)})")
        return title

    @field_validator("as_of")
    @classmethod
    def _aware(cls, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise ValueError("as_of needs a time zone, e.g. 2026-01-15T09:00:00+00:00")
        return moment

    @property
    def scenario(self) -> str:
        """The scenario of the file the case is in."""
        return self._scenario

    @property
    def location(self) -> Location:
        """Where the case starts (``file:line:col``)."""
        return self._location


def trap_texts(case: Case, lang: str) -> list[str]:
    """The traps of ``case`` in ``lang`` (a plain-string trap is English and is shown as it is)."""
    return [trap if isinstance(trap, str) else trap.get(lang) or trap["en"] for trap in case.traps]


class _CaseFile(StrictModel):
    """The top level of a case file (cases are validated one by one, so one typo hides nothing)."""

    scenario: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    cases: list[Any]


@dataclass
class _Entry:
    """A case as read from its file: the model (None if invalid), the raw data and where it is."""

    case: Case | None
    raw: Any
    doc: SourceDoc
    index: int
    file: Path
    expected_invalid: bool = False  # only the generated `expected` block is malformed: refresh rewrites it

    def at(self, *path: Any, key: bool = False) -> Location:
        return self.doc.at(("cases", self.index) + path, key=key)

    def problem(self, path: Iterable[Any], message: str, code: str, *, key: bool = False) -> Problem:
        return Problem(self.at(*tuple(path), key=key), message, code)


@dataclass
class _Bank:
    """Every case file of a folder: entries in file order, the scenario of each file, problems."""

    root: Path
    entries: list[_Entry]
    files: dict[Path, tuple[str | None, SourceDoc | None]]
    problems: list[Problem]
    expected_problems: list[Problem] = field(default_factory=list)  # schema errors inside `expected` only

    @property
    def cases(self) -> list[Case]:
        return [entry.case for entry in self.entries if entry.case is not None]


def cases_root(root: str | Path | None = None) -> Path:
    """The bank's folder: ``root`` if given, else the playbooks folder's ``cases/``."""
    return Path(root) if root is not None else default_playbooks_dir() / CASES_FOLDER


def case_files(root: Path) -> list[Path]:
    """The case files of ``root`` (``_*.yaml`` are left out, like drafts in playbooks/)."""
    return sorted(p for p in root.glob("*.yaml") if not p.name.startswith("_"))


def _read_bank(root: str | Path | None) -> _Bank:
    """Read and schema-check every case file, collecting every problem (never stops at the first)."""
    folder = cases_root(root)
    bank = _Bank(folder, [], {}, [])
    if not folder.is_dir():
        bank.problems.append(Problem(Location(display_path(folder)), "case bank folder not found", "io"))
        return bank
    for path in case_files(folder):
        try:
            doc = load_yaml(path, display_name=display_path(path))
        except PlaybookError as exc:
            bank.problems.extend(exc.problems)
            bank.files[path] = (None, None)
            continue
        bank.files[path] = (None, doc)
        if not isinstance(doc.data, dict):
            bank.problems.append(doc.problem((), "a case file must be a mapping with 'scenario' and 'cases'", "schema"))
            continue
        try:
            _CaseFile.model_validate(doc.data)
        except ValidationError as exc:
            bank.problems.extend(pydantic_problems(doc, exc, _CaseFile))
        scenario = doc.data.get("scenario") if isinstance(doc.data.get("scenario"), str) else None
        bank.files[path] = (scenario, doc)
        if scenario is not None and scenario != path.stem:
            bank.problems.append(doc.problem(("scenario",), f"scenario '{scenario}' must match the file name "
                                             f"'{path.stem}'", "name"))
        raw_cases = doc.data.get("cases")
        if not isinstance(raw_cases, list):
            continue
        for index, raw in enumerate(raw_cases):
            entry = _Entry(None, raw, doc, index, path)
            bank.entries.append(entry)
            if not isinstance(raw, dict):
                bank.problems.append(entry.problem((), "a case must be a mapping (id, title, platform, ...)", "schema"))
                continue
            try:
                case = Case.model_validate(raw)
            except ValidationError as exc:
                found = pydantic_problems(doc, exc, Case, base=("cases", index))
                if not all(error["loc"][0] == "expected" for error in exc.errors()):
                    bank.problems.extend(found)
                    continue
                bank.expected_problems.extend(found)
                case = Case.model_validate({key: value for key, value in raw.items() if key != "expected"})
                entry.expected_invalid = True
            case._scenario = scenario or path.stem
            case._location = entry.at()
            entry.case = case
    return bank


def load_cases(root: str | Path | None = None) -> list[Case]:
    """Every case of the bank in file order (files sorted by name).

    ``root`` is the bank's folder (default: the playbooks folder's ``cases/``). A YAML or schema
    problem raises :class:`PlaybookError` with every such problem located; whether the cases
    agree with the playbooks is :func:`case_problems`'s question.
    """
    folder = cases_root(root)
    key = _bank_stamp(folder)
    cached = _LOADED.get(str(folder.resolve()))
    if cached is not None and cached[0] == key:
        return list(cached[1])
    bank = _read_bank(root)
    if bank.problems or bank.expected_problems:
        raise PlaybookError(bank.problems + bank.expected_problems)
    cases = bank.cases
    _LOADED[str(folder.resolve())] = (key, tuple(cases))
    return list(cases)


#: Cases read per bank folder, with the stamp of its files when read (get_case is asked per case:
#: re-reading and locating ~160 cases each time took 0.36 s a call).
_LOADED: dict[str, tuple[tuple[Any, ...], tuple[Case, ...]]] = {}


def _bank_stamp(folder: Path) -> tuple[Any, ...]:
    """Each case file's name, size and modification time: the cache is read again when one changes."""
    if not folder.is_dir():
        return ()
    stamps = []
    for path in case_files(folder):
        stat = path.stat()
        stamps.append((path.name, stat.st_size, stat.st_mtime_ns))
    return tuple(stamps)


def get_case(case_id: str, root: str | Path | None = None) -> Case:
    """The case called ``case_id``; an unknown id raises :class:`UnknownNameError` with a did-you-mean."""
    cases = load_cases(root)
    for case in cases:
        if case.id == case_id:
            return case
    raise UnknownNameError("case", case_id, [case.id for case in cases])


def _library_for(root: str | Path | None, library: Any) -> Any:
    """The library the cases are decided against: the one given, the bank's own playbooks folder
    (when the bank sits in one), or the default library."""
    if library is not None:
        return library
    from ..library import load_library

    if root is not None:
        parent = Path(root).resolve().parent
        if (parent / "parameters.yaml").is_file():
            return load_library(parent)
    return load_library()


def _decide(case: Case, library: Any) -> Any:
    from ..engine import decide

    return decide(case.scenario, case.facts, case.platform, lang=case.lang, as_of=case.as_of, library=library)


def decision_summary(decision: Any) -> dict[str, Any]:
    """A decision as the ``expected`` mapping of a case (also what ``aftersales diff`` compares)."""
    compensation = None
    if decision.compensation is not None:
        given = decision.compensation
        compensation = {"amount": given["amount"], "min": given.get("min"), "max": given.get("max"),
                        "currency": given["currency"]}
    deadlines: dict[str, str] = {}
    for deadline in decision.deadlines:  # sorted by due: a name set twice keeps its earliest due
        deadlines.setdefault(deadline.name, deadline.due.isoformat())
    return {
        "outcome": decision.outcome,
        "resolution": decision.resolution,
        "return_shipping_paid_by": decision.return_shipping_paid_by,
        "cost_borne_by": decision.cost_borne_by,
        "compensation": compensation,
        "deadlines": deadlines,
        "path": [step.id for step, _branch in decision.path],
    }


def compute_expected(case: Case, library: Any = None) -> dict[str, Any]:
    """The engine's decision for ``case`` as its ``expected`` mapping.

    Keys: outcome, resolution, return_shipping_paid_by, cost_borne_by, compensation
    ({amount, min, max, currency} or None), deadlines ({name: ISO due}), path ([step ids]).
    Raises what the engine raises (:class:`FactError` for facts it rejects).
    """
    return decision_summary(_decide(case, _library_for(None, library)))


def _differs(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return (a is None) != (b is None)
    return abs(a - b) > 0.005


def _money(comp: dict[str, Any] | None) -> str:
    return "null" if comp is None else f"{comp['amount']:g} {comp['currency']}"


def expected_mismatches(stored: Expected, computed: dict[str, Any]) -> list[tuple[tuple, str]]:
    """Where a stored expectation disagrees with the engine's: (path below ``expected``, message)."""
    found: list[tuple[tuple, str]] = []

    def differs(where: tuple, stored_text: str, decided_text: str) -> None:
        name = ".".join(str(part) for part in where)
        found.append((where, f"expected.{name} {stored_text} but the playbook decides {decided_text}"))

    for name in ("outcome", "resolution", "return_shipping_paid_by", "cost_borne_by"):
        if getattr(stored, name) != computed[name]:
            differs((name,), f"'{getattr(stored, name)}'", f"'{computed[name]}'")
    comp, mine = computed["compensation"], stored.compensation
    if (mine is None) != (comp is None):
        mine_text = "null" if mine is None else f"{mine.amount:g} {mine.currency}"
        differs(("compensation",), mine_text, _money(comp))
    elif mine is not None and comp is not None:
        for name in ("amount", "min", "max"):
            if _differs(getattr(mine, name), comp[name]):
                differs(("compensation", name), str(getattr(mine, name)), str(comp[name]))
        if mine.currency != comp["currency"]:
            differs(("compensation", "currency"), f"'{mine.currency}'", f"'{comp['currency']}'")
    decided = computed["deadlines"]
    for name, due in stored.deadlines.items():
        if name not in decided:
            hint = did_you_mean(name, decided)
            found.append((("deadlines", name), f"expected.deadlines.{name} but the playbook sets no such deadline{hint}"))
        elif due.isoformat() != datetime.fromisoformat(decided[name]).isoformat():
            # the same moment in another zone differs too: due moments are kept in the buyer's zone
            differs(("deadlines", name), f"'{due.isoformat()}'", f"'{decided[name]}'")
    for name, due in decided.items():
        if name not in stored.deadlines:
            found.append((("deadlines",), f"expected.deadlines lacks '{name}' (the playbook sets it, due {due})"))
    if stored.path != computed["path"]:
        stored_path, decided_path = ", ".join(stored.path), ", ".join(computed["path"])
        found.append((("path",), f"expected.path [{stored_path}] but the playbook takes [{decided_path}]"))
    return found


def _fact_problem(entry: _Entry, exc: AftersalesError) -> Problem:
    """A fact the engine rejects, located at that fact when the case gives it."""
    facts = entry.raw.get("facts") if isinstance(entry.raw, dict) else None
    if isinstance(exc, FactError):
        if isinstance(facts, dict) and exc.field in facts:
            return entry.problem(("facts", exc.field), f"facts: {exc}", "fact", key=True)
        if exc.field == "as_of":
            return entry.problem(("as_of",), str(exc), "fact")
        return entry.problem(("facts",), f"facts: {exc}", "fact", key=True)
    if isinstance(exc, UnknownNameError) and exc.kind.startswith("platform"):
        return entry.problem(("platform",), str(exc), "unknown-platform")
    return entry.problem((), f"the engine cannot decide this case: {exc}", "decide")


def _completeness_problem(entry: _Entry, case: Case, library: Any) -> Problem | None:
    """A question the playbook would still ask on this case's path (the trainee could not learn it)."""
    from ..engine import next_question

    question = next_question(case.scenario, case.facts, case.platform, lang=case.lang, as_of=case.as_of,
                             library=library)
    if question is None:
        return None
    return entry.problem(("facts",), f"facts lack '{question.name}', which the playbook asks at step "
                                     f"'{question.step}' on this case's path (allowed: {question.allowed})",
                         "incomplete-facts", key=True)


def _language_problem(entry: _Entry, case: Case) -> Problem | None:
    text = case.opening_message
    if case.lang in _SCRIPTS:
        if not _SCRIPTS[case.lang].search(text):
            return entry.problem(("opening_message",), f"opening_message does not look like '{case.lang}'", "language")
    elif case.lang == "en" and any(pattern.search(text) for pattern in _SCRIPTS.values()):
        return entry.problem(("opening_message",), "opening_message does not look like 'en'", "language")
    return None


def _told_problems(entry: _Entry, case: Case) -> list[Problem]:
    """Buyer's words and records that name no fact of the case, or the wrong kind of fact, or whose
    words are not in the case's language."""
    problems: list[Problem] = []
    for name, text in case.replies.items():
        if name not in case.facts:
            problems.append(entry.problem(("replies", name), f"replies: '{name}' is not a fact of this case"
                                          f"{did_you_mean(name, case.facts)}; allowed: "
                                          f"{', '.join(sorted(set(case.facts) & TOLD_FACTS)) or 'none'}", "replies"))
        elif name not in TOLD_FACTS:
            problems.append(entry.problem(("replies", name), f"replies: '{name}' is not something the buyer tells: "
                                          "write it under records (what the agent finds)"
                                          if name not in CUSTOMER_FACTS else
                                          f"replies: '{name}' is on the order itself; no buyer's words needed", "replies"))
        elif case.lang in _SCRIPTS and not _SCRIPTS[case.lang].search(text):
            problems.append(entry.problem(("replies", name), f"replies: '{name}' is not written in '{case.lang}', "
                                          "the buyer's language", "language"))
    for index, later in enumerate(case.later_messages):
        where = ("later_messages", index)
        if later.after not in case.facts:
            problems.append(entry.problem(where + ("after",), f"later_messages: 'after: {later.after}' is not a fact "
                                          f"of this case{did_you_mean(later.after, case.facts)}; the message "
                                          "arrives when the trainee asks about one of its facts", "later-messages"))
        for name, before in later.was.items():
            if name not in case.facts:
                problems.append(entry.problem(where + ("was", name), f"later_messages: 'was: {name}' is not a fact "
                                              f"of this case{did_you_mean(name, case.facts)}", "later-messages"))
            elif before == case.facts[name]:
                problems.append(entry.problem(where + ("was", name), f"later_messages: '{name}' was {before!r} and "
                                              "is still: a change names a different earlier value", "later-messages"))
        if case.lang in _SCRIPTS and not _SCRIPTS[case.lang].search(later.text):
            problems.append(entry.problem(where + ("text",), f"later_messages: the text is not written in "
                                          f"'{case.lang}', the buyer's language", "language"))
    for name in case.records:
        if name not in case.facts:
            problems.append(entry.problem(("records", name), f"records: '{name}' is not a fact of this case"
                                          f"{did_you_mean(name, case.facts)}", "records"))
        elif name in CUSTOMER_FACTS:
            problems.append(entry.problem(("records", name), f"records: '{name}' is something the customer "
                                          "tells: write it under replies", "records"))
    return problems


def _case_checks(entry: _Entry, case: Case, library: Any, *, check_expected: bool = True) -> list[Problem]:
    """Names, language, facts, the buyer's words and records, and expectation of one schema-valid case."""
    return _told_problems(entry, case) + _decision_checks(entry, case, library, check_expected=check_expected)


def _decision_checks(entry: _Entry, case: Case, library: Any, *, check_expected: bool = True) -> list[Problem]:
    """Names, language, facts and expectation of one schema-valid case."""
    problems: list[Problem] = []
    if case.platform not in library.profiles:
        problems.append(entry.problem(("platform",), f"unknown platform '{case.platform}'"
                                      f"{did_you_mean(case.platform, library.profiles)}; allowed: "
                                      f"{', '.join(sorted(library.profiles))}", "unknown-platform"))
    if case.lang not in LANGS:
        problems.append(entry.problem(("lang",), f"unknown language '{case.lang}'{did_you_mean(case.lang, LANGS)}; "
                                      f"allowed: {', '.join(LANGS)}", "language"))
    else:
        problem = _language_problem(entry, case)
        if problem:
            problems.append(problem)
    if problems or case.scenario not in library.playbooks:
        return problems
    try:
        computed = decision_summary(_decide(case, library))
        incomplete = _completeness_problem(entry, case, library)
    except AftersalesError as exc:
        return [_fact_problem(entry, exc)]
    if incomplete:
        problems.append(incomplete)
    if not check_expected:  # its `expected` block is malformed, and reported as such
        return problems
    if case.expected is None:
        problems.append(entry.problem(("id",), f"case '{case.id}' has no expected decision: run "
                                               "'aftersales train refresh' to write it from the engine",
                                      "missing-expected"))
        return problems
    for path, message in expected_mismatches(case.expected, computed):
        problems.append(entry.problem(("expected",) + path, message, "expected"))
    return problems


def case_problems(root: str | Path | None = None, library: Any = None, *,
                  min_cases: int = MIN_CASES_PER_SCENARIO) -> list[Problem]:
    """Every problem of the case bank, located ``file:line:col``, sorted.

    YAML and schema errors (unknown keys with a did-you-mean), a file whose scenario differs from
    its name or is no playbook, duplicate ids, unknown platforms and languages, an opening message
    not in the case's language, facts the engine rejects, facts that leave a question of the path
    unanswered, a missing ``expected``, every ``expected`` field that disagrees with the engine,
    and a scenario with fewer than ``min_cases`` cases.
    """
    bank = _read_bank(root)
    problems = bank.problems + bank.expected_problems
    try:
        library = _library_for(root, library)
    except PlaybookError as exc:
        return sorted(set(problems + list(exc.problems)))
    counts: dict[str, int] = {name: 0 for name in library.scenarios}
    for scenario, doc in bank.files.values():
        if scenario is None or doc is None:
            continue
        if scenario not in library.scenarios:
            problems.append(doc.problem(("scenario",), f"unknown scenario '{scenario}'"
                                        f"{did_you_mean(scenario, library.scenarios)}; allowed: "
                                        f"{', '.join(library.scenarios)}", "unknown-scenario"))
        elif scenario in library.broken:
            problems.append(doc.problem(("scenario",), f"the playbook '{scenario}' is invalid: run "
                                        "'aftersales validate'", "playbook"))
    seen: dict[str, Location] = {}
    for entry in bank.entries:
        case = entry.case
        if case is None:
            continue
        if case.id in seen:
            problems.append(entry.problem(("id",), f"duplicate case id '{case.id}' (first at {seen[case.id]})",
                                          "duplicate-id"))
        else:
            seen[case.id] = entry.at("id")
        if case.scenario in counts:
            counts[case.scenario] += 1
        problems.extend(_case_checks(entry, case, library, check_expected=not entry.expected_invalid))
    by_scenario = {scenario: (path, doc) for path, (scenario, doc) in bank.files.items() if scenario}
    for scenario, count in counts.items():
        if count >= min_cases:
            continue
        path, doc = by_scenario.get(scenario, (bank.root / f"{scenario}.yaml", None))
        where = doc.at(("cases",), key=True) if doc is not None else Location(display_path(path))
        problems.append(Problem(where, f"scenario '{scenario}' has {count} practice case(s); at least "
                                       f"{min_cases} are needed", "too-few-cases"))
    return sorted(set(problems))


# --- writing the expectations -------------------------------------------------------------------

def _scalar(value: str) -> str:
    if _PLAIN.fullmatch(value) and value.lower() not in _YAML_WORDS:
        return value
    return json.dumps(value, ensure_ascii=False)


def _number(value: float | None) -> str:
    if value is None:
        return "null"
    return str(int(value)) if float(value).is_integer() else repr(round(float(value), 2))


def expected_lines(expected: dict[str, Any], first: str, indent: int) -> list[str]:
    """The ``expected:`` block as YAML lines: ``first`` starts its first line (the key's indentation,
    or ``  - `` when it opens the case), ``indent`` is the key's column (0-based)."""
    pad = " " * (indent + 2)
    lines = [f"{first}expected:"]
    for name in ("outcome", "resolution", "return_shipping_paid_by", "cost_borne_by"):
        lines.append(f"{pad}{name}: {_scalar(expected[name])}")
    comp = expected["compensation"]
    if comp is None:
        lines.append(f"{pad}compensation: null")
    else:
        lines.append(f"{pad}compensation: {{amount: {_number(comp['amount'])}, min: {_number(comp.get('min'))}, "
                     f"max: {_number(comp.get('max'))}, currency: {_scalar(comp['currency'])}}}")
    if expected["deadlines"]:
        lines.append(f"{pad}deadlines:")
        lines.extend(f"{pad}  {_scalar(name)}: {json.dumps(due)}" for name, due in expected["deadlines"].items())
    else:
        lines.append(f"{pad}deadlines: {{}}")
    lines.append(f"{pad}path: [{', '.join(_scalar(step) for step in expected['path'])}]")
    return lines


def _indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _block_end(lines: list[str], start: int, parent_indent: int) -> int:
    """Index after the last content line of the block opened at ``lines[start]``: the lines
    after it indented deeper than ``parent_indent`` (trailing blank and comment lines stay outside)."""
    last = start
    for index in range(start + 1, len(lines)):
        stripped = lines[index].strip()
        if not stripped or stripped.startswith("#"):
            continue
        if _indent_of(lines[index]) <= parent_indent:
            break
        last = index
    return last + 1


def _edit_expected(lines: list[str], entry: _Entry, expected: dict[str, Any]) -> None:
    """Replace (or add) the case's ``expected:`` block in ``lines``, leaving every other line as it is."""
    raw = entry.raw
    if isinstance(raw, dict) and "expected" in raw:
        key = entry.at("expected", key=True)
        row, col = key.line - 1, key.col - 1
        prefix = lines[row][:col]
        if not re.fullmatch(r" *(- +)*", prefix):
            raise PlaybookError([Problem(key, "cannot rewrite 'expected': write the case in block style, "
                                              "one key per line", "refresh")])
        end = _block_end(lines, row, col)
        lines[row:end] = expected_lines(expected, prefix, col)
        return
    start = entry.at()
    row, col = start.line - 1, start.col - 1
    end = _block_end(lines, row, col - 1)
    lines[end:end] = expected_lines(expected, " " * col, col)


def refresh_expectations(root: str | Path | None = None, library: Any = None) -> list[str]:
    """Rewrite every ``expected:`` block that is missing or disagrees with the engine; return those case ids.

    Only those blocks change: comments, key order and every other line stay as they are; a
    malformed ``expected`` block is rewritten too. Nothing is written unless every case can be
    decided; otherwise :class:`PlaybookError` lists why.
    """
    bank = _read_bank(root)
    if bank.problems:
        raise PlaybookError(bank.problems)
    library = _library_for(root, library)
    problems: list[Problem] = []
    edits: dict[Path, list[tuple[_Entry, dict[str, Any]]]] = {}
    for entry in bank.entries:
        case = entry.case
        assert case is not None  # schema problems raised above
        try:
            computed = decision_summary(_decide(case, library))
        except AftersalesError as exc:
            problems.append(_fact_problem(entry, exc))
            continue
        if entry.expected_invalid or case.expected is None or expected_mismatches(case.expected, computed):
            edits.setdefault(entry.file, []).append((entry, computed))
    if problems:
        raise PlaybookError(problems)
    changed: list[str] = []
    texts: dict[Path, str] = {}
    for path, file_edits in edits.items():
        text = path.read_text(encoding="utf-8")
        newline = "\r\n" if "\r\n" in text else "\n"
        lines = text.split(newline)
        for entry, computed in sorted(file_edits, key=lambda item: -item[0].at().line):
            _edit_expected(lines, entry, computed)
        texts[path] = newline.join(lines)
        _check_rewrite(texts[path], path, {entry.index: computed for entry, computed in file_edits})
        changed.extend(entry.case.id for entry, _ in file_edits if entry.case is not None)
    for path, text in texts.items():  # write only once every file has been rewritten and checked
        temporary = path.with_name(f".{path.name}.refresh")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)
    return changed


def _check_rewrite(text: str, path: Path, wanted: dict[int, dict[str, Any]]) -> None:
    """The rewritten file must read back with exactly the computed expectations."""
    doc = load_yaml_text(text, display_path(path))
    cases = doc.data.get("cases") if isinstance(doc.data, dict) else None
    for index, computed in wanted.items():
        try:
            stored = Expected.model_validate(cases[index]["expected"])
        except (ValidationError, KeyError, IndexError, TypeError) as exc:
            raise PlaybookError([Problem(Location(display_path(path)), f"refresh could not rewrite case {index + 1}: "
                                                                       f"{exc}", "refresh")]) from None
        if expected_mismatches(stored, computed):
            raise PlaybookError([doc.problem(("cases", index, "expected"), "refresh wrote an expectation that does "
                                             "not read back as computed", "refresh")])
