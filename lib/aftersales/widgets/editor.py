"""The store overlay editor in JupyterLab or the app, for a lead who does not write YAML.

Three tabs: the platform's parameters as a table (the platform's value beside the store's, its
source and date), the messages of one outcome with the three languages side by side, and each
step's branches as a decision table. **Save** writes the overlay (comments kept), runs
``validate`` and the diff of the practice bank, and shows both under the tabs. The logic is
:class:`aftersales.editor.OverlayEditor`; this module only lays it out.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

import ipywidgets as w

from ..editor import OverlayEditor
from ..errors import AftersalesError
from .card import STYLE

_ROW = w.Layout(grid_template_columns="minmax(160px, 1.2fr) minmax(60px, 0.5fr) minmax(80px, 0.7fr) "
                                       "minmax(160px, 1.6fr) minmax(100px, 0.7fr)", width="100%")


class OverlayEditorWidget(w.VBox):
    """Edit one store overlay: parameters, messages, decision tables; Save validates and diffs."""

    def __init__(self, root: str | Path, overlay: str, platform: str = "taobao", lang: str = "en"):
        self.editor = OverlayEditor(root, overlay)
        self.platform, self.lang = platform, lang
        self.cells: dict[str, tuple[w.Text, w.Text, w.Text]] = {}
        self.scenario = w.Dropdown(options=self.editor.base.scenarios, description="Scenario")
        self.outcome = w.Dropdown(description="Outcome")
        self.texts = {lang_: w.Textarea(description=lang_, layout=w.Layout(width="33%", height="220px"))
                      for lang_ in ("en", "zh", "ru")}
        self.tables = w.HTML()
        self.step = w.Dropdown(description="Step")
        self.branch_rows = w.VBox()
        self.branch_cells: list[tuple[dict[str, Any], w.Text, w.Text, w.Text]] = []
        self.save_button = w.Button(description="Save and check", button_style="primary", icon="save")
        self.result = w.HTML()
        self.scenario.observe(self._scenario_changed, names="value")
        self.outcome.observe(self._outcome_changed, names="value")
        self.step.observe(self._step_changed, names="value")
        self.save_button.on_click(self._save)
        tables_tab = w.VBox([w.HTML("<b>Edit a step's branches</b> (the condition, the reason in your language, "
                                    "the source); the table below shows every step"), self.step, self.branch_rows,
                             self.tables])
        tabs = w.Tab(children=[self._parameters_tab(), self._messages_tab(), tables_tab])
        for index, title in enumerate(("Parameters", "Messages", "Decision tables")):
            tabs.set_title(index, title)
        header = w.HTML(f"{STYLE}<h3>Store overlay <code>{escape(overlay)}</code> · {escape(platform)}</h3>"
                        f"<p class='as-src'>{escape(str(self.editor.path))}</p>")
        super().__init__([header, tabs, self.save_button, self.result])
        self.add_class("as-editor")
        self._scenario_changed()

    # ---------------------------------------------------------------- tabs

    def _parameters_tab(self) -> w.Widget:
        head = [w.HTML(f"<b>{t}</b>") for t in ("Parameter", "Platform", "Store value", "Store source", "From")]
        cells: list[w.Widget] = list(head)
        for row in self.editor.parameter_rows(self.platform, self.lang):
            if not row["editable"]:
                continue
            name = w.HTML(f"<span title='{escape(row['description'])}'>{escape(row['name'])}</span>"
                          f"<br><small class='as-src'>{escape(row['unit'])}</small>")
            value = w.Text(value=row["value"], placeholder="(platform's)", layout=w.Layout(width="auto"))
            source = w.Text(value=row["source"], placeholder="Store policy 2026, §…", layout=w.Layout(width="auto"))
            start = w.Text(value=row["effective_from"], placeholder="YYYY-MM-DD", layout=w.Layout(width="auto"))
            value.add_class(f"as-param-{row['name']}")
            source.add_class(f"as-source-{row['name']}")
            self.cells[row["name"]] = (value, source, start)
            cases = "".join(f"<br><small>{escape(c)}</small>" for c in row["cases"])
            cells += [name, w.HTML(escape(row["base"] or "—") + cases), value, source, start]
        return w.GridBox(cells, layout=_ROW)

    def _messages_tab(self) -> w.Widget:
        for lang, text in self.texts.items():
            text.add_class(f"as-message-{lang}")
        return w.VBox([w.HBox([self.scenario, self.outcome]), w.HBox(list(self.texts.values()))])

    def _scenario_changed(self, _change: Any = None) -> None:
        playbook = self.editor.base.playbook(self.scenario.value)
        self.outcome.options = list(playbook.outcomes)
        self.step.options = [(step.title[self.lang], step_id) for step_id, step in playbook.steps.items() if step.branches]
        rows = []
        for table in self.editor.decision_tables(self.scenario.value, self.lang):
            body = "".join(f"<tr><td><code>{escape(r['when'])}</code></td><td>{escape(r['goto'])}</td>"
                           f"<td>{escape(r['reason'])}</td><td class='as-src'>{escape(r['source'])}</td></tr>"
                           for r in table["rows"])
            rows.append(f"<h4>{table['number']}. {escape(table['title'])}</h4><table><tr><th>When</th><th>Go to</th>"
                        f"<th>Reason</th><th>Source</th></tr>{body}</table>")
        self.tables.value = f"<div class='as-card'>{''.join(rows)}</div>"
        self._outcome_changed()

    def _outcome_changed(self, _change: Any = None) -> None:
        if self.outcome.value is None:
            return
        for lang, text in self.editor.message(self.scenario.value, self.outcome.value).items():
            self.texts[lang].value = text

    def _step_changed(self, _change: Any = None) -> None:
        self.branch_cells = []
        rows: list[w.Widget] = []
        if self.step.value is None:
            self.branch_rows.children = ()
            return
        for index, branch in enumerate(self.editor.branches(self.scenario.value, self.step.value)):
            when = w.Text(value=branch["when"], placeholder="otherwise", description="When",
                          layout=w.Layout(width="34%"))
            reason = w.Text(value=branch["reason"].get(self.lang, ""), description="Reason", layout=w.Layout(width="40%"))
            source = w.Text(value=branch["source"], description="Source", layout=w.Layout(width="26%"))
            when.add_class(f"as-branch-when-{index}")
            reason.add_class(f"as-branch-reason-{index}")
            self.branch_cells.append((branch, when, reason, source))
            rows.append(w.HBox([w.HTML(f"→ <b>{escape(branch['goto'])}</b>", layout=w.Layout(width="160px")),
                                when, reason, source]))
        self.branch_rows.children = tuple(rows)

    # ---------------------------------------------------------------- saving

    def collect(self) -> None:
        """Carry every cell and the shown message into the overlay (errors name the cell)."""
        for name, (value, source, start) in self.cells.items():
            self.editor.set_parameter(self.platform, name, value.value, source.value, start.value)
        if self.step.value is not None and self.branch_cells:
            rows = [{"when": when.value.strip(), "goto": branch["goto"],
                     "reason": {**branch["reason"], self.lang: reason.value} if reason.value else dict(branch["reason"]),
                     "source": source.value.strip()} for branch, when, reason, source in self.branch_cells]
            self.editor.set_branches(self.scenario.value, self.step.value, rows)
        if self.outcome.value is not None:
            self.editor.set_message(self.scenario.value, self.outcome.value,
                                    {lang: text.value for lang, text in self.texts.items()})

    def _save(self, _button: Any = None) -> None:
        try:
            self.collect()
            result = self.editor.save()
        except AftersalesError as exc:
            self.result.value = f"<div class='as-card'><b>Not saved:</b> {escape(str(exc))}</div>"
            return
        problems = "".join(f"<li><b>{escape(p.severity)}</b> {escape(str(p))}</li>" for p in result.problems)
        verdict = "valid" if result.valid else "has errors: fix them before publishing"
        diff = escape("\n".join(result.diff_lines))
        self.result.value = (f"<div class='as-card as-save-result'><p><b>Saved</b> {escape(str(result.path))}: "
                             f"{verdict}</p>{f'<ul>{problems}</ul>' if problems else ''}"
                             f"{f'<h4>What it changes on the practice bank</h4><pre>{diff}</pre>' if diff else ''}</div>")
