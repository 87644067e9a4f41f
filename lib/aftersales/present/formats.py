"""Numbers, money, quantities, dates and times as a reader of each language writes them.

Every number or moment a person reads (a customer message, the card, an SOP, the CLI) is
formatted here, on Babel (CLDR data): the locale's separators and currency signs, its plural
rules ("1 business day" / "2 business days", "1 рабочий день" / "5 рабочих дней"), its month
names. Nothing else in the package formats a number or a date for a person.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, get_currency_symbol

from .words import catalogue, plural_text, word

#: The CLDR locale each language is formatted in (money, numbers, dates, plural rules).
LOCALES: dict[str, str] = {"en": "en_US", "zh": "zh_Hans_CN", "ru": "ru_RU"}

#: The sign each market writes for its currency, used where the reader's locale has none.
_CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "CNY": "¥", "RUB": "₽"}

#: How customers name the zones the profiles use, per language (others: their GMT offset); the
#: words live in the catalogue (``words.yaml``, section ``zones``).
ZONE_NAMES: dict[str, dict[str, str]] = catalogue()["zones"]


def locale_of(lang: str | None) -> str:
    """The CLDR locale for ``lang`` (English for None or a language without one)."""
    return LOCALES.get(lang or "en", LOCALES["en"])


def format_number(value: float | int, lang: str | None = None) -> str:
    """A plain number in ``lang``'s notation: ``3.5``, ``3,5``, ``1,200``, ``1 200``; whole floats without decimals."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(format_decimal(value, locale=locale_of(lang)))


def format_quantity(amount: float | int, unit: str, lang: str) -> str:
    """``amount`` of ``unit`` with the unit's word in the right plural form for ``lang``.

    ``3`` ``business_days`` → "3 business days", "3 个工作日", "3 рабочих дня"; a unit the word
    catalogue does not know is written after the number as it is.
    """
    return plural_text(unit, lang, number=format_number(amount, lang), count=amount)


def format_money(value: Any, currency: str | None = None, lang: str | None = None) -> str:
    """Money as a reader of ``lang`` writes it (Babel, CLDR): ``$12.50``, ``¥199.00``, ``3 400 ₽``, ``12,50 $``.

    ``value`` is an amount or a ``{"amount", "currency"}`` mapping. A currency the locale has no
    sign for keeps the sign its own market uses after the number (``3,400.00 ₽`` in English, not
    ``RUB3,400.00``); an unknown code is written after the number. ``lang`` None: English.
    """
    if isinstance(value, dict):
        currency = value.get("currency", currency)
        value = value.get("amount")
    if value is None:
        return ""
    locale = locale_of(lang)
    code = (currency or "").upper()
    amount = float(value)
    # Russian writes whole amounts without kopecks ("2 500 ₽"); English and Chinese keep the cents
    whole = lang == "ru" and amount.is_integer()
    digits = "#,##0" if whole else "#,##0.00"
    if not code:
        return str(format_decimal(amount, format=digits, locale=locale))
    if code in _CURRENCY_SYMBOLS and get_currency_symbol(code, locale) == code:
        return f"{format_decimal(amount, format=digits, locale=locale)}\u00a0{_CURRENCY_SYMBOLS[code]}"
    try:
        if whole:
            return str(format_currency(amount, code, format="#,##0\u00a0¤", locale=locale, currency_digits=False))
        return str(format_currency(amount, code, locale=locale))
    except Exception:  # noqa: BLE001 - a code CLDR does not know: the number, then the code
        return f"{format_decimal(amount, format='#,##0.00', locale=locale)} {currency}"


def zone_label(moment: datetime, tz: str | None, lang: str) -> str:
    """How ``lang`` names the zone ``tz`` ("Moscow time", "北京时间"); else its GMT offset at ``moment``."""
    names = ZONE_NAMES.get(tz or "")
    if names and lang in names:
        return names[lang]
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    text = f"GMT{sign}{hours}" + (f":{rest:02d}" if rest else "") if minutes else "GMT"
    return f"по времени {text}" if lang == "ru" else text


