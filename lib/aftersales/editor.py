"""The store overlay editor's logic: what a lead who does not write YAML edits, and what a save does.

A lead picks a store overlay (an existing ``playbooks/overlays/<store>.yaml`` or a new name) and
a platform, then edits parameters in a table, messages with the three languages side by side,
and reads each step's branches as a decision table. Saving writes the overlay YAML with its
comments and key order kept (ruamel.yaml round-trip), then runs ``aftersales validate`` on it
and the diff of the practice bank against the playbooks without it, and returns both. The
widget (:mod:`aftersales.widgets.editor`) and ``notebooks/editor.ipynb`` only lay this out.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .errors import AftersalesError, Problem
from .library import load_library
from .library_model import Library
from .overlay import OVERLAYS_DIR
from .present.view import playbook_view

_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")
#: Parameter types a table cell can hold (maps, lists and per-language texts are edited in YAML).
EDITABLE_TYPES = ("number", "int", "money", "bool", "text")


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML()  # round-trip: comments, key order and quoting are kept
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def parse_cell(text: str, kind: str) -> Any:
    """A table cell's text as a value of the catalogue type ``kind`` (empty: None, the rule does
    not exist here); a text that is not such a value raises AftersalesError saying what is allowed."""
    text = text.strip()
    if text == "" or text.lower() in ("null", "none"):
        return None
    if kind == "bool":
        if text.lower() in ("true", "yes", "1"):
            return True
        if text.lower() in ("false", "no", "0"):
            return False
        raise AftersalesError(f"'{text}' is not true or false")
    if kind in ("number", "money"):
        try:
            value = float(text.replace(",", "."))
        except ValueError:
            raise AftersalesError(f"'{text}' is not a number (e.g. 2.5)") from None
        return int(value) if value.is_integer() else value
    if kind == "int":
        try:
            return int(text)
        except ValueError:
            raise AftersalesError(f"'{text}' is not a whole number (e.g. 12)") from None
    return text


@dataclass
class SaveResult:
    """What a save did: the file written, the problems ``validate`` found in it (warnings
    included), and the diff of the practice bank against the playbooks without the overlay."""

    path: Path
    problems: list[Problem] = field(default_factory=list)
    diff_lines: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """No error-level problem (warnings do not stop a save)."""
        return not any(p.severity == "error" for p in self.problems)


class OverlayEditor:
    """One store overlay being edited: read with its comments, changed in place, written back."""

    def __init__(self, root: str | Path, name: str):
        if not _NAME.match(name):
            raise AftersalesError(f"overlay name '{name}': use lower-case letters, digits, '-' or '_' "
                                  "(e.g. fashion_house)")
        self.root = Path(root)
        self.name = name
        self.path = self.root / OVERLAYS_DIR / f"{name}.yaml"
        self.base: Library = load_library(self.root)
        if self.path.is_file():
            self.data = _yaml().load(self.path.read_text(encoding="utf-8"))
        else:
            self.data = _yaml().load(f'# The store overlay of {name}, written by the editor.\noverlay: {name}\n'
                                     f'version: "1"\nsources: [{name} house rules]\n')

    # ---------------------------------------------------------------- parameters

    def _node(self, *keys: str) -> Any:
        from ruamel.yaml.comments import CommentedMap

        node = self.data
        for key in keys:
            if key not in node or node[key] is None:
                node[key] = CommentedMap()
            node = node[key]
        return node

    def parameter_rows(self, platform: str, lang: str = "en", day: date | None = None) -> list[dict[str, Any]]:
        """The parameters a table shows for ``platform``: name, description, the platform's value
        in force, the overlay's value (text), unit, source, date, and whether a cell can edit it."""
        day = day or date.today()
        profile = self.base.profile(platform)
        resolved = profile.resolve(day)
        own = (self.data.get("parameters") or {}).get(platform) or {}
        rows = []
        for name, spec in self.base.catalogue.parameters.items():
            entry = own.get(name) or {}
            base = resolved.get(name)
            rows.append({
                "name": name, "description": spec.description.model_dump()[lang], "type": spec.type,
                "unit": spec.unit, "base": "" if base is None or base.value is None else str(base.value),
                "value": "" if entry.get("value") is None else str(entry.get("value")),
                "source": str(entry.get("source") or ""), "effective_from": str(entry.get("effective_from") or ""),
                "editable": spec.type in EDITABLE_TYPES,
                # values for some cases only (per category...), the store's where it sets them
                "cases": [f"{c.get('value')} when {c.get('when')}" for c in (entry.get("cases") or [])]
                or [f"{c.value} when {c.when}" for c in (base.cases if base is not None else ())],
            })
        return rows

    def _value(self, name: str, text: str, where: str) -> Any:
        """``text`` read as parameter ``name``'s catalogue type; errors name ``where`` (the cell)."""
        spec = self.base.catalogue.parameters.get(name)
        if spec is None:
            raise AftersalesError(f"unknown parameter '{name}'")
        try:
            return parse_cell(text, spec.type)
        except AftersalesError as exc:
            raise AftersalesError(f"{where}: {exc}") from None

    def set_case(self, platform: str, name: str, when: str, text: str, source: str) -> None:
        """A value of ``name`` for some cases only (``when`` a condition on the case's facts, e.g.
        ``category == 'footwear'``), with its own source; replaces a case with the same condition."""
        if not when.strip() or not source.strip():
            raise AftersalesError(f"{name}: a value for some cases needs its condition and its source")
        value = self._value(name, text, f"{name} when {when}")
        entry = self._node("parameters", platform, name)
        if "value" not in entry:  # the store's own entry starts from the platform's value in force
            base = self.base.profile(platform).resolve(date.today()).get(name)
            entry["value"] = base.value if base is not None else None
            entry["source"] = base.source if base is not None else source.strip()
            entry["confidence"] = "high"
            entry["effective_from"] = "unknown"
        cases = [c for c in (entry.get("cases") or []) if c.get("when") != when.strip()]
        cases.append({"when": when.strip(), "value": value, "source": source.strip()})
        entry["cases"] = cases

    def set_parameter(self, platform: str, name: str, text: str, source: str, effective_from: str = "") -> None:
        """The overlay's own value of ``name`` on ``platform`` from a table row (empty value and
        empty source: the overlay drops its value and the platform's applies again)."""
        if name not in self.base.catalogue.parameters:
            raise AftersalesError(f"unknown parameter '{name}'")
        if not text.strip() and not source.strip():
            own = (self.data.get("parameters") or {}).get(platform)
            if own is not None and name in own:
                del own[name]
            return
        if not source.strip():
            raise AftersalesError(f"{name}: every value needs its source (e.g. 'Store policy 2026, §3')")
        value = self._value(name, text, name)
        entry = self._node("parameters", platform, name)
        entry["value"] = value
        entry["source"] = source.strip()
        entry["confidence"] = entry.get("confidence") or "high"
        entry["effective_from"] = effective_from.strip() or entry.get("effective_from") or date.today().isoformat()

    # ---------------------------------------------------------------- messages

    def message(self, scenario: str, outcome: str) -> dict[str, str]:
        """The message of ``outcome`` in each language: the overlay's where it has one, else the playbook's."""
        playbook = self.base.playbook(scenario)
        base = playbook.outcomes[outcome].message_sources
        own = ((((self.data.get("scenarios") or {}).get(scenario) or {}).get("outcomes") or {}).get(outcome) or {})
        mine = own.get("message") or {}
        return {lang: str(mine.get(lang) or base.get(lang, "")) for lang in ("en", "zh", "ru")}

    def set_message(self, scenario: str, outcome: str, texts: dict[str, str]) -> None:
        """The overlay's message of ``outcome``: only the languages that differ from the playbook's."""
        playbook = self.base.playbook(scenario)
        if outcome not in playbook.outcomes:
            raise AftersalesError(f"unknown outcome '{outcome}' of {scenario}")
        base = playbook.outcomes[outcome].message_sources
        changed = {lang: text for lang, text in texts.items() if text.strip() and text != base.get(lang)}
        node = self._node("scenarios", scenario, "outcomes", outcome)
        if changed:
            message = node.get("message") or {}
            node["message"] = {**dict(message), **changed}
        elif "message" in node:
            del node["message"]

    # ---------------------------------------------------------------- branches

    def decision_tables(self, scenario: str, lang: str = "en") -> list[dict[str, Any]]:
        """Each step's branches as a decision table: when → go to, the reason and the source."""
        view = playbook_view(self.base.playbook(scenario), lang)
        return [{"number": step["number"], "title": step["title"],
                 "rows": [{"when": b["when"] or "otherwise", "goto": b["goto"], "reason": b["reason"],
                           "source": b["source"]} for b in step["branches"]]}
                for step in view["steps"] if step["branches"]]

    def branches(self, scenario: str, step_id: str) -> list[dict[str, Any]]:
        """A step's branches as the table edits them: ``when`` (the condition, "" for the default),
        ``goto``, ``reason`` in each language and ``source`` (the overlay's where it replaced them)."""
        own = ((((self.data.get("scenarios") or {}).get(scenario) or {}).get("steps") or {}).get(step_id) or {})
        if own.get("branches"):
            return [{"when": str(b.get("when") or ""), "goto": str(b.get("goto")), "reason": dict(b.get("reason") or {}),
                     "source": str(b.get("source") or "")} for b in own["branches"]]
        return self._base_branches(scenario, step_id)

    def _base_branches(self, scenario: str, step_id: str) -> list[dict[str, Any]]:
        return [{"when": b.condition.source if b.condition is not None else "", "goto": b.target,
                 "reason": dict(b.reason) if b.reason else {}, "source": b.source or ""}
                for b in self.base.playbook(scenario).steps[step_id].branches]

    def set_branches(self, scenario: str, step_id: str, rows: list[dict[str, Any]]) -> None:
        """The step's branches from the table: written to the overlay (all of them, in order) only
        when a condition, a reason or a source differs from the playbook's."""
        if rows == self._base_branches(scenario, step_id):
            node = (((self.data.get("scenarios") or {}).get(scenario) or {}).get("steps") or {}).get(step_id)
            if node is not None and "branches" in node:
                del node["branches"]
            return
        written = []
        for row in rows:
            branch: dict[str, Any] = {"when": row["when"]} if row["when"].strip() else {"default": True}
            branch["goto"] = row["goto"]
            if row.get("reason"):
                branch["reason"] = dict(row["reason"])
            if row.get("source"):
                branch["source"] = row["source"]
            written.append(branch)
        self._node("scenarios", scenario, "steps", step_id)["branches"] = written

    # ---------------------------------------------------------------- saving

    def text(self) -> str:
        """The overlay as it will be written."""
        out = io.StringIO()
        _yaml().dump(self.data, out)
        return out.getvalue()

    def save(self, *, check: bool = True) -> SaveResult:
        """Write the overlay (comments kept), then validate it and diff the practice bank."""
        from .files import write_atomic

        write_atomic(self.path, self.text())
        result = SaveResult(self.path)
        if not check:
            return result
        from .validation import validate_paths

        result.problems, _count = validate_paths([self.path], self.root)
        if result.valid:
            result.diff_lines = self._diff()
        return result

    def _diff(self) -> list[str]:
        from .diff import diff_libraries
        from .diff_report import text_lines

        report = diff_libraries(str(self.root), str(self.root), repo=self.root, new_overlay=str(self.path))
        return text_lines(report)
