"""Tests of the case store, the case's life and the daily follow-up list (issue 20, parts 1-3).

Helpers shared by the test files: real decision records (the playbooks' worked examples decided
by the engine and recorded with ``caselog.case_record``) and synthetic records for volume."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import cache
from typing import Any

LANGS = ("en", "zh", "ru")


@cache
def real_records() -> tuple[dict[str, Any], ...]:
    """One record per worked example of every shipped playbook, each in one of the three languages,
    under a few orders (seed 003: many cases per order); saved_at is fixed so the records repeat."""
    from aftersales.caselog import case_record
    from aftersales.examples import run_example
    from aftersales.library import load_library

    library = load_library()
    records = []
    library_hash = None
    start = datetime(2026, 1, 15, 9, 0, tzinfo=timezone.utc)
    for scenario in sorted(library.playbooks):
        playbook = library.playbooks[scenario]
        for k, (example, _where) in enumerate(playbook.examples):
            n = len(records)
            lang = LANGS[n % 3]
            try:
                decision = run_example(playbook, example.model_copy(update={"lang": lang}), library)
            except Exception:  # an example the engine refuses (its expectation is an error) is no case
                continue
            record = case_record(decision, case_id=f"{scenario[:4]}-{k:03d}", saved_at=start + timedelta(minutes=n),
                                 who=("ana", "bo", "chen")[n % 3], library_root=library.root if library_hash is None else None,
                                 library_hash=library_hash)
            library_hash = record.get("library_hash")
            record["order_id"] = record.get("order_id") or f"ORD-{n // 2:04d}"
            records.append(record)
    return tuple(records)


def synthetic_record(n: int, *, saved_at: datetime | None = None, lang: str | None = None,
                     deadlines: list[dict[str, Any]] | None = None, who: str | None = None) -> dict[str, Any]:
    """A decision record shaped like the engine's (for volume: concurrency, the due list)."""
    saved = saved_at or datetime(2026, 1, 10, 8, 0, tzinfo=timezone.utc) + timedelta(minutes=n)
    due = saved + timedelta(hours=24)
    return {
        "case_id": f"C{n:07d}", "order_id": f"O{n // 2:07d}", "saved_at": saved.isoformat(),
        "who": who or ("ana", "bo", "chen", "dima")[n % 4], "path": ["start"], "scenario": "quality_defect",
        "platform": "taobao", "playbook_version": "1.0.0", "playbook_hash": "x" * 12, "as_of": saved.isoformat(),
        "lang": lang or LANGS[n % 3], "outcome": "repair", "title": "Repair", "resolution": "repair",
        "return_shipping_paid_by": "seller", "cost_borne_by": "seller", "compensation": None,
        "deadlines": deadlines if deadlines is not None else [
            {"name": "first_reply", "due": due.isoformat(), "overdue": False, "rule": "24 hours", "source": "seed 001"}],
        "checklist": [], "message": {"text": "…"}, "facts": {"order_id": f"O{n // 2:07d}", "customer_name": f"Kim {n}"},
    }
