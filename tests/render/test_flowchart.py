"""The SOP's decision flowchart: DOT source, the SVG Graphviz makes of it, and its escaping.

The SVG tests need Graphviz's ``dot`` (``bash .ci/install-render-tools.sh`` installs it):
missing, they fail when ``CI`` is set and skip otherwise. The DOT tests always run.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from aftersales.errors import AftersalesError, UnknownNameError
from aftersales.library import load_library
from aftersales.present.view import step_numbers
from aftersales.render import flowchart
from aftersales.render.flowchart import (
    LABEL_MAX,
    LABEL_WIDTH,
    OTHERWISE,
    RenderToolMissing,
    branch_label,
    display_width,
    dot_available,
    flowchart_dot,
    flowchart_svg,
    wrap,
    wrap_balanced,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
PLAYBOOKS = REPO_ROOT / "playbooks"
LANGS = ("en", "zh", "ru")
SVG = "{http://www.w3.org/2000/svg}"
INSTALL_HINT = ("Graphviz's `dot` is needed for the SOP flowcharts: install Debian's package `graphviz` "
                "(apt-get install graphviz) or run `bash .ci/install-render-tools.sh`")
# Everything DOT or XML could misread: quotes, markup, an entity, backslashes, dot's \N escape.
TRICKY_TITLE = '"quotes" <b>&amp; \\ back \\N'
TRICKY_REASON = "if <i>a & b</i> \\G"
TRICKY_LABEL = 'Cat "x" <y>'


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


@pytest.fixture(scope="module")
def library() -> Any:
    return load_library(PLAYBOOKS)


@pytest.fixture(scope="module")
def dot() -> str:
    """Graphviz's dot; fail under CI, skip elsewhere, when it is not installed."""
    path = shutil.which("dot")
    if path is None:
        reason = "Graphviz's dot is not installed; `bash .ci/install-render-tools.sh` installs it"
        if _ci():
            pytest.fail(f"{reason} (CI is set, so the flowchart tests may not be skipped)", pytrace=False)
        pytest.skip(reason)
    return path


def _all(library: Any) -> list[tuple[Any, str]]:
    return [(library.playbook(scenario), lang) for scenario in library.scenarios for lang in LANGS]


def _squash(text: str) -> str:
    return "".join(text.split())


def _expected_edges(playbook: Any) -> Counter[tuple[str, str]]:
    edges: Counter[tuple[str, str]] = Counter()
    for step in playbook.steps.values():
        for branch in step.branches:
            edges[(step.id, branch.target)] += 1
        if not step.branches and step.next:
            edges[(step.id, step.next)] += 1
    return edges


def _groups(svg: str, kind: str) -> list[tuple[str, str]]:
    """(title, all its text) of every ``<g class=kind>`` of the SVG (which must parse as XML)."""
    root = ET.fromstring(svg)
    found = []
    for group in root.iter(f"{SVG}g"):
        if group.get("class") == kind:
            title = group.findtext(f"{SVG}title") or ""
            text = " ".join(element.text or "" for element in group.iter(f"{SVG}text"))
            found.append((title, text))
    return found


# ---------------------------------------------------------------------------- numbering


def test_steps_are_numbered_breadth_first_from_the_start(library: Any) -> None:
    for scenario in library.scenarios:
        playbook = library.playbook(scenario)
        numbers = step_numbers(playbook)
        assert set(numbers) == set(playbook.steps), scenario
        assert sorted(numbers.values()) == list(range(1, len(playbook.steps) + 1)), scenario
        assert numbers[playbook.start] == 1
        assert list(numbers) == sorted(numbers, key=numbers.__getitem__), "the dict is in number order"
        # Breadth-first: ordered by the first step leading there, then by that step's branch order.
        discovered = []
        for step_id in list(numbers)[1:]:
            parents = [(numbers[p.id], p.targets.index(step_id)) for p in playbook.steps.values()
                       if step_id in p.targets]
            assert parents, f"{scenario}: nothing leads to {step_id}"
            discovered.append(min(parents))
        assert discovered == sorted(discovered), scenario


# ---------------------------------------------------------------------------- DOT


def test_dot_is_deterministic_across_calls_and_processes(library: Any) -> None:
    here = {f"{playbook.scenario}/{lang}": flowchart_dot(playbook, lang) for playbook, lang in _all(library)}
    again = {f"{playbook.scenario}/{lang}": flowchart_dot(playbook, lang) for playbook, lang in _all(library)}
    assert here == again
    digest = hashlib.sha256(json.dumps(here, sort_keys=True).encode()).hexdigest()
    # Another process with another hash seed: set or dict order leaking into the DOT would show.
    script = ("import hashlib, json; from aftersales.library import load_library; "
              "from aftersales.render.flowchart import flowchart_dot; "
              f"lib = load_library({str(PLAYBOOKS)!r}); "
              "dots = {f'{s}/{l}': flowchart_dot(lib.playbook(s), l) "
              "        for s in lib.scenarios for l in ('en', 'zh', 'ru')}; "
              "print(hashlib.sha256(json.dumps(dots, sort_keys=True).encode()).hexdigest())")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == digest


