"""Train the checker's learned second opinion (:mod:`.learned`) from the labelled message sets.

The sets live in the repository's ``tests/compliance``: the blind sets and tuning sets (each
message labelled stop or send, with the concern a reviewer saw) and ``labelled_messages.yaml``
(each message with the rules it should trigger: one with an error-level rule is a stop). The sets
named in :data:`HELD_OUT` are never trained on: they measure the checker.

Per language:

1. every message becomes its features (:func:`.learned.features`, each once);
2. a naive Bayes model (add-``ALPHA`` smoothing over feature presence) gives each feature the
   log-odds it adds to "stop"; features seen once in all the sets are dropped;
3. the two cuts are picked by cross-validation with one labelled set left out at a time (a new
   set is written by a new hand, so it is the honest test): the error cut is the lowest score
   whose left-out precision is at least ``settings.error_precision`` of ``learned.yaml``, the
   warning cut the lowest at ``settings.warning_precision``;
4. a second naive Bayes over the stopped messages of the blind and tuning sets learns which
   concern a message resembles.

Run from a clone after a labelled set or a concept of ``rules.yaml`` changes (a test checks that
the shipped model was trained on the sets and concepts as they are)::

    python -m aftersales.compliance.training          # writes learned_model.json
    python -m aftersales.compliance.training --check  # exit 1 if it is out of date
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .checker import normalise
from .learned import MODEL_FILE, features, texts
from .rules import load_rules
from .vocabulary import LANGS

#: The repository's labelled sets (a clone's ``tests/compliance``).
SETS_DIR = Path(__file__).resolve().parents[3] / "tests" / "compliance"
#: Sets that measure the checker and are never trained on.
HELD_OUT = ("heldout_blind12.yaml",)
ALPHA = 0.3
#: A feature must occur in at least this many messages to be kept.
MIN_COUNT = 2
#: How much one of the tool's own messages counts against a labelled one: a little, as they are many
#: and alike. One the model would still warn about counts as one message in the next round, then
#: HOUSE_STEP times more each round (at most HOUSE_ROUNDS rounds).
HOUSE_WEIGHT = 0.02
HOUSE_STEP = 4.0
HOUSE_ROUNDS = 5
DIGITS = 4


@dataclass(frozen=True)
class Example:
    """One labelled message: its language, text, whether a reviewer would stop it, the concern, its set."""

    lang: str
    text: str
    stop: bool
    concern: str
    group: str


def training_files(folder: Path = SETS_DIR) -> list[Path]:
    """The labelled sets trained on: every blind and tuning set but the held-out ones, and the labelled messages."""
    names = sorted(p.name for p in folder.glob("heldout_blind*.yaml")) + sorted(p.name for p in folder.glob("tuning_set*.yaml"))
    return [folder / name for name in names if name not in HELD_OUT] + [folder / "labelled_messages.yaml"]


def load_examples(files: Iterable[Path]) -> list[Example]:
    """The messages of ``files``, labelled stop / send (a labelled message with an expected
    error-level rule is a stop), with the later policy relabels applied."""
    from .evaluation import load_blind

    errors = {rule.id for rule in load_rules() if rule.severity == "error"}
    examples: list[Example] = []
    for path in files:
        if path.name == "labelled_messages.yaml":
            for m in yaml.safe_load(path.read_text(encoding="utf-8"))["messages"]:
                examples.append(Example(m["lang"], m["text"], bool(set(m.get("expect") or ()) & errors), "", path.name))
        else:
            examples += [Example(m.lang, m.text, m.flag, m.concern if m.flag else "", path.name) for m in load_blind(path)]
    return examples


#: The group of the tool's own messages: always trained on as messages that may be sent, never left
#: out nor counted when the cuts are picked (they are easy, and a new hand's set is the test).
HOUSE = "house messages"


def house_messages() -> list[Example]:
    """The messages the tool itself writes, each text once: every worked example and practice case
    decided on every platform of its playbook (in a currency the platform takes) in every language, and on its own platform turned to
    every other outcome (as an agent may pick one on the card). They are labelled "send": the test
    that walks every outcome message keeps them free of error-level findings."""
    from ..engine import decide, decide_outcome
    from ..errors import AftersalesError
    from ..examples import EXAMPLE_AS_OF
    from ..library import load_library
    from ..training.cases import load_cases

    library = load_library()
    bases = [(scenario, example.platform, example.facts, example.as_of or EXAMPLE_AS_OF)
             for scenario in library.scenarios for example, _ in library.playbook(scenario).examples]
    bases += [(case.scenario, case.platform, case.facts, case.as_of) for case in load_cases()]
    seen: dict[tuple[str, str], None] = {}
    for scenario, home, facts, as_of in bases:
        playbook = library.playbook(scenario)
        for platform in playbook.platforms:
            taken = library.profile(platform).values("2026-01-15").get("currencies") or []
            here = {**facts, "currency": taken[0]} if facts.get("currency") not in (None, *taken) and taken else facts
            for lang in LANGS:
                try:
                    decision = decide(playbook, here, platform, lang=lang, as_of=as_of, library=library)
                except AftersalesError:
                    break
                seen.setdefault((lang, decision.message["text"]), None)
                if platform != home:
                    continue
                for outcome in playbook.outcomes:
                    if outcome == decision.outcome:
                        continue
                    try:
                        seen.setdefault((lang, decide_outcome(decision, outcome).message["text"]), None)
                    except AftersalesError:
                        continue
    return [Example(lang, text, False, "", HOUSE) for lang, text in seen if text and text.strip()]


def featurise(example: Example) -> frozenset[str]:
    """The features of an example's text as the checker sees it."""
    return frozenset(features(normalise(example.text)[0], example.lang))


