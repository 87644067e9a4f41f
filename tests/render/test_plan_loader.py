"""The render plan asks which files a scenario's documents depend on, reading the playbooks as
YAML the way the loader does (issue 14, part 3): a block-list ``include:`` renders, and a
document's cache key moves with every file it is made from, and with no other."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from aftersales.render.plan import (
    PACKAGE,
    RENDER_NOTEBOOK,
    Job,
    document_dependencies,
    document_key,
    plan_jobs,
    read_keys,
    render_notebook,
    scenario_platforms,
)

REPO = Path(__file__).resolve().parents[2]
DAY = date(2026, 3, 2)
FLOW = "include: [common]"


@pytest.fixture
def playbooks(tmp_path: Path) -> Path:
    root = tmp_path / "playbooks"
    shutil.copytree(REPO / "playbooks", root, ignore=shutil.ignore_patterns("cases"))
    return root


def _block_list(root: Path, scenario: str = "size_mismatch") -> Path:
    """Rewrite ``include: [common]`` as a YAML block list (``- common`` on its own line)."""
    path = root / f"{scenario}.yaml"
    text = path.read_text(encoding="utf-8")
    assert FLOW in text
    path.write_text(text.replace(FLOW, "include:   # shared inputs and checklists\n  - common", 1), encoding="utf-8")
    return path


def _key(root: Path, scenario: str = "size_mismatch", platform: str = "taobao", overlay: Path | None = None) -> str:
    return document_key(root, Job(scenario, platform, "en", ("md",)), DAY, False, overlay)


def test_the_dependencies_are_the_files_the_loader_reads(playbooks: Path) -> None:
    store = playbooks / "overlays" / "fashion_house.yaml"
    deps = document_dependencies(playbooks, playbooks / "size_mismatch.yaml", "taobao", store)
    assert deps.files[:6] == (playbooks / "size_mismatch.yaml", playbooks / "common.yaml", playbooks / "parameters.yaml",
                              playbooks / "platforms" / "taobao.yaml", playbooks / "jurisdictions" / "cn.yaml", store)
    assert PACKAGE / "render" / "templates" / "sop.md.j2" in deps.files, "the SOP templates"
    assert deps.dated == (playbooks / "platforms" / "taobao.yaml", playbooks / "jurisdictions" / "cn.yaml", store)
    assert deps.absent == ()


def test_a_block_list_include_is_read_like_a_flow_list(playbooks: Path) -> None:
    before = document_dependencies(playbooks, playbooks / "size_mismatch.yaml", "ozon")
    _block_list(playbooks)
    after = document_dependencies(playbooks, playbooks / "size_mismatch.yaml", "ozon")
    assert after == before
    assert playbooks / "common.yaml" in after.files and not any("- common" in str(p) for p in after.files)


def test_a_block_list_of_platforms_limits_the_documents(playbooks: Path, tmp_path: Path) -> None:
    path = playbooks / "claim.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(FLOW, FLOW + "\nplatforms:\n  - ozon\n  - 'taobao'  # quoted\n", 1), encoding="utf-8")
    assert scenario_platforms(path, ["amazon", "generic", "ozon", "taobao"]) == ["ozon", "taobao"]
    jobs = plan_jobs(playbooks, tmp_path / "out", scenarios=["claim"], platforms=None, langs=["en"], formats=["md"],
                     day=DAY, explicit_date=False, force=False)
    assert [j.platform for j in jobs] == ["ozon", "taobao"]


def test_the_key_moves_with_each_file_a_document_depends_on_and_no_other(playbooks: Path) -> None:
    _block_list(playbooks)
    key = _key(playbooks)
    assert _key(playbooks) == key, "stable"
    for name in ("platforms/amazon.yaml", "jurisdictions/us.yaml", "claim.yaml"):  # not taobao's, not this scenario's
        with (playbooks / name).open("a", encoding="utf-8") as handle:
            handle.write("\n# an edit\n")
    assert _key(playbooks) == key
    for name in ("common.yaml", "parameters.yaml", "platforms/taobao.yaml", "jurisdictions/cn.yaml", "size_mismatch.yaml"):
        with (playbooks / name).open("a", encoding="utf-8") as handle:
            handle.write("\n# an edit\n")
        assert _key(playbooks) != key, f"{name} is part of the key"
        key = _key(playbooks)
    assert _key(playbooks, overlay=playbooks / "overlays" / "fashion_house.yaml") != key


def test_an_include_found_later_changes_the_key(playbooks: Path) -> None:
    path = _block_list(playbooks)
    path.write_text(path.read_text(encoding="utf-8").replace("  - common", "  - common\n  - extra", 1), encoding="utf-8")
    deps = document_dependencies(playbooks, path, "taobao")
    assert deps.absent == ("include extra",)
    key = _key(playbooks)
    (playbooks / "extra.yaml").write_text("inputs: {}\n", encoding="utf-8")
    assert playbooks / "extra.yaml" in document_dependencies(playbooks, path, "taobao").files
    assert _key(playbooks) != key


def test_the_render_notebook_is_part_of_every_key(playbooks: Path, tmp_path: Path, monkeypatch) -> None:
    """The SOP render notebook runs for every document: editing it renders everything again, and a
    missing one is named (issue 14, part 5)."""
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    notebook = notebooks / RENDER_NOTEBOOK
    shutil.copy(REPO / "notebooks" / RENDER_NOTEBOOK, notebook)
    monkeypatch.setenv("AFTERSALES_NOTEBOOKS", str(notebooks))
    assert render_notebook() == notebook.resolve()
    deps = document_dependencies(playbooks, playbooks / "size_mismatch.yaml", "taobao")
    assert notebook.resolve() in deps.files and deps.absent == ()
    key = _key(playbooks)
    notebook.write_text(notebook.read_text(encoding="utf-8").replace("SOP render", "SOP render (edited)"), encoding="utf-8")
    assert _key(playbooks) != key
    moved = tmp_path / "elsewhere"
    shutil.copytree(notebooks, moved)
    edited = _key(playbooks)
    monkeypatch.setenv("AFTERSALES_NOTEBOOKS", str(moved))
    assert _key(playbooks) == edited, "the notebook's bytes key a document, not where the notebooks folder is"
    monkeypatch.setenv("AFTERSALES_NOTEBOOKS", str(tmp_path / "none"))
    assert document_dependencies(playbooks, playbooks / "size_mismatch.yaml", "taobao").absent == (
        f"notebook {RENDER_NOTEBOOK}",)
    assert _key(playbooks) != edited


def test_a_dated_value_coming_into_force_changes_the_key(playbooks: Path) -> None:
    """The store overlay's values take effect on 2026-01-01 and 2026-03-01 (fashion_house.yaml)."""
    store = playbooks / "overlays" / "fashion_house.yaml"

    def key(day: date) -> str:
        return document_key(playbooks, Job("size_mismatch", "taobao", "en", ("md",)), day, False, store)

    assert key(date(2026, 3, 1)) == key(date(2026, 3, 20)) != key(date(2026, 2, 28))


