"""The package's modules import one another without a cycle (issue 14, part 4).

Every import counts, at module level or inside a function: an import deferred into a function
hides a cycle from Python, not from a reader. Only imports under ``if TYPE_CHECKING:`` (types
for the type checker, never run) are left out. ``from package import module`` depends on that
module; a package's ``__init__`` that re-exports its modules is not a cycle with them.
"""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "lib" / "aftersales"


def module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_only(tree: ast.AST) -> set[int]:
    """ids of the import nodes inside ``if TYPE_CHECKING:`` blocks."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(inner) for stmt in node.body for inner in ast.walk(stmt))
    return skipped


def import_graph(package_dir: Path = PACKAGE) -> dict[str, set[str]]:
    """Module → the package's modules it imports (relative or absolute, anywhere in the file)."""
    modules = {module_name(p, package_dir): p for p in package_dir.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skipped = _type_checking_only(tree)
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    source = ".".join(base + ([node.module] if node.module else []))
                else:
                    source = node.module or ""
                for alias in node.names:  # `from pkg import module` depends on the module only
                    targets.append(f"{source}.{alias.name}" if f"{source}.{alias.name}" in modules else source)
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            graph[name].update(t for t in targets if t in modules and t != name)
    return graph


def cycle_in(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` (its modules in order), or None."""
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        return list(exc.args[1])
    return None


def test_the_package_has_no_import_cycle() -> None:
    cycle = cycle_in(import_graph())
    assert cycle is None, "import cycle: " + " → ".join(cycle or [])


def test_a_cycle_hidden_in_a_function_is_found(tmp_path: Path) -> None:
    """The check itself can fail: a lazy import back to the importer is a cycle; a TYPE_CHECKING one is not."""
    package = tmp_path / "shop"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "engine.py").write_text("from .sub import loader\n")
    (package / "sub" / "loader.py").write_text("def load():\n    from ..engine import decide\n")
    (package / "model.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .engine import x\n")
    graph = import_graph(package)
    assert graph["shop.engine"] == {"shop.sub.loader"} and graph["shop.model"] == set()
    assert sorted(set(cycle_in(graph) or [])) == ["shop.engine", "shop.sub.loader"]


def test_the_engine_and_the_words_never_load_a_library() -> None:
    """The engine decides with the Library it is given; the presentation layer is above the engine."""
    graph = import_graph()
    assert "aftersales.library" not in graph["aftersales.engine.core"]
    assert not {m for m in graph["aftersales.engine.core"] if m.startswith("aftersales.engine.")}
    for module in (m for m in graph if m.startswith("aftersales.present")):
        assert not {t for t in graph[module] if t.startswith(("aftersales.engine", "aftersales.library"))}, module
