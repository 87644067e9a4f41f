"""Customer message templates: Jinja2, sandboxed, with strict undefined variables and resource limits.

Templates are written by team leads (and store overlays), so they run in Jinja2's immutable
sandbox (no attribute escapes, no in-place changes of lists and dicts) extended with resource
limits (the sandbox alone has none, pallets/jinja#2149): bounded ``range``, string and list
growth, message length, call depth and render time (see "the sandbox and its limits" below and
lib/aftersales/limits.py). Every refusal is an :class:`~aftersales.errors.EvaluationError`
naming the limit, never a MemoryError, a RecursionError or a hang. Customer-supplied text (a
review, a name) is only ever passed in as a *value*: it is printed, never parsed as template code.
"""

from __future__ import annotations

import re
import time as _time
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from functools import lru_cache, update_wrapper
from typing import TYPE_CHECKING, Any

from ..errors import EvaluationError
from ..limits import (
    MAX_MESSAGE_CHARS,
    MAX_TEMPLATE_DEPTH,
    MAX_TEMPLATE_LOOP_NESTING,
    MAX_TEMPLATE_NESTING,
    MAX_TEMPLATE_RANGE,
    MAX_TEMPLATE_SECONDS,
    MAX_TEMPLATE_STRING,
)
from ..present.formats import format_money, format_number, format_quantity, format_when

if TYPE_CHECKING:  # Jinja2 is imported lazily at run time (see environment())
    from jinja2 import Template
    from jinja2.sandbox import ImmutableSandboxedEnvironment

#: Largest number template arithmetic may produce (money and centimetres, not astronomy).
MAX_NUMBER = 10**15

def _money_in_message_language(context: Any, value: Any, currency: str | None = None) -> str:
    """The ``money`` filter: formats in the message's language (the template's ``lang``)."""
    return format_money(value, currency, context.get("lang"))


def _number_in_message_language(context: Any, value: Any) -> str:
    """The ``number`` filter: ``3.01`` as the message's language writes it ("3.01", "3,01")."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "" if value is None else str(value)
    return format_number(value, context.get("lang"))


def _quantity_in_message_language(context: Any, value: Any, unit: str) -> str:
    """The ``quantity`` filter: ``1 | quantity('business_days')`` → "1 business day", "1 рабочий день"."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "" if value is None else str(value)
    return format_quantity(value, str(unit), context.get("lang") or "en")


def _when_in_buyer_zone(context: Any, value: Any, lang: str = "en") -> str:
    tz = context.get("customer_timezone") if hasattr(context, "get") else None
    if not tz and hasattr(context, "get"):
        params = context.get("params")
        tz = params.get("timezone") if isinstance(params, dict) else None
    return format_when(value, lang, tz)


# ---------------------------------------------------------------- the sandbox and its limits
#
# Jinja2's sandbox stops attribute escapes but has no resource limits (pallets/jinja#2149), so
# every way a template can make a large string, list or number, loop, or recurse goes through a
# check here, and each refusal is an EvaluationError naming the limit (lib/aftersales/limits.py):
#
# * ``range()`` yields at most MAX_TEMPLATE_RANGE items;
# * a string or list a template builds (``*``, ``+``, ``~``, ``%``, the ``replace``, ``indent``,
#   ``center``, ``format``, ``join``, ``wordwrap``, ``batch``, ``slice``, ``sum``, ``tojson`` ...
#   filters, the ``str`` methods ``replace``, ``join``, ``ljust``, ``center``, ``format``..., the
#   text a macro, ``{% set %}`` or ``{% filter %}`` block collects) is at most MAX_TEMPLATE_STRING
#   characters or items; the size is worked out *before* the operation, so nothing is allocated;
# * the rendered message is at most MAX_MESSAGE_CHARS characters;
# * macro, ``caller()``, ``self.block()`` and recursive-loop calls nest at most MAX_TEMPLATE_DEPTH;
# * a render takes at most MAX_TEMPLATE_SECONDS of wall-clock time, checked on every loop
#   iteration and every call (the only ways to repeat work: each single operation is bounded by
#   the size checks);
# * lists, dicts and sets cannot be changed in place (``append``, ``extend``, ``update``...: the
#   immutable sandbox), ``**`` is refused, and ``lipsum`` is not available.

