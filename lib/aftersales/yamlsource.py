"""Read YAML files into plain Python data while remembering where every node stood.

ruamel.yaml's round-trip loader keeps line/column marks on each mapping and sequence;
:class:`SourceDoc` flattens them into a ``path -> Location`` table so that any later check
(pydantic schema errors, graph checks, expression errors) can report ``file:line:col``.
Paths are tuples of keys and indices, e.g. ``("steps", 2, "branches", 0, "when")``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable

from pydantic import ValidationError

from .errors import Location, Problem, did_you_mean

PathKey = tuple[Any, ...]


@dataclass
class SourceDoc:
    """A YAML document as plain data plus the location of each node."""

    file: str
    data: Any
    marks: dict[PathKey, Location] = field(default_factory=dict)
    key_marks: dict[PathKey, Location] = field(default_factory=dict)

    def at(self, path: Iterable[Any], *, key: bool = False) -> Location:
        """Location of ``path``; falls back to the nearest enclosing node that has one."""
        path = tuple(path)
        table = self.key_marks if key else self.marks
        while path:
            if path in table:
                return table[path]
            if path in self.marks:
                return self.marks[path]
            path = path[:-1]
        return self.marks.get((), Location(self.file, 1, 1))

    def problem(self, path: Iterable[Any], message: str, code: str = "invalid", *, key: bool = False) -> Problem:
        return Problem(self.at(path, key=key), message, code)


def _plain(node: Any, file: str, path: PathKey, marks: dict, key_marks: dict) -> Any:
    """Convert ruamel nodes to dict/list/scalars, recording positions (1-based)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(node, CommentedMap):
        marks.setdefault(path, Location(file, node.lc.line + 1, node.lc.col + 1))
        out: dict[Any, Any] = {}
        for key in node:
            kline, kcol = node.lc.key(key)
            vline, vcol = node.lc.value(key)
            key_marks[path + (key,)] = Location(file, kline + 1, kcol + 1)
            marks[path + (key,)] = Location(file, vline + 1, vcol + 1)
            out[_scalar(key)] = _plain(node[key], file, path + (key,), marks, key_marks)
        return out
    if isinstance(node, CommentedSeq):
        marks.setdefault(path, Location(file, node.lc.line + 1, node.lc.col + 1))
        items = []
        for index, item in enumerate(node):
            line, col = node.lc.item(index)
            marks[path + (index,)] = Location(file, line + 1, col + 1)
            items.append(_plain(item, file, path + (index,), marks, key_marks))
        return items
    return _scalar(node)


def _scalar(value: Any) -> Any:
    """ruamel's scalar subclasses (ScalarFloat, TimeStamp...) as plain Python values."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, datetime):
        return datetime(*value.timetuple()[:6], value.microsecond, tzinfo=value.tzinfo)
    if isinstance(value, date):
        return date(value.year, value.month, value.day)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    return value


def load_yaml(path: str | Path, *, display_name: str | None = None) -> SourceDoc:
    """Parse ``path``; a syntax error becomes a located :class:`PlaybookError`."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    from .errors import PlaybookError

    name = display_name or str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlaybookError([Problem(Location(name), f"cannot read file: {exc}", "io")]) from None
    return load_yaml_text(text, name)


def load_yaml_text(text: str, name: str) -> SourceDoc:
    """Parse YAML ``text`` reported as ``name``."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    from .errors import PlaybookError

    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        node = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = Location(name, mark.line + 1, mark.column + 1) if mark else Location(name)
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise PlaybookError([Problem(loc, f"YAML syntax error: {message}", "yaml")]) from None
    except (YAMLError, ValueError, TypeError) as exc:
        raise PlaybookError([Problem(Location(name), f"YAML error: {exc}", "yaml")]) from None
    marks: dict[PathKey, Location] = {}
    key_marks: dict[PathKey, Location] = {}
    data = _plain(node, name, (), marks, key_marks)
    marks.setdefault((), Location(name, 1, 1))
    return SourceDoc(name, data, marks, key_marks)


def pydantic_problems(
    doc: SourceDoc, error: ValidationError, root_model: type | None = None, base: PathKey = ()
) -> list[Problem]:
    """Turn every pydantic error into a located problem with a helpful message.

    ``root_model`` (the validated model class) lets an unknown key be answered with the
    allowed keys at that place and a "did you mean".
    """
    problems = []
    for item in error.errors():
        loc = base + tuple(item["loc"])
        kind = item["type"]
        field_name = ".".join(str(p) for p in loc) or "(document)"
        if kind == "extra_forbidden":
            parent = loc[:-1]
            allowed = allowed_keys(root_model, tuple(item["loc"])[:-1]) if root_model else []
            hint = did_you_mean(str(loc[-1]), allowed)
            allowed_text = f"; allowed: {', '.join(sorted(allowed))}" if allowed else ""
            message = f"unknown key '{loc[-1]}'{hint}{allowed_text}"
            problems.append(doc.problem(loc, message, "schema", key=True))
            continue
        if kind == "missing":
            message = f"missing required key '{loc[-1]}'"
            problems.append(doc.problem(loc[:-1], message, "schema"))
            continue
        got = item.get("input")
        got_text = f" (got {got!r})" if not isinstance(got, (dict, list)) else ""
        problems.append(doc.problem(loc, f"{field_name}: {item['msg']}{got_text}", "schema"))
    return problems


def allowed_keys(model: Any, loc: PathKey) -> list[str]:
    """The field names allowed at ``loc`` below pydantic ``model`` (empty if unknown)."""
    import types
    import typing

    from pydantic import BaseModel

    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(part) if isinstance(part, str) else None
            if info is None:
                return []
            current = info.annotation
            continue
        origin = typing.get_origin(current)
        args = typing.get_args(current)
        if origin in (list, tuple) and args:
            current = args[0]
        elif origin is dict and len(args) == 2:
            current = args[1]
        else:
            return []
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [info.alias or name for name, info in current.model_fields.items()]
    return []


def _unwrap(annotation: Any) -> Any:
    """Optional[X] / Annotated[X, ...] / X | None -> X (only when one model remains)."""
    import types
    import typing

    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(options) == 1:
                annotation = options[0]
                continue
            from pydantic import BaseModel

            models = [a for a in options if isinstance(a, type) and issubclass(a, BaseModel)]
            if len(models) == 1:
                annotation = models[0]
                continue
        return annotation
