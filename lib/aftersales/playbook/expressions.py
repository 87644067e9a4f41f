"""Safe conditions for playbooks: a small expression language compiled to closures.

A playbook condition such as ``size_deviation_cm > params.size_tolerance_cm and not
item_resaleable`` is parsed with :mod:`ast` when the playbook loads, checked against a
whitelist of node types, and turned into a tree of Python closures. Nothing is ever passed
to ``eval``/``exec``; the only callables are registered policy functions and a few pure
builtins; there is no attribute access except ``params.NAME`` and no power operator, so a
condition cannot escape, import, loop or allocate without bound. Evaluation costs about a
microsecond per node.

Names an expression can see: the playbook's facts, values bound by ``let`` in earlier
steps, ``params`` (the platform's parameters in force), ``today``, ``now``, ``platform``,
``jurisdiction`` and the literals ``true``/``false``/``null`` (YAML spelling) alongside
``True``/``False``/``None``.
"""

from __future__ import annotations

import ast
import math
import operator
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from ..errors import AftersalesError, EvaluationError
from ..limits import MAX_EXPRESSION_DEPTH

Env = Mapping[str, Any]
Evaluator = Callable[[Env], Any]

BUILTIN_NAMES = frozenset({"today", "now", "platform", "jurisdiction", "params"})
LITERAL_NAMES = {"true": True, "false": False, "null": None, "none": None}
MAX_EXPRESSION_LENGTH = 2000
MAX_SEQUENCE_LENGTH = 10_000


class ExpressionSyntaxError(AftersalesError):
    """An expression is not valid or uses something the language does not allow."""

    def __init__(self, message: str, offset: int = 0):
        self.offset = offset
        super().__init__(message)


class MissingFactError(AftersalesError, KeyError):
    """Raised during evaluation when a fact the expression needs has not been given."""

    def __init__(self, name: str):
        self.name = name
        super().__init__(name)

    def __str__(self) -> str:
        return f"fact '{self.name}' is needed"


def _safe_min(*args: Any) -> Any:
    return min(*args)


def _safe_max(*args: Any) -> Any:
    return max(*args)


def _safe_round(value: float, digits: int = 0) -> float:
    return round(value, int(digits))


def _safe_len(value: Any) -> int:
    return len(value)


SAFE_BUILTINS: dict[str, Callable[..., Any]] = {
    "min": _safe_min,
    "max": _safe_max,
    "abs": abs,
    "round": _safe_round,
    "len": _safe_len,
}

_NUMBER = (int, float)


def _arith(op: Callable[[Any, Any], Any], symbol: str) -> Callable[[Any, Any], Any]:
    def apply(left: Any, right: Any) -> Any:
        if isinstance(left, bool) or isinstance(right, bool) or not (
            isinstance(left, _NUMBER) and isinstance(right, _NUMBER)
        ):
            raise EvaluationError(
                f"'{symbol}' needs two numbers, got {type(left).__name__} and {type(right).__name__}"
            )
        try:
            result = op(left, right)
        except ZeroDivisionError:
            raise EvaluationError(f"division by zero in '{symbol}'") from None
        if isinstance(result, float) and not math.isfinite(result):
            raise EvaluationError(f"'{symbol}' gave a non-finite number")
        return result

    return apply


_BINOPS: dict[type, tuple[str, Callable[[Any, Any], Any]]] = {
    ast.Add: ("+", operator.add),
    ast.Sub: ("-", operator.sub),
    ast.Mult: ("*", operator.mul),
    ast.Div: ("/", operator.truediv),
    ast.FloorDiv: ("//", operator.floordiv),
    ast.Mod: ("%", operator.mod),
}
_BINOP_FUNCS = {kind: _arith(func, symbol) for kind, (symbol, func) in _BINOPS.items()}


def _contains(container: Any, item: Any) -> bool:
    if container is None:
        return False
    return item in container


_COMPARE: dict[type, Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: _contains(b, a),
    ast.NotIn: lambda a, b: not _contains(b, a),
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
}
_ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
_SYMBOLS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}


