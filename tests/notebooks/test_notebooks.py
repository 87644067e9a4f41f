"""The notebooks: thin, reviewable in git, and runnable headless with Papermill.

The static checks read the files only. The Papermill runs start a kernel each (seconds apiece),
so one module-scoped fixture starts them all at once on two worker threads and each test reads
the run it needs.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from html import escape
from pathlib import Path
from typing import Any

import jupytext
import jupytext.config
import nbformat
import papermill
import pytest
from nbclient.exceptions import CellTimeoutError
from papermill.exceptions import PapermillExecutionError

import aftersales.notebook
from aftersales import decide, load_library
from aftersales.examples import EXAMPLE_AS_OF

from .strip_outputs import strip_file

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
HUB = "00_start_here"
SCENARIOS = ("quality_defect", "wrong_item", "size_mismatch", "claim", "bad_review", "change_of_mind",
             "service_complaint", "recall", "refund_only")
SCENARIO_PARAMETERS = ["platform", "lang", "as_of", "facts", "interactive", "playbooks", "overlay"]
HUB_PARAMETERS = ["scenario", "platform", "lang", "interactive", "playbooks", "overlay"]
RENDER = "render_sop"  # the notebook `aftersales render` runs once per worker to write the SOP documents
RENDER_PARAMETERS = ["scenario", "playbooks", "overlay", "rendered_on", "documents"]
TRAINING = ("practice", "dashboard")  # the trainee's practice page and the lead's dashboard
LEADS = ("path_analytics", "editor", "desk")  # the lead's analytics over the case log, the store overlay editor, the desk
TRAINING_PARAMETERS = {"practice": ["trainee", "case_id", "lang", "progress_url", "interactive", "answers", "platform",
                                    "customer_lang"],
                       "dashboard": ["progress_url", "demo", "export"],
                       "path_analytics": ["case_log", "demo"],
                       "editor": ["overlay", "platform", "lang", "playbooks"],
                       "desk": ["db_url", "day", "owner", "who", "lang", "demo", "interactive", "causes_since"]}
NOTEBOOK_NAMES = [HUB, *SCENARIOS, *TRAINING, *LEADS, RENDER]


def parameters_of(name: str) -> list[str]:
    """The parameters a notebook declares, in order."""
    if name == HUB:
        return HUB_PARAMETERS
    if name == RENDER:
        return RENDER_PARAMETERS
    return TRAINING_PARAMETERS.get(name, SCENARIO_PARAMETERS)
CHECK_OUTPUT = "# NBVAL_CHECK_OUTPUT"
AS_OF = "2026-01-15T09:00:00+00:00"
README_FACTS = {"order_id": "TB-20260112-0042", "customer_name": "Li Na", "order_value": 129, "currency": "CNY",
                "delivered_on": "2026-01-12", "evidence_provided": True, "category": "apparel",
                "size_deviation_cm": 3.5, "customer_preference": "exchange"}
# Each scenario notebook runs headless once on its playbook's first worked example, facts passed as a
# dict; size_mismatch's is the README case (its facts plus an order id and a name), passed as JSON text.
DICT_RUNS = ("quality_defect", "wrong_item", "claim", "bad_review", "change_of_mind", "service_complaint", "recall",
             "refund_only")


def notebook_path(name: str) -> Path:
    return NOTEBOOKS / f"{name}.ipynb"


def read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(notebook_path(name), as_version=4)


def code_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def tagged(nb: nbformat.NotebookNode, tag: str) -> list[nbformat.NotebookNode]:
    return [cell for cell in nb.cells if tag in cell.metadata.get("tags", [])]


def parameters_cell(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    cells = tagged(nb, "parameters")
    assert len(cells) == 1, "exactly one cell must carry the 'parameters' tag"
    return cells[0]


def assigned(cell: nbformat.NotebookNode) -> dict[str, Any]:
    """The parameters cell as name → literal value; fails on anything but plain assignments."""
    values = {}
    for statement in ast.parse(cell.source).body:
        assert isinstance(statement, ast.Assign) and len(statement.targets) == 1, ast.unparse(statement)
        target = statement.targets[0]
        assert isinstance(target, ast.Name), ast.unparse(statement)
        values[target.id] = ast.literal_eval(statement.value)
    return values


def example(scenario: str) -> Any:
    """The first worked example of a scenario's playbook."""
    return load_library().playbook(scenario).examples[0][0]


