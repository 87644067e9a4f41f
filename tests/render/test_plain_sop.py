"""SOP documents in plain words, with only what applies on the platform (issue 19, parts 1-2).

Built in-process from the playbooks (no kernel, no Graphviz): every zh/ru document reads without
template code, expressions, parameter ids or raw scenario/platform ids outside the leads'
appendix, and a platform's document leaves out what cannot happen there (no FBA or chargeback
step on Ozon or Taobao)."""

from __future__ import annotations

import ast
import re
from datetime import date

import pytest

from aftersales.library import load_library
from aftersales.present.conditions import condition_words
from aftersales.present.template_text import readable_template
from aftersales.render.applicable import applicable, static_truth
from aftersales.render.document import sop_document
from aftersales.render.flowchart import flowchart_dot
from aftersales.render.templates import render_html, render_markdown

DAY = date(2026, 12, 5)
TECHNICAL = ("{{", "{%", "params.", "==", "fba_", "chargeback_")


@pytest.fixture(scope="module")
def library():
    return load_library()


def _documents(library, langs=("zh", "ru")):
    for scenario in library.scenarios:
        playbook = library.playbook(scenario)
        for platform in playbook.platforms:
            for lang in langs:
                yield playbook, platform, lang, sop_document(playbook, library.profile(platform), library, lang, DAY)


def test_no_zh_or_ru_document_shows_code_outside_the_leads_appendix(library):
    # ids that are not also English words ("claim", "generic" are)
    ids = {i for i in {*library.scenarios, *library.profiles} if "_" in i or i in ("ozon", "taobao")}
    for playbook, platform, lang, doc in _documents(library):
        doc.flowchart_file = "flowchart.svg"
        for text in (render_markdown("sop.md.j2", doc=doc, w=doc.words),
                     render_html("sop.html.j2", doc=doc, w=doc.words, flowchart_svg="", library_version="t")):
            body = re.sub(r"<style>.*?</style>", "", text.split("7. " + doc.words["for_leads"])[0], flags=re.S)
            found = [t for t in TECHNICAL if t in body]
            raw = [i for i in ids if re.search(rf"(?<![\w/.-]){re.escape(i)}(?![\w.-])", body)]
            assert not found and not raw, (playbook.scenario, platform, lang, found, raw)
            assert doc.words["for_leads"] in text  # the technical form is kept, at the end


def test_no_english_sentence_in_a_zh_or_ru_document_outside_sources_and_the_buyers_own_words(library):
    """Headings, steps, notes and worked examples' titles are in the document's language. Left as
    written: the sources' titles ("[Seller Central policy update 2020]"), an example's fact values
    (a review the buyer wrote in English) and the example messages that quote them."""
    sentence = re.compile(r"[A-Za-z]{3,}(?: [A-Za-z'’]{2,}){3,}")
    for playbook, platform, lang, doc in _documents(library):
        html = render_html("sop.html.j2", doc=doc, w=doc.words, flowchart_svg="", library_version="t")
        body = html.split('<section class="for-leads">')[0]
        body = re.sub(r"<style>.*?</style>|<pre>.*?</pre>|<li class=\"src\">.*?</li>|\[[^\]<]*\]", "", body, flags=re.S)
        lines = [line.strip() for line in re.sub(r"<[^>]+>", "\n", body).splitlines()]
        english = [line for line in lines if sentence.search(line) and not re.match(r"^[^A-Za-z]+: ", line)]
        assert not english, (playbook.scenario, platform, lang, english[:3])


@pytest.mark.parametrize("platform", ["ozon", "taobao"])
def test_no_fba_or_chargeback_step_or_outcome_on_ozon_or_taobao(library, platform):
    playbook = library.playbook("claim")
    keep = applicable(playbook, library.profile(platform).resolve(DAY), platform)
    gone = {"fba_check", "chargeback_check"}
    assert not gone & keep.steps
    assert not [o for o in keep.outcomes if o.startswith(("fba_", "chargeback_"))]
    dot = flowchart_dot(playbook, "en", keep)
    assert "fba" not in dot.lower() and "chargeback" not in dot.lower()
    doc = sop_document(playbook, library.profile(platform), library, "en", DAY)
    assert not {s["id"] for s in doc.steps} & gone
    assert [s["number"] for s in doc.steps] == list(range(1, len(doc.steps) + 1)), "renumbered, no gaps"


