"""What the notebooks call: one function per notebook, so notebooks hold no logic.

Both display their widget and return it; the notebooks assign the result (``result = ...``)
so a cell does not show it twice.

* :func:`run_scenario` — a scenario notebook. With ``facts`` (Papermill) it decides at once,
  displays the recommendation card and returns the :class:`~aftersales.engine.Decision`;
  without, it shows the wizard form.
* :func:`show_result` — prints a headless decision as JSON (the notebook's result cell).
* :func:`run_hub` — the start page: pick scenario, platform and language, then the wizard.
* :func:`run_sop_render` — the SOP render notebook ``aftersales render`` runs once per worker:
  the playbooks folder and the store overlay come as parameters, never through the environment.

Bad input raises the engine's :class:`~aftersales.errors.FactError`, which notebooks and
Papermill show as one line instead of a deep traceback.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from html import escape
from pathlib import Path
from typing import Any, Mapping

from IPython.display import HTML, display

from .errors import FactError

__all__ = ["parse_facts", "run_editor", "run_scenario", "show_result", "run_hub", "run_sop_render", "run_practice", "run_dashboard",
           "show_charts", "run_path_analytics", "show_path_charts", "run_desk", "run_causes"]


def parse_facts(facts: Mapping[str, Any] | str | None) -> dict[str, Any]:
    """The ``facts`` parameter as a dict: a mapping, a JSON object text, or empty/None for none."""
    if facts is None:
        return {}
    if isinstance(facts, str):
        if not facts.strip():
            return {}
        try:
            facts = json.loads(facts)
        except json.JSONDecodeError as exc:
            raise FactError("facts", f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
                            'a JSON object such as {"size_deviation_cm": 3.5}') from None
    if not isinstance(facts, Mapping):
        raise FactError("facts", f"expected a JSON object of fact names to values, got {type(facts).__name__}")
    return dict(facts)


def _library(playbooks: str | Path | None, overlay: str | Path | None, *, overlay_from_environment: bool = True) -> Any:
    """The playbooks folder ``playbooks`` (None: ``$AFTERSALES_PLAYBOOKS`` or the repository's) with
    the store ``overlay`` laid over it (None: ``$AFTERSALES_OVERLAY``, if ``overlay_from_environment``, or none)."""
    from .library import configured_overlay, load_library
    from .paths import default_playbooks_dir

    if playbooks:
        from .compliance.vocabulary import use_playbooks

        use_playbooks(playbooks)  # its platforms are known to the message checks, as with --playbooks
    overlay = configured_overlay(overlay or None) if overlay_from_environment else overlay or None
    return load_library(playbooks or default_playbooks_dir(), overlay=overlay)


def _as_of(as_of: datetime | date | str | None) -> datetime | date | str | None:
    return as_of if as_of not in ("", None) else None


def run_scenario(scenario: str, *, platform: str = "generic", lang: str = "en",
                 as_of: datetime | date | str | None = None, facts: Mapping[str, Any] | str | None = None,
                 interactive: bool = True, case_log: Path | str | None = None,
                 playbooks: str | Path | None = None, overlay: str | Path | None = None) -> Any:
    """Decide headless when ``facts`` are given, else show the wizard (when ``interactive``).

    ``playbooks`` is the playbooks folder (None: ``$AFTERSALES_PLAYBOOKS`` or the repository's);
    ``overlay`` lays a store's overlay (a name in ``playbooks/overlays/`` or a file) over it
    (None: ``$AFTERSALES_OVERLAY`` or none).
    """
    given = parse_facts(facts)
    if given:
        from .engine import decide
        from .widgets.card import card_html

        decision = decide(scenario, given, platform=platform, lang=lang, as_of=_as_of(as_of),
                          library=_library(playbooks, overlay))
        display(HTML(card_html(decision)))
        return decision
    if not interactive:
        from .present.words import word

        raise FactError("facts", word("headless_needs_facts", lang))
    from .widgets.wizard import Wizard

    wizard = Wizard(scenario, platform=platform, lang=lang, as_of=_as_of(as_of), case_log=case_log,
                    library=_library(playbooks, overlay))
    display(wizard)
    return wizard


def show_result(result: Any) -> None:
    """Print a headless decision as indented JSON (what a batch run reads); nothing for a form."""
    from .engine import Decision

    if isinstance(result, Decision):
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))


def run_hub(*, scenario: str | None = None, platform: str = "generic", lang: str = "en",
            interactive: bool = True, case_log: Path | str | None = None, playbooks: str | Path | None = None,
            overlay: str | Path | None = None) -> Any:
    """The start page: the scenarios' overview, then (interactive) pickers and the wizard."""
    if not interactive:
        from .widgets.hub import overview_html

        display(HTML(overview_html(lang, library=_library(playbooks, overlay))))
        return None
    from .widgets.hub import Hub

    hub = Hub(scenario=scenario, platform=platform, lang=lang, case_log=case_log, library=_library(playbooks, overlay))
    display(hub)
    return hub


def run_sop_render(scenario: str, *, playbooks: str | Path | None = None, overlay: str | Path | None = None,
                   rendered_on: date | str | None = None,
                   documents: list[Mapping[str, Any]] | str | None = None) -> list[dict[str, Any]]:
    """The SOP render notebook (run by ``aftersales render``): write ``documents`` (a list, or its JSON
    text, of :class:`~aftersales.render.sop.DocumentRequest` fields) of ``scenario``, or of the scenario
    each document names, from the folder ``playbooks`` (None: ``$AFTERSALES_PLAYBOOKS`` or the repository's)
    with the store ``overlay`` (None: none; the environment's overlay is not read, as the render
    cache keys only the overlay it is given); each document's status is displayed and returned."""
    from .render.sop import print_status_line, render_documents, show_statuses

    requests = json.loads(documents) if isinstance(documents, str) else list(documents or [])
    day = rendered_on.isoformat() if isinstance(rendered_on, date) else rendered_on or date.today().isoformat()
    library = _library(playbooks, overlay, overlay_from_environment=False)
    by_scenario: dict[str, list[Mapping[str, Any]]] = {}
    for request in requests:  # one run may write several scenarios' documents (one kernel start for them all)
        by_scenario.setdefault(request.get("scenario") or scenario, []).append(request)
    statuses = [status for name, group in by_scenario.items()
                for status in render_documents(name, {"rendered_on": day, "documents": group}, library,
                                               on_status=print_status_line)]
    show_statuses(statuses)
    return statuses


def _store(progress_url: str | None) -> Any:
    from .training.store import ProgressStore

    return ProgressStore(progress_url or None)


def run_practice(*, trainee: str = "trainee", case_id: str | None = None, lang: str = "en",
                 progress_url: str | None = None, interactive: bool = True,
                 answers: Mapping[str, Any] | str | None = None, platform: str | None = None,
                 customer_lang: str | None = None) -> Any:
    """The practice page (interactive), or, with ``answers``, score them headless, record the attempt
    for ``trainee`` in the progress store and show the feedback. ``platform`` and ``customer_lang``
    keep the page's Next button on the trainee's path (``aftersales train next`` picks the same)."""
    from .training.feedback import feedback_html

    if answers:
        from .training.cases import get_case
        from .training.scoring import Answer, score_attempt

        if not case_id:
            raise FactError("case_id", "a headless practice run scores one case: give case_id with the answers")
        try:
            given = parse_facts(answers)
        except FactError as exc:
            raise FactError("answers", exc.problem, exc.allowed) from None
        case = get_case(case_id)
        answer = Answer.from_mapping(given)
        score = score_attempt(case, answer)
        from .compliance import check_message
        from .engine import decide
        from .library import load_library
        from .training.practice import case_zone

        library = load_library()
        decision = decide(case.scenario, case.facts, case.platform, lang=lang, as_of=case.as_of, render_message=False)
        findings = (check_message(answer.reply, case.platform, case.lang, decision.outcome_node.reply_kind)
                    if answer.reply and answer.reply.strip() else [])
        from .present.words import word
        from .training.store import scored_attempt

        with _store(progress_url) as store:  # headless attempts count for the lead's board too
            attempt_id = store.record(scored_attempt(trainee=trainee, case=case, answers=dict(given), score=score))
        display(HTML(feedback_html(score, lang, decision=decision, findings=list(findings),
                                   zone=case_zone(case, library))
                     + f"<div class='as-recorded'>{escape(word('practice_recorded', lang, attempt_id=attempt_id))}</div>"))
        return score
    if not interactive:
        raise FactError("answers", "a headless practice run needs the trainee's answers as a JSON object")
    from .training.practice import Practice

    practice = Practice(trainee, case_id, store=_store(progress_url), lang=lang, platform=platform,
                        customer_lang=customer_lang)
    display(practice)
    return practice


def run_desk(*, db_url: str | None = None, day: date | str | None = None, owner: str | None = None,
             who: str = "agent", lang: str = "en", demo: bool = False, interactive: bool = True) -> Any:
    """The desk notebook: today's follow-up list from the case store (``db_url``; None:
    ``$AFTERSALES_DB_URL`` or the local SQLite file), only ``owner``'s cases if given, ``who``
    recording the follow-ups; ``demo``: a reproducible example store instead (the golden test).
    Shows the page (``interactive``: with a "Followed up" button per case; else the list as HTML)
    and returns the list. Source: seed 001 (follow up every open case daily)."""
    import tempfile
    from pathlib import Path as _Path

    from .cases.demo import DEMO_DAY, seed_demo_cases
    from .cases.due import due_cases
    from .cases.store import CaseStore
    from .widgets.desk import Desk, desk_html

    if demo:
        db_url = f"sqlite:///{_Path(tempfile.mkdtemp(prefix='aftersales-desk-')) / 'cases.db'}"
    when = date.fromisoformat(day) if isinstance(day, str) else day
    store = CaseStore(db_url)
    if demo:
        seed_demo_cases(store)
        when = when or DEMO_DAY
    if interactive:
        display(Desk(store, day=when, owner=owner, who=who, lang=lang))
    lines = due_cases(store, when, owner, team_lang=lang)
    if not interactive:
        display(HTML(desk_html(lines, when or date.today(), lang)))
    return lines


def run_causes(*, db_url: str | None = None, since: date | str | None = None, lang: str = "en",
               demo: bool = False, catalogue: str | None = None, chart: bool = True) -> Any:
    """The desk's cause counts (seeds 000, 001: tag and count cases by cause, feed them back to
    product and suppliers): the cases opened since ``since`` per cause, SKU and supplier, as tables
    and a bar chart in ``lang``; ``catalogue``: a CSV (sku, supplier) naming missing suppliers;
    ``demo``: the desk's reproducible example store. Returns the report."""
    import tempfile
    from pathlib import Path as _Path

    from .cases.cause_report import cause_chart, cause_report, read_catalogue
    from .cases.demo import seed_demo_cases
    from .cases.store import CaseStore

    if demo:
        db_url = f"sqlite:///{_Path(tempfile.mkdtemp(prefix='aftersales-causes-')) / 'cases.db'}"
    start = date.fromisoformat(since) if isinstance(since, str) else since
    with CaseStore(db_url) as store:
        if demo:
            seed_demo_cases(store)
        moment = datetime(start.year, start.month, start.day, tzinfo=timezone.utc) if start else None
        report = cause_report(store.cause_counts(moment), lang=lang, since=start,
                              catalogue=read_catalogue(catalogue) if catalogue else None)
    display(HTML(_cause_tables_html(report)))
    if chart and report.rows:
        import matplotlib.pyplot as plt

        cause_chart(report)
        plt.show()
    return report


def _cause_tables_html(report: Any) -> str:
    from .cases.cause_report import _w

    def table(head: list[str], rows: list[tuple[Any, ...]]) -> str:
        cells = "".join(f"<th>{escape(h)}</th>" for h in head)
        body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
        return f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"

    lang = report.lang
    if not report.rows:
        return f"<p>{escape(_w('none', lang))}</p>"
    return "".join([
        f"<h3>{escape(_w('title', lang))}: {report.total}</h3>",
        table([_w("cause", lang), _w("cases", lang)], report.by_cause()),
        f"<h4>{escape(_w('by_sku', lang))}</h4>",
        table([_w("sku", lang), _w("cause", lang), _w("cases", lang)], report.by_sku()),
        f"<h4>{escape(_w('by_supplier', lang))}</h4>",
        table([_w("supplier", lang), _w("cause", lang), _w("cases", lang)], report.by_supplier()),
    ])


def run_dashboard(*, progress_url: str | None = None, demo: bool = False, export: str | None = None) -> Any:
    """The lead's dashboard tables (``demo``: a reproducible example store in a temporary file)."""
    from .training import dashboard as board
    from .training.cases import load_cases

    cases = load_cases()
    if demo:
        import tempfile

        folder = tempfile.mkdtemp(prefix="aftersales-demo-")
        store = _store(f"sqlite:///{folder}/progress.db")
        board.seed_demo(store, cases)
    else:
        store = _store(progress_url)
    frame = board.attempts_frame(store)
    ready = board.readiness(cases, store.attempts())
    sections = [("Attempts", f"{len(frame)} attempts by {frame['trainee'].nunique() if len(frame) else 0} trainees"),
                ("Readiness: each scenario on each platform against the bar in playbooks/training.yaml",
                 ready[ready["attempts"] > 0] if len(ready) else ready),
                ("Score per trainee, weekly mean (%)", board.scores_over_time(frame)),
                ("Score per trainee and scenario (%)", board.scores_per_scenario(frame)),
                ("Most common mistakes", board.common_mistakes(frame)),
                ("Cases by difficulty (from the attempts)", board.case_difficulty(frame).head(10)),
                ("Replies to review, beside the playbook's reply", board.review_queue(frame, cases, top=5)),
                ("Cases never attempted", board.never_attempted(frame, cases))]
    for title, content in sections:
        body = content if isinstance(content, str) else content.to_html(border=0, index=False)
        display(HTML(f"<h3>{escape(title)}</h3>{body}"))
    if export:
        print(f"exported {board.export_csv(frame, export)}")
    return frame


def show_charts(frame: Any) -> None:
    """The dashboard's charts (kept out of the checked golden output: pictures differ by font)."""
    from .training.dashboard import charts

    display(figure_image(charts(frame)))


def run_editor(overlay: str, *, platform: str = "taobao", lang: str = "en",
               playbooks: Path | str | None = None) -> Any:
    """The store overlay editor (:mod:`aftersales.widgets.editor`), displayed and returned."""
    from .paths import default_playbooks_dir
    from .widgets.editor import OverlayEditorWidget

    editor = OverlayEditorWidget(Path(playbooks) if playbooks else default_playbooks_dir(), overlay,
                                 platform=platform, lang=lang)
    display(editor)
    return editor


def run_path_analytics(*, case_log: Path | str | None = None, demo: bool = False) -> Any:
    """The lead's path analytics tables over the case log (``demo``: a reproducible example log in
    a temporary file); returns the cases frame for :func:`show_path_charts`."""
    import tempfile

    from . import analytics

    if demo:
        case_log = analytics.write_demo_case_log(Path(tempfile.mkdtemp(prefix="aftersales-demo-")) / "case-log.jsonl")
    from .sessionlog import read_events

    cases = analytics.load_case_log(case_log or None)
    events = [] if demo else read_events()
    for title, table in analytics.report(cases, events):
        display(HTML(analytics.section_html(title, table)))
    return cases


def show_path_charts(cases: Any) -> None:
    """The path analytics charts (kept out of the checked golden output: pictures differ by font)."""
    from .analytics import charts

    display(figure_image(charts(cases)))


def figure_image(figure: Any) -> Any:
    """A matplotlib figure as a PNG image for ``display``: drawn whatever the kernel's
    backend (a bare ``Figure`` shows as "<Figure size ...>" text where no inline backend has
    registered itself, as in Papermill, Voila and the SOP exports)."""
    import io

    from IPython.display import Image

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return Image(data=buffer.getvalue(), format="png")
