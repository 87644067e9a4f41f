"""Customer message templates: Jinja2, sandboxed, with strict undefined variables.

Templates are written by team leads, so they run in Jinja2's sandbox (no attribute escapes)
with the sizes of ``*`` and ``**`` results capped (the sandbox alone has no resource limits,
pallets/jinja#2149). Customer-supplied text (a review, a name) is only ever passed in as a
*value*: it is printed, never parsed as template code.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any

from ..errors import EvaluationError

MAX_RESULT_LENGTH = 10_000
MAX_NUMBER = 10**15

_CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "CNY": "¥", "RUB": "₽"}


def format_money(value: Any, currency: str | None = None) -> str:
    """``12.5, 'USD'`` → ``$12.50``; unknown currencies as ``12.50 XYZ``."""
    if isinstance(value, dict):
        currency = value.get("currency", currency)
        value = value.get("amount")
    if value is None:
        return ""
    amount = f"{float(value):,.2f}"
    symbol = _CURRENCY_SYMBOLS.get(currency or "")
    if currency == "RUB":
        return f"{amount} ₽"
    return f"{symbol}{amount}" if symbol else f"{amount} {currency or ''}".strip()


def format_when(value: Any, lang: str = "en") -> str:
    """A date or datetime as customers read it (UTC times are marked)."""
    if isinstance(value, dict) and "due" in value:
        value = value["due"]
    if isinstance(value, datetime):
        if lang == "zh":
            return value.strftime("%Y年%m月%d日 %H:%M UTC")
        if lang == "ru":
            return value.strftime("%d.%m.%Y %H:%M UTC")
        return value.strftime("%d %b %Y, %H:%M UTC")
    if isinstance(value, date):
        if lang == "zh":
            return value.strftime("%Y年%m月%d日")
        if lang == "ru":
            return value.strftime("%d.%m.%Y")
        return value.strftime("%d %b %Y")
    return "" if value is None else str(value)


@lru_cache(maxsize=1)
def environment() -> Any:
    """The one Jinja2 environment used for every message template."""
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    class LimitedEnvironment(SandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**"})

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            if operator == "**":
                raise EvaluationError("'**' is not allowed in message templates")
            for a, b in ((left, right), (right, left)):
                if isinstance(a, (str, list, tuple)) and isinstance(b, int):
                    if len(a) * max(b, 0) > MAX_RESULT_LENGTH:
                        raise EvaluationError("template repetition result is too long")
            result = super().call_binop(context, operator, left, right)
            if isinstance(result, (int, float)) and abs(result) > MAX_NUMBER:
                raise EvaluationError("template arithmetic result is too large")
            return result

    env = LimitedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
    env.filters["money"] = format_money
    env.filters["when"] = format_when
    return env


class LazyTemplate:
    """A template parsed (checked) at load time and compiled to Python on its first render.

    Compiling is most of Jinja2's cost, and a library holds hundreds of messages of which a
    command renders one or two.
    """

    __slots__ = ("source", "_compiled")

    def __init__(self, source: str):
        self.source = source
        self._compiled: Any = None

    def render(self, context: dict[str, Any]) -> str:
        if self._compiled is None:
            self._compiled = environment().from_string(self.source)
        return self._compiled.render(context)


def compile_template(source: str) -> tuple[LazyTemplate, frozenset[str]]:
    """Parse ``source``; return the (lazily compiled) template and the top-level names it reads.

    Raises ``jinja2.TemplateSyntaxError`` (with ``lineno``) on a syntax error.
    """
    from jinja2 import meta

    tree = environment().parse(source)
    return LazyTemplate(source), frozenset(meta.find_undeclared_variables(tree))


def render(template: Any, context: dict[str, Any]) -> str:
    """Render with strict undefined; any failure becomes an :class:`EvaluationError`."""
    from jinja2 import TemplateError

    try:
        return template.render(context).strip()
    except EvaluationError:
        raise
    except TemplateError as exc:
        raise EvaluationError(f"message template: {exc}") from None
    except (TypeError, ValueError, ArithmeticError, KeyError, AttributeError) as exc:
        raise EvaluationError(f"message template: {exc}") from None
