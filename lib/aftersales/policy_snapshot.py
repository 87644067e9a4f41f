"""The approved policy values: every dated value of every platform's parameters, as a snapshot a
lead approves (``make accept-policy``) and the tests compare the profiles with.

A lead who changes a value in ``playbooks/platforms/*.yaml`` or ``playbooks/jurisdictions/*.yaml``
on purpose sees one test fail with the values that changed and the command that approves them,
instead of tracebacks from tests that happen to pin the old value.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from .library import load_library


def snapshot(playbooks: str | Path | None = None) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """platform → parameter → its dated values (value, unit, effective_from, cases), as plain data."""
    library = load_library(playbooks)
    data: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for platform, profile in sorted(library.profiles.items()):
        data[platform] = {}
        for name in sorted(profile.parameter_names):
            entries = []
            for entry in profile.entries(name):
                item: dict[str, Any] = {"value": json.loads(json.dumps(entry.value, default=str)),
                                        "from": entry.effective_from.isoformat() if entry.effective_from else "unknown"}
                if entry.unit:
                    item["unit"] = entry.unit
                if entry.cases:
                    item["cases"] = [{"when": c.when, "value": c.value} for c in entry.cases]
                entries.append(item)
            data[platform][name] = entries
    return data


def differences(approved: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """Each value that differs between the approved snapshot and the current profiles, in words."""
    lines = []
    for platform in sorted(set(approved) | set(current)):
        old, new = approved.get(platform, {}), current.get(platform, {})
        for name in sorted(set(old) | set(new)):
            if old.get(name) != new.get(name):
                lines.append(f"{platform} {name}: {_show(old.get(name))} → {_show(new.get(name))}")
    return lines


def _show(entries: list[dict[str, Any]] | None) -> str:
    if entries is None:
        return "(none)"
    return "; ".join(f"{json.dumps(e['value'], ensure_ascii=False)}{' ' + e['unit'] if e.get('unit') else ''}"
                     f" from {e['from']}" + (f" (+{len(e['cases'])} case values)" if e.get("cases") else "")
                     for e in entries)


def read(path: Path) -> dict[str, Any]:
    """The approved snapshot at ``path`` (empty when there is none yet)."""
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def write(path: Path, data: dict[str, Any]) -> None:
    """Save ``data`` as the approved snapshot, with a header saying what it is."""
    from .files import write_atomic

    header = ("# The approved policy values (aftersales.policy_snapshot). Do not edit by hand: change the\n"
              "# profiles in playbooks/, then run `make accept-policy`, which shows the differences and asks.\n")
    write_atomic(path, header + yaml.safe_dump(data, allow_unicode=True, sort_keys=True, width=120))
