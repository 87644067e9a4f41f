"""Start one user's Jupyter server: bring the team's app notebooks into the user's folder, then
hand over to ``jupyterhub-singleuser`` (the same process, the same arguments).

The hub's spawner runs this as the user (``Spawner.cmd`` in ``deploy/jupyterhub_config.py``), so
the copies belong to the user, whichever spawner runs it. The folder is the server's root,
``$JUPYTERHUB_ROOT_DIR`` (the hub's ``Spawner.notebook_dir``, ``~/aftersales``): JupyterLab opens
there and Voila serves the app from it (``/user/NAME/voila/render/00_start_here.ipynb``).

A notebook is copied when the user has none by that name, or when theirs is still exactly the copy
given last time (then a newer shipped version replaces it). A notebook the user changed is kept,
and the server log says that the shipped one is newer. What was given is remembered by content hash
in ``.aftersales-app.json`` in the folder. Nothing here may stop the server from starting: a copy
that fails is logged, and JupyterLab still opens.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

#: The app notebooks shipped with the toolkit (the repository's notebooks/, next to deploy/).
APP_SOURCE = Path(__file__).resolve().parents[1] / "notebooks"
#: The hashes of the notebooks given to the user, kept in their folder.
MANIFEST = ".aftersales-app.json"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _read_manifest(folder: Path) -> dict[str, str]:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _copy_atomic(source: Path, target: Path) -> None:
    fd, staging = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(fd)
    try:
        shutil.copyfile(source, staging)
        os.replace(staging, target)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise


def seed_app(source: Path, folder: Path) -> tuple[list[str], list[str]]:
    """Give the user the app notebooks ``source/*.ipynb`` in ``folder``: copy each one the user
    has not got or has not changed since it was given (see the module's docstring). Returns the
    names copied and the names kept because the user changed them while a newer one ships."""
    folder.mkdir(parents=True, exist_ok=True)
    given = _read_manifest(folder)
    copied: list[str] = []
    kept: list[str] = []
    for notebook in sorted(source.glob("*.ipynb")):
        shipped = _sha256(notebook)
        target = folder / notebook.name
        if target.exists():
            theirs = _sha256(target)
            if theirs == shipped:
                given[notebook.name] = shipped
                continue
            if given.get(notebook.name) != theirs:
                kept.append(notebook.name)
                continue
        _copy_atomic(notebook, target)
        given[notebook.name] = shipped
        copied.append(notebook.name)
    manifest = folder / MANIFEST
    staging = manifest.with_name(f"{MANIFEST}.tmp")
    staging.write_text(json.dumps(given, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(staging, manifest)
    return copied, kept


def main(argv: list[str]) -> None:
    """Seed the server's root folder, then exec ``jupyterhub-singleuser`` with ``argv``."""
    folder = Path(os.path.expanduser(os.environ.get("JUPYTERHUB_ROOT_DIR") or "~/aftersales"))
    try:
        copied, kept = seed_app(APP_SOURCE, folder)
        if copied:
            print(f"aftersales: gave {len(copied)} app notebook(s) in {folder}: {', '.join(copied)}", file=sys.stderr)
        for name in kept:
            print(f"aftersales: kept your changed {folder / name}; a newer one ships in {APP_SOURCE / name} "
                  f"(rename yours and restart your server to get it)", file=sys.stderr)
    except OSError as exc:
        print(f"aftersales: could not copy the app notebooks into {folder}: {exc}", file=sys.stderr)
    # the venv's own command (next to this Python), not whatever the PATH finds first
    singleuser = Path(sys.executable).parent / "jupyterhub-singleuser"
    os.execv(singleuser, [str(singleuser), *argv])


if __name__ == "__main__":
    main(sys.argv[1:])
