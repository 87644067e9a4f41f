"""Every public class and function of the model, the engine and the presentation layer says
what it is for (issue 14, part 8): the modules every front end reads."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "lib" / "aftersales"
DOCUMENTED = ["playbook/compiled.py", "engine", "present", "library_model.py", "policy"]


def undocumented(path: Path, package: Path = PACKAGE) -> list[str]:
    """``file:line name`` of each public class, function and method of ``path`` without a docstring."""
    found: list[str] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in getattr(node, "body", []):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and not child.name.startswith("_"):
                if not ast.get_docstring(child):
                    found.append(f"{path.relative_to(package)}:{child.lineno} {prefix}{child.name}")
                if isinstance(child, ast.ClassDef):
                    visit(child, f"{child.name}.")

    visit(ast.parse(path.read_text(encoding="utf-8")), "")
    return found


@pytest.mark.parametrize("target", DOCUMENTED)
def test_every_public_definition_has_a_docstring(target: str) -> None:
    root = PACKAGE / target
    files = sorted(root.rglob("*.py")) if root.is_dir() else [root]
    assert files
    assert [name for path in files for name in undocumented(path)] == []


def test_the_check_finds_a_missing_docstring(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('def told():\n    """Yes."""\n\nclass Kept:\n    def silent(self):\n        pass\n\ndef _private():\n    pass\n')
    assert undocumented(sample, tmp_path) == ["sample.py:4 Kept", "sample.py:5 Kept.silent"]
