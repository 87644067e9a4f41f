"""Practice: a trainee works a case from the bank and is scored against the playbook.

The customer's opening message comes first. The trainee then answers the playbook's
questions from the story (**Ask the customer / check the order** reveals what the customer
would say to that question, or what the agent would find in the order's records), picks the
resolution, who pays, the compensation and the first reply's due time (in the case's local
time), writes the reply in the customer's language and submits. The score and the feedback
appear at once, and the attempt is recorded in the progress store.

Every word of the page comes from the word catalogue (``present/words.yaml``) in the trainee's
interface language; facts are shown as words (yes/no, money, dates, the playbook's labels),
never as codes, ``None`` or ``True``.
"""

from __future__ import annotations

import copy
from datetime import date, datetime, timezone
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

import ipywidgets as w
import traitlets
from ipywidgets.widgets.trait_types import Datetime

from ..errors import AftersalesError
from ..playbook.model import COST_BEARERS, RESOLUTIONS, SHIPPING_PAYERS
from ..present.formats import (
    ZONE_NAMES,
    format_day,
    format_money,
    format_number,
    format_quantity,
    format_when,
    zone_label,
)
from ..present.words import catalogue, term, word
from ..widgets.card import STYLE
from ..widgets.wizard import Wizard
from .cases import CUSTOMER_FACTS, trap_texts
from .feedback import feedback_html
from .scoring import Answer, score_attempt


class NotANumber(AftersalesError):
    """The compensation typed is not a number (the message is in the trainee's language)."""


def recommended_case(cases: list[Any], attempts: list[Any], *, platform: str | None = None,
                     customer_lang: str | None = None) -> Any:
    """The next case for a trainee, as ``aftersales train next`` picks it (:func:`aftersales.training.mastery.next_case`:
    a missed rule returns as a sibling case; else the easiest case not yet mastered, least tried first),
    on the trainee's ``platform`` and with customers writing in ``customer_lang`` when given."""
    from .mastery import load_training_profile, next_case

    return next_case(cases, attempts, platform=platform, lang=customer_lang, profile=load_training_profile())


def case_zone(case: Any, library: Any) -> str:
    """The case's local time zone, as the engine counts its deadlines in it: the fact
    ``customer_timezone``, else the platform's ``timezone`` parameter, else UTC."""
    given = case.facts.get("customer_timezone")
    if isinstance(given, str) and given.strip():
        return given.strip()
    try:
        zone = library.profile(case.platform).get("timezone", case.as_of).value
    except (AftersalesError, KeyError, AttributeError):
        zone = None
    return str(zone) if zone else "UTC"


def zone_words(zone: str, moment: datetime, lang: str) -> str:
    """How people name ``zone`` in ``lang``: "Beijing time", "北京时间", "по московскому времени"
    (a zone the catalogue does not name: its GMT offset at ``moment``)."""
    local = moment.astimezone(ZoneInfo(zone)) if moment.tzinfo is not None else moment
    return zone_label(local, zone, lang)


def language_name(code: str, lang: str) -> str:
    """The language ``code`` as ``lang`` names it ("Russian", "俄文", "русский")."""
    names = catalogue()["language_names"].get(code)
    return str(names.get(lang) or names["en"]) if names else code


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def _as_date(value: Any) -> date | None:
    from ..platforms.profile import as_date

    try:
        return as_date(value.strip() if isinstance(value, str) else value)
    except TypeError:
        return None


