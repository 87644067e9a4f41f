"""The trainees' app in a real browser: Voila serves the start page, Chromium clicks through it.

One complete case as a trainee works it: pick Size mismatch on Taobao in the hub, press Start,
answer every question by typing, picking and clicking (one value is refused first and one step
is taken back), read the recommendation card, save the case, and find it in the case log.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .conftest import OUTPUT_DIR, VoilaApp, full_page_screenshot

FIRST_RENDER_TIMEOUT_MS = 120_000  # Voila starts a kernel and runs the notebook before widgets show
STEP = re.compile(r"Question (\d+) of about (\d+)")


def _question(page: Any, name: str) -> Any:
    """The control of the question ``name`` (the wrapper carrying ``as-input-<name>``)."""
    return page.locator(f".as-wizard .as-input-{name}")


def _step(page: Any) -> tuple[int, int]:
    """The progress line as (step, steps on this path); fails if it is not a step line."""
    text = page.locator(".as-progress").inner_text()
    match = STEP.search(text)
    assert match, f"progress text {text!r} does not say 'Question k of about n'"
    return int(match[1]), int(match[2])


def _next(page: Any, now: str, then: str) -> None:
    """Press Next on question ``now`` and wait until question ``then`` replaced it."""
    from playwright.sync_api import expect

    page.locator(".as-next").click()
    expect(_question(page, then)).to_be_visible()
    expect(_question(page, now)).to_have_count(0)
    expect(page.locator(".as-error")).to_have_text("")


def test_size_mismatch_on_taobao_is_worked_from_hub_to_saved_case(app_page: Any, voila_app: VoilaApp) -> None:
    """A trainee opens the app, works a Taobao size complaint to an exchange card, and saves it."""
    from playwright.sync_api import expect

    page = app_page
    page.goto(voila_app.url, timeout=FIRST_RENDER_TIMEOUT_MS)

    # The hub: pick the scenario and the platform, keep English, press Start.
    expect(page.locator(".as-start")).to_be_visible(timeout=FIRST_RENDER_TIMEOUT_MS)
    assert "run_hub" not in page.content(), "the app must show no code"
    page.locator(".as-hub-scenario select").select_option("Size mismatch")
    page.locator(".as-hub-platform select").select_option("Taobao / Tmall")
    expect(page.locator(".as-hub-platform select")).to_have_value("Taobao / Tmall")
    expect(page.locator(".as-hub-lang select")).to_have_value("English")
    page.locator(".as-start").click()
    wizard = page.locator(".as-wizard")
    expect(wizard).to_be_visible()
    expect(wizard.locator("h3").first).to_have_text("Size mismatch · Taobao / Tmall")
    expect(page.locator(".as-back")).to_be_disabled()
    expect(page.locator(".as-progress")).to_have_text(STEP)
    first_step, steps_total = _step(page)
    assert first_step == 1 and steps_total > 1

    # Order value: text that is not a number, then a negative amount, are refused in place.
    order_value = _question(page, "order_value").locator("input")
    order_value.fill("abc")
    page.locator(".as-next").click()
    expect(page.locator(".as-error")).to_contain_text("Not accepted")
    expect(page.locator(".as-error")).to_contain_text("Enter a number")
    order_value.fill("-5")
    page.locator(".as-next").click()
    expect(page.locator(".as-error")).to_contain_text("out of range")
    expect(order_value).to_be_visible()
    expect(order_value).to_have_value("-5")
    expect(_question(page, "currency")).to_have_count(0)
    assert _step(page) == (1, steps_total)
    order_value.fill("129")
    _next(page, "order_value", "currency")

    _question(page, "currency").locator("select").select_option("CNY")
    _next(page, "currency", "delivered_on")

    # The delivery date is nullable: a date picker and an unticked "Not known / none" box.
    expect(page.get_by_label("Not known / none")).not_to_be_checked()
    _question(page, "delivered_on").locator("input[type=date]").fill("2026-01-12")
    _next(page, "delivered_on", "category")

    _question(page, "category").get_by_role("button", name="Apparel").click()  # three choices: big buttons
    _next(page, "category", "evidence_provided")
    assert _step(page)[0] > first_step

    evidence = _question(page, "evidence_provided")
    evidence.get_by_role("button", name="Yes").click()
    expect(evidence.get_by_role("button", name="Yes")).to_have_class(re.compile(r"\bmod-active\b"))
    _next(page, "evidence_provided", "size_deviation_cm")

    _question(page, "size_deviation_cm").locator("input").fill("3.5")
    _next(page, "size_deviation_cm", "customer_preference")
    last_question_step = _step(page)[0]

    # Back returns to the deviation with the typed value kept; Next goes on again.
    page.locator(".as-back").click()
    expect(_question(page, "size_deviation_cm").locator("input")).to_have_value("3.5")
    expect(_question(page, "customer_preference")).to_have_count(0)
    assert _step(page)[0] < last_question_step
    _next(page, "size_deviation_cm", "customer_preference")
    assert _step(page)[0] == last_question_step

    _question(page, "customer_preference").get_by_role("button", name="Exchange").click()
    page.locator(".as-next").click()

    # The recommendation card replaces the questions.
    card = page.locator(".as-card-box")
    expect(card).to_contain_text("Recommendation: Exchange, seller pays shipping")
    expect(page.locator(".as-progress")).to_have_text("Recommendation ready")
    expect(page.locator(".as-next")).to_be_disabled()
    expect(card.locator("tr", has_text="Return shipping paid by")).to_contain_text("seller")
    expect(card.locator("tr", has_text="Cost borne by")).to_contain_text("seller")
    expect(card.locator("pre.as-message")).to_contain_text("3.5 cm")

    # Saving appends one record to the case log the server was given.
    lines_before = voila_app.case_log.read_text(encoding="utf-8").splitlines() if voila_app.case_log.exists() else []
    page.locator(".as-save").click()
    status = page.locator(".as-save-status")
    expect(status).to_contain_text("Saved as case")
    expect(status).to_contain_text(voila_app.case_log.name)
    expect(page.locator(".as-save")).to_be_disabled()

    screenshot = full_page_screenshot(page, OUTPUT_DIR / "size_mismatch_card.png")
    print(f"screenshot: {screenshot}")

    lines = voila_app.case_log.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(lines_before) + 1, f"expected one new case log line, got {lines[len(lines_before):]}"
    record = json.loads(lines[-1])
    assert record["outcome"] == "exchange_seller_pays"
    assert record["scenario"] == "size_mismatch" and record["platform"] == "taobao"
    assert record["facts"]["size_deviation_cm"] == 3.5
    assert record["case_id"] in status.inner_text()


#: Latin words a zh/ru page may show: names of platforms, programmes and currencies, the clock's zone,
#: the language picker's own names, and words Chinese and Russian teams write in Latin letters.
LATIN_ALLOWED = {"Amazon", "amazon", "com", "Ozon", "Taobao", "Tmall", "FBA", "FBO", "FBS", "SOP", "CNY", "RUB",
                 "USD", "EUR", "UTC", "GMT", "English", "my_store"}


def _latin_words(page: Any) -> set[str]:
    """Latin words in what the app shows, leaving out the customer's message, sources and the leads'
    technical details (ids and values are for leads there)."""
    text = page.evaluate("""() => {
        const root = document.querySelector('.as-hub').cloneNode(true);
        root.querySelectorAll('pre.as-message, .as-src, details.as-technical, style, select').forEach(e => e.remove());
        return root.innerText;
    }""")
    return set(re.findall(r"[A-Za-z][A-Za-z_'\\-]{2,}", text))


def _open_app(page: Any, voila_app: VoilaApp, language: str | None = None, start: str | None = None) -> None:
    """The app at 1366x768 (a trainee's laptop), its start page shown; ``language`` picked in the hub
    and its Start button then reading ``start``."""
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(voila_app.url, timeout=FIRST_RENDER_TIMEOUT_MS)
    expect(page.locator(".as-start")).to_be_visible(timeout=FIRST_RENDER_TIMEOUT_MS)
    if language is not None:
        page.locator(".as-hub-lang select").select_option(language)
        expect(page.locator(".as-start")).to_have_text(start or "")


def test_start_shows_the_question_in_view_enter_answers_the_trail_goes_back_and_restart_asks(
        app_page: Any, voila_app: VoilaApp) -> None:
    """Issue 17 at 1366x768: the first question in view after Start, Enter, the answers trail, the confirm bar."""
    from playwright.sync_api import expect

    page = app_page
    _open_app(page, voila_app)
    page.locator(".as-hub-scenario select").select_option("Size mismatch")
    page.locator(".as-hub-platform select").select_option("Taobao / Tmall")
    page.locator(".as-start").click()
    order_value = _question(page, "order_value").locator("input")
    expect(order_value).to_be_in_viewport()
    expect(page.locator(".as-hub-bar")).to_be_visible()

    order_value.fill("129")
    order_value.press("Enter")
    expect(_question(page, "currency")).to_be_visible()
    expect(page.locator(".as-progress")).to_contain_text("Question 2 of about")

    crumb = page.locator(".as-crumb", has_text="Order value: 129")
    expect(crumb).to_be_visible()
    crumb.click()
    expect(_question(page, "order_value").locator("input")).to_have_value("129")
    _question(page, "order_value").locator("input").press("Enter")
    expect(_question(page, "currency")).to_be_visible()

    # The start page's link to another scenario's notebook opens it here (Voila serves only this page);
    # with answers given, it asks first like any new case.
    page.locator("a[href$='claim.ipynb']").click()
    expect(page.locator(".as-hub-confirm")).to_be_visible()
    page.locator(".as-hub-confirm-no").click()
    expect(_question(page, "currency")).to_be_visible()

    page.locator(".as-restart").click()
    expect(page.locator(".as-confirm")).to_be_visible()
    page.locator(".as-confirm-no").click()
    expect(page.locator(".as-confirm")).to_be_hidden()
    expect(_question(page, "currency")).to_be_visible()
    page.locator(".as-restart").click()
    page.locator(".as-confirm-yes").click()
    expect(_question(page, "order_value").locator("input")).to_have_value("")

    page.locator("a[href$='wrong_item.ipynb']").click()
    expect(page.locator(".as-wizard h3").first).to_contain_text("Wrong, missing or damaged item")

    # A tab closed with answers not saved asks first (the page's beforeunload handler asks
    # window.asUnsavedAnswers; a real beforeunload would also make Voila end the kernel).
    assert page.evaluate("() => window.asUnsavedAnswers()") is False  # nothing answered in the new case
    first = _question(page, "order_value").locator("input")
    first.fill("40")
    first.press("Enter")
    expect(page.locator(".as-wizard.as-unsaved")).to_have_count(1)
    assert page.evaluate("() => window.asUnsavedAnswers()") is True


def test_a_chinese_agent_works_in_chinese_and_writes_the_russian_buyer_in_russian(
        app_page: Any, voila_app: VoilaApp) -> None:
    """Issue 17: two languages; no English frame word on the Chinese page; the message in Russian."""
    from playwright.sync_api import expect

    from aftersales.library import load_library

    library = load_library()
    playbook = library.playbook("size_mismatch")
    labels = {name: playbook.inputs[name].spec.choice_labels or {} for name in ("category", "customer_preference")}
    page = app_page
    _open_app(page, voila_app, "中文", "开始")
    page.locator(".as-hub-scenario select").select_option(playbook.title["zh"])
    page.locator(".as-hub-platform select").select_option(library.profile("ozon").display_name["zh"])
    page.locator(".as-start").click()
    page.locator(".as-customer-lang select").select_option("Русский")
    page.locator(".as-order-id input").fill("OZ-5521")

    _question(page, "order_value").locator("input").fill("4200")
    _next(page, "order_value", "currency")
    _question(page, "currency").locator("select").select_option("RUB")
    _next(page, "currency", "delivered_on")
    _question(page, "delivered_on").locator("input[type=date]").fill("2026-01-12")
    _next(page, "delivered_on", "category")
    _question(page, "category").get_by_role("button", name=labels["category"]["apparel"]["zh"]).click()
    _next(page, "category", "evidence_provided")
    _question(page, "evidence_provided").get_by_role("button", name="是").click()
    _next(page, "evidence_provided", "size_deviation_cm")
    _question(page, "size_deviation_cm").locator("input").fill("3.5")
    deviation = _question(page, "size_deviation_cm").locator("input")
    deviation.press("Enter")
    expect(_question(page, "customer_preference")).to_be_visible()
    words = _latin_words(page)
    assert words <= LATIN_ALLOWED, f"English on the Chinese page: {sorted(words - LATIN_ALLOWED)}"
    _question(page, "customer_preference").get_by_role(
        "button", name=labels["customer_preference"]["exchange"]["zh"]).click()
    page.locator(".as-next").click()

    card = page.locator(".as-card-box")
    expect(card).to_contain_text("处理建议")
    expect(card).to_contain_text("给客户的消息（俄文）")
    message = card.locator("pre.as-message").inner_text()
    assert re.search(r"[а-яА-Я]{4,}", message) and not re.search(r"[\u4e00-\u9fff]", message), message
    words = _latin_words(page)
    assert words <= LATIN_ALLOWED, f"English on the Chinese card: {sorted(words - LATIN_ALLOWED)}"
    expect(card.locator("button.as-copy")).to_have_text("复制")

    page.locator(".as-save").click()
    expect(page.locator(".as-save-status")).to_contain_text(voila_app.case_log.name)
    record = json.loads(voila_app.case_log.read_text(encoding="utf-8").splitlines()[-1])
    assert record["order_id"] == "OZ-5521" and record["lang"] == "ru" and record["platform"] == "ozon"

    # The browser remembers both languages: the next page opens in Chinese, and a case there writes in Russian.
    again = page.context.new_page()
    again.goto(voila_app.url, timeout=FIRST_RENDER_TIMEOUT_MS)
    expect(again.locator(".as-start")).to_have_text("开始", timeout=FIRST_RENDER_TIMEOUT_MS)
    expect(again.locator(".as-hub-lang select")).to_have_value("中文")
    again.locator(".as-start").click()
    expect(again.locator(".as-customer-lang select")).to_have_value("Русский")


def test_practice_in_russian_picks_the_due_time_in_the_cases_local_time(app_page: Any, voila_app: VoilaApp) -> None:
    """Issue 17, point 9: Practice in the interface language, the due time a date-time control in the
    case's zone, and the language to reply in said."""
    from playwright.sync_api import expect

    page = app_page
    _open_app(page, voila_app, "Русский", "Начать")
    page.locator(".as-hub input[placeholder='ваше имя']").fill("Анна")
    page.locator(".as-practice-start").click()
    due = page.locator(".as-practice-due input[type=datetime-local]")
    expect(due).to_be_visible()
    expect(page.locator(".as-practice-reply-lang").first).to_contain_text("Отвечайте")
    labels = page.locator(".as-practice-label").all_inner_texts()
    assert any("времени" in label or "GMT" in label for label in labels), labels  # the zone is named
    words = _latin_words(page)
    assert words <= LATIN_ALLOWED, f"English on the Russian practice page: {sorted(words - LATIN_ALLOWED)}"
