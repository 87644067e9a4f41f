"""What a platform settles before any case: whether a condition holds on it whatever the facts,
and which choices of an input exist there (``choices_where``). Read by the SOP (only what applies,
:mod:`aftersales.render.applicable`) and the engine's questions (choices offered on the platform).

Source: issue 19 ("Only what applies").
"""

from __future__ import annotations

import ast
import operator
from typing import Any, Callable, Mapping

from .compiled import CompiledPlaybook

__all__ = ["available_choices", "static_truth"]

_COMPARE: dict[type, Callable[[Any, Any], Any]] = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
            ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Is: operator.is_, ast.IsNot: operator.is_not,
            ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b}
_LITERALS = {"true": True, "false": False, "null": None, "none": None, "True": True, "False": False, "None": None}
_UNKNOWN = object()


def _static(node: ast.expr, env: Mapping[str, Any]) -> Any:
    """The value of ``node`` from what the platform fixes, or ``_UNKNOWN`` when it reads a fact."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in _LITERALS:
            return _LITERALS[node.id]
        return env[node.id] if node.id in ("platform", "jurisdiction") else _UNKNOWN
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "params":
        value = env["params"].get(node.attr, _UNKNOWN)
        return getattr(value, "value", value)  # a resolved parameter, or its plain value
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        values = [_static(element, env) for element in node.elts]
        return _UNKNOWN if any(v is _UNKNOWN for v in values) else values
    if isinstance(node, ast.BoolOp):  # value semantics: `params.x or []` is [] where x is null
        result: Any = _UNKNOWN
        for value in node.values:
            result = _static(value, env)
            if result is _UNKNOWN:
                return _UNKNOWN
            if bool(result) == isinstance(node.op, ast.Or):
                return result
        return result
    return _UNKNOWN


def _lets(playbook: CompiledPlaybook) -> dict[str, ast.expr]:
    """The playbook's ``let`` bindings that are defined once (a name bound differently in two
    steps is left alone): name → expression tree."""
    trees: dict[str, list[ast.expr]] = {}
    for step in playbook.steps.values():
        for name, expression in step.lets:
            tree = getattr(expression, "tree", None)
            if tree is not None:
                trees.setdefault(name, []).append(tree)
    return {name: found[0] for name, found in trees.items() if len(found) == 1}


def available_choices(playbook: CompiledPlaybook, name: str, env: Mapping[str, Any]) -> set[str] | None:
    """The choices of input ``name`` the platform offers (``choices_where``), or None: all of them."""
    spec = playbook.inputs[name].spec if name in playbook.inputs else None
    where = getattr(spec, "choices_where", None) if spec is not None else None
    if not spec or not spec.choices or not where:
        return None
    offered = set(spec.choices)
    for choice, condition in where.items():
        truth = static_truth(ast.parse(condition, mode="eval").body, playbook, env)
        if truth is False:
            offered.discard(choice)
    return offered


def static_truth(node: ast.expr, playbook: CompiledPlaybook, env: Mapping[str, Any], _depth: int = 0) -> bool | None:
    """Whether condition ``node`` holds on the platform whatever the case (True / False), or None
    when it depends on the case (three-valued: ``and`` is false if any part is false...). A name
    bound by a step's ``let`` stands for its expression (``legal_choice`` is false on a platform
    whose law gives the buyer no choice of remedy)."""
    if isinstance(node, ast.Name) and _depth < 20:
        lets = _lets(playbook)
        if node.id in lets:
            return static_truth(lets[node.id], playbook, env, _depth + 1)
    if isinstance(node, ast.BoolOp):
        parts = [static_truth(value, playbook, env, _depth + 1) for value in node.values]
        if isinstance(node.op, ast.And):
            return False if False in parts else (True if all(p is True for p in parts) else None)
        return True if True in parts else (False if all(p is False for p in parts) else None)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        inner = static_truth(node.operand, playbook, env, _depth + 1)
        return None if inner is None else not inner
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        left, right, op = node.left, node.comparators[0], type(node.ops[0])
        if isinstance(left, ast.Name) and left.id in playbook.inputs and op in (ast.Eq, ast.In, ast.NotEq, ast.NotIn):
            offered = available_choices(playbook, left.id, env)
            wanted = _static(right, env)
            if op in (ast.In, ast.NotIn) and wanted == []:  # in a list the platform leaves empty
                return op is ast.NotIn
            if offered is not None and wanted is not _UNKNOWN:
                wanted = set(wanted) if isinstance(wanted, list) else {wanted}
                if not wanted & offered:  # the fact can never have that value here
                    return op in (ast.NotEq, ast.NotIn)
            return None
        a, b = _static(left, env), _static(right, env)
        if a is _UNKNOWN or b is _UNKNOWN or op not in _COMPARE:
            return None
        try:
            return bool(_COMPARE[op](a, b))
        except TypeError:  # e.g. a null parameter compared with a number: the engine would refuse
            return None
    value = _static(node, env)
    return None if value is _UNKNOWN else bool(value)
