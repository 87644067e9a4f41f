"""Write the golden notebooks nbval checks: each scenario notebook run by Papermill on one case.

Usage: ``make golden`` (or ``python tests/golden/make_golden.py [scenario ...]``). Run it after
changing a scenario notebook or a decision a golden case shows, then review the diff of
``tests/golden/*.ipynb`` before committing: it is the change in what the notebooks show.

Each case is a worked example from its playbook, at the examples' fixed moment, on a different
platform and language. The outputs and execution counts stay in these files on purpose: nbval
compares only cells that were run and carry ``# NBVAL_CHECK_OUTPUT``. What only records the run
(timings, paths, the Python version) is dropped so that re-running changes nothing.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import papermill

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
GOLDEN = REPO / "tests" / "golden"
AS_OF = "2026-01-15T09:00:00+00:00"  # the worked examples' moment (aftersales.examples.EXAMPLE_AS_OF)
INJECTED_TAG = "injected-parameters"


@dataclass(frozen=True)
class Case:
    """One golden run: the notebook's parameters and the outcome the run must show."""

    platform: str
    lang: str
    facts: dict[str, Any]
    outcome: str
    as_of: str = AS_OF
    interactive: bool = False

    def parameters(self) -> dict[str, Any]:
        return {"platform": self.platform, "lang": self.lang, "as_of": self.as_of, "facts": self.facts,
                "interactive": self.interactive}


CASES: dict[str, Case] = {
    # size_mismatch.yaml, first example: a Taobao dress 3.5 cm too short, the customer wants an exchange.
    "size_mismatch": Case("taobao", "en", {
        "order_id": "TB-20260112-0042", "customer_name": "Li Na", "order_value": 129, "currency": "CNY",
        "delivered_on": "2026-01-12", "evidence_provided": True, "category": "apparel", "size_deviation_cm": 3.5,
        "customer_preference": "exchange"}, "exchange_seller_pays"),
    # quality_defect.yaml: on Ozon a refused partial-refund offer of 291 is raised once by 30 to 321.
    "quality_defect": Case("ozon", "ru", {
        "order_id": "OZ-0187-3346", "customer_name": "Анна", "order_value": 3500, "currency": "RUB",
        "delivered_on": "2026-01-05", "warranty_days": 0, "defect_severity": "cosmetic", "evidence_provided": True,
        "colour_difference": False, "fixable_by_customer": False, "misuse_suspected": False,
        "customer_preference": "refund", "return_shipping_cost": 350, "customer_accepts_partial_refund": False},
        "offer_raised_partial_refund"),
    # wrong_item.yaml: a lamp damaged in transit on the generic store is replaced with a new one.
    "wrong_item": Case("generic", "en", {
        "order_id": "WS-10442", "customer_name": "Emma", "order_value": 70, "currency": "EUR",
        "delivered_on": "2026-01-12", "problem": "damaged_in_transit", "evidence_provided": True,
        "customer_preference": "replacement", "correct_item_in_stock": True}, "reship_damaged"),
    # claim.yaml: an Amazon not-received claim with tracking and proof of delivery is disputed.
    "claim": Case("amazon", "en", {
        "claim_type": "not_received", "order_value": 35, "currency": "USD", "claim_amount": 35,
        "claim_opened_on": "2026-01-14T10:00:00+00:00", "tracking_shows_delivered": True, "seller_evidence": True},
        "dispute_with_proof"),
    # bad_review.yaml: a Taobao buyer offering to delete a bad review for a coupon is politely refused.
    "bad_review": Case("taobao", "zh", {
        "review_kind": "product_review", "rating": 1, "about": "product", "review_text": "质量太差",
        "review_deal_proposed": True}, "decline_review_deal"),
    # change_of_mind.yaml: an Ozon FBO buyer returns a jacket on day 20 of Ozon's 30 days; Ozon bills the seller.
    "change_of_mind": Case("ozon", "ru", {
        "order_id": "OZ-0231-5518", "customer_name": "Ольга", "order_value": 3400, "currency": "RUB",
        "delivered_on": "2026-11-02", "item_resaleable": True, "fulfilment": "FBO",
        "return_requested_at": "2026-11-22T10:00:00+03:00"}, "accept_return", as_of="2026-11-22T12:00:00+00:00"),
    # service_complaint.yaml: a rude Taobao colleague, confirmed by the lead; 10 % of ¥129 rounds down to a ¥12 refund.
    "service_complaint": Case("taobao", "zh", {
        "order_id": "3958102277416630981", "customer_name": "陈女士", "order_value": 129, "currency": "CNY",
        "complaint_about": "staff_attitude", "identity_verified": True, "open_order_problem": "none",
        "escalation": "none", "staff_fault": "confirmed", "owner_name": "小林"}, "apologise_with_goodwill"),
    # recall.yaml: an Amazon.de power bank that can catch fire, burns already reported; replaced free of charge.
    "recall": Case("amazon_de", "en", {
        "order_id": "302-4418821-7730215", "customer_name": "Jonas", "product_name": "PowerCell 20000 power bank",
        "sku": "PC-20K", "batch": "L2408", "hazard": "fire",
        "hazard_description": "A faulty battery cell can swell and catch fire while charging.", "remedy": "replace",
        "item_delivered": True, "paid_amount": 34.99, "currency": "EUR", "incidents_reported": True,
        "hazard_known_at": "2026-11-19T15:00:00+01:00"}, "recall_replace", as_of="2026-11-20T09:00:00+00:00"),
    # refund_only.yaml: one bowl of an Ozon set of three missing; only its 450 RUB is refunded, nothing comes back.
    "refund_only": Case("ozon", "ru", {
        "order_id": "48230518-0067-1", "customer_name": "Татьяна", "order_value": 1350, "currency": "RUB",
        "request_reason": "missing_part", "delivered_on": "2026-11-20", "evidence_provided": True,
        "missing_value": 450, "return_requested_at": "2026-11-22T09:30:00+03:00"}, "refund_missing_part",
        as_of="2026-11-22T12:00:00+00:00"),
}


