"""``aftersales recall``: from an orders export to one case per affected buyer (seed 004).

:func:`run_recall` finds the affected buyers (:func:`aftersales.recall.orders.affected_buyers`),
decides each with the ``recall`` playbook in the buyer's language (their remedy, who pays, the
deadlines and the message), writes one case per buyer into the case store (a re-run adds nothing
for a buyer already there), writes the messages to send as a CSV, and prints the recall notice in
each buyer language and a notice per platform as HTML and PDF.
"""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable, Mapping

from ..errors import AftersalesError
from .orders import Buyer, OrdersRead, affected_buyers
from .spec import Recall

__all__ = ["RECALL_SCENARIO", "RecallReport", "run_recall"]

#: The playbook every recall case is decided with.
RECALL_SCENARIO = "recall"
_CASE_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


@dataclass
class RecallReport:
    """What a recall run did: the rows read and matched, the buyers, the cases written and those
    already in the store, per language/platform/outcome, the problems and the files written."""

    recall_id: str
    rows: int = 0
    matched: int = 0
    buyers: int = 0
    written: int = 0
    already: int = 0
    by_lang: dict[str, int] = field(default_factory=dict)
    by_platform: dict[str, int] = field(default_factory=dict)
    by_outcome: dict[str, int] = field(default_factory=dict)
    problems: list[tuple[int, str, str]] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    own_stores: list[str] = field(default_factory=list)  # platforms with no marketplace to notify
    seconds: float = 0.0
    pdf_problem: str | None = None


def case_id_for(recall_id: str, buyer: Buyer) -> str:
    """The case number of ``buyer`` in the recall: the recall's number, the platform and the buyer's
    key (their account or order), so a re-run finds the same case (seed 003: its own number)."""
    key = "".join(ch if ch in _CASE_KEY_CHARS else "_" for ch in buyer.key)[:60]
    return f"{recall_id}-{buyer.platform}-{key}"


