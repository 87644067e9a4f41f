"""`make accept-policy`: approve the policy values the profiles hold now.

Shows each value that differs from tests/policy_values.yaml and asks before saving them as
approved; without a terminal to ask (CI) it refuses unless given --yes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from aftersales.policy_snapshot import differences, read, snapshot, write

SNAPSHOT = Path(__file__).with_name("policy_values.yaml")


def main(argv: list[str]) -> int:
    current = snapshot()
    changed = differences(read(SNAPSHOT), current)
    if not changed:
        print(f"the profiles hold the approved policy values ({SNAPSHOT.name}): nothing to accept")
        return 0
    print(f"{len(changed)} policy value(s) differ from the approved ones:")
    for line in changed:
        print(f"  {line}")
    if "--yes" not in argv:
        if not sys.stdin.isatty():
            print("not accepted: no terminal to ask (run it yourself, or pass --yes)", file=sys.stderr)
            return 1
        if input("Accept them as the approved policy values? [y/N] ").strip().lower() not in ("y", "yes"):
            print("not accepted")
            return 1
    write(SNAPSHOT, current)
    print(f"accepted: {SNAPSHOT} updated; commit it with the profile change")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