def test_dot_has_a_node_per_step_and_outcome_and_an_edge_per_branch(library: Any) -> None:
    for playbook, lang in _all(library):
        source = flowchart_dot(playbook, lang)
        assert re.search(r"^digraph .*\{$", source, re.MULTILINE) and "rankdir=TB" in source
        nodes = re.findall(r'^  "(\w+)" \[', source, re.MULTILINE)
        edges = Counter(re.findall(r'^  "(\w+)" -> "(\w+)"', source, re.MULTILINE))
        assert sorted(nodes) == sorted([*playbook.steps, *playbook.outcomes]), (playbook.scenario, lang)
        assert edges == _expected_edges(playbook), (playbook.scenario, lang)
        defaults = sum(b.condition is None for step in playbook.steps.values() for b in step.branches)
        assert source.count("style=dashed") == defaults, "default branches are dashed, others solid"


def test_dot_rejects_an_unknown_language(library: Any) -> None:
    with pytest.raises(UnknownNameError, match="unknown language 'de'"):
        flowchart_dot(library.playbook("size_mismatch"), "de")


# ---------------------------------------------------------------------------- labels


def _branch(library: Any, scenario: str, step: str, target: str) -> Any:
    return next(b for b in library.playbook(scenario).steps[step].branches if b.target == target)


def test_branch_label_prefers_a_short_reason_then_the_condition_then_otherwise(library: Any) -> None:
    short = _branch(library, "size_mismatch", "quality_choice", "refund_seller_pays")
    assert branch_label(short, "en") == "The customer chose a refund."
    assert branch_label(short, "zh") == "客户选择退款。"
    wordy = _branch(library, "size_mismatch", "tolerance", "quality_choice")
    assert display_width(wordy.reason["en"]) > 2 * LABEL_WIDTH
    assert branch_label(wordy, "en") == wordy.condition.source == "not conforms"
    assert branch_label(wordy, "zh") == wordy.reason["zh"]
    default = _branch(library, "size_mismatch", "intake", "measurement")
    assert default.condition is None and default.reason is None
    assert [branch_label(default, lang) for lang in LANGS] == ["otherwise", "其他情况", "иначе"]
    assert OTHERWISE == dict(zip(LANGS, ["otherwise", "其他情况", "иначе"], strict=False))


def test_a_long_condition_is_capped_with_an_ellipsis(library: Any) -> None:
    branch = _branch(library, "bad_review", "deal_check", "decline_review_deal")
    wordy = dataclasses.replace(branch, reason={lang: "x " * 60 for lang in LANGS})
    assert display_width(branch.condition.source) > LABEL_MAX
    label = branch_label(wordy, "en")
    assert label.endswith("…") and display_width(label) <= LABEL_MAX
    assert branch.condition.source.startswith(label[:-1])


@pytest.mark.parametrize("text, joiner", [
    ("The deviation is beyond the tolerance, so it counts as a quality problem.", " "),
    ("Отклонение больше допуска — это брак, и за возврат платит продавец.", " "),
    ("吊牌已剪、已洗或已使用，不影响二次销售的条件不满足。", ""),
])
def test_wrap_keeps_every_word_within_the_width(text: str, joiner: str) -> None:
    lines = wrap(text, LABEL_WIDTH)
    assert len(lines) > 1
    assert joiner.join(lines) == text
    assert all(display_width(line.rstrip("，。、：；？！,.;:!?")) <= LABEL_WIDTH for line in lines), lines


def test_wrap_cuts_long_words_and_balances_lines() -> None:
    assert wrap("params.low_price_refund_instead_of_exchange_below", 28) == [
        "params.", "low_price_refund_instead_of_", "exchange_below"]
    assert wrap_balanced("customer_preference == 'refund'", 28) == ["customer_preference", "== 'refund'"]
    assert wrap("x" * 60, 28) == ["x" * 28, "x" * 28, "x" * 4]
    assert wrap("偏差超出误差范围，属于质量问题。", 28) == ["偏差超出误差范围，属于质量问", "题。"]
    assert wrap_balanced("偏差超出误差范围，属于质量问题。", 28) == ["偏差超出误差范围，", "属于质量问题。"]


# ---------------------------------------------------------------------------- SVG


