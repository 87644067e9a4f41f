"""The case log: one JSON object per line for every case an agent saves.

A record holds what is needed to show later what was decided and why: case id, order id,
facts, playbook version and content hash, the path of steps, the outcome with everything
the engine recommended, the customer message, when and by whom. Records are appended with
one ``write`` of a whole line on a file opened for appending, then flushed to disk, so
records from several agents never interleave and a crash cannot leave half a record
followed by a good one. The log is ``$AFTERSALES_CASE_LOG`` if set, else
``~/.aftersales/case-log.jsonl``.
"""

from __future__ import annotations

import getpass
import json
import os
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from .errors import AftersalesError

__all__ = ["default_case_log", "case_record", "append_case", "read_cases"]


def default_case_log() -> Path:
    configured = os.environ.get("AFTERSALES_CASE_LOG")
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".aftersales" / "case-log.jsonl"


def _who() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def case_record(decision: Any, *, case_id: str | None = None, saved_at: datetime | None = None,
                who: str | None = None) -> dict[str, Any]:
    """The record of one decision as the case log stores it."""
    data = decision.to_dict()
    facts = data["facts"]
    return {
        "case_id": case_id or uuid.uuid4().hex[:12],
        "order_id": facts.get("order_id"),
        "saved_at": (saved_at or datetime.now(timezone.utc)).replace(microsecond=0).isoformat(),
        "who": who or _who(),
        "path": [entry["step"] for entry in data["trace"][:-1]],
        **data,
    }


def append_case(record: dict[str, Any], path: Path | str | None = None) -> Path:
    """Append ``record`` as one line to the case log at ``path`` (default :func:`default_case_log`)."""
    target = Path(path) if path is not None else default_case_log()
    line = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            written = os.write(fd, line)
            if written != len(line):  # a full disk: never leave a torn line without saying so
                raise OSError(f"only {written} of {len(line)} bytes written")
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise AftersalesError(f"{target}: cannot append to the case log: {exc}") from None
    return target


def read_cases(path: Path | str | None = None) -> Iterator[dict[str, Any]]:
    """Every record of the case log; a torn last line (a crash mid-write) is skipped."""
    target = Path(path) if path is not None else default_case_log()
    if not target.exists():
        return
    with target.open(encoding="utf-8") as handle:
        lines = handle.readlines()
    for number, line in enumerate(lines, start=1):
        if not line.endswith("\n") and number == len(lines):
            return
        try:
            yield json.loads(line)
        except json.JSONDecodeError as exc:
            raise AftersalesError(f"{target}:{number}: not a case record: {exc.msg}") from None