def fit_weights(rows: Sequence[tuple[frozenset[str], bool]], min_count: int = 1,
                house: Sequence[tuple[frozenset[str], float]] = ()) -> tuple[float, dict[str, float]]:
    """Naive Bayes over feature presence: the prior log-odds of "stop" and each feature's log-odds.
    Each of the tool's own messages (``house``: features and weight) counts as its weight of a
    message that may be sent, and not in the prior."""
    counts: dict[bool, Counter[str]] = {True: Counter(), False: Counter()}
    for found, stop in rows:
        counts[stop].update(found)
    for found, weight in house:
        for name in found:
            counts[False][name] += weight  # type: ignore[assignment]
    docs = Counter(stop for _, stop in rows)
    vocabulary = set(counts[True]) | set(counts[False])
    size = len(vocabulary) or 1
    totals = {label: sum(c.values()) + ALPHA * size for label, c in counts.items()}
    prior = math.log((docs[True] + 1) / (docs[False] + 1))
    weights = {name: math.log((counts[True][name] + ALPHA) / totals[True])
               - math.log((counts[False][name] + ALPHA) / totals[False])
               for name in vocabulary if counts[True][name] + counts[False][name] >= min_count}
    return prior, weights


def score(prior: float, weights: dict[str, float], found: Iterable[str]) -> float:
    return prior + sum(weights.get(name, 0.0) for name in found)


def left_out_scores(rows: Sequence[tuple[frozenset[str], bool]], groups: Sequence[str],
                    house: Sequence[tuple[frozenset[str], float]]) -> list[float]:
    """Each labelled row's score from a model trained on every other set (one set left out at a
    time) and the tool's own messages."""
    scores = [0.0] * len(rows)
    for group in sorted(set(groups)):
        prior, weights = fit_weights([row for row, g in zip(rows, groups, strict=True) if g != group], MIN_COUNT, house)
        for i, g in enumerate(groups):
            if g == group:
                scores[i] = score(prior, weights, rows[i][0])
    return scores


def cut_for(scores: Sequence[float], labels: Sequence[bool], precision: float) -> float:
    """The lowest score whose messages at or above it are stops with at least ``precision``."""
    pairs = sorted(zip(scores, labels, strict=True), reverse=True)
    cut = pairs[0][0] + 1.0 if pairs else 0.0
    stops = taken = 0
    for i, (value, label) in enumerate(pairs):
        taken += 1
        stops += label
        if (i + 1 == len(pairs) or pairs[i + 1][0] < value) and stops / taken >= precision:
            cut = value
    return cut


def fit_concerns(rows: Sequence[tuple[frozenset[str], str]], kept: set[str]) -> dict[str, Any]:
    """A multinomial naive Bayes over the concerns of the stopped messages (features in ``kept`` only)."""
    counts: dict[str, Counter[str]] = {}
    for found, concern in rows:
        counts.setdefault(concern, Counter()).update(found & kept)
    size = len(kept) or 1
    priors, weights, unseen = {}, {}, {}
    for concern, counter in sorted(counts.items()):
        docs = sum(1 for _, c in rows if c == concern)
        denominator = sum(counter.values()) + ALPHA * size
        priors[concern] = round(math.log(docs / len(rows)), DIGITS)
        weights[concern] = {name: round(math.log((n + ALPHA) / denominator), DIGITS) for name, n in sorted(counter.items())}
        unseen[concern] = round(math.log(ALPHA / denominator), DIGITS)
    return {"concern_priors": priors, "concern_weights": weights, "concern_unseen": unseen}


@dataclass(frozen=True)
class LanguageFit:
    """A language's fitted model (as JSON data) and its cross-validated figures."""

    model: dict[str, Any]
    left_out: list[float]
    labels: list[bool]