@pytest.mark.parametrize("platform, foreign", [("taobao", ("ZoZPP", "2019/771")), ("amazon", ("ZoZPP", "2019/771")),
                                               ("ozon", ())])
def test_a_branch_that_rests_on_another_countrys_law_is_not_printed(library, platform, foreign):
    """The remedy the buyer chooses by law (ZoZPP art. 18; Directive 2019/771 art. 13) exists where that
    law applies: on Taobao (China gives the choice only inside its windows) the branches whose
    ``let`` reads an empty ``buyer_remedy_choice`` are false before any case, and their reasons,
    which cite Russian and EU law, are not printed."""
    playbook = library.playbook("quality_defect")
    profile = library.profile(platform)
    doc = sop_document(playbook, profile, library, "en", DAY)
    reasons = [b.get("reason") or "" for step in doc.steps if step["id"] == "remedy" for b in step.get("branches", [])]
    assert reasons, "the remedy step is printed"
    cited = [r for r in reasons if any(law in r for law in foreign)]
    assert not cited, cited
    if platform == "ozon":  # Russian law is Ozon's own: its remedy choice stays
        assert any("ZoZPP art. 18 p.1" in r for r in reasons)


def test_amazon_keeps_its_fba_and_chargeback_procedures(library):
    playbook = library.playbook("claim")
    keep = applicable(playbook, library.profile("amazon").resolve(DAY), "amazon")
    assert {"fba_check", "chargeback_check"} <= keep.steps


def test_a_condition_is_decided_by_the_platform_only_when_it_reads_nothing_of_the_case(library):
    playbook = library.playbook("claim")
    params = library.profile("ozon").resolve(DAY)
    env = {"params": params, "platform": "ozon", "jurisdiction": "ru"}

    def truth(text: str) -> bool | None:
        return static_truth(ast.parse(text, mode="eval").body, playbook, env)

    assert truth("params.chargeback_response_days is null") is True
    assert truth("params.chargeback_response_days is not null") is False
    assert truth("claim_type == 'chargeback'") is False  # a choice Ozon does not offer
    assert truth("claim_type == 'not_received'") is None  # the case decides
    assert truth("seller_evidence and params.chargeback_response_days is not null") is False
    assert truth("seller_evidence or params.chargeback_response_days is null") is True
    assert truth("platform == 'ozon'") is True


@pytest.mark.parametrize("lang, expected", [
    ("en", "“Claim type” is Item not received"),
    ("zh", "“索赔类型” 为 未收到货"),
    ("ru", "«Вид претензии» — Товар не получен"),
])
def test_a_condition_in_words_with_the_playbooks_labels(library, lang, expected):
    playbook = library.playbook("claim")
    tree = ast.parse("claim_type == 'not_received'", mode="eval").body
    assert condition_words(tree, playbook, lang) == expected


def test_a_parameter_in_a_condition_is_its_value_in_force_with_its_unit(library):
    playbook = library.playbook("size_mismatch")
    params = library.profile("taobao").resolve(DAY)
    tree = ast.parse("size_deviation_cm > params.size_tolerance_cm", mode="eval").body
    words = condition_words(tree, playbook, "en", params)
    assert words is not None and words.endswith("is more than 3 cm") and "params" not in words


def test_a_message_template_reads_as_example_text_with_placeholders(library):
    playbook = library.playbook("claim")
    source = ("Hello{{ ' ' ~ customer_name if customer_name }}, your order{{ ' ' ~ order_id if order_id }} "
              "arrived {% if claim_type == 'damaged' %}damaged{% else %}different from its description{% endif %}."
              " Reply {{ in_chat }}.")
    text = readable_template(source, playbook, "en", extra={"in_chat": "here in the Ozon chat"})
    assert "{" not in text and "%" not in text
    assert text.startswith("Hello [") and "⟨damaged | different from its description⟩" in text
    assert text.endswith("Reply here in the Ozon chat.")


def test_choices_where_may_read_only_what_the_platform_fixes(tmp_path):
    from aftersales.paths import default_playbooks_dir

    folder = tmp_path / "playbooks"
    import shutil

    shutil.copytree(default_playbooks_dir(), folder)
    path = folder / "claim.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace('chargeback: "params.chargeback_response_days is not null"',
                        'chargeback: "seller_evidence and params.chargeback_response_days is not null"', 1)
    path.write_text(text, encoding="utf-8")
    line = text[:text.index("seller_evidence and params.chargeback")].count("\n") + 1
    library = load_library(folder)
    assert "claim" not in library.playbooks  # an invalid playbook is left out, and said why and where
    (problem,) = [p for p in library.problems if "choices_where" in p.message]
    assert "reads 'seller_evidence', a fact of the case" in problem.message
    assert (problem.location.file.endswith("claim.yaml"), problem.location.line) == (True, line)