def example_run_key(scenario: str) -> str:
    return f"example:{scenario}" if scenario in DICT_RUNS else "readme"


def json_safe(facts: dict[str, Any]) -> dict[str, Any]:
    """Facts as a JSON document would give them (dates as ISO text)."""
    return json.loads(json.dumps(facts, default=str))


# --- files, pairing, stripping -------------------------------------------------------------------

def test_the_notebooks_are_the_hub_and_one_per_scenario() -> None:
    """notebooks/ holds the start page, one notebook per playbook scenario, practice, the dashboard,
    the path analytics and the SOP render, each with its .py twin."""
    assert set(SCENARIOS) == set(load_library().scenarios)
    assert {p.stem for p in NOTEBOOKS.glob("*.ipynb")} == set(NOTEBOOK_NAMES)
    assert {p.stem for p in NOTEBOOKS.glob("*.py")} == set(NOTEBOOK_NAMES)


def test_notebooks_are_paired_with_py_percent_and_goldens_are_not() -> None:
    """jupytext pairs notebooks/*.ipynb with py:percent twins; its configuration leaves tests/golden alone."""
    path = str(notebook_path("size_mismatch"))
    assert jupytext.config.load_jupytext_config(path).default_formats(path) == "ipynb,py:percent"
    assert jupytext.config.load_jupytext_config(str(REPO / "tests" / "golden" / "size_mismatch.ipynb")) is None


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_the_py_twin_holds_the_same_cells(name: str) -> None:
    """Each .py twin has the notebook's cells: same kinds, sources and tags (run `make notebooks` if not)."""
    def cells(path: Path) -> list[tuple[str, str, list[str]]]:
        nb = jupytext.read(path)
        return [(c.cell_type, c.source, c.metadata.get("tags", [])) for c in nb.cells]

    assert cells(NOTEBOOKS / f"{name}.py") == cells(notebook_path(name))
    assert "format_name: percent" in (NOTEBOOKS / f"{name}.py").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_notebooks_hold_no_outputs_and_run_on_python3(name: str) -> None:
    """Stored notebooks carry sources only (run `make notebooks` if not) and name the python3 kernel."""
    nb = read(name)
    assert nb.metadata.kernelspec.name == "python3"
    for cell in code_cells(nb):
        assert cell.outputs == [] and cell.execution_count is None, cell.source
    assert not strip_file(notebook_path(name), check=True), "the strip script would still change it"


# --- thin notebooks: parameters and calls only ---------------------------------------------------

