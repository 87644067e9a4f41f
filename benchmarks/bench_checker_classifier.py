"""Would a learned classifier help the message checker? A measurement, not a feature (issue 15).

The rule checker (``aftersales.compliance``) finds forbidden things by patterns and concepts. On the
fifth blind set, written to hide them, it stops 70 % of the messages it should. This script asks
whether a simple classifier trained on the other labelled sets would add to it.

The classifier is a multinomial naive Bayes, one per language, over character n-grams (2-4 for
Chinese, 3-5 inside word boundaries for English and Russian), written out here in a few lines so
that nothing is installed for it. It is trained on every labelled set except the fifth blind one:
the tuning sets, the first four blind sets and ``labelled_messages.yaml`` (a message with an
expected error-level rule counts as "stop"). Its decision threshold is picked on the training
sets by 5-fold cross-validation: the lowest log-odds whose cross-validated precision is at least
0.9. It is then measured once on the fifth blind set, never read:

* the rules alone;
* the classifier alone;
* either of them (rules OR classifier): what the checker would stop with a second opinion.

    python benchmarks/bench_checker_classifier.py
"""

from __future__ import annotations

import math
import random
import re
import unicodedata
from collections import Counter
from pathlib import Path

import yaml

from aftersales.compliance.evaluation import load_blind, stopped_by

HERE = Path(__file__).resolve().parents[1] / "tests" / "compliance"
HELD_OUT = HERE / "heldout_blind5.yaml"
TRAIN_BLIND = ["heldout_blind.yaml", "heldout_blind2.yaml", "heldout_blind3.yaml", "heldout_blind4.yaml",
               "tuning_set3.yaml", "tuning_set4.yaml", "tuning_set5.yaml", "tuning_set6.yaml", "tuning_set7.yaml"]
LANGS = ("en", "zh", "ru")
TARGET_PRECISION = 0.9


def features(text: str, lang: str) -> Counter:
    """Character n-grams of the normalised text (NFKC, lower case, digits folded)."""
    text = re.sub(r"\d", "0", unicodedata.normalize("NFKC", text).lower())
    grams: Counter = Counter()
    if lang == "zh":
        chars = re.sub(r"\s+", "", text)
        for n in (2, 3, 4):
            grams.update(chars[i:i + n] for i in range(len(chars) - n + 1))
        return grams
    for word in re.findall(r"\w+", text):
        padded = f" {word} "
        for n in (3, 4, 5):
            grams.update(padded[i:i + n] for i in range(max(1, len(padded) - n + 1)))
    return grams


class NaiveBayes:
    """Multinomial naive Bayes with add-one smoothing; ``score`` is the log-odds of "stop"."""

    def __init__(self, examples: list[tuple[Counter, bool]]):
        self.counts = {True: Counter(), False: Counter()}
        docs = Counter(label for _, label in examples)
        for grams, label in examples:
            self.counts[label].update(grams)
        self.totals = {label: sum(c.values()) for label, c in self.counts.items()}
        self.vocabulary = len(set(self.counts[True]) | set(self.counts[False])) or 1
        self.prior = math.log((docs[True] + 1) / (docs[False] + 1))

    def score(self, grams: Counter) -> float:
        odds = self.prior
        for gram, times in grams.items():
            yes = (self.counts[True][gram] + 1) / (self.totals[True] + self.vocabulary)
            no = (self.counts[False][gram] + 1) / (self.totals[False] + self.vocabulary)
            odds += times * math.log(yes / no)
        return odds


def training_examples() -> dict[str, list[tuple[str, bool]]]:
    """(text, stop) per language from every labelled set but the held-out one."""
    out: dict[str, list[tuple[str, bool]]] = {lang: [] for lang in LANGS}
    for name in TRAIN_BLIND:
        for m in load_blind(HERE / name):
            out[m.lang].append((m.text, m.flag))
    labelled = yaml.safe_load((HERE / "labelled_messages.yaml").read_text(encoding="utf-8"))["messages"]
    errors = _error_rules()
    for m in labelled:
        out[m["lang"]].append((m["text"], bool(set(m.get("expect") or ()) & errors)))
    return out


def _error_rules() -> set[str]:
    rules = yaml.safe_load((Path(__file__).resolve().parents[1] / "lib" / "aftersales" / "compliance"
                            / "rules.yaml").read_text(encoding="utf-8"))["rules"]
    return {rule["id"] for rule in rules if rule.get("severity") == "error"}


def threshold(examples: list[tuple[Counter, bool]], folds: int = 5) -> float:
    """The lowest log-odds whose cross-validated precision reaches TARGET_PRECISION."""
    order = list(range(len(examples)))
    random.Random(15).shuffle(order)
    scored: list[tuple[float, bool]] = []
    for fold in range(folds):
        test = set(order[fold::folds])
        model = NaiveBayes([examples[i] for i in order if i not in test])
        scored += [(model.score(examples[i][0]), examples[i][1]) for i in test]
    best = max(score for score, _ in scored) + 1
    for cut in sorted({score for score, _ in scored}, reverse=True):
        picked = [label for score, label in scored if score >= cut]
        if sum(picked) / len(picked) >= TARGET_PRECISION:
            best = cut
    return best


def figures(pairs: list[tuple[bool, bool]]) -> str:
    tp = sum(1 for said, truth in pairs if said and truth)
    fp = sum(1 for said, truth in pairs if said and not truth)
    fn = sum(1 for said, truth in pairs if not said and truth)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return f"precision {precision:.3f}  recall {recall:.3f}  (tp {tp}, fp {fp}, fn {fn})"


def main() -> None:
    data = training_examples()
    held_out = load_blind(HELD_OUT)
    print(f"held out: {HELD_OUT.name}, {len(held_out)} messages (never read, never trained on)")
    print(f"trained on: {sum(len(v) for v in data.values())} labelled messages "
          f"({', '.join(f'{lang} {len(data[lang])}' for lang in LANGS)})")
    rows: dict[str, list[tuple[bool, bool]]] = {"rules": [], "classifier": [], "either": []}
    for lang in LANGS:
        examples = [(features(text, lang), label) for text, label in data[lang]]
        cut = threshold(examples)
        model = NaiveBayes(examples)
        mine = [m for m in held_out if m.lang == lang]
        rules = [bool(stopped_by(m)) for m in mine]
        learned = [model.score(features(m.text, lang)) >= cut for m in mine]
        truth = [m.flag for m in mine]
        per = {"rules": list(zip(rules, truth, strict=True)), "classifier": list(zip(learned, truth, strict=True)),
               "either": [(a or b, t) for a, b, t in zip(rules, learned, truth, strict=True)]}
        print(f"\n{lang} (threshold {cut:.2f} log-odds, picked by cross-validation on the training sets):")
        for what, pairs in per.items():
            rows[what] += pairs
            print(f"  {what:<11} {figures(pairs)}")
    print("\noverall:")
    for what, pairs in rows.items():
        print(f"  {what:<11} {figures(pairs)}")


if __name__ == "__main__":
    main()
