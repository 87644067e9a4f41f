"""The start page: what the five scenarios are, and pickers that open the wizard in place.

Voila serves one notebook as an app, so the hub does not send trainees to other notebooks:
picking a scenario, a platform and the customer's language and pressing Start shows that
scenario's wizard right here. Scenarios and platforms come from the playbook library, so a
new playbook file appears here without code changes.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any

import ipywidgets as w

from ..library import load_library
from ..playbook.model import LANGS
from ..present.view import playbook_view
from ..present.words import word
from .card import STYLE
from .confirm import ConfirmBar
from .wizard import LANGUAGE_NAMES, Wizard, platform_name


def overview_html(lang: str = "en", library: Any = None) -> str:
    """The hub's introduction and a table of every scenario (title, summary, platforms)."""
    library = library if library is not None else load_library()
    rows = []
    for name in library.scenarios:
        if name in library.broken:
            continue
        playbook = library.playbook(name)
        view = playbook_view(playbook, lang, platform_names={p: platform_name(library, p, lang) for p in playbook.platforms})
        rows.append(
            f"<tr><td><b>{escape(view['title'])}</b></td>"
            f"<td>{escape(view['summary'])}</td>"
            f"<td>{escape(', '.join(view['platforms']))}</td></tr>")
    return (f"{STYLE}<div class='as-card as-hub'><h2 style='margin-top:0'>{escape(word('hub_title', lang))}</h2>"
            f"<p>{escape(word('hub_intro', lang))}</p>"
            f"<table><tr><th>{escape(word('scenario', lang))}</th><th></th><th>{escape(word('platform', lang))}</th></tr>"
            f"{''.join(rows)}</table></div>")


#: Remembers the two language choices in the browser (localStorage), per person and device, not on
#: the server: a page restores them on load by choosing the saved option, which the dropdown then
#: sends to the kernel like a click. The hook is an image that fails to load (an inline ``onerror``
#: runs where a widget's ``<script>`` would not); it watches for the dropdowns as they appear. It
#: also has the browser ask before a tab with unsaved answers (a form marked ``as-unsaved``) closes.
_REMEMBER = {".as-hub-lang select": "aftersales.ui_lang", ".as-customer-lang select": "aftersales.customer_lang"}
_REMEMBER_JS = (
    "(function(){if(window.asRemember)return;window.asRemember=1;var pairs=" + json.dumps(list(_REMEMBER.items())) + ";"
    "function store(k,v){try{window.localStorage.setItem(k,v);}catch(e){}}"
    "function saved(k){try{return window.localStorage.getItem(k);}catch(e){return null;}}"
    "document.addEventListener('change',function(e){pairs.forEach(function(p){"
    "if(e.target.matches&&e.target.matches(p[0]))store(p[1],e.target.value);});},true);"
    "function restore(){pairs.forEach(function(p){document.querySelectorAll(p[0]).forEach(function(s){"
    "if(s.dataset.asRemembered)return;s.dataset.asRemembered='1';var v=saved(p[1]);"
    "if(v&&v!==s.value&&Array.prototype.some.call(s.options,function(o){return o.value===v;})){"
    "s.value=v;s.dispatchEvent(new Event('change',{bubbles:true}));}});});}"
    "restore();setInterval(restore,500);"
    # a form with answers not saved (class as-unsaved) makes the browser ask before the tab closes
    "window.asUnsavedAnswers=function(){return !!document.querySelector('.as-unsaved');};"
    "window.addEventListener('beforeunload',function(e){if(window.asUnsavedAnswers()){"
    "e.preventDefault();e.returnValue='';}});})()")
REMEMBER_HTML = f'<img alt="" style="display:none" src="data:image/gif;base64," onerror="{escape(_REMEMBER_JS)}">'

#: In the app (Voila serves the start page alone, so a link to another notebook cannot open), a link
#: to ``<scenario>.ipynb`` on the page opens that scenario right here: it picks the scenario in the
#: start page's dropdown (by its title in any language) and presses Start. In JupyterLab (no
#: ``body[data-voila]``) links keep opening the notebooks.
_LINKS_JS = (
    "(function(){if(window.asLinks||!document.body.hasAttribute('data-voila'))return;window.asLinks=1;"
    "var titles=%s;document.addEventListener('click',function(e){"
    "var a=e.target.closest?e.target.closest('a[href]'):null;if(!a)return;"
    "var m=(a.getAttribute('href')||'').match(/([A-Za-z0-9_]+)\\.ipynb$/);if(!m||!titles[m[1]])return;"
    "var s=document.querySelector('.as-hub-scenario select');if(!s)return;e.preventDefault();e.stopPropagation();"
    "var o=Array.prototype.find.call(s.options,function(x){return titles[m[1]].indexOf(x.value)>=0;});"
    "if(o&&o.value!==s.value){s.value=o.value;s.dispatchEvent(new Event('change',{bubbles:true}));}"
    "setTimeout(function(){var b=document.querySelector('.as-start');if(b)b.click();},150);},true);})()")


