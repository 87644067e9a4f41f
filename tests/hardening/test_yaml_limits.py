"""Issue 13: no YAML file (playbook, profile, overlay) can exhaust the machine.

Every limit of ``aftersales.limits`` for YAML holds before anything is expanded, and an input
just past it is a located :class:`PlaybookError` (``file:line:col``, code ``limit``) that says
what is allowed, reached through every door: ``--overlay``, ``$AFTERSALES_OVERLAY``,
``playbooks/overlays/``, a playbook file and a platform profile.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aftersales.errors import PlaybookError
from aftersales.library import load_library
from aftersales.limits import MAX_YAML_ALIASES, MAX_YAML_BYTES, MAX_YAML_DEPTH, MAX_YAML_NODES
from aftersales.yamlsource import load_yaml, load_yaml_text

REPO = Path(__file__).resolve().parents[2]
PLAYBOOKS = REPO / "playbooks"


def laughs(levels: int = 9, fan: int = 9, indent: str = "") -> str:
    """The "billion laughs": each level an anchored list of ``fan`` aliases of the one below."""
    lines = [f'{indent}l0: &l0 ["lol"]']
    for level in range(1, levels + 1):
        lines.append(f"{indent}l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * fan) + "]")
    return "\n".join(lines) + "\n"


def overlay_text(name: str, extra: str) -> str:
    return f'overlay: {name}\nversion: "1"\n{extra}'


def only_problem(exc: pytest.ExceptionInfo) -> tuple[str, int, int, str, str]:
    problems = exc.value.problems
    assert len(problems) == 1, problems
    problem = problems[0]
    return problem.location.file, problem.location.line, problem.location.col, problem.message, problem.code


def fast(started: float, budget: float = 5.0) -> None:
    assert time.perf_counter() - started < budget, "a refused YAML file must be refused at once"


# --------------------------------------------------------------------------- each limit, at the parser


def test_the_billion_laughs_stops_at_the_node_limit_at_once_with_its_line():
    text = overlay_text("lol", "title:\n" + laughs(indent="  "))
    assert len(text.encode()) < 600, "a few hundred bytes"
    started = time.perf_counter()
    with pytest.raises(PlaybookError) as exc:
        load_yaml_text(text, "lol.yaml")
    fast(started, 2.0)
    file, line, col, message, code = only_problem(exc)
    assert (file, code) == ("lol.yaml", "limit")
    # 9**5 * 2 nodes pass 200,000 while the sixth level's aliases are resolved
    assert text.splitlines()[line - 1].lstrip().startswith("l6:") and col > 1
    assert f"{MAX_YAML_NODES:,}" in message and "MAX_YAML_NODES" in message


def test_merge_keys_cannot_multiply_a_document_either():
    lines = ["a0: &a0 {x: 1, y: 2}"]
    for level in range(1, 8):
        lines.append(f"a{level}: &a{level} {{<<: [" + ", ".join([f"*a{level - 1}"] * 9) + "]}")
    started = time.perf_counter()
    with pytest.raises(PlaybookError) as exc:
        load_yaml_text("\n".join(lines) + "\n", "merge.yaml")
    fast(started, 2.0)
    _file, line, _col, message, code = only_problem(exc)
    assert code == "limit" and "MAX_YAML_NODES" in message and 2 <= line <= 8


def test_a_document_just_within_the_node_limit_loads():
    # 9**4 * 2 + 9**3 ... well below the limit: a few aliases of a few levels are fine
    doc = load_yaml_text(laughs(levels=4), "ok.yaml")
    assert len(doc.data["l4"]) == 9 and doc.data["l4"][0][0][0][0] == ["lol"]


def test_one_alias_too_many_is_refused_at_that_alias():
    at_limit = "a: &a 1\nb: [" + ", ".join(["*a"] * MAX_YAML_ALIASES) + "]\n"
    assert load_yaml_text(at_limit, "ok.yaml").data["b"] == [1] * MAX_YAML_ALIASES
    past = "a: &a 1\nb:\n" + "".join("  - *a\n" for _ in range(MAX_YAML_ALIASES + 1))
    with pytest.raises(PlaybookError) as exc:
        load_yaml_text(past, "aliases.yaml")
    file, line, col, message, code = only_problem(exc)
    assert (file, line, col, code) == ("aliases.yaml", 3 + MAX_YAML_ALIASES, 5, "limit")
    assert f"more than {MAX_YAML_ALIASES:,} aliases" in message and "MAX_YAML_ALIASES" in message


def test_nesting_one_level_too_deep_is_refused_where_it_starts():
    def nested(levels: int) -> str:  # a mapping holding ``levels - 1`` lists
        return "x: " + "[" * (levels - 1) + "]" * (levels - 1) + "\n"

    assert load_yaml_text(nested(MAX_YAML_DEPTH), "ok.yaml").data["x"] is not None
    with pytest.raises(PlaybookError) as exc:
        load_yaml_text(nested(MAX_YAML_DEPTH + 1), "deep.yaml")
    file, line, col, message, code = only_problem(exc)
    assert (file, line, col, code) == ("deep.yaml", 1, 3 + MAX_YAML_DEPTH, "limit")
    assert f"deeper than {MAX_YAML_DEPTH} levels" in message and "MAX_YAML_DEPTH" in message


def test_block_nesting_and_nesting_through_an_alias_count_too():
    block = "".join("  " * level + f"k{level}:\n" for level in range(MAX_YAML_DEPTH + 1)) + "  " * (MAX_YAML_DEPTH + 1) + "v\n"
    with pytest.raises(PlaybookError) as exc:
        load_yaml_text(block, "block.yaml")
    assert only_problem(exc)[1:3] == (MAX_YAML_DEPTH + 1, 2 * MAX_YAML_DEPTH + 1)
    half = MAX_YAML_DEPTH // 2 + 2
    through_alias = "a: &a " + "[" * half + "]" * half + "\nb: " + "[" * half + "*a" + "]" * half + "\n"
    with pytest.raises(PlaybookError) as exc:
        load_yaml_text(through_alias, "alias.yaml")
    _file, line, col, message, code = only_problem(exc)
    assert (line, col, code) == (2, 4 + half, "limit") and "once this alias is resolved" in message


def test_a_recursive_alias_is_a_located_error_not_a_recursion():
    with pytest.raises(PlaybookError) as exc:
        load_yaml_text("a: 1\nb: &b [1, *b]\n", "loop.yaml")
    _file, line, _col, message, code = only_problem(exc)
    assert (line, code) == (2, "limit") and "recursive alias" in message


def test_a_file_larger_than_the_byte_limit_is_refused_unread(tmp_path):
    big = tmp_path / "big.yaml"
    line = "# " + "x" * 97 + "\n"  # 100 bytes
    count = MAX_YAML_BYTES // len(line) + 1
    big.write_text("a: 1\n" + line * count, encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(PlaybookError) as exc:
        load_yaml(big, display_name="big.yaml")
    fast(started, 2.0)
    file, where, col, message, code = only_problem(exc)
    assert (file, col, code) == ("big.yaml", 1, "limit")
    assert where == 1 + (MAX_YAML_BYTES - 5) // len(line) + 1, "the line where the limit is reached"
    assert f"{MAX_YAML_BYTES:,} bytes" in message and "MAX_YAML_BYTES" in message
    big.write_text("a: 1\n" + "#" * (MAX_YAML_BYTES - 6) + "\n", encoding="utf-8")  # exactly at the limit
    assert big.stat().st_size == MAX_YAML_BYTES and load_yaml(big).data == {"a": 1}


def test_text_past_the_byte_limit_is_refused_too():
    with pytest.raises(PlaybookError) as exc:
        load_yaml_text("a: 1\n#" + "é" * (MAX_YAML_BYTES // 2), "text.yaml")
    assert only_problem(exc)[4] == "limit"


def test_a_device_is_never_read_as_yaml():
    with pytest.raises(PlaybookError) as exc:
        load_yaml("/dev/zero", display_name="zero.yaml")
    assert only_problem(exc)[3].startswith("not a regular file")


# --------------------------------------------------------------------------- every door


@pytest.fixture(scope="module")
def laughs_overlay(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("overlay") / "lol.yaml"
    path.write_text(overlay_text("lol", "title:\n" + laughs(indent="  ")), encoding="utf-8")
    return path


def assert_laughs_refused(exc: pytest.ExceptionInfo, name: str) -> None:
    file, line, _col, message, code = only_problem(exc)
    assert file.endswith(name) and code == "limit" and "MAX_YAML_NODES" in message and line == 10  # l6, on the line after overlay, version, title and l0..l5


def test_the_laughs_overlay_through_load_library(laughs_overlay):
    started = time.perf_counter()
    with pytest.raises(PlaybookError) as exc:
        load_library(PLAYBOOKS, overlay=laughs_overlay)
    fast(started)
    assert_laughs_refused(exc, "lol.yaml")


def test_the_laughs_overlay_through_the_environment(laughs_overlay, monkeypatch):
    monkeypatch.setenv("AFTERSALES_OVERLAY", str(laughs_overlay))
    with pytest.raises(PlaybookError) as exc:
        load_library()
    assert_laughs_refused(exc, "lol.yaml")


def _limited_memory() -> None:  # pragma: no cover - runs in the child
    import resource

    limit = 2 * 1024**3
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "aftersales", *args], capture_output=True, text=True, timeout=60,
                          cwd=REPO, env={**os.environ, **(env or {})}, preexec_fn=_limited_memory)


def test_the_laughs_overlay_through_the_cli_under_a_memory_cap(laughs_overlay):
    started = time.perf_counter()
    decided = run_cli("decide", "size_mismatch", "--platform", "taobao", "--facts", "examples/facts.json",
                      "--overlay", str(laughs_overlay))
    validated = run_cli("validate", "--overlay", str(laughs_overlay))
    assert time.perf_counter() - started < 30
    for result in (decided, validated):
        assert result.returncode in (1, 2), result.stderr
        assert "Traceback" not in result.stderr + result.stdout
        assert re.search(r"lol\.yaml:10:\d+: the document expands to more than", result.stderr + result.stdout)


def test_the_laughs_in_playbooks_overlays_and_in_a_profile(tmp_path):
    from aftersales.validation import validate_paths

    root = tmp_path / "playbooks"
    shutil.copytree(PLAYBOOKS, root, ignore=shutil.ignore_patterns("cases"))
    (root / "overlays" / "lol.yaml").write_text(overlay_text("lol", "title:\n" + laughs(indent="  ")), encoding="utf-8")
    started = time.perf_counter()
    problems, _checked = validate_paths([root])
    assert [(p.location.line, p.code) for p in problems] == [(10, "limit")], problems
    assert problems[0].location.file.endswith("overlays/lol.yaml")
    (root / "overlays" / "lol.yaml").unlink()
    with (root / "platforms" / "taobao.yaml").open("a", encoding="utf-8") as handle:
        handle.write("\n" + laughs(levels=7).replace("l0:", "x_l0:").replace("\nl", "\nx_l"))
    problems, _checked = validate_paths([root])
    fast(started, 20.0)
    assert [(Path(p.location.file).name, p.code) for p in problems] == [("taobao.yaml", "limit")], problems
    from aftersales.platforms import load_profiles

    with pytest.raises(PlaybookError) as exc:
        load_profiles(root)
    assert only_problem(exc)[4] == "limit"


def test_the_laughs_in_a_playbook_file(tmp_path):
    from aftersales.validation import validate_paths

    playbook = tmp_path / "size_mismatch.yaml"
    text = (PLAYBOOKS / "size_mismatch.yaml").read_text(encoding="utf-8")
    playbook.write_text(text + "\n" + laughs().replace("l0:", "x_l0:").replace("\nl", "\nx_l"), encoding="utf-8")
    started = time.perf_counter()
    problems, _checked = validate_paths([playbook], PLAYBOOKS)
    fast(started, 10.0)
    assert [(p.location.file, p.code) for p in problems] == [(str(playbook), "limit")], problems
    assert problems[0].location.line == len(text.splitlines()) + 8


def test_an_overlay_past_the_byte_limit_is_refused_through_load_library(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text(overlay_text("big", "# " + "x" * MAX_YAML_BYTES + "\n"), encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(PlaybookError) as exc:
        load_library(PLAYBOOKS, overlay=big)
    fast(started)
    file, line, _col, message, code = only_problem(exc)
    assert (Path(file).name, line, code) == ("big.yaml", 3, "limit") and "MAX_YAML_BYTES" in message


@pytest.mark.parametrize("text, hint", [
    ("a:\n  b: 1\n c: 2\n", "indent it exactly as far as the key above it"),
    ("a:\n\tb: 1\n", "indent with spaces"),
    ("a: b: c\n", "put the value in quotes"),
    ("a: [1, 2\n", "close the ']'"),
])
def test_a_yaml_mistake_says_what_to_do(tmp_path, text: str, hint: str) -> None:
    """Issue 16, part 4: the parser's complaint comes with a hint a lead can act on, at its line."""
    from aftersales.errors import PlaybookError
    from aftersales.yamlsource import load_yaml

    path = tmp_path / "store.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlaybookError) as exc:
        load_yaml(path)
    (problem,) = exc.value.problems
    assert hint in problem.message and problem.location.line >= 1
