"""Shared helpers of the per-jurisdiction law tables (docs/law.md)."""

from __future__ import annotations

from aftersales.engine import decide

AS_OF = "2026-11-22T12:00:00+00:00"  # the lead's review day (issue 12)

QUALITY = {"evidence_provided": True, "warranty_days": 0, "defect_severity": "functional",
           "colour_difference": False, "fixable_by_customer": False, "misuse_suspected": False,
           "customer_preference": "none", "spare_part_fixes_it": False, "repairable": True}
SIZE = {"evidence_provided": True, "category": "apparel", "size_deviation_cm": 1.0,
        "item_resaleable": True, "customer_preference": "refund"}


def run(scenario: str, platform: str, facts: dict, as_of: str = AS_OF, lang: str = "en"):
    return decide(scenario, facts, platform, lang=lang, as_of=as_of)
