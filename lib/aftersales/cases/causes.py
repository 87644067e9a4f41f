"""Causes: every case tagged by its cause, its SKU and its supplier, and counted (issue 20, part 7).

Seeds 000 and 001 ask the team to tag each case by its cause, count the causes and feed them back
to the product team and to the suppliers. The causes and the rules that pick one per scenario are
data a lead edits (``playbooks/causes.yaml``); a rule's ``when`` is a playbook condition
(:func:`aftersales.playbook.expressions.compile_expression`) read against the case's facts, the
values its steps computed and its ``outcome``. The case store keeps each case's cause, SKU and
supplier in columns (:meth:`aftersales.cases.store.CaseStore.cause_counts` counts them) and
``aftersales cases causes`` prints the counts with a chart.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from ..errors import AftersalesError, Problem
from ..languages import LANGS

__all__ = ["CAUSES_FILE", "OTHER", "CauseTable", "case_cause", "case_sku_supplier", "cause_label",
           "cause_problems", "load_causes"]

#: The causes file in a playbooks folder.
CAUSES_FILE = "causes.yaml"
#: The cause of a case no rule tags (and of a scenario the file does not list).
OTHER = "other"
_TOP_KEYS = ("causes", "scenarios")
_RULE_KEYS = ("when", "cause")


@dataclass(frozen=True)
class CauseRule:
    """One rule: when ``condition`` holds (None: always), the case's cause is ``cause``."""

    cause: str
    condition: Any  # a compiled Expression, or None for the catch-all


@dataclass(frozen=True)
class CauseTable:
    """The causes (id → words per language) and each scenario's rules, in order."""

    labels: Mapping[str, Mapping[str, str]]
    rules: Mapping[str, tuple[CauseRule, ...]]


def _read(root: Path) -> tuple[Any, list[Problem]]:
    from ..errors import PlaybookError
    from ..yamlsource import parse_yaml_text

    path = root / CAUSES_FILE
    try:
        return parse_yaml_text(path.read_text(encoding="utf-8"), str(path))
    except PlaybookError as exc:
        return None, list(exc.problems)


def cause_problems(root: Path, scenarios: Mapping[str, Any] | None = None) -> list[Problem]:
    """Every problem of ``root``'s causes file, each at its line: its shape, a cause without its
    words in en/zh/ru, a rule naming an unknown cause, a scenario with no playbook, a condition
    that does not parse or reads a name the scenario's playbook does not have.

    ``scenarios``: the compiled playbooks by scenario (``Library.playbooks``), to check the names
    against; None skips those checks. A folder without the file has no problem (every case is then
    counted under ``other``). Source: seeds 000, 001 (tag and count cases by cause).
    """
    if not (root / CAUSES_FILE).is_file():
        return []
    doc, problems = _read(root)
    if problems:
        return problems
    _table, found = _compile(doc, scenarios)
    return found


def _compile(doc: Any, scenarios: Mapping[str, Any] | None) -> tuple[CauseTable, list[Problem]]:
    from ..playbook.expressions import ExpressionSyntaxError, compile_expression

    problems: list[Problem] = []
    data = doc.data
    if not isinstance(data, dict):
        return CauseTable({}, {}), [doc.problem((), "expected a mapping with `causes` and `scenarios`", "schema")]
    for key in data:
        if key not in _TOP_KEYS:
            problems.append(doc.problem((key,), f"unknown key {key!r}; allowed: {', '.join(_TOP_KEYS)}", "schema", key=True))
    labels: dict[str, dict[str, str]] = {}
    causes = data.get("causes")
    if not isinstance(causes, dict) or not causes:
        problems.append(doc.problem(("causes",), "`causes` must map each cause id to its words in en, zh and ru", "schema"))
        causes = {}
    for cause, words in causes.items():
        if not isinstance(words, dict) or not all(isinstance(v, str) and v.strip() for v in words.values()):
            problems.append(doc.problem(("causes", cause), f"cause {cause!r}: expected its words as {{en: …, zh: …, ru: …}}",
                                        "schema"))
            continue
        missing = [lang for lang in LANGS if lang not in words]
        if missing:
            problems.append(doc.problem(("causes", cause), f"cause {cause!r} has no words in {', '.join(missing)}",
                                        "missing-language"))
        labels[str(cause)] = {str(k): str(v) for k, v in words.items()}
    rules: dict[str, tuple[CauseRule, ...]] = {}
    per_scenario = data.get("scenarios") or {}
    if not isinstance(per_scenario, dict):
        problems.append(doc.problem(("scenarios",), "`scenarios` must map each scenario to its list of rules", "schema"))
        per_scenario = {}
    for scenario, items in per_scenario.items():
        if scenarios is not None and scenario not in scenarios:
            problems.append(doc.problem(("scenarios", scenario), f"no playbook for scenario {scenario!r}; scenarios: "
                                        f"{', '.join(sorted(scenarios))}", "unknown-scenario", key=True))
        if not isinstance(items, list):
            problems.append(doc.problem(("scenarios", scenario), "expected a list of rules {when: …, cause: …}", "schema"))
            continue
        compiled: list[CauseRule] = []
        for index, rule in enumerate(items):
            where = ("scenarios", scenario, index)
            if not isinstance(rule, dict) or "cause" not in rule:
                problems.append(doc.problem(where, "a rule is {when: CONDITION, cause: CAUSE} (`when` optional)", "schema"))
                continue
            unknown = [k for k in rule if k not in _RULE_KEYS]
            if unknown:
                problems.append(doc.problem((*where, unknown[0]), f"unknown key {unknown[0]!r}; allowed: when, cause",
                                            "schema", key=True))
            cause = rule["cause"]
            if cause not in labels:
                problems.append(doc.problem((*where, "cause"), f"unknown cause {cause!r}; causes: {', '.join(labels)}",
                                            "unknown-cause"))
            condition = None
            if rule.get("when") is not None:
                try:
                    condition = compile_expression(rule["when"], {})
                except ExpressionSyntaxError as exc:
                    problems.append(doc.problem((*where, "when"), f"condition {rule['when']!r}: {exc}", "expression"))
                    continue
                playbook = (scenarios or {}).get(scenario)
                if playbook is not None:
                    known = set(playbook.inputs) | _computed_names(playbook) | {"outcome"}
                    for name in sorted(condition.names - known):
                        problems.append(doc.problem((*where, "when"), f"{name!r} is not a fact, a computed value or "
                                                    f"`outcome` of {scenario}", "unknown-fact"))
            compiled.append(CauseRule(str(cause), condition))
        rules[str(scenario)] = tuple(compiled)
    return CauseTable(labels, rules), problems


