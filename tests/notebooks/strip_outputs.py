"""Strip outputs, execution counts and run metadata from notebooks, so git holds sources only.

Usage: ``python tests/notebooks/strip_outputs.py notebooks/*.ipynb`` (``make notebooks`` runs it
after syncing the jupytext pairs). A notebook that is already clean is not rewritten, so its
modification time, which jupytext compares when syncing pairs, stays as it was. ``--check``
rewrites nothing and exits 1 if any notebook would change.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

# What a notebook keeps: the kernel it runs on and its jupytext settings; a cell, its tags
# (the ``parameters`` tag matters to Papermill; an empty list is dropped). Everything else
# records a run or an editor.
NOTEBOOK_METADATA = ("kernelspec", "jupytext")
CELL_METADATA = ("tags",)


def strip(nb: nbformat.NotebookNode) -> None:
    """Remove outputs, execution counts and run metadata from ``nb`` in place."""
    nb.metadata = nbformat.from_dict({k: v for k, v in nb.metadata.items() if k in NOTEBOOK_METADATA})
    for cell in nb.cells:
        cell.metadata = nbformat.from_dict({k: v for k, v in cell.metadata.items()
                                           if k in CELL_METADATA and v})
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None


def strip_file(path: Path, *, check: bool = False) -> bool:
    """Strip one notebook file; return whether it had anything to strip."""
    before = path.read_text(encoding="utf-8")
    nb = nbformat.reads(before, as_version=4)
    strip(nb)
    after = nbformat.writes(nb) + "\n"
    if after == before:
        return False
    if not check:
        path.write_text(after, encoding="utf-8")
    return True


def main(argv: list[str]) -> int:
    check = "--check" in argv
    paths = [Path(arg) for arg in argv if arg != "--check"]
    changed = [path for path in paths if strip_file(path, check=check)]
    for path in changed:
        print(f"{'would strip' if check else 'stripped'} {path}")
    return 1 if check and changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
