"""A parameter's value for some cases only (issue 16, part 3): a store's 2 cm tolerance for
footwear beside 3 cm for everything else, with its own source, shown where the value is shown."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from aftersales.engine import decide
from aftersales.errors import PlaybookError
from aftersales.library import load_library

REPO = Path(__file__).resolve().parents[1]
AS_OF = "2026-03-10T09:00:00+00:00"
SHOES = """overlay: shoes
version: "1"
sources: [Shoe store policy 2026]
parameters:
  taobao:
    size_tolerance_cm:
      value: 3
      source: seed 001
      confidence: high
      effective_from: unknown
      cases:
        - when: category == 'footwear'
          value: 2
          source: Shoe store policy 2026, §3 (shoes are cut to ±2 cm)
"""
FACTS = {"order_value": 399, "currency": "CNY", "delivered_on": "2026-03-08", "evidence_provided": True,
         "size_deviation_cm": 2.5, "customer_preference": "exchange", "item_resaleable": True}


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("shoes") / "playbooks"
    shutil.copytree(REPO / "playbooks", root)
    (root / "overlays" / "shoes.yaml").write_text(SHOES, encoding="utf-8")
    return load_library(root, overlay="shoes")


@pytest.mark.parametrize("category, deviation, outcome_kind", [
    ("footwear", 2.0, "within"), ("footwear", 2.01, "beyond"), ("footwear", 2.5, "beyond"),
    ("apparel", 2.5, "within"), ("apparel", 3.0, "within"), ("apparel", 3.01, "beyond"),
])
def test_the_value_for_the_case_decides(library, category, deviation, outcome_kind):
    decision = decide("size_mismatch", {**FACTS, "category": category, "size_deviation_cm": deviation}, "taobao",
                      lang="en", as_of=AS_OF, library=library)
    assert (decision.outcome == "exchange_seller_pays") == (outcome_kind == "beyond"), decision.outcome


def test_the_trace_and_the_message_show_the_value_that_applied(library):
    decision = decide("size_mismatch", {**FACTS, "category": "footwear"}, "taobao", lang="zh", as_of=AS_OF,
                      library=library)
    (note,) = [e for e in decision.trace if e["step"] == "parameter_for_this_case"]
    assert note["source"].startswith("Shoe store policy 2026, §3") and note["value"]["size_tolerance_cm"] == 2
    assert "2 厘米" in decision.message["text"] and "3 厘米" not in decision.message["text"]
    apparel = decide("size_mismatch", {**FACTS, "category": "apparel", "size_deviation_cm": 3.5}, "taobao",
                     lang="zh", as_of=AS_OF, library=library)
    assert not [e for e in apparel.trace if e["step"] == "parameter_for_this_case"]
    assert "3 厘米" in apparel.message["text"]


def test_the_sop_and_params_show_both_values(library):
    from aftersales.render.document import sop_document

    doc = sop_document(library.playbook("size_mismatch"), library.profile("taobao"), library, "en", date(2026, 3, 10))
    (row,) = [r for r in doc.parameters if r["name"] == "size_tolerance_cm" and r["in_force"]]
    assert row["value"] == "3 cm" and row["cases"] == ["2 cm when category == 'footwear' (Shoe store policy 2026, §3 "
                                                       "(shoes are cut to ±2 cm))"]


def test_a_case_condition_that_does_not_parse_is_refused_at_its_line(tmp_path):
    root = tmp_path / "playbooks"
    shutil.copytree(REPO / "playbooks", root)
    (root / "overlays" / "bad.yaml").write_text(SHOES.replace("category == 'footwear'", "category === 'footwear'")
                                                .replace("overlay: shoes", "overlay: bad"),
                                                encoding="utf-8")
    with pytest.raises(PlaybookError) as exc:
        load_library(root, overlay="bad")
    assert any(p.location.line == 12 and "in condition" in p.message for p in exc.value.problems), exc.value


def test_params_lists_the_value_for_some_cases_under_the_value(tmp_path):
    import subprocess
    import sys

    root = tmp_path / "playbooks"
    shutil.copytree(REPO / "playbooks", root)
    (root / "overlays" / "shoes.yaml").write_text(SHOES, encoding="utf-8")
    shown = subprocess.run([sys.executable, "-m", "aftersales", "--playbooks", str(root), "params", "taobao",
                            "--overlay", "shoes", "--as-of", AS_OF], capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    line = next(x for x in shown.stdout.splitlines() if "when category == 'footwear'" in x)
    assert line.split()[0] == "2" and "Shoe store policy 2026, §3" in line