#: Name of the filter wrapped around every ``{% for %}`` iterable (not writable in a template).
_LOOP_GUARD = "aftersales loop guard"

#: Filters whose result is text made from their input (its text size is checked first).
_STRINGIFYING_FILTERS = frozenset({
    "string", "pprint", "tojson", "xmlattr", "urlize", "escape", "e", "forceescape", "safe", "title", "upper",
    "lower", "capitalize", "trim", "striptags", "urlencode", "wordcount", "truncate", "center", "indent",
    "wordwrap", "replace", "format",
})
#: Filters whose arguments are checked before they run.
_CHECKED_FILTERS = _STRINGIFYING_FILTERS | {"join", "batch", "slice", "sum"}
#: ``str``/``bytes`` methods that can make their result much longer than their input.
_GROWING_METHODS = frozenset({
    "center", "ljust", "rjust", "zfill", "expandtabs", "replace", "join", "translate", "format", "format_map",
})


class _Budget:
    """What one render may still spend: its deadline and how deep its calls nest."""

    __slots__ = ("deadline", "depth")

    def __init__(self, seconds: float | None = None):
        self.deadline = _time.monotonic() + (MAX_TEMPLATE_SECONDS if seconds is None else seconds)
        self.depth = 0

    def tick(self) -> None:
        if _time.monotonic() > self.deadline:
            raise EvaluationError(f"message template: rendering took longer than MAX_TEMPLATE_SECONDS "
                                  f"({MAX_TEMPLATE_SECONDS:g} s)")


_BUDGET: ContextVar[_Budget | None] = ContextVar("aftersales_template_budget", default=None)


def _budget() -> _Budget:
    """The budget of the render in progress (compile-time constant folding has none: unlimited time)."""
    budget = _BUDGET.get()
    return budget if budget is not None else _Budget(seconds=float("inf"))


def _too_long(size: int, what: str = "a string or list") -> EvaluationError:
    return EvaluationError(f"message template: {what} is too long ({size:,} characters or items; "
                           f"MAX_TEMPLATE_STRING is {MAX_TEMPLATE_STRING:,})")


def _check_length(size: int, what: str = "a string or list") -> None:
    if size > MAX_TEMPLATE_STRING:
        raise _too_long(size, what)


#: Types whose text is made of their items (Jinja's Namespace is added when the environment is built).
_CONTAINERS: tuple[type, ...] = (list, tuple, set, frozenset, dict)


def _text_size(value: Any, limit: int | None = None) -> int:
    """An upper bound of ``len(str(value))``, found without building it (stops once past ``limit``).

    Shared references are counted each time they appear (``str`` prints them each time); nesting
    deeper than MAX_TEMPLATE_DEPTH is refused (``str`` of it would end in a RecursionError).
    """
    if isinstance(value, (str, bytes)):
        return len(value)
    if not isinstance(value, _CONTAINERS):
        return _scalar_size(value)
    limit = MAX_TEMPLATE_STRING if limit is None else limit
    total = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (str, bytes, bytearray)):
            total += len(item) + 3
        elif isinstance(item, _CONTAINERS):
            if depth >= MAX_TEMPLATE_DEPTH:
                raise EvaluationError(f"message template: a value nested deeper than MAX_TEMPLATE_DEPTH "
                                      f"({MAX_TEMPLATE_DEPTH}) cannot be printed")
            if not isinstance(item, (list, tuple, set, frozenset, dict)):  # a Namespace: its attributes
                item = object.__getattribute__(item, "_Namespace__attrs")
                total += 12
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else list(item)
            total += 2 + 2 * len(children)
            if total > limit:
                return total
            stack.extend((child, depth + 1) for child in children)
        else:
            total += _scalar_size(item)
        if total > limit:
            return total
    return total


def _scalar_size(value: Any) -> int:
    if isinstance(value, int):  # bool too
        return value.bit_length() // 3 + 2
    if isinstance(value, float):
        return 26
    return 64  # None, dates, decimals, loop and macro objects, undefined values: short texts


