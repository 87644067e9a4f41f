"""A branch condition as a reader says it: "Size deviation (cm) is more than 3 cm" instead of
``size_deviation_cm > params.size_tolerance_cm`` (issue 19, part 1).

The condition's expression tree is read with the playbook's input labels and choice labels and,
when a platform's parameters in force are given, their values with their units, in the reader's
language. What has no plain reading (a policy function's result, a value a step computes) gives
``None``: the caller then shows the branch's reason alone, and the expression stays in the
leads' appendix.

Source: issue 19 ("Plain language everywhere a person reads").
"""

from __future__ import annotations

import ast
from typing import Any, Mapping

from .formats import format_number, format_quantity
from .words import word

__all__ = ["condition_words"]

#: The words of a comparison, per language: "{left} {op} {right}".
_OPS = {
    "en": {ast.Eq: "is", ast.NotEq: "is not", ast.Gt: "is more than", ast.GtE: "is at least", ast.Lt: "is less than",
           ast.LtE: "is at most", ast.In: "is one of", ast.NotIn: "is none of"},
    "zh": {ast.Eq: "为", ast.NotEq: "不是", ast.Gt: "大于", ast.GtE: "不少于", ast.Lt: "小于", ast.LtE: "不超过",
           ast.In: "为以下之一：", ast.NotIn: "不是以下任何一项："},
    "ru": {ast.Eq: "—", ast.NotEq: "— не", ast.Gt: "больше", ast.GtE: "не меньше", ast.Lt: "меньше", ast.LtE: "не больше",
           ast.In: "— одно из:", ast.NotIn: "— ни одно из:"},
}
_JOIN = {"en": {ast.And: " and ", ast.Or: " or "}, "zh": {ast.And: "，且", ast.Or: "，或"},
         "ru": {ast.And: " и ", ast.Or: " или "}}
_YES_NO = {"en": ("{label}: yes", "{label}: no"), "zh": ("{label}：是", "{label}：否"),
           "ru": ("{label}: да", "{label}: нет")}
_KNOWN = {"en": ("{label} is known", "{label} is not known"), "zh": ("已知{label}", "{label}未知"),
          "ru": ("{label} известно", "{label} неизвестно")}


class _NoWords(Exception):
    """The condition reads something with no plain reading."""


_QUOTES = {"en": "“{}”", "zh": "“{}”", "ru": "«{}»"}
_NULL = {"null", "none", "None"}


def _label(playbook: Any, name: str, lang: str) -> str:
    """The input's label in ``lang``, quoted (labels are sometimes questions: "How serious is it?")."""
    compiled = playbook.inputs.get(name)
    if compiled is None:
        raise _NoWords(name)
    text = str(compiled.spec.label.get(lang) or compiled.spec.label["en"]).strip().rstrip("?？")
    return _QUOTES[lang].format(text)


def _is_null(node: ast.expr) -> bool:
    return (isinstance(node, ast.Constant) and node.value is None) or (isinstance(node, ast.Name) and node.id in _NULL)


def _literal(node: ast.expr) -> ast.expr:
    """YAML's spelling of literals (``true``, ``null``) as constants."""
    if isinstance(node, ast.Name) and node.id in ("true", "false", "True", "False"):
        return ast.Constant(node.id.lower() == "true")
    return node


def _value_words(playbook: Any, fact: str | None, value: Any, lang: str, unit: str | None = None) -> str:
    """A literal or a parameter's value as the reader writes it: a choice's label, a number with
    its unit, yes/no."""
    if isinstance(value, (list, tuple)):
        return "、".join(_value_words(playbook, fact, v, lang, unit) for v in value) if lang == "zh" else \
            ", ".join(_value_words(playbook, fact, v, lang, unit) for v in value)
    if isinstance(value, bool):
        return word("answer_yes" if value else "answer_no", lang)
    if isinstance(value, (int, float)):
        return format_quantity(value, unit, lang) if unit and unit != "none" else format_number(value, lang)
    if isinstance(value, str) and fact is not None and fact in playbook.inputs:
        labels = playbook.inputs[fact].spec.choice_labels or {}
        if value in labels:
            return str(labels[value].get(lang) or labels[value]["en"])
    if value is None:
        raise _NoWords("null")
    raise _NoWords(repr(value))


def _operand(node: ast.expr, playbook: Any, params: Mapping[str, Any] | None, fact: str | None,
             lang: str) -> str:
    """The right-hand side of a comparison in words."""
    if isinstance(node, ast.Constant):
        unit = playbook.inputs[fact].spec.unit if fact in playbook.inputs else None
        return _value_words(playbook, fact, node.value, lang, unit)
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)) and all(isinstance(e, ast.Constant) for e in node.elts):
        return _value_words(playbook, fact, [e.value for e in node.elts if isinstance(e, ast.Constant)], lang)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "params" and params:
        resolved = params.get(node.attr)
        if resolved is None:
            raise _NoWords(node.attr)
        value = getattr(resolved, "value", resolved)
        return _value_words(playbook, fact, value, lang, getattr(resolved, "unit", None))
    if isinstance(node, ast.Name) and node.id in playbook.inputs:
        return _label(playbook, node.id, lang)
    raise _NoWords(ast.dump(node))


def _words(node: ast.expr, playbook: Any, params: Mapping[str, Any] | None, lang: str) -> str:
    if isinstance(node, ast.BoolOp):
        parts = [_words(value, playbook, params, lang) for value in node.values]
        return _JOIN[lang][type(node.op)].join(f"({p})" if _JOIN[lang][ast.And] in p or _JOIN[lang][ast.Or] in p
                                              else p for p in parts)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not) and isinstance(node.operand, ast.Name):
        return _YES_NO[lang][1].format(label=_label(playbook, node.operand.id, lang))
    if isinstance(node, ast.Name):
        return _YES_NO[lang][0].format(label=_label(playbook, node.id, lang))
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.left, ast.Name):
        fact, op, right = node.left.id, type(node.ops[0]), _literal(node.comparators[0])
        label = _label(playbook, fact, lang)
        if op in (ast.Is, ast.IsNot, ast.Eq, ast.NotEq) and _is_null(right):
            return _KNOWN[lang][0 if op in (ast.IsNot, ast.NotEq) else 1].format(label=label)
        if op in (ast.Eq, ast.Is) and isinstance(right, ast.Constant) and isinstance(right.value, bool):
            return _YES_NO[lang][0 if right.value else 1].format(label=label)
        if op not in _OPS[lang]:
            raise _NoWords(str(op))
        return f"{label} {_OPS[lang][op]} {_operand(right, playbook, params, fact, lang)}"
    raise _NoWords(ast.dump(node)[:60])


def condition_words(expression: Any, playbook: Any, lang: str, params: Mapping[str, Any] | None = None) -> str | None:
    """``expression`` (a compiled condition, or its tree) in ``lang``'s words, with the platform's
    parameter values from ``params`` (resolved parameters in force); None when part of it has no
    plain reading (a computed value, a policy function)."""
    tree = getattr(expression, "tree", expression)
    if tree is None:
        return None
    try:
        return _words(tree, playbook, params, lang)
    except _NoWords:
        return None
