"""How well training scores a trainee's reply: accuracy on replies labelled blind (issue 18).

tests/training/replies_blind.yaml holds 180 replies to cases of the bank, written and labelled by
someone who had not read the scorer (good / wrong amount / payer / remedy / language / blaming /
one word / rule break), frozen before the scorer was measured on it. Each reply is scored as part of
an otherwise perfect attempt; the reply's point says "good" or not. Prints accuracy, and precision
and recall of "not good" (a reply a trainer would send back), per customer language and per kind.

    python benchmarks/bench_reply_scoring.py [--show-mistakes]
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path

import yaml

from aftersales.training.cases import get_case
from aftersales.training.scoring import Answer, score_attempt

REPLIES = Path(__file__).resolve().parents[1] / "tests" / "training" / "replies_blind.yaml"
#: Figures on the blind replies, in the order measured (2026-12-05).
HISTORY = [
    ("the scorer before issue 18 (commit 6f65bcd: only the checker's errors)",
     "accuracy 0.550, precision 0.690, recall 0.454 (en 0.567, zh 0.583, ru 0.500)"),
    ("first measurement of the issue-18 scorer (commit 6cd16db), never tuned on these replies",
     "accuracy 0.722, precision 0.784, recall 0.741 (en 0.750, zh 0.717, ru 0.700)"),
]


def reply_ok(case_id: str, reply: str) -> bool:
    """Whether the scorer gives the reply its point in an otherwise perfect attempt."""
    case = get_case(case_id)
    expected = case.expected
    comp = expected.compensation
    answer = Answer(facts=dict(case.facts), resolution=expected.resolution,
                    return_shipping_paid_by=expected.return_shipping_paid_by, cost_borne_by=expected.cost_borne_by,
                    compensation=comp.amount if comp else None,
                    deadlines={k: str(v) for k, v in expected.deadlines.items()}, reply=reply)
    score = score_attempt(case, answer)
    return next(c for c in score.checks if c.name == "reply").ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show-mistakes", action="store_true")
    args = parser.parse_args()
    replies = yaml.safe_load(REPLIES.read_text(encoding="utf-8"))["replies"]
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # tp, fp, fn, tn (positive: not good)
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # right, total
    mistakes = []
    for reply in replies:
        customer = get_case(reply["case"]).lang
        flagged = not reply_ok(reply["case"], reply["text"])
        bad = not reply["good"]
        slot = 0 if flagged and bad else 1 if flagged else 2 if bad else 3
        for key in (customer, "overall"):
            tally[key][slot] += 1
        by_kind[reply["kind"]][0] += flagged == bad
        by_kind[reply["kind"]][1] += 1
        if flagged != bad:
            mistakes.append((reply["id"], reply["kind"], "sent back" if flagged else "accepted"))
    print(f"reply scoring on {len(replies)} blind replies ({REPLIES.name}); positive = a reply to send back")
    for key in ("en", "zh", "ru", "overall"):
        tp, fp, fn, tn = tally[key]
        total = tp + fp + fn + tn
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        print(f"  {key:8} accuracy {(tp + tn) / total:.3f}  precision {precision:.3f}  recall {recall:.3f}  "
              f"(tp {tp}, fp {fp}, fn {fn}, tn {tn})")
    print("  right per kind: " + ", ".join(f"{k} {r}/{t}" for k, (r, t) in sorted(by_kind.items())))
    for label, figures in HISTORY:
        print(f"  {label}: {figures}")
    if args.show_mistakes:
        for reply_id, kind, what in mistakes:
            print(f"    {reply_id:8} {kind:18} {what}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