@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_scenario_notebook_has_its_seven_parameters(scenario: str) -> None:
    """The tagged parameters cell assigns platform, lang, as_of, facts, interactive, playbooks and overlay,
    with interactive defaults, the configured playbooks folder and no store overlay."""
    nb = read(scenario)
    cell = parameters_cell(nb)
    values = assigned(cell)
    assert list(values) == SCENARIO_PARAMETERS
    assert values["platform"] in load_library().profiles
    assert values["lang"] == "en" and values["as_of"] is None and values["facts"] == {}
    assert values["interactive"] is True
    assert values["playbooks"] is None, "the configured playbooks folder ($AFTERSALES_PLAYBOOKS still applies)"
    assert values["overlay"] is None, "no store overlay unless asked for ($AFTERSALES_OVERLAY still applies)"
    assert code_cells(nb)[0] is cell, "parameters come before any other code"


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_papermill_sees_every_parameter_with_its_help(name: str) -> None:
    """`papermill --help-notebook` lists each parameter with its comment (no '=' in comments breaks it)."""
    expected = parameters_of(name)
    inspected = papermill.inspect_notebook(str(notebook_path(name)))
    assert list(inspected) == expected
    assert all(parameter["help"] for parameter in inspected.values())


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_scenario_notebook_carries_no_render_parameter(scenario: str) -> None:
    """Only what a trainee or an agent sets: the SOP render has a notebook of its own (issue 14, part 5)."""
    inspected = papermill.inspect_notebook(str(notebook_path(scenario)))
    assert "sop" not in inspected and "documents" not in inspected
    assert "sop" not in assigned(parameters_cell(read(scenario)))
    for cell in code_cells(read(scenario)):
        assert "sop" not in {node.arg for node in ast.walk(ast.parse(cell.source)) if isinstance(node, ast.keyword)}


def test_the_hub_has_its_six_parameters() -> None:
    """The start page's parameters: no preselected scenario, the generic store, English, interactive, the
    configured playbooks folder, no overlay."""
    values = assigned(parameters_cell(read(HUB)))
    assert values == {"scenario": None, "platform": "generic", "lang": "en", "interactive": True, "playbooks": None,
                      "overlay": None}


def test_the_render_notebook_takes_the_library_and_the_documents_as_parameters() -> None:
    """The SOP render notebook: the playbooks folder and the overlay reach its kernel as Papermill
    parameters (not the environment), with the documents to write; it makes one call."""
    nb = read(RENDER)
    values = assigned(parameters_cell(nb))
    assert values == {"scenario": "size_mismatch", "playbooks": None, "overlay": None, "rendered_on": None,
                      "documents": []}
    assert code_cells(nb)[0] is parameters_cell(nb)
    (call_cell,) = code_cells(nb)[1:]
    call = calls(ast.parse(call_cell.source).body[-1])
    assert call.func.id == "run_sop_render"
    assert [a.id for a in call.args] == ["scenario"]
    assert {keyword.arg for keyword in call.keywords} == set(RENDER_PARAMETERS) - {"scenario"}


def calls(statement: ast.stmt) -> ast.Call:
    """The call a statement makes: ``f(...)`` or ``name = f(...)``; fails on anything else."""
    single_name = isinstance(statement, ast.Assign) and [type(t) for t in statement.targets] == [ast.Name]
    assert single_name or isinstance(statement, ast.Expr), f"not a call: {ast.unparse(statement)}"
    value = statement.value
    assert isinstance(value, ast.Call) and isinstance(value.func, ast.Name), ast.unparse(statement)
    return value


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_code_cells_only_import_and_call_aftersales_notebook(name: str) -> None:
    """Besides the parameters, code cells import from aftersales.notebook and call it with parameters: no logic."""
    nb = read(name)
    parameters = parameters_of(name)
    imported: set[str] = set()
    results: set[str] = set()
    for cell in code_cells(nb):
        if cell is parameters_cell(nb):
            continue
        for statement in ast.parse(cell.source).body:
            if isinstance(statement, ast.ImportFrom):
                assert statement.module == "aftersales.notebook", ast.unparse(statement)
                imported |= {alias.name for alias in statement.names}
                continue
            call = calls(statement)
            assert call.func.id in imported, f"{call.func.id} is not imported from aftersales.notebook"
            arguments = [*call.args, *(keyword.value for keyword in call.keywords)]
            for argument in arguments:
                assert (isinstance(argument, ast.Name) and argument.id in {*parameters, *results}) or (
                    isinstance(argument, ast.Constant) and isinstance(argument.value, str)), ast.unparse(argument)
            if isinstance(statement, ast.Assign):
                results.add(statement.targets[0].id)
    assert imported and imported <= set(aftersales.notebook.__all__)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_scenario_notebook_runs_its_scenario_and_prints_the_result(scenario: str) -> None:
    """The call cell runs this notebook's scenario with every parameter; both output cells are checked by nbval."""
    cells = code_cells(read(scenario))[1:]
    assert [cell.source.splitlines()[0] for cell in cells] == [CHECK_OUTPUT, CHECK_OUTPUT]
    call = calls(ast.parse(cells[0].source).body[-1])
    assert call.func.id == "run_scenario" and ast.literal_eval(call.args[0]) == scenario
    assert {keyword.arg for keyword in call.keywords} == set(SCENARIO_PARAMETERS)
    assert ast.unparse(ast.parse(cells[1].source)) == "show_result(result)"


