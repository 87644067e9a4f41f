"""An override re-makes what the customer is told: the card and the saved record carry the chosen
outcome's message (and its terms), never the recommended outcome's; where the playbook cannot make
the chosen outcome's message for this case, the card says plainly that it must be written by hand."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from aftersales.analytics import cases_frame, override_changes
from aftersales.caselog import read_cases, redecide
from aftersales.present.words import word
from aftersales.widgets.session import ManualClock, Override, WizardSession
from aftersales.widgets.wizard import Wizard

from .drive import answer, asked

AS_OF = "2026-01-15T09:00:00+00:00"
START = datetime(2026, 1, 15, 9, 0, tzinfo=timezone.utc)
# size_mismatch on Taobao: a dress 3.5 cm too short, the customer wants an exchange
BEYOND_TOLERANCE = {"order_value": 129, "currency": "CNY", "delivered_on": "2026-01-12", "category": "apparel",
                    "evidence_provided": True, "size_deviation_cm": 3.5, "customer_preference": "exchange"}
# the parcel has not arrived: nothing was measured, so no size deviation was ever asked
NOT_DELIVERED = {"order_value": 129, "currency": "CNY", "delivered_on": None, "category": "apparel"}

EXCHANGE_TEXT = {"en": "We will exchange it", "zh": "我们为您换货", "ru": "мы обменяем товар"}
REFUND_TEXT = {"en": "we will refund CN¥129.00", "zh": "立即为您退款 ¥129.00", "ru": "мы вернём 129\u00a0CN¥"}
BY_HAND = {"en": "write it by hand", "zh": "请人工撰写", "ru": "напишите его вручную"}
NOT_DELIVERED_TEXT = {"en": "Your parcel is still on its way", "zh": "您的包裹还在运输途中",
                      "ru": "Посылка ещё в пути"}


def form(tmp_path, facts: dict, lang: str = "en") -> Wizard:
    """A wizard walked to its card by answering ``facts`` in the order the playbook asks."""
    wizard = Wizard("size_mismatch", "taobao", lang, AS_OF, case_log=tmp_path / "log.jsonl",
                    clock=ManualClock(START))
    while asked(wizard) is not None:
        answer(wizard, facts[asked(wizard)])
        assert wizard.error.value == "", wizard.error.value
    return wizard


def message_shown(wizard: Wizard) -> str:
    """The text in the card's copyable message box ('' when there is none)."""
    found = re.search(r'<pre class="as-message">(.*?)</pre>', wizard.card.value, re.S)
    return found.group(1) if found else ""


def above_the_trail(wizard: Wizard) -> str:
    """The card down to the decision trail (which shows the recommendation's steps and values as
    they were looked at, ids and ``None`` included, as every card does)."""
    card = wizard.card.value
    assert '<div class="as-message-section">' in card, "the override card has its message section"
    return card[:card.index(f"<h4>{word('trail_recommended', wizard.lang)}</h4>")]


def saved(wizard: Wizard, tmp_path) -> dict:
    wizard.save_button.click()
    assert "Saved as case" in wizard.save_status.value or "已保存" in wizard.save_status.value \
        or "Сохранено" in wizard.save_status.value, wizard.save_status.value
    (record,) = read_cases(tmp_path / "log.jsonl")
    return record


@pytest.mark.parametrize("lang", ["en", "zh", "ru"])
def test_overriding_an_exchange_with_a_refund_shows_and_saves_the_refund_message(tmp_path, lang):
    wizard = form(tmp_path, BEYOND_TOLERANCE, lang)
    assert wizard.session.decision().outcome == "exchange_seller_pays"
    assert EXCHANGE_TEXT[lang] in message_shown(wizard)

    wizard.override_select.value = "refund_seller_pays"
    shown = message_shown(wizard)
    assert REFUND_TEXT[lang] in shown, shown
    assert EXCHANGE_TEXT[lang] not in wizard.card.value, "the recommended outcome's message is gone"

    wizard.override_reason.value = "Customer insists on a refund"
    record = saved(wizard, tmp_path)
    assert record["outcome"] == "exchange_seller_pays", "the engine's recommendation is kept"
    assert EXCHANGE_TEXT[lang] in record["message"]["text"], "with its own message"
    override = record["override"]
    assert (override["outcome"], override["resolution"], override["reason"]) == (
        "refund_seller_pays", "refund", "Customer insists on a refund")
    assert override["message"] == {"lang": lang, "text": shown, "by_hand": False}
    assert REFUND_TEXT[lang] in override["message"]["text"]


