"""The SOP library render, end to end on a small library: files, contents, escaping, failure
isolation, the index, and the no-op rerun. Notebooks run through Papermill as in production."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from aftersales.files import write_atomic
from aftersales.render.batch import render_library

REPO = Path(__file__).resolve().parents[2]
SCRIPT = "<script>alert('sop')</script>"
AS_OF = date(2026, 11, 23)
CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _tools_missing() -> str | None:
    missing = [tool for tool in ("dot", "pdftotext") if shutil.which(tool) is None]
    if not Path(os.environ.get("AFTERSALES_CHROMIUM", "/usr/bin/chromium")).exists():
        missing.append("chromium")
    return ", ".join(missing) or None


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    """A copy of the playbooks with a <script> in an example fact and a broken bad_review."""
    root = tmp_path_factory.mktemp("lib") / "playbooks"
    shutil.copytree(REPO / "playbooks", root)
    size = root / "size_mismatch.yaml"
    text = size.read_text(encoding="utf-8")
    original = "facts: {order_value: 129, currency: CNY, delivered_on: 2026-01-12, evidence_provided: true,"
    assert original in text
    size.write_text(text.replace(original, original.replace("facts: {", f'facts: {{customer_name: "{SCRIPT}", '), 1),
                    encoding="utf-8")
    review = root / "bad_review.yaml"
    text = review.read_text(encoding="utf-8")
    review.write_text(text.replace("start: ", "start: no_such_step  # was: ", 1), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def rendered(library, tmp_path_factory):
    missing = _tools_missing()
    if missing:
        if CI:
            pytest.fail(f"render tools missing on CI: {missing} (make sop installs them)")
        pytest.skip(f"render tools missing: {missing} (run: bash .ci/install-render-tools.sh; bash .ci/install-chromium.sh)")
    out = tmp_path_factory.mktemp("sop")
    report = render_library(playbooks=library, out=out, scenarios=["size_mismatch", "bad_review"],
                            platforms=["taobao"], langs=["zh", "ru", "en"], jobs=2, as_of=AS_OF, progress=False)
    return out, report


def test_every_expected_document_exists_in_every_format(rendered):
    out, report = rendered
    assert report.notebook_runs == 2, "one notebook run per scenario"
    for lang in ("zh", "ru", "en"):
        for fmt in ("md", "html", "pdf"):
            assert (out / "size_mismatch" / f"taobao.{lang}.{fmt}").stat().st_size > 1000
        assert (out / "size_mismatch" / f"flowchart.taobao.{lang}.svg").exists()
    assert (out / "index.html").exists() and (out / "index.md").exists()
    assert not list(out.rglob("*.tmp")) and not list(out.rglob("*.print.html"))


def test_the_html_has_the_flowchart_picture_and_the_parameter_table_with_sources(rendered):
    out, _report = rendered
    html = (out / "size_mismatch" / "taobao.en.html").read_text(encoding="utf-8")
    assert '<figure class="flowchart"' in html and "<svg" in html and "</svg>" in html
    assert "http://" not in html.split("<svg", 1)[0] and "cdn" not in html.lower(), "nothing loaded from the network"
    table = html.split("Platform parameters", 1)[1].split("</table>", 1)[0]
    assert "size_tolerance_cm" in table and "3 cm" in table and "seed 001" in table and "unverified" in table
    markdown = (out / "size_mismatch" / "taobao.en.md").read_text(encoding="utf-8")
    assert "![Decision flowchart](flowchart.taobao.en.svg)" in markdown
    assert "| `size_tolerance_cm`" in markdown


def test_text_is_in_the_documents_language(rendered):
    out, _report = rendered
    assert "尺码问题 — 淘宝 / 天猫" in (out / "size_mismatch" / "taobao.zh.html").read_text(encoding="utf-8")
    assert "Несоответствие размера" in (out / "size_mismatch" / "taobao.ru.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("lang, title", [("zh", "尺码问题"), ("ru", "Несоответствие размера"), ("en", "Size mismatch")])
def test_the_pdf_has_pages_and_its_text_layer_holds_the_title(rendered, lang, title):
    out, _report = rendered
    pdf = out / "size_mismatch" / f"taobao.{lang}.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert text.count("\f") >= 2, "several pages"
    assert title in text


@pytest.mark.parametrize("lang, font", [("zh", "WenQuanYiMicroHei"), ("ru", "DejaVuSans"), ("en", "DejaVuSans")])
def test_a_pdf_embeds_its_languages_truetype_font_and_the_printed_copy_leaves_the_leads_appendix_out(
        rendered, lang, font):
    """Speed and quality: TrueType subsets (Noto Sans CJK would be drawn glyph by glyph, as Type 3,
    at ~0.1-0.2 s more per PDF), no CJK font at all in an English or Russian document; the printed
    copy is the new hire's, and says where the leads' appendix is."""
    out, _report = rendered
    for pdf in (out / "size_mismatch" / f"taobao.{lang}.pdf", out / "size_mismatch" / f"taobao.{lang}.sheet.pdf"):
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        names = [line.split()[0] for line in fonts.splitlines()[2:] if line.strip()]
        assert any(name.endswith("+" + font) for name in names), (pdf.name, names)
        if lang != "zh":
            assert "CJK" not in fonts and "Type 3" not in fonts, (pdf.name, fonts)
    document = out / "size_mismatch" / f"taobao.{lang}.pdf"
    text = subprocess.run(["pdftotext", str(document), "-"], capture_output=True, text=True, check=True).stdout
    html = document.with_suffix(".html").read_text(encoding="utf-8")
    assert "size_tolerance_cm" in html and "size_tolerance_cm" not in text  # the parameter table: on screen only
    assert {"zh": "HTML 版", "ru": "HTML-версии", "en": "HTML version"}[lang] in text


def test_an_example_fact_with_a_script_tag_is_shown_escaped(rendered):
    out, _report = rendered
    html = (out / "size_mismatch" / "taobao.en.html").read_text(encoding="utf-8")
    assert "<script" not in html
    assert "&lt;script&gt;alert(&#39;sop&#39;)&lt;/script&gt;" in html or "&lt;script&gt;" in html
    markdown = (out / "size_mismatch" / "taobao.en.md").read_text(encoding="utf-8")
    assert "<script" not in markdown and "&lt;script&gt;" in markdown


def test_a_broken_playbook_fails_only_its_own_documents_and_is_named(rendered):
    out, report = rendered
    failed = {job.doc_id: job.error for job in report.failed}
    assert set(failed) == {"bad_review/taobao.zh", "bad_review/taobao.ru", "bad_review/taobao.en"}
    for error in failed.values():
        assert "render_sop.ipynb cell" in error and "bad_review.yaml" in error and "no_such_step" in error
    assert {job.doc_id for job in report.rendered} == {f"size_mismatch/taobao.{lang}" for lang in ("zh", "ru", "en")}
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.count('class="failed"') == 3 and index.count('class="ok"') == 3


@pytest.mark.parametrize("lang, scenario, platform, heading", [
    ("en", "Size mismatch", "Taobao / Tmall", "Coverage"), ("zh", "尺码问题", "淘宝 / 天猫", "覆盖情况"),
    ("ru", "Несоответствие размера", "Taobao / Tmall", "Покрытие")])
def test_the_front_page_exists_in_each_language_with_names_not_ids(rendered, lang, scenario, platform, heading):
    out, _report = rendered
    suffix = "" if lang == "en" else f".{lang}"
    for fmt in ("html", "md"):
        page = (out / f"index{suffix}.{fmt}").read_text(encoding="utf-8")
        body = page.split("<h1>", 1)[-1]
        body = re.sub(r'<div class="err">.*?</div>|\n- `[^\n]*', "", body)  # failures name their files
        assert scenario in body and heading in body, (fmt, body[:400])
        assert platform.split(" ")[0] in body
        for raw in ("size_mismatch", "bad_review"):  # the ids appear only inside the links' file names
            assert raw not in re.sub(r'(?:href="|\]\()[^")]*', "", body), (fmt, raw)
        others = {"en": "index", "zh": "index.zh", "ru": "index.ru"}
        assert all(f"{name}.{fmt}" in page for code, name in others.items() if code != lang)
    html = (out / f"index{suffix}.html").read_text(encoding="utf-8")
    assert f'<html lang="{lang}">' in html and f"binder.{lang}.pdf" in html


def test_a_second_run_with_nothing_changed_renders_nothing(rendered, library):
    out, _report = rendered
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    started = time.perf_counter()
    again = render_library(playbooks=library, out=out, scenarios=["size_mismatch"], platforms=["taobao"],
                           langs=["zh", "ru", "en"], as_of=AS_OF, progress=False)
    assert time.perf_counter() - started < 1.0
    assert again.notebook_runs == 0 and len(again.cached) == 3 and not again.rendered
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == before


def test_the_command_line_reports_failures_and_exits_1(library, tmp_path, rendered):
    """Through the CLI: the summary names each failed document with its notebook cell; PDF
    missing says what to install while Markdown and HTML still render."""
    env = {**os.environ, "AFTERSALES_CHROMIUM": str(tmp_path / "no-chromium"), "AFTERSALES_PDF_ENGINE": "chromium"}
    result = subprocess.run(
        [sys.executable, "-m", "aftersales", "--playbooks", str(library), "render", "--scenario", "bad_review",
         "--scenario", "size_mismatch", "--platform", "ozon", "--lang", "en", "--out", str(tmp_path / "sop"),
         "--no-progress", "--as-of", "2026-11-23"], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 1
    assert "bad_review/ozon.en: render_sop.ipynb cell" in result.stderr
    assert "apt-get install chromium" in result.stderr
    assert (tmp_path / "sop" / "size_mismatch" / "ozon.en.html").exists()
    assert not (tmp_path / "sop" / "size_mismatch" / "ozon.en.pdf").exists()
    assert "1 rendered, 0 up to date, 1 failed" in result.stdout


def test_the_overlay_and_the_playbooks_reach_the_kernel_as_parameters_not_the_environment(library, tmp_path,
                                                                                           monkeypatch):
    """Issue 14, part 5: the render notebook gets the playbooks folder and the store overlay as Papermill
    parameters; the store's values show in its document, and no AFTERSALES_* variable is set, during the
    notebook runs or after."""
    import papermill

    if shutil.which("dot") is None:
        pytest.skip("render tools missing: dot (run: bash .ci/install-render-tools.sh)")
    monkeypatch.delenv("AFTERSALES_PLAYBOOKS", raising=False)
    monkeypatch.delenv("AFTERSALES_OVERLAY", raising=False)
    before = dict(os.environ)
    seen: list[tuple[str, dict, dict]] = []
    execute = papermill.execute_notebook

    def spy(path, output, parameters=None, **kwargs):
        seen.append((Path(path).name, dict(os.environ), dict(parameters or {})))
        return execute(path, output, parameters=parameters, **kwargs)

    monkeypatch.setattr(papermill, "execute_notebook", spy)
    out = tmp_path / "store"
    report = render_library(playbooks=library, out=out, scenarios=["size_mismatch"], platforms=["taobao"], langs=["en"],
                            formats=["md"], jobs=1, as_of=date(2026, 3, 2), progress=False, overlay="fashion_house")
    assert [job.doc_id for job in report.rendered] == ["size_mismatch/taobao.en"], [j.error for j in report.failed]
    text = (out / "size_mismatch" / "taobao.en.md").read_text(encoding="utf-8")
    assert "1.0.0+fashion_house.2" in text and "size_chart_wrong" in text, "the overlay's version and its new branch"
    assert "&lt;script&gt;" in text, "the kernel loaded the playbooks folder it was given, not the repository's"
    ((notebook, during, parameters),) = seen
    assert notebook == "render_sop.ipynb", "the render notebook, not the scenario's"
    assert parameters["playbooks"] == str(library.resolve()) and parameters["scenario"] == "size_mismatch"
    assert parameters["overlay"] == str((library / "overlays" / "fashion_house.yaml").resolve())
    assert during == before and dict(os.environ) == before, "render sets no environment variable"
    assert "AFTERSALES_PLAYBOOKS" not in during and "AFTERSALES_OVERLAY" not in during


def test_an_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "doc.html"
    write_atomic(target, "old")

    class Boom(Exception):
        pass

    def broken_replace(*_args):
        raise Boom

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(Boom):
        write_atomic(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["doc.html"]


def test_bad_render_options_are_one_line_errors(tmp_path):
    for args, complaint in [(["--format", "docx"], "unknown format docx"), (["--jobs", "0"], "--jobs must be"),
                            (["--scenario", "size_mismatch,nope"], "unknown scenario 'nope'"),
                            (["--lang", "en,xx"], "unknown language"), (["--as-of", "soon"], "not an ISO date")]:
        result = subprocess.run([sys.executable, "-m", "aftersales", "render", "--out", str(tmp_path), *args],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 2 and complaint in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:")))


def test_each_document_has_a_one_page_sheet_and_each_language_a_binder(rendered):
    """Issue 19, part 3: the sheet is exactly one A4 page, in HTML and PDF; the binder of a
    language is its contents page followed by every sheet of that language."""
    out, _report = rendered
    for lang in ("zh", "ru", "en"):
        sheet = out / "size_mismatch" / f"taobao.{lang}.sheet.pdf"
        assert _pages(sheet) == 1
        html = (out / "size_mismatch" / f"taobao.{lang}.sheet.html").read_text(encoding="utf-8")
        assert "{{" not in html and "params." not in html
        assert _pages(out / f"binder.{lang}.pdf") == 1 + 1  # contents, then the one sheet rendered
    first_page = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(out / "size_mismatch" / "taobao.en.pdf"), "-"],
                                capture_output=True, text=True, check=True).stdout
    assert "Size mismatch" in first_page and "Decision flowchart" in first_page, "page 1 is never blank"
    text = subprocess.run(["pdftotext", str(out / "size_mismatch" / "taobao.en.sheet.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "3 cm" in text and "Size mismatch" in text


def test_a_languages_sheets_print_as_one_document_split_one_sheet_per_page(rendered, library, tmp_path, caplog):
    """Speed (issue 19, part 5): the sheets of a language are printed in one go and split with
    pdfseparate, not one print each; every sheet still gets its own one-page PDF with its own title."""
    import logging
    import shutil as sh

    from aftersales.render.batch import _print_sheets
    from aftersales.render.plan import plan_jobs

    out, _report = rendered
    copy = tmp_path / "sop"
    sh.copytree(out, copy)
    source = (copy / "size_mismatch" / "taobao.en.sheet.html").read_text(encoding="utf-8")
    for platform in ("ozon", "amazon"):  # two more sheets of the language, each marked as its own
        (copy / "size_mismatch" / f"{platform}.en.sheet.html").write_text(
            source.replace("<h1>", f"<h1>MARK-{platform.upper()} ", 1), encoding="utf-8")
    jobs = [job for job in plan_jobs(library, copy, scenarios=["size_mismatch"], platforms=["taobao", "ozon", "amazon"],
                                     langs=["en"], formats=["md", "html", "pdf"], day=AS_OF, explicit_date=True, force=True)
            if job.sheet(copy, "html").exists()]
    for job in jobs:
        job.status = "ok"
        job.sheet(copy, "pdf").unlink(missing_ok=True)
    assert len(jobs) == 3
    with caplog.at_level(logging.WARNING, logger="aftersales.render.batch"):
        _print_sheets(copy, jobs)
    assert not [r for r in caplog.records if "one by one" in r.getMessage()], caplog.text
    for job in jobs:
        pdf = job.sheet(copy, "pdf")
        pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert "Pages:           1" in pages
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        marks = {mark for mark in ("MARK-OZON", "MARK-AMAZON") if mark in text}
        assert marks == ({f"MARK-{job.platform.upper()}"} if job.platform != "taobao" else set()), (job.platform, marks)


def test_the_densest_sheet_still_prints_on_one_page(tmp_path):
    """Amazon's claim playbook has the most outcomes: its Russian sheet is the longest there is."""
    if _tools_missing():
        pytest.skip("render tools missing")
    from aftersales.library import load_library
    from aftersales.render.document import sop_document
    from aftersales.render.pdf import PdfPrinter
    from aftersales.render.sheet import sheet_context
    from aftersales.render.templates import render_html

    library = load_library()
    doc = sop_document(library.playbook("claim"), library.profile("amazon"), library, "ru", AS_OF)
    source = tmp_path / "sheet.html"
    source.write_text(render_html("sheet.html.j2", **sheet_context(doc)), encoding="utf-8")
    with PdfPrinter() as printer:
        printer.print_pdf(source, tmp_path / "sheet.pdf", one_page=True)
    assert _pages(tmp_path / "sheet.pdf") == 1