def test_the_hub_keeps_what_run_hub_returns() -> None:
    """The hub's call cell assigns run_hub's result: as the cell's value, the widget would show twice."""
    cell = code_cells(read(HUB))[-1]
    statement = ast.parse(cell.source).body[-1]
    assert isinstance(statement, ast.Assign) and calls(statement).func.id == "run_hub"


def test_the_hub_links_every_scenario_notebook() -> None:
    """The start page's introduction links each scenario notebook by a relative path that exists."""
    intro = read(HUB).cells[0]
    assert intro.cell_type == "markdown"
    links = re.findall(r"\]\(([^)]+\.ipynb)\)", intro.source)
    assert sorted(links) == sorted(f"{scenario}.ipynb" for scenario in SCENARIOS)
    assert all((NOTEBOOKS / link).is_file() for link in links)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_documented_papermill_command_decides(scenario: str) -> None:
    """The headless command in a scenario notebook's introduction names it and its facts decide a case."""
    intro = read(scenario).cells[0].source
    assert f"papermill notebooks/{scenario}.ipynb out.ipynb" in intro
    platform = re.search(r"-p platform (\w+)", intro).group(1)
    as_of = re.search(r"-p as_of (\S+)", intro).group(1)
    facts = json.loads(re.search(r"-p facts '([^']+)'", intro).group(1))
    assert decide(scenario, facts, platform=platform, lang="en", as_of=as_of).outcome


def test_the_readme_case_is_size_mismatchs_first_worked_example() -> None:
    """The README's facts are size_mismatch's first worked example with an order id and a customer name."""
    case = example("size_mismatch")
    assert case.platform == "taobao" and (case.as_of or EXAMPLE_AS_OF) == AS_OF
    assert README_FACTS == {**json_safe(case.facts), "order_id": "TB-20260112-0042", "customer_name": "Li Na"}


# --- Papermill runs ------------------------------------------------------------------------------

RUNS: dict[str, tuple[str, dict[str, Any]]] = {
    "readme": ("size_mismatch", {"platform": "taobao", "lang": "en", "as_of": AS_OF,
                                 "facts": json.dumps(README_FACTS)}),
    "bad_value": ("size_mismatch", {"platform": "taobao", "as_of": AS_OF, "interactive": False,
                                    "facts": {**README_FACTS, "size_deviation_cm": -1}}),
    "bad_json": ("claim", {"facts": '{"claim_type": "not_received",', "interactive": False}),
    "no_facts": ("bad_review", {"interactive": False}),
    "hub": (HUB, {"interactive": False}),
    "form": ("wrong_item", {}),
}


#: A case log of two timed cases for the path analytics notebook's documented `-p case_log PATH` run.
CASE_LOG = [
    {"case_id": "run-1", "scenario": "size_mismatch", "platform": "taobao", "path": ["intake", "measurement"],
     "outcome": "exchange_seller_pays", "resolution": "exchange", "override": None,
     "step_times": [{"step": "intake", "input": "order_value", "seconds": 11.5}]},
    {"case_id": "run-2", "scenario": "size_mismatch", "platform": "ozon", "path": ["intake", "measurement"],
     "outcome": "exchange_seller_pays", "resolution": "exchange",
     "override": {"outcome": "refund_seller_pays", "resolution": "refund", "reason": "stock"},
     "step_times": [{"step": "intake", "input": "order_value", "seconds": 20.5}]},
]