def links_html(titles: dict[str, list[str]]) -> str:
    """The hook that opens a scenario linked on the page in the app itself (``titles``: each
    scenario's titles in every language, as the dropdown may show any of them)."""
    script = _LINKS_JS % json.dumps(titles, ensure_ascii=False)
    return f'<img alt="" style="display:none" src="data:image/gif;base64," onerror="{escape(script)}">'


class Hub(w.VBox):
    """Scenario, platform and language pickers above an overview; Start opens the wizard."""

    def __init__(self, scenario: str | None = None, platform: str = "generic", lang: str = "en", *,
                 case_log: Path | str | None = None, library: Any = None, as_of: Any = None):
        self.library = library if library is not None else load_library()
        self.case_log, self.as_of = case_log, as_of
        self.scenarios = scenarios = [s for s in self.library.scenarios if s not in self.library.broken]
        self.overview = w.HTML()
        self.scenario_select = w.Dropdown(options=scenarios, value=scenario if scenario in scenarios else scenarios[0])
        self.platform_select = w.Dropdown()
        self.lang_select = w.Dropdown(options=[(LANGUAGE_NAMES[c], c) for c in LANGS], value=lang)
        self.start_button = w.Button(button_style="primary", icon="play", layout=w.Layout(width="auto"))
        for select in (self.scenario_select, self.platform_select, self.lang_select):  # labels never cut
            select.style = {"description_width": "initial"}
            select.layout.width = "auto"
        for widget, css in ((self.scenario_select, "as-hub-scenario"), (self.platform_select, "as-hub-platform"),
                            (self.lang_select, "as-hub-lang"), (self.start_button, "as-start")):
            widget.add_class(css)
        self.wizard_area = w.VBox()
        self.wizard: Wizard | None = None
        self._platform_wanted = platform
        self._relabelling = False
        self.scenario_select.observe(self._on_scenario, names="value")
        self.lang_select.observe(self._on_lang, names="value")
        self.start_button.on_click(self._on_start)
        # once a case starts the start page folds into one line, so the question is in view (issue 17)
        self.bar_text = w.HTML()
        self.bar_button = w.Button(icon="list")
        self.bar_button.add_class("as-hub-show")
        self.bar_button.on_click(self._on_show_start)
        self.bar = w.HBox([self.bar_text, self.bar_button], layout=w.Layout(display="none", align_items="center"))
        self.bar.add_class("as-hub-bar")
        self.confirm_box = ConfirmBar("as-hub-confirm", self._start, self._keep_case)
        self.trainee = w.Text(layout=w.Layout(width="14em"))
        self.practice_button = w.Button(icon="graduation-cap", layout=w.Layout(width="auto"))
        self.practice_button.add_class("as-practice-start")
        self.practice_button.on_click(self._on_practice)
        self.desk_button = w.Button(icon="calendar-check-o", layout=w.Layout(width="auto"))
        self.desk_button.add_class("as-desk-start")
        self.desk_button.on_click(self._on_desk)
        self.store = w.Text(layout=w.Layout(width="18em"))
        self.editor_button = w.Button(icon="pencil", layout=w.Layout(width="auto"))
        self.editor_button.add_class("as-editor-start")
        self.editor_button.on_click(self._on_editor)
        self.start_page = w.VBox([self.overview, w.HBox([self.scenario_select, self.platform_select, self.lang_select,
                                                         self.start_button], layout=w.Layout(flex_flow="row wrap")),
                                  self.confirm_box,
                                  w.HBox([self.trainee, self.practice_button, self.desk_button]),
                                  w.HBox([self.store, self.editor_button])])
        titles = {s: [str(t) for t in self.library.playbook(s).title.values()] for s in scenarios}
        remember = w.HTML(REMEMBER_HTML + links_html(titles), layout=w.Layout(display="none"))
        remember.add_class("as-remember")
        super().__init__([remember, self.bar, self.start_page, self.wizard_area])
        self.add_class("as-hub")
        self._fill_platforms()
        self._relabel()

    @property
    def lang(self) -> str:
        return self.lang_select.value

    def _fill_platforms(self) -> None:
        platforms = list(self.library.playbook(self.scenario_select.value).platforms)
        wanted = self.platform_select.value or self._platform_wanted
        lang = self.lang_select.value
        self.platform_select.options = [(platform_name(self.library, p, lang), p) for p in platforms]
        self.platform_select.value = wanted if wanted in platforms else platforms[0]

    def _relabel(self) -> None:
        lang = self.lang
        self.overview.value = overview_html(lang, self.library)
        chosen = self.scenario_select.value
        self._relabelling = True  # new labels, same scenario: not a change of scenario
        try:
            self.scenario_select.options = [(self.library.playbook(s).title[lang], s) for s in self.scenarios]
            self.scenario_select.value = chosen
        finally:
            self._relabelling = False
        self.scenario_select.description = word("scenario", lang)
        self.platform_select.description = word("platform", lang)
        self.lang_select.description = word("language", lang)
        self._fill_platforms()
        self.start_button.description = word("start", lang)
        self.practice_button.description = word("practice_button", lang)
        self.trainee.placeholder = word("trainee_placeholder", lang)
        self.editor_button.description = word("editor_button", lang)
        self.desk_button.description = word("desk_button", lang)
        self.store.placeholder = word("store_placeholder", lang)
        self.bar_button.description = word("change_case", lang)
        self.confirm_box.relabel(lang)


    def _fold(self, folded: bool) -> None:
        """Fold the start page into the one-line bar (a case is open), or open it again."""
        self.start_page.layout.display = "none" if folded else None
        self.bar.layout.display = None if folded else "none"

    def _on_show_start(self, _button: Any = None) -> None:
        self._fold(False)

    def _on_scenario(self, _change: Any) -> None:
        if not self._relabelling:
            self._fill_platforms()

    def _on_lang(self, change: dict[str, Any]) -> None:
        self._relabel()
        if self.wizard is not None:
            self.wizard.lang_select.value = change["new"]

    def _on_practice(self, _button: Any = None) -> None:
        """Trainees practise on the case bank from the same app (notebooks/practice.ipynb does the same)."""
        from ..training.practice import Practice
        from ..training.store import ProgressStore

        name = self.trainee.value.strip() or "trainee"
        self.wizard = None
        self.wizard_area.children = [Practice(name, store=ProgressStore(), lang=self.lang, library=self.library)]
        self.bar_text.value = f"<b>{escape(word('practice_bar', self.lang))}</b>&nbsp;"
        self._fold(True)

    def _on_desk(self, _button: Any = None) -> None:
        """Agents work today's follow-up list from the same app (notebooks/desk.ipynb does the same);
        the name typed in the box records the follow-ups."""
        from ..cases.store import CaseStore
        from ..errors import AftersalesError
        from .desk import Desk

        self.wizard = None
        try:
            page: Any = Desk(CaseStore(), who=self.trainee.value.strip() or "agent", lang=self.lang)
        except AftersalesError as exc:
            page = w.HTML(f"<div class='as-card'>{escape(str(exc))}</div>")
        self.wizard_area.children = [page]
        self.bar_text.value = f"<b>{escape(word('desk_button', self.lang))}</b>&nbsp;"
        self._fold(True)

    def _on_editor(self, _button: Any = None) -> None:
        """Leads edit their store overlay from the same app (notebooks/editor.ipynb does the same)."""
        from ..errors import AftersalesError
        from .editor import OverlayEditorWidget

        self.wizard = None
        try:
            editor = OverlayEditorWidget(self.library.root, self.store.value.strip() or "my_store",
                                         platform=self.platform_select.value, lang=self.lang)
        except AftersalesError as exc:
            self.wizard_area.children = [w.HTML(f"<div class='as-card'>{escape(str(exc))}</div>")]
            return
        self.wizard_area.children = [editor]

    def _on_start(self, _button: Any = None) -> None:
        """Open the wizard for the picked scenario, platform and language (a new case); with answers
        of an open case not saved yet, ask first."""
        if self.wizard is not None and self.wizard.has_unsaved_answers:
            self._fold(False)  # the question is on the start page (Start may come from a link)
            self.confirm_box.ask()
            return
        self._start()

    def _keep_case(self) -> None:
        """No new case after all: back to the open one."""
        if self.wizard is not None:
            self._fold(True)

    def _start(self) -> None:
        self.confirm_box.hide()
        self.wizard = Wizard(self.scenario_select.value, self.platform_select.value, self.lang,
                             self.as_of, case_log=self.case_log, library=self.library)
        self.wizard_area.children = [self.wizard]
        self.bar_text.value = ""  # the wizard's own title names the case just below
        self._fold(True)