@dataclass(frozen=True)
class Expression:
    """A compiled condition: its text, the names it reads and the closure that evaluates it."""

    source: str
    evaluate: Evaluator = field(repr=False, compare=False)
    names: frozenset[str] = frozenset()
    params: frozenset[str] = frozenset()
    functions: frozenset[str] = frozenset()
    calls: tuple[tuple[str, int, tuple[str, ...], int], ...] = ()
    tree: ast.expr | None = field(default=None, repr=False, compare=False)

    def __call__(self, env: Env) -> Any:
        return self.evaluate(env)


class _Compiler:
    def __init__(self, source: str, functions: Mapping[str, Callable[..., Any]]):
        self.source = source
        self.functions = functions
        self.names: set[str] = set()
        self.params: set[str] = set()
        self.used_functions: set[str] = set()
        self.calls: list[tuple[str, int, tuple[str, ...], int]] = []

    def fail(self, node: ast.AST, message: str) -> ExpressionSyntaxError:
        return ExpressionSyntaxError(message, getattr(node, "col_offset", 0))

    def compile(self, node: ast.AST) -> Evaluator:
        method: Callable[[ast.AST], Evaluator] | None = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            raise self.fail(node, f"'{_describe(node)}' is not allowed in a condition")
        return method(node)

    def _fact(self, node: ast.AST) -> str | None:
        """The looked-up name if ``node`` is a plain fact/let/built-in name, else None."""
        if isinstance(node, ast.Name) and node.id not in LITERAL_NAMES and node.id != "params" \
                and not node.id.startswith("_"):
            self.names.add(node.id)
            return node.id
        return None

    # literals and names -------------------------------------------------------------
    def _Constant(self, node: ast.Constant) -> Evaluator:
        value = node.value
        if not isinstance(value, (bool, int, float, str, type(None))):
            raise self.fail(node, f"literal {value!r} is not allowed")
        if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) > 1e15:
            raise self.fail(node, "number literal is too large")
        return lambda env: value

    def _Name(self, node: ast.Name) -> Evaluator:
        name = node.id
        if name in LITERAL_NAMES:
            value = LITERAL_NAMES[name]
            return lambda env: value
        if name.startswith("_"):
            raise self.fail(node, f"name '{name}' is not allowed")
        if name == "params":
            raise self.fail(node, "use 'params.NAME' to read a platform parameter")
        self.names.add(name)

        def lookup(env: Env) -> Any:
            try:
                return env[name]
            except KeyError:
                raise MissingFactError(name) from None

        return lookup

    def _Attribute(self, node: ast.Attribute) -> Evaluator:
        if not (isinstance(node.value, ast.Name) and node.value.id == "params"):
            raise self.fail(node, "attribute access is only allowed as 'params.NAME'")
        name = node.attr
        if name.startswith("_"):
            raise self.fail(node, f"parameter name '{name}' is not allowed")
        self.params.add(name)

        def param(env: Env) -> Any:
            try:
                return env["params"][name]
            except KeyError:
                raise EvaluationError(f"unknown parameter '{name}'") from None

        return param

    def _Subscript(self, node: ast.Subscript) -> Evaluator:
        target = self.compile(node.value)
        index = self.compile(node.slice)

        def subscript(env: Env) -> Any:
            container = target(env)
            key = index(env)
            if isinstance(container, (dict, list, tuple, str)):
                try:
                    return container[key]
                except (KeyError, IndexError, TypeError):
                    raise EvaluationError(f"no entry {key!r} in {_short(container)}") from None
            raise EvaluationError(f"cannot index {type(container).__name__}")

        return subscript

    def _List(self, node: ast.List) -> Evaluator:
        return self._sequence(node.elts)

    def _Tuple(self, node: ast.Tuple) -> Evaluator:
        return self._sequence(node.elts)

    def _sequence(self, elements: list[ast.expr]) -> Evaluator:
        if len(elements) > MAX_SEQUENCE_LENGTH:
            raise ExpressionSyntaxError("list literal is too long")
        items = [self.compile(e) for e in elements]
        return lambda env: [item(env) for item in items]

    # operators ----------------------------------------------------------------------
    def _BoolOp(self, node: ast.BoolOp) -> Evaluator:
        parts = [self.compile(v) for v in node.values]
        if len(parts) == 2:  # the common case, without the loop
            first, second = parts
            if isinstance(node.op, ast.And):
                return lambda env: first(env) and second(env)
            return lambda env: first(env) or second(env)
        if isinstance(node.op, ast.And):

            def all_true(env: Env) -> Any:
                result: Any = True
                for part in parts:
                    result = part(env)
                    if not result:
                        return result
                return result

            return all_true

        def any_true(env: Env) -> Any:
            result: Any = False
            for part in parts:
                result = part(env)
                if result:
                    return result
            return result

        return any_true

    def _UnaryOp(self, node: ast.UnaryOp) -> Evaluator:
        operand = self.compile(node.operand)
        if isinstance(node.op, ast.Not):
            name = self._fact(node.operand)
            if name is not None:  # `not flag`: one closure instead of two

                def not_fact(env: Env) -> bool:
                    try:
                        return not env[name]
                    except KeyError:
                        raise MissingFactError(name) from None

                return not_fact
            return lambda env: not operand(env)
        if isinstance(node.op, (ast.USub, ast.UAdd)):
            sign = -1 if isinstance(node.op, ast.USub) else 1

            def signed(env: Env) -> Any:
                value = operand(env)
                if isinstance(value, bool) or not isinstance(value, _NUMBER):
                    raise EvaluationError(f"unary sign needs a number, got {type(value).__name__}")
                return sign * value

            return signed
        raise self.fail(node, f"operator '{_describe(node.op)}' is not allowed")

    def _BinOp(self, node: ast.BinOp) -> Evaluator:
        func = _BINOP_FUNCS.get(type(node.op))
        if func is None:
            raise self.fail(node, f"operator '{_describe(node.op)}' is not allowed")
        left, right = self.compile(node.left), self.compile(node.right)
        return lambda env: func(left(env), right(env))

    def _Compare(self, node: ast.Compare) -> Evaluator:
        operands = [self.compile(node.left)] + [self.compile(c) for c in node.comparators]
        ops = []
        for op in node.ops:
            if type(op) not in _COMPARE:
                raise self.fail(node, f"comparison '{_describe(op)}' is not allowed")
            ops.append((op, _COMPARE[type(op)]))
        if len(ops) == 1:
            (op_node, op_func), (left, right) = ops[0], operands
            name = self._fact(node.left)
            literal = _literal_value(node.comparators[0])
            if name is not None and literal is not _NOT_LITERAL and not isinstance(op_node, (ast.In, ast.NotIn)):
                return _compare_fact(name, literal, op_node, op_func)

            if isinstance(op_node, _ORDERING):
                symbol = _SYMBOLS[type(op_node)]

                def ordered(env: Env) -> bool:
                    a, b = left(env), right(env)
                    try:
                        return op_func(a, b)
                    except TypeError:
                        raise EvaluationError(_ordering_error(a, b, symbol)) from None

                return ordered
            return lambda env: op_func(left(env), right(env))

        def chain(env: Env) -> bool:
            a = operands[0](env)
            for (op_node, op_func), operand in zip(ops, operands[1:], strict=False):
                b = operand(env)
                try:
                    if not op_func(a, b):
                        return False
                except TypeError:
                    raise EvaluationError(_ordering_error(a, b, _SYMBOLS.get(type(op_node), "?"))) from None
                a = b
            return True

        return chain

    def _IfExp(self, node: ast.IfExp) -> Evaluator:
        test, body, orelse = self.compile(node.test), self.compile(node.body), self.compile(node.orelse)
        return lambda env: body(env) if test(env) else orelse(env)

    # calls --------------------------------------------------------------------------
    def _Call(self, node: ast.Call) -> Evaluator:
        if not isinstance(node.func, ast.Name):
            raise self.fail(node, "only registered policy functions can be called")
        name = node.func.id
        if name in SAFE_BUILTINS:
            func = SAFE_BUILTINS[name]
        elif name in self.functions:
            func = self.functions[name]
            self.used_functions.add(name)
        else:
            raise ExpressionSyntaxError(f"unknown function '{name}'", node.col_offset)
        if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
            raise self.fail(node, "'*' and '**' arguments are not allowed")
        args = [self.compile(a) for a in node.args]
        kwargs = [(k.arg, self.compile(k.value)) for k in node.keywords if k.arg is not None]  # no ** (checked above)
        self.calls.append((name, len(args), tuple(k for k, _ in kwargs), node.col_offset))

        def call(env: Env) -> Any:
            try:
                return func(*[a(env) for a in args], **{k: v(env) for k, v in kwargs})
            except (MissingFactError, EvaluationError):
                raise
            except (TypeError, ValueError, ArithmeticError) as exc:
                raise EvaluationError(f"{name}(): {exc}") from None

        if not kwargs:
            if len(args) == 1:
                (a0,) = args

                def call1(env: Env) -> Any:
                    try:
                        return func(a0(env))
                    except (MissingFactError, EvaluationError):
                        raise
                    except (TypeError, ValueError, ArithmeticError) as exc:
                        raise EvaluationError(f"{name}(): {exc}") from None

                return call1
            if len(args) == 2:
                a0, a1 = args

                def call2(env: Env) -> Any:
                    try:
                        return func(a0(env), a1(env))
                    except (MissingFactError, EvaluationError):
                        raise
                    except (TypeError, ValueError, ArithmeticError) as exc:
                        raise EvaluationError(f"{name}(): {exc}") from None

                return call2
        return call


