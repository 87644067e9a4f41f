"""Citations that resolve (issue 14, part 7): every ``source`` is a described seed, a URL or a
recognised form, ``validate`` reports the others at their line, and docs/sources.md describes
every seed the playbooks cite."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from aftersales import citations
from aftersales.citations import SEEDS, link_citations, parse, seed_link, split
from aftersales.validation import validate_paths

REPO = Path(__file__).resolve().parents[1]
PLAYBOOKS = REPO / "playbooks"
SOURCES_DOC = REPO / "docs" / "sources.md"


@pytest.fixture()
def library_copy(tmp_path: Path) -> Path:
    root = tmp_path / "playbooks"
    shutil.copytree(PLAYBOOKS, root)
    return root


def replace_line(path: Path, old: str, new: str, occurrence: int = 0) -> int:
    """Replace the ``occurrence``-th line equal (stripped) to ``old`` with the same indent + ``new``;
    return its 1-based line number."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    hits = [i for i, line in enumerate(lines) if line.strip() == old]
    index = hits[occurrence]
    indent = lines[index][: len(lines[index]) - len(lines[index].lstrip())]
    lines[index] = f"{indent}{new}\n"
    path.write_text("".join(lines), encoding="utf-8")
    return index + 1


def citation_problems(problems: list) -> list:
    return [p for p in problems if p.code == "citation"]


@pytest.mark.parametrize(("text", "kind"), [
    ("seed 000", "seed"),
    ("seed 004 (repair flow)", "seed"),
    ("https://sellercentral.amazon.com/gp/help/external/help.html?itemID=27951", "url"),
    ("85l.net/l/2056992216415243827.html", "url"),
    ("loganpartners.com (Omnibus Directive 2019/2161)", "url"),
    ("POLICY-FACTS §5.5", "note"),
    ("POLICY-FACTS.md §1, §2 (issue 12, part 6)", "note"),
    ("LAW-FLOORS.md §3, §6 item 9", "note"),
    ("POLICY-FACTS §0 row 5", "note"),
    ("ZoZPP art. 26.1 p.4", "law"),
    ("ZoZPP art. 18 p.5, p.7", "law"),
    ("Directive 2011/83 art. 14(2)", "law"),
    ("Directive 2011/83 art. 6, 10, 14", "law"),
    ("CPL art. 25", "law"),
    ("SAIC Interim Measures 2017 art. 6-7", "law"),
    ("§357a(1) BGB", "law"),
    ("CJEU C-681/17", "law"),
    ("issue 12", "issue"),
    ("Amazon return policy", "page"),
    ("Seller Central policy update 2020 (restocking fees)", "page"),
])
def test_each_recognised_form_resolves(text: str, kind: str) -> None:
    [citation] = [parse(part) for part in split(text)]
    assert (citation.kind, citation.ok) == (kind, True), citation


@pytest.mark.parametrize(("text", "fragment"), [
    ("seed 007", "not a described seed"),
    ("seed 1", "not a described seed"),
    ("trust me", "is not a citation"),
    ("POLICY-FACTS §42", "has no section §42"),
    ("seed 001, trust me", "is not a citation"),
])
def test_what_resolves_nowhere_is_a_problem(text: str, fragment: str) -> None:
    problems = [c.problem for c in map(parse, split(text)) if not c.ok]
    assert len(problems) == 1 and fragment in problems[0], problems


def test_a_source_splits_into_its_citations() -> None:
    assert split("seed 000, seed 001") == ["seed 000", "seed 001"]
    assert split("CPL art. 25; ZoZPP art. 26.1 p.4; Amazon return policy") == [
        "CPL art. 25", "ZoZPP art. 26.1 p.4", "Amazon return policy"]
    assert split("Directive 2011/83 art. 6, 10, 14") == ["Directive 2011/83 art. 6, 10, 14"]
    assert split("POLICY-FACTS.md §1, §2 (issue 12, part 6)") == ["POLICY-FACTS.md §1, §2 (issue 12, part 6)"]
    assert [c.key for c in citations.citations(["Fashion House size policy 2026", "§4"])] == [
        "Fashion House size policy 2026, §4"]


def test_validate_reports_a_bad_citation_at_its_line(library_copy: Path) -> None:
    path = library_copy / "size_mismatch.yaml"
    seed_line = replace_line(path, "source: seed 001", "source: seed 007", 0)
    trust_line = replace_line(path, "source: seed 001", 'source: "trust me"', 1)
    list_line = replace_line(path, "sources: [seed 001]", "sources: [seed 001, seed 009]", 0)
    problems, _ = validate_paths([path], library_copy)
    found = citation_problems(problems)
    assert sorted((p.location.line, p.message.split("'")[1]) for p in found) == sorted(
        [(seed_line, "seed 007"), (trust_line, "trust me"), (list_line, "seed 009")]), found
    assert all(Path(p.location.file) == path and p.location.col > 0 for p in found)
    assert all("docs/sources.md" in p.message for p in found)
    assert {str(p).rsplit("[", 1)[1] for p in found} == {"citation]"}


def test_the_whole_library_check_covers_profiles_cases_and_overlays(library_copy: Path) -> None:
    platform = library_copy / "platforms" / "taobao.yaml"
    profile_line = replace_line(platform, "source: seed 004", "source: seed 005")
    case = library_copy / "cases" / "size_mismatch.yaml"
    case_line = replace_line(case, "source: [seed 001]", "source: [seed 001, my cousin]")
    overlay = library_copy / "overlays" / "fashion_house.yaml"
    overlay_line = replace_line(overlay, "source: Fashion House size policy 2026, §4", "source: trust me")
    problems, _ = validate_paths([], library_copy)
    located = {(Path(p.location.file).name, p.location.line) for p in citation_problems(problems)}
    assert located == {("taobao.yaml", profile_line), ("size_mismatch.yaml", case_line),
                       ("fashion_house.yaml", overlay_line)}, citation_problems(problems)