def fit_language(examples: Sequence[Example], lang: str) -> LanguageFit:
    """Fit one language's model from its examples (see the module's doc)."""
    mine = [e for e in examples if e.lang == lang and e.group != HOUSE]
    rows = [(featurise(e), e.stop) for e in mine]
    groups = [e.group for e in mine]
    labels = [stop for _, stop in rows]
    own = [featurise(e) for e in examples if e.lang == lang and e.group == HOUSE]
    settings = texts()["settings"]
    house_weights = [HOUSE_WEIGHT] * len(own)
    for _round in range(HOUSE_ROUNDS):
        house = list(zip(own, house_weights, strict=True))
        left_out = left_out_scores(rows, groups, house)
        prior, weights = fit_weights(rows, MIN_COUNT, house)
        error_cut = cut_for(left_out, labels, settings["error_precision"])
        warning_cut = cut_for(left_out, labels, settings["warning_precision"])
        warned = [i for i, found in enumerate(own) if score(prior, weights, found) >= warning_cut]
        if not warned:
            break
        for i in warned:
            house_weights[i] = max(1.0, house_weights[i] * HOUSE_STEP)
    model: dict[str, Any] = {
        "prior": round(prior, DIGITS),
        "weights": {name: round(value, DIGITS) for name, value in sorted(weights.items())},
        "error_cut": round(error_cut, DIGITS),
        "warning_cut": round(warning_cut, DIGITS),
        "messages": len(labels),
        "stops": sum(labels),
        "house_messages": len(own),
        "house_counted_more": sum(1 for w in house_weights if w >= 1),
    }
    for name in ("error", "warning"):
        said = [value >= model[f"{name}_cut"] for value in left_out]
        tp = sum(1 for a, t in zip(said, labels, strict=True) if a and t)
        model[f"left_out_{name}"] = {"precision": round(tp / max(1, sum(said)), 3), "recall": round(tp / max(1, sum(labels)), 3)}
    model.update(fit_concerns([(found, e.concern) for (found, _), e in zip(rows, mine, strict=True) if e.concern],
                              set(weights)))
    return LanguageFit(model, left_out, labels)


def fingerprint(files: Iterable[Path]) -> str:
    """A hash of the training sets' bytes, of the labels a later policy reverses, of the concepts in
    ``rules.yaml`` (they are features) and of the training settings (the model records it)."""
    from .evaluation import POLICY_RELABELS
    from .rules import _concept_terms

    settings = texts()["settings"]
    digest = hashlib.sha256(f"{ALPHA} {settings['error_precision']} {settings['warning_precision']} {MIN_COUNT} "
                            f"{HOUSE_WEIGHT} {HOUSE_STEP} {HOUSE_ROUNDS}".encode())
    digest.update(json.dumps(_concept_terms(), sort_keys=True, ensure_ascii=False).encode())
    digest.update(json.dumps(POLICY_RELABELS, sort_keys=True, ensure_ascii=False).encode())  # labels read anew
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def train(folder: Path = SETS_DIR) -> dict[str, Any]:
    """The model as JSON data, trained on ``folder``'s labelled sets."""
    files = training_files(folder)
    examples = load_examples(files) + house_messages()
    return {"trained_on": [p.name for p in files], "held_out": list(HELD_OUT), "fingerprint": fingerprint(files),
            "languages": {lang: fit_language(examples, lang).model for lang in LANGS}}


def write(model: dict[str, Any], path: Path = MODEL_FILE) -> None:
    path.write_text(json.dumps(model, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aftersales.compliance.training", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the shipped model is not what the sets make")
    args = parser.parse_args(argv)
    if not (SETS_DIR / "labelled_messages.yaml").is_file():
        print(f"no labelled sets in {SETS_DIR}: train from a clone of the repository (its tests/compliance)",
              file=sys.stderr)
        return 2
    files = training_files()
    if args.check:
        try:
            shipped = json.loads(MODEL_FILE.read_text(encoding="utf-8")).get("fingerprint")
        except (OSError, ValueError) as exc:
            print(f"cannot read {MODEL_FILE.name}: {exc}; run python -m aftersales.compliance.training",
                  file=sys.stderr)
            return 1
        if shipped != fingerprint(files):
            print(f"{MODEL_FILE.name} is out of date: run python -m aftersales.compliance.training", file=sys.stderr)
            return 1
        return 0
    model = train()
    write(model)
    for lang, raw in model["languages"].items():
        print(f"{lang}: {raw['messages']} labelled messages ({raw['stops']} stops) and {raw['house_messages']} of the "
              f"tool's own, {len(raw['weights']):,} features, "
              f"error cut {raw['error_cut']} (left out: {raw['left_out_error']}), "
              f"warning cut {raw['warning_cut']} (left out: {raw['left_out_warning']})")
    print(f"wrote {MODEL_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