#: How each language writes a calendar date in a message or a legal text (CLDR patterns).
_DATE_PATTERNS = {"en": "d MMM y", "zh": "y年M月d日", "ru": "dd.MM.y"}


def format_day(day: date, lang: str = "en") -> str:
    """A calendar date: "8 Jan 2026", "2026年1月8日", "08.01.2026"."""
    return str(format_date(day, _DATE_PATTERNS.get(lang, _DATE_PATTERNS["en"]), locale=locale_of(lang)))


def format_when(value: Any, lang: str = "en", tz: str | None = None) -> str:
    """A date or datetime as customers read it: the wall time in the buyer's zone ``tz``.

    Never a UTC time (issue 12): a moment is converted to ``tz`` (the fact
    ``customer_timezone``, default the platform's zone) and named the way customers name
    that zone ("Moscow time", "北京时间", "по московскому времени"; otherwise its GMT offset).
    A window that ends at local midnight (24:00 of its last day) shows that last day:
    "8 Jan 2026, 23:59" in English, "2026年1月8日 24:00" and "08.01.2026 24:00" in Chinese
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
        label = zone_label(value, tz, lang)
        midnight = value.hour == 0 and value.minute == 0 and value.second == 0
        day = (value - timedelta(days=1) if midnight else value).date()
        if lang == "zh":
            clock = "24:00" if midnight else value.strftime("%H:%M")
            return f"{format_day(day, lang)} {clock}（{label}）"
        if lang == "ru":
            clock = "24:00" if midnight else value.strftime("%H:%M")
            return f"{format_day(day, lang)} {clock} {label}"
        clock = "23:59" if midnight else value.strftime("%H:%M")
        return f"{format_day(day, lang)}, {clock} ({label})"
    if isinstance(value, date):
        return format_day(value, lang)
    return "" if value is None else str(value)


def moment_text(moment: datetime, lang: str = "en") -> str:
    """An absolute moment for the team, unambiguous across time zones: in UTC, said so.

    "Jan 16, 2026, 09:00 UTC", "2026年1月16日 09:00 UTC", "16 янв. 2026 г., 09:00 UTC".
    Deadlines come in the buyer's zone (their ISO form keeps its offset); the team reads them
    in UTC, converted, never a local wall time labelled UTC.
    """
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    day = format_date(moment.date(), format="medium", locale=locale_of(lang))
    separator = " " if lang == "zh" else ", "
    return f"{day}{separator}{moment:%H:%M} UTC"


def typed_moment(moment: datetime) -> str:
    """A moment as a person types it into a form, on its own clock: "2026-01-16 17:00" (a hint's example)."""
    return moment.strftime("%Y-%m-%d %H:%M")


def span_text(seconds: float, lang: str) -> str:
    """A duration as people say it: "45 minutes", "31 hours", "3 days 4 hours" (CLDR plurals)."""
    seconds = abs(seconds)
    minutes = int(round(seconds / 60))
    if minutes < 60:
        return format_quantity(minutes, "minutes", lang)
    hours = int(round(seconds / 3600))
    if hours <= 48:
        return format_quantity(hours, "hours", lang)
    days, rest = divmod(hours, 24)
    text = format_quantity(days, "days_span", lang)
    return f"{text} {format_quantity(rest, 'hours', lang)}" if rest else text


def relative_time(due: datetime, reference: datetime, lang: str) -> str:
    """"in 31 hours" or "overdue by 2 hours", counted from ``reference`` (the case's start)."""
    seconds = (due - reference).total_seconds()
    if abs(seconds) < 60:
        return word("now", lang)
    key = "in_time" if seconds > 0 else "overdue"
    return word(key, lang, span=span_text(seconds, lang))