def fact_value_html(spec: Any, value: Any, lang: str, *, currency: str | None = None, zone: str | None = None) -> str:
    """A fact's value as words in ``lang`` (HTML): yes/no, money, a date, the playbook's choice
    label, a number with its unit; the customer's own text as they wrote it (class
    ``as-customer``). Never ``None``, ``True``, a code or an id."""
    kind = spec.type
    if value is None or (isinstance(value, str) and not value.strip() and kind != "text"):
        return escape(word("unknown", lang))
    if kind == "bool":
        return escape(word("answer_yes" if value else "answer_no", lang))
    if kind == "choice":
        labels = (spec.choice_labels or {}).get(str(value))
        if labels:
            return escape(str(labels.get(lang) or labels["en"]))
        return escape(str(value))  # a choice without labels is a code people use as is (CNY, FBA)
    if kind == "money":
        return escape(format_money(value, currency, lang))
    if kind in ("int", "number"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return escape(str(value))
        if spec.unit == "stars":
            return escape(word("practice_rating", lang, n=format_number(value, lang)))
        if spec.unit and spec.unit in catalogue()["quantities"]:
            return escape(format_quantity(value, spec.unit, lang))
        return escape(format_number(value, lang))
    if kind == "date":
        day = _as_date(value)
        return escape(format_day(day, lang) if day else str(value))
    if kind == "datetime":
        moment = _as_datetime(value)
        return escape(format_when(moment, lang, zone) if moment else str(value))
    if isinstance(value, str) and value.strip() in ZONE_NAMES:  # a zone name: as people say it, then the name
        return f"{escape(ZONE_NAMES[value.strip()][lang])} (<span class='as-customer'>{escape(value)}</span>)"
    return f"<span class='as-customer'>{escape(str(value))}</span>"


def said_html(name: str, spec: Any, facts: dict[str, Any], lang: str, *, zone: str | None = None,
              case: Any = None) -> str:
    """What the trainee learns by asking about the fact ``name``: what the customer says (a fact
    the customer knows), or what the agent finds out (records, stock, their own judgement).

    With ``case``, a fact the buyer tells comes as the buyer's own words in their language (the
    case's ``replies``), and a fact the agent looks up as the record they find, in the trainee's
    language (its ``records``): the trainee reads the fact from them, never a code."""
    label = str(spec.label.get(lang) or spec.label["en"]) if spec is not None else name
    customer = name in CUSTOMER_FACTS
    if name not in facts or spec is None:
        key = "practice_customer_unknown" if customer else "practice_nothing_on_record"
        return f"<span class='as-practice-said'>{escape(word(key, lang, label=label))}</span>"
    replies = getattr(case, "replies", None) or {}
    records = getattr(case, "records", None) or {}
    if customer and name in replies:
        said = escape(word("practice_customer_answers", lang, label=label))
        return (f"<span class='as-practice-said'>{said} <q class='as-customer' lang='{escape(case.lang)}'>"
                f"{escape(replies[name])}</q></span>")
    if not customer and name in records:
        found = escape(word("practice_record_shows", lang, label=label))
        return (f"<span class='as-practice-said'>{found} <span class='as-record'>"
                f"{escape(records[name].get(lang) or records[name]['en'])}</span></span>")
    value = fact_value_html(spec, facts[name], lang, currency=facts.get("currency"), zone=zone)
    marker = "\u0000"
    text = escape(word("practice_customer_says" if customer else "practice_you_find", lang, label=label, value=marker))
    return f"<span class='as-practice-said'>{text.replace(marker, value)}</span>"


class LocalDatetime(Datetime):
    """A naive wall time in the picker's zone; also takes an ISO string or an aware datetime
    (converted to the zone), so ``picker.value = "2026-01-16T09:00:00+00:00"`` still works."""

    def validate(self, obj: Any, value: Any) -> Any:
        if isinstance(value, str):
            if not value.strip():
                return None
            parsed = _as_datetime(value)
            if parsed is None:
                self.error(obj, value)
            value = parsed
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = value.astimezone(ZoneInfo(getattr(obj, "zone", "UTC") or "UTC")).replace(tzinfo=None)
        if value is not None and not isinstance(value, datetime):
            self.error(obj, value)
        return value


class LocalDatetimePicker(w.NaiveDatetimePicker):
    """A date-time control whose wall time is read in ``zone`` (an IANA name): :meth:`aware`
    gives the moment for scoring."""

    zone = traitlets.Unicode("UTC")
    value = LocalDatetime(None, allow_none=True).tag(**w.NaiveDatetimePicker.value.metadata)

    def aware(self) -> datetime | None:
        """The picked wall time as an aware datetime in :attr:`zone` (None when nothing is picked)."""
        return None if self.value is None else self.value.replace(tzinfo=ZoneInfo(self.zone))


def _label(text: str = "") -> w.HTML:
    """A label above its control: it wraps instead of being cut off."""
    html = w.HTML(layout=w.Layout(width="auto", margin="6px 0 0 0"))
    html.value = f"<b>{escape(text)}</b>" if text else ""
    html.add_class("as-practice-label")
    return html


class Practice(w.VBox):
    """One trainee's practice: pick a case (or the recommended one), work it, get feedback.

    ``lang`` is the trainee's interface language: every word of the page is in it (changing the
    language in the embedded form changes the whole page, answers kept). The reply is written
    in the customer's language, the case's, which the page names.
    """

    def __init__(self, trainee: str, case_id: str | None = None, *, store: Any = None, lang: str = "en",
                 cases: list[Any] | None = None, library: Any = None, platform: str | None = None,
                 customer_lang: str | None = None):
        from ..library import load_library
        from .cases import load_cases

        self.trainee, self.lang, self.store, self.library = trainee, lang, store, library
        #: The trainee's path: Next picks cases on this platform, from customers writing in this language.
        self.platform, self.customer_lang = platform, customer_lang
        #: The buyer's later messages the trainee has seen so far on the open case.
        self.revealed: list[Any] = []
        self._library = library if library is not None else load_library()
        self.cases = cases if cases is not None else load_cases()
        self.by_id = {c.id: c for c in self.cases}
        self._relabelling = False
        wide = w.Layout(width="36em", max_width="100%")
        self.case_label = _label()
        self.case_select = w.Dropdown(options=[(self._case_title(c), c.id) for c in self.cases], layout=wide)
        self.next_button = w.Button(icon="forward", layout=w.Layout(width="auto"))
        self.story = w.HTML()
        self.wizard_area = w.VBox()
        self.ask_button = w.Button(icon="comment", layout=w.Layout(width="auto"))
        self.ask_answer = w.HTML()
        self.decision_heading = w.HTML()
        self.resolution = w.Dropdown(options=[("—", None)], layout=wide)
        self.shipping = w.Dropdown(options=[("—", None)], layout=wide)
        self.cost = w.Dropdown(options=[("—", None)], layout=wide)
        self.compensation = w.Text(layout=w.Layout(width="24em", max_width="100%"))
        self.first_reply_due = LocalDatetimePicker(layout=w.Layout(width="auto"))
        self.labels = {key: _label() for key in ("resolution", "shipping_payer", "cost_bearer", "compensation",
                                                  "practice_reply")}
        self.due_label = _label()
        self.due_hint = w.HTML()
        self.due_hint.add_class("as-practice-due-hint")
        self.reply_language = w.HTML()
        self.reply_language.add_class("as-practice-reply-lang")
        self.reply = w.Textarea(layout=w.Layout(width="100%", height="8em"))
        self.submit = w.Button(button_style="primary", icon="check", layout=w.Layout(width="auto"))
        self.result = w.HTML()
        self.wizard: Wizard | None = None
        self.last_score: Any = None
        self._last_answer: Answer | None = None
        self._attempt_id: Any = None
        self._expected: Any = None
        for widget, css in ((self.case_select, "as-practice-case"), (self.submit, "as-practice-submit"),
                            (self.ask_button, "as-practice-ask"), (self.result, "as-practice-result"),
                            (self.first_reply_due, "as-practice-due")):
            widget.add_class(css)
        self.case_select.observe(self._on_case, names="value")
        self.next_button.on_click(lambda _b: self.open_case(self.recommended().id))
        self.ask_button.on_click(self._on_ask)
        self.submit.on_click(self._on_submit)
        self.due_box = w.VBox([self.due_label, self.first_reply_due, self.due_hint])
        self.decision_box = w.VBox([
            self.decision_heading,
            self.labels["resolution"], self.resolution,
            self.labels["shipping_payer"], self.shipping,
            self.labels["cost_bearer"], self.cost,
            self.labels["compensation"], self.compensation,
            self.due_box,
            self.labels["practice_reply"], self.reply_language, self.reply,
            self.submit,
        ])
        super().__init__([w.HTML(STYLE), self.case_label,
                          w.HBox([self.case_select, self.next_button], layout=w.Layout(flex_flow="row wrap")),
                          self.story, self.wizard_area,
                          w.HBox([self.ask_button, self.ask_answer],
                                 layout=w.Layout(flex_flow="row wrap", align_items="center")),
                          self.decision_box, self.result])
        self._frame_words()
        self.open_case(case_id or self.recommended().id)

    @property
    def case(self) -> Any:
        return self.by_id[self.case_select.value]

    @property
    def zone(self) -> str:
        """The case's local time zone (the due time is picked in it)."""
        return self.first_reply_due.zone

    def _platform_name(self, platform: str) -> str:
        try:
            return str(self._library.profile(platform).display_name.get(self.lang, platform))
        except AftersalesError:
            return platform

    def _case_title(self, case: Any) -> str:
        title = case.title.get(self.lang) or case.title["en"]
        return f"{title} · {self._platform_name(case.platform)} · {'★' * case.difficulty}"

    @staticmethod
    def _choices(kind: str, codes: tuple[str, ...], lang: str) -> list[tuple[str, str | None]]:
        return [("—", None)] + [(term(kind, code, lang), code) for code in codes]

    def _frame_words(self) -> None:
        """Every word of the page that does not depend on the case, in :attr:`lang`; choices kept."""
        lang = self.lang
        self._relabelling = True
        try:
            chosen = self.case_select.value
            self.case_select.options = [(self._case_title(c), c.id) for c in self.cases]
            if chosen is not None:
                self.case_select.value = chosen
            for control, kind, codes in ((self.resolution, "resolutions", RESOLUTIONS),
                                         (self.shipping, "parties", SHIPPING_PAYERS),
                                         (self.cost, "parties", COST_BEARERS)):
                value = control.value
                control.options = self._choices(kind, codes, lang)
                control.value = value
        finally:
            self._relabelling = False
        self.case_label.value = f"<b>{escape(word('practice_case', lang))}</b>"
        self.next_button.description = word("practice_next", lang)
        self.ask_button.description = word("practice_ask", lang)
        self.decision_heading.value = f"<h4>{escape(word('practice_decide', lang))}</h4>"
        for key, label in self.labels.items():
            label.value = f"<b>{escape(word(key, lang))}</b>"
        self.reply.placeholder = word("practice_reply_placeholder", lang)
        self.submit.description = word("practice_submit", lang)

    def _case_words(self) -> None:
        """The words of the page about the open case, in :attr:`lang`."""
        case, lang, zone = self.case, self.lang, self.zone
        stars = escape(word("practice_difficulty", lang))
        self.story.value = (
            f"<div class='as-card'><b>{escape(case.title.get(lang) or case.title['en'])}</b> · "
            f"{escape(self._platform_name(case.platform))} · <span title='{stars}'>{'★' * case.difficulty}</span>"
            f"<h4>{escape(word('practice_customer_writes', lang))}</h4>"
            f"<pre class='as-message as-customer'>{escape(case.opening_message)}</pre>"
            + "".join(f"<h4>{escape(word('practice_customer_writes_again', lang))}</h4>"
                      f"<pre class='as-message as-customer as-later'>{escape(later.text)}</pre>"
                      for later in self.revealed) + "</div>")
        currency = case.facts.get("currency") or (case.expected.compensation.currency
                                                  if case.expected and case.expected.compensation else None)
        self.compensation.placeholder = (word("practice_compensation_hint", lang, currency=currency) if currency
                                         else word("practice_compensation_hint_plain", lang))
        self.due_label.value = f"<b>{escape(word('practice_reply_due', lang, zone=zone_words(zone, case.as_of, lang)))}</b>"
        started = word("practice_started_at", lang, when=format_when(case.as_of, lang, zone))
        self.due_hint.value = f"<span class='as-src'>{escape(started)}</span>"
        language = language_name(case.lang, lang)
        self.reply_language.value = (f"<span class='as-practice-reply-lang'>"
                                     f"{escape(word('practice_reply_in', lang, language=language))}</span>")

    def set_lang(self, lang: str) -> None:
        """Show the page in ``lang``: every word changes, the trainee's answers and choices stay."""
        if lang == self.lang:
            return
        self.lang = lang
        self._expected = None
        self._frame_words()
        self._case_words()
        self.ask_answer.value = ""
        if self.wizard is not None and getattr(self.wizard, "lang_select", None) is not None \
                and self.wizard.lang_select.value != lang:
            self.wizard.lang_select.value = lang
        if self.last_score is not None and self._last_answer is not None:
            try:  # the same answer, scored again for the playbook's reasons in the new language (not recorded again)
                self.last_score = score_attempt(self.case, self._last_answer, library=self.library, lang=lang)
            except AftersalesError:
                pass
            self._show_result(self._last_answer)

    def _on_case(self, change: dict[str, Any]) -> None:
        if not self._relabelling:
            self.open_case(change["new"])

    def _on_wizard_lang(self, change: dict[str, Any]) -> None:
        self.set_lang(change["new"])

    def recommended(self) -> Any:
        attempts = self.store.attempts(trainee=self.trainee) if self.store is not None else []
        return recommended_case(self.cases, attempts, platform=self.platform, customer_lang=self.customer_lang)

    def open_case(self, case_id: str) -> None:
        """Start the case ``case_id``: the story, a fresh form, an empty decision."""
        if case_id not in self.by_id:
            from ..errors import UnknownNameError

            raise UnknownNameError("case", case_id, self.by_id)
        if self.case_select.value != case_id:
            self.case_select.value = case_id  # the observer opens it
            return
        case = self.case
        self.started = datetime.now(timezone.utc)
        self.revealed = []
        self.first_reply_due.value = None
        self.first_reply_due.zone = case_zone(case, self._library)
        inputs = self._library.playbook(case.scenario).inputs
        unasked = {name: value for name, value in case.facts.items()  # optional facts the form never asks:
                   if name in inputs and inputs[name].has_default}  # the story tells them, the path follows
        self.wizard = Wizard(case.scenario, case.platform, self.lang, case.as_of, library=self.library,
                             show_card=False, facts=unasked)
        if getattr(self.wizard, "lang_select", None) is not None:
            self.wizard.lang_select.observe(self._on_wizard_lang, names="value")
        self.wizard_area.children = [self.wizard]
        self.ask_answer.value = self.result.value = ""
        self.last_score, self._last_answer, self._attempt_id, self._expected = None, None, None, None
        for control in (self.resolution, self.shipping, self.cost):
            control.value = None
        self.compensation.value = self.reply.value = ""
        self.due_box.layout.display = None if self._asks_first_reply(case) else "none"
        self._case_words()

    @staticmethod
    def _asks_first_reply(case: Any) -> bool:
        return case.expected is not None and "first_reply" in case.expected.deadlines

    def _spec(self, name: str) -> Any:
        try:
            inputs = self._library.playbook(self.case.scenario).inputs
        except AftersalesError:
            return None
        compiled = inputs.get(name)
        return compiled.spec if compiled is not None else None

    def _on_ask(self, _button: Any = None) -> None:
        field = self.wizard.field if self.wizard else None
        if field is None:
            self.ask_answer.value = f"<i>{escape(word('practice_nothing_to_ask', self.lang))}</i>"
            return
        name = field.question.name
        arriving = [later for later in self.case.later_messages if later.after == name and later not in self.revealed]
        if arriving:  # the buyer writes again when asked: the story grows, the answer is the final one
            self.revealed.extend(arriving)
            self._case_words()
        self.ask_answer.value = said_html(name, self._spec(name), self.case.facts, self.lang, zone=self.zone,
                                          case=self.case)

    def answer(self) -> Answer:
        """The trainee's answer as it stands in the form (the due time: the picked local time, aware)."""
        text = self.compensation.value.strip().replace(",", ".").replace(" ", "").replace("\u00a0", "")
        try:
            compensation = float(text) if text else None
        except ValueError:
            raise NotANumber(word("practice_not_a_number", self.lang, value=self.compensation.value)) from None
        facts = dict(self.wizard.session.answers) if self.wizard else {}
        # a fact the form never asks (optional, with a default: "very upset", "reported on") is read
        # from the story, not held against the trainee: their path uses the case's value
        inputs = self._library.playbook(self.case.scenario).inputs
        for name, value in self.case.facts.items():
            if name not in facts and name in inputs and inputs[name].has_default:
                facts[name] = value
        due = self.first_reply_due.aware()
        return Answer(facts=facts, resolution=self.resolution.value, return_shipping_paid_by=self.shipping.value,
                      cost_borne_by=self.cost.value, compensation=compensation, reply=self.reply.value,
                      deadlines={"first_reply": due.isoformat() if due else ""}
                      if self._asks_first_reply(self.case) else {})

    def expected_decision(self) -> Any:
        """The playbook's decision of the case in the interface language (for the feedback's words)."""
        if self._expected is None:
            from ..engine import decide

            case = self.case
            self._expected = decide(case.scenario, case.facts, case.platform, lang=self.lang, as_of=case.as_of,
                                    library=self.library, render_message=False)
        return self._expected

    def _findings(self, reply: str) -> list[Any]:
        """The checker's findings on the reply (with their translations), as scoring checks it."""
        from ..compliance import check_message

        if not reply.strip():
            return []
        decision = self.expected_decision()
        return list(check_message(reply, self.case.platform, self.case.lang, decision.outcome_node.reply_kind))

    def _model_card(self) -> str:
        """After an answer: the playbook's own card for the case, laid out as the wizard's (what to do,
        the message to send in the customer's language, the checklist, the trail)."""
        from ..engine import decide
        from ..widgets.card import card_html

        case = self.case
        try:
            message = decide(case.scenario, case.facts, case.platform, lang=case.lang, as_of=case.as_of,
                             library=self.library).message
        except AftersalesError:
            return ""
        decision = self.expected_decision()
        shown = copy.copy(decision)
        shown.message = message
        return f"<h4>{escape(word('practice_model_card', self.lang))}</h4>" + card_html(shown, style=False)

    def _show_result(self, answer: Answer) -> None:
        try:
            decision, findings = self.expected_decision(), self._findings(answer.reply)
        except AftersalesError:
            decision, findings = None, None
        saved = ""
        if self._attempt_id is not None:
            saved = (f"<div style='color:#6b7585'>"
                     f"{escape(word('practice_recorded', self.lang, attempt_id=self._attempt_id))}</div>")
        self.result.value = (feedback_html(self.last_score, self.lang, decision=decision, findings=findings,
                                           zone=self.zone, traps=trap_texts(self.case, self.lang))
                             + saved + self._model_card())

    def _on_submit(self, _button: Any = None) -> None:
        lang = self.lang
        try:
            answer = self.answer()
            score = score_attempt(self.case, answer, library=self.library, lang=lang)
        except AftersalesError as exc:
            message = str(exc) if isinstance(exc, NotANumber) else word("practice_cannot_score", lang, error=str(exc))
            self.result.value = f"<div style='color:#b3261e'>{escape(message)}</div>"
            return
        self.last_score, self._last_answer, self._attempt_id = score, answer, None
        if self.store is not None:
            from .store import scored_attempt

            self._attempt_id = self.store.record(scored_attempt(
                trainee=self.trainee, case=self.case, answers={**answer.__dict__}, score=score,
                started_at=self.started))
        self._show_result(answer)
