"""The guided form: one question at a time, then the recommendation card.

A view over :class:`~aftersales.widgets.session.WizardSession`: button handlers change the
session (answer, back, restart, language) and then :meth:`Wizard.refresh` redraws every part
from the session's state. Nothing here decides anything; the playbook and the engine do.
Under the card, an agent who disagrees may pick another outcome and give the reason; the card
then shows that outcome as the engine re-makes it for the case (its terms and the customer
message, or a plain notice that the message must be written by hand), and back again when the
recommendation is kept. **Save case** records that override beside the recommendation (the
session checks it).
"""

from __future__ import annotations

import functools
import logging
import re
from datetime import date, datetime
from html import escape
from pathlib import Path
from typing import Any, Callable

import ipywidgets as w

from ..errors import AftersalesError, FactError
from ..playbook.model import LANGS
from ..present.answers import answer_words
from ..present.words import unit_name, word
from .card import STYLE, card_html, checklist_html
from .confirm import ConfirmBar
from .fields import Field, allowed_words
from .session import Clock, Override, SystemClock, WizardSession

LANGUAGE_NAMES = {"en": "English", "zh": "中文", "ru": "Русский"}
_log = logging.getLogger(__name__)


def message_check_html(decision: Any, reader: str | None = None) -> str:
    """The compliance checker's findings on the generated message, checked in the message's language
    and told in the ``reader``'s (none: a quiet confirmation; nothing without a decision or a message)."""
    from ..compliance import check_message

    if decision is None or not decision.message:
        return ""
    findings = check_message(decision.message["text"], decision.platform, decision.message.get("lang", decision.lang),
                             decision.outcome_node.reply_kind)
    lang = reader or decision.lang
    if not findings:
        return f"<div class='as-src as-message-check'>✓ {escape(word('message_check_clean', lang))}</div>"
    items = "".join(f"<li><b>{escape(word('finding_' + f.severity, lang))}</b>: {escape(f.message_in(lang))} "
                    f"<span class='as-src'>[{escape(f.source)}]</span></li>" for f in findings)
    return f"<div class='as-message-check'><b>{escape(word('message_check', lang))}</b><ul>{items}</ul></div>"


#: The engine's checks of a typed value, in the reader's words: (pattern of its English problem, word key).
_PROBLEMS = (
    (re.compile(r"^(?P<value>.+?) is out of range$"), "problem_out_of_range"),
    (re.compile(r"^text of (?P<value>\d+) characters is too long$"), "problem_too_long"),
    (re.compile(r"^(?P<value>\S+) is not a currency of platform\b"), "problem_currency"),
    (re.compile(r"^(?P<value>\S+) is more than the order value (?P<limit>\S+)"), "problem_more_than_order"),
    (re.compile(r"^(?P<value>\S+) is outside the supported dates$"), "problem_dates"),
    (re.compile(r"^(?P<value>\S+) is not a fulfilment model of platform\b"), "problem_fulfilment"),
)


def problem_words(problem: str, lang: str) -> str:
    """What the engine found wrong with an answer, in ``lang`` (its own English words when it is a
    problem the wizard has no words for: a playbook's own check)."""
    for pattern, key in _PROBLEMS:
        match = pattern.match(problem)
        if match:
            return word(key, lang, **match.groupdict())
    return problem


def platform_name(library: Any, platform: str, lang: str) -> str:
    """The platform's display name in ``lang`` (its code when the profile has none)."""
    return library.profile(platform).display_name.get(lang, platform)


def _guarded(handler: Callable[..., None]) -> Callable[..., None]:
    """ipywidgets swallows a handler's exception; show it in the form instead of freezing."""

    @functools.wraps(handler)
    def run(self: "Wizard", *args: Any) -> None:
        try:
            handler(self, *args)
        except Exception as exc:  # a bug, not bad input: say so where the user looks
            _log.exception("wizard handler %s failed", handler.__name__)
            self.error.value = f"<div style='color:#b3261e'><b>{escape(type(exc).__name__)}:</b> {escape(str(exc))}</div>"

    return run


