"""Finding the buyers a recall affects in an orders export (seed 004: find the affected buyers).

:func:`affected_buyers` reads an orders CSV with pandas (one row per order line), keeps the lines of
the recalled SKUs (and batches, when the recall names any), and groups them per buyer: the buyer's
orders, the units and the amount paid, their platform, their language and whether the item has
reached them. Columns are found by name (case and spaces ignored) or renamed with ``columns``
(``{"order_id": "Номер заказа"}``); a missing column or a bad cell is reported with the file, the
line and what is allowed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Mapping

from ..errors import AftersalesError

__all__ = ["COLUMNS", "Buyer", "OrdersRead", "affected_buyers", "buyer_language"]

#: The columns an orders export may have; order_id and sku are required.
COLUMNS = {
    "order_id": "the order number (required)",
    "sku": "the SKU of the order line (required)",
    "batch": "the batch or lot of the line (required when the recall names batches)",
    "platform": "the platform the order was placed on (else --platform)",
    "buyer_id": "the buyer's account, to write one case per buyer across orders (else one per order)",
    "customer_name": "the buyer's name as the message greets them",
    "customer_lang": "the buyer's language (en, zh, ru; also zh-CN, ru-RU, English, 中文, русский)",
    "country": "the buyer's country (ISO code), for the language when customer_lang is empty",
    "quantity": "units on the line (default 1)",
    "unit_price": "price per unit",
    "paid_amount": "what the buyer paid for the line (else quantity × unit_price)",
    "currency": "the currency of the amounts (else the platform's)",
    "order_date": "when the order was placed (for the notice's 'sold from … to …')",
    "delivered_on": "the delivery day; empty: not delivered yet",
    "status": "the order's status (delivered, shipped, …), when there is no delivered_on",
    "supplier": "who supplied the line (counted with the causes)",
}
#: Statuses that mean the buyer has the item (platform exports in en/zh/ru).
DELIVERED = frozenset({"delivered", "received", "completed", "complete", "done", "finished", "signed",
                       "已签收", "已收货", "交易成功", "已完成", "доставлен", "доставлено", "получен", "получено",
                       "выполнен", "завершён", "завершен"})
_LANG_NAMES = {"en": "en", "english": "en", "英语": "en", "английский": "en",
               "zh": "zh", "chinese": "zh", "中文": "zh", "汉语": "zh", "китайский": "zh",
               "ru": "ru", "russian": "ru", "俄语": "ru", "русский": "ru"}
_COUNTRY_LANG = {"cn": "zh", "tw": "zh", "hk": "zh", "mo": "zh", "sg": "zh", "ru": "ru", "by": "ru", "kz": "ru",
                 "kg": "ru"}


@dataclass
class Buyer:
    """One affected buyer: their case key, orders, lines and what the recall's decision needs."""

    key: str
    platform: str
    orders: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # the CSV's line numbers
    customer_name: str | None = None
    lang: str | None = None
    units: int = 0
    paid: float | None = 0.0
    currency: str | None = None
    delivered: bool = False
    skus: list[str] = field(default_factory=list)
    batches: list[str] = field(default_factory=list)
    supplier: str | None = None


@dataclass
class OrdersRead:
    """What :func:`affected_buyers` found: the buyers, the rows read and matched, the problems
    (line, column, message) of the matched rows it had to leave out, and the dates sold."""

    buyers: list[Buyer]
    rows: int
    matched: int
    problems: list[tuple[int, str, str]]
    sold_from: date | None = None
    sold_to: date | None = None


def buyer_language(value: str | None, country: str | None = None) -> str | None:
    """The buyer's language from an export's language cell ("ru-RU", "中文", "English") or, when it
    is empty, from their country; None when neither says (the platform's language is used)."""
    text = (value or "").strip().casefold()
    if text:
        text = text.replace("_", "-")
        return _LANG_NAMES.get(text) or _LANG_NAMES.get(text.split("-")[0])
    code = (country or "").strip().casefold()
    if code:
        return _COUNTRY_LANG.get(code, "en")
    return None


