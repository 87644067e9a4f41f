"""The start page: scenarios and platforms come from the library; Start opens that wizard."""

from __future__ import annotations

from aftersales.library import load_library
from aftersales.widgets.hub import Hub, overview_html


def test_the_overview_introduces_every_scenario_in_the_chosen_language():
    library = load_library()
    for lang in ("en", "zh", "ru"):
        html = overview_html(lang)
        for scenario in library.scenarios:
            assert library.playbook(scenario).title[lang] in html


def test_start_opens_the_picked_scenario_on_the_picked_platform():
    hub = Hub(scenario="claim", platform="ozon", lang="en")
    assert hub.scenario_select.value == "claim" and hub.platform_select.value == "ozon"
    hub.start_button.click()
    assert hub.wizard.session.scenario == "claim" and hub.wizard.session.platform == "ozon"
    assert hub.wizard_area.children == (hub.wizard,)
    assert "Buyer claim" in hub.wizard.title.value and "Ozon" in hub.wizard.title.value


def test_the_language_relabels_the_page_and_the_open_wizard_keeping_the_choices():
    hub = Hub(scenario="size_mismatch", platform="taobao", lang="en")
    hub.start_button.click()
    hub.lang_select.value = "ru"
    assert hub.scenario_select.value == "size_mismatch" and hub.platform_select.value == "taobao"
    assert dict((v, k) for k, v in hub.scenario_select.options)["size_mismatch"] == "Несоответствие размера"
    assert hub.start_button.description == "Начать"
    assert hub.wizard.lang == "ru" and "Далее" == hub.wizard.next_button.description


def test_platforms_offered_are_those_of_the_picked_scenario():
    hub = Hub()
    for scenario in hub.scenarios:
        hub.scenario_select.value = scenario
        offered = [code for _label, code in hub.platform_select.options]
        assert offered == list(load_library().playbook(scenario).platforms)


def test_practice_opens_from_the_start_page(tmp_path, monkeypatch):
    """The app also serves practice: a name and the Practice button open the recommended case."""
    monkeypatch.setenv("AFTERSALES_PROGRESS_URL", f"sqlite:///{tmp_path / 'p.db'}")
    hub = Hub()
    hub.trainee.value = "ana"
    hub.practice_button.click()
    (practice,) = hub.wizard_area.children
    assert practice.trainee == "ana" and practice.case.difficulty == 1


def test_a_lead_opens_the_store_overlay_editor_from_the_app(tmp_path) -> None:
    """Issue 16, part 8: the editor is also in the app, for leads."""
    import shutil
    from pathlib import Path

    from aftersales.library import load_library
    from aftersales.widgets.editor import OverlayEditorWidget

    root = tmp_path / "playbooks"
    shutil.copytree(Path(__file__).resolve().parents[2] / "playbooks", root)
    hub = Hub(scenario="size_mismatch", platform="taobao", lang="en", library=load_library(root))
    hub.store.value = "shoes"
    hub.editor_button.click()
    (editor,) = hub.wizard_area.children
    assert isinstance(editor, OverlayEditorWidget) and editor.editor.path == root / "overlays" / "shoes.yaml"
    hub.store.value = "Bad Name!"
    hub.editor_button.click()
    assert "overlay name &#x27;Bad Name!&#x27;" in hub.wizard_area.children[0].value


def test_start_folds_the_start_page_into_one_line_so_the_first_question_is_in_view():
    """Issue 17: Start no longer leaves the question below a long start page."""
    hub = Hub(scenario="size_mismatch", platform="taobao", lang="zh")
    assert hub.start_page.layout.display is None and hub.bar.layout.display == "none"
    hub.start_button.click()
    assert hub.start_page.layout.display == "none" and hub.bar.layout.display is None
    assert hub.bar_button.description == "换一个案例"
    hub.bar_button.click()
    assert hub.start_page.layout.display is None


def test_a_new_case_with_unsaved_answers_asks_before_throwing_them_away():
    hub = Hub(scenario="size_mismatch", platform="taobao", lang="en")
    hub.start_button.click()
    first = hub.wizard
    first.answer("129")
    hub.bar_button.click()
    hub.start_button.click()
    assert hub.wizard is first and hub.confirm_box.layout.display is None
    hub.confirm_box.no.click()
    assert hub.wizard is first and first.session.answers and hub.confirm_box.layout.display == "none"
    hub.bar_button.click()
    hub.start_button.click()
    hub.confirm_box.yes.click()
    assert hub.wizard is not first and not hub.wizard.session.order
