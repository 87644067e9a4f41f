"""The message checker cannot be bypassed by look-alike spellings (issue 13).

Zero-width spaces, soft hyphens, fullwidth ``＠ ．``, ``example[.]com`` and ``pos\\u200bitive review``
slipped past every pattern. The checker now matches a normalised text (NFKC, format characters
and other invisible characters dropped, defanged links and addresses undone) and maps each
finding's span back, so ``text[start:end]`` is still the offending passage of the original.
"""

from __future__ import annotations

import dataclasses
import sys
import unicodedata
from pathlib import Path

import pytest

from aftersales.compliance import check_message
from aftersales.compliance.checker import _INVISIBLE, normalise
from aftersales.compliance.evaluation import found_rules, load_labelled, score

LABELLED = Path(__file__).resolve().parents[1] / "compliance" / "labelled_messages.yaml"
FULLWIDTH = {c: chr(ord(c) + 0xFEE0) for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@.:/"}


def _hits(text: str, rule: str, platform: str = "amazon", lang: str = "en", kind: str = "general") -> list[str]:
    return [text[f.span[0]:f.span[1]] for f in check_message(text, platform, lang, kind)
            if f.rule == rule and f.span is not None]


# ---- the bypasses of issue 13 --------------------------------------------------------------------

@pytest.mark.parametrize("text, passage", [
    ("Email me at ann\u200b@shop.com.", "ann\u200b@shop.com"),
    ("Email me at ann\u00ad@shop\u00ad.com.", "ann\u00ad@shop\u00ad.com"),
    ("Email me at ann＠shop．com.", "ann＠shop．com"),
    ("Ｅｍａｉｌ ａｎｎ＠ｓｈｏｐ．ｃｏｍ", "ａｎｎ＠ｓｈｏｐ．ｃｏｍ"),
    ("Write to ann(at)shop(dot)com", "ann(at)shop(dot)com"),
    ("Write to ann [at] shop [.] com", "ann [at] shop [.] com"),
    ("Write to ann\u2060@\u2060shop.com", "ann\u2060@\u2060shop.com"),
])
def test_hidden_email_addresses_are_found_with_spans_on_the_original(text: str, passage: str) -> None:
    assert _hits(text, "amazon.contact_details") == [passage]


@pytest.mark.parametrize("text, passage", [
    ("See example[.]com for the manual.", "example[.]com"),
    ("See example(.)com for the manual.", "example(.)com"),
    ("See example{dot}com for the manual.", "example{dot}com"),
    ("See example dot com for the manual.", "example dot com"),
    ("See shop dot example dot com today.", "shop dot example dot com"),
    ("See www\u200b.example\u200b.com today.", "www\u200b.example\u200b.com"),
    ("See hxxps://example.com/x today.", "hxxps://example.com/x"),
    ("See ｗｗｗ．ｅｘａｍｐｌｅ．ｃｏｍ today.", "ｗｗｗ．ｅｘａｍｐｌｅ．ｃｏｍ"),
])
def test_defanged_links_are_found(text: str, passage: str) -> None:
    assert _hits(text, "amazon.link") == [passage]


@pytest.mark.parametrize("text", [
    "Please leave a pos\u200bitive review.",
    "Please leave a posi\u00adtive review.",
    "Please leave a ｐｏｓｉｔｉｖｅ review.",
    "Please leave a pos\u200citive re\u200dview.",
    "Please leave a pos\ufeffitive review.",
    "Please leave a positive\u00a0review.",
])
def test_a_hidden_positive_review_request_is_found(text: str) -> None:
    hits = _hits(text, "amazon.positive_review_request")
    assert len(hits) == 1
    visible = _INVISIBLE.sub("", unicodedata.normalize("NFKC", hits[0]))
    assert visible.replace("\u00a0", " ") == "leave a positive review"


def test_decomposed_letters_fold_with_their_marks() -> None:
    text = "Мой ответ такой: это ваша ошибка."
    decomposed = unicodedata.normalize("NFD", text)
    assert len(decomposed) > len(text)  # й is split into и + a combining breve
    assert _hits(decomposed, "forbidden.blame_buyer", "ozon", "ru") == ["ваша ошибка"]


def test_chinese_punctuation_the_rules_rely_on_is_kept() -> None:
    text = "亲，给个五星好评，返您5元红包！"
    hidden = "亲，给个五\u200b星好评，返您５元红包！"
    assert {f.rule for f in check_message(text, "taobao", "zh", "general")} == \
        {f.rule for f in check_message(hidden, "taobao", "zh", "general")}
    assert "review.incentive" in {f.rule for f in check_message(hidden, "taobao", "zh", "general")}


# ---- innocent text is not made guilty -----------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Our polka dot dress ships today.",
    "We will be there at 5 pm (at the latest).",
    "The sizes are listed (S, M, L) in the chart.",
    "Thank you — the ﬁnal refund of ½ the price is on its way.",
    "Ｔｈａｎｋ ｙｏｕ, we have refunded you in full.",
])
def test_innocent_text_stays_clean(text: str) -> None:
    rules = {f.rule for f in check_message(text, "amazon", "en", "general")}
    assert not rules & {"amazon.link", "amazon.contact_details"}, rules


