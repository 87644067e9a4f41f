"""Writing files so that an interrupted run never leaves half a file behind (the one atomic writer)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _read_umask() -> int:
    mask = os.umask(0)  # the only way to read it; done once at import, before any worker thread
    os.umask(mask)
    return mask


_UMASK = _read_umask()


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` through a temporary file in the same folder and ``os.replace``.

    Readers see the old file or the complete new one, never a part: the content is on disk
    (fsync) before the name points at it. On any failure (including KeyboardInterrupt) the
    temporary file is removed and ``path`` is left as it was. The new file gets the
    permissions of a normally created one (0666 less the umask).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:  # closes ``fd`` whatever fails below (a full disk: ENOSPC)
            os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp makes 0600; a document is for everyone who may read the folder
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
