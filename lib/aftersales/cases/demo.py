"""A small, reproducible case store for the desk notebook's example and its golden test: the
worked examples of three scenarios decided as cases of three agents, some moved on (waiting for
the customer, a return on its way), all due on the demo day or before, each with its order line
(SKU, name, supplier) so that the causes can be counted per SKU and supplier."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

__all__ = ["DEMO_DAY", "seed_demo_cases"]

#: The day the demo's follow-up list is read for.
DEMO_DAY = date(2026, 1, 20)
_AGENTS = ("Li Na", "Olga", "Sam")
_LANGS = ("zh", "ru", "en")  # the customers' languages
_PICKS = (("size_mismatch", 0), ("size_mismatch", 2), ("quality_defect", 3), ("quality_defect", 5),
          ("wrong_item", 1), ("wrong_item", 4))
_MOVES = {1: "waiting_customer", 3: "return_in_transit"}
#: Each demo case's order line: SKU, name, supplier (the cause counts go back to them; seeds 000, 001).
_LINES = (("TEE-0420-M", "Cotton T-shirt, M", "Hangzhou Textile Co."), ("TEE-0420-L", "Cotton T-shirt, L", "Hangzhou Textile Co."),
          ("LAMP-77", "Desk lamp", "Ningbo Lighting Ltd."), ("LAMP-77", "Desk lamp", "Ningbo Lighting Ltd."),
          ("MUG-12", "Ceramic mug", "Jingdezhen Ceramics"), ("LAMP-77", "Desk lamp", "Ningbo Lighting Ltd."))


def seed_demo_cases(store: Any, library: Any = None) -> int:
    """Put six decided cases (worked examples, decided as of their own dates) into ``store``, owned
    by three agents, two of them moved on; returns how many were added. Idempotent."""
    from ..caselog import case_record
    from ..engine import decide
    from ..library import load_library

    library = library or load_library()
    added = 0
    for number, (scenario, index) in enumerate(_PICKS):
        example, _where = library.playbook(scenario).examples[index]
        sku, name, supplier = _LINES[number]
        facts = {**example.facts, "items": [{"sku": sku, "name": name, "quantity": 1, "supplier": supplier}]}
        decision = decide(scenario, facts, example.platform, lang=_LANGS[number % 3],
                          as_of=example.as_of or datetime(2026, 1, 15, 9, tzinfo=timezone.utc))
        saved = datetime(2026, 1, 15, 9, tzinfo=timezone.utc) + timedelta(hours=number)
        record = case_record(decision, case_id=f"DEMO-{number + 1}", saved_at=saved, who=_AGENTS[number % 3],
                             library_hash="demo")
        if store.record_decision(record, owner=_AGENTS[number % 3]):
            added += 1
            if number in _MOVES:
                store.set_status(record["case_id"], _MOVES[number], who=_AGENTS[number % 3],
                                 at=saved + timedelta(hours=1))
    return added
