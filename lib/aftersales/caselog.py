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

__all__ = ["default_case_log", "case_record", "append_case", "append_cases", "read_cases", "snapshot_library", "find_case",
           "cases_of_order", "redecide"]


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
                who: str | None = None, library_root: Path | None = None,
                step_times: list[dict[str, Any]] | None = None,
                override: dict[str, Any] | None = None, overlay: Any = None,
                library_hash: str | None = None) -> dict[str, Any]:
    """The record of one decision as the case log stores it, with the hash of the playbooks
    folder it was decided with and of the store ``overlay`` laid over them, if any (both
    archived, so :func:`redecide` can decide it again exactly). ``library_hash`` skips
    archiving the folder again when a caller already did (many records of one replay).

    ``step_times`` (the form's time per answered question: ``{step, input, seconds, ...}``) and
    ``override`` (the agent's choice against the recommendation: ``{outcome, resolution, reason,
    terms, message}``) are stored when given; ``outcome``, ``message`` and the other top-level
    fields stay the engine's recommendation either way. In an override, ``message`` is what the
    customer is sent for the chosen outcome, ``{lang, text, by_hand: false}``, or ``{lang, text:
    null, by_hand: true, why}`` when the playbook could not make it for this case and the agent
    wrote it by hand; ``terms`` is the chosen outcome's ``{by_hand: false, return_shipping_paid_by,
    cost_borne_by, compensation, deadlines}``, or ``{by_hand: true, why}`` (see
    :meth:`aftersales.widgets.session.WizardSession.chosen`). Overrides saved before these two
    keys carry only ``{outcome, resolution, reason}``. The form stores ``override: null`` when the
    agent kept the recommendation; a record without the key (older, command-line or batch
    records) does not say, and one without ``step_times`` was not timed."""
    data = decision.to_dict()
    facts = data["facts"]
    record = {
        "case_id": case_id or uuid.uuid4().hex[:12],
        "order_id": facts.get("order_id"),
        "saved_at": (saved_at or datetime.now(timezone.utc)).replace(microsecond=0).isoformat(),
        "who": who or _who(),
        "path": [entry["step"] for entry in data["trace"][:-1] if not entry.get("note")],
        **data,
    }
    if override is not None:
        record["override"] = override
    if step_times is not None:
        record["step_times"] = step_times
    root = library_root or getattr(decision.playbook, "file", None) and Path(decision.playbook.file).resolve().parent
    if library_hash:
        record["library_hash"] = library_hash
    elif root:
        record["library_hash"] = snapshot_library(Path(root))
    if overlay is not None:
        record["overlay"] = {"name": overlay.name, "version": overlay.version, "hash": snapshot_overlay(overlay)}
    return record


def snapshot_overlay(overlay: Any) -> str:
    """Archive a store overlay file under its content hash (it may live outside the playbooks
    folder); returns the hash. :func:`redecide` lays it over the archived playbooks again."""
    digest = overlay.digest[:20]
    target = archive_dir() / "overlays" / digest / f"{overlay.name}.yaml"
    if not target.exists():
        from .render.files import write_atomic

        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, overlay.raw)
    return digest


def archive_dir() -> Path:
    """Where playbook folders are archived by hash: ``$AFTERSALES_ARCHIVE`` or ``~/.aftersales/archive``."""
    configured = os.environ.get("AFTERSALES_ARCHIVE")
    return Path(configured).expanduser() if configured else Path.home() / ".aftersales" / "archive"


def _library_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.yaml") if "cases" not in p.relative_to(root).parts)


def snapshot_library(root: Path) -> str:
    """Archive the playbooks folder ``root`` (every YAML file but the practice bank) under its
    content hash, once; returns the hash. A decision can then be re-made with the exact
    playbooks, profiles and parameters it was made with, whatever changed since."""
    import hashlib
    import shutil
    import tempfile

    files = _library_files(root)
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    library_hash = digest.hexdigest()[:20]
    target = archive_dir() / library_hash
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{library_hash}.", dir=target.parent))
        try:
            for path in files:
                copy = staging / path.relative_to(root)
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, copy)
            os.rename(staging, target)  # whole or not at all; a racing writer made the same copy
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
            if not target.exists():
                raise
    return library_hash


def find_case(case_id: str, path: Path | str | None = None) -> dict[str, Any]:
    """The record of ``case_id`` in the case log (the last one, if saved more than once)."""
    from .errors import UnknownNameError

    found = None
    ids = []
    for record in read_cases(path):
        ids.append(record.get("case_id", ""))
        if record.get("case_id") == case_id:
            found = record
    if found is None:
        raise UnknownNameError("case", case_id, ids[-50:])
    return found


def cases_of_order(order_id: str, path: Path | str | None = None) -> list[dict[str, Any]]:
    """Every case of one order, oldest first (an order can have several cases: seed 003)."""
    return [r for r in read_cases(path) if r.get("order_id") == order_id]


def redecide(record: dict[str, Any]) -> Any:
    """Decide a recorded case again with the archived playbooks it was decided with."""
    from .engine import decide
    from .library import load_library

    library_hash = record.get("library_hash")
    folder = archive_dir() / library_hash if library_hash else None
    if folder is None or not folder.is_dir():
        raise AftersalesError(f"case {record.get('case_id')}: the playbooks it was decided with are not archived "
                              f"(library hash {library_hash or 'missing'} in {archive_dir()})")
    overlay = record.get("overlay")
    overlay_file = None
    if overlay:
        overlay_file = archive_dir() / "overlays" / overlay["hash"] / f"{overlay['name']}.yaml"
        if not overlay_file.is_file():
            raise AftersalesError(f"case {record.get('case_id')}: the store overlay it was decided with is not archived "
                                  f"({overlay_file})")
    library = load_library(folder, overlay=overlay_file)
    return decide(record["scenario"], record["facts"], record["platform"], lang=record["lang"],
                  as_of=record["as_of"], library=library)


def append_case(record: dict[str, Any], path: Path | str | None = None) -> Path:
    """Append ``record`` as one line to the case log at ``path`` (default :func:`default_case_log`)."""
    return append_cases([record], path)


def append_cases(records: list[dict[str, Any]], path: Path | str | None = None) -> Path:
    """Append ``records``, each as one line written by one ``write``, then flush them to disk once.

    Writers take an exclusive lock on the log while they append. A writer killed in the middle
    of a ``write`` (kill -9 can cut a write of a regular file short) leaves part of a line that
    was never acknowledged; the next writer cuts that part off before it appends, so a torn
    record never ends up between two whole ones.
    """
    import fcntl

    target = Path(path) if path is not None else default_case_log()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # released when the file is closed, or its writer dies
            _cut_torn_tail(fd)
            for record in records:
                line = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
                written = os.write(fd, line)
                if written != len(line):  # a full disk: never leave a torn line without saying so
                    raise OSError(f"only {written} of {len(line)} bytes written")
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise AftersalesError(f"{target}: cannot append to the case log: {exc}") from None
    return target


def _cut_torn_tail(fd: int, block: int = 65536) -> None:
    """Truncate the file after its last newline (a crashed writer's partial line), if any."""
    size = os.fstat(fd).st_size
    if not size or os.pread(fd, 1, size - 1) == b"\n":
        return
    end = size
    while end > 0:
        start = max(0, end - block)
        found = os.pread(fd, end - start, start).rfind(b"\n")
        if found >= 0:
            os.ftruncate(fd, start + found + 1)
            return
        end = start
    os.ftruncate(fd, 0)


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
