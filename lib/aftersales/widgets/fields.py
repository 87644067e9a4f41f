"""One input widget per question, chosen by the input's type.

``bool`` → Yes/No toggle buttons · ``int``/``number``/``money`` → a number box with its unit ·
``date`` → a date picker · ``datetime`` → a date-time picker · ``choice`` → big buttons for up to
three choices, a dropdown for more · ``text`` → a text area. A nullable input gets a "not known /
none" box beside it. Enter in a one-line box answers the question (:meth:`Field.on_enter`).

Numbers are typed into a text box rather than ipywidgets' ``FloatText``: that box cannot be
empty, so a question skipped with Next would silently be answered 0. Ours starts empty (or at
the input's default), accepts ``3,5`` as well as ``3.5``, and says what is wrong.
"""

from __future__ import annotations

import warnings
from datetime import date, datetime
from html import escape
from typing import Any, Callable
from zoneinfo import ZoneInfo

import ipywidgets as w

from ..engine import Question
from ..errors import FactError
from ..present.formats import format_number, zone_label
from ..present.words import unit_name, word

_NUMBER_TYPES = ("int", "number", "money")
#: Choices up to this many are big buttons; more are a dropdown.
BUTTON_CHOICES = 3


class Field:
    """The widget for one question: ``widget`` to show, ``control`` that holds the value."""

    def __init__(self, question: Question, lang: str, value: Any = None, *, none_checked: bool = False,
                 zone: str | None = None):
        self.question, self.lang = question, lang
        self.zone = zone  # a date-time is typed in this IANA zone (the buyer's), not in UTC
        self.control = self._control(question, lang, value)
        self.control.add_class(f"as-input-{question.name}")
        parts: list[w.Widget] = [self.control]
        if question.type == "datetime" and zone:  # say whose clock the time is on
            label = zone_label(datetime.now(ZoneInfo(zone)), zone, lang)
            parts.append(w.HTML(f"<span class='as-unit as-zone'>{escape(label)}</span>"))
        unit = unit_name(question.unit, lang)
        if unit and question.type in _NUMBER_TYPES:
            parts.append(w.HTML(f"<span class='as-unit'>{escape(unit)}</span>"))
        self.none_box: w.Checkbox | None = None
        if question.nullable:
            self.none_box = w.Checkbox(value=none_checked, description=word("unknown", lang), indent=False)
            self.none_box.observe(self._toggle_none, names="value")
            self._toggle_none()
            parts.append(self.none_box)
        self.widget = w.HBox(parts, layout=w.Layout(align_items="center", flex_flow="row wrap"))

    def on_enter(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` when Enter is pressed in the field's one-line box (none for other controls)."""
        if isinstance(self.control, w.Text):
            with warnings.catch_warnings():  # ipywidgets 8 marks on_submit deprecated but keeps it: the one Enter hook
                warnings.simplefilter("ignore", DeprecationWarning)
                self.control.on_submit(lambda _box: callback())

    def _toggle_none(self, _change: Any = None) -> None:
        if self.none_box is not None:
            self.control.disabled = self.none_box.value

    def _control(self, q: Question, lang: str, value: Any) -> w.Widget:
        layout = w.Layout(width="auto", min_width="16em")
        if q.type == "bool":
            return w.ToggleButtons(options=[(word("answer_yes", lang), True), (word("answer_no", lang), False)],
                                   value=value if isinstance(value, bool) else None, style={"button_width": "6em"})
        if q.type in _NUMBER_TYPES:
            text = "" if value is None else (str(int(value)) if float(value).is_integer() else str(value))
            return w.Text(value=text, placeholder=allowed_words(q, lang) or q.allowed, layout=layout)
        if q.type == "date":
            return w.DatePicker(value=value if isinstance(value, date) and not isinstance(value, datetime) else None)
        if q.type == "datetime":
            if isinstance(value, datetime) and value.tzinfo is not None and self.zone:
                value = value.astimezone(ZoneInfo(self.zone))
            return w.NaiveDatetimePicker(value=value.replace(tzinfo=None) if isinstance(value, datetime) else None)
        if q.type == "choice":
            options = [(label, code) for code, label in q.choices or []]
            chosen = value if value in dict(q.choices or []) else None
            if len(options) <= BUTTON_CHOICES:  # a click, not a list to open (issue 17)
                return w.ToggleButtons(options=options, value=chosen, style={"button_width": "auto"})
            return w.Dropdown(options=options, value=chosen, layout=layout)
        return w.Textarea(value="" if value is None else str(value), placeholder="",
                          layout=w.Layout(width="100%", min_width="24em", height="6em"))

    def read(self) -> Any:
        """The value to give the engine; raises :class:`FactError` with a message in ``lang``."""
        q, lang, raw = self.question, self.lang, self.control.value
        if self.none_box is not None and self.none_box.value:
            return None
        if q.type in _NUMBER_TYPES:
            text = raw.strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
            if not text:
                raise FactError(q.name, word("need_number" if q.type != "int" else "need_whole_number", lang), q.allowed)
            try:
                number = float(text)
            except ValueError:
                raise FactError(q.name, f"'{raw}': " + word("need_number", lang), q.allowed) from None
            if q.type == "int":
                if not number.is_integer():
                    raise FactError(q.name, f"'{raw}': " + word("need_whole_number", lang), q.allowed)
                return int(number)
            return number
        if raw is None or (q.type == "text" and not str(raw).strip() and not q.has_default):
            key = "need_date" if q.type in ("date", "datetime") else "need_answer"
            raise FactError(q.name, word(key, lang), q.allowed)
        if q.type == "datetime" and isinstance(raw, datetime) and raw.tzinfo is None:
            # the wall time the agent typed is the buyer's (the zone the question names), never UTC
            return (raw.replace(tzinfo=ZoneInfo(self.zone)) if self.zone else raw).isoformat()
        return raw


def allowed_words(question: Question, lang: str) -> str:
    """What a question accepts, in words: its choices' labels, or the range of a number
    ("0 – 1,000,000"), with its unit; empty when the question's own help says enough."""
    if question.choices:
        return ", ".join(label for _code, label in question.choices)
    if question.type in _NUMBER_TYPES and (question.minimum is not None or question.maximum is not None):
        low = format_number(question.minimum, lang) if question.minimum is not None else "…"
        high = format_number(question.maximum, lang) if question.maximum is not None else "…"
        unit = unit_name(question.unit, lang)
        return f"{low} – {high}" + (f" {unit}" if unit else "")
    return ""
