"""The checker's learned second opinion (issue 15; aftersales.compliance.learned and .training)."""

from __future__ import annotations

import json
import math

import pytest

from aftersales.compliance import check_message
from aftersales.compliance.checker import normalise
from aftersales.compliance.learned import MODEL_FILE, RULE, features, load_model, opinion, texts
from aftersales.compliance.training import HELD_OUT, cut_for, fingerprint, fit_weights, main, training_files
from aftersales.languages import LANGS

# Messages written for this test (in no labelled set): blame by implication that no rule names.
MISSED_BY_RULES = [
    ("amazon", "en", "Hi Dana, the kettle passed our inspection before it shipped, so the dent could only have happened "
                     "once it was in your hands. We can't take it back.", "blame_buyer"),
    ("amazon", "en", "Hi Dana, honestly, thousands of people use this blender every day without trouble, so it's most "
                     "likely how it was being used. Please check the manual again.", "blame_buyer"),
    ("taobao", "zh", "亲，发货前我们都检查过的，是完好的，那这个裂痕只能是您收到以后弄的哈，这个我们没法退。", "blame_buyer"),
]
FINE = [
    ("amazon", "en", "apology", "Hi Mark, we're sorry the lamp arrived with a cracked base. We have sent a replacement "
                                "today; it should reach you by Friday, and you can reply here any time. We've added foam "
                                "corners to our packing."),
    ("ozon", "ru", "general", "Здравствуйте! Спасибо за заказ. Если будет минутка, поделитесь честным мнением о товаре "
                              "на странице Ozon — нам важен любой отзыв."),
    ("taobao", "zh", "general", "亲，宝贝已经签收啦，用得怎么样呀？有任何问题随时在淘宝消息里找我们哈～"),
]


@pytest.mark.parametrize("platform, lang, text, concern", MISSED_BY_RULES, ids=["en-inspected", "en-others-fine", "zh-inspected"])
def test_a_message_no_rule_stops_is_stopped_by_the_second_opinion_at_its_heaviest_sentence(
        platform: str, lang: str, text: str, concern: str) -> None:
    assert not [f for f in check_message(text, platform, lang, "general", second_opinion=False) if f.severity == "error"]
    [finding] = check_message(text, platform, lang, "general")
    assert (finding.rule, finding.severity) == (RULE, "error")
    assert finding.span is not None
    sentence = text[finding.span[0]:finding.span[1]]
    assert sentence and sentence.strip() == sentence
    if "。" not in text[:-1] and ". " not in text:  # one sentence: the whole message
        assert sentence == text
    for reader in LANGS:
        said = finding.message_in(reader)
        assert texts()["concerns"][concern][reader] in said and "{" not in said


@pytest.mark.parametrize("platform, lang, kind, text", FINE, ids=["en-apology", "ru-honest-review", "zh-follow-up"])
def test_a_good_message_gets_no_second_opinion(platform: str, lang: str, kind: str, text: str) -> None:
    assert [f.rule for f in check_message(text, platform, lang, kind)] == []


def test_the_second_opinion_is_silent_when_a_rule_already_stops_the_message() -> None:
    text = "Leave us a 5-star review and we will refund you $10."
    rules = [f.rule for f in check_message(text, "amazon", "en", "general")]
    assert rules and RULE not in rules


def test_a_span_in_folded_text_points_at_the_original_characters() -> None:
    text = "Hi Dana,\u200b the kettle passed our inspection before it shipped, so the dent could only have happened " \
           "once it was in your hands. We can't take it back."
    [finding] = check_message(text, "amazon", "en", "general")
    assert finding.span is not None and text[finding.span[0]:finding.span[1]].endswith("in your hands.")


def test_features_count_once_and_remember_their_first_sentence() -> None:
    found = features(normalise("Refund now. Refund later.")[0], "en")
    assert found["wrefund"] == 0
    assert found["wlater"] == 1
    zh = features(normalise("亲，好评返现哦")[0], "zh")
    assert any(name.startswith("c") for name in zh) and any(name.startswith("w") for name in zh)