def _facts(recall: Recall, buyer: Buyer, lang: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "product_name": recall.text("product_name", lang), "sku": ", ".join(buyer.skus) or recall.skus[0],
        "batch": ", ".join(buyer.batches) or None, "hazard": recall.hazard,
        "hazard_description": recall.text("hazard_description", lang), "remedy": recall.remedy,
        "item_delivered": buyer.delivered, "paid_amount": buyer.paid, "currency": buyer.currency,
        "order_id": ", ".join(buyer.orders), "customer_name": buyer.customer_name,
        "recall_contact": recall.text("contact", lang), "incidents_reported": recall.incidents > 0,
    }
    if buyer.skus:  # the order lines, so that the case counts under its SKU and supplier (seeds 000, 001)
        facts["items"] = [{"sku": sku, "name": recall.text("product_name", lang) or sku,
                           "quantity": max(buyer.units // len(buyer.skus), 1),
                           **({"supplier": buyer.supplier} if buyer.supplier else {}),
                           **({"batch": ", ".join(buyer.batches)[:100]} if buyer.batches else {})}
                          for sku in buyer.skus]
    return {name: value for name, value in facts.items() if name in inputs and value is not None}


def _languages(profile: Any, moment: datetime) -> list[str]:
    """The platform's languages in force, its first the default (``languages`` in the profile)."""
    return [str(lang) for lang in profile.values(moment).get("languages") or ["en"]]


def _language(buyer: Buyer, profiles: Mapping[str, Any], as_of: datetime) -> str:
    """The buyer's language: the export's, else the platform's first."""
    return buyer.lang or _languages(profiles[buyer.platform], as_of)[0]


def run_recall(orders: Path | str, recall: Recall, *, out: Path | str, db: str | None = None,
               platform: str | None = None, columns: Mapping[str, str] | None = None, who: str = "recall",
               as_of: datetime | None = None, pdf: bool = True, library: Any = None,
               progress: Callable[[str], None] | None = None) -> RecallReport:
    """Run the recall over the orders CSV ``orders``; write into ``out`` and the case store ``db``.

    ``platform``: the platform of rows without one; ``columns``: export header renames (fact →
    header); ``who``: who the cases name; ``as_of``: the moment of the decisions (default now);
    ``pdf``: also print the notices. Raises :class:`AftersalesError` when a buyer's language has no
    text in the recall (no buyer is ever written to in another language). Source: seed 004.
    """
    from ..caselog import case_record, snapshot_library
    from ..cases.store import CaseStore
    from ..engine import decide
    from ..library import load_library
    from ..platforms import load_profiles

    started = time.perf_counter()
    say = progress or (lambda _text: None)
    library = library or load_library()
    if RECALL_SCENARIO not in library.playbooks:
        raise AftersalesError(f"no {RECALL_SCENARIO} playbook in {library.root}")
    playbook = library.playbooks[RECALL_SCENARIO]
    profiles = load_profiles(library.root)
    moment = (as_of or datetime.now(timezone.utc)).astimezone(timezone.utc)
    day = recall.day or moment.date()
    say(f"reading {orders}")
    found: OrdersRead = affected_buyers(orders, recall.skus, recall.batches, platform=platform,
                                        platforms=tuple(sorted(profiles)), columns=columns)
    report = RecallReport(recall.recall_id, rows=found.rows, matched=found.matched, buyers=len(found.buyers),
                          problems=list(found.problems))
    # keyed by platform and buyer: the same account name on two platforms is two buyers
    langs = {(buyer.platform, buyer.key): _language(buyer, profiles, moment) for buyer in found.buyers}
    missing = sorted(set(langs.values()) - recall.languages())
    if missing:
        counts = {lang: sum(1 for v in langs.values() if v == lang) for lang in missing}
        raise AftersalesError(f"{recall.source}: {', '.join(f'{n} buyer(s) read {lang}' for lang, n in counts.items())}, "
                              f"but the recall's product_name, hazard_description and contact are not written in "
                              f"{', '.join(missing)}: add them (e.g. hazard_description: {{{missing[0]}: …}}); no buyer "
                              "is written to in a language that is not theirs")
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    library_hash = snapshot_library(Path(library.root))
    records: list[dict[str, Any]] = []
    messages: list[dict[str, Any]] = []
    say(f"deciding {len(found.buyers)} buyer(s)")
    for buyer in found.buyers:
        lang = langs[(buyer.platform, buyer.key)]
        try:
            decision = decide(playbook, _facts(recall, buyer, lang, playbook.inputs), buyer.platform, lang=lang,
                              as_of=moment, library=library)
        except AftersalesError as exc:
            report.problems.append((buyer.lines[0], "decision", f"buyer {buyer.key}: {exc}"))
            continue
        case_id = case_id_for(recall.recall_id, buyer)
        record = case_record(decision, case_id=case_id, saved_at=moment, who=who, library_hash=library_hash)
        record["order_id"] = buyer.orders[0]
        record["recall"] = {"id": recall.recall_id, "orders": buyer.orders, "lines": buyer.lines}
        records.append(record)
        messages.append({"case_id": case_id, "orders": " ".join(buyer.orders), "platform": buyer.platform,
                         "lang": lang, "customer_name": buyer.customer_name or "", "outcome": decision.outcome,
                         "message": (decision.message or {}).get("text", "")})
        for tally, key in ((report.by_lang, lang), (report.by_platform, buyer.platform),
                           (report.by_outcome, decision.outcome)):
            tally[key] = tally.get(key, 0) + 1
    say(f"writing {len(records)} case(s) into the case store")
    with CaseStore(db) as store:
        known = store.existing_ids([r["case_id"] for r in records])
        fresh = [r for r in records if r["case_id"] not in known]
        report.written = store.import_records(fresh, owner=who) if fresh else 0
        report.already = len(records) - len(fresh)
    report.files.append(_write_messages(folder / "messages.csv", messages))
    if report.problems:
        report.files.append(_write_problems(folder / "problems.csv", report.problems))
    report.files.extend(_write_notices(folder, recall, found, langs, profiles, day, pdf, report, say))
    report.seconds = time.perf_counter() - started
    return report


def _write_messages(path: Path, rows: list[dict[str, Any]]) -> Path:
    from ..files import write_atomic

    columns = ["case_id", "orders", "platform", "lang", "customer_name", "outcome", "message"]
    lines = [columns] + [[row[c] for c in columns] for row in rows]
    write_atomic(path, _csv_text(lines))
    return path


def _write_problems(path: Path, problems: list[tuple[int, str, str]]) -> Path:
    from ..files import write_atomic

    write_atomic(path, _csv_text([["line", "column", "problem"], *([str(a), b, c] for a, b, c in sorted(problems))]))
    return path


def _csv_text(rows: list[list[Any]]) -> str:
    import io

    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _write_notices(folder: Path, recall: Recall, found: OrdersRead, langs: Mapping[tuple[str, str], str], profiles: Mapping[str, Any],
                   day: date, pdf: bool, report: RecallReport, say: Callable[[str], None]) -> list[Path]:
    """The recall notice in every buyer language (English always) and one notice per marketplace."""
    from ..files import write_atomic
    from .notice import notice_html, platform_notice_html
    from .spec import platform_channel

    written: list[Path] = []
    platforms = sorted({buyer.platform for buyer in found.buyers})
    units = sum(buyer.units for buyer in found.buyers)
    notice_langs = sorted(({"en"} | set(langs.values())) & recall.languages()) or sorted(recall.languages())
    pages: list[tuple[Path, str]] = []
    for lang in notice_langs:
        names = [profiles[p].display_name.get(lang) or p for p in platforms]
        path = folder / f"notice.{lang}.html"
        write_atomic(path, notice_html(recall, lang, day=day, platforms=names, units=units or None,
                                       sold_from=found.sold_from, sold_to=found.sold_to))
        pages.append((path, f"{recall.recall_id} {lang}"))
    for name in platforms:
        buyers = [b for b in found.buyers if b.platform == name]
        profile = profiles[name]
        if platform_channel(name, "en") is None:
            report.own_stores.append(name)  # the seller's own store: the recall notice is published on it
            continue
        # the platform's own language when the recall is written in it, else English, else any
        in_recall = recall.languages()
        lang = next((x for x in _languages(profile, datetime.combine(day, datetime.min.time(), timezone.utc))
                     if x in in_recall), "en" if "en" in in_recall else notice_langs[0])
        path = folder / f"platform-notice.{name}.{lang}.html"
        write_atomic(path, platform_notice_html(recall, lang, day=day, platform_name=profile.display_name.get(lang) or name,
                                                send_to=platform_channel(name, lang) or "",
                                                orders=sum(len(b.orders) for b in buyers), buyers=len(buyers),
                                                units=sum(b.units for b in buyers)))
        pages.append((path, f"{recall.recall_id} {name}"))
    written.extend(path for path, _title in pages)
    if pdf and pages:
        say(f"printing {len(pages)} notice(s) as PDF")
        from ..render.pdf import PdfEngineError, PdfPrinter

        try:
            with PdfPrinter(footer=False) as printer:
                for path, title in pages:
                    target = path.with_suffix(".pdf")
                    printer.print_pdf(path, target, title=title, one_page=True)
                    written.append(target)
        except PdfEngineError as exc:
            report.pdf_problem = str(exc)
    return written
