"""How often the checker is right on labelled messages: precision and recall per rule.

A labelled message names the rule ids it should trigger (any severity). Scores are counted
over (message, rule) pairs and micro-averaged: a rule reported for a message that expects it
is a true positive, reported but not expected a false positive, expected but not reported a
false negative. Used by ``benchmarks/bench_compliance.py`` and the tests.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .checker import check_message


@dataclass(frozen=True)
class LabelledMessage:
    """A message with the rule ids it should trigger."""

    id: str
    platform: str
    lang: str
    kind: str
    text: str
    expect: frozenset[str]
    note: str = ""
    split: str = "tuning"  # "heldout": never used to change the rules


@dataclass
class Tally:
    """True positives, false positives and false negatives of one group."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class Scores:
    """Overall, per-rule and per-language tallies, and every disagreement."""

    overall: Tally = field(default_factory=Tally)
    by_rule: dict[str, Tally] = field(default_factory=dict)
    by_lang: dict[str, Tally] = field(default_factory=dict)
    mistakes: list[tuple[str, str, str]] = field(default_factory=list)  # (message id, "FP"|"FN", rule)
    messages: int = 0


def load_labelled(path: str | Path) -> list[LabelledMessage]:
    """Read a labelled-messages YAML file (``messages:`` list of id, platform, lang, kind, expect, text,
    optional note and split)."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return [
        LabelledMessage(id=m["id"], platform=m["platform"], lang=m["lang"], kind=m["kind"], text=m["text"],
                        expect=frozenset(m.get("expect") or ()), note=m.get("note", ""),
                        split=m.get("split", "tuning"))
        for m in data["messages"]
    ]


def found_rules(message: LabelledMessage, second_opinion: bool = False) -> frozenset[str]:
    """The rule ids the checker reports for ``message`` (by default the rules' alone: the labels
    name rules, and the learned model is trained on these messages)."""
    return frozenset(f.rule for f in check_message(message.text, message.platform, message.lang, message.kind,
                                                   second_opinion=second_opinion))


def score(messages: Iterable[LabelledMessage]) -> Scores:
    """Compare the rules with the labels, message by message."""
    scores = Scores()
    for message in messages:
        scores.messages += 1
        found = found_rules(message)
        outcomes: Counter[tuple[str, str]] = Counter()
        for rule in found | message.expect:
            outcome = "tp" if rule in found and rule in message.expect else ("fp" if rule in found else "fn")
            outcomes[(rule, outcome)] += 1
            if outcome != "tp":
                scores.mistakes.append((message.id, outcome.upper(), rule))
        for (rule, outcome), count in outcomes.items():
            for tally in (scores.overall, scores.by_rule.setdefault(rule, Tally()),
                          scores.by_lang.setdefault(message.lang, Tally())):
                setattr(tally, outcome, getattr(tally, outcome) + count)
    return scores


def as_rows(scores: Scores) -> list[dict[str, Any]]:
    """Per-rule rows (rule, tp, fp, fn, precision, recall), sorted by rule id."""
    return [{"rule": rule, "tp": t.tp, "fp": t.fp, "fn": t.fn, "precision": t.precision, "recall": t.recall}
            for rule, t in sorted(scores.by_rule.items())]


# --------------------------------------------------------------------------- the blind held-out set

@dataclass(frozen=True)
class BlindMessage:
    """A message labelled without reading the rules: should a checker stop it, and for what concern."""

    id: str
    platform: str
    lang: str
    kind: str
    text: str
    flag: bool
    concern: str
    note: str = ""


@dataclass
class BinaryScores:
    """Stop / send agreement on a blind set: a message is stopped when the checker reports an
    error-level finding; overall, per language and per concern (recall only: concerns are labels)."""

    overall: Tally = field(default_factory=Tally)
    by_lang: dict[str, Tally] = field(default_factory=dict)
    by_concern: dict[str, Tally] = field(default_factory=dict)
    mistakes: list[tuple[str, str, str]] = field(default_factory=list)  # (message id, "FP"|"FN", concern or rules)


#: Labels a later policy decision reverses, per set file name: the files stay frozen as written, and
#: these messages are read as the current policy labels them. The first and third sets' briefs made a
#: missing prevention step a stop; since 2026-12-05 it is a warning (coached in practice, not stopped:
#: see apology.missing_improvement in rules.yaml), so their apologies flagged only for it may be sent.
#: Also since 2026-12-05: a remedy already sent with its tracking number and the day it arrives is the
#: apology's next step (the later writers, six sets of them, label such letters clean; the third set's
#: brief did not): its zh-020 is read as clean. Then the day the remedy arrives alone, tracked or not:
#: five later writers label such apologies clean ("будет у вас завтра до 18:00"), two earlier ones did
#: not, noting no way back; seed 002 asks for one, so it is a warning (apology.missing_way_back), and
#: those two (the third blind set's en-018, the fourth set's ru-044) are read as clean.
POLICY_RELABELS: dict[str, dict[str, str]] = {
    "heldout_blind.yaml": dict.fromkeys(("en-027", "zh-027", "ru-027"), "prevention step only (now a warning)"),
    "tuning_set3.yaml": {**dict.fromkeys(("en-020", "zh-021", "ru-020"), "prevention step only (now a warning)"),
                         "zh-020": "a tracked resend with its arrival day is the next step"},
    "heldout_blind3.yaml": {"en-018": "the remedy's arrival day is the next step (no way back: now a warning)"},
    "tuning_set4.yaml": {"ru-044": "the remedy's arrival day is the next step (no way back: now a warning)"},
}


def load_blind(path: str | Path) -> list[BlindMessage]:
    """Read a blind labelled set (``messages:`` of id, platform, lang, kind, flag, concern, text, note),
    with the labels a later policy decision reversed (:data:`POLICY_RELABELS`) read as clean."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    relabels = POLICY_RELABELS.get(Path(path).name, {})
    return [BlindMessage(id=m["id"], platform=m["platform"], lang=m["lang"], kind=m["kind"], text=m["text"],
                         flag=bool(m["flag"]) and m["id"] not in relabels,
                         concern="none" if m["id"] in relabels else m.get("concern", "none"),
                         note=m.get("note", "") + (f" [relabelled: {relabels[m['id']]}]" if m["id"] in relabels else ""))
            for m in data["messages"]]


def stopped_by(message: BlindMessage, second_opinion: bool = True) -> frozenset[str]:
    """The error-level rules the checker reports for ``message`` (empty: it may be sent); with
    ``second_opinion`` off, the rules' alone (see :func:`~.checker.check_message`)."""
    return frozenset(f.rule for f in check_message(message.text, message.platform, message.lang, message.kind,
                                                   second_opinion=second_opinion)
                     if f.severity == "error")


def score_blind(messages: Iterable[BlindMessage], second_opinion: bool = True) -> BinaryScores:
    """Compare the checker's stop / send with the blind labels (with the learned second opinion, or
    the rules alone)."""
    scores = BinaryScores()
    for message in messages:
        errors = stopped_by(message, second_opinion)
        stopped = bool(errors)
        outcome = ("tp" if message.flag else "fp") if stopped else ("fn" if message.flag else None)
        if outcome is None:
            continue
        for tally in (scores.overall, scores.by_lang.setdefault(message.lang, Tally()),
                      scores.by_concern.setdefault(message.concern, Tally())):
            setattr(tally, outcome, getattr(tally, outcome) + 1)
        if outcome != "tp":
            scores.mistakes.append((message.id, outcome.upper(), message.concern if outcome == "fn"
                                    else ", ".join(sorted(errors))))
    return scores
