"""Platforms are registry entries (issue 14, part 2): a new platform is one profile file.

A copy of the playbooks gets a fifth platform, ``platforms/myshop.yaml`` (modelled on the
generic own web store: its own name and currency, EU law), and nothing else; then the command
line validates it, decides cases on it, checks a message for it and renders its SOP. The
platform list, the ``--platform`` choices and the compliance vocabulary all come from the
profile files; no list of platform names is written in the code.
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LIB = REPO / "lib" / "aftersales"
SHIPPED = sorted(p.stem for p in (REPO / "playbooks" / "platforms").glob("*.yaml"))
AS_OF = "2026-01-15T09:00:00+00:00"
SIZE_FACTS = {"order_id": "MS-1", "customer_name": "Li Na", "order_value": 129, "currency": "USD",
              "delivered_on": "2026-01-12", "evidence_provided": True, "category": "apparel",
              "size_deviation_cm": 3.5, "customer_preference": "exchange"}
WRONG_ITEM_FACTS = {"order_value": 35, "currency": "EUR", "delivered_on": "2026-01-10", "problem": "wrong_item",
                    "evidence_provided": True, "customer_preference": "none", "correct_item_in_stock": False}


def _myshop(generic: str) -> str:
    """generic.yaml with its own name, and its own currency (USD; EUR still accepted); EU law."""
    text = generic.replace("platform: generic", "platform: myshop", 1)
    lines = text.splitlines(keepends=True)
    lines = [("name: {en: My Shop, zh: 我的店, ru: Мой магазин}\n" if line.startswith("name:") else line) for line in lines]
    text = "".join(lines)
    for old, new in (("currency:\n    value: EUR", "currency:\n    value: USD"),
                     ("currencies:\n    value: [EUR]", "currencies:\n    value: [USD, EUR]")):
        assert old in text, old
        text = text.replace(old, new, 1)
    assert "\njurisdiction: eu\n" in text
    return text


@pytest.fixture(scope="module")
def playbooks(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("registry") / "playbooks"
    shutil.copytree(REPO / "playbooks", root)
    generic = (root / "platforms" / "generic.yaml").read_text(encoding="utf-8")
    (root / "platforms" / "myshop.yaml").write_text(_myshop(generic), encoding="utf-8")
    return root


def cli(playbooks: Path, *args: str, stdin: str | None = None, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "aftersales", "--playbooks", str(playbooks), *args], check=False, input=stdin,
                          capture_output=True, text=True, cwd=playbooks.parent, timeout=timeout)


def test_the_new_platform_is_one_file(playbooks: Path) -> None:
    def files(root: Path) -> set[str]:
        return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}

    assert files(playbooks) - files(REPO / "playbooks") == {"platforms/myshop.yaml"}
    assert files(REPO / "playbooks") <= files(playbooks)


def test_validate_accepts_it(playbooks: Path) -> None:
    result = cli(playbooks, "validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok:" in result.stderr


@pytest.mark.parametrize("scenario, facts, outcome", [
    ("size_mismatch", SIZE_FACTS, "exchange_seller_pays"),
    ("wrong_item", WRONG_ITEM_FACTS, "refund_wrong_item"),
])
def test_decide_on_it(playbooks: Path, scenario: str, facts: dict, outcome: str) -> None:
    result = cli(playbooks, "decide", scenario, "--platform", "myshop", "--facts", "-", "--as-of", AS_OF,
                 "--lang", "en", "--json", stdin=json.dumps(facts))
    assert result.returncode == 0, result.stderr
    decision = json.loads(result.stdout)
    assert decision["platform"] == "myshop" and decision["outcome"] == outcome
    assert decision["deadlines"] and decision["deadlines"][0]["due"].endswith("+01:00"), "Europe/Berlin, from generic"


def test_its_parameters_are_its_own(playbooks: Path) -> None:
    result = cli(playbooks, "params", "myshop")
    assert result.returncode == 0, result.stderr
    assert "USD" in result.stdout


def test_check_message_for_it_runs_the_rules_for_every_platform(playbooks: Path) -> None:
    clean = cli(playbooks, "check-message", "--platform", "myshop", "--lang", "en", "--kind", "general", "-",
                stdin="Hello, we have refunded you. Reply here with any question.")
    assert clean.returncode == 0 and clean.stdout.strip() == "no findings", clean.stdout + clean.stderr

    blame = cli(playbooks, "check-message", "--platform", "myshop", "--lang", "en", "--kind", "general", "--json", "-",
                stdin="You ordered the wrong size, that is your fault.")
    assert blame.returncode == 1, blame.stderr
    assert {f["rule"] for f in json.loads(blame.stdout)["findings"]} == {"forbidden.blame_buyer"}

    # Ozon's own rule (no contact outside the platform) is Ozon's, not every platform's
    ozon_only = "Напишите мне в WhatsApp."
    assert cli(playbooks, "check-message", "--platform", "ozon", "--lang", "ru", "--kind", "general", "-",
               stdin=ozon_only).returncode == 1
    assert cli(playbooks, "check-message", "--platform", "myshop", "--lang", "ru", "--kind", "general", "-",
               stdin=ozon_only).returncode == 0

    helped = cli(playbooks, "check-message", "--help")
    assert "myshop" in helped.stdout
    typo = cli(playbooks, "check-message", "--platform", "myshopp", "--lang", "en", "--kind", "general", "-", stdin="Hi")
    assert typo.returncode == 2 and "invalid choice" in typo.stderr and "myshop" in typo.stderr


def test_without_its_folder_it_is_unknown(playbooks: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "aftersales", "check-message", "--platform", "myshop", "--lang",
                             "en", "--kind", "general", "-"], check=False, input="Hi", capture_output=True, text=True, cwd=REPO,
                            timeout=60)
    assert result.returncode == 2 and "invalid choice: 'myshop'" in result.stderr


def test_render_its_sop(playbooks: Path, tmp_path: Path) -> None:
    out = tmp_path / "sop"
    result = cli(playbooks, "render", "--format", "md", "--scenario", "size_mismatch", "--platform", "myshop",
                 "--out", str(out), "--no-progress", timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    for lang in ("en", "zh", "ru"):
        text = (out / "size_mismatch" / f"myshop.{lang}.md").read_text(encoding="utf-8")
        assert text.strip()
    assert "My Shop" in (out / "size_mismatch" / "myshop.en.md").read_text(encoding="utf-8")


# ---- in the library: the registry is the profile files -------------------------------------

def test_the_checker_vocabulary_follows_the_profile_files(playbooks: Path, monkeypatch) -> None:
    from aftersales.compliance import PLATFORMS, load_rules
    from aftersales.compliance.rules import compiled_rules
    from aftersales.compliance.vocabulary import platform_names

    assert list(PLATFORMS) == SHIPPED
    monkeypatch.setenv("AFTERSALES_PLAYBOOKS", str(playbooks))
    assert platform_names() == tuple(sorted([*SHIPPED, "myshop"]))
    assert "myshop" in PLATFORMS and list(PLATFORMS) == sorted([*SHIPPED, "myshop"])
    for kind in ("apology", "general"):
        got = {c.rule.id for c in compiled_rules("myshop", "en", kind)}
        every = {r.id for r in load_rules() if r.every_platform and r.applies("myshop", "en", kind)}
        assert got == every and got, kind


def test_a_rule_says_every_platform_with_all_and_names_the_ones_with_rules_of_their_own() -> None:
    from aftersales.compliance.rules import RulesError, parse_rules

    def rule(**extra) -> dict:
        return {"id": "a.b", "check": "forbidden", "severity": "error", "message": "m", "source": "s",
                "patterns": {"any": ["x"]}, **extra}

    known = sorted([*SHIPPED, "myshop"])
    for spelling in ({}, {"platforms": "all"}, {"platforms": ["all"]}):
        (parsed,) = parse_rules({"rules": [rule(**spelling)]}, known)
        assert parsed.every_platform and all(parsed.applies(p, "en", "general") for p in known)
    (parsed,) = parse_rules({"rules": [rule(platforms=["all"], except_platforms=["amazon", "amazon_de"])]}, known)
    assert [p for p in known if parsed.applies(p, "en", "general")] == ["generic", "myshop", "ozon", "taobao"]
    (parsed,) = parse_rules({"rules": [rule(platforms=["ozon"])]}, known)
    assert [p for p in known if parsed.applies(p, "en", "general")] == ["ozon"]
    for bad in ({"platforms": ["ozon"], "except_platforms": ["amazon"]}, {"except_platforms": ["all"]},
                {"except_platforms": ["ebay"]}, {"platforms": ["ebay"]}):
        with pytest.raises(RulesError, match="a.b"):
            parse_rules({"rules": [rule(**bad)]}, known)


def test_the_review_rules_reach_a_new_platform(playbooks: Path) -> None:
    bribe = cli(playbooks, "check-message", "--platform", "myshop", "--lang", "en", "--kind", "general", "-",
                stdin="We will refund you 10 EUR if you change your review to 5 stars.")
    assert bribe.returncode == 1


def _platform_literals(path: Path) -> list[str]:
    """Tuple, list and set literals of two or more strings that are all platform names."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)) and len(node.elts) >= 2:
            values = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            if len(values) == len(node.elts) and set(values) <= set(SHIPPED):
                found.append(f"{path.relative_to(REPO)}:{node.lineno}: {values}")
    return found


def test_no_list_of_platforms_is_written_in_the_code() -> None:
    found = [hit for path in sorted(LIB.rglob("*.py")) for hit in _platform_literals(path)]
    assert not found, "platforms come from playbooks/platforms/*.yaml:\n" + "\n".join(found)
