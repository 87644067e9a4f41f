"""Writing output files so that an interrupted run never leaves half a document behind."""

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
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:  # closes ``fd`` whatever fails below (a full disk: ENOSPC)
            os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp makes 0600; a document is for everyone who may read the folder
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
