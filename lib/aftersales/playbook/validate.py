"""Semantic and graph checks of a playbook: what a schema cannot see.

Each check appends located problems to the draft, with a code a test can assert:
``unknown-fact``, ``unknown-parameter``, ``unknown-function``, ``arguments``,
``unknown-input``, ``dangling``, ``cycle``, ``unreachable``, ``dead-end``, ``overlap``,
``gap``, ``never-taken``, ``undefined-on-path``.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Iterable
from typing import Any

from ..errors import did_you_mean
from ..yamlsource import PathKey, SourceDoc
from .compiled import CompiledBranch, CompiledOutcome, CompiledStep
from .draft import Draft
from .expressions import BUILTIN_NAMES, Expression, numeric_interval

# Names the engine puts into every message template besides facts and let-values.
TEMPLATE_NAMES = frozenset({
    "compensation", "deadlines", "outcome", "resolution", "platform_name", "in_chat", "return_via", "return_route", "lang", "params", "today", "now",
    "platform", "jurisdiction", "scenario", "return_shipping_paid_by", "cost_borne_by",
})


def check_playbook(draft: Draft) -> None:
    """Run every semantic and graph check on ``draft`` (problems are appended to it)."""
    header = draft.header
    if header is not None and header.start not in draft.declared_ids:
        draft.add(("start",), f"start step '{header.start}' does not exist"
                  f"{did_you_mean(header.start, draft.declared_ids)}", "dangling")
    _check_names(draft)
    _check_literal_types(draft)
    _check_references(draft)
    if header is None or header.start not in draft.steps:
        return
    if _check_cycles(draft, header.start):
        return
    _check_reachability(draft, header.start)
    _check_branch_coverage(draft)
    _check_defined_on_every_path(draft, header.start)
    _check_bypassed_parameters(draft)


def _check_names(draft: Draft) -> None:
    let_names = {name for step in draft.steps.values() for name, _ in step.lets}
    known = set(draft.inputs) | let_names | BUILTIN_NAMES
    for expression, path, _owner, doc in draft.expressions:
        for name in sorted(expression.names - known):
            draft.add(path, f"unknown fact '{name}'{did_you_mean(name, known - BUILTIN_NAMES)}", "unknown-fact", doc=doc)
        for name in sorted(expression.params - set(draft.context.parameters)):
            draft.add(path, f"unknown parameter 'params.{name}'{did_you_mean(name, draft.context.parameters)}",
                      "unknown-parameter", doc=doc)
        for name, n_args, keywords, _col in expression.calls:
            signature = draft.context.signatures.get(name)
            if signature is None:
                continue
            try:
                signature.bind(*range(n_args), **{k: None for k in keywords})
            except TypeError as exc:
                draft.add(path, f"bad arguments for {name}{signature}: {exc}", "arguments", doc=doc)
    for step_id, step in draft.steps.items():
        path = draft.declared_ids.get(step_id, ())
        for index, name in enumerate(step.ask):
            if name not in draft.inputs:
                draft.add(path + ("ask", index), f"unknown input '{name}'{did_you_mean(name, draft.inputs)}; "
                          "declare it under 'inputs'", "unknown-input")
    for outcome_id, outcome in draft.outcomes.items():
        path = draft.declared_ids.get(outcome_id, ())
        allowed = known | TEMPLATE_NAMES
        for name in sorted(outcome.message_variables - allowed):
            draft.add(path + ("message",), f"message uses unknown variable '{name}'{did_you_mean(name, allowed)}",
                      "unknown-fact")


_NUMERIC_INPUTS = frozenset({"int", "number", "money"})


def _literals(node: ast.expr) -> list[ast.Constant]:
    """The literal values of a comparison's side: a constant, or the constants of a list or tuple."""
    if isinstance(node, ast.Constant):
        return [node]
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return [e for e in node.elts if isinstance(e, ast.Constant)]
    return []


