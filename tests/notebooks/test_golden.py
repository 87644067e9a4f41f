"""The golden notebooks: nbval re-runs them and compares the checked outputs with the stored ones.

nbval runs in a subprocess of its own (the project's pytest disables the plugin), on
tests/golden only. `make golden` rewrites the goldens after a notebook or a decision changes.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from html import escape
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "golden"
SANITIZE = GOLDEN / "sanitize.cfg"
SCENARIOS = ("quality_defect", "wrong_item", "size_mismatch", "claim", "bad_review", "change_of_mind",
             "service_complaint", "recall", "refund_only")
CHECK_OUTPUT = "# NBVAL_CHECK_OUTPUT"
INJECTED = "injected-parameters"


def start_nbval(*paths: Path) -> subprocess.Popen:
    """Start nbval (lax: only `# NBVAL_CHECK_OUTPUT` cells are compared) on ``paths``, from the repository root.

    ``-o addopts=`` drops the project's ``-p no:nbval``; ``--confcutdir`` keeps the test suite's
    conftest files out of it.
    """
    command = [sys.executable, "-m", "pytest", "-p", "nbval", "-o", "addopts=", "-p", "no:cacheprovider",
               "--nbval-lax", "--nbval-current-env", "--nbval-sanitize-with", str(SANITIZE),
               "--nbval-cell-timeout", "120", "--confcutdir", str(GOLDEN), "-q", *map(str, paths)]
    return subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen) -> tuple[int, str]:
    """Wait for an nbval run: its exit code and its output (stdout, then stderr)."""
    stdout, stderr = process.communicate(timeout=600)
    return process.returncode, stdout + stderr


def golden(scenario: str) -> nbformat.NotebookNode:
    return nbformat.read(GOLDEN / f"{scenario}.ipynb", as_version=4)


def checked_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in nb.cells if cell.cell_type == "code" and cell.source.startswith(CHECK_OUTPUT)]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_golden_notebook_has_run_checked_cells(scenario: str) -> None:
    """Each golden keeps its outputs and execution counts, else nbval would skip its cells and pass vacuously."""
    nb = golden(scenario)
    cells = checked_cells(nb)
    assert len(cells) == 2
    for cell in cells:
        assert cell.execution_count is not None and cell.outputs, cell.source
    assert any(INJECTED in cell.metadata.get("tags", []) for cell in nb.cells)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_golden_notebook_has_the_current_notebook_sources(scenario: str) -> None:
    """A golden holds the sources of notebooks/<scenario>.ipynb plus its injected parameters (else: `make golden`)."""
    def sources(nb: nbformat.NotebookNode) -> list[tuple[str, str]]:
        return [(cell.cell_type, cell.source) for cell in nb.cells if INJECTED not in cell.metadata.get("tags", [])]

    current = nbformat.read(REPO / "notebooks" / f"{scenario}.ipynb", as_version=4)
    assert sources(golden(scenario)) == sources(current), "the notebook changed: run `make golden`"


def test_the_dashboard_golden_checks_its_tables_and_has_the_current_sources() -> None:
    """The lead's dashboard runs on the demo store; its tables are checked, its sources are current."""
    nb = golden("dashboard")
    (cell,) = checked_cells(nb)
    html = "".join(output.get("data", {}).get("text/html", "") for output in cell.outputs)
    assert "Most common mistakes" in html and "Cases never attempted" in html and "trainee-1" in html
    current = nbformat.read(REPO / "notebooks" / "dashboard.ipynb", as_version=4)
    strip = lambda n: [(c.cell_type, c.source) for c in n.cells if INJECTED not in c.metadata.get("tags", [])]  # noqa: E731
    assert strip(nb) == strip(current), "the notebook changed: run `make golden`"


def test_the_path_analytics_golden_checks_its_tables_and_has_the_current_sources() -> None:
    """The lead's path analytics run on the demo case log; every table is checked, the sources are current."""
    nb = golden("path_analytics")
    (cell,) = checked_cells(nb)
    html = "".join(output.get("data", {}).get("text/html", "") for output in cell.outputs)
    for title in ("Popular steps", "Exit steps", "Resolution mix per platform", "Overrides per scenario",
                  "Overrides per platform", "Overrides: recommended → chosen", "Time per step (seconds)"):
        assert f"<h3>{escape(title)}" in html, title
    assert "<td>240</td>" in html, "the demo log's 240 cases"
    assert all(f"<th>{platform}</th>" in html for platform in ("amazon", "generic", "ozon", "taobao"))
    assert 'demo = True' in "".join(c.source for c in nb.cells if INJECTED in c.metadata.get("tags", []))
    current = nbformat.read(REPO / "notebooks" / "path_analytics.ipynb", as_version=4)
    strip = lambda n: [(c.cell_type, c.source) for c in n.cells if INJECTED not in c.metadata.get("tags", [])]  # noqa: E731
    assert strip(nb) == strip(current), "the notebook changed: run `make golden`"


