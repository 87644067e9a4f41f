"""The profiles hold the approved policy values (issue 16, part 6).

A lead who changes a value in playbooks/platforms/ or playbooks/jurisdictions/ on purpose sees
this one test fail with each value that changed and the command that approves it. Tests that pin
a value for a reason of their own (a law floor, a worked boundary) are marked ``policy_value``:
when one fails, pytest says the same in plain words.
"""

from __future__ import annotations

import pytest
from tests.accept_policy import SNAPSHOT

from aftersales.policy_snapshot import differences, read, snapshot


@pytest.mark.policy_value
def test_the_profiles_hold_the_approved_policy_values() -> None:
    changed = differences(read(SNAPSHOT), snapshot())
    assert not changed, ("these policy values differ from the approved ones in tests/policy_values.yaml:\n  "
                         + "\n  ".join(changed) + "\nif you changed them on purpose, run `make accept-policy` "
                         "and commit tests/policy_values.yaml with your change")


def test_the_snapshot_sees_a_changed_value(tmp_path) -> None:
    """Not vacuous: a tolerance raised in a copy of the playbooks is reported in words."""
    import shutil
    from pathlib import Path

    root = tmp_path / "playbooks"
    shutil.copytree(Path(__file__).resolve().parents[1] / "playbooks", root)
    before = snapshot(root)
    taobao = root / "platforms" / "taobao.yaml"
    taobao.write_text(taobao.read_text(encoding="utf-8").replace("size_tolerance_cm:\n    value: 3",
                                                                 "size_tolerance_cm:\n    value: 4", 1), encoding="utf-8")
    import time
    time.sleep(1.1)  # the library re-checks its files at most once a second
    assert differences(before, snapshot(root)) == ["taobao size_tolerance_cm: 3 cm from unknown → 4 cm from unknown"]