@pytest.mark.parametrize("platform, offered", [("ozon", False), ("taobao", False), ("amazon", True)])
def test_the_form_offers_a_claim_type_only_where_it_exists(platform, offered):
    """The wizard asks with the engine's question: an Ozon agent is never offered "Card chargeback"."""
    from aftersales.engine import next_question

    question = next_question("claim", {}, platform, lang="en")
    codes = {code for code, _label in question.choices}
    assert ({"chargeback", "fba_return_not_received"} <= codes) is offered
    assert "not_received" in codes


@pytest.mark.parametrize("scenario", ["claim", "quality_defect", "size_mismatch", "wrong_item", "bad_review",
                                      "change_of_mind", "service_complaint", "recall", "refund_only"])
def test_a_big_flowchart_splits_into_linked_charts_that_cover_it(library, scenario):
    """Issue 19, part 4: no chart over MAX_NODES boxes; every step and outcome that applies is drawn
    in some chart; each link box names a chart that exists and starts at that step."""
    from aftersales.render.subflows import MAX_NODES, split_charts

    playbook = library.playbook(scenario)
    for platform in ("amazon", "ozon"):
        keep = applicable(playbook, library.profile(platform).resolve(DAY), platform)
        charts = split_charts(playbook, keep)
        assert all(len(chart.nodes) <= MAX_NODES for chart in charts), [(c.root, len(c.nodes)) for c in charts]
        drawn = set().union(*(chart.nodes for chart in charts))
        assert drawn == set(keep.steps) | set(keep.outcomes)
        by_number = {chart.number: chart for chart in charts}
        for chart in charts:
            for step, number in chart.links.items():
                assert by_number[number].root == step


@pytest.mark.skipif(not __import__("shutil").which("dot"), reason="Graphviz's dot is not installed")
@pytest.mark.parametrize("scenario, platform", [("quality_defect", "ozon"), ("claim", "amazon"),
                                                ("size_mismatch", "taobao")])
def test_no_chart_prints_smaller_than_8_pt_on_a4(library, scenario, platform):
    """The smallest text of a chart is 10 pt; on an A4 landscape page it shrinks by chart_scale."""
    from aftersales.render.flowchart import chart_scale, flowchart_svgs

    playbook = library.playbook(scenario)
    keep = applicable(playbook, library.profile(platform).resolve(DAY), platform)
    for lang in ("ru", "zh"):
        for chart, svg in flowchart_svgs(playbook, lang, keep):
            assert 10 * chart_scale(svg) >= 8, (scenario, platform, lang, chart.number)


def test_an_example_a_store_s_rules_leave_unanswered_is_said_in_words_not_a_crash(tmp_path):
    """A store overlay that widens Taobao's size tolerance to 4 cm sends two worked examples to the
    resale question they never answered: the document says so with the question's label (it used
    to fail to render: 'dict object' has no attribute 'message')."""
    import shutil

    from aftersales.library import load_library
    from aftersales.paths import default_playbooks_dir

    root = tmp_path / "playbooks"
    shutil.copytree(default_playbooks_dir(), root)
    (root / "overlays" / "wide.yaml").write_text(
        "overlay: wide\nversion: '1'\ntitle: {en: Wide, zh: 宽, ru: Широкий}\nsources: [Store policy 2026]\n"
        "parameters:\n  taobao:\n    size_tolerance_cm: {value: 4, source: 'Store policy 2026, §3', confidence: high, "
        "effective_from: 2026-01-01}\n", encoding="utf-8")
    library = load_library(root, overlay="wide")
    for lang, words in (("en", "Under these rules this example needs one more answer: “Item still resaleable”."),
                        ("zh", "按这套规则，本示例还需要一项信息：“商品不影响二次销售”。")):
        doc = sop_document(library.playbook("size_mismatch"), library.profile("taobao"), library, lang, DAY)
        errors = [e["error"] for e in doc.examples if e["error"]]
        assert errors and all(error == words for error in errors), errors
        for example in doc.examples:  # every key the templates read (they render with StrictUndefined)
            assert {"name", "facts", "error", "message"} <= set(example)
