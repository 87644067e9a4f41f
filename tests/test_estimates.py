"""Seed 001: "if the problem cannot be solved at once, say it will be followed up and give an
estimated resolution time". Every outcome of every playbook names its estimate (a deadline of its
own, or ``now`` when the reply settles the case), and every first reply a worked example makes
says that time, in the customer's language and time zone (issue 20, part 8)."""

from __future__ import annotations

import pytest

from aftersales.examples import run_example
from aftersales.library import load_library
from aftersales.playbook.load import ESTIMATE_NOW
from aftersales.present.formats import format_when

LANGS = ("en", "zh", "ru")


def _decisions():
    library = load_library()
    for scenario, playbook in sorted(library.playbooks.items()):
        for example, _where in playbook.examples:
            for lang in LANGS:
                try:
                    decision = run_example(playbook, example.model_copy(update={"lang": lang}), library)
                except Exception:  # an example whose expectation is a refusal makes no message
                    continue
                yield pytest.param(decision, id=f"{scenario}:{example.name[:40]}:{lang}")


def test_every_outcome_names_its_estimate():
    missing = [f"{scenario}.{outcome.id}" for scenario, playbook in sorted(load_library().playbooks.items())
               for outcome in playbook.outcomes.values() if not outcome.estimate]
    assert missing == [], "outcomes without an estimated resolution time (seed 001)"


@pytest.mark.parametrize("decision", list(_decisions()))
def test_the_first_reply_says_when_it_will_be_settled(decision):
    estimate = decision.estimate
    if estimate == ESTIMATE_NOW or decision.message is None:
        return
    assert estimate is not None, (f"{decision.scenario}.{decision.outcome} on {decision.platform}: its estimate "
                                  f"{decision.outcome_node.estimate!r} is not computed here (no such deadline applies)")
    zone = decision.env.get("customer_timezone") or decision.context.params.get("timezone")
    said = format_when(estimate.due, decision.lang, zone)
    assert said in decision.message["text"], (said, decision.message["text"])
    assert decision.to_dict()["estimate"] == {"name": estimate.name, "due": estimate.due.isoformat()}


@pytest.mark.parametrize(("old", "new", "code", "words"), [
    ("    estimate: [refund_due, return_request_decision]", "", "no-estimate",
     "no `estimate`: name the deadline this first reply gives"),
    ("    estimate: [refund_due, return_request_decision]", "    estimate: [refund_due, return_decision]", "estimate",
     "estimate 'return_decision' is not a deadline of this outcome"),
])
def test_a_missing_or_unknown_estimate_is_reported_at_its_line(tmp_path, capsys, old, new, code, words):
    import shutil

    from aftersales.cli import main
    from aftersales.paths import default_playbooks_dir

    root = tmp_path / "playbooks"
    shutil.copytree(default_playbooks_dir(), root)
    path = root / "change_of_mind.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith(old))
    lines[index] = new
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["validate", str(root)]) == 1
    out = capsys.readouterr().out
    found = [line for line in out.splitlines() if f"[{code}]" in line]
    assert found and words in found[0] and found[0].startswith(f"{path}:"), out[-2000:]


def test_a_message_that_never_says_the_estimate_is_reported(tmp_path, capsys):
    import shutil

    from aftersales.cli import main
    from aftersales.paths import default_playbooks_dir

    root = tmp_path / "playbooks"
    shutil.copytree(default_playbooks_dir(), root)
    path = root / "recall.yaml"
    text = path.read_text(encoding="utf-8")
    said = "{{ deadlines.return_arranged | when('ru') }}"
    assert said in text
    path.write_text(text.replace(said, "скоро"), encoding="utf-8")
    assert main(["validate", str(root)]) == 1
    out = capsys.readouterr().out
    assert "the ru message never says when: give the estimate with {{ deadlines.return_arranged | when('ru') }}" in out