def test_the_shipped_model_is_what_the_labelled_sets_make_and_never_saw_the_held_out_sets(
        capsys: pytest.CaptureFixture) -> None:
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    assert data["fingerprint"] == fingerprint(training_files()), \
        "a labelled set changed: retrain with python -m aftersales.compliance.training"
    assert main(["--check"]) == 0
    assert set(data["held_out"]) == set(HELD_OUT) and not set(HELD_OUT) & set(data["trained_on"])
    for lang in LANGS:
        model = load_model()[lang]
        assert model.warning_cut <= model.error_cut
        assert set(model.concern_priors) <= set(texts()["concerns"])
        left_out = data["languages"][lang]["left_out_error"]
        assert left_out["precision"] >= 0.95  # the cut is picked for it


def test_every_concern_has_words_in_every_language_and_both_messages_take_it() -> None:
    words = texts()
    for concern, names in words["concerns"].items():
        assert set(names) == set(LANGS), concern
    for severity in ("error", "warning"):
        assert set(words["message"][severity]) == set(LANGS)
        assert all("{concern}" in words["message"][severity][lang] for lang in LANGS)


@pytest.mark.parametrize("scores, labels, precision, cut", [
    ([5, 4, 3, 2, 1], [True, True, False, True, False], 1.0, 4),
    ([5, 4, 3, 2, 1], [True, True, False, True, False], 0.75, 2),
    ([5, 5, 1], [True, False, True], 0.9, 6),  # a tie cannot be split: nothing above the top reaches it
    ([], [], 0.9, 0.0),
])
def test_the_cut_is_the_lowest_score_whose_messages_above_it_reach_the_precision(
        scores: list, labels: list, precision: float, cut: float) -> None:
    assert cut_for(scores, labels, precision) == cut


def test_a_feature_seen_only_in_stops_weighs_for_stopping_and_rare_ones_are_dropped() -> None:
    rows = [(frozenset({"a", "x"}), True), (frozenset({"a", "y"}), True), (frozenset({"b", "x"}), False),
            (frozenset({"b", "z"}), False)]
    prior, weights = fit_weights(rows, min_count=2)
    assert prior == 0.0 and weights["a"] > 0 > weights["b"] and math.isclose(weights["x"], 0.0, abs_tol=1e-9)
    assert "y" not in weights and "z" not in weights
    _, lighter = fit_weights(rows, min_count=2, house=[(frozenset({"a"}), 1.0)])
    assert lighter["a"] < weights["a"]


@pytest.mark.parametrize("text", ["P\u00bc\x00", "!!! ??? ... ---", "好的亲～～～！！"])
def test_symbols_are_not_words_and_too_few_words_get_no_opinion(text: str) -> None:
    """The fuzz suite found 'P¼\\x00' stopped as off-platform contact: its tokens ('p1', '⁄', '4', NUL)
    counted as four words. Only tokens with a letter or a digit count."""
    for lang in ("zh", "en", "ru"):
        said = opinion(normalise(text)[0], lang)
        assert said.severity is None, (lang, said)


def test_an_opinion_below_the_warning_cut_says_nothing() -> None:
    said = opinion(normalise("Thank you for your order. It ships tomorrow.")[0], "en")
    assert said.severity is None and said.span is None


def test_a_concern_only_some_platforms_forbid_is_named_only_there() -> None:
    """Off-platform contact is the store's own business on its own web store (no contact rule applies
    there); on a marketplace the second opinion may stop it."""
    text = "Дарья, добрый день! Чтобы быстрее разобраться с курткой, напишите мне, пожалуйста, в Ватсап, я там на связи."
    said = opinion(normalise(text)[0], "ru")
    assert (said.severity, said.concern) == ("error", "off_platform")  # the model would stop it anywhere
    assert not [f for f in check_message(text, "generic", "ru", "general") if f.rule == RULE]
    softer = "Дарья, добрый день! Чтобы быстрее разобраться, давайте продолжим в мессенджере, там удобнее отправлять фото."
    assert [f.rule for f in check_message(softer, "ozon", "ru", "general")] == [RULE]  # a warning or an error
    assert check_message(softer, "generic", "ru", "general") == []
    only_where = texts()["only_where"]
    from aftersales.compliance.rules import load_rules

    assert set(only_where["off_platform"]) <= {rule.id for rule in load_rules()}