def test_spans_of_plain_text_are_unchanged_and_the_fast_path_maps_nothing() -> None:
    text = "It is your fault. See www.shop.com"
    assert normalise(text) == (text.lower(), None, None)
    assert _hits(text, "amazon.link") == ["www.shop.com"]
    chinese = "这是您自己的问题，我们不负责。"
    assert normalise(chinese)[1] is None  # no folding needed: the fast path


def test_the_invisible_class_holds_every_format_character() -> None:
    missing = [f"U+{c:04X}" for c in range(sys.maxunicode + 1)
               if unicodedata.category(chr(c)) == "Cf" and not _INVISIBLE.match(chr(c))]
    assert not missing, f"add these format characters to checker._INVISIBLE_CLASS: {missing}"


def test_an_all_invisible_message_is_checked_not_a_crash() -> None:
    findings = check_message("\u200b\u200b\u00ad x", "amazon", "en", "apology")
    assert all(f.span is None or f.span[0] < f.span[1] for f in findings)


def test_expansion_is_bounded_and_long_hidden_text_is_quick() -> None:
    import time

    start = time.process_time()
    check_message("\ufdfa" * 5000, "amazon", "en", "general")  # one character NFKC makes 18 of
    check_message("a\u200b" * 10_000, "amazon", "en", "general")
    check_message("(at)[.]" * 2800, "amazon", "en", "general")
    assert time.process_time() - start < 3.0


@pytest.mark.parametrize("text", [
    "a" + " " * 19_999,
    "a" + "\u3000" * 19_999,
    "a\u200b" + " " * 19_990,
    "a dot " * 3333,
    " [at] " * 3333,
    "a。" * 9999,
    "( " * 10_000,
])
def test_no_input_makes_the_normaliser_backtrack(text: str) -> None:
    import time

    start = time.process_time()
    for lang in ("en", "zh", "ru"):
        check_message(text[:20_000], "amazon", lang, "general")
    assert time.process_time() - start < 1.5


# ---- the labelled set, hidden in four ways, scores as the plain one ------------------------------------

def _zero_width(text: str) -> str:
    return "\u200b".join(text)


def _soft_hyphens(text: str) -> str:
    return "".join(c + "\u00ad" if c.isalpha() else c for c in text)


def _fullwidth(text: str) -> str:
    return "".join(FULLWIDTH.get(c, c) for c in text)


def _defanged(text: str) -> str:
    return text.replace("@", "[at]").replace(".com", "[.]com").replace(".ru", "(.)ru").replace(".cn", " dot cn")


@pytest.mark.parametrize("disguise", [_zero_width, _soft_hyphens, _fullwidth, _defanged])
def test_the_labelled_set_disguised_finds_the_same_rules(disguise) -> None:
    # Measured when written (194 messages, overall / held-out precision and recall):
    #   plain                     0.975 / 0.952, held-out 0.625 / 0.455 (before and after the change)
    #   zero-width before: 0.079 / 0.145, soft hyphens 0.106 / 0.202, fullwidth 0.451 / 0.629,
    #   defanged 0.950 / 0.911; after: each exactly the plain figures.
    messages = load_labelled(LABELLED)
    different = [(m.id, sorted(found_rules(m) ^ found_rules(dataclasses.replace(m, text=disguise(m.text)))))
                 for m in messages]
    assert not [d for d in different if d[1]]
    plain, disguised = score(messages).overall, score(
        [dataclasses.replace(m, text=disguise(m.text)) for m in messages]).overall
    assert (plain.tp, plain.fp, plain.fn) == (disguised.tp, disguised.fp, disguised.fn)
