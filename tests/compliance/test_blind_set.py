"""The blind held-out set (issue 15, part 3): written by someone who had not read the rules, frozen
before any rule changed. The checker is measured on it (benchmarks/bench_compliance.py); here
the file is kept as it was written, and the checker never falls below where it started."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import pytest
import yaml

from aftersales.compliance import check_message
from aftersales.compliance.evaluation import POLICY_RELABELS, load_blind, score_blind

HERE = Path(__file__).parent
BLIND = HERE / "heldout_blind.yaml"
#: sha256 of the file as written and frozen on 2026-12-05: never edit it to fit the checker.
FROZEN = "7dfbb09efa762fa4d59ecabb986b96a4608208e5c727556b56b1d492f24204d2"
#: Stop / send on the set before any rule was tuned on it (rules of commit ed5d084).
BASELINE = {"precision": 0.729, "recall": 0.389}
#: After the concept-based checker (issue 15, parts 3-4), measured before the set was read.
AFTER_CONCEPTS = {"precision": 0.912, "recall": 0.811}
#: Then its misses were read and fixed: it is a tuning set now, and stays fully right.
TUNED = {"precision": 1.0, "recall": 1.0}

#: The second blind set: another writer, frozen (commit 69754a7) before it was measured.
BLIND2 = Path(__file__).with_name("heldout_blind2.yaml")
FROZEN2 = "c1ae951fd0ad3ba037fc918d20fa0ddd931adc1c3e746d01abcad0fcbf36f202"
#: Measured after tuning on the first set (0.734 / 0.767), after tuning on the third too (0.753 / 0.811),
#: with a missing prevention step a warning instead of a stop (0.912 / 0.811), then after tuning on the
#: fourth set (0.915 / 0.833), then the fifth (0.927 / 0.844), then the sixth: the floor. The sixth set's
#: claim-withdrawal rule stops one more message here (precision 0.927 -> 0.917, recall 0.844 -> 0.856);
#: after the seventh set one more blame finding (0.906 / 0.856).
HELD_OUT2 = {"precision": 0.906, "recall": 0.856}

#: The third set (a third writer blind to the rules), measured as it came (0.825 / 0.653), then tuned on.
SET3 = Path(__file__).with_name("tuning_set3.yaml")
#: The fourth set (a fourth writer), measured as it came (0.797 / 0.680), then tuned on.
SET4 = HERE / "tuning_set4.yaml"

#: The third blind set: a fifth writer, frozen (commit 5833a5a) before it was measured.
BLIND3 = HERE / "heldout_blind3.yaml"
FROZEN3 = "acc7d3149674bbcd31b7bc92a639b496e29ac39731c609dae3e0e4bd66b6751d"
#: Measured as it came (0.892 / 0.822), after tuning on the fourth set (0.897 / 0.867), the fifth
#: (0.899 / 0.889), the sixth (0.902 / 0.922), the seventh (0.911 / 0.911), then after a cancel-request
#: relation made from reading the second to fourth sets' misses (no longer blind since): the floor.
#: Its en-018 (a replacement due Thursday, no way back) is read as clean since the arrival-day policy: 82/89.
HELD_OUT3 = {"precision": 0.912, "recall": 0.921}
#: The fifth set (a sixth writer), measured as it came (0.855 / 0.627), then tuned on (two misses left).
SET5 = HERE / "tuning_set5.yaml"

#: The fourth blind set: a seventh writer, frozen (commit e5732e7) before it was measured.
BLIND4 = HERE / "heldout_blind4.yaml"
FROZEN4 = "cd9c600c4a86299620cfbcfbec0b79ea18f1b51314e6a7b643351b30cdcba515"
#: Measured on the rules before the fifth set (0.877 / 0.789), after tuning on it (0.900 / 0.800), on the
#: sixth and seventh (0.902 / 0.822), then after the cancel-request relation (read: no longer blind): the floor.
HELD_OUT4 = {"precision": 0.906, "recall": 0.856}
#: The fifth blind set: a tenth writer asked to paraphrase harder, frozen (commit cb32d2f) before it was
#: measured; as it came (0.925 / 0.689), then after the cancel-request relation: the floor.
BLIND5 = HERE / "heldout_blind5.yaml"
FROZEN5 = "c6180d393f3326b6a11879f5e01978fb3e5aae85681c120d7f135ec6f3f615ad"
HELD_OUT5 = {"precision": 0.926, "recall": 0.700}
#: The sixth blind set: an eleventh writer who read neither the rules nor the other sets, frozen (commit
#: 86d97ec) before it was measured or anything was tuned. As it came, the rules alone 0.899 / 0.789; with the
#: learned second opinion trained without it (measured once) 0.905 / 0.956. Then its false stops were read
#: and the rules fixed (0.977 / 0.956), and the model trained on it: it is a tuning set now.
BLIND6 = HERE / "heldout_blind6.yaml"
FROZEN6 = "0548eb52b3fbf22bfe535b29a6e22b092f2f02b581929d5a5ff06472ad584fda"
#: The seventh blind set: a twelfth writer (same brief), frozen (commit 99acfd9) before the sixth was read.
#: Measured at commit 59dca55 (rules 0.846 / 0.856, with the second opinion 0.824 / 0.933), then after the
#: sixth set was read and trained on (0.856 / 0.856 and 0.817 / 0.944); then its false stops were read,
#: the rules fixed and the model trained on it: a tuning set now.
BLIND7 = HERE / "heldout_blind7.yaml"
FROZEN7 = "debf44e0d4df69514f5680a5c8936006b8a1a189e3df9a3c0a0e96f3a8d1104e"
TUNED7_RULES = {"precision": 0.987, "recall": 0.856}
TUNED7 = {"precision": 0.978, "recall": 0.989}
#: The eighth blind set: a thirteenth writer (same brief, more everyday clean messages), frozen (commit
#: 1ee14fd) before the seventh was read. Measured twice without being read (rules 0.938 / 0.833, with the
#: second opinion 0.907 / 0.978), then read, the rules fixed and the model trained on it.
BLIND8 = HERE / "heldout_blind8.yaml"
FROZEN8 = "89db5a0bf7166d5e30a1d5f8ad8bc8e2d40b0efa99323cf62f27688264153b37"
TUNED8_RULES = {"precision": 1.0, "recall": 0.833}
TUNED8 = {"precision": 1.0, "recall": 0.989}
#: The ninth blind set: a fourteenth writer (mostly everyday clean messages), frozen (commit f4be369) before
#: the eighth set and the everyday clean set were read. Measured at f4be369 (rules 0.927 / 0.844, with the
#: second opinion 0.900 / 1.000), then after that tuning (0.938 / 0.844 and 0.938 / 1.000); then read, the
#: rules fixed (a warranty's scope, a warning about scammers, a refund's trigger as the next step) and the
#: model trained on it.
BLIND9 = HERE / "heldout_blind9.yaml"
FROZEN9 = "bf425a81807693221721a033febc9262b5916f1d350536e806706ba31001379c"
TUNED9_RULES = {"precision": 1.0, "recall": 0.844}
TUNED9 = {"precision": 1.0, "recall": 1.0}
#: The tenth blind set: a fifteenth writer (same brief), frozen (commit f44dd75) before the ninth set's
#: lessons landed. Measured at 4206054 (rules 0.922 / 0.789, with the second opinion 0.904 / 0.944) and after
#: the ninth was read and trained on (the same); then read, the rules fixed (a pickup station's or carrier's
#: phone, "we answered wrongly", how to cancel told as a possibility, the true out-of-stock reason, refund-only
#: so there is nothing to rate, money back once the review is posted) and the model trained on it.
BLIND10 = HERE / "heldout_blind10.yaml"
FROZEN10 = "a957b7745ac4d99b83653faa9d7bc969a39585cf1ab60511ed909ab465346326"
TUNED10_RULES = {"precision": 1.0, "recall": 0.811}
TUNED10 = {"precision": 1.0, "recall": 0.989}
#: The eleventh blind set: a sixteenth writer (same brief; many hard clean messages), frozen (commit 1ab5934)
#: before the tenth set's lessons landed. Measured at b141848 (rules 0.862 / 0.833, with the second opinion
#: 0.861 / 0.967) and after the tenth was read and trained on (the same); then read, the rules fixed (carrier
#: sites and hotlines, the Russian Post, a plug's pins, cash on delivery, an arrival day as the next step,
#: apologies and problems in other words, a sale given as the reason no return applies, PayPal as a verb)
#: and the model trained on it.
BLIND11 = HERE / "heldout_blind11.yaml"
FROZEN11 = "8d804eafdc0c309423b6570e62ba8d7963c044517836b901b0a2d17a373d7a3c"
TUNED11_RULES = {"precision": 1.0, "recall": 0.856}
TUNED11 = {"precision": 1.0, "recall": 1.0}
#: The twelfth blind set: a seventeenth writer (same brief), frozen (commit 3fc53aa) before the eleventh set's
#: lessons landed; never read nor trained on. Measured at 766c96b (rules 0.960 / 0.800, with the second
#: opinion 0.947 / 0.989), then after the eleventh was read and trained on: the floors.
BLIND12 = HERE / "heldout_blind12.yaml"
FROZEN12 = "91e011de402dffb3b41c6b04617f510b714c491e472a04f6b985342d8ec4f303"
HELD_OUT12_RULES = {"precision": 0.986, "recall": 0.8}
HELD_OUT12 = {"precision": 0.967, "recall": 0.989}
#: 240 everyday clean messages by a writer who did not read the rules (tuning_set8, commit 1986522): as they
#: came the rules stopped 23 and the checker with its second opinion 40; read and tuned on, at most these stop.
EVERYDAY = HERE / "tuning_set8.yaml"
EVERYDAY_STOPPED = {"rules": 11, "shipped": 11}
#: Read and tuned on: the rules alone (their precision was what it lacked), and the checker as shipped.
TUNED6_RULES = {"precision": 0.986, "recall": 0.789}
TUNED6 = {"precision": 0.989, "recall": 1.0}
#: The sixth set (an eighth writer), measured as it came (0.839 / 0.627), then tuned on (one message left,
#: zh-020, a resend with a tracking number and no way back to us, which the third set labelled the other way;
#: since that label is read under the later policy, none).
SET6 = HERE / "tuning_set6.yaml"
#: The seventh set (a ninth writer), measured as it came (0.909 / 0.667), then tuned on (two left).
SET7 = HERE / "tuning_set7.yaml"


def test_the_blind_sets_are_the_frozen_ones() -> None:
    assert hashlib.sha256(BLIND.read_bytes()).hexdigest() == FROZEN
    assert hashlib.sha256(BLIND2.read_bytes()).hexdigest() == FROZEN2
    assert hashlib.sha256(BLIND3.read_bytes()).hexdigest() == FROZEN3
    assert hashlib.sha256(BLIND4.read_bytes()).hexdigest() == FROZEN4
    assert hashlib.sha256(BLIND5.read_bytes()).hexdigest() == FROZEN5
    assert hashlib.sha256(BLIND6.read_bytes()).hexdigest() == FROZEN6
    assert hashlib.sha256(BLIND7.read_bytes()).hexdigest() == FROZEN7
    assert hashlib.sha256(BLIND8.read_bytes()).hexdigest() == FROZEN8
    assert hashlib.sha256(BLIND9.read_bytes()).hexdigest() == FROZEN9
    assert hashlib.sha256(BLIND10.read_bytes()).hexdigest() == FROZEN10
    assert hashlib.sha256(BLIND11.read_bytes()).hexdigest() == FROZEN11
    assert hashlib.sha256(BLIND12.read_bytes()).hexdigest() == FROZEN12


@pytest.mark.parametrize("path", [BLIND, BLIND2, BLIND3, BLIND4, BLIND5, BLIND6, BLIND7, BLIND8, BLIND9, BLIND10,
                                  BLIND11, BLIND12],
                         ids=["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
                              "tenth", "eleventh", "twelfth"])
def test_a_blind_set_has_sixty_messages_per_language_half_of_them_to_stop(path: Path) -> None:
    messages = yaml.safe_load(path.read_text(encoding="utf-8"))["messages"]  # as written, before any relabel
    assert Counter(m["lang"] for m in messages) == {"en": 60, "zh": 60, "ru": 60}
    assert Counter((m["lang"], m["flag"]) for m in messages) == {(lang, flag): 30 for lang in ("en", "zh", "ru")
                                                                for flag in (True, False)}
    assert all((m["concern"] == "none") == (not m["flag"]) for m in messages)


@pytest.mark.parametrize("name", sorted(POLICY_RELABELS))
def test_a_policy_relabel_reads_a_flagged_apology_the_checker_now_only_warns_about(name: str) -> None:
    """The relabels stay tied to the files: each names a message written as a flagged incomplete
    apology, which the checker lets through with a missing-improvement warning (and, where the remedy's
    arrival day is its only next step, a missing-way-back warning)."""
    written = {m["id"]: m for m in yaml.safe_load(HERE.joinpath(name).read_text(encoding="utf-8"))["messages"]}
    read = {m.id: m for m in load_blind(HERE / name)}
    for message_id in POLICY_RELABELS[name]:
        assert written[message_id]["flag"] is True and written[message_id]["concern"] == "apology_incomplete"
        assert read[message_id].flag is False and "relabelled" in read[message_id].note
        findings = check_message(read[message_id].text, read[message_id].platform, read[message_id].lang, "apology")
        assert {(f.rule, f.severity) for f in findings} - {("apology.missing_way_back", "warning")} == {
            ("apology.missing_improvement", "warning")}


def test_the_checker_is_no_worse_on_the_blind_set_than_it_has_been() -> None:
    """A ratchet: never below the figures measured after the concept-based checker (which were
    measured once, never tuned on), and so never below where it started either."""
    overall = score_blind(load_blind(BLIND), second_opinion=False).overall
    assert overall.precision >= TUNED["precision"] - 0.0005 >= AFTER_CONCEPTS["precision"] >= BASELINE["precision"]
    assert overall.recall >= TUNED["recall"] - 0.0005 >= AFTER_CONCEPTS["recall"] >= BASELINE["recall"]


@pytest.mark.parametrize("path, per_language", [(SET3, 40), (SET4, 50)], ids=["third", "fourth"])
def test_a_tuning_set_stays_fully_right_and_has_its_shape(path: Path, per_language: int) -> None:
    messages = load_blind(path)
    assert Counter(m.lang for m in messages) == {"en": per_language, "zh": per_language, "ru": per_language}
    assert all((m.concern == "none") == (not m.flag) for m in messages)
    overall = score_blind(messages, second_opinion=False).overall
    assert overall.precision == 1.0 and overall.recall == 1.0


def test_the_checker_is_no_worse_on_the_second_blind_set_than_when_it_was_first_measured() -> None:
    overall = score_blind(load_blind(BLIND2), second_opinion=False).overall
    assert overall.precision >= HELD_OUT2["precision"] - 0.0005
    assert overall.recall >= HELD_OUT2["recall"] - 0.0005


@pytest.mark.parametrize("path, floor", [(BLIND3, HELD_OUT3), (BLIND4, HELD_OUT4), (BLIND5, HELD_OUT5)],
                         ids=["third", "fourth", "fifth"])
def test_the_checker_is_no_worse_on_a_later_blind_set_than_when_it_was_last_measured(path: Path, floor: dict) -> None:
    overall = score_blind(load_blind(path), second_opinion=False).overall
    assert overall.precision >= floor["precision"] - 0.0005
    assert overall.recall >= floor["recall"] - 0.0005


def test_the_fifth_set_keeps_its_tuned_figures() -> None:
    messages = load_blind(SET5)
    assert Counter(m.lang for m in messages) == {"en": 50, "zh": 50, "ru": 50}
    overall = score_blind(messages, second_opinion=False).overall
    assert overall.precision == 1.0 and overall.recall >= 0.973 - 0.0005


def test_the_sixth_set_keeps_its_tuned_figures() -> None:
    messages = load_blind(SET6)
    assert Counter(m.lang for m in messages) == {"en": 50, "zh": 50, "ru": 50}
    assert Counter((m.lang, m.flag) for m in messages) == {(lang, flag): 25 for lang in ("en", "zh", "ru")
                                                         for flag in (True, False)}
    scores = score_blind(messages, second_opinion=False)
    assert scores.overall.precision == 1.0 and scores.overall.recall == 1.0  # zh-020 too, since the relabel of 3/zh-020


def test_the_seventh_set_keeps_its_tuned_figures() -> None:
    messages = load_blind(SET7)
    assert Counter(m.lang for m in messages) == {"en": 50, "zh": 50, "ru": 50}
    scores = score_blind(messages, second_opinion=False)
    assert scores.overall.precision >= 0.987 - 0.0005 and scores.overall.recall >= 0.987 - 0.0005
    assert sorted((message_id, kind) for message_id, kind, _what in scores.mistakes) == [("ru-023", "FN"), ("zh-043", "FP")]


@pytest.mark.parametrize("path, rules_floor, shipped_floor", [(BLIND6, TUNED6_RULES, TUNED6), (BLIND7, TUNED7_RULES, TUNED7),
                                                             (BLIND8, TUNED8_RULES, TUNED8), (BLIND9, TUNED9_RULES, TUNED9),
                                                             (BLIND10, TUNED10_RULES, TUNED10),
                                                             (BLIND11, TUNED11_RULES, TUNED11)],
                         ids=["sixth", "seventh", "eighth", "ninth", "tenth", "eleventh"])
def test_a_blind_set_read_and_tuned_on_keeps_its_figures(path: Path, rules_floor: dict, shipped_floor: dict) -> None:
    """Read and tuned on: the rules alone, and the checker as shipped (the model trained on it too)."""
    _no_worse(load_blind(path), rules_floor, shipped_floor)


def _no_worse(messages: list, rules_floor: dict, shipped_floor: dict) -> None:
    rules = score_blind(messages, second_opinion=False).overall
    assert rules.precision >= rules_floor["precision"] - 0.0005 and rules.recall >= rules_floor["recall"] - 0.0005
    shipped = score_blind(messages).overall
    assert shipped.precision >= shipped_floor["precision"] - 0.0005 and shipped.recall >= shipped_floor["recall"] - 0.0005


def test_the_twelfth_blind_set_is_held_out_and_the_checker_is_no_worse_on_it() -> None:
    from aftersales.compliance.training import HELD_OUT, training_files

    assert BLIND12.name in HELD_OUT and BLIND12.name not in {path.name for path in training_files()}
    _no_worse(load_blind(BLIND12), HELD_OUT12_RULES, HELD_OUT12)


def test_on_the_held_out_set_every_language_reaches_0_9_precision_and_recall() -> None:
    """Issue 15's target, on the set neither the rules nor the model have seen."""
    by_lang = score_blind(load_blind(BLIND12)).by_lang
    assert set(by_lang) == {"en", "zh", "ru"}
    for lang, tally in by_lang.items():
        assert tally.precision >= 0.9 and tally.recall >= 0.9, (lang, tally)


def test_everyday_clean_messages_are_rarely_stopped() -> None:
    messages = load_blind(EVERYDAY)
    assert len(messages) == 240 and not any(m.flag for m in messages)
    assert score_blind(messages, second_opinion=False).overall.fp <= EVERYDAY_STOPPED["rules"]
    assert score_blind(messages).overall.fp <= EVERYDAY_STOPPED["shipped"]