def test_going_back_to_the_recommendation_restores_its_message(tmp_path):
    wizard = form(tmp_path, BEYOND_TOLERANCE)
    recommended_card = wizard.card.value
    wizard.override_select.value = "refund_seller_pays"
    assert REFUND_TEXT["en"] in message_shown(wizard)
    wizard.override_select.value = ""
    assert wizard.card.value == recommended_card
    assert EXCHANGE_TEXT["en"] in message_shown(wizard) and REFUND_TEXT["en"] not in wizard.card.value
    record = saved(wizard, tmp_path)
    assert record["override"] is None


def test_the_override_follows_a_language_switch(tmp_path):
    wizard = form(tmp_path, BEYOND_TOLERANCE)
    wizard.override_select.value = "refund_seller_pays"
    wizard.lang_select.value = "zh"
    assert REFUND_TEXT["zh"] in message_shown(wizard)
    assert EXCHANGE_TEXT["zh"] not in wizard.card.value


def test_the_card_shows_the_chosen_outcomes_terms_not_the_recommended_ones(tmp_path):
    """Exchange at the seller's cost → exchange at the buyer's: on Taobao the buyer pays the return
    shipping of a conforming size, and the chosen outcome's return window is its deadline."""
    wizard = form(tmp_path, BEYOND_TOLERANCE)
    assert re.search(r"Return shipping paid by</td><td>seller<", wizard.card.value)
    wizard.override_select.value = "exchange_buyer_pays"
    card = wizard.card.value
    assert re.search(r"Return shipping paid by</td><td>buyer<", card), card
    assert re.search(r"Cost borne by</td><td>buyer<", card)
    assert "Return window ends" in card, "the chosen outcome's deadline"
    assert "Exchange of a conforming size at the buyer&#x27;s request" in card and "Chosen instead of the recommendation" in card
    assert "The playbook recommended: Exchange, seller pays shipping" in card
    assert "by 19 Jan 2026" in message_shown(wizard), "its message names its own deadline"
    wizard.override_reason.value = "Measured again: it conforms"
    terms = saved(wizard, tmp_path)["override"]["terms"]
    assert terms["by_hand"] is False
    assert (terms["return_shipping_paid_by"], terms["cost_borne_by"]) == ("buyer", "buyer")
    names = [d["name"] for d in terms["deadlines"]]
    assert "return_window_end" in names, names  # the chosen outcome's own deadline; the recommended one has none


@pytest.mark.parametrize("lang", ["en", "zh", "ru"])
def test_a_message_the_playbook_cannot_make_for_the_chosen_outcome_is_to_be_written_by_hand(tmp_path, lang):
    """Not delivered, overridden with an exchange: its message needs the size deviation, which was
    never asked on this path. The card says so in the user's language and shows no message at all."""
    wizard = form(tmp_path, NOT_DELIVERED, lang)
    assert wizard.session.decision().outcome == "not_delivered"
    assert NOT_DELIVERED_TEXT[lang] in message_shown(wizard)

    wizard.override_select.value = "exchange_seller_pays"
    card = wizard.card.value
    assert BY_HAND[lang] in card, card
    assert message_shown(wizard) == "", "no message box to copy"
    assert NOT_DELIVERED_TEXT[lang] not in card, "never the recommended outcome's message"
    for leak in ("None", "size_deviation_cm", "undefined", "Traceback", "fact '", "template", "exchange_seller_pays"):
        assert leak not in above_the_trail(wizard), leak
    assert "✓ message check" not in card, "nothing was checked, so nothing is confirmed"

    wizard.override_reason.value = "The customer sent the photo by mail"
    record = saved(wizard, tmp_path)
    assert NOT_DELIVERED_TEXT[lang] in record["message"]["text"], "the recommendation's message is kept as it was"
    message = record["override"]["message"]
    assert message["lang"] == lang and message["text"] is None and message["by_hand"] is True
    assert "size_deviation_cm" in message["why"], "the record says why, for whoever audits it"