def example_run(scenario: str) -> tuple[str, dict[str, Any]]:
    """A scenario notebook's run on one of its playbook's worked examples, facts passed as a dict."""
    case = example(scenario)
    as_of = case.as_of.isoformat() if hasattr(case.as_of, "isoformat") else case.as_of  # YAML reads a datetime
    return scenario, {"platform": case.platform, "lang": case.lang or "en", "as_of": as_of or EXAMPLE_AS_OF,
                      "facts": json_safe(case.facts), "interactive": False}


def execute(name: str, parameters: dict[str, Any], output: Path) -> nbformat.NotebookNode | Exception:
    """Run a notebook with Papermill; a failed cell or a timeout is returned, not raised."""
    try:
        return papermill.execute_notebook(str(notebook_path(name)), str(output), parameters=parameters,
                                          kernel_name="python3", progress_bar=False, execution_timeout=120)
    except (PapermillExecutionError, CellTimeoutError) as exc:
        return exc


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Future]]:
    """Every Papermill run of this module, started at once on two threads (one kernel each)."""
    folder = tmp_path_factory.mktemp("papermill")
    jobs = {**RUNS, **{example_run_key(scenario): example_run(scenario) for scenario in DICT_RUNS}}
    case_log = folder / "case-log.jsonl"
    case_log.write_text("".join(json.dumps(record) + "\n" for record in CASE_LOG), encoding="utf-8")
    jobs["analytics"] = ("path_analytics", {"case_log": str(case_log)})
    jobs["dashboard"] = ("dashboard", {"demo": True})
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {key: pool.submit(execute, name, parameters, folder / f"{key.replace(':', '-')}.ipynb")
                   for key, (name, parameters) in jobs.items()}
        yield futures
        for future in futures.values():
            future.cancel()


def succeeded(runs: dict[str, Future], key: str) -> nbformat.NotebookNode:
    result = runs[key].result()
    assert not isinstance(result, Exception), f"the run failed: {result}"
    return result


def failed(runs: dict[str, Future], key: str) -> PapermillExecutionError:
    result = runs[key].result()
    assert isinstance(result, PapermillExecutionError), f"expected a failed cell, got {result!r}"
    return result


def html_outputs(nb: nbformat.NotebookNode) -> str:
    return "".join(output.data["text/html"] for cell in code_cells(nb) for output in cell.outputs
                   if "text/html" in output.get("data", {}))


def printed_decision(nb: nbformat.NotebookNode) -> dict[str, Any]:
    """The decision the result cell printed as JSON."""
    result_cell = code_cells(nb)[-1]
    assert "show_result" in result_cell.source
    text = "".join(output.text for output in result_cell.outputs if output.output_type == "stream")
    return json.loads(text)


def test_a_headless_run_shows_the_card_and_prints_the_decision(runs: dict[str, Future]) -> None:
    """The README's size case, facts as JSON text: the card recommends the exchange and the JSON says so."""
    nb = succeeded(runs, "readme")
    html = html_outputs(nb)
    assert 'class="as-card"' in html and "<b>Exchange</b>" in html and "Li Na" in html
    decision = printed_decision(nb)
    assert decision["outcome"] == "exchange_seller_pays"
    assert decision["platform"] == "taobao" and decision["as_of"] == AS_OF
    assert tagged(nb, "injected-parameters"), "Papermill injected the parameters"


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_each_scenario_notebook_decides_a_worked_example(runs: dict[str, Future], scenario: str) -> None:
    """Each scenario notebook, given a worked example's facts, prints the outcome the example expects."""
    nb = succeeded(runs, example_run_key(scenario))
    assert printed_decision(nb)["outcome"] == example(scenario).expect.outcome
    assert 'class="as-card"' in html_outputs(nb)


