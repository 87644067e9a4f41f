"""The store overlay editor (issue 16, part 8): a lead edits a parameter and a message in a table
and side-by-side text boxes; Save writes the overlay with its comments, validates it and shows
what it changes on the practice bank."""

from __future__ import annotations

import html
import shutil
from pathlib import Path

import pytest
import yaml

from aftersales.editor import OverlayEditor, parse_cell
from aftersales.errors import AftersalesError
from aftersales.widgets.editor import OverlayEditorWidget

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    copy = tmp_path / "playbooks"
    shutil.copytree(REPO / "playbooks", copy)
    return copy


def test_a_lead_edits_a_parameter_and_a_message_and_saves(root: Path) -> None:
    editor = OverlayEditorWidget(root, "shoes", platform="taobao")
    value, source, start = editor.cells["size_tolerance_cm"]
    value.value, source.value, start.value = "2", "Shoe store policy 2026, §3", "2026-01-01"
    editor.scenario.value = "size_mismatch"
    editor.outcome.value = "exchange_seller_pays"
    editor.texts["ru"].value = ("Здравствуйте! Обменяем товар за наш счёт, заявку на возврат одобрим до "
                                "{{ deadlines.return_request_decision | when('ru') }}. Если есть вопросы, напишите нам {{ in_chat }}.")
    editor.save_button.click()
    written = yaml.safe_load((root / "overlays" / "shoes.yaml").read_text(encoding="utf-8"))
    assert written["parameters"]["taobao"]["size_tolerance_cm"]["value"] == 2
    assert set(written["scenarios"]["size_mismatch"]["outcomes"]["exchange_seller_pays"]["message"]) == {"ru"}
    assert "Saved" in editor.result.value and "valid" in editor.result.value
    assert "size_tolerance_cm on taobao: 3 cm → 2 cm" in editor.result.value  # the diff on the practice bank


def test_saving_keeps_the_leads_comments(root: Path) -> None:
    editor = OverlayEditor(root, "fashion_house")
    editor.set_parameter("taobao", "reply_deadline_h", "8", "Fashion House service policy 2026, §1", "2026-01-01")
    result = editor.save(check=False)
    text = result.path.read_text(encoding="utf-8")
    assert "# The store does not sell on Ozon" in text and "value: 8" in text


def test_a_bad_cell_is_not_saved_and_says_which_and_what_is_allowed(root: Path) -> None:
    editor = OverlayEditorWidget(root, "shoes", platform="taobao")
    editor.cells["size_tolerance_cm"][0].value = "two"
    editor.cells["size_tolerance_cm"][1].value = "Shoe store policy"
    editor.save_button.click()
    shown = html.unescape(editor.result.value)
    assert "Not saved" in shown and "size_tolerance_cm: 'two' is not a number" in shown
    assert not (root / "overlays" / "shoes.yaml").exists()


@pytest.mark.parametrize("text, kind, value", [("2,5", "number", 2.5), ("3", "number", 3), ("yes", "bool", True),
                                               ("", "int", None), ("12", "int", 12), ("Ozon", "text", "Ozon")])
def test_cells_are_read_as_their_type(text: str, kind: str, value: object) -> None:
    assert parse_cell(text, kind) == value


def test_a_cell_of_the_wrong_type_is_refused() -> None:
    with pytest.raises(AftersalesError, match="whole number"):
        parse_cell("1.5", "int")


def test_the_decision_tables_show_when_go_to_reason_and_source(root: Path) -> None:
    tables = OverlayEditor(root, "shoes").decision_tables("size_mismatch")
    tolerance = next(t for t in tables if any("size_deviation_cm" in r["when"] or "conforms" in r["when"]
                                              for r in t["rows"]))
    assert all({"when", "goto", "reason", "source"} <= set(r) for r in tolerance["rows"])


def test_a_lead_edits_a_threshold_in_the_decision_table(root: Path) -> None:
    """Issue 16, part 8: the step's branches are a table a lead edits; a threshold change shows in the diff."""
    editor = OverlayEditorWidget(root, "shoes", platform="taobao")
    editor.scenario.value = "size_mismatch"
    editor.step.value = "tolerance"
    branch, when, reason, source = editor.branch_cells[0]
    when.value = "size_deviation_cm > 2.5"
    reason.value = "Beyond our 2.5 cm allowance: a quality problem."
    source.value = "Shoe store policy 2026, §3"
    editor.save_button.click()
    written = yaml.safe_load((root / "overlays" / "shoes.yaml").read_text(encoding="utf-8"))
    (first, default) = written["scenarios"]["size_mismatch"]["steps"]["tolerance"]["branches"]
    assert first["when"] == "size_deviation_cm > 2.5" and first["reason"]["en"].startswith("Beyond our 2.5 cm")
    assert first["reason"]["zh"] == branch["reason"]["zh"] and default["default"] is True
    assert "condition 'not conforms' → 'size_deviation_cm > 2.5'" in html.unescape(editor.result.value)


def test_a_value_for_some_cases_is_set_with_its_own_source_and_shown(root: Path) -> None:
    """Issue 16, parts 3 and 8: per category where set (2 cm for footwear)."""
    editor = OverlayEditor(root, "shoes")
    editor.set_case("taobao", "size_tolerance_cm", "category == 'footwear'", "2", "Shoe store policy 2026, §3")
    result = editor.save()
    assert result.valid, [str(p) for p in result.problems]
    row = next(r for r in OverlayEditor(root, "shoes").parameter_rows("taobao") if r["name"] == "size_tolerance_cm")
    assert row["cases"] == ["2 when category == 'footwear'"] and row["value"] == "3"
    with pytest.raises(AftersalesError, match="condition and its source"):
        editor.set_case("taobao", "size_tolerance_cm", "", "2", "x")
