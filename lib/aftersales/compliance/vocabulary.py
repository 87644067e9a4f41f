"""The checker's closed vocabularies, and the platform registry (kept free of heavy imports so
the CLI's --help and the render plan stay instant).

A platform is one profile file, ``<playbooks>/platforms/<name>.yaml``: the platform list, the
command line's ``--platform`` choices, the platforms the compliance rules may name and the
platforms a message may be checked for all come from those files, never from a list in code.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..languages import LANGS  # noqa: F401  (re-exported)
from ..paths import default_playbooks_dir

KINDS = ("apology", "review_reply", "claim_response", "general")
#: Where a playbooks folder keeps its platform profiles (as in :mod:`aftersales.platforms.load`).
PLATFORMS_DIR = "platforms"


def platform_names(root: str | os.PathLike[str] | None = None) -> tuple[str, ...]:
    """The platforms of a playbooks folder (default: the one in use, ``$AFTERSALES_PLAYBOOKS`` or
    the repository's): one per profile file ``platforms/<name>.yaml``, sorted; files starting
    with ``_`` are not profiles (as for the profile loader). A glob: no YAML is read."""
    folder = (Path(root) if root else default_playbooks_dir()) / PLATFORMS_DIR
    try:
        return tuple(sorted(p.stem for p in folder.glob("*.yaml") if not p.name.startswith("_")))
    except OSError:
        return ()


_FOLDERS: dict[str, None] = {}  # playbooks folders in use besides the default one, in order


def use_playbooks(root: str | os.PathLike[str]) -> None:
    """Make the platforms of the playbooks folder ``root`` known (``aftersales --playbooks DIR``):
    a message may then be checked for any of them, and ``--platform`` accepts them."""
    _FOLDERS[str(Path(root).resolve())] = None


def known_platforms() -> tuple[str, ...]:
    """Every platform with a profile in the default playbooks folder or in a folder given to
    :func:`use_playbooks` (read afresh each time, so a profile added meanwhile counts)."""
    names = list(platform_names())
    for folder in _FOLDERS:
        names.extend(platform_names(folder))
    return tuple(sorted(set(names)))


class _Registry(Sequence[str]):
    """The known platforms as a read-only sequence that is looked up when used (``PLATFORMS``),
    so that it follows the profile files and ``--playbooks`` rather than the import time."""

    def __getitem__(self, index):  # type: ignore[override]
        return known_platforms()[index]

    def __len__(self) -> int:
        return len(known_platforms())

    def __iter__(self) -> Iterator[str]:
        return iter(known_platforms())

    def __contains__(self, name: object) -> bool:
        return name in known_platforms()

    def __repr__(self) -> str:
        return repr(known_platforms())


#: Every known platform (see :func:`known_platforms`); a sequence of names read when used.
PLATFORMS: Sequence[str] = _Registry()
SEVERITIES = ("error", "warning", "info")