def _check_literal_types(draft: Draft) -> None:
    """A condition that compares an input with a literal of the wrong type or a value outside its
    choices can never be true as meant (``order_value < '30'``, ``currency == 'RMB'``): say so at
    its line with the fix, instead of failing at ``decide`` or never firing (issue 16, part 4)."""
    for expression, path, owner, doc in draft.expressions:
        if expression.tree is None:
            continue
        for node in ast.walk(expression.tree):
            if not isinstance(node, ast.Compare):
                continue
            sides = [node.left, *node.comparators]
            for left, right in zip(sides, sides[1:], strict=False):
                for name_node, other in ((left, right), (right, left)):
                    if isinstance(name_node, ast.Name) and name_node.id in draft.inputs:
                        _check_literal(draft, expression.source, path, owner, doc, name_node.id, _literals(other))


def _check_literal(draft: Draft, source: str, path: PathKey, owner: str, doc: SourceDoc, name: str,
                   literals: list[ast.Constant]) -> None:
    spec = draft.inputs[name].spec
    for literal in literals:
        value = literal.value
        where = f"{owner}: in '{source}'"
        if spec.type in _NUMERIC_INPUTS and isinstance(value, str):
            hint = f"write {value} without quotes" if _is_number(value) else "compare it with a number"
            draft.add(path, f"{where}: '{name}' is a number but is compared with the text {value!r}: {hint}",
                      "type-mismatch", doc=doc)
        elif spec.type == "bool" and isinstance(value, str):
            draft.add(path, f"{where}: '{name}' is true or false but is compared with the text {value!r}: "
                      "write true or false without quotes", "type-mismatch", doc=doc)
        elif spec.type in ("text", "choice") and isinstance(value, (int, float)) and not isinstance(value, bool):
            draft.add(path, f"{where}: '{name}' is text but is compared with the number {value!r}: "
                      f"write '{value}' in quotes", "type-mismatch", doc=doc)
        elif spec.choices and isinstance(value, str) and value not in spec.choices:
            draft.add(path, f"{where}: {value!r} is not a choice of '{name}'{did_you_mean(value, spec.choices)}; "
                      f"allowed: {', '.join(map(str, spec.choices))}", "not-a-choice", doc=doc)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


_PARAM_IN_TEMPLATE = re.compile(r"params\.([A-Za-z_]\w*)")


def _param_of(node: ast.expr) -> str | None:
    """``NAME`` when ``node`` is exactly ``params.NAME``."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "params":
        return node.attr
    return None


def _replaced_params(expression: Expression) -> set[str]:
    """The parameters a ``let`` stands in for: one that is ``params.NAME`` in some cases and something
    else in others (``2 if … else params.NAME``, ``min(params.NAME, …)``), not one it only compares."""
    found: set[str] = set()
    if expression.tree is None:
        return found
    node = expression.tree  # the let's value itself, not a value it passes on (size_conforms(…, 2 if …))
    tree = node.body if isinstance(node, ast.Expression) else node
    for node in (tree,):
        if isinstance(node, ast.IfExp):
            candidates = [node.body, node.orelse]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("min", "max"):
            candidates = list(node.args)
        elif isinstance(node, ast.BoolOp):
            candidates = list(node.values)
        else:
            continue
        found |= {name for c in candidates if (name := _param_of(c)) is not None}
    return found


def _check_bypassed_parameters(draft: Draft) -> None:
    """A message that prints ``params.NAME`` while a ``let`` replaces NAME for some cases (``tolerance:
    "2 if category == 'footwear' else params.size_tolerance_cm"``) tells those customers the wrong
    number: a warning at the message, naming the value to print instead (issue 16, part 3)."""
    replaced: dict[str, list[str]] = {}
    for step in draft.steps.values():
        for name, expression in step.lets:
            for param in _replaced_params(expression):
                replaced.setdefault(param, []).append(name)
    if not replaced:
        return
    for outcome_id, outcome in draft.outcomes.items():
        path = draft.declared_ids.get(outcome_id)
        if path is None:
            continue
        for lang, source in outcome.message_sources.items():
            printed = set(_PARAM_IN_TEMPLATE.findall(source))
            for param in sorted(printed & set(replaced)):
                lets = [n for n in replaced[param] if not re.search(rf"(?<![\w.]){re.escape(n)}(?!\w)", source)]
                if lets:
                    draft.add(path + ("message", lang), f"outcome '{outcome_id}' prints params.{param}, but "
                              f"{', '.join(repr(n) for n in lets)} replaces it for some cases: print "
                              f"{{{{ {lets[0]} }}}} so the customer reads the value that applied", "bypassed-parameter")


def _check_references(draft: Draft) -> None:
    declared = draft.declared_ids
    for step_id, step in draft.steps.items():
        path = declared[step_id]
        refs: list[tuple[PathKey, str]] = [(("branches", b.index, "goto"), b.target) for b in step.branches]
        if step.next:
            refs.append((("next",), step.next))
        for sub, target in refs:
            if target not in declared:
                draft.add(path + sub, f"'{target}' is neither a step nor an outcome{did_you_mean(target, declared)}",
                          "dangling")
        if not step.branches and not step.next:
            draft.add(path, f"step '{step_id}' has neither 'branches' nor 'next': the path ends without an outcome",
                      "dead-end")


def _check_cycles(draft: Draft, start: str) -> bool:
    """Report every cycle once; return True if there is any (later checks need a DAG)."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour: dict[str, int] = {}
    found = False

    def visit(node: str, trail: list[str]) -> None:
        nonlocal found
        colour[node] = GREY
        trail.append(node)
        step = draft.steps.get(node)
        branches = step.branches if step else ()
        for target in step.targets if step else ():
            if target not in draft.steps:
                continue
            if colour.get(target, WHITE) == GREY:
                cycle = trail[trail.index(target):] + [target]
                where: PathKey = next((("branches", b.index, "goto") for b in branches if b.target == target), ("next",))
                draft.add(draft.declared_ids[node] + where, f"cycle: {' → '.join(cycle)}", "cycle")
                found = True
            elif colour.get(target, WHITE) == WHITE:
                visit(target, trail)
        trail.pop()
        colour[node] = BLACK

    for node in [start, *draft.steps]:
        if colour.get(node, WHITE) == WHITE and node in draft.steps:
            visit(node, [])
    return found


