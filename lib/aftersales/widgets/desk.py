"""The desk: today's follow-up list as a page (seed 001: follow up every open case daily and tell
the customer what happened). The same list as ``aftersales cases due``, grouped by owner: each
case with its status, whether it is overdue, the next step, and the message to send in the
customer's language (a box to copy from); "Followed up" records the contact in the case store and
the case is due again tomorrow. ``notebooks/desk.ipynb`` shows it; the app opens it from its start
page.
"""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

import ipywidgets as w

from ..cases.due import DueCase, due_cases, status_name
from ..errors import AftersalesError
from ..present.formats import moment_text
from ..present.words import word

__all__ = ["Desk", "desk_html"]


class Desk(w.VBox):  # type: ignore[misc]
    """The follow-up list of ``store`` (a :class:`~aftersales.cases.store.CaseStore`) for ``day``
    (default today, UTC), only ``owner``'s cases if given; ``who`` is the agent recording follow-ups
    and ``lang`` the team's language (each message stays in its customer's language)."""

    def __init__(self, store: Any, *, day: date | None = None, owner: str | None = None, who: str = "agent",
                 lang: str = "en") -> None:
        self.store, self.day, self.owner, self.who, self.lang = store, day, owner, who, lang
        self.header = w.HTML()
        self.rows = w.VBox()
        super().__init__([self.header, self.rows])
        self.add_class("as-desk")
        self.refresh()

    def refresh(self) -> None:
        """Read the list again from the store."""
        lines = due_cases(self.store, self.day, self.owner, team_lang=self.lang)
        day = self.day or date.today()
        from ..present.formats import format_day

        when = format_day(day, self.lang)
        self.header.value = (f"<h3>{escape(word('due_title', self.lang, date=when, n=len(lines)))}</h3>" if lines
                             else f"<p>{escape(word('due_none', self.lang, date=when))}</p>")
        children: list[Any] = []
        current_owner: object = object()
        for line in lines:
            if line.owner != current_owner:
                current_owner = line.owner
                children.append(w.HTML(f"<h4>{escape(line.owner or word('due_no_owner', self.lang))}</h4>"))
            children.append(self._row(line))
        self.rows.children = children

    def _row(self, line: DueCase) -> w.VBox:
        when = moment_text(line.due_at, self.lang)
        state = word("due_overdue" if line.overdue else "due_today", self.lang, when=when)
        order = f" · {escape(line.order_id)}" if line.order_id else ""
        head = w.HTML(f"<b>{escape(line.case_id)}</b>{order} · {escape(status_name(line.status, self.lang))} · "
                      f"<span style='color:{'#b3261e' if line.overdue else '#1d2430'}'>{escape(state)}</span><br>"
                      f"{escape(word('due_next', self.lang))}: {escape(line.next_step)}")
        message = w.Textarea(value=line.message, layout=w.Layout(width="100%", height="5.5em"))
        message.add_class("as-desk-message")
        done = w.Button(description=word("desk_followed_up", self.lang), icon="check", layout=w.Layout(width="auto"))
        done.add_class("as-desk-done")
        status = w.HTML()

        def followed_up(_button: Any = None) -> None:
            try:
                self.store.record_contact(line.case_id, who=self.who, follow_up=True, note=message.value)
            except AftersalesError as exc:
                status.value = f"<span style='color:#b3261e'>{escape(str(exc))}</span>"
                return
            done.disabled = True
            case = self.store.get(line.case_id)
            again = moment_text(case.due_at, self.lang) if case is not None and case.due_at is not None else ""
            status.value = f"<span>{escape(word('desk_done', self.lang, when=again))}</span>"

        done.on_click(followed_up)
        row = w.VBox([head, message, w.HBox([done, status])], layout=w.Layout(margin="0 0 12px 0"))
        row.add_class("as-desk-case")
        return row


def desk_html(lines: list[DueCase], day: date, lang: str = "en") -> str:
    """The follow-up list as static HTML (a headless run, the golden test): by owner, each case with
    its status, overdue or due today, the next step and the message in the customer's language."""
    from ..present.formats import format_day

    when = format_day(day, lang)
    if not lines:
        return f"<p>{escape(word('due_none', lang, date=when))}</p>"
    parts = [f"<h3>{escape(word('due_title', lang, date=when, n=len(lines)))}</h3>"]
    current_owner: object = object()
    for line in lines:
        if line.owner != current_owner:
            current_owner = line.owner
            parts.append(f"<h4>{escape(line.owner or word('due_no_owner', lang))}</h4>")
        state = word("due_overdue" if line.overdue else "due_today", lang, when=moment_text(line.due_at, lang))
        order = f" · {escape(line.order_id)}" if line.order_id else ""
        parts.append(f"<div class='as-desk-case'><b>{escape(line.case_id)}</b>{order} · "
                     f"{escape(status_name(line.status, lang))} · {escape(state)}<br>"
                     f"{escape(word('due_next', lang))}: {escape(line.next_step)}"
                     f"<pre style='white-space: pre-wrap'>{escape(line.message)}</pre></div>")
    return "\n".join(parts)
