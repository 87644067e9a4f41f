"""The store overlay editor in a real browser (issue 16, part 8): a lead types a parameter and a
message, saves, and the overlay file and the diff on the practice bank are updated."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import yaml

from .conftest import CHROMIUM_ARGS, REPO_ROOT, serve_voila  # noqa: F401

EDITOR = Path("notebooks") / "editor.ipynb"


def test_a_lead_edits_a_parameter_and_a_message_in_the_browser(browser: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    playbooks = tmp_path / "playbooks"
    shutil.copytree(REPO_ROOT / "playbooks", playbooks)
    with serve_voila(tmp_path, notebook=EDITOR, environment={"AFTERSALES_PLAYBOOKS": str(playbooks)}) as app:
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        context.route(lambda url: not url.startswith(app.url), lambda route: route.abort())
        page = context.new_page()
        page.set_default_timeout(120_000)  # a save validates the overlay and re-decides the practice bank
        expect.set_options(timeout=120_000)
        try:
            page.goto(app.url)
            expect(page.locator(".as-editor")).to_be_visible()
            page.locator(".as-param-size_tolerance_cm input").fill("2")
            page.locator(".as-source-size_tolerance_cm input").fill("My store policy 2026, §3")
            page.get_by_role("tab", name="Messages").click()
            page.locator(".as-editor select").first.select_option("size_mismatch")
            page.locator(".as-editor select").nth(1).select_option("exchange_seller_pays")
            message = page.locator(".as-message-ru textarea")
            expect(message).to_have_value(re.compile(r"^Здравствуйте\{\{"))  # the outcome's message has arrived
            message.fill(
                "Здравствуйте! Обменяем товар за наш счёт, заявку одобрим до "
                "{{ deadlines.return_request_decision | when('ru') }}. Если есть вопросы, напишите нам {{ in_chat }}.")
            page.get_by_role("button", name="Save and check").click()
            result = page.locator(".as-save-result")
            expect(result).to_contain_text("valid")
            expect(result).to_contain_text("size_tolerance_cm on taobao: 3 cm → 2 cm")
        finally:
            context.close()
    written = yaml.safe_load((playbooks / "overlays" / "my_store.yaml").read_text(encoding="utf-8"))
    assert written["parameters"]["taobao"]["size_tolerance_cm"]["value"] == 2
    assert written["scenarios"]["size_mismatch"]["outcomes"]["exchange_seller_pays"]["message"]["ru"].startswith(
        "Здравствуйте! Обменяем")