def test_svg_draws_every_step_outcome_and_branch(dot: str, library: Any) -> None:
    for playbook, lang in _all(library):
        svg = flowchart_svg(playbook, lang)
        nodes = [title for title, _text in _groups(svg, "node")]
        edges = Counter(tuple(title.split("->")) for title, _text in _groups(svg, "edge"))
        assert sorted(nodes) == sorted([*playbook.steps, *playbook.outcomes]), (playbook.scenario, lang)
        assert edges == _expected_edges(playbook), (playbook.scenario, lang)


def test_svg_labels_are_in_the_requested_language(dot: str, library: Any) -> None:
    for playbook, lang in _all(library):
        numbers = step_numbers(playbook)
        texts = dict(_groups(flowchart_svg(playbook, lang), "node"))
        for step_id, step in playbook.steps.items():
            text = _squash(texts[step_id])
            assert text.startswith(f"{numbers[step_id]}.{_squash(step.title[lang])}"), (playbook.scenario, lang, text)
            if lang != "en" and step.title["en"] != step.title[lang]:
                assert _squash(step.title["en"]) not in text
        for outcome_id, outcome in playbook.outcomes.items():
            assert _squash("⇒" + outcome.title[lang]) in _squash(texts[outcome_id]), (playbook.scenario, lang)


def test_size_mismatch_in_chinese(dot: str, library: Any) -> None:
    playbook = library.playbook("size_mismatch")
    svg = flowchart_svg(playbook, "zh")
    nodes = dict(_groups(svg, "node"))
    edges = dict(_groups(svg, "edge"))
    assert _squash(nodes["intake"]) == "1.受理投诉" + _squash(" · ".join(
        playbook.inputs[name].spec.label["zh"] for name in playbook.steps["intake"].ask))
    assert edges["intake->measurement"] == "其他情况"
    assert _squash(edges["intake->not_delivered"]) == "包裹尚未签收，无法测量。"
    assert "Noto Sans CJK SC" in svg


def test_svg_can_be_inlined_and_scales(dot: str, library: Any) -> None:
    svg = flowchart_svg(library.playbook("claim"), "ru")
    assert svg.startswith("<svg ")
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg and "Generated by" not in svg
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("width") == "100%" and root.get("height") is None
    assert re.fullmatch(r"[0-9.]+ [0-9.]+ [0-9.]+ [0-9.]+", root.get("viewBox") or "")
    assert re.fullmatch(r"max-width: [0-9.]+pt; height: auto", root.get("style") or "")


def test_playbook_text_is_escaped(dot: str, tmp_path: Path) -> None:
    folder = shutil.copytree(PLAYBOOKS, tmp_path / "playbooks")
    path = folder / "size_mismatch.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in [('{en: "Take the complaint"', "{en: " + json.dumps(TRICKY_TITLE)),
                     ("en: The customer chose a refund.", "en: " + json.dumps(TRICKY_REASON)),
                     ('label: {en: "Category"', "label: {en: " + json.dumps(TRICKY_LABEL))]:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    playbook = load_library(folder).playbook("size_mismatch")
    assert playbook.steps["intake"].title["en"] == TRICKY_TITLE

    source = flowchart_dot(playbook, "en")
    intake = next(line for line in source.splitlines() if line.startswith('  "intake" ['))
    assert "&quot;quotes&quot; &lt;b&gt;&amp;amp;<br/>\\\\ back \\\\N" in intake, intake
    svg = flowchart_svg(playbook, "en")
    root = ET.fromstring(svg)  # well-formed XML
    assert not [element for element in root.iter() if element.tag.rpartition("}")[2] in ("b", "i", "y")]
    nodes = dict(_groups(svg, "node"))
    edges = dict(_groups(svg, "edge"))
    assert _squash(nodes["intake"]).startswith("1." + _squash(TRICKY_TITLE))
    assert _squash(TRICKY_LABEL) in _squash(nodes["intake"])
    assert _squash(edges["quality_choice->refund_seller_pays"]) == _squash(TRICKY_REASON)
    assert "&lt;b&gt;&amp;amp;" in svg  # the entity is text, not markup


def test_svg_is_cached_per_playbook_and_language(dot: str, library: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    playbook = library.playbook("wrong_item")
    flowchart.clear_cache()
    first = flowchart_svg(playbook, "en")

    def no_dot(*_args: Any, **_kwargs: Any) -> bytes:
        raise AssertionError("dot ran again")

    monkeypatch.setattr(flowchart, "run_dot", no_dot)
    assert flowchart_svg(playbook, "en") is first
    with pytest.raises(AssertionError, match="dot ran again"):
        flowchart_svg(playbook, "zh")


def test_missing_dot_says_what_to_install(library: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    flowchart.clear_cache()
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no dot anywhere
    assert not dot_available()
    with pytest.raises(RenderToolMissing) as caught:
        flowchart_svg(library.playbook("size_mismatch"), "en")
    assert isinstance(caught.value, AftersalesError)
    assert str(caught.value) == INSTALL_HINT
