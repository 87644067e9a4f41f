"""The case log: one JSON object per line for every case an agent saves.

A record holds what is needed to show later what was decided and why: case id, order id,
facts, playbook version and content hash, the path of steps, the outcome with everything
the engine recommended, the customer message, when and by whom. Records are appended with
one ``write`` of a whole line on a file opened for appending, then flushed to disk, so
records from several agents never interleave and a crash cannot leave half a record
followed by a good one. A last line is torn only when it does not parse; a whole record
without its newline is kept (the next append adds the newline). ``case show`` re-makes a
decision only from an archive that still matches its hash. The log is ``$AFTERSALES_CASE_LOG`` if set, else
``~/.aftersales/case-log.jsonl``.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from .errors import AftersalesError

__all__ = ["default_case_log", "case_record", "append_case", "append_cases", "read_cases", "snapshot_library", "find_case",
           "cases_of_order", "redecide", "verify_archive", "verify_overlay_archive"]


def default_case_log() -> Path:
    configured = os.environ.get("AFTERSALES_CASE_LOG")
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".aftersales" / "case-log.jsonl"


def _who() -> str:
    """Who saves a record when nobody says: the JupyterHub user whose server this is
    (``$JUPYTERHUB_USER``, set by the hub's spawner; under an OAuth login or in a container the
    system user is someone else, e.g. ``jovyan``), else the system user. Source: issue 21, part 4."""
    hub_user = os.environ.get("JUPYTERHUB_USER", "").strip()
    if hub_user:
        return hub_user
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def case_record(decision: Any, *, case_id: str | None = None, saved_at: datetime | None = None,
                who: str | None = None, library_root: Path | None = None,
                step_times: list[dict[str, Any]] | None = None,
                override: dict[str, Any] | None = None, overlay: Any = None,
                library_hash: str | None = None, session: str | None = None) -> dict[str, Any]:
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
    if session is not None:
        record["session"] = session  # the form's session (aftersales.sessionlog): abandoned ones never get here
    if library_hash:
        record["library_hash"] = library_hash
    else:
        root = library_root or getattr(decision.playbook, "file", None) and Path(decision.playbook.file).resolve().parent
        if root:
            record["library_hash"] = snapshot_library(Path(root))
    if overlay is not None:
        record["overlay"] = {"name": overlay.name, "version": overlay.version, "hash": snapshot_overlay(overlay)}
    return record


def snapshot_overlay(overlay: Any) -> str:
    """Archive a store overlay file under its content hash (it may live outside the playbooks
    folder); returns the hash. :func:`redecide` lays it over the archived playbooks again."""
    digest = overlay.digest[:HASH_LENGTH]
    target = archive_dir() / "overlays" / digest / f"{overlay.name}.yaml"
    if not target.exists():
        from .files import write_atomic

        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(target, overlay.raw)
        except OSError as exc:
            raise AftersalesError(f"cannot archive the store overlay in {target.parent}: {exc.strerror or exc}; "
                                  f"the decision was not recorded") from None
    return digest


def archive_dir() -> Path:
    """Where playbook folders are archived by hash: ``$AFTERSALES_ARCHIVE`` or ``~/.aftersales/archive``."""
    configured = os.environ.get("AFTERSALES_ARCHIVE")
    return Path(configured).expanduser() if configured else Path.home() / ".aftersales" / "archive"


def _library_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.yaml") if "cases" not in p.relative_to(root).parts)


#: The form of a library hash (and of an overlay's archive hash): hex, 20 digits.
HASH_LENGTH = 20
_HASH_RE = re.compile(rf"[0-9a-f]{{{HASH_LENGTH}}}")
#: Per-file sha256 of an archived folder, written next to its YAML files (not itself hashed):
#: it only names the file that was changed when the folder no longer matches its hash.
ARCHIVE_LISTING = ".sha256.json"


def _library_digest(root: Path, files: list[Path]) -> str:
    import hashlib

    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:HASH_LENGTH]


def _file_digests(root: Path, files: list[Path]) -> dict[str, str]:
    import hashlib

    return {str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest() for path in files}


def _not_recorded(where: Path, exc: OSError) -> AftersalesError:
    return AftersalesError(f"cannot archive the playbooks in {where}: {exc.strerror or exc}; the decision was not recorded")


def snapshot_library(root: Path) -> str:
    """Archive the playbooks folder ``root`` (every YAML file but the practice bank) under its
    content hash, once; returns the hash. A decision can then be re-made with the exact
    playbooks, profiles and parameters it was made with, whatever changed since.

    A full or read-only archive disk raises :class:`AftersalesError` (the decision was not
    recorded), never a bare ``OSError``."""
    import shutil
    import tempfile

    files = _library_files(root)
    library_hash = _library_digest(root, files)
    target = archive_dir() / library_hash
    if not target.exists():
        staging = None
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=f".{library_hash}.", dir=target.parent))
            for path in files:
                copy = staging / path.relative_to(root)
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, copy)
            (staging / ARCHIVE_LISTING).write_text(json.dumps(_file_digests(root, files), indent=1, sort_keys=True),
                                                   encoding="utf-8")
            os.rename(staging, target)  # whole or not at all; a racing writer made the same copy
        except OSError as exc:
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
            if not target.exists():
                raise _not_recorded(target.parent, exc) from None
    return library_hash


def verify_archive(library_hash: Any, case_id: Any = None) -> Path:
    """The archived playbooks folder of ``library_hash``, once its content is checked against
    the hash (recomputed exactly as :func:`snapshot_library` computes it) and the hash's form
    (hex, :data:`HASH_LENGTH` digits: never a path). A changed, added or removed file, or a
    hash that is not one, raises :class:`AftersalesError` naming the file."""
    case = f"case {case_id}: " if case_id is not None else ""
    if not isinstance(library_hash, str) or not _HASH_RE.fullmatch(library_hash):
        raise AftersalesError(f"{case}library hash {str(library_hash)[:80]!r} is not a library hash "
                              f"({HASH_LENGTH} hex digits); the record cannot be trusted")
    folder = archive_dir() / library_hash
    if not folder.is_dir():
        raise AftersalesError(f"{case}the playbooks it was decided with are not archived "
                              f"(library hash {library_hash} in {archive_dir()})")
    try:
        files = _library_files(folder)
        if _library_digest(folder, files) == library_hash:
            return folder
        changed = _changed_files(folder, files)
    except OSError as exc:
        raise AftersalesError(f"{case}cannot read the archived playbooks {folder}: {exc.strerror or exc}") from None
    what = (", ".join(str(folder / name) for name in changed[:5]) + (f" (and {len(changed) - 5} more)" if len(changed) > 5 else "")
            if changed else str(folder))
    raise AftersalesError(f"{case}archived playbooks changed since the decision: {what} does not match "
                          f"library hash {library_hash}; the record cannot be re-made")


def _changed_files(folder: Path, files: list[Path]) -> list[str]:
    """The archived files whose bytes differ from the listing written when they were archived."""
    try:
        listed = json.loads((folder / ARCHIVE_LISTING).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(listed, dict):
        return []
    now = _file_digests(folder, files)
    return sorted(name for name in set(listed) | set(now) if listed.get(name) != now.get(name))


_OVERLAY_NAME_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")


def verify_overlay_archive(overlay: Any, case_id: Any = None) -> Path:
    """The archived store overlay of a record, once its name and hash have their form and its
    bytes match the hash; else :class:`AftersalesError` naming the file."""
    import hashlib

    case = f"case {case_id}: " if case_id is not None else ""
    name = overlay.get("name") if isinstance(overlay, dict) else None
    digest = overlay.get("hash") if isinstance(overlay, dict) else None
    if not isinstance(name, str) or not _OVERLAY_NAME_RE.fullmatch(name) or ".." in name:
        raise AftersalesError(f"{case}overlay name {str(name)[:80]!r} is not an overlay name; the record cannot be trusted")
    if not isinstance(digest, str) or not _HASH_RE.fullmatch(digest):
        raise AftersalesError(f"{case}overlay hash {str(digest)[:80]!r} is not an overlay hash ({HASH_LENGTH} hex "
                              f"digits); the record cannot be trusted")
    overlay_file = archive_dir() / "overlays" / digest / f"{name}.yaml"
    if not overlay_file.is_file():
        raise AftersalesError(f"{case}the store overlay it was decided with is not archived ({overlay_file})")
    try:
        actual = hashlib.sha256(overlay_file.read_bytes()).hexdigest()[:HASH_LENGTH]
    except OSError as exc:
        raise AftersalesError(f"{case}cannot read the archived overlay {overlay_file}: {exc.strerror or exc}") from None
    if actual != digest:
        raise AftersalesError(f"{case}archived overlay changed since the decision: {overlay_file} does not match "
                              f"overlay hash {digest}; the record cannot be re-made")
    return overlay_file


def find_case(case_id: str, path: Path | str | None = None) -> dict[str, Any]:
    """The record of ``case_id`` in the case log (the last one, if saved more than once)."""
    from .errors import UnknownNameError

    found = None
    ids = []
    for record in read_cases(path):
        ids.append(record.get("case_id", ""))
        if record.get("case_id") == case_id:
            found = record
    if found is None:  # name a close id, never list the others (they are other customers' cases)
        from .errors import did_you_mean

        error = UnknownNameError("case", case_id, [])
        error.args = (f"unknown case '{case_id}'{did_you_mean(case_id, ids)} in the case log "
                      f"{Path(path) if path is not None else default_case_log()}",)
        raise error
    return found


def cases_of_order(order_id: str, path: Path | str | None = None) -> list[dict[str, Any]]:
    """Every case of one order, oldest first (an order can have several cases: seed 003)."""
    return [r for r in read_cases(path) if r.get("order_id") == order_id]


def redecide(record: dict[str, Any]) -> Any:
    """Decide a recorded case again with the archived playbooks it was decided with."""
    from .engine import decide
    from .library import load_library

    case_id = record.get("case_id")
    folder = verify_archive(record.get("library_hash"), case_id)
    overlay = record.get("overlay")
    overlay_file = verify_overlay_archive(overlay, case_id) if overlay else None
    missing = [key for key in ("scenario", "facts", "platform", "lang", "as_of") if key not in record]
    if missing:
        raise AftersalesError(f"case {case_id}: the record has no {', '.join(missing)}; it cannot be re-made")
    library = load_library(folder, overlay=overlay_file)
    return decide(record["scenario"], record["facts"], record["platform"], lang=record["lang"],
                  as_of=record["as_of"], library=library)


def library_today(record: dict[str, Any], playbooks: Path | str | None = None, *, archived: bool = False) -> Any:
    """Today's playbooks (``playbooks``, default the configured folder) with the record's store
    overlay: today's file of that name if it still exists; else, with ``archived``, the overlay
    archived with the record, else none."""
    from .library import load_library
    from .overlay import OVERLAYS_DIR

    library = load_library(Path(playbooks) if playbooks else None)
    overlay = record.get("overlay")
    if not isinstance(overlay, dict) or not overlay.get("name"):
        return library
    named = Path(library.root) / OVERLAYS_DIR / f"{overlay['name']}.yaml"
    if named.is_file():
        return load_library(library.root, overlay=named)
    if archived:
        return load_library(library.root, overlay=verify_overlay_archive(overlay, record.get("case_id")))
    return library


def decide_today(record: dict[str, Any], playbooks: Path | str | None = None) -> Any:
    """Decide a recorded case with today's playbooks (``playbooks``, default the configured folder)
    and the store overlay of the same name if it still exists: the same facts, platform, language
    and moment, so the parameters in force then are compared, not today's dates."""
    from .engine import decide

    library = library_today(record, playbooks)
    return decide(record["scenario"], record["facts"], record["platform"], lang=record["lang"],
                  as_of=record["as_of"], library=library)