def _texts_with(path: str, value: object) -> dict:
    import copy

    data = copy.deepcopy(texts())
    *parents, last = path.split(".")
    node = data
    for key in parents:
        node = node[key]
    if value is None:
        del node[last]
    else:
        node[last] = value
    return data


def test_what_defuses_a_concern_makes_the_second_opinion_a_warning_never_a_stop(monkeypatch: pytest.MonkeyPatch) -> None:
    """A review invited whatever the rating is no gating: the model may still find it close, but it only
    asks the agent to read it again. Without the defusing words in that sentence or the next, it stops."""
    from aftersales.compliance import learned
    from aftersales.compliance.concepts import analyse

    text = normalise("Hi Tom, glad the lamp arrived safely. If you ever feel like writing a review, honest ones of any "
                     "star rating are always welcome on the product page.")[0]
    analysis = analyse(text, "en")
    strong = learned.Opinion(9.0, "error", "review_gating", analysis.sentence_span(1, 1))
    assert learned.softened(strong, analysis).severity == "warning"
    elsewhere = learned.Opinion(9.0, "error", "review_incentive", analysis.sentence_span(1, 1))
    assert learned.softened(elsewhere, analysis).severity == "warning"  # the same words defuse a reward
    blame = learned.Opinion(9.0, "error", "blame_buyer", analysis.sentence_span(1, 1))
    assert learned.softened(blame, analysis).severity == "error"  # they say nothing about blame
    plain = normalise("Hi Tom, glad the lamp arrived. Reviews from happy customers help us most. Write one on the "
                      "product page. We read them all. Thanks again.")[0]
    far = analyse(plain, "en")
    assert learned.softened(learned.Opinion(9.0, "error", "review_gating", far.sentence_span(1, 1)), far).severity == "error"
    monkeypatch.setattr(learned, "texts", lambda: {**texts(), "unless": {}})
    assert learned.softened(strong, analysis).severity == "error"


@pytest.mark.parametrize("path, value, needle", [
    ("message.error.ru", "Перепишите это.", "learned.yaml: message.error.ru: a text with {concern} in it is needed"),
    ("concerns.blame_buyer.zh", None, "learned.yaml: concerns.blame_buyer: no name in zh"),
    ("only_where.off_platform", ["ozon.outside_contactt"], "unknown rule ids ['ozon.outside_contactt']"),
    ("unless.review_gating", ["any_ratings"], "unless.review_gating: unknown concepts ['any_ratings']"),
    ("unless.reviewer_gating", ["any_rating"], "unless.reviewer_gating: unknown concern; allowed:"),
    ("settings.error_precision", 1.5, "settings.error_precision: a share between 0.5 and 1 is needed, not 1.5"),
    ("settings.warning_precision", 0.99, "settings.warning_precision: must not be above settings.error_precision"),
    ("settings.min_words", 0, "settings.min_words: a whole number of at least 1 is needed, not 0"),
    ("source", "", "learned.yaml: source: a non-empty text is needed"),
])
def test_a_broken_learned_yaml_names_the_file_and_the_field(path: str, value: object, needle: str) -> None:
    from aftersales.compliance.learned import check_texts
    from aftersales.compliance.rules import RulesError

    check_texts(texts())  # the shipped file is fine
    with pytest.raises(RulesError) as caught:
        check_texts(_texts_with(path, value))
    assert needle in str(caught.value)


def test_training_from_an_install_without_the_sets_says_where_they_are(monkeypatch: pytest.MonkeyPatch,
                                                                       tmp_path, capsys: pytest.CaptureFixture) -> None:
    from aftersales.compliance import training

    monkeypatch.setattr(training, "SETS_DIR", tmp_path)
    assert training.main(["--check"]) == 2
    assert "train from a clone" in capsys.readouterr().err