def _check_text(value: Any, what: str = "a value") -> None:
    size = _text_size(value)
    if size > MAX_TEMPLATE_STRING:
        raise EvaluationError(f"message template: {what} would print as more than {size:,} characters "
                              f"(more than MAX_TEMPLATE_STRING = {MAX_TEMPLATE_STRING:,})")


def _as_text(value: Any, what: str = "a value") -> str:
    """``str(value)``, once its size is known to be within MAX_TEMPLATE_STRING."""
    if isinstance(value, str):
        return value
    _check_text(value, what)
    return str(value)


def _check_result(value: Any) -> Any:
    """Every call and filter result: a string, list or mapping no longer than MAX_TEMPLATE_STRING."""
    if isinstance(value, (str, bytes, bytearray, list, tuple, dict, set, frozenset)):
        _check_length(len(value))
    return value


def _whole(value: Any, what: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        raise EvaluationError(f"message template: {what} must be a whole number, got {value!r}") from None


def _check_width(width: Any, what: str) -> None:
    if isinstance(width, str):
        _check_length(len(width), what)
        return
    size = _whole(width, what)
    if size > MAX_TEMPLATE_STRING:
        raise EvaluationError(f"message template: {what} {size:,} is more than MAX_TEMPLATE_STRING "
                              f"({MAX_TEMPLATE_STRING:,})")


def _replace_size(text: Any, old: Any, new: Any, count: Any = -1) -> int:
    text, old, new = _as_text(text), _as_text(old), _as_text(new)
    hits = len(text) + 1 if old == "" else text.count(old)
    if count is not None and _whole(count, "replace count") >= 0:
        hits = min(hits, int(count))
    return len(text) + hits * max(len(new) - len(old), 0)


_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d*))?[hlL]?(.|$)", re.S)


def _percent_size(fmt: str, values: Any) -> int:
    """Upper bound of ``len(fmt % values)``; a ``*`` width is refused (it would hide the size)."""
    specs = _PERCENT_SPEC.findall(fmt)
    if not specs:
        return len(fmt)
    widths = 0
    for width, precision, _ in specs:
        if width == "*" or precision == "*":
            raise EvaluationError("message template: a '*' width or precision is not allowed in % formatting")
        widths += int(width or 0) + int(precision or 0)
    _check_width(widths, "% format width")
    if isinstance(values, Mapping):
        largest = max((_text_size(v) for v in values.values()), default=0)
        return len(fmt) + widths + len(specs) * largest
    items = values if isinstance(values, tuple) else (values,)
    return len(fmt) + widths + sum(_text_size(v) for v in items)