def test_a_record_with_an_override_message_is_still_remade_and_analysed(tmp_path, monkeypatch, capsys):
    """`case show` re-makes the recommendation (not the override) and finds it unchanged; the
    analytics read the override as before, and records without the new keys as before too."""
    from aftersales.cli import main

    monkeypatch.setenv("AFTERSALES_ARCHIVE", str(tmp_path / "archive"))
    case = WizardSession("size_mismatch", "taobao", "en", AS_OF, clock=ManualClock(START))
    while case.question is not None:
        case.answer(BEYOND_TOLERANCE[case.question.name])
    case_id, log = case.save(tmp_path / "log.jsonl", override=Override("refund_seller_pays", "refund wanted"))
    (record,) = read_cases(log)
    again = redecide(record)
    assert again.outcome == record["outcome"] and again.message == record["message"]
    assert main(["case", "show", case_id, "--case-log", str(log)]) == 0
    shown = capsys.readouterr().out
    assert "We will exchange it" in shown, "case show is the recommendation, as recorded"
    assert "overridden:   refund_seller_pays (refund) instead of the recommendation" in shown
    assert "reason:       refund wanted" in shown and REFUND_TEXT["en"] in shown.split("overridden:")[1]
    assert main(["case", "show", case_id, "--case-log", str(log), "--json"]) == 0
    assert REFUND_TEXT["en"] in capsys.readouterr().out, "the JSON record carries the override's message"

    old = {**record, "override": {k: record["override"][k] for k in ("outcome", "resolution", "reason")}}
    unknown = {k: v for k, v in record.items() if k != "override"}
    frame = cases_frame([record, old, {**record, "override": None}, unknown])
    assert frame["overridden"].tolist()[:3] == [True, True, False] and frame["overridden"].isna().tolist()[3]
    assert frame["final_outcome"].tolist()[:3] == ["refund_seller_pays", "refund_seller_pays", "exchange_seller_pays"]
    assert override_changes(frame)[["recommended", "chosen", "cases"]].values.tolist() == [
        ["exchange_seller_pays", "refund_seller_pays", 2]]


def test_a_chosen_outcome_without_a_message_in_the_cases_language_keeps_its_terms(tmp_path, monkeypatch):
    """The chosen outcome has no Russian message: its terms are still the engine's, the message is by hand."""
    wizard = form(tmp_path, BEYOND_TOLERANCE, "ru")
    node = wizard.session.playbook.outcomes["refund_seller_pays"]
    monkeypatch.delitem(node.messages, "ru")
    wizard.override_select.value = "refund_seller_pays"
    assert BY_HAND["ru"] in wizard.card.value and message_shown(wizard) == ""
    assert EXCHANGE_TEXT["ru"] not in wizard.card.value
    assert re.search(r"Решение</td><td><b>Возврат денег</b>", wizard.card.value), "the chosen outcome's terms"
    chosen = wizard.session.chosen("refund_seller_pays")
    assert chosen.message is None and chosen.decision is not None and "has no message in 'ru'" in chosen.problem


def test_the_engine_remakes_a_decision_for_another_outcome_of_its_playbook():
    """decide_outcome: the recommended outcome gives the same decision; another one its own terms and
    message over the same facts and path; an outcome the playbook lacks is refused by name."""
    from aftersales.engine import decide, decide_outcome
    from aftersales.errors import UnknownNameError

    decision = decide("size_mismatch", BEYOND_TOLERANCE, "taobao", lang="en", as_of=AS_OF)
    assert decide_outcome(decision, decision.outcome).to_dict() == decision.to_dict()
    refund = decide_outcome(decision, "refund_seller_pays")
    assert (refund.outcome, refund.resolution, refund.facts) == ("refund_seller_pays", "refund", decision.facts)
    assert refund.path == decision.path and REFUND_TEXT["en"] in refund.message["text"]
    assert decide_outcome(decision, "refund_seller_pays", render_message=False).message is None
    with pytest.raises(UnknownNameError, match="did you mean 'refund_seller_pays'"):
        decide_outcome(decision, "refund_seller_payz")


@pytest.mark.parametrize("lang, notice", [("en", "settle them by hand"), ("zh", "请人工确定"),
                                          ("ru", "определите их вручную")])
