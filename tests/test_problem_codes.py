"""Problem codes are a registry: every code the package emits is registered (with a severity and
a doc), every registered code is emitted somewhere, docs/playbook-format.md shows exactly the
registry, and ``aftersales validate --format json`` prints each problem with its severity.

The emitted codes are found by reading the source (``ast``), not by running every check: a
call of ``Problem(location, message, code)``, or of any function that passes one of its own
parameters on as that code (``SourceDoc.problem``, ``_Draft.add``, ``_Entry.problem``, ... —
found to a fixed point, so a new helper is covered without a change here), is an emission; its
code must be a string literal, a module constant or another such parameter.
"""

from __future__ import annotations

import ast
import json
import shutil
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

from aftersales import problem_codes
from aftersales.errors import Location, Problem
from aftersales.problem_codes import CODES, ORIGINS, SEVERITIES

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "lib" / "aftersales"
DOCS = REPO / "docs" / "playbook-format.md"


@dataclass(frozen=True)
class _Emitter:
    """A callable that turns one of its arguments into a problem code."""

    index: int  # position of the code among the call's positional arguments
    keyword: str  # its keyword name
    default: str | None  # its default value (a str literal), None when it is required


def _constants(trees: dict[Path, ast.Module]) -> dict[str, str]:
    """Module-level ``NAME = "literal"`` assignments of the package (LIMIT_CODE, ...)."""
    found: dict[str, str] = {}
    for tree in trees.values():
        for node in tree.body:
            if isinstance(node, ast.Assign):
                targets, value = node.targets, node.value
            elif isinstance(node, ast.AnnAssign):
                targets, value = [node.target], node.value
            else:
                continue
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                for target in targets:
                    if isinstance(target, ast.Name):
                        found[target.id] = value.value
    return found


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


class _Scanner(ast.NodeVisitor):
    """One pass over one module: the codes of every call of a known emitter, the new emitters
    (functions that forward a parameter as the code), and the codes it cannot tell."""

    def __init__(self, path: Path, emitters: dict[str, _Emitter], constants: dict[str, str]):
        self.path, self.emitters, self.constants = path, emitters, constants
        self.stack: list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, bool]] = []
        self.in_class = False
        self.codes: dict[str, list[str]] = defaultdict(list)
        self.new: dict[str, _Emitter] = {}
        self.unresolved: list[str] = []
        self.defaulted: list[str] = []

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        outer, self.in_class = self.in_class, True
        self.generic_visit(node)
        self.in_class = outer

    def _visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        is_method = self.in_class and not any(isinstance(d, ast.Name) and d.id == "staticmethod"
                                              for d in node.decorator_list)
        outer, self.in_class = self.in_class, False
        self.stack.append((node, is_method))
        self.generic_visit(node)
        self.stack.pop()
        self.in_class = outer

    visit_FunctionDef = _visit_function
    visit_AsyncFunctionDef = _visit_function

    def visit_Call(self, node: ast.Call) -> None:
        self.generic_visit(node)
        name = _called_name(node)
        emitter = self.emitters.get(name) if name else None
        if emitter is None:
            return
        where = f"{self.path.relative_to(PACKAGE)}:{node.lineno}"
        keywords = {k.arg: k.value for k in node.keywords}
        if emitter.keyword in keywords:
            value = keywords[emitter.keyword]
        elif len(node.args) > emitter.index and not any(isinstance(a, ast.Starred) for a in node.args):
            value = node.args[emitter.index]
        elif emitter.default is None:
            return  # not this emitter: another callable of the same name (a set's add(x))
        elif any(isinstance(a, ast.Starred) for a in node.args) or None in keywords:
            self.unresolved.append(f"{where}: {name}(*args/**kwargs)")
            return
        else:
            self.defaulted.append(f"{where}: {name}(...) relies on the default code '{emitter.default}'")
            return
        self._record(value, where, name)

    def _record(self, value: ast.expr, where: str, name: str) -> None:
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            self.codes[value.value].append(where)
        elif isinstance(value, ast.IfExp):
            self._record(value.body, where, name)
            self._record(value.orelse, where, name)
        elif isinstance(value, ast.Name) and self._forward(value.id):
            pass
        elif isinstance(value, ast.Name) and value.id in self.constants:
            self.codes[self.constants[value.id]].append(where)
        else:
            self.unresolved.append(f"{where}: {name}(..., {ast.unparse(value)})")

    def _forward(self, param: str) -> bool:
        """``param`` is a parameter of the innermost function that has it: that function is an emitter."""
        for function, is_method in reversed(self.stack):
            args = function.args
            positional = [*args.posonlyargs, *args.args]
            names = [a.arg for a in positional]
            if param in names:
                index = names.index(param)
                defaults = dict(zip(names[len(names) - len(args.defaults):], args.defaults, strict=False))
            elif param in [a.arg for a in args.kwonlyargs]:
                index = 10_000  # keyword-only
                defaults = {a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=False) if d is not None}
            else:
                continue
            default = defaults.get(param)
            text = default.value if isinstance(default, ast.Constant) and isinstance(default.value, str) else None
            self.new[function.name] = _Emitter(index - 1 if is_method else index, param, text)
            return True
        return False