def _brace_size(fmt: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> int:
    """Upper bound of ``len(fmt.format(*args, **kwargs))``; nested ``{...}`` in a spec is refused."""
    import string

    fields, widths = 0, 0
    for _, name, spec, _ in string.Formatter().parse(fmt):
        if name is None:
            continue
        fields += 1
        if spec and "{" in spec:
            raise EvaluationError("message template: a nested '{...}' in a format spec is not allowed")
        widths += sum(int(n) for n in re.findall(r"\d+", spec or ""))
    _check_width(widths, "format width")
    largest = max((_text_size(v) for v in (*args, *kwargs.values())), default=0)
    return len(fmt) + widths + fields * largest


def _join_items(iterable: Any, separator: Any = "", attribute: Any = None) -> list[Any]:
    """``iterable`` as a list, read only while the text joining it would make stays within MAX_TEMPLATE_STRING."""
    if isinstance(iterable, dict):
        iterable = list(iterable)
    step = len(_as_text(separator, "a separator"))
    pick = _attribute_getter(attribute)
    items: list[Any] = []
    size = 0
    for item in iterable:
        part = pick(item)
        size += step + (len(part) if isinstance(part, str) else _text_size(part))
        _check_length(size, "a joined string")
        items.append(item)
    return items


def _attribute_getter(attribute: Any) -> Callable[[Any], Any]:
    """What a filter's ``attribute=`` argument reads, through the sandbox (identity when None)."""
    if attribute is None:
        return lambda item: item
    from jinja2.filters import make_attrgetter

    return make_attrgetter(environment(), attribute)


def _bounded_map(items: Any) -> Any:
    """The ``map`` filter's results, refused once the strings it made pass MAX_TEMPLATE_STRING in all."""
    size = 0
    for item in items:
        if isinstance(item, (str, bytes)):
            size += len(item)
            _check_length(size, "the strings 'map' makes")
        yield item


def _check_method(owner: Any, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """Check a growing ``str``/``bytes``/``int`` method call before it runs; return its (possibly read) args."""
    size = len(owner) if isinstance(owner, (str, bytes, bytearray)) else 0
    first = args[0] if args else None
    if name in ("center", "ljust", "rjust", "zfill"):
        _check_width(kwargs.get("width", first), f"{name}() width")
    elif name == "expandtabs":
        tab = kwargs.get("tabsize", first if args else 8)
        _check_length(size + owner.count("\t" if isinstance(owner, str) else b"\t") * max(_whole(tab, "tabsize"), 0))
    elif name == "replace" and len(args) >= 2:
        if isinstance(owner, str):
            _check_length(_replace_size(owner, args[0], args[1], args[2] if len(args) > 2 else kwargs.get("count", -1)))
        else:
            _check_length(size + (owner.count(args[0]) + 1) * len(args[1]))
    elif name == "join" and args:
        args = (_join_items(first, owner),) + args[1:]
    elif name == "translate" and args:
        longest = max((len(v) for v in first.values() if isinstance(v, (str, bytes))), default=1) \
            if isinstance(first, dict) else 1
        _check_length(size * max(longest, 1))
    elif name == "format":
        _check_length(_brace_size(owner, args, kwargs))
    elif name == "format_map" and args:
        mapping = first if isinstance(first, dict) else {}
        _check_length(_brace_size(owner, (), mapping))
    elif name == "to_bytes":
        _check_width(kwargs.get("length", first if args else 1), "to_bytes() length")
    return args


def _bounded_range(*args: Any) -> range:
    """``range()`` of at most MAX_TEMPLATE_RANGE items."""
    try:
        numbers = range(*args)
        count = len(numbers)
    except OverflowError:
        count = MAX_TEMPLATE_RANGE + 1
    if count > MAX_TEMPLATE_RANGE:
        raise EvaluationError(f"message template: range() of more than {MAX_TEMPLATE_RANGE:,} items "
                              f"(MAX_TEMPLATE_RANGE = {MAX_TEMPLATE_RANGE:,})")
    return numbers


def _loop_guard(iterable: Any) -> Any:
    """Every ``{% for %}`` iterates through this: each step checks the time budget."""
    budget = _budget()
    for item in iterable:
        budget.tick()
        yield item


class _Buffer(list[Any]):
    """The text a macro, ``{% set %}``, ``{% filter %}`` or ``{% call %}`` block collects: bounded."""

    __slots__ = ("size",)

    def __init__(self) -> None:
        super().__init__()
        self.size = 0

    def append(self, item: Any) -> None:
        self._grow(len(item) if isinstance(item, str) else _text_size(item))
        super().append(item)

    def extend(self, items: Any) -> None:
        items = list(items)
        self._grow(sum(len(i) if isinstance(i, str) else _text_size(i) for i in items))
        super().extend(items)

    def _grow(self, size: int) -> None:
        self.size += size
        _check_length(self.size, "the text a macro or block collects")


def _bounded_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` (a Jinja filter) with its input checked first and its result checked after."""
    from jinja2.utils import _PassArg

    passes = _PassArg.from_obj(func) is not None
    checked = name in _CHECKED_FILTERS

    def bounded(*args: Any, **kwargs: Any) -> Any:
        if checked:
            if passes:
                args = args[:1] + _check_filter(name, args[1:], kwargs)
            else:
                args = _check_filter(name, args, kwargs)
        result = func(*args, **kwargs)
        return _bounded_map(result) if name == "map" else _check_result(result)

    update_wrapper(bounded, func)
    return bounded


def _check_filter(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """Check a filter's arguments before it runs; return them (an iterable may have been read into a list)."""
    if not args:
        return args
    value, rest = args[0], args[1:]

    def arg(index: int, key: str, default: Any = None) -> Any:
        return rest[index] if len(rest) > index else kwargs.get(key, default)

    if name in _STRINGIFYING_FILTERS:
        _check_text(value, f"the input of '{name}'")
    if name == "center":
        _check_width(arg(0, "width", 80), "center width")
    elif name == "indent":
        width = arg(0, "width", 4)
        _check_width(width, "indent width")
        step = len(width) if isinstance(width, str) else _whole(width, "indent width")
        lines = _as_text(value).count("\n") + 1
        _check_length(_text_size(value) + lines * max(step, 0))
    elif name == "replace":
        _check_length(_replace_size(value, arg(0, "old", ""), arg(1, "new", ""), arg(2, "count")))
    elif name == "format":
        values = kwargs or rest
        _check_length(_percent_size(_as_text(value), values if kwargs else tuple(values)))
    elif name == "wordwrap":
        width = max(_whole(arg(0, "width", 79), "wordwrap width"), 1)
        wrap = _as_text(arg(2, "wrapstring") or "\n")
        source = _as_text(value)
        _check_length(len(source) + (len(source) // width + source.count("\n") + 1) * len(wrap))
    elif name == "tojson":
        indent = arg(0, "indent")
        if indent is not None:
            _check_width(indent, "tojson indent")
            step = len(indent) if isinstance(indent, str) else _whole(indent, "tojson indent")
            _check_length(_text_size(value) * (1 + max(step, 0)))
    elif name == "urlize":
        extra = sum(len(_as_text(arg(i, key) or "")) for i, key in ((2, "target"), (3, "rel")))
        source = _as_text(value)
        _check_length(3 * len(source) + (source.count(" ") + source.count("\n") + 1) * (extra + 64))
    elif name == "join":
        return (_join_items(value, arg(0, "d", ""), arg(1, "attribute")),) + rest
    elif name in ("batch", "slice"):
        _check_width(arg(0, "linecount" if name == "batch" else "slices", 1), f"{name} size")
    elif name == "sum":
        start = arg(1, "start", 0)
        if isinstance(start, (str, list, tuple)):
            pick = _attribute_getter(arg(0, "attribute"))
            items, size = [], len(start)
            for item in value:
                part = pick(item)
                size += len(part) if isinstance(part, (str, list, tuple)) else 1
                _check_length(size, "a sum of strings or lists")
                items.append(item)
            return (items,) + rest
    return args


def _finalize(value: Any) -> Any:
    """Every ``{{ ... }}`` passes here before it is printed."""
    if isinstance(value, str):
        _check_length(len(value), "a printed value")
    else:
        _check_text(value, "a printed value")
    return value


def _limited_concat(parts: tuple[Any, ...]) -> str:
    """``a ~ b ~ c``: the total length is checked before the text is built."""
    size = 0
    for part in parts:
        size += len(part) if isinstance(part, str) else _text_size(part)
    _check_length(size, "a '~' concatenation")
    return "".join(map(str, parts))


def _check_number(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) > MAX_NUMBER:
        raise EvaluationError("message template: arithmetic result is too large")
    return value


@lru_cache(maxsize=1)
def environment() -> ImmutableSandboxedEnvironment:
    """The one Jinja2 environment used for every message template: the limited sandbox above."""
    import types

    from jinja2 import StrictUndefined, Template, nodes, pass_context
    from jinja2.compiler import CodeGenerator, Frame, optimizeconst
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class LimitedCodeGenerator(CodeGenerator):
        """Wraps every loop's iterable in the loop guard, bounds buffers and ``~``."""

        def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
            for loop in list(node.find_all(nodes.For)):
                loop.iter = nodes.Filter(loop.iter, _LOOP_GUARD, [], [], None, None, lineno=loop.iter.lineno)
            super().visit_Template(node, frame)

        def buffer(self, frame: Frame) -> None:
            frame.buffer = self.temporary_identifier()
            self.writeline(f"{frame.buffer} = environment.limited_buffer()")

        @optimizeconst
        def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
            self.write("environment.limited_concat((")
            for arg in node.nodes:
                self.visit(arg, frame)
                self.write(", ")
            self.write("))")

    class LimitedTemplate(Template):
        """A template whose render runs within a fresh budget and stops past MAX_MESSAGE_CHARS."""

        def render(self, *args: Any, **kwargs: Any) -> str:
            token = _BUDGET.set(_Budget())
            try:
                parts, size = [], 0
                for part in self.root_render_func(self.new_context(dict(*args, **kwargs))):
                    size += len(part)
                    if size > MAX_MESSAGE_CHARS:
                        raise EvaluationError(f"message template: the message is longer than MAX_MESSAGE_CHARS "
                                              f"({MAX_MESSAGE_CHARS:,} characters)")
                    parts.append(part)
                return "".join(parts)
            finally:
                _BUDGET.reset(token)

        def generate(self, *args: Any, **kwargs: Any) -> Any:
            yield self.render(*args, **kwargs)

    class LimitedEnvironment(ImmutableSandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**", "+", "-", "/", "//", "%"})
        code_generator_class = LimitedCodeGenerator
        template_class = LimitedTemplate

        limited_buffer = staticmethod(_Buffer)
        limited_concat = staticmethod(_limited_concat)

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            if operator == "**":
                raise EvaluationError("message template: '**' is not allowed in message templates")
            if operator in ("/", "//", "%") and isinstance(right, (int, float)) and not isinstance(left, str) \
                    and right == 0:
                raise EvaluationError(f"message template: division by zero in '{operator}'")
            if operator == "*":
                for a, b in ((left, right), (right, left)):
                    if isinstance(a, (str, list, tuple)) and isinstance(b, int):
                        _check_length(len(a) * max(b, 0), "a repeated string or list ('*')")
            elif operator == "+" and isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
                _check_length(len(left) + len(right), "a '+' concatenation")
            elif operator == "%" and isinstance(left, str):
                _check_length(_percent_size(left, right), "a '%' formatted string")
            return _check_number(super().call_binop(context, operator, left, right))

        def call(self, context: Any, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
            budget = _budget()
            budget.tick()
            if budget.depth >= MAX_TEMPLATE_DEPTH:
                raise EvaluationError(f"message template: macro or call recursion deeper than MAX_TEMPLATE_DEPTH "
                                      f"({MAX_TEMPLATE_DEPTH})")
            budget.depth += 1
            try:
                result = super().call(context, obj, *args, **kwargs)
            finally:
                budget.depth -= 1
            return _check_result(result)

        def wrap_str_format(self, value: Any) -> Any:
            """Bound the ``str``/``bytes`` methods that can grow (and ``int.to_bytes``) before they run."""
            if not isinstance(value, (types.MethodType, types.BuiltinMethodType)):
                return None
            name: str = getattr(value, "__name__", "")
            owner = getattr(value, "__self__", None)
            growing = isinstance(owner, (str, bytes, bytearray)) and name in _GROWING_METHODS
            if not growing and not (isinstance(owner, int) and name == "to_bytes"):
                return None
            method = super().wrap_str_format(value) or value

            def bounded(*args: Any, **kwargs: Any) -> Any:
                args = _check_method(owner, name, args, kwargs)
                return _check_result(method(*args, **kwargs))

            return update_wrapper(bounded, value)

    global _CONTAINERS
    from jinja2.utils import Namespace

    _CONTAINERS = (list, tuple, set, frozenset, dict, Namespace)

    class LimitedNamespace(Namespace):
        """``namespace()``: what a loop can keep between iterations, so its text is bounded."""

        def __setitem__(self, name: str, value: Any) -> None:
            attrs = object.__getattribute__(self, "_Namespace__attrs")
            size = _text_size({**attrs, name: value})
            _check_length(size, "a namespace")
            attrs[name] = value

    env = LimitedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False,
                             finalize=_finalize)
    env.globals["range"] = _bounded_range
    env.globals.pop("lipsum", None)
    env.globals["namespace"] = LimitedNamespace
    env.filters["money"] = pass_context(_money_in_message_language)
    env.filters["when"] = pass_context(_when_in_buyer_zone)
    env.filters["number"] = pass_context(_number_in_message_language)
    env.filters["quantity"] = pass_context(_quantity_in_message_language)
    for name, func in list(env.filters.items()):
        env.filters[name] = _bounded_filter(name, func)
    env.filters[_LOOP_GUARD] = _loop_guard
    return env


class LazyTemplate:
    """A template parsed (checked) at load time and compiled to Python on its first render.

    Compiling is most of Jinja2's cost, and a library holds hundreds of messages of which a
    command renders one or two.
    """

    __slots__ = ("source", "_compiled")

    def __init__(self, source: str):
        self.source = source
        self._compiled: Template | None = None

    def render(self, context: dict[str, Any]) -> str:
        if self._compiled is None:
            try:
                self._compiled = environment().from_string(self.source)
            except (RecursionError, SyntaxError):  # compile_template refuses what would get here
                raise EvaluationError(_TOO_DEEP) from None
        return self._compiled.render(context)


_TOO_DEEP = (f"message template: nested too deeply (syntax may nest at most MAX_TEMPLATE_NESTING = "
             f"{MAX_TEMPLATE_NESTING}, calls and values at most MAX_TEMPLATE_DEPTH = {MAX_TEMPLATE_DEPTH})")


def _check_nesting(tree: Any) -> None:
    """Refuse syntax nested deeper than MAX_TEMPLATE_NESTING, or loops deeper than MAX_TEMPLATE_LOOP_NESTING.

    Jinja2 compiles a template to Python, and Python refuses deep nesting (20 nested loops, 100
    indentation levels, 200 parentheses) with a SyntaxError that is no template error.
    """
    from jinja2 import TemplateSyntaxError, nodes

    stack = [(tree, 0, 0)]
    while stack:
        node, depth, loops = stack.pop()
        if depth > MAX_TEMPLATE_NESTING:
            raise TemplateSyntaxError(f"nested more than MAX_TEMPLATE_NESTING ({MAX_TEMPLATE_NESTING}) levels deep",
                                      getattr(node, "lineno", 1) or 1)
        if isinstance(node, nodes.For):
            loops += 1
            if loops > MAX_TEMPLATE_LOOP_NESTING:
                raise TemplateSyntaxError(f"more than MAX_TEMPLATE_LOOP_NESTING ({MAX_TEMPLATE_LOOP_NESTING}) "
                                          f"loops nested in each other", node.lineno or 1)
        stack.extend((child, depth + 1, loops) for child in node.iter_child_nodes())


def compile_template(source: str) -> tuple[LazyTemplate, frozenset[str]]:
    """Parse ``source``; return the (lazily compiled) template and the top-level names it reads.

    Raises ``jinja2.TemplateSyntaxError`` (with ``lineno``) on a syntax error, including an
    expression or block nesting too deep to parse.
    """
    from jinja2 import TemplateSyntaxError, meta

    try:
        tree = environment().parse(source)
        _check_nesting(tree)
        names = frozenset(meta.find_undeclared_variables(tree))
    except RecursionError:
        raise TemplateSyntaxError(_TOO_DEEP.removeprefix("message template: "), 1) from None
    return LazyTemplate(source), names


def render(template: LazyTemplate, context: dict[str, Any]) -> str:
    """Render with strict undefined and the sandbox's limits; any failure becomes an :class:`EvaluationError`.

    The error names the limit a template ran into (MAX_TEMPLATE_RANGE, MAX_TEMPLATE_STRING,
    MAX_MESSAGE_CHARS, MAX_TEMPLATE_DEPTH, MAX_TEMPLATE_SECONDS), or says what else failed
    (an undefined name, a division by zero, a bad filter argument).
    """
    from jinja2 import TemplateError

    try:
        return template.render(context).strip()
    except EvaluationError:
        raise
    except TemplateError as exc:
        raise EvaluationError(f"message template: {exc}") from None
    except ZeroDivisionError:
        raise EvaluationError("message template: division by zero") from None
    except RecursionError:
        raise EvaluationError(_TOO_DEEP) from None
    except MemoryError:  # a safety net: the checks above refuse every known way to get here
        raise EvaluationError(f"message template: out of memory (limit MAX_TEMPLATE_STRING = "
                              f"{MAX_TEMPLATE_STRING:,})") from None
    except (TypeError, ValueError, ArithmeticError, KeyError, AttributeError, IndexError) as exc:
        raise EvaluationError(f"message template: {exc}") from None