def _number(text: str, line: int, column: str, problems: list[tuple[int, str, str]]) -> float | None:
    cleaned = text.replace("\u00a0", "").replace(" ", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    cleaned = cleaned.replace(",", "")
    try:
        value = float(cleaned)
    except ValueError:
        problems.append((line, column, f"{text!r} is not a number"))
        return None
    if not math.isfinite(value) or value < 0:
        problems.append((line, column, f"{text!r} is out of range (a number ≥ 0)"))
        return None
    return value


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def _resolve_columns(header: list[str], columns: Mapping[str, str], path: Path) -> dict[str, str]:
    """Fact name → the export's header for each known column found."""
    normal = {h.strip().casefold().replace(" ", "_"): h for h in header}
    found: dict[str, str] = {}
    for name, given in columns.items():
        if name not in COLUMNS:
            raise AftersalesError(f"--column {name}={given}: {name!r} is not a recall column; allowed: {', '.join(COLUMNS)}")
        if given not in header:
            raise AftersalesError(f"--column {name}={given}: {path} has no column {given!r}; it has: {', '.join(header)}")
        found[name] = given
    for name in COLUMNS:
        if name not in found and name in normal:
            found[name] = normal[name]
    missing = [name for name in ("order_id", "sku") if name not in found]
    if missing:
        raise AftersalesError(f"{path}: no column {' or '.join(missing)}; it has: {', '.join(header)}. Rename "
                              f"one with --column {missing[0]}=HEADER (the recall columns: {', '.join(COLUMNS)})")
    return found


def affected_buyers(path: Path | str, skus: tuple[str, ...], batches: tuple[str, ...] = (), *,
                    platform: str | None = None, platforms: tuple[str, ...] = (),
                    columns: Mapping[str, str] | None = None) -> OrdersRead:
    """The buyers of ``skus`` (and ``batches``, when given) in the orders CSV ``path``.

    SKUs and batches compare without case and surrounding spaces. ``platform``: the platform of
    rows without a platform cell; ``platforms``: the known platform names (a row naming another is
    a problem). One buyer per ``buyer_id`` (and platform) when the export has that column, else
    per order. Source: seed 004 (find the affected buyers).
    """
    import pandas as pd  # type: ignore[import-untyped]

    path = Path(path)
    if not path.is_file():
        raise AftersalesError(f"{path}: no such orders file")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", skipinitialspace=True)
    except UnicodeDecodeError:
        raise AftersalesError(f"{path}: not UTF-8 text; save the export as CSV UTF-8") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise AftersalesError(f"{path}: not a readable CSV ({str(exc).strip()})") from None
    header = [str(c) for c in frame.columns]
    found = _resolve_columns(header, columns or {}, path)
    if batches and "batch" not in found:
        raise AftersalesError(f"{path}: the recall names batches ({', '.join(batches)}) but the export has no batch "
                              f"column; map one with --column batch=HEADER, or recall every batch (no --batch)")
    cells = {name: frame[header_name].astype(str).str.strip() for name, header_name in found.items()}
    wanted_skus = {s.strip().casefold() for s in skus}
    mask = cells["sku"].str.casefold().isin(wanted_skus)
    if batches:
        mask &= cells["batch"].str.casefold().isin({b.strip().casefold() for b in batches})
    rows = int(len(frame))
    chosen = frame.index[mask.to_numpy()]
    problems: list[tuple[int, str, str]] = []
    buyers: dict[tuple[str, str], Buyer] = {}
    sold: list[date] = []
    get = {name: series.to_numpy() for name, series in cells.items()}
    for index in chosen:
        line = int(index) + 2  # the header is line 1
        row = {name: str(values[index]) for name, values in get.items()}
        order_id = row["order_id"]
        if not order_id:
            problems.append((line, "order_id", "empty: the line cannot be traced to an order"))
            continue
        where = row.get("platform") or platform
        if not where:
            problems.append((line, "platform", "empty, and no --platform was given"))
            continue
        if platforms and where not in platforms:
            problems.append((line, "platform", f"{where!r} is not a platform; allowed: {', '.join(platforms)}"))
            continue
        quantity = 1.0
        if row.get("quantity"):
            value = _number(row["quantity"], line, "quantity", problems)
            if value is None:
                continue
            if value < 1 or not float(value).is_integer():
                problems.append((line, "quantity", f"{row['quantity']!r}: a whole number ≥ 1"))
                continue
            quantity = value
        paid: float | None = None
        if row.get("paid_amount"):
            paid = _number(row["paid_amount"], line, "paid_amount", problems)
            if paid is None:
                continue
        elif row.get("unit_price"):
            price = _number(row["unit_price"], line, "unit_price", problems)
            if price is None:
                continue
            paid = round(price * quantity, 2)
        key = row.get("buyer_id") or order_id
        buyer = buyers.get((where, key))
        if buyer is None:
            buyer = buyers[(where, key)] = Buyer(key=key, platform=where)
        if row.get("currency"):
            if buyer.currency and buyer.currency != row["currency"].upper():
                problems.append((line, "currency", f"{row['currency']!r}: this buyer's other lines are in {buyer.currency}; "
                                 "one case cannot add two currencies"))
                continue
            buyer.currency = row["currency"].upper()
        if order_id not in buyer.orders:
            buyer.orders.append(order_id)
        buyer.lines.append(line)
        buyer.units += int(quantity)
        buyer.paid = None if paid is None or buyer.paid is None else round(buyer.paid + paid, 2)
        buyer.customer_name = buyer.customer_name or row.get("customer_name") or None
        buyer.lang = buyer.lang or buyer_language(row.get("customer_lang"), row.get("country"))
        buyer.supplier = buyer.supplier or row.get("supplier") or None
        for name, values in (("sku", buyer.skus), ("batch", buyer.batches)):
            if row.get(name) and row[name] not in values:
                values.append(row[name])
        delivered_on = _day(row["delivered_on"]) if row.get("delivered_on") else None
        if delivered_on is not None or (not row.get("delivered_on") and row.get("status", "").strip().casefold() in DELIVERED):
            buyer.delivered = True
        elif "delivered_on" not in row and "status" not in row:
            buyer.delivered = True  # the export does not say: the buyer is told as if they had it
        ordered = _day(row["order_date"]) if row.get("order_date") else None
        if ordered is not None:
            sold.append(ordered)
    matched = int(mask.sum())
    return OrdersRead(list(buyers.values()), rows, matched, problems, min(sold, default=None), max(sold, default=None))

