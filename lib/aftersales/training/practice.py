"""Practice: a trainee works a case from the bank and is scored against the playbook.

The customer's opening message comes first. The trainee then answers the playbook's
questions from the story (``Ask the customer`` reveals what the customer would say to that
question), picks the resolution, who pays, the compensation, writes the reply and submits.
The score and the feedback appear at once, and the attempt is recorded in the progress store.
"""

from __future__ import annotations

from datetime import datetime, timezone
from html import escape
from typing import Any

import ipywidgets as w

from ..errors import AftersalesError
from ..playbook.model import COST_BEARERS, RESOLUTIONS, SHIPPING_PAYERS
from ..present.words import term
from ..widgets.card import STYLE
from ..widgets.wizard import Wizard
from .feedback import feedback_html
from .scoring import Answer, score_attempt


def recommended_case(cases: list[Any], attempts: list[Any]) -> Any:
    """The next case for a trainee: the easiest one they have not passed yet, least tried first."""
    passed = {a.case_id for a in attempts if a.max_score and a.score >= a.max_score}
    tried: dict[str, int] = {}
    for attempt in attempts:
        tried[attempt.case_id] = tried.get(attempt.case_id, 0) + 1
    open_cases = [c for c in cases if c.id not in passed] or list(cases)
    return min(open_cases, key=lambda c: (c.difficulty, tried.get(c.id, 0), c.id))


class Practice(w.VBox):
    """One trainee's practice: pick a case (or the recommended one), work it, get feedback."""

    def __init__(self, trainee: str, case_id: str | None = None, *, store: Any = None, lang: str = "en",
                 cases: list[Any] | None = None, library: Any = None):
        from .cases import load_cases

        self.trainee, self.lang, self.store, self.library = trainee, lang, store, library
        self.cases = cases if cases is not None else load_cases()
        self.by_id = {c.id: c for c in self.cases}
        self.case_select = w.Dropdown(options=[(f"{c.id} — {c.title.get(lang) or c.title['en']} ({c.platform}, "
                                                f"{'★' * c.difficulty})", c.id) for c in self.cases],
                                      layout=w.Layout(width="36em"))
        self.next_button = w.Button(description="Next recommended", icon="forward")
        self.story = w.HTML()
        self.wizard_area = w.VBox()
        self.ask_button = w.Button(description="Ask the customer", icon="comment")
        self.ask_answer = w.HTML()
        self.decision_box = w.VBox()
        self.resolution = w.Dropdown(options=[("—", None)] + [(term("resolutions", r, lang), r) for r in RESOLUTIONS],
                                     description="Resolution")
        self.shipping = w.Dropdown(options=[("—", None)] + [(term("parties", p, lang), p) for p in SHIPPING_PAYERS],
                                   description="Shipping")
        self.cost = w.Dropdown(options=[("—", None)] + [(term("parties", p, lang), p) for p in COST_BEARERS],
                               description="Cost")
        self.compensation = w.Text(description="Compensation", placeholder="amount, empty for none")
        self.first_reply_due = w.Text(description="Reply due", placeholder="e.g. 2026-01-16T09:00:00+00:00")
        self.reply = w.Textarea(description="Reply", layout=w.Layout(width="100%", height="8em"))
        self.submit = w.Button(description="Submit", button_style="primary", icon="check")
        self.result = w.HTML()
        self.wizard: Wizard | None = None
        for widget, css in ((self.case_select, "as-practice-case"), (self.submit, "as-practice-submit"),
                            (self.ask_button, "as-practice-ask"), (self.result, "as-practice-result")):
            widget.add_class(css)
        self.case_select.observe(lambda change: self.open_case(change["new"]), names="value")
        self.next_button.on_click(lambda _b: self.open_case(self.recommended().id))
        self.ask_button.on_click(self._on_ask)
        self.submit.on_click(self._on_submit)
        self.decision_box.children = [self.resolution, self.shipping, self.cost, self.compensation,
                                      self.first_reply_due, self.reply, self.submit]
        super().__init__([w.HTML(STYLE), w.HBox([self.case_select, self.next_button]), self.story,
                          self.wizard_area, w.HBox([self.ask_button, self.ask_answer]), self.decision_box,
                          self.result])
        self.open_case(case_id or self.recommended().id)

    @property
    def case(self) -> Any:
        return self.by_id[self.case_select.value]

    def recommended(self) -> Any:
        attempts = self.store.attempts(trainee=self.trainee) if self.store is not None else []
        return recommended_case(self.cases, attempts)

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
        self.story.value = (f"<div class='as-card'><b>{escape(case.platform)}</b> · {'★' * case.difficulty}"
                            f"<pre class='as-message'>{escape(case.opening_message)}</pre></div>")
        self.wizard = Wizard(case.scenario, case.platform, self.lang, case.as_of, library=self.library,
                             show_card=False)
        self.wizard_area.children = [self.wizard]
        self.ask_answer.value = self.result.value = ""
        for control in (self.resolution, self.shipping, self.cost):
            control.value = None
        self.compensation.value = self.reply.value = self.first_reply_due.value = ""

    def _on_ask(self, _button: Any = None) -> None:
        field = self.wizard.field if self.wizard else None
        if field is None:
            self.ask_answer.value = "<i>Nothing more to ask: decide below.</i>"
            return
        value = self.case.facts.get(field.question.name)
        said = "doesn't know" if field.question.name not in self.case.facts else f"says: {value}"
        self.ask_answer.value = f"<span class='as-practice-said'>Customer {escape(said)}</span>"

    def answer(self) -> Answer:
        """The trainee's answer as it stands in the form."""
        text = self.compensation.value.strip().replace(",", ".")
        try:
            compensation = float(text) if text else None
        except ValueError:
            raise AftersalesError(f"compensation: '{self.compensation.value}' is not a number") from None
        facts = dict(self.wizard.session.answers) if self.wizard else {}
        due = self.first_reply_due.value.strip()
        return Answer(facts=facts, resolution=self.resolution.value, return_shipping_paid_by=self.shipping.value,
                      cost_borne_by=self.cost.value, compensation=compensation, reply=self.reply.value,
                      deadlines={"first_reply": due} if "first_reply" in self.case.expected.deadlines else {})

    def _on_submit(self, _button: Any = None) -> None:
        try:
            answer = self.answer()
            score = score_attempt(self.case, answer, library=self.library, lang=self.lang)
        except AftersalesError as exc:
            self.result.value = f"<div style='color:#b3261e'>{escape(str(exc))}</div>"
            return
        self.last_score = score
        saved = ""
        if self.store is not None:
            from .store import Attempt

            attempt_id = self.store.record(Attempt(
                trainee=self.trainee, case_id=score.case_id, scenario=self.case.scenario, platform=self.case.platform,
                answers={**answer.__dict__}, score=score.points, max_score=score.max_points,
                findings=score.mistakes(), playbook_version=score.playbook_version, playbook_hash=score.playbook_hash,
                started_at=self.started, finished_at=datetime.now(timezone.utc)))
            saved = f"<div style='color:#6b7585'>Recorded as attempt {attempt_id}.</div>"
        self.result.value = feedback_html(score) + saved
