"""``replay --map mapping.yaml``: how a real export (Taobao, Ozon, a spreadsheet) becomes facts.

A mapping is a YAML file a lead writes once per export format (docs/replay.md):

- ``columns``: export column → fact name (or ``id``, ``as_of``, ``scenario``, ``platform``,
  ``lang``, ``shipping_cost``); columns not named there or as facts are passed through.
- ``values``: per fact, cell text → value (``RMB: CNY``, ``是: true``, ``仅退款: refund``).
- ``dates``: per fact (or ``as_of``), strptime patterns tried in order; ``timezone`` for naive times.
- ``as_of``: ``column`` (the moment each case was decided) or ``derive_from`` (facts whose
  latest value is that moment); without either, each row's own dates are used.
- ``reasons``: free-text columns → facts by keyword tables in zh/en/ru.
- ``scenario`` / ``platform``: defaults when no column and no ``--scenario``/``--platform``.

Every mistake is reported at its ``file:line:col`` (a :class:`PlaybookError` with all problems),
like the playbooks and overlays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timezone, tzinfo
from pathlib import Path
from typing import Union

from pydantic import Field, ValidationError

from .errors import Location, PlaybookError, Problem, did_you_mean
from .strict import StrictModel
from .yamlsource import parse_yaml_text, pydantic_problems, read_yaml_bytes

#: Columns that are no fact but that replay reads.
SPECIAL = ("id", "as_of", "scenario", "platform", "lang", "shipping_cost")
LANGS = ("zh", "en", "ru")
Scalar = Union[bool, int, float, str]

#: Currency spellings of real exports, always understood (never a "did you mean" to another currency).
CURRENCY_ALIASES = {
    "rmb": "CNY", "cny": "CNY", "人民币": "CNY", "元": "CNY", "¥": "CNY", "￥": "CNY", "yuan": "CNY",
    "rub": "RUB", "rur": "RUB", "руб": "RUB", "руб.": "RUB", "рубль": "RUB", "рублей": "RUB", "₽": "RUB",
    "р.": "RUB", "usd": "USD", "$": "USD", "us$": "USD", "eur": "EUR", "€": "EUR", "euro": "EUR",
}
#: Yes/no spellings, always understood for true/false facts.
BOOL_ALIASES = {
    "true": "true", "false": "false", "yes": "true", "no": "false", "y": "true", "n": "false",
    "是": "true", "否": "false", "有": "true", "无": "false", "да": "true", "нет": "false",
}
#: Money symbols (before or after the amount) and the currency they name.
MONEY_SYMBOLS = {"¥": "CNY", "￥": "CNY", "元": "CNY", "rmb": "CNY", "cny": "CNY", "₽": "RUB", "руб.": "RUB",
                 "руб": "RUB", "р.": "RUB", "rub": "RUB", "$": "USD", "usd": "USD", "€": "EUR", "eur": "EUR"}
_SYMBOLS = sorted(MONEY_SYMBOLS, key=len, reverse=True)


class AsOf(StrictModel):
    column: str | None = None
    derive_from: list[str] | None = None


class Keywords(StrictModel):
    zh: list[str] = Field(default_factory=list)
    en: list[str] = Field(default_factory=list)
    ru: list[str] = Field(default_factory=list)


class ReasonRule(StrictModel):
    keywords: Keywords
    set: dict[str, Scalar]


class Reasons(StrictModel):
    column: str
    rules: list[ReasonRule]
    keep: bool = True  # the text column itself goes to the output


class MappingFile(StrictModel):
    mapping: str
    scenario: str | None = None
    platform: str | None = None
    columns: dict[str, str] = Field(default_factory=dict)
    values: dict[str, dict[str, Scalar]] = Field(default_factory=dict)
    dates: dict[str, list[str]] = Field(default_factory=dict)
    timezone: str | None = None
    as_of: AsOf | None = None
    reasons: list[Reasons] = Field(default_factory=list)
    keep: list[str] = Field(default_factory=list)  # columns passed through even if they look like a fact's name


def cell_text(value: Scalar) -> str:
    """A YAML scalar as the CSV cell replay reads (``true``, ``129``, ``CNY``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass
class Mapping:
    """A checked mapping: what :mod:`aftersales.replay` applies column by column."""

    name: str
    file: str
    spec: MappingFile
    tz: tzinfo | None

    @property
    def renames(self) -> dict[str, str]:
        return dict(self.spec.columns)

    def values_for(self, fact: str) -> dict[str, str]:
        """The value map of ``fact`` (also matched without case and surrounding spaces)."""
        table = {str(k): cell_text(v) for k, v in self.spec.values.get(fact, {}).items()}
        table.update({k.strip().casefold(): v for k, v in list(table.items())})
        return table

    def date_formats(self, fact: str) -> list[str]:
        return list(self.spec.dates.get(fact, []))


def load_mapping(path: Path, known_facts: set[str]) -> Mapping:
    """Read and check ``path``; raises :class:`PlaybookError` with every located problem."""
    name = str(path)
    if not path.is_file():
        raise PlaybookError([Problem(Location(name), "mapping file not found (a YAML file, see docs/replay.md)", "io")])
    raw = read_yaml_bytes(path, name)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise PlaybookError([Problem(Location(name), "cannot read file: a mapping is UTF-8 text", "io")]) from None
    doc, duplicates = parse_yaml_text(text, name)
    if duplicates:
        raise PlaybookError(duplicates)
    if not isinstance(doc.data, dict) or "mapping" not in doc.data:
        raise PlaybookError([doc.problem((), "not a replay mapping: a mapping is a YAML mapping that starts with "
                                         "'mapping: <name>', then columns, values, dates, as_of, reasons", "schema")])
    try:
        spec = MappingFile.model_validate(doc.data)
    except ValidationError as exc:
        raise PlaybookError(pydantic_problems(doc, exc, MappingFile)) from None
    problems: list[Problem] = []
    allowed = sorted(known_facts) + list(SPECIAL)
    targets = set(spec.columns.values())
    for column, fact in spec.columns.items():
        if fact not in allowed:
            problems.append(doc.problem(("columns", column), f"'{fact}' is not a fact replay knows"
                                        f"{did_you_mean(fact, allowed)}; allowed: facts of the scenarios or "
                                        f"{', '.join(SPECIAL)}", "name"))
    names = set(allowed)
    for fact in spec.values:
        if fact not in names:
            problems.append(doc.problem(("values", fact), f"values for '{fact}', which is not a fact"
                                        f"{did_you_mean(fact, allowed)}; name the fact (after 'columns' renames)",
                                        "name", key=True))
    for fact, patterns in spec.dates.items():
        if fact not in names:
            problems.append(doc.problem(("dates", fact), f"date formats for '{fact}', which is not a fact"
                                        f"{did_you_mean(fact, allowed)}", "name", key=True))
        for index, pattern in enumerate(patterns):
            if "%" not in pattern:
                problems.append(doc.problem(("dates", fact, index), f"'{pattern}' is not a strptime pattern "
                                            "(e.g. '%Y/%m/%d %H:%M', '%d.%m.%Y')", "mapping"))
                continue
            try:
                datetime.strptime(datetime(2026, 1, 12, 14, 3).strftime(pattern), pattern)
            except ValueError as exc:
                problems.append(doc.problem(("dates", fact, index), f"'{pattern}' is not a usable strptime "
                                            f"pattern ({exc})", "mapping"))
    tz: tzinfo | None = None
    if spec.timezone is not None:
        tz = _zone(spec.timezone)
        if tz is None:
            problems.append(doc.problem(("timezone",), f"unknown time zone '{spec.timezone}'{_zone_hint(spec.timezone)}; "
                                        "allowed: an IANA "
                                        "name such as Asia/Shanghai, Europe/Moscow, or UTC+08:00", "mapping"))
    if spec.as_of is not None:
        if spec.as_of.column is not None and spec.as_of.derive_from is not None:
            problems.append(doc.problem(("as_of",), "as_of takes 'column' or 'derive_from', not both", "mapping"))
        for index, fact in enumerate(spec.as_of.derive_from or ()):
            if fact not in names:
                problems.append(doc.problem(("as_of", "derive_from", index), f"'{fact}' is not a fact"
                                            f"{did_you_mean(fact, allowed)}", "name"))
    for index, reasons in enumerate(spec.reasons):
        if reasons.column in targets:
            problems.append(doc.problem(("reasons", index, "column"), f"'{reasons.column}' is also renamed in "
                                        "'columns'; a reason column is read as text", "mapping"))
        for r, rule in enumerate(reasons.rules):
            if not (rule.keywords.zh or rule.keywords.en or rule.keywords.ru):
                problems.append(doc.problem(("reasons", index, "rules", r, "keywords"), "no keyword in zh, en or ru",
                                            "mapping"))
            for fact in rule.set:
                if fact not in names:
                    problems.append(doc.problem(("reasons", index, "rules", r, "set", fact), f"'{fact}' is not a "
                                                f"fact{did_you_mean(fact, allowed)}", "name", key=True))
    if problems:
        raise PlaybookError(problems)
    return Mapping(spec.mapping, name, spec, tz)


def _zone_hint(name: str) -> str:
    try:
        from zoneinfo import available_timezones

        return did_you_mean(name, available_timezones())
    except Exception:  # no time zone data  # noqa: BLE001
        return ""


def _zone(name: str) -> tzinfo | None:
    match = re.fullmatch(r"UTC([+-])(\d{2}):?(\d{2})", name.strip())
    if match:
        from datetime import timedelta

        sign = 1 if match[1] == "+" else -1
        return timezone(sign * timedelta(hours=int(match[2]), minutes=int(match[3])))
    if name.strip().upper() == "UTC":
        return timezone.utc
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except (ValueError, KeyError, OSError, ImportError):
        return None
    except Exception:  # ZoneInfoNotFoundError, an odd name  # noqa: BLE001
        return None


# --------------------------------------------------------------------------- cell parsers


def parse_money(text: str) -> tuple[str, str | None] | None:
    """``"¥89.00"`` → ``("89.00", "CNY")``, ``"1 234,50 ₽"`` → ``("1234.50", "RUB")``, ``"$12.50"`` →
    ``("12.50", "USD")``, ``"89"`` → ``("89", None)``; None when the cell is no amount."""
    cell = text.strip().replace("\u00a0", " ").replace("\u202f", " ")
    currency = None
    lowered = cell.casefold()
    for symbol in _SYMBOLS:
        if lowered.startswith(symbol):
            cell, currency = cell[len(symbol):].strip(), MONEY_SYMBOLS[symbol]
            break
        if lowered.endswith(symbol):
            cell, currency = cell[:-len(symbol)].strip(), MONEY_SYMBOLS[symbol]
            break
    cell = cell.replace(" ", "").replace("'", "")
    if not re.fullmatch(r"-?[\d.,]+", cell) or not re.search(r"\d", cell):
        return None
    if "," in cell and "." in cell:  # the later one is the decimal mark
        cell = cell.replace(",", "") if cell.rfind(".") > cell.rfind(",") else cell.replace(".", "").replace(",", ".")
    elif "," in cell:  # 89,00 (a decimal comma) or 1,234 / 1,234,567 (thousands)
        head, *groups = cell.lstrip("-").split(",")
        thousands = 1 <= len(head) <= 3 and all(len(g) == 3 for g in groups)
        if thousands:
            cell = cell.replace(",", "")
        elif len(groups) == 1:
            cell = cell.replace(",", ".")
        else:
            return None
    if cell.count(".") > 1:
        return None
    return cell, currency


def parse_date(text: str, formats: list[str], tz: tzinfo | None, kind: str) -> str | None:
    """A date cell by its patterns as ISO (a ``date`` fact keeps the day; a naive time gets ``tz``)."""
    cell = text.strip()
    for pattern in formats:
        try:
            moment = datetime.strptime(cell, pattern)
        except ValueError:
            continue
        return _iso(moment, tz, kind)
    try:  # ISO is always understood
        moment = datetime.fromisoformat(cell.replace("Z", "+00:00"))
    except ValueError:
        return None
    return _iso(moment, tz, kind)


def _iso(moment: datetime, tz: tzinfo | None, kind: str) -> str:
    if kind == "date":
        return moment.date().isoformat()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz or timezone.utc)
    return moment.isoformat()


def match_reasons(text: str, rules: list[ReasonRule]) -> dict[str, list[tuple[str, str]]]:
    """Facts set by the rules whose keyword occurs in ``text`` (case-insensitive): fact → [(value, keyword)]."""
    folded = text.casefold()
    found: dict[str, list[tuple[str, str]]] = {}
    for rule in rules:
        words = [w for lang in LANGS for w in getattr(rule.keywords, lang)]
        hit = next((w for w in words if w.casefold() in folded), None)
        if hit is None:
            continue
        for fact, value in rule.set.items():
            found.setdefault(fact, []).append((cell_text(value), hit))
    return found


def moment_of(value: str, tz: tzinfo | None) -> datetime | None:
    """An ISO date or date-time cell as an aware moment (a date: noon of that day in ``tz``)."""
    try:
        if len(value.strip()) == 10:
            day = date.fromisoformat(value.strip())
            return datetime(day.year, day.month, day.day, 12, tzinfo=tz or timezone.utc)
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz or timezone.utc)