def test_an_out_of_range_fact_fails_with_one_line(runs: dict[str, Future]) -> None:
    """A negative size deviation stops the run with a FactError naming the fact, without engine frames."""
    error = failed(runs, "bad_value")
    assert error.ename == "FactError"
    assert "size_deviation_cm" in error.evalue
    assert error.traceback == [f"FactError: {error.evalue}"]
    assert "engine.py" not in "\n".join(error.traceback)


def test_bad_json_facts_fail_with_a_fact_error_about_json(runs: dict[str, Future]) -> None:
    """Facts that are not valid JSON text fail on the facts parameter, saying it is not valid JSON."""
    error = failed(runs, "bad_json")
    assert error.ename == "FactError"
    assert "fact 'facts'" in error.evalue and "JSON" in error.evalue
    assert len(error.traceback) == 1


def test_a_headless_run_without_facts_is_an_error(runs: dict[str, Future]) -> None:
    """interactive=False with no facts builds no form: it fails asking for the facts."""
    error = failed(runs, "no_facts")
    assert error.ename == "FactError"
    assert "fact 'facts'" in error.evalue and "interactive=False" in error.evalue


def test_the_hub_runs_headless_and_names_the_five_scenarios(runs: dict[str, Future]) -> None:
    """The start page with interactive=False shows an overview naming every scenario by its title."""
    html = html_outputs(succeeded(runs, "hub"))
    library = load_library()
    for scenario in SCENARIOS:
        assert escape(library.playbook(scenario).title["en"]) in html


def test_by_default_a_scenario_notebook_shows_one_form_and_prints_nothing(runs: dict[str, Future]) -> None:
    """With the default parameters (no facts, interactive) the call cell shows one widget and the result cell nothing."""
    run_cell, result_cell = code_cells(succeeded(runs, "form"))[-2:]
    assert len(run_cell.outputs) == 1
    assert "application/vnd.jupyter.widget-view+json" in run_cell.outputs[0].data
    assert result_cell.outputs == []


def test_stripping_a_run_leaves_sources_only(runs: dict[str, Future], tmp_path: Path) -> None:
    """The strip script clears a Papermill output notebook's outputs, counts and run metadata."""
    path = tmp_path / "run.ipynb"
    nbformat.write(succeeded(runs, "readme"), path)
    assert strip_file(path)
    assert not strip_file(path, check=True)
    nb = nbformat.read(path, as_version=4)
    assert set(nb.metadata) <= {"kernelspec", "jupytext"}
    for cell in code_cells(nb):
        assert cell.outputs == [] and cell.execution_count is None
        assert set(cell.metadata) <= {"tags"}


def test_the_path_analytics_notebook_reads_the_case_log_it_is_given(runs: dict[str, Future]) -> None:
    """`-p case_log PATH`: the tables count that log's two cases (one override, 16 s median at intake), then a chart."""
    nb = succeeded(runs, "analytics")
    html = html_outputs(nb)
    for title in ("Popular steps", "Exit steps", "Resolution mix per platform", "Overrides per platform",
                  "Overrides: recommended → chosen", "Time per step"):
        assert title in html, title
    assert "refund_seller_pays" in html and "<td>16.0</td>" in html
    charts_cell = code_cells(nb)[-1]
    assert "show_path_charts" in charts_cell.source
    assert any("image/png" in output.get("data", {}) for output in charts_cell.outputs)


def test_the_dashboard_draws_its_charts_in_the_notebook(runs: dict[str, Future]) -> None:
    """The charts are a picture in the notebook, not "<Figure size 1200x400 with 2 Axes>"."""
    nb = succeeded(runs, "dashboard")
    charts_cell = code_cells(nb)[-1]
    assert "show_charts" in charts_cell.source
    assert any("image/png" in output.get("data", {}) for output in charts_cell.outputs), charts_cell.outputs
