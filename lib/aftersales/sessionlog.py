"""The form's session log: when a case was started in the form, each answer and each Back, so a
lead sees the sessions that were abandoned (started, never saved) and where agents go back.

One JSON object per line in ``$AFTERSALES_SESSION_LOG`` (default ``~/.aftersales/sessions.jsonl``
beside the case log); each event has the session id the saved case record carries too. Writing
is best effort: a log that cannot be written never stops the form.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any


def default_session_log() -> Path:
    """``$AFTERSALES_SESSION_LOG``, else ``sessions.jsonl`` beside the case log."""
    configured = os.environ.get("AFTERSALES_SESSION_LOG")
    if configured:
        return Path(configured).expanduser()
    from .caselog import default_case_log

    return default_case_log().with_name("sessions.jsonl")


def log_event(event: str, session: str, *, path: Path | None = None, **fields: Any) -> None:
    """Append one event (``start``, ``answer``, ``back``) of ``session``; errors are ignored."""
    line = json.dumps({"event": event, "session": session, "at": datetime.now(timezone.utc).isoformat(), **fields},
                      ensure_ascii=False, default=str)
    target = path or default_session_log()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o666)
        try:
            os.write(fd, (line + "\n").encode("utf-8"))  # one write: lines of two forms never interleave
        finally:
            os.close(fd)
    except OSError:
        return


def read_events(path: Path | str | None = None) -> list[dict[str, Any]]:
    """Every event of the log (a torn or foreign line is skipped); empty when there is no log."""
    target = Path(path) if path else default_session_log()
    if not target.is_file():
        return []
    events = []
    for line in target.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(event, dict) and "session" in event and "event" in event:
            events.append(event)
    return events