def test_the_desk_golden_checks_the_follow_up_list_and_has_the_current_sources() -> None:
    """The desk runs on the demo case store: every owner's overdue cases with their next step and a
    message in each customer's language (issue 20, part 3; seed 001)."""
    nb = golden("desk")
    cell, causes_cell = checked_cells(nb)
    html = "".join(output.get("data", {}).get("text/html", "") for output in cell.outputs)
    causes = "".join(output.get("data", {}).get("text/html", "") for output in causes_cell.outputs)
    # the causes counted per cause, SKU and supplier (issue 20, part 7; seeds 000, 001)
    assert "Cases by cause: 6" in causes and "<td>Product defect</td><td>2</td>" in causes
    assert "<td>LAMP-77</td><td>Product defect</td><td>2</td>" in causes
    assert "<td>Ningbo Lighting Ltd.</td><td>Product defect</td><td>2</td>" in causes
    assert "Follow-ups due on 20 Jan 2026: 6" in html
    assert all(f"<h4>{agent}</h4>" in html for agent in ("Li Na", "Olga", "Sam"))
    assert "您好！" in html and "Здравствуйте!" in html and "Hello" in html  # each customer's language
    assert "None" not in html and "2026-01" not in html, "no empty values, no ISO dates"
    current = nbformat.read(REPO / "notebooks" / "desk.ipynb", as_version=4)
    strip = lambda n: [(c.cell_type, c.source) for c in n.cells if INJECTED not in c.metadata.get("tags", [])]  # noqa: E731
    assert strip(nb) == strip(current), "the notebook changed: run `make golden`"


def test_the_goldens_cover_every_platform_and_language() -> None:
    """Together the golden cases run on all four platforms and in English, Chinese and Russian."""
    injected = "".join(cell.source for scenario in SCENARIOS for cell in golden(scenario).cells
                       if INJECTED in cell.metadata.get("tags", []))
    for platform in ("amazon", "ozon", "taobao", "generic"):
        assert f'platform = "{platform}"' in injected
    for lang in ("en", "zh", "ru"):
        assert f'lang = "{lang}"' in injected


def tampered_analytics_copy(folder: Path) -> Path:
    """path_analytics's golden with the demo log's case count changed from 240 to 241."""
    nb = golden("path_analytics")
    (cell,) = checked_cells(nb)
    summary = cell.outputs[0]
    assert "<td>240</td>" in summary.data["text/html"]
    summary.data["text/html"] = summary.data["text/html"].replace("<td>240</td>", "<td>241</td>", 1)
    path = folder / "path_analytics.ipynb"
    nbformat.write(nb, path)
    return path


def tampered_copy(folder: Path) -> Path:
    """size_mismatch's golden with one character of the printed outcome changed."""
    nb = golden("size_mismatch")
    (stream,) = [output for output in checked_cells(nb)[-1].outputs if output.output_type == "stream"]
    assert '"outcome": "exchange_seller_pays"' in stream.text
    stream.text = stream.text.replace('"outcome": "exchange_seller_pays"', '"outcome": "exchange_seller_payz"')
    path = folder / "size_mismatch.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def nbval_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, subprocess.Popen]]:
    """Both nbval runs, started at once: the goldens as stored, and a tampered copy of one."""
    runs = {"golden": start_nbval(GOLDEN), "tampered": start_nbval(tampered_copy(tmp_path_factory.mktemp("nbval"))),
            "tampered_analytics": start_nbval(tampered_analytics_copy(tmp_path_factory.mktemp("nbval")))}
    yield runs
    for process in runs.values():
        if process.poll() is None:
            process.kill()
            process.communicate()


def test_nbval_reproduces_the_golden_notebooks(nbval_runs: dict[str, subprocess.Popen]) -> None:
    """nbval re-runs every golden notebook and finds its checked outputs unchanged (else: `make golden`)."""
    returncode, output = finish(nbval_runs["golden"])
    assert returncode == 0, output[-6000:]
    code_cells = sum(1 for path in GOLDEN.glob("*.ipynb") for cell in nbformat.read(path, as_version=4).cells
                     if cell.cell_type == "code")
    assert f"{code_cells} passed" in output


def test_nbval_fails_on_a_changed_outcome(nbval_runs: dict[str, subprocess.Popen]) -> None:
    """A golden whose stored outcome differs by one character fails nbval: the check can fail."""
    returncode, output = finish(nbval_runs["tampered"])
    assert returncode == 1, output[-6000:]
    assert "Cell outputs differ" in output and "seller_payz" in output
    assert "1 failed, 3 passed" in output


def test_nbval_fails_on_a_changed_analytics_table(nbval_runs: dict[str, subprocess.Popen]) -> None:
    """The path analytics golden with one count changed fails nbval on its table cell, and only there."""
    returncode, output = finish(nbval_runs["tampered_analytics"])
    assert returncode == 1, output[-6000:]
    assert "Cell outputs differ" in output and "241" in output
    assert "1 failed, 3 passed" in output
