"""A learned second opinion for the rule checker: does this message read like ones a reviewer stopped?

The rules (``rules.yaml``) find forbidden things by patterns and by concepts that co-occur. On blind
sets written to hide them they stop seven or eight messages in ten that they should (issue 15,
``benchmarks/bench_compliance.py``). This module adds what a reviewer's memory adds: a naive Bayes
classifier per language, trained on every labelled message the project has
(:mod:`.training`), that scores the whole message and names the concern it resembles most.

Features (chosen by cross-validation over whole labelled sets, one set left out at a time; the
figures are printed by ``benchmarks/bench_checker_classifier.py``):

- the words as the rules see them (Snowball stems, pymorphy3 lemmas, jieba words; digits as 0),
  and each pair of neighbouring words;
- the concepts of ``rules.yaml`` found in the message, and each pair of them found in one sentence
  (an incentive and a review, a cancellation and the buyer);
- for Chinese also the character 2- to 4-grams (jieba's words miss shop slang).

Each feature counts once per message. The model (``learned_model.json``) holds the log-odds each
feature adds, the prior, and two cuts per language picked on the training sets: at or above the
error cut a message is stopped (cross-validated precision ``settings.error_precision`` in
``learned.yaml``, 0.95), between the warning cut and it the agent is asked to read it again
(``settings.warning_precision``, 0.9); either only when its words lean towards
"stop" (above the prior) in a message of at least ``settings.min_words`` words. The finding points at the sentence that
weighs most and names its nearest concern in the reader's language (``learned.yaml``).

It speaks only when no rule has stopped the message: it is a second opinion, not a second list
of reasons. Pure and offline: the model is package data, read on the first check.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .concepts import Analysis, analyse, occurrences
from .rules import RulesError, lexicons, load_rules
from .vocabulary import LANGS

MODEL_FILE = Path(__file__).with_name("learned_model.json")
TEXTS_FILE = Path(__file__).with_name("learned.yaml")
RULE = "learned.resembles_stopped"
#: Chinese character n-grams (lengths) used as features.
ZH_CHAR_GRAMS = (2, 3, 4)
_DIGIT = re.compile(r"\d")


def features(text: str, lang: str, analysis: Analysis | None = None) -> dict[str, int]:
    """The features of ``text`` (normalised and lower-cased, as the rules see it): each feature
    once, with the sentence it first occurs in (sentences as :class:`~.concepts.Analysis` counts them)."""
    if analysis is None:
        analysis = analyse(text, lang)
    found: dict[str, int] = {}

    def add(name: str, sentence: int) -> None:
        found.setdefault(name, sentence)

    norms = [_DIGIT.sub("0", word) for word in analysis.norms]
    sentences = [analysis.sentence_of(start) for start in analysis.starts]
    for i, word in enumerate(norms):
        add("w" + word, sentences[i])
        if i + 1 < len(norms):
            add("b" + word + "_" + norms[i + 1], sentences[i])
    per_sentence: dict[int, set[str]] = {}
    every = lexicons(lang)
    for name in every:
        for start, _end in occurrences(analysis, name, every):  # cached on the analysis: the rules found many
            sentence = analysis.sentence_of(start)
            add("k" + name, sentence)
            per_sentence.setdefault(sentence, set()).add(name)
    for sentence, names in per_sentence.items():
        ordered = sorted(names)
        for i, first in enumerate(ordered):
            for second in ordered[i + 1:]:
                add("p" + first + "|" + second, sentence)
    if lang == "zh":
        chars = [(ch, position) for position, ch in enumerate(_DIGIT.sub("0", text)) if not ch.isspace()]
        for n in ZH_CHAR_GRAMS:
            for i in range(len(chars) - n + 1):
                add("c" + "".join(ch for ch, _ in chars[i:i + n]), analysis.sentence_of(chars[i][1]))
    return found


@dataclass(frozen=True)
class LanguageModel:
    """One language's classifier: log-odds per feature, the prior, the two cuts, and the concern model."""

    prior: float
    weights: dict[str, float]
    error_cut: float
    warning_cut: float
    concern_priors: dict[str, float]
    concern_weights: dict[str, dict[str, float]]  # concern -> feature -> log P(feature | concern)
    concern_unseen: dict[str, float]  # concern -> log P(an unseen feature | concern)

    def score(self, found: Iterable[str]) -> float:
        """Log-odds that a reviewer would stop a message with these features."""
        return self.prior + sum(self.weights.get(name, 0.0) for name in found)

    def concern(self, found: Iterable[str]) -> str:
        """The concern the message resembles most (multinomial naive Bayes over the stopped messages)."""
        names = list(found)
        best, best_score = "", float("-inf")
        for concern, prior in sorted(self.concern_priors.items()):
            weights, unseen = self.concern_weights[concern], self.concern_unseen[concern]
            value = prior + sum(weights.get(name, unseen) for name in names if name in self.weights)
            if value > best_score:
                best, best_score = concern, value
        return best