def test_terms_the_playbook_cannot_work_out_for_the_chosen_outcome_are_settled_by_hand(tmp_path, lang, notice):
    """A wrong mug, exchanged; the agent chooses the refund of a missing part instead, whose amount was
    never asked on this path: no payers, compensation or deadlines are shown as if they applied,
    and neither is any message."""
    facts = {"order_value": 59, "currency": "CNY", "delivered_on": "2026-01-13", "problem": "wrong_item",
             "evidence_provided": True, "customer_preference": "replacement", "correct_item_in_stock": True}
    wizard = Wizard("wrong_item", "taobao", lang, AS_OF, case_log=tmp_path / "log.jsonl", clock=ManualClock(START))
    while asked(wizard) is not None:
        name = asked(wizard)
        answer(wizard, facts[name] if name in facts else wizard.field.question.default)
        assert wizard.error.value == "", wizard.error.value
    assert wizard.session.decision().outcome == "exchange_wrong_item"
    wizard.override_select.value = "refund_missing_part"
    card = above_the_trail(wizard)
    assert notice in card and BY_HAND[lang] in card and message_shown(wizard) == ""
    for row in ("shipping_payer", "cost_bearer", "compensation"):
        assert f'<td class="as-key">{word(row, lang)}</td>' not in card, row
    assert f"<h4>{word('deadlines', lang)}</h4>" not in card
    assert "None" not in card and "missing_value" not in card

    wizard.override_reason.value = "Only the lid is missing"
    override = saved(wizard, tmp_path)["override"]
    assert override["terms"]["by_hand"] is True and "missing_value" in override["terms"]["why"]
    assert override["message"]["by_hand"] is True and override["message"]["text"] is None


def test_the_cards_save_also_puts_the_case_in_the_shared_store(tmp_path, monkeypatch):
    """Issue 20, part 1: the card's Save writes the case log and the team's case store, where the
    daily follow-up list finds it (open, with the decision and its override)."""
    from aftersales.cases.store import CaseStore

    monkeypatch.setenv("AFTERSALES_DB_URL", f"sqlite:///{tmp_path / 'team.db'}")
    wizard = form(tmp_path, BEYOND_TOLERANCE)
    wizard.override_select.value = "refund_seller_pays"
    wizard.override_reason.value = "Customer insists on a refund"
    record = saved(wizard, tmp_path)
    with CaseStore() as store:
        case = store.get(record["case_id"])
        assert case is not None and case.status == "open" and case.scenario == "size_mismatch"
        assert [event.kind for event in store.events(record["case_id"])] == ["decision", "override"]


def test_a_save_the_store_cannot_take_is_kept_in_the_log_and_says_so(tmp_path, monkeypatch):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the store's folder should be")
    monkeypatch.setenv("AFTERSALES_DB_URL", f"sqlite:///{blocked / 'team.db'}")
    wizard = form(tmp_path, BEYOND_TOLERANCE)
    record = saved(wizard, tmp_path)
    assert record["outcome"] == "exchange_seller_pays"
    assert "cases import" in wizard.save_status.value, wizard.save_status.value


def test_a_saved_case_with_a_return_offers_the_return_slip(tmp_path, monkeypatch):
    """Issue 20, part 5 (seed 003): once saved, a case whose approved outcome sends the item back
    offers the slip; its HTML is written beside the case log (the PDF too where Chromium runs)."""
    monkeypatch.setenv("AFTERSALES_DB_URL", f"sqlite:///{tmp_path / 'team.db'}")
    wizard = form(tmp_path, BEYOND_TOLERANCE)  # an exchange: the dress comes back, the seller pays
    assert wizard.slip_button.layout.display == "none", "nothing to print before the case is saved"
    record = saved(wizard, tmp_path)
    assert wizard.slip_button.layout.display is None and wizard.slip_button.description == "Return slip"
    wizard.slip_button.click()
    slip = tmp_path / "slips" / f"slip-{record['case_id']}.html"
    assert slip.exists(), wizard.slip_status.value
    assert record["case_id"] in slip.read_text(encoding="utf-8")
    # taobao: the seller runs the return, and no store overlay sets its address: the agent is told
    assert "return address is not set" in wizard.slip_status.value, wizard.slip_status.value
