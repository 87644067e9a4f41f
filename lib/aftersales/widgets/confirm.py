"""A one-line question before something is thrown away: "Start again? [Yes] [No]" (issue 17).

Hidden until :meth:`ConfirmBar.ask`; Yes runs the action it was given, No only hides the bar.
The words come from the word catalogue in the page's language (:meth:`ConfirmBar.relabel`).
"""

from __future__ import annotations

from html import escape
from typing import Any, Callable

import ipywidgets as w

from ..present.words import word


class ConfirmBar(w.HBox):
    """"Discard the answers?" with Yes (``on_yes``) and No (``on_no``, optional) buttons."""

    def __init__(self, css: str, on_yes: Callable[[], None], on_no: Callable[[], None] | None = None):
        self.text = w.HTML()
        self.yes = w.Button(button_style="danger")
        self.no = w.Button()
        self.yes.add_class(f"{css}-yes")
        self.no.add_class(f"{css}-no")
        self._on_yes, self._on_no = on_yes, on_no
        self.yes.on_click(self._yes)
        self.no.on_click(self._no)
        super().__init__([self.text, self.yes, self.no],
                         layout=w.Layout(display="none", align_items="center", flex_flow="row wrap"))
        self.add_class(css)

    @property
    def shown(self) -> bool:
        return self.layout.display is None

    def ask(self) -> None:
        self.layout.display = None

    def hide(self) -> None:
        self.layout.display = "none"

    def relabel(self, lang: str) -> None:
        self.text.value = f"<b>{escape(word('confirm_discard', lang))}</b>&nbsp;"
        self.yes.description = word("discard_yes", lang)
        self.no.description = word("discard_no", lang)

    def _yes(self, _button: Any = None) -> None:
        self.hide()
        self._on_yes()

    def _no(self, _button: Any = None) -> None:
        self.hide()
        if self._on_no is not None:
            self._on_no()