def test_scenarios_share_notebook_runs_evenly_and_every_document_is_in_one():
    """Speed (issue 19, part 5): a kernel start and a library load cost ~1.7 s, so the scenarios are
    packed into two runs per worker, each near an equal share of the documents."""
    from aftersales.render.batch import run_batches
    from aftersales.render.plan import Job

    sizes = {"claim": 15, "quality_defect": 15, "size_mismatch": 15, "wrong_item": 15, "bad_review": 15, "recall": 6}
    todo = [Job(scenario, "taobao", f"l{i}", ("md",)) for scenario, n in sizes.items() for i in range(n)]
    runs = run_batches(todo, 4)
    assert len(runs) == 4
    assert sorted(id(job) for _name, jobs in runs for job in jobs) == sorted(id(job) for job in todo)
    for _name, jobs in runs:  # a scenario is never split between runs
        assert all(sum(j.scenario == job.scenario for j in jobs) == sizes[job.scenario] for job in jobs)
    assert max(len(jobs) for _n, jobs in runs) - min(len(jobs) for _n, jobs in runs) <= 15
    assert len(run_batches(todo, 1)) == 1 and len(run_batches(todo, 1)[0][1]) == len(todo)
    assert len(run_batches(todo[:3], 4)) == 1  # never an empty run