def parameter_differences(then: Any, now: Any) -> list[tuple[str, Any, Any, str]]:
    """``(name, value then, value now, source now)`` of each parameter whose value in force for the
    case differs between two decisions of it (the recorded one and today's)."""
    before, after = then.context.resolved, now.context.resolved
    return [(name, before[name].value if name in before else None, after[name].value, after[name].source or "")
            for name in sorted(after) if name not in before or before[name].value != after[name].value]


def append_case(record: dict[str, Any], path: Path | str | None = None) -> Path:
    """Append ``record`` as one line to the case log at ``path`` (default :func:`default_case_log`)."""
    return append_cases([record], path)


def append_cases(records: list[dict[str, Any]], path: Path | str | None = None) -> Path:
    """Append ``records``, each as one line written by one ``write``, then flush them to disk once.

    Writers take an exclusive lock on the log while they append. A writer killed in the middle
    of a ``write`` (kill -9 can cut a write of a regular file short) leaves part of a line that
    was never acknowledged; the next writer cuts that part off before it appends, so a torn
    record never ends up between two whole ones. A last line that parses as a record is whole,
    only its newline is missing (an editor, a copy): it is kept and the newline added. A log
    that cannot be written (full or read-only disk) raises :class:`AftersalesError` saying that
    nothing was recorded.
    """
    import fcntl

    target = Path(path) if path is not None else default_case_log()
    lines = [(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
             for record in records]
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # released when the file is closed, or its writer dies
            _repair_tail(fd)
            for line in lines:
                _write_all(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise AftersalesError(f"{target}: cannot append to the case log: {exc.strerror or exc}; "
                              f"the decision was not recorded") from None
    return target


def _write_all(fd: int, data: bytes) -> None:
    written = os.write(fd, data)
    if written != len(data):  # a full disk: never leave a torn line without saying so
        raise OSError(f"only {written} of {len(data)} bytes written")


def _is_record(line: bytes | str) -> bool:
    """Whether ``line`` parses as one whole record (a JSON object); a torn line never does."""
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:  # JSONDecodeError, UnicodeDecodeError (a cut multi-byte character)
        return False


def _repair_tail(fd: int, block: int = 65536) -> None:
    """Make the log end with a newline after its last whole record.

    The text after the last newline (if any) is kept, with a newline added, when it parses as
    a record; otherwise it is a crashed writer's partial line and is cut off. Called with the
    log locked."""
    size = os.fstat(fd).st_size
    if not size or os.pread(fd, 1, size - 1) == b"\n":
        return
    end, start_of_tail = size, 0
    while end > 0:
        start = max(0, end - block)
        found = os.pread(fd, end - start, start).rfind(b"\n")
        if found >= 0:
            start_of_tail = start + found + 1
            break
        end = start
    tail = os.pread(fd, size - start_of_tail, start_of_tail)
    if _is_record(tail):
        _write_all(fd, b"\n")  # O_APPEND: at the end
    else:
        os.ftruncate(fd, start_of_tail)


def read_cases(path: Path | str | None = None) -> Iterator[dict[str, Any]]:
    """Every record of the case log; a torn last line (a crash mid-write: it does not parse) is
    skipped, a whole last record without its newline is not."""
    target = Path(path) if path is not None else default_case_log()
    if not target.exists():
        return
    try:
        data = target.read_bytes()
    except OSError as exc:
        raise AftersalesError(f"{target}: cannot read the case log: {exc.strerror or exc}") from None
    lines = data.split(b"\n")
    tail = lines.pop()  # after the last newline: b"" when the log ends with one
    for number, line in enumerate(lines, start=1):
        yield _parse(target, number, line)
    if tail.strip() and _is_record(tail):
        yield _parse(target, len(lines) + 1, tail)


def _parse(target: Path, number: int, line: bytes) -> dict[str, Any]:
    try:
        record = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError:
        raise AftersalesError(f"{target}:{number}: not a case record: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise AftersalesError(f"{target}:{number}: not a case record: {exc.msg}") from None
    if not isinstance(record, dict):
        raise AftersalesError(f"{target}:{number}: not a case record: not a JSON object")
    return record