def _computed_names(playbook: Any) -> set[str]:
    return {name for step in playbook.steps.values() for name, _expr in step.lets}


@lru_cache(maxsize=8)
def _load(root: str, stamp: float) -> CauseTable:
    path = Path(root)
    if not (path / CAUSES_FILE).is_file():
        return CauseTable({OTHER: {lang: OTHER for lang in LANGS}}, {})
    doc, problems = _read(path)
    if not problems:
        table, problems = _compile(doc, None)
    if problems:
        raise AftersalesError("the causes table is not valid (aftersales validate shows every problem):\n"
                              + "\n".join(str(p) for p in problems[:5]))
    return table


def load_causes(root: Path | str | None = None) -> CauseTable:
    """The causes table of the playbooks folder ``root`` (default: the configured one), read once
    per change of the file. Raises :class:`AftersalesError` when it is not valid."""
    from ..paths import default_playbooks_dir

    folder = Path(root) if root is not None else default_playbooks_dir()
    path = folder / CAUSES_FILE
    stamp = path.stat().st_mtime if path.is_file() else 0.0
    return _load(str(folder.resolve()), stamp)


def case_cause(record: Mapping[str, Any], table: CauseTable | None = None) -> str:
    """The cause a decision record is counted under: the first rule of its scenario whose condition
    holds on its facts, computed values and outcome; ``other`` when none does, when the scenario
    has no rules, or when a condition reads a fact the case does not have.

    ``record``: a decision record (:func:`aftersales.caselog.case_record`); ``table``: the causes
    (default: :func:`load_causes`). Source: seeds 000, 001 (tag and count cases by cause).
    """
    from ..errors import EvaluationError
    from ..playbook.expressions import MissingFactError

    table = table if table is not None else load_causes()
    rules = table.rules.get(str(record.get("scenario")), ())
    if not rules:
        return OTHER
    env = {**_mapping(record.get("facts")), **_mapping(record.get("computed")), "outcome": record.get("outcome")}
    for rule in rules:
        if rule.condition is None:
            return rule.cause
        if not rule.condition.names <= env.keys():
            continue
        try:
            if rule.condition(env) is True:
                return rule.cause
        except (EvaluationError, MissingFactError, TypeError):
            continue
    return OTHER


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def case_sku_supplier(record: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The SKU and supplier a decision record is counted under: the facts ``sku`` and ``supplier``
    when it has them (a recall), else those of the first line of its ``items`` fact that names
    them; None when the case does not say. Source: seeds 000, 001 (feed causes back to suppliers)."""
    facts = _mapping(record.get("facts"))
    sku, supplier = facts.get("sku"), facts.get("supplier")
    items = facts.get("items")
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            sku = sku or item.get("sku")
            supplier = supplier or item.get("supplier")
    return (str(sku) if sku else None), (str(supplier) if supplier else None)


def cause_label(cause: str, lang: str, table: CauseTable | None = None) -> str:
    """The words for ``cause`` in ``lang`` (English when that language is missing, the id when the
    cause is no longer in the table)."""
    table = table if table is not None else load_causes()
    words = table.labels.get(cause) or {}
    return words.get(lang) or words.get("en") or cause