def clean(nb: nbformat.NotebookNode) -> None:
    """Drop what only records the run; keep sources, tags, outputs and execution counts.

    Pictures (charts) are dropped too: nbval never compares them (they differ by font), and a
    PNG would make every golden refresh a large binary diff."""
    nb.metadata = nbformat.from_dict({"kernelspec": nb.metadata["kernelspec"]})
    for cell in nb.cells:
        tags = cell.metadata.get("tags") or []
        cell.metadata = nbformat.from_dict({"tags": tags} if tags else {})
        if INJECTED_TAG in tags:
            cell.id = INJECTED_TAG  # Papermill gives it a random id on every run
        for output in cell.get("outputs", []):
            for kind in [kind for kind in output.get("data", {}) if kind.startswith("image/")]:
                del output["data"][kind]


def printed_outcome(nb: nbformat.NotebookNode) -> str | None:
    """The ``outcome`` of the decision the result cell printed as JSON, if any."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("text", "").lstrip().startswith("{"):
                return json.loads(output["text"]).get("outcome")
    return None


def make(scenario: str, case: Case) -> Path:
    """Run ``notebooks/<scenario>.ipynb`` on ``case`` and write ``tests/golden/<scenario>.ipynb``."""
    target = GOLDEN / f"{scenario}.ipynb"
    nb = papermill.execute_notebook(str(NOTEBOOKS / f"{scenario}.ipynb"), None, parameters=case.parameters(),
                                    kernel_name="python3", progress_bar=False, execution_timeout=120)
    outcome = printed_outcome(nb)
    if outcome != case.outcome:
        raise SystemExit(f"{scenario}: the notebook shows outcome {outcome!r}, the golden case expects "
                         f"{case.outcome!r}; fix the case or the playbook before writing goldens")
    clean(nb)
    nbformat.write(nb, target)
    return target


#: Other notebooks with a golden copy, and the parameters of their run.
OTHER_GOLDENS: dict[str, dict[str, Any]] = {
    # the lead's dashboard on the reproducible demo store (aftersales.training.dashboard.seed_demo)
    "dashboard": {"demo": True},
    # the lead's path analytics on the reproducible demo case log (aftersales.analytics.write_demo_case_log)
    "path_analytics": {"demo": True},
    # the desk's follow-up list on the reproducible demo store (aftersales.cases.demo.seed_demo_cases)
    "desk": {"demo": True, "interactive": False},
}


def make_other(name: str, parameters: dict[str, Any]) -> Path:
    target = GOLDEN / f"{name}.ipynb"
    nb = papermill.execute_notebook(str(NOTEBOOKS / f"{name}.ipynb"), None, parameters=parameters,
                                    kernel_name="python3", progress_bar=False, execution_timeout=120)
    clean(nb)
    nbformat.write(nb, target)
    return target


def main(argv: list[str]) -> int:
    known = [*CASES, *OTHER_GOLDENS]
    unknown = sorted(set(argv) - set(known))
    if unknown:
        print(f"unknown notebook(s): {', '.join(unknown)}; known: {', '.join(known)}", file=sys.stderr)
        return 2
    for name in argv or known:
        target = make(name, CASES[name]) if name in CASES else make_other(name, OTHER_GOLDENS[name])
        print(f"wrote {target.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