def _check_reachability(draft: Draft, start: str) -> None:
    seen: set[str] = set()
    stack = [start]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        step = draft.steps.get(node)
        stack.extend(step.targets if step else ())
    for node_id in list(draft.steps) + list(draft.outcomes):
        if node_id not in seen:
            kind = "step" if node_id in draft.steps else "outcome"
            draft.add(draft.declared_ids[node_id], f"{kind} '{node_id}' can never be reached from '{start}'",
                      "unreachable", key=kind == "outcome")


# branch coverage ----------------------------------------------------------------------

Interval = tuple[float, bool, float, bool]


def _discrete(expression: Expression) -> tuple[str, set[Any]] | None:
    """``flag`` / ``not flag`` / ``x == 'a'`` / ``x in ['a', 'b']`` → (fact, values)."""
    node = expression.tree
    if isinstance(node, ast.Name):
        return node.id, {True}
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not) and isinstance(node.operand, ast.Name):
        return node.operand.id, {False}
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.left, ast.Name):
        right = node.comparators[0]
        if isinstance(node.ops[0], (ast.Eq, ast.Is)) and _literal(right) is not _NO:
            return node.left.id, {_literal(right)}
        if isinstance(node.ops[0], ast.In) and isinstance(right, (ast.List, ast.Tuple)):
            values = {_literal(e) for e in right.elts}
            if _NO not in values:
                return node.left.id, values
    return None


_NO = object()


def _literal(node: ast.expr) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, bool, type(None), int)):
        return node.value
    if isinstance(node, ast.Name) and node.id in ("true", "false", "null"):
        return {"true": True, "false": False, "null": None}[node.id]
    return _NO


def _integer(interval: Interval) -> Interval:
    """The same interval over whole numbers, as a closed interval."""
    low, low_closed, high, high_closed = interval
    if math.isfinite(low):
        low = float(math.ceil(low)) if low_closed else float(math.floor(low) + 1)
    if math.isfinite(high):
        high = float(math.floor(high)) if high_closed else float(math.ceil(high) - 1)
    return (low, True, high, True)


def _empty(interval: Interval) -> bool:
    low, low_closed, high, high_closed = interval
    return low > high or (low == high and not (low_closed and high_closed))