def test_one_notebook_run_writes_several_scenarios_and_names_each_status(tmp_path):
    """The render notebook's function: documents naming their scenario are rendered from that scenario,
    and each status says which scenario it is."""
    from aftersales.notebook import run_sop_render

    documents = [{"scenario": scenario, "platform": "taobao", "lang": "en",
                  "md": str(tmp_path / f"{scenario}.md"), "flowchart": str(tmp_path / f"{scenario}.svg")}
                 for scenario in ("size_mismatch", "wrong_item")]
    statuses = run_sop_render("size_mismatch", rendered_on="2026-11-23", documents=documents)
    assert [(s["scenario"], s["ok"]) for s in statuses] == [("size_mismatch", True), ("wrong_item", True)]
    assert "Wrong item" in (tmp_path / "wrong_item.md").read_text(encoding="utf-8")


def test_chromium_still_prints_the_library_when_chosen(library, tmp_path, monkeypatch):
    """For a machine without the Typst wheel, or to compare: AFTERSALES_PDF_ENGINE=chromium prints
    the PDFs from the HTML as before (the document, its one-page sheet, the binder)."""
    if _tools_missing():
        pytest.skip("render tools missing")
    monkeypatch.setenv("AFTERSALES_PDF_ENGINE", "chromium")
    out = tmp_path / "sop"
    report = render_library(playbooks=library, out=out, scenarios=["size_mismatch"], platforms=["taobao"],
                            langs=["en"], jobs=1, as_of=AS_OF, progress=False)
    assert report.pdf_engine == "chromium" and not report.failed, [j.error for j in report.failed]
    fonts = subprocess.run(["pdffonts", str(out / "size_mismatch" / "taobao.en.pdf")], capture_output=True, text=True,
                           check=True).stdout
    assert "Skia/PDF" in subprocess.run(["pdfinfo", str(out / "size_mismatch" / "taobao.en.pdf")], capture_output=True,
                                        text=True, check=True).stdout, "printed by Chromium"
    assert "DejaVuSans" in fonts
    assert _pages(out / "size_mismatch" / "taobao.en.sheet.pdf") == 1 and _pages(out / "binder.en.pdf") == 2


def test_the_progress_moves_document_by_document_from_the_notebooks_output():
    """One run writes many documents: each status line the notebook prints (in pieces, as the kernel's
    output comes) moves the progress bar at once; other output is ignored."""
    import json as json_lib

    from aftersales.render.batch import _StatusStream
    from aftersales.render.sop import STATUS_LINE

    seen = []
    stream = _StatusStream(seen.append)
    line = STATUS_LINE + json_lib.dumps({"scenario": "claim", "platform": "ozon", "lang": "ru", "ok": True})
    for piece in ("noise\n", line[:10], line[10:] + "\n" + STATUS_LINE + "{broken\n", STATUS_LINE + "[1]\n", "tail"):
        stream.write(piece)
    stream.flush()
    assert seen == [{"scenario": "claim", "platform": "ozon", "lang": "ru", "ok": True}]