def scan_package() -> tuple[dict[str, list[str]], list[str], list[str]]:
    """Every code the package emits (with where), the emissions whose code cannot be told, and
    the calls that rely on a default code."""
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in sorted(PACKAGE.rglob("*.py"))}
    constants = _constants(trees)
    emitters = {"Problem": _Emitter(2, "code", "invalid")}
    while True:
        codes: dict[str, list[str]] = defaultdict(list)
        unresolved: list[str] = []
        defaulted: list[str] = []
        found: dict[str, _Emitter] = {}
        for path, tree in trees.items():
            scanner = _Scanner(path, emitters, constants)
            scanner.visit(tree)
            for code, sites in scanner.codes.items():
                codes[code].extend(sites)
            unresolved += scanner.unresolved
            defaulted += scanner.defaulted
            found.update(scanner.new)
        if all(name in emitters for name in found):
            return dict(codes), unresolved, defaulted
        emitters.update({name: emitter for name, emitter in found.items() if name not in emitters})


@pytest.fixture(scope="module")
def scanned() -> tuple[dict[str, list[str]], list[str], list[str]]:
    return scan_package()


def test_the_scan_finds_the_emitters_it_must(scanned) -> None:
    codes, _unresolved, _defaulted = scanned
    # through Problem(...), SourceDoc.problem (pydantic_problems), _Draft.add, _Entry.problem, LIMIT_CODE
    assert {"io", "schema", "dangling", "too-few-cases", "limit", "never-verified"} <= set(codes)
    assert len(codes) >= 45


def test_every_emission_names_its_code(scanned) -> None:
    _codes, unresolved, defaulted = scanned
    assert unresolved == [], "a problem code the registry test cannot read: use a literal or a module constant"
    assert defaulted == [], "give every problem its code (the registry has no 'invalid')"


def test_every_emitted_code_is_registered(scanned) -> None:
    codes, _unresolved, _defaulted = scanned
    missing = {code: sites for code, sites in codes.items() if code not in CODES}
    assert missing == {}, "register these codes in lib/aftersales/problem_codes.py (then regenerate the docs table)"


def test_every_registered_code_is_emitted(scanned) -> None:
    codes, _unresolved, _defaulted = scanned
    assert sorted(set(CODES) - set(codes)) == [], "a registered code nothing emits: remove it from the registry"


def test_every_code_has_a_severity_origin_and_doc() -> None:
    assert len(CODES) == len(problem_codes._REGISTRY), "a code is registered twice"
    for code in CODES.values():
        assert code.severity in SEVERITIES, code
        assert code.origins and set(code.origins) <= set(ORIGINS), code
        assert code.doc and "\n" not in code.doc and "|" not in code.doc, code
        assert code.id == code.id.strip().lower() and " " not in code.id, code


def test_the_docs_table_is_the_registry() -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert problem_codes.docs_section(text) == problem_codes.markdown_table(), (
        "docs/playbook-format.md is out of date: run "
        "'.venv/bin/python -m aftersales.problem_codes --write docs/playbook-format.md'")
    assert problem_codes.with_table(text) == text
    for code in CODES:
        assert f"| `{code}` |" in text