@lru_cache(maxsize=1)
def load_model() -> dict[str, LanguageModel]:
    """The shipped model, per language (read once)."""
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    return {lang: LanguageModel(prior=raw["prior"], weights=raw["weights"], error_cut=raw["error_cut"],
                                warning_cut=raw["warning_cut"], concern_priors=raw["concern_priors"],
                                concern_weights=raw["concern_weights"], concern_unseen=raw["concern_unseen"])
            for lang, raw in data["languages"].items()}


@lru_cache(maxsize=1)
def texts() -> dict[str, Any]:
    """``learned.yaml``: the finding's source and message per severity and language, the concerns'
    names, where a concern applies, and the settings; checked on loading (:func:`check_texts`)."""
    try:
        data = yaml.safe_load(TEXTS_FILE.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RulesError(f"cannot read {TEXTS_FILE.name}: {exc}") from None
    check_texts(data)
    return dict(data)


def check_texts(data: Any) -> None:
    """Raise :class:`~.rules.RulesError` naming the file and the field when ``learned.yaml`` lacks
    something the finding needs or has a setting out of range."""
    where = TEXTS_FILE.name

    def fail(field: str, problem: str) -> RulesError:
        return RulesError(f"{where}: {field}: {problem}")

    if not isinstance(data, dict):
        raise RulesError(f"{where}: expected a mapping with source, settings, message and concerns")
    if not isinstance(data.get("source"), str) or not data["source"].strip():
        raise fail("source", "a non-empty text is needed")
    messages = data.get("message") if isinstance(data.get("message"), dict) else {}
    for severity in ("error", "warning"):
        for lang in LANGS:
            said = (messages.get(severity) or {}).get(lang)
            if not isinstance(said, str) or "{concern}" not in said:
                raise fail(f"message.{severity}.{lang}", "a text with {concern} in it is needed")
    concerns = data.get("concerns")
    if not isinstance(concerns, dict) or not concerns:
        raise fail("concerns", "a mapping of concern names is needed")
    for concern, names in concerns.items():
        missing = [lang for lang in LANGS if not isinstance(names, dict) or not str(names.get(lang) or "").strip()]
        if missing:
            raise fail(f"concerns.{concern}", f"no name in {', '.join(missing)}")
    known = {rule.id for rule in load_rules()}
    for concern, rule_ids in (data.get("only_where") or {}).items():
        if concern not in concerns:
            raise fail(f"only_where.{concern}", f"unknown concern; allowed: {', '.join(sorted(concerns))}")
        unknown = sorted(set(rule_ids or ()) - known)
        if not rule_ids or unknown:
            raise fail(f"only_where.{concern}", f"unknown rule ids {unknown}" if unknown else "list at least one rule id")
    concept_names = set(_concept_names())
    for concern, names in (data.get("unless") or {}).items():
        if concern not in concerns:
            raise fail(f"unless.{concern}", f"unknown concern; allowed: {', '.join(sorted(concerns))}")
        unknown = sorted(set(names or ()) - concept_names)
        if not names or unknown:
            raise fail(f"unless.{concern}", f"unknown concepts {unknown} (concepts are named in rules.yaml)"
                       if unknown else "list at least one concept of rules.yaml")
    settings = data.get("settings")
    if not isinstance(settings, dict):
        raise fail("settings", "error_precision, warning_precision and min_words are needed")
    for name in ("error_precision", "warning_precision"):
        value = settings.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0.5 <= value <= 1:
            raise fail(f"settings.{name}", f"a share between 0.5 and 1 is needed, not {value!r}")
    if settings["warning_precision"] > settings["error_precision"]:
        raise fail("settings.warning_precision", "must not be above settings.error_precision")
    words = settings.get("min_words")
    if isinstance(words, bool) or not isinstance(words, int) or words < 1:
        raise fail("settings.min_words", f"a whole number of at least 1 is needed, not {words!r}")


@dataclass(frozen=True)
class Opinion:
    """What the classifier thinks of a message: its score, the severity it earns, the nearest
    concern, and the characters of the sentence that weighs most (in the normalised text)."""

    score: float
    severity: str | None  # "error", "warning", or None (nothing to say)
    concern: str
    span: tuple[int, int] | None

    def message(self, lang: str) -> str:
        """The finding's text in ``lang``: what it resembles and what to do."""
        words = texts()
        concern = words["concerns"][self.concern][lang] if self.concern in words["concerns"] else self.concern
        return str(words["message"][self.severity or "warning"][lang]).format(concern=concern)


def _concept_names() -> list[str]:
    return list(lexicons("en"))


def softened(said: Opinion, analysis: Analysis) -> Opinion:
    """``said``, an error made a warning when the sentence it points at, or one next to it, says what
    defuses its concern (``unless`` in ``learned.yaml``: e.g. a review invited whatever the rating is no gating):
    the agent reads it again, but it is not stopped on the model's word alone."""
    defusing = (texts().get("unless") or {}).get(said.concern)
    if said.severity != "error" or not defusing:
        return said
    every = lexicons(analysis.lang)
    begin, end = 0, len(analysis.text)
    if said.span is not None:  # the sentence it points at and the ones either side
        middle = analysis.sentence_of(said.span[0])
        begin, end = analysis.sentence_span(max(0, middle - 1), min(analysis.sentences - 1, middle + 1))
    if any(begin <= start and stop <= end for name in defusing for start, stop in occurrences(analysis, name, every)):
        return Opinion(said.score, "warning", said.concern, said.span)
    return said


def opinion(text: str, lang: str, analysis: Analysis | None = None) -> Opinion:
    """The classifier's opinion of ``text`` (normalised and lower-cased) in ``lang``."""
    model = load_model()[lang]
    if analysis is None:
        analysis = analyse(text, lang)
    found = features(text, lang, analysis)
    value = model.score(found)
    # it speaks only when the words lean towards "stop" (a message with few words, or none it knows,
    # scores about the prior and says nothing)
    words = sum(1 for norm in analysis.norms if any(char.isalnum() for char in norm))  # not "⁄" nor a control
    leaning = value > model.prior and words >= texts()["settings"]["min_words"]
    severity = None if not leaning else "error" if value >= model.error_cut else \
        "warning" if value >= model.warning_cut else None
    if severity is None:
        return Opinion(value, None, "", None)
    weight_of: dict[int, float] = {}
    for name, sentence in found.items():
        weight_of[sentence] = weight_of.get(sentence, 0.0) + model.weights.get(name, 0.0)
    heaviest = max(weight_of, key=lambda s: (weight_of[s], -s)) if weight_of else 0
    begin, end = analysis.sentence_span(heaviest, heaviest)
    while begin < end and text[begin].isspace():
        begin += 1
    while end > begin and text[end - 1].isspace():
        end -= 1
    return Opinion(value, severity, model.concern(found), (begin, end) if end > begin else None)


__all__ = ["MODEL_FILE", "RULE", "LanguageModel", "Opinion", "check_texts", "features", "load_model", "opinion",
           "softened", "texts"]