def test_the_shipped_playbooks_cite_only_what_resolves() -> None:
    found = [p for path in sorted(PLAYBOOKS.rglob("*.yaml")) for p in citations.validate(path)]
    assert found == []
    problems, _ = validate_paths([], PLAYBOOKS)
    assert citation_problems(problems) == []


def test_every_policy_function_cites_what_resolves() -> None:
    bad = {name: [c.text for c in cited if not c.ok] for name, cited in citations.policy_citations().items()}
    assert {name: texts for name, texts in bad.items() if texts} == {}
    assert all(cited for cited in citations.policy_citations().values())


def test_docs_describe_every_seed_the_playbooks_cite() -> None:
    text = SOURCES_DOC.read_text(encoding="utf-8")
    described = set(re.findall(r"^### seed (\d{3})$", text, re.MULTILINE))
    assert described == set(SEEDS)
    cited = {seed.removeprefix("seed ") for _file, seed in citations.usage(PLAYBOOKS)}
    cited |= {c.key.removeprefix("seed ") for cs in citations.policy_citations().values() for c in cs
              if c.kind == "seed"}
    assert cited and cited <= described
    for number, seed in SEEDS.items():
        entry = text.split(f"### seed {number}", 1)[1].split("\n### ", 1)[0]
        for field in ("**Title**", "**Covers**", "**Era**", "**Used by**"):
            assert field in entry, (number, field)
        assert seed.title_zh in entry, number
    for kind in ("POLICY-FACTS", "LAW-FLOORS", "ZoZPP", "CPL", "Directive 2011/83", "issue 12",
                 "Amazon return policy"):
        assert kind in text


def test_the_per_file_table_matches_the_playbooks() -> None:
    text = SOURCES_DOC.read_text(encoding="utf-8")
    totals = {seed: 0 for seed in SEEDS}
    for (_file, seed), n in citations.usage(PLAYBOOKS).items():
        totals[seed.removeprefix("seed ")] += n
    row = re.search(r"^\| \*\*total\*\* \|(.*)\|$", text, re.MULTILINE)
    assert row is not None
    documented = [int(cell) for cell in row.group(1).split("|")]
    # the table is a snapshot: it may lag the playbooks a little, never describe another library
    assert all(abs(d - totals[n]) <= max(10, totals[n] // 5) for d, n in zip(documented, sorted(SEEDS), strict=True))


def test_a_seed_citation_links_to_its_entry() -> None:
    assert seed_link("seed 001") == "docs/sources.md#seed-001"
    assert seed_link("seed 007") is None and seed_link("https://example.org") is None
    assert link_citations("seed 002; https://example.org/a (x); CPL art. 25", base="../sources.md") == (
        "[seed 002](../sources.md#seed-002); <https://example.org/a> (x); CPL art. 25")


# --- SOPs and the card link a seed citation to its entry (issue 14, part 7) ------------------------

def test_an_sop_links_each_seed_citation_to_the_sources_page_the_library_writes(tmp_path: Path) -> None:
    from datetime import date

    from aftersales.library import load_library
    from aftersales.render.batch import _write_index
    from aftersales.render.document import sop_document
    from aftersales.render.templates import render_html, render_markdown

    library = load_library()
    doc = sop_document(library.playbook("size_mismatch"), library.profile("taobao"), library, "zh", date(2026, 1, 15))
    markdown = render_markdown("sop.md.j2", doc=doc, w=doc.words)
    html = render_html("sop.html.j2", doc=doc, w=doc.words, flowchart_svg="", library_version="test")
    assert "[seed 001](../sources.md#seed-001)" in markdown
    assert '<a href="../sources.html#seed-001">seed 001</a>' in html
    _write_index(tmp_path, [])
    page = (tmp_path / "sources.html").read_text(encoding="utf-8")
    assert all(f'id="{seed.anchor}"' in page and seed.title_zh in page for seed in SEEDS.values())
    assert '<a id="seed-001"></a>' in (tmp_path / "sources.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("lang, title", [("zh", "售后问题处理流程"), ("en", "After-sales problem handling procedures"),
                                         ("ru", "Порядок работы с послепродажными обращениями")])
def test_the_card_names_the_seed_document_behind_a_citation(lang: str, title: str) -> None:
    from aftersales.widgets.card import sources_html

    shown = sources_html(["seed 001; POLICY-FACTS §5", "https://example.com/rule"], lang)
    assert f'<abbr title="{title}">seed 001</abbr>' in shown
    assert "POLICY-FACTS §5" in shown and "https://example.com/rule" in shown and "<script" not in shown


def test_a_citation_split_by_a_lists_comma_is_a_warning_where_it_is_written(tmp_path: Path) -> None:
    """Issue 16, part 4: `sources: [X policy, §2]` is two items to YAML; validate says so at its line."""
    from aftersales.yamlsource import load_yaml

    path = tmp_path / "store.yaml"
    path.write_text('sources: [Store policy 2026, §2]\nother:\n  sources: ["Store policy 2026, §3"]\n', encoding="utf-8")
    problems = citations.document_problems(load_yaml(path))
    assert [(p.code, p.severity, p.location.line) for p in problems] == [("citation-split", "warning", 1)]
    assert '["Store policy 2026, §2"]' in problems[0].message