def test_the_docs_writer_refreshes_the_table(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(f"intro\n\n{problem_codes.DOCS_BEGIN}\n| stale |\n{problem_codes.DOCS_END}\n\nafter\n",
                    encoding="utf-8")
    assert problem_codes.main(["--write", str(page)]) == 0
    text = page.read_text(encoding="utf-8")
    assert text.startswith("intro\n\n") and text.endswith(f"{problem_codes.DOCS_END}\n\nafter\n")
    assert problem_codes.docs_section(text) == problem_codes.markdown_table() and "| stale |" not in text


def test_a_problem_knows_its_severity() -> None:
    where = Location("playbooks/platforms/ozon.yaml", 3, 5)
    assert Problem(where, "old", "stale-verification").severity == "warning"
    assert Problem(where, "bad", "dangling").severity == "error"
    assert Problem(where, "bad").severity == "error"  # the default code, unregistered: never hidden
    assert Problem(Location("x.yaml"), "gone", "io").to_dict() == {
        "file": "x.yaml", "line": None, "col": None, "code": "io", "severity": "error", "message": "gone"}
    assert str(Problem(where, "bad", "dangling")) == "playbooks/platforms/ozon.yaml:3:5: bad [dangling]"


def _validate(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, list[dict], str]:
    from aftersales.cli import main

    code = main(["validate", "--format", "json", *args])
    out, err = capsys.readouterr()
    return code, json.loads(out), err


KEYS = ["file", "line", "col", "code", "severity", "message"]


def test_validate_json_on_the_shipped_playbooks(capsys: pytest.CaptureFixture) -> None:
    code, problems, err = _validate(capsys)
    assert code == 0
    assert "ok:" in err and "warning:" not in err  # the warnings are in the JSON, not on stderr
    assert all(list(p) == KEYS for p in problems)
    assert {p["severity"] for p in problems} <= {"warning"}
    for p in problems:
        assert p["code"] in CODES and CODES[p["code"]].severity == "warning"
        assert isinstance(p["line"], int) and isinstance(p["col"], int) and Path(p["file"]).suffix == ".yaml"


def test_validate_json_reports_errors_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    broken = tmp_path / "size_mismatch.yaml"
    text = (REPO / "playbooks" / "size_mismatch.yaml").read_text(encoding="utf-8")
    broken.write_text(text.replace("goto: quality_choice", "goto: quality_choise"), encoding="utf-8")
    missing = tmp_path / "nowhere.yaml"
    code, problems, err = _validate(capsys, str(broken), str(missing))
    assert code == 1 and "problem(s)" in err
    errors = [p for p in problems if p["severity"] == "error"]
    dangling = [p for p in errors if p["code"] == "dangling"]
    assert dangling and dangling[0]["file"] == str(broken) and dangling[0]["line"] > 1 and dangling[0]["col"] >= 1
    assert "did you mean 'quality_choice'" in dangling[0]["message"]
    assert {"file": str(missing), "line": None, "col": None, "code": "io", "severity": "error",
            "message": "no such file or folder"} in errors


def test_text_and_json_report_the_same_errors(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from aftersales.cli import main

    root = tmp_path / "playbooks"
    shutil.copytree(REPO / "playbooks", root)
    path = root / "size_mismatch.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("goto: quality_choice", "goto: nowhere"),
                    encoding="utf-8")
    assert main(["validate", str(root)]) == 1
    text_out, text_err = capsys.readouterr()
    code, problems, json_err = _validate(capsys, str(root))
    assert code == 1
    errors = [p for p in problems if p["severity"] == "error"]
    assert text_out.splitlines() == [f"{p['file']}:{p['line']}:{p['col']}: {p['message']} [{p['code']}]"
                                     for p in errors]
    warnings = [line for line in text_err.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == len(problems) - len(errors)
    assert text_err.splitlines()[-1] == json_err.splitlines()[-1]  # the same summary


def test_verification_warnings_become_warning_problems(tmp_path: Path) -> None:
    from datetime import date

    from aftersales.platforms.load import verification_warnings
    from aftersales.validation import verification_problems

    root = tmp_path / "playbooks"
    root.mkdir()
    shutil.copy(REPO / "playbooks" / "parameters.yaml", root / "parameters.yaml")
    for folder in ("jurisdictions", "platforms"):
        shutil.copytree(REPO / "playbooks" / folder, root / folder)
    path = root / "platforms" / "taobao.yaml"
    block = "  size_tolerance_cm:\n    value: 3\n"
    text = path.read_text(encoding="utf-8")
    assert block in text
    path.write_text(text.replace(block, block + "    verified_on: 2026-01-02\n"), encoding="utf-8")
    line = path.read_text(encoding="utf-8").splitlines().index("    verified_on: 2026-01-02") + 1
    today = date(2026, 12, 4)
    lines = verification_warnings(root, today)
    problems = verification_problems([root, tmp_path], today)  # a folder without profiles has none
    assert len(problems) == len(lines) and {p.code for p in problems} == {"stale-verification", "never-verified"}
    assert sorted(f"warning: {p.location}: {p.message}" for p in problems) == sorted(lines)
    assert all(p.severity == "warning" for p in problems)
    [stale] = [p for p in problems if p.code == "stale-verification"]
    assert (Path(stale.location.file).name, stale.location.line) == ("taobao.yaml", line)
    assert "size_tolerance_cm" in stale.message and "336 days ago" in stale.message
