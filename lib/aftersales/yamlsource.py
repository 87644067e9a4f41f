"""Read YAML files into plain Python data while remembering where every node stood.

libyaml (through PyYAML's C loader) composes a node tree in which every node carries its
line and column; :class:`SourceDoc` flattens those into a ``path -> Location`` table so that any later check
(pydantic schema errors, graph checks, expression errors) can report ``file:line:col``.
Paths are tuples of keys and indices, e.g. ``("steps", 2, "branches", 0, "when")``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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

    def view(self, src: PathKey, dst: PathKey = ()) -> "SourceDoc":
        """The node at ``src`` as a document whose paths start with ``dst`` instead.

        Checks written for one layout (e.g. ``("parameters", name)`` in a platform file) can
        then run on the same data nested elsewhere (``("parameters", "taobao", name)`` in an
        overlay) and still report the right line.
        """
        data: Any = self.data
        for part in src:
            data = data[part]
        return SourceDoc(self.file, data, _moved(self.marks, src, dst), _moved(self.key_marks, src, dst))


def _moved(table: dict[PathKey, Location], src: PathKey, dst: PathKey) -> dict[PathKey, Location]:
    """The entries of ``table`` at or below ``src``, with ``src`` replaced by ``dst``."""
    size = len(src)
    return {dst + path[size:]: loc for path, loc in table.items() if path[:size] == src}


def _walk(node: Any, loader: Any, file: str, path: PathKey, marks: dict, key_marks: dict,
          duplicates: list[tuple[Location, str]]) -> Any:
    """Convert composed YAML nodes to dict/list/scalars, recording positions (1-based)."""
    import yaml

    marks.setdefault(path, Location(file, node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # YAML merge keys (<<)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if isinstance(key, (list, dict)):
                key = str(key)
            key_loc = Location(file, key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if key in out:
                duplicates.append((key_loc, f"duplicate key '{key}'"))
            key_marks[path + (key,)] = key_loc
            marks[path + (key,)] = Location(file, value_node.start_mark.line + 1, value_node.start_mark.column + 1)
            out[key] = _walk(value_node, loader, file, path + (key,), marks, key_marks, duplicates)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            marks[path + (index,)] = Location(file, item.start_mark.line + 1, item.start_mark.column + 1)
            items.append(_walk(item, loader, file, path + (index,), marks, key_marks, duplicates))
        return items
    return loader.construct_object(node, deep=True)


def load_yaml(path: str | Path, *, display_name: str | None = None) -> SourceDoc:
    """Parse ``path``; a syntax error becomes a located :class:`PlaybookError`."""
    from .errors import PlaybookError

    name = display_name or str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlaybookError([Problem(Location(name), f"cannot read file: {exc}", "io")]) from None
    return load_yaml_text(text, name)


def load_yaml_text(text: str, name: str) -> SourceDoc:
    """Parse YAML ``text`` reported as ``name`` (libyaml's C parser when available)."""
    import yaml

    from .errors import PlaybookError

    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        marks: dict[PathKey, Location] = {}
        key_marks: dict[PathKey, Location] = {}
        duplicates: list[tuple[Location, str]] = []
        data = _walk(node, loader, name, (), marks, key_marks, duplicates) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = Location(name, mark.line + 1, mark.column + 1) if mark else Location(name)
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise PlaybookError([Problem(loc, f"YAML syntax error: {message}", "yaml")]) from None
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        raise PlaybookError([Problem(Location(name), f"YAML error: {exc}", "yaml")]) from None
    finally:
        loader.dispose()
    if duplicates:
        raise PlaybookError([Problem(loc, message, "yaml") for loc, message in duplicates])
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
