"""Customer message templates: Jinja2, sandboxed, with strict undefined variables.

Templates are written by team leads, so they run in Jinja2's sandbox (no attribute escapes)
with the sizes of ``*`` and ``**`` results capped (the sandbox alone has no resource limits,
pallets/jinja#2149). Customer-supplied text (a review, a name) is only ever passed in as a
*value*: it is printed, never parsed as template code.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
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


#: How customers name the zones the profiles use, per language (others: their GMT offset).
ZONE_NAMES: dict[str, dict[str, str]] = {
    "Europe/Moscow": {"en": "Moscow time", "zh": "莫斯科时间", "ru": "по московскому времени"},
    "Europe/Kaliningrad": {"en": "Kaliningrad time", "zh": "加里宁格勒时间", "ru": "по калининградскому времени"},
    "Asia/Shanghai": {"en": "Beijing time", "zh": "北京时间", "ru": "по пекинскому времени"},
    "America/Los_Angeles": {"en": "Pacific Time", "zh": "美国太平洋时间", "ru": "по тихоокеанскому времени (США)"},
    "America/New_York": {"en": "Eastern Time", "zh": "美国东部时间", "ru": "по восточному времени (США)"},
    "Europe/Berlin": {"en": "German time", "zh": "德国时间", "ru": "по берлинскому времени"},
}


def _zone_label(moment: datetime, tz: str | None, lang: str) -> str:
    names = ZONE_NAMES.get(tz or "")
    if names and lang in names:
        return names[lang]
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    text = f"GMT{sign}{hours}" + (f":{rest:02d}" if rest else "") if minutes else "GMT"
    return f"по времени {text}" if lang == "ru" else text


def format_when(value: Any, lang: str = "en", tz: str | None = None) -> str:
    """A date or datetime as customers read it: the wall time in the buyer's zone ``tz``.

    Never a UTC time (issue 12): a moment is converted to ``tz`` (the fact
    ``customer_timezone``, default the platform's zone) and named the way customers name
    that zone ("Moscow time", "北京时间", "по московскому времени"; otherwise its GMT offset).
    A window that ends at local midnight (24:00 of its last day) shows that last day:
    "8 Jan 2026, 23:59" in English, "2026年01月08日 24:00" and "08.01.2026 24:00" in Chinese
    and Russian, as legal texts there write it.
    """
    if isinstance(value, dict) and "due" in value:
        value = value["due"]
    if isinstance(value, datetime):
        if tz:
            try:
                from zoneinfo import ZoneInfo

                value = value.astimezone(ZoneInfo(tz)) if value.tzinfo is not None else value
            except Exception:  # an unknown zone was rejected as a bad fact before; stay safe
                pass
        label = _zone_label(value, tz, lang)
        midnight = value.hour == 0 and value.minute == 0 and value.second == 0
        day = value - timedelta(days=1) if midnight else value
        if lang == "zh":
            clock = "24:00" if midnight else value.strftime("%H:%M")
            return f"{day.year}年{day.month}月{day.day}日 {clock}（{label}）"  # Chinese writes no leading zeros
        if lang == "ru":
            clock = "24:00" if midnight else value.strftime("%H:%M")
            return f"{day.strftime('%d.%m.%Y')} {clock} {label}"
        clock = "23:59" if midnight else value.strftime("%H:%M")
        return f"{day.strftime('%d %b %Y')}, {clock} ({label})"
    if isinstance(value, date):
        if lang == "zh":
            return f"{value.year}年{value.month}月{value.day}日"
        if lang == "ru":
            return value.strftime("%d.%m.%Y")
        return value.strftime("%d %b %Y")
    return "" if value is None else str(value)


def _when_in_buyer_zone(context: Any, value: Any, lang: str = "en") -> str:
    tz = context.get("customer_timezone") if hasattr(context, "get") else None
    if not tz and hasattr(context, "get"):
        params = context.get("params")
        tz = params.get("timezone") if isinstance(params, dict) else None
    return format_when(value, lang, tz)


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
    from jinja2 import pass_context

    env.filters["when"] = pass_context(_when_in_buyer_zone)
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
