"""The command-line contract: names, JSON keys, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
AS_OF = "2026-01-15T09:00:00+00:00"
SIZE_FACTS = {"order_value": 129, "currency": "CNY", "delivered_on": "2026-01-12", "evidence_provided": True,
              "category": "apparel", "size_deviation_cm": 3.5, "customer_preference": "exchange"}


def run(*args: str, stdin: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "aftersales", *args], input=stdin, capture_output=True, text=True,
                          cwd=REPO, env={**os.environ, **(env or {})}, timeout=120)


def assert_one_line_error(result: subprocess.CompletedProcess, *needles: str) -> None:
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0]


def test_list_names_the_five_scenarios() -> None:
    result = run("list", "--json")
    assert result.returncode == 0, result.stderr
    names = {row["scenario"] for row in json.loads(result.stdout)}
    assert {"size_mismatch"} <= names


def test_describe_shows_inputs_steps_and_outcomes() -> None:
    result = run("describe", "size_mismatch")
    assert result.returncode == 0, result.stderr
    for heading in ("INPUTS", "STEPS", "OUTCOMES", "size_deviation_cm", "exchange_seller_pays"):
        assert heading in result.stdout


def test_validate_passes_on_the_shipped_playbooks() -> None:
    result = run("validate")
    assert result.returncode == 0, result.stdout + result.stderr


def test_validate_reports_file_line_col_and_exits_1(tmp_path: Path) -> None:
    broken = tmp_path / "size_mismatch.yaml"
    text = (REPO / "playbooks" / "size_mismatch.yaml").read_text(encoding="utf-8")
    broken.write_text(text.replace("goto: quality_choice", "goto: quality_choise"), encoding="utf-8")
    result = run("validate", str(broken))
    assert result.returncode == 1
    assert f"{broken}:" in result.stdout and "did you mean 'quality_choice'" in result.stdout


def test_decide_json_has_the_contract_keys(tmp_path: Path) -> None:
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps(SIZE_FACTS), encoding="utf-8")
    result = run("decide", "size_mismatch", "--platform", "taobao", "--facts", str(facts), "--lang", "en",
                 "--as-of", AS_OF, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    for key in ("scenario", "platform", "playbook_version", "outcome", "resolution", "return_shipping_paid_by",
                "cost_borne_by", "compensation", "deadlines", "checklist", "message", "trace"):
        assert key in data
    assert data["outcome"] == "exchange_seller_pays"
    assert data["return_shipping_paid_by"] == "seller"
    assert data["message"]["lang"] == "en" and "3.5 cm" in data["message"]["text"]
    assert all({"name", "due", "rule", "source"} <= set(d) for d in data["deadlines"])
    assert all({"step", "value", "reason", "source"} <= set(t) for t in data["trace"])


def test_decide_reads_facts_from_stdin() -> None:
    result = run("decide", "size_mismatch", "--platform", "taobao", "--facts", "-", "--as-of", AS_OF, "--json",
                 stdin=json.dumps(SIZE_FACTS))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["message"]["lang"] == "zh"  # the platform's first language


def test_decide_prints_a_readable_card() -> None:
    result = run("decide", "size_mismatch", "--platform", "taobao", "--facts", "-", "--as-of", AS_OF, "--lang", "en",
                 stdin=json.dumps(SIZE_FACTS))
    assert result.returncode == 0, result.stderr
    assert "resolution:   Exchange" in result.stdout and "trace:" in result.stdout


@pytest.mark.parametrize("args, stdin, needles", [
    pytest.param(["decide", "size_mismatch", "--platform", "ebay"], json.dumps(SIZE_FACTS), ["unknown platform 'ebay'", "taobao"],
                 id="an unknown platform"),
    pytest.param(["decide", "size_mismtach", "--platform", "taobao"], json.dumps(SIZE_FACTS),
                 ["unknown scenario 'size_mismtach'", "did you mean 'size_mismatch'"], id="an unknown scenario"),
    pytest.param(["decide", "size_mismatch", "--platform", "taobao"], "{not json", ["not valid JSON", "line 1"],
                 id="facts that are not JSON"),
    pytest.param(["decide", "size_mismatch", "--platform", "taobao"], "[1, 2]", ["JSON object"], id="facts that are a list"),
    pytest.param(["decide", "size_mismatch", "--platform", "taobao"],
                 json.dumps({k: v for k, v in SIZE_FACTS.items() if k != "size_deviation_cm"}),
                 ["size_deviation_cm", "missing"], id="a missing fact"),
    pytest.param(["decide", "size_mismatch", "--platform", "taobao"], json.dumps({**SIZE_FACTS, "size_deviation_cm": "big"}),
                 ["size_deviation_cm", "expected a number"], id="a fact of the wrong type"),
    pytest.param(["decide", "size_mismatch", "--platform", "taobao"], json.dumps({**SIZE_FACTS, "size_deviation_cm": -1}),
                 ["size_deviation_cm", "out of range", "0 ≤ value ≤ 200"], id="a fact out of range"),
    pytest.param(["decide", "size_mismatch", "--platform", "taobao"], json.dumps({**SIZE_FACTS, "colour": "red"}),
                 ["unknown fact"], id="an unknown fact"),
    pytest.param(["decide", "size_mismatch", "--platform", "taobao", "--as-of", "yesterday"], json.dumps(SIZE_FACTS),
                 ["as_of"], id="a bad --as-of"),
    pytest.param(["decide", "size_mismatch", "--platform", "taobao", "--lang", "fr"], json.dumps(SIZE_FACTS),
                 ["invalid choice: 'fr'"], id="an unknown language"),
])
def test_bad_input_is_one_line_and_exit_2(args: list[str], stdin: str, needles: list[str]) -> None:
    result = run(*args, "--facts", "-", stdin=stdin)
    assert_one_line_error(result, *needles)


def test_a_missing_facts_file_is_one_line() -> None:
    result = run("decide", "size_mismatch", "--platform", "taobao", "--facts", "/nonexistent/facts.json")
    assert_one_line_error(result, "cannot read facts file")


def test_examples_command_runs_every_example() -> None:
    result = run("examples", "--scenario", "size_mismatch")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(" ok ") >= 5


def test_params_shows_sources_and_dated_values() -> None:
    result = run("params", "amazon", "--as-of", "2020-01-01", "--json")
    assert result.returncode == 0, result.stderr
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert rows["fba_reimbursement_after_days"]["value"] == 45
    later = {row["name"]: row for row in json.loads(run("params", "amazon", "--as-of", "2025-06-01", "--json").stdout)}
    assert later["fba_reimbursement_after_days"]["value"] == 60
    assert all(row["source"] for row in later.values())


def test_help_imports_no_heavy_package() -> None:
    code = ("import sys, aftersales.cli as c\n"
            "try:\n    c.main(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('pydantic', 'jinja2', 'holidays', 'pandas', 'yaml', 'papermill') if m in sys.modules]\n"
            "print('HEAVY:' + ','.join(heavy))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "HEAVY:"


def test_the_readme_decide_example_is_real_output() -> None:
    """The example reads a file the repository ships, and prints what the README shows."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("$ cat examples/facts.json\n", 1)[1].split("```", 1)[0]
    facts_text, rest = block.split("\n\n$ ", 1)
    command, expected = rest.split("\n", 1)
    assert json.loads((REPO / "examples" / "facts.json").read_text(encoding="utf-8")) == json.loads(facts_text)
    args = command.split()[1:]  # drop ".venv/bin/aftersales"; run from the repository, as the README does
    result = run(*args)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected.strip()


def test_every_example_file_the_readme_names_is_shipped() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"examples/[\w./-]+\.\w+", readme))
    assert {"examples/facts.json", "examples/answers.json", "examples/past-cases.csv"} <= named
    assert [name for name in sorted(named) if not (REPO / name).is_file()] == []
    assert not re.search(r"--facts facts\.json|--answers answers\.json|replay past\.csv", readme), \
        "a README command reads a file that is not shipped"


def test_validate_names_the_playbooks_folder_it_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture) -> None:
    from aftersales.cli import main

    (tmp_path / "playbooks").mkdir()  # another clone's playbooks, which the default does not read
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AFTERSALES_PLAYBOOKS", raising=False)
    assert main(["validate"]) == 0
    err = capsys.readouterr().err
    assert f"playbooks folder: {REPO / 'playbooks'}" in err
    assert "not ./playbooks" in err and "aftersales --playbooks playbooks validate" in err