_NOT_LITERAL = object()


def _literal_value(node: ast.expr) -> Any:
    """The value of a literal operand (number, text, true/false/null), or _NOT_LITERAL."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (bool, int, float, str, type(None))):
        if isinstance(node.value, (int, float)) and not isinstance(node.value, bool) and abs(node.value) > 1e15:
            return _NOT_LITERAL  # the general path reports it
        return node.value
    if isinstance(node, ast.Name) and node.id in LITERAL_NAMES:
        return LITERAL_NAMES[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant) \
            and isinstance(node.operand.value, (int, float)) and not isinstance(node.operand.value, bool):
        return -node.operand.value
    return _NOT_LITERAL


def _compare_fact(name: str, literal: Any, op_node: ast.cmpop, op_func: Callable[[Any, Any], bool]) -> Evaluator:
    """``fact OP literal`` as one closure (the most common condition in playbooks)."""
    if isinstance(op_node, _ORDERING):
        symbol = _SYMBOLS[type(op_node)]

        def ordered(env: Env) -> bool:
            try:
                value = env[name]
            except KeyError:
                raise MissingFactError(name) from None
            try:
                return op_func(value, literal)
            except TypeError:
                raise EvaluationError(_ordering_error(value, literal, symbol)) from None

        return ordered

    def equality(env: Env) -> bool:
        try:
            return op_func(env[name], literal)
        except KeyError:
            raise MissingFactError(name) from None

    return equality


def _ordering_error(a: Any, b: Any, symbol: str) -> str:
    if a is None or b is None:
        return f"cannot compare with '{symbol}': a value is null (not applicable here)"
    return f"cannot compare {type(a).__name__} {symbol} {type(b).__name__}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _describe(node: ast.AST) -> str:
    names = {
        "Pow": "**", "BitAnd": "&", "BitOr": "|", "BitXor": "^", "LShift": "<<", "RShift": ">>",
        "MatMult": "@", "Invert": "~", "Lambda": "lambda", "ListComp": "comprehension",
        "GeneratorExp": "generator", "DictComp": "comprehension", "SetComp": "comprehension",
        "Dict": "dict literal", "Set": "set literal", "JoinedStr": "f-string", "NamedExpr": ":=",
        "Await": "await", "Yield": "yield", "Starred": "*", "Slice": "slice",
    }
    kind = type(node).__name__
    return names.get(kind, kind)


def _check_depth(tree: ast.expr, lead: int = 0) -> None:
    """Refuse an expression nested deeper than MAX_EXPRESSION_DEPTH, at the column where it gets too deep.

    Checked without recursion before anything else walks the tree: the compiler, the validator's
    interval reasoning and Python's own ``repr`` recurse once per level, so a chain of 2,000
    unary minus signs or ``1+1+...`` would otherwise end in a RecursionError.
    """
    stack: list[tuple[ast.AST, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_EXPRESSION_DEPTH:
            raise ExpressionSyntaxError(
                f"expression nested more than MAX_EXPRESSION_DEPTH ({MAX_EXPRESSION_DEPTH}) levels deep",
                lead + getattr(node, "col_offset", 0))
        for child in ast.iter_child_nodes(node):
            stack.append((child, depth + 1 if isinstance(child, ast.expr) else depth))


def compile_expression(text: Any, functions: Mapping[str, Callable[..., Any]]) -> Expression:
    """Parse and compile ``text``; raise :class:`ExpressionSyntaxError` with a column offset.

    ``functions`` maps the callable names (registered policy functions) to callables.
    """
    if isinstance(text, bool) or text is None or isinstance(text, (int, float)):
        value = text
        return Expression(str(text), lambda env: value)
    if not isinstance(text, str):
        raise ExpressionSyntaxError(f"an expression must be text, got {type(text).__name__}")
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise ExpressionSyntaxError(f"expression longer than {MAX_EXPRESSION_LENGTH} characters")
    if not text.strip():
        raise ExpressionSyntaxError("empty expression")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        offset = max((exc.offset or 1) - 1, 0)
        raise ExpressionSyntaxError(f"syntax error: {exc.msg}", offset) from None
    _check_depth(tree.body, len(text) - len(text.lstrip()))
    compiler = _Compiler(text, functions)
    evaluate = compiler.compile(tree.body)
    return Expression(
        source=text,
        evaluate=evaluate,
        names=frozenset(compiler.names - BUILTIN_NAMES),
        params=frozenset(compiler.params),
        functions=frozenset(compiler.used_functions),
        calls=tuple(compiler.calls),
        tree=tree.body,
    )


def numeric_interval(expr: Expression) -> tuple[str, tuple[float, bool, float, bool]] | None:
    """If ``expr`` is a simple range test on one fact, return ``(fact, interval)``.

    Recognises ``x OP c``, ``c OP x``, ``a OP x OP b`` and ``and`` of such tests on the same
    fact, with numeric literals. The interval is ``(low, low_closed, high, high_closed)``.
    Anything else returns ``None`` (the validator then does not reason about it).
    """
    if expr.tree is None:
        return None
    return _interval_of(expr.tree)


_INF = float("inf")


def _interval_of(node: ast.expr) -> tuple[str, tuple[float, bool, float, bool]] | None:
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
        parts = [p for v in node.values if (p := _interval_of(v)) is not None]
        if len(parts) != len(node.values):
            return None
        names = {p[0] for p in parts}
        if len(names) != 1:
            return None
        interval = (-_INF, False, _INF, False)
        for _, part in parts:
            interval = _intersect(interval, part)
        return names.pop(), interval
    if not isinstance(node, ast.Compare):
        return None
    operands = [node.left, *node.comparators]
    interval = (-_INF, False, _INF, False)
    fact: str | None = None
    for op, left, right in zip(node.ops, operands, operands[1:], strict=False):
        if type(op) not in (ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Eq):
            return None
        left_number, right_number = _number(left), _number(right)
        if isinstance(left, ast.Name) and right_number is not None:
            name, value, flip = left.id, right_number, False
        elif isinstance(right, ast.Name) and left_number is not None:
            name, value, flip = right.id, left_number, True
        else:
            return None
        if fact not in (None, name):
            return None
        fact = name
        interval = _intersect(interval, _bound(type(op), value, flip))
    return (fact, interval) if fact else None


def _number(node: ast.expr) -> float | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _number(node.operand)
        return -inner if inner is not None else None
    return None


def _bound(op: type[ast.cmpop], value: float, flipped: bool) -> tuple[float, bool, float, bool]:
    if flipped:  # c OP x  ==  x OP' c
        op = {ast.Lt: ast.Gt, ast.LtE: ast.GtE, ast.Gt: ast.Lt, ast.GtE: ast.LtE, ast.Eq: ast.Eq}[op]
    if op is ast.Lt:
        return (-_INF, False, value, False)
    if op is ast.LtE:
        return (-_INF, False, value, True)
    if op is ast.Gt:
        return (value, False, _INF, False)
    if op is ast.GtE:
        return (value, True, _INF, False)
    return (value, True, value, True)


def _intersect(a: tuple[float, bool, float, bool], b: tuple[float, bool, float, bool]) -> tuple[float, bool, float, bool]:
    low, low_closed = max((a[0], a[1]), (b[0], b[1]), key=lambda t: (t[0], not t[1]))
    high, high_closed = min((a[2], a[3]), (b[2], b[3]), key=lambda t: (t[0], t[1]))
    return (low, low_closed, high, high_closed)