def _intersection(a: Interval, b: Interval) -> Interval:
    low = max((a[0], a[1]), (b[0], b[1]), key=lambda t: (t[0], not t[1]))
    high = min((a[2], a[3]), (b[2], b[3]), key=lambda t: (t[0], t[1]))
    return (low[0], low[1], high[0], high[1])


def _show(interval: Interval) -> str:
    low, low_closed, high, high_closed = interval
    if low == high:
        return f"= {_n(low)}"
    left = "[" if low_closed else "("
    right = "]" if high_closed else ")"
    return f"{left}{_n(low)}, {_n(high)}{right}"


def _n(value: float) -> str:
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    return str(int(value)) if float(value).is_integer() else str(value)


def _uncovered(domain: Interval, covered: list[Interval], integer: bool) -> list[Interval]:
    """Parts of ``domain`` not covered by the union of ``covered``."""
    gaps: list[Interval] = []
    cursor, cursor_closed = domain[0], domain[1]  # the uncovered region starts here
    for low, low_closed, high, high_closed in sorted(covered, key=lambda i: (i[0], not i[1])):
        gap = _intersection((cursor, cursor_closed, low, not low_closed), domain)
        gap = _integer(gap) if integer else gap
        if not _empty(gap):
            gaps.append(gap)
        if high > cursor or (high == cursor and high_closed and cursor_closed):
            cursor, cursor_closed = high, not high_closed
    tail = _intersection((cursor, cursor_closed, domain[2], domain[3]), domain)
    tail = _integer(tail) if integer else tail
    if not _empty(tail):
        gaps.append(tail)
    return gaps


def _check_branch_coverage(draft: Draft) -> None:
    for step_id, step in draft.steps.items():
        if not step.branches:
            continue
        path = draft.declared_ids[step_id]
        has_default = any(b.condition is None for b in step.branches)
        conditional = [(b, b.condition) for b in step.branches if b.condition is not None]
        # the branches whose condition is a numeric interval / a set of discrete values
        numeric = [(b, i) for b, c in conditional if (i := numeric_interval(c)) is not None]
        discrete = [(b, d) for b, c in conditional if (d := _discrete(c)) is not None]
        exhaustive = False
        if conditional and len(numeric) == len(conditional):
            exhaustive = _numeric_coverage(draft, path, step, numeric, has_default)
        elif conditional and len(discrete) == len(conditional):
            exhaustive = _discrete_coverage(draft, path, discrete)
        if not has_default and not exhaustive:
            draft.add(path + ("branches",), f"step '{step_id}': branches have no 'default: true' and cannot be shown "
                      "to cover every case, so a path may end without an outcome", "dead-end")


def _numeric_coverage(draft: Draft, path: PathKey, step: CompiledStep,
                      numeric: list[tuple[CompiledBranch, tuple[str, Interval]]], has_default: bool) -> bool:
    facts = {fact for _, (fact, _) in numeric}
    if len(facts) != 1:
        return False
    fact = facts.pop()
    spec = draft.inputs.get(fact)
    integer = spec is not None and spec.spec.type == "int"
    low = spec.spec.min if spec is not None and spec.spec.min is not None else -math.inf
    high = spec.spec.max if spec is not None and spec.spec.max is not None else math.inf
    domain: Interval = (float(low), math.isfinite(low), float(high), math.isfinite(high))
    intervals: list[tuple[CompiledBranch, Interval]] = []
    for branch, (_, interval) in numeric:
        interval = _intersection(interval, domain)
        if integer:
            interval = _integer(interval)
        intervals.append((branch, interval))
    for i, (first, a) in enumerate(intervals):
        for second, b in intervals[i + 1:]:
            both = _intersection(a, b)
            if integer:
                both = _integer(both)
            if not _empty(both):
                draft.add(path + ("branches", second.index, "when"),
                          f"branches {first.index + 1} and {second.index + 1} overlap on '{fact}' for values {_show(both)}"
                          f" ('{_condition_source(first)}' vs '{_condition_source(second)}')", "overlap")
    gaps = _uncovered(domain, [i for _, i in intervals if not _empty(i)], integer)
    if gaps and not has_default:
        shown = ", ".join(_show(g) for g in gaps)
        draft.add(path + ("branches",), f"no branch covers '{fact}' {shown} and there is no default", "gap")
        return True  # reported precisely; no second dead-end message
    return not gaps