def test_unreadable_yaml_never_stops_the_plan(playbooks: Path) -> None:
    """The loader reports a broken file when the document is rendered; planning it must not fail."""
    (playbooks / "size_mismatch.yaml").write_text("include: [common\nsteps: {", encoding="utf-8")
    (playbooks / "platforms" / "taobao.yaml").write_text("- just a list\n", encoding="utf-8")
    assert read_keys(playbooks / "size_mismatch.yaml", "include", "platforms") == {}
    deps = document_dependencies(playbooks, playbooks / "size_mismatch.yaml", "taobao")
    assert playbooks / "size_mismatch.yaml" in deps.files and playbooks / "platforms" / "taobao.yaml" in deps.files
    assert _key(playbooks)


def test_aliases_are_not_expanded_when_planning(tmp_path: Path) -> None:
    laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8))
    path = tmp_path / "laughs.yaml"
    path.write_text(laughs + "include: *i\nplatforms: [ozon]\n", encoding="utf-8")
    assert read_keys(path, "include", "platforms") == {"include": None, "platforms": ["ozon"]}


@pytest.mark.slow
def test_a_playbook_with_a_block_list_include_renders(playbooks: Path, tmp_path: Path) -> None:
    _block_list(playbooks)
    out = tmp_path / "sop"
    result = subprocess.run(
        [sys.executable, "-m", "aftersales", "--playbooks", str(playbooks), "render", "--format", "md",
         "--scenario", "size_mismatch", "--platform", "generic", "--lang", "en", "--out", str(out), "--no-progress",
         "--as-of", DAY.isoformat()],
        check=False, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "1 rendered, 0 up to date, 0 failed" in result.stdout + result.stderr
    assert (out / "size_mismatch" / "generic.en.md").read_text(encoding="utf-8").strip()