class Wizard(w.VBox):
    """The wizard for one scenario on one platform (``as_of``: the case's start, default now)."""

    def __init__(self, scenario: str, platform: str, lang: str = "en", as_of: Any = None, *,
                 facts: dict[str, Any] | None = None, case_log: Path | str | None = None, library: Any = None,
                 show_card: bool = True, clock: Clock | None = None, customer_lang: str | None = None):
        self.session = WizardSession(scenario, platform, lang, as_of, dict(facts or {}), library,
                                     clock or SystemClock(),  # clock: the step times' (tests pass their own)
                                     customer_lang=customer_lang)
        self.show_card = show_card  # practice mode hides the playbook's answer until the trainee has decided
        self.case_log = case_log
        self.memory: dict[str, Any] = {}  # last value typed per question, offered again after Back
        self.field: Field | None = None
        self.saved_case: str | None = None
        self._offering = False  # the override choices are being replaced: the card is drawn after

        self.title = w.HTML()
        self.lang_select = w.Dropdown(options=[(LANGUAGE_NAMES[code], code) for code in LANGS], value=lang,
                                      layout=w.Layout(width="10em"))
        self.lang_select.add_class("as-lang")
        self.customer_lang_select = w.Dropdown(options=[(LANGUAGE_NAMES[code], code) for code in LANGS],
                                               value=customer_lang or lang, layout=w.Layout(width="auto"),
                                               style={"description_width": "initial"})
        self.customer_lang_select.add_class("as-customer-lang")
        self.lang_select.style = {"description_width": "initial"}
        self.lang_select.layout.width = "auto"
        # intake: the order number and the customer's name, optional, used in the message and the record
        given = dict(facts or {})
        self.order_id = w.Text(value=str(given.get("order_id") or ""), style={"description_width": "initial"},
                               layout=w.Layout(width="18em"))
        self.customer_name = w.Text(value=str(given.get("customer_name") or ""), style={"description_width": "initial"},
                                    layout=w.Layout(width="20em"))
        self.order_id.add_class("as-order-id")
        self.customer_name.add_class("as-customer-name")
        self.intake = w.HBox([self.order_id, self.customer_name], layout=w.Layout(flex_flow="row wrap"))
        self.breadcrumb = w.HBox(layout=w.Layout(flex_flow="row wrap", align_items="center"))
        self.breadcrumb.add_class("as-breadcrumb")
        self.confirm_box = ConfirmBar("as-confirm", self._restart)
        self.progress_text = w.HTML()
        self.progress_text.add_class("as-progress")
        self.progress_bar = w.IntProgress(min=0, max=1, value=0, layout=w.Layout(width="20em"))
        self.question_title = w.HTML()
        self.question_box = w.VBox()
        self.error = w.HTML()
        self.error.add_class("as-error")
        wide = w.Layout(width="auto")  # labels never cut ("Сохранить об…"): buttons as wide as their words
        self.back_button = w.Button(icon="arrow-left", layout=wide)
        self.next_button = w.Button(button_style="primary", icon="arrow-right", layout=w.Layout(width="auto"))
        self.restart_button = w.Button(icon="refresh", layout=w.Layout(width="auto"))
        for button, css in ((self.back_button, "as-back"), (self.next_button, "as-next"),
                            (self.restart_button, "as-restart")):
            button.add_class(css)
        self.checklist = w.HTML()
        self.checklist.add_class("as-checklist")
        self.card = w.HTML()
        self.card.add_class("as-card-box")
        self.save_button = w.Button(button_style="success", icon="save", layout=w.Layout(width="auto"))
        self.save_button.add_class("as-save")
        self.save_status = w.HTML()
        self.save_status.add_class("as-save-status")
        # the return slip for the parcel (seed 003), offered once a case with a return is saved
        self.slip_button = w.Button(icon="print", layout=w.Layout(width="auto", display="none"))
        self.slip_button.add_class("as-slip")
        self.slip_button.on_click(self._on_slip)
        self.slip_status = w.HTML()
        self.save_row = w.HBox([self.save_button, self.save_status, self.slip_button, self.slip_status],
                               layout=w.Layout(align_items="center"))
        self.override_label = w.HTML()
        self.override_select = w.Dropdown(options=[("", "")], value="", layout=w.Layout(width="32em"))
        self.override_select.add_class("as-override")
        self.override_reason = w.Textarea(layout=w.Layout(width="48em", height="4.5em"), disabled=True)
        self.override_reason.add_class("as-override-reason")
        self.override_box = w.VBox([self.override_label, self.override_select, self.override_reason])
        self.override_box.add_class("as-override-box")

        self.next_button.on_click(self._on_next)
        self.back_button.on_click(self._on_back)
        self.restart_button.on_click(self._on_restart)
        self.save_button.on_click(self._on_save)
        self.lang_select.observe(self._on_lang, names="value")
        self.customer_lang_select.observe(self._on_customer_lang, names="value")
        self.order_id.observe(self._on_intake, names="value")
        self.customer_name.observe(self._on_intake, names="value")
        self.override_select.observe(self._on_override, names="value")

        self.asking = w.VBox([self.question_title, self.question_box, self.error])
        super().__init__([
            w.HTML(STYLE),
            w.HBox([self.title, w.HBox([self.lang_select, self.customer_lang_select], layout=w.Layout(flex_flow="row wrap"))],
                   layout=w.Layout(justify_content="space-between", flex_flow="row wrap")),
            self.intake,
            w.HBox([self.progress_text, self.progress_bar], layout=w.Layout(align_items="center")),
            self.breadcrumb,
            self.asking,
            w.HBox([self.back_button, self.next_button, self.restart_button]),
            self.confirm_box,
            self.card,
            self.override_box,
            self.save_row,
            self.checklist,
        ], layout=w.Layout(max_width="980px"))
        self.add_class("as-wizard")
        self.refresh()

    # --- the view ------------------------------------------------------------------------
    @property
    def lang(self) -> str:
        return self.session.lang

    def refresh(self, *, rebuild: bool = True) -> None:
        """Redraw everything from the session's state."""
        session, lang = self.session, self.lang
        self._mark_unsaved()
        playbook = session.playbook
        self.title.value = (f"<h3 style='margin:4px 0'>{escape(playbook.title[lang])} · "
                            f"{escape(platform_name(session.library, session.platform, lang))}</h3>")
        self.back_button.description = word("back", lang)
        self.next_button.description = word("next", lang)
        self.restart_button.description = word("restart", lang)
        self.save_button.description = word("save_case", lang)
        self.lang_select.description = word("my_language", lang)
        self.customer_lang_select.description = word("customer_language", lang)
        inputs = session.playbook.inputs
        for box, name in ((self.order_id, "order_id"), (self.customer_name, "customer_name")):
            box.description = str(inputs[name].spec.label[lang]) if name in inputs else name
            box.placeholder = word("optional", lang)
        self.confirm_box.relabel(lang)
        self.back_button.disabled = not session.order
        self._draw_breadcrumb()
        question = session.question
        if question is not None:
            k, n = session.progress()
            self.progress_text.value = f"<b>{escape(word('question_of', lang, k=k, n=n))}</b>&nbsp;"
            self.progress_bar.max, self.progress_bar.value = n, k - 1
            if rebuild:
                self._build_field(question)
            self.asking.layout.display = None
            self.next_button.disabled = False
            self.card.value = ""
            self.save_row.layout.display = self.override_box.layout.display = "none"
        else:
            decision = session.decision()
            self.progress_text.value = f"<b>{escape(word('done', lang))}</b>&nbsp;"
            self.progress_bar.max = self.progress_bar.value = 1
            self.field = None
            self.asking.layout.display = "none"
            self.next_button.disabled = True
            if self.show_card:
                self._offer_overrides()
                self._draw_card(decision)
                self.save_row.layout.display = self.override_box.layout.display = None
                self.save_button.disabled = self.saved_case is not None
        items = session.checklist() if question is not None else []
        self.checklist.value = (
            f"<h4>{escape(word('checklist_so_far', lang))}</h4>{checklist_html(items, session.started, lang)}"
            if question is not None else "")

    def _draw_card(self, decision: Any = None) -> None:
        """The card of the outcome that will be saved: the recommendation, or the override chosen
        under it (re-made by the engine for this case), with the message check of what is shown."""
        session = self.session
        decision = decision if decision is not None else session.decision()
        outcome = self.override_select.value
        chosen = session.chosen(outcome) if outcome else None
        checked = decision if chosen is None else chosen.decision if chosen.message is not None else None
        self.card.value = card_html(decision, style=False, chosen=chosen) + message_check_html(checked, self.lang)

    def _offer_overrides(self) -> None:
        """The outcomes an agent may choose instead of the recommendation, by their titles in the
        current language; a choice still on offer is kept (a language switch, Back and Next)."""
        lang, session = self.lang, self.session
        chosen = self.override_select.value
        outcomes = session.playbook.outcomes
        options = [(word("override_keep", lang), "")]
        options += [(outcomes[outcome].title[lang], outcome) for outcome in session.other_outcomes()]
        self._offering = True
        try:
            self.override_select.options = options
            self.override_select.value = chosen if chosen in {value for _label, value in options} else ""
        finally:
            self._offering = False
        self.override_label.value = f"<b>{escape(word('override', lang))}</b>"
        self.override_reason.placeholder = word("override_reason", lang)

    def chosen_override(self) -> Override | None:
        """The override picked under the card, or ``None`` to keep the recommendation."""
        outcome = self.override_select.value
        return Override(outcome, self.override_reason.value) if outcome else None

    def _build_field(self, question: Any) -> None:
        lang = self.lang
        old = self.field
        if question.name in self.memory:
            value, none_checked = self.memory[question.name], self.memory[question.name] is None
        else:
            value, none_checked = (question.default if question.has_default else None), False
        field = Field(question, lang, value, none_checked=none_checked, zone=self.session.buyer_zone())
        field.on_enter(self._on_next)
        if old is not None and old.question.name == question.name:  # same question, new language: keep what was typed
            field.control.value = old.control.value
            if field.none_box is not None and old.none_box is not None:
                field.none_box.value = old.none_box.value
        self.field = field
        self.question_title.value = f"<h4 style='margin:6px 0'>{escape(question.step_title)}</h4>"
        label = f"<b>{escape(question.label)}</b>"
        unit = unit_name(question.unit, lang)
        if unit and not question.label.rstrip().endswith(")"):  # a label may name its unit itself: "(days)"
            label += f" ({escape(unit)})"
        help_text = f"<div class='as-help' style='color:#4a5566'>{escape(question.help)}</div>" if question.help else ""
        self.question_box.children = [w.HTML(label + help_text), field.widget]

    # --- handlers: change the session, then redraw ----------------------------------------
    @_guarded
    def _on_next(self, _button: Any = None) -> None:
        if self.field is None:
            return
        try:
            value = self.field.read()
            self.session.answer(value)
        except AftersalesError as exc:
            self.error.value = (f"<div style='color:#b3261e'><b>{escape(word('not_accepted', self.lang))}:</b> "
                                f"{escape(self._complaint(exc))}</div>")
            return
        self.memory[self.field.question.name] = value
        self.error.value = ""
        self.saved_case = None
        self.refresh()

    def _complaint(self, exc: AftersalesError) -> str:
        """What is wrong with the typed value, named by the question's label (the fact's name kept
        for the record) and what would be accepted."""
        question = self.field.question if self.field is not None else None
        if isinstance(exc, FactError) and question is not None and exc.field == question.name:
            allowed = allowed_words(question, self.lang) or exc.allowed
            allowed = f" ({word('allowed', self.lang)}: {allowed})" if allowed else ""
            return f"{question.label}: {problem_words(exc.problem, self.lang)}{allowed}"
        return str(exc)

    @_guarded
    def _on_back(self, _button: Any = None) -> None:
        if self.session.back():
            self.error.value = ""
            self.saved_case = None
            self.field = None
            self.refresh()

    def _draw_breadcrumb(self) -> None:
        """The answers so far as small buttons, each going back to its question when clicked."""
        session, lang = self.session, self.lang
        answered = session.answered()
        if not answered:
            self.breadcrumb.children = []
            return
        buttons: list[w.Widget] = [w.HTML(f"<span class='as-src'>{escape(word('answers_so_far', lang))}</span>&nbsp;")]
        for name, value in answered:
            label = f"{session.playbook.inputs[name].spec.label[lang]}: {answer_words(session.playbook, name, value, lang)}"
            button = w.Button(description=label, tooltip=label, layout=w.Layout(width="auto", max_width="28em"))
            button.add_class("as-crumb")
            button.on_click(functools.partial(self._on_crumb, name))
            buttons.append(button)
        self.breadcrumb.children = buttons

    @_guarded
    def _on_crumb(self, name: str, _button: Any = None) -> None:
        """Back to the question ``name`` (its answer offered again; the later ones taken away)."""
        if self.session.back_to(name):
            self.error.value = ""
            self.saved_case = None
            self.field = None
            self.refresh()

    @_guarded
    def _on_restart(self, _button: Any = None) -> None:
        """Restart asks first when answers would be lost (issue 17: nothing discarded unasked)."""
        if self.has_unsaved_answers:
            self.confirm_box.ask()
            return
        self._restart()

    @_guarded
    def _on_customer_lang(self, change: dict[str, Any]) -> None:
        self.session.set_customer_lang(change["new"])
        self.saved_case = None
        self.refresh(rebuild=False)

    @_guarded
    def _on_intake(self, _change: Any = None) -> None:
        self.session.set_intake(self.order_id.value, self.customer_name.value)
        self.saved_case = None
        if self.session.finished:
            self.refresh(rebuild=False)

    def _mark_unsaved(self) -> None:
        """``as-unsaved`` on the form while answers would be lost: the page then asks before the tab
        closes or reloads (the start page's hook, :data:`aftersales.widgets.hub.REMEMBER_HTML`)."""
        if self.has_unsaved_answers:
            self.add_class("as-unsaved")
        else:
            self.remove_class("as-unsaved")

    @property
    def has_unsaved_answers(self) -> bool:
        """Answers given and not saved: what a new case or a restart would throw away."""
        return bool(self.session.order) and self.saved_case is None

    def _restart(self) -> None:
        self.confirm_box.hide()
        self.session.restart()
        self.memory.clear()
        self.error.value = ""
        self.saved_case = None
        self.save_status.value = ""
        self.slip_button.layout.display = "none"
        self.slip_status.value = ""
        self.override_select.value = ""
        self.override_reason.value = ""
        self.field = None
        self.refresh()

    @_guarded
    def _on_lang(self, change: dict[str, Any]) -> None:
        self.session.set_lang(change["new"])
        self.error.value = ""
        self.refresh()

    @_guarded
    def _on_override(self, change: dict[str, Any]) -> None:
        """Another outcome chosen (or the recommendation kept again): the card follows the choice."""
        self.override_reason.disabled = not change["new"]
        if not self._offering and self.show_card and self.session.finished:
            self._draw_card()

    @_guarded
    def _on_save(self, _button: Any = None) -> None:
        override = self.chosen_override()
        try:
            case_id, path = self.session.save(self.case_log, override=override)
        except AftersalesError as exc:
            self.save_status.value = f"<span style='color:#b3261e'>{escape(word('save_failed', self.lang, error=exc))}</span>"
            return
        self.saved_case = case_id
        self._mark_unsaved()
        self.save_button.disabled = True
        saved = word("saved", self.lang, case_id=case_id, path=path)
        if override is not None:
            chosen = self.session.chosen(override.outcome)
            saved += " · " + word("overridden", self.lang, title=chosen.title)
            if chosen.message_by_hand:
                saved += " · " + word("overridden_by_hand", self.lang)
        if getattr(self.session, "store_problem", None):
            saved += " · " + word("saved_not_in_store", self.lang, error=self.session.store_problem)
        self.save_status.value = f"<span>{escape(saved)}</span>"
        self._offer_slip(case_id)

    def _offer_slip(self, case_id: str) -> None:
        """A saved case whose approved outcome sends the item back gets the "Return slip" button."""
        from ..slip.slip import find_record, has_return

        try:
            record = find_record(case_id, case_log=self.case_log)
        except AftersalesError:
            return
        if has_return(record):
            self.slip_button.description = word("slip_button", self.lang)
            self.slip_button.layout.display = None
            self.slip_status.value = ""

    @_guarded
    def _on_slip(self, _button: Any = None) -> None:
        """Write the slip beside the case log (HTML, and the PDF printed from a worker thread, since
        Playwright's sync API cannot run in the kernel's own thread)."""
        import threading

        from ..caselog import default_case_log
        from ..slip import write_slip

        if self.saved_case is None:
            return
        folder = Path(self.case_log or default_case_log()).expanduser().resolve().parent / "slips"
        made: dict[str, Any] = {}

        def write() -> None:
            try:
                made["files"] = write_slip(self.saved_case, folder, case_log=self.case_log)
            except Exception as exc:  # noqa: BLE001  (shown to the agent; the case itself is saved)
                made["error"] = exc

        worker = threading.Thread(target=write, daemon=True)
        worker.start()
        worker.join(120)
        if "files" in made:
            files = made["files"]
            shown = files.pdf or files.html
            status = f"<span>{escape(word('slip_written', self.lang, path=shown))}</span>"
            if files.warnings:
                status += f"<br><span style='color:#8a5300'>{escape(word('slip_no_address', self.lang))}</span>"
            self.slip_status.value = status
        else:
            error = made.get("error", "timed out")
            self.slip_status.value = f"<span style='color:#b3261e'>{escape(str(error))}</span>"

    # --- for scripts, tests and the benchmark -------------------------------------------------
    def put(self, value: Any) -> None:
        """Type, pick or toggle ``value`` into the current question's control, as a person would
        (``None`` ticks "not known" on a nullable question); does not press Next."""
        field = self.field
        if field is None:
            raise AftersalesError("the case is already decided: nothing is being asked")
        if field.none_box is not None:
            field.none_box.value = value is None
            if value is None:
                return
        control = field.control
        if isinstance(control, (w.Text, w.Textarea)):
            control.value = "" if value is None else str(value)
        elif isinstance(control, w.DatePicker) and isinstance(value, str):
            control.value = date.fromisoformat(value)
        elif isinstance(control, w.NaiveDatetimePicker) and isinstance(value, (str, datetime)):
            moment = datetime.fromisoformat(value) if isinstance(value, str) else value
            control.value = moment.replace(tzinfo=None)
        else:
            control.value = value

    def answer(self, value: Any) -> None:
        """Put ``value`` into the current question's control and press Next."""
        self.put(value)
        self.next_button.click()