def _discrete_coverage(draft: Draft, path: PathKey, discrete: list[tuple[CompiledBranch, tuple[str, set[Any]]]]) -> bool:
    facts = {fact for _, (fact, _) in discrete}
    if len(facts) != 1:
        return False
    fact = facts.pop()
    seen: set[Any] = set()
    for branch, (_, values) in discrete:
        if values <= seen:
            draft.add(path + ("branches", branch.index, "when"),
                      f"branch {branch.index + 1} ('{_condition_source(branch)}') can never be taken: earlier branches "
                      "already cover it", "never-taken")
        seen |= values
    spec = draft.inputs.get(fact)
    if spec is None:
        return False
    domain: set[Any]
    if spec.spec.type == "bool":
        domain = {True, False}
    elif spec.spec.type == "choice":
        domain = set(spec.spec.choices or ())
    else:
        return False
    if spec.spec.nullable:
        domain.add(None)
    return domain <= seen


def _condition_source(branch: CompiledBranch) -> str:
    """The condition of a branch as written (only conditional branches are compared)."""
    assert branch.condition is not None, "the default branch has no condition"
    return branch.condition.source


# definitions along every path -----------------------------------------------------------

def _check_defined_on_every_path(draft: Draft, start: str) -> None:
    """A let-value (or, in an outcome, a fact) must be set on every path that reaches its use."""
    order = _topological(draft, start)
    defaults = {name for name, spec in draft.inputs.items() if spec.has_default}
    defined_in: dict[str, set[str]] = {start: set(defaults)}
    lets = {name for step in draft.steps.values() for name, _ in step.lets}
    for node in order:
        here = defined_in.get(node)
        if here is None:
            continue
        step = draft.steps.get(node)
        if step is None:
            _check_outcome_names(draft, draft.outcomes.get(node), here, lets)
            continue
        available = set(here)
        for name, expression in step.lets:
            _report_undefined(draft, draft.declared_ids[node] + ("let", name), expression.names & lets - available, node)
            available.add(name)
        for branch in step.branches:
            if branch.condition is not None:
                _report_undefined(draft, draft.declared_ids[node] + ("branches", branch.index, "when"),
                                  branch.condition.names & lets - available, node)
        after = available | set(step.reads)
        for target in step.targets:
            if target in defined_in:
                defined_in[target] &= after
            else:
                defined_in[target] = set(after)


def _report_undefined(draft: Draft, path: PathKey, names: Iterable[str], node: str) -> None:
    for name in sorted(names):
        draft.add(path, f"'{name}' is not defined on every path reaching '{node}' (set it with 'let' on each path "
                  "before it is used)", "undefined-on-path")


def _check_outcome_names(draft: Draft, outcome: CompiledOutcome | None, defined: set[str], lets: set[str]) -> None:
    if outcome is None:
        return
    path = draft.declared_ids[outcome.id]
    needed_lets = set(outcome.message_variables) & lets
    for name in sorted(needed_lets - defined):
        draft.add(path + ("message",), f"template variable '{name}' is not defined on every path reaching outcome "
                  f"'{outcome.id}'", "undefined-on-path")
    required_inputs = {n for n in outcome.reads if not draft.inputs[n].has_default}
    for name in sorted(required_inputs - defined):
        draft.add(path, f"outcome '{outcome.id}' uses fact '{name}', which is not asked on every path reaching it "
                  "(ask it in an earlier step or give it a default)", "undefined-on-path", key=True)


def _topological(draft: Draft, start: str) -> list[str]:
    seen: set[str] = set()
    order: list[str] = []

    def visit(node: str) -> None:
        if node in seen:
            return
        seen.add(node)
        step = draft.steps.get(node)
        for target in step.targets if step else ():
            if target in draft.steps or target in draft.outcomes:
                visit(target)
        order.append(node)

    visit(start)
    return list(reversed(order))
