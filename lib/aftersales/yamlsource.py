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

from .errors import Location, PlaybookError, Problem, did_you_mean
from .limits import MAX_YAML_ALIASES, MAX_YAML_BYTES, MAX_YAML_DEPTH, MAX_YAML_NODES

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


class _Budget:
    """What is left of the limits while a document is converted (nodes; depth is the path's)."""

    __slots__ = ("nodes",)

    def __init__(self, nodes: int):
        self.nodes = nodes


def _walk(node: Any, loader: Any, file: str, path: PathKey, marks: dict, key_marks: dict,
          duplicates: list[tuple[Location, str]], budget: _Budget | None = None) -> Any:
    """Convert composed YAML nodes to dict/list/scalars, recording positions (1-based).

    Counts every node it converts (``MAX_YAML_NODES``) and refuses nesting past
    ``MAX_YAML_DEPTH`` as it goes: it stops at the first node past a limit, before the rest.
    """
    import yaml

    if budget is None:
        budget = _Budget(MAX_YAML_NODES)
    budget.nodes -= 1
    where = Location(file, node.start_mark.line + 1, node.start_mark.column + 1)
    if budget.nodes < 0:
        raise PlaybookError([Problem(where, f"the document has more than {MAX_YAML_NODES:,} nodes, the most allowed "
                                     "(MAX_YAML_NODES); the limit is passed here", LIMIT_CODE)])
    marks.setdefault(path, where)
    is_mapping = isinstance(node, yaml.MappingNode)
    if (is_mapping or isinstance(node, yaml.SequenceNode)) and len(path) + 1 > MAX_YAML_DEPTH:
        raise PlaybookError([_depth_problem(where)])
    if is_mapping:
        loader.flatten_mapping(node)  # YAML merge keys (<<); their size was checked before (_limit_problem)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):  # a complex key (``? [a, b]``) counts too
                problem = _limit_problem(key_node, "", file, budget.nodes, MAX_YAML_DEPTH - len(path) - 1)
                if problem is not None:
                    raise PlaybookError([problem])
            key = loader.construct_object(key_node, deep=True)
            if isinstance(key, (list, dict)):
                key = str(key)
            key_loc = Location(file, key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if key in out:
                duplicates.append((key_loc, f"duplicate key '{key}'"))
            key_marks[path + (key,)] = key_loc
            marks[path + (key,)] = Location(file, value_node.start_mark.line + 1, value_node.start_mark.column + 1)
            out[key] = _walk(value_node, loader, file, path + (key,), marks, key_marks, duplicates, budget)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            marks[path + (index,)] = Location(file, item.start_mark.line + 1, item.start_mark.column + 1)
            items.append(_walk(item, loader, file, path + (index,), marks, key_marks, duplicates, budget))
        return items
    return loader.construct_object(node, deep=True)


#: The problem code of a YAML file past one of the limits of :mod:`aftersales.limits`.
LIMIT_CODE = "limit"

#: A YAML file's name must end in one of these (overlays; README "Safety and limits").
YAML_SUFFIXES = (".yaml", ".yml")


def read_yaml_bytes(path: str | Path, name: str | None = None) -> bytes:
    """The bytes of the YAML file ``path``, read with the limits applied.

    Only a regular file is read (never a device, a pipe or ``/proc/self/mem``), and at most
    :data:`~aftersales.limits.MAX_YAML_BYTES` of it: a larger file is a located
    :class:`PlaybookError` at the line where the limit is reached, its content never echoed.
    """
    import os
    import stat

    name = name or str(path)
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise PlaybookError([Problem(Location(name), "not a regular file: only YAML files are read", "io")])
        with open(path, "rb") as handle:
            raw = handle.read(MAX_YAML_BYTES + 1)
    except OSError as exc:
        raise PlaybookError([Problem(Location(name), f"cannot read file: {exc.strerror or exc}", "io")]) from None
    if len(raw) > MAX_YAML_BYTES:
        line = raw.count(b"\n", 0, MAX_YAML_BYTES) + 1
        raise PlaybookError([Problem(Location(name, line, 1), f"file is larger than {MAX_YAML_BYTES:,} bytes, the "
                                     f"most a YAML file may have (MAX_YAML_BYTES); the limit is reached on this line",
                                     LIMIT_CODE)])
    return raw


def load_yaml(path: str | Path, *, display_name: str | None = None) -> SourceDoc:
    """Parse ``path``; a syntax error or a file past a limit becomes a located :class:`PlaybookError`."""
    name = display_name or str(path)
    return load_yaml_bytes(read_yaml_bytes(path, name), name)


def load_yaml_bytes(raw: bytes, name: str) -> SourceDoc:
    """Parse the bytes of a YAML file (UTF-8) reported as ``name``."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise PlaybookError([Problem(Location(name, line, 1), f"cannot read file: not UTF-8 text (byte {exc.start})",
                                     "io")]) from None
    return load_yaml_text(text, name)


def load_yaml_text(text: str, name: str) -> SourceDoc:
    """Parse YAML ``text`` reported as ``name`` (libyaml's C parser when available).

    The limits of :mod:`aftersales.limits` hold before anything is expanded: the size of the
    text (``MAX_YAML_BYTES``), the alias references (``MAX_YAML_ALIASES``), the nodes the
    document expands to once aliases are resolved (``MAX_YAML_NODES``, so a "billion laughs"
    stops at once) and the nesting depth (``MAX_YAML_DEPTH``); each is a located error.
    """
    doc, duplicates = parse_yaml_text(text, name)
    if duplicates:
        raise PlaybookError(duplicates)
    return doc


def parse_yaml_text(text: str, name: str) -> tuple[SourceDoc, list[Problem]]:
    """:func:`load_yaml_text`, but duplicate keys are returned as problems instead of raised.

    A caller that must not echo a file's content (an overlay given by path may be any file)
    can then first check that the document is what it expects.
    """
    import yaml

    if len(text) > MAX_YAML_BYTES // 4 and len(text.encode("utf-8", "surrogatepass")) > MAX_YAML_BYTES:
        _too_big(text, name)
    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is not None and "*" in text and "&" in text:  # aliases are possible: count their expansion first
            problem = _limit_problem(node, text, name)
            if problem is not None:
                raise PlaybookError([problem])
        marks: dict[PathKey, Location] = {}
        key_marks: dict[PathKey, Location] = {}
        duplicates: list[tuple[Location, str]] = []
        data = _walk(node, loader, name, (), marks, key_marks, duplicates) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = Location(name, mark.line + 1, mark.column + 1) if mark else Location(name)
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise PlaybookError([Problem(loc, f"YAML syntax error: {message}{syntax_hint(message)}", "yaml")]) from None
    except (yaml.YAMLError, ValueError, TypeError, RecursionError, OverflowError) as exc:
        raise PlaybookError([Problem(Location(name), f"YAML error: {_short(exc)}", "yaml")]) from None
    finally:
        loader.dispose()
    marks.setdefault((), Location(name, 1, 1))
    return SourceDoc(name, data, marks, key_marks), [Problem(loc, message, "yaml") for loc, message in duplicates]


#: What a person who does not write YAML should do about the parser's most common complaints.
_SYNTAX_HINTS = (
    ("found character '\\t'", "tabs cannot indent YAML: use spaces (two per level)"),
    ("found character that cannot start any token", "a tab indenting the line, or a value starting with a "
     "character such as '@', '`' or '%': indent with spaces, put the value in quotes"),
    ("mapping values are not allowed", "a ': ' inside a value, or a line indented too far: put the value in "
     "quotes (\"...\"), or line the key up with the keys above it"),
    ("did not find expected ',' or ']'", "a [list] that is not closed, or an item with ',' or ':' inside: close "
     "the ']' or put the item in quotes"),
    ("did not find expected ',' or '}'", "a {map} that is not closed, or a value with ',' inside: close the '}' or "
     "put the value in quotes"),
    ("did not find expected key", "this line is not lined up with the keys of its block: indent it exactly as "
     "far as the key above it (or put text with ':' or '#' in quotes)"),
    ("did not find expected '-' indicator", "a list item is not lined up: start it with '- ' as far in as the "
     "items above it"),
    ("found unexpected end of stream", "a quote or a bracket is not closed"),
    ("could not find expected ':'", "a key without its ':', or a quoted text that runs over several lines"),
    ("found undefined alias", "'*' starts an alias in YAML: put the text in quotes"),
)


def syntax_hint(message: str) -> str:
    """A plain hint for a YAML parser message (``" — hint: ..."``), or "" when there is none."""
    for needle, hint in _SYNTAX_HINTS:
        if needle in message:
            return f" — {hint}"
    return ""


def _short(exc: BaseException, limit: int = 200) -> str:
    text = str(exc)
    return text if len(text) <= limit else text[:limit] + "..."


def _too_big(text: str, name: str) -> None:
    raw = text.encode("utf-8", "surrogatepass")
    line = raw.count(b"\n", 0, MAX_YAML_BYTES) + 1
    raise PlaybookError([Problem(Location(name, line, 1), f"text is larger than {MAX_YAML_BYTES:,} bytes, the most a "
                                 "YAML document may have (MAX_YAML_BYTES); the limit is reached on this line",
                                 LIMIT_CODE)])


def _children(node: Any) -> list[Any]:
    value = node.value
    if not isinstance(value, list):
        return []
    if value and isinstance(value[0], tuple):
        return [part for pair in value for part in pair]
    return value


def _limit_problem(root: Any, text: str, name: str, nodes: int | None = None, depth: int | None = None
                   ) -> Problem | None:
    """A problem when the composed document is past an alias, node or depth limit, else None.

    libyaml composes an alias as a second reference to the anchored node, so the node graph is
    small even when its expansion is not: its expanded size and depth are counted once per
    distinct node (iteratively, never expanding anything). Only when a limit is passed are the
    events scanned again to find the line of the alias (or node) that passes it.
    """
    nodes = MAX_YAML_NODES if nodes is None else nodes
    depth = MAX_YAML_DEPTH if depth is None else depth
    cap = max(nodes, 0) + 1
    size: dict[int, int] = {}
    height: dict[int, int] = {}
    on_stack: set[int] = set()
    edges = 0
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = _children(node)
        if done:
            on_stack.discard(key)
            size[key] = min(cap, 1 + sum(size[id(c)] for c in children))
            # a scalar is no level of nesting; a mapping or a list is one more than its deepest child
            levels = 1 + max((height[id(c)] for c in children), default=0) if isinstance(node.value, list) else 0
            height[key] = min(levels, depth + 1)
            continue
        if key in size:
            continue
        if key in on_stack:
            mark = node.start_mark
            return Problem(Location(name, mark.line + 1, mark.column + 1),
                           "an alias refers to the node that contains it (a recursive alias never ends)", LIMIT_CODE)
        on_stack.add(key)
        stack.append((node, True))
        edges += len(children)
        for child in children:
            if id(child) in on_stack:
                mark = child.start_mark
                return Problem(Location(name, mark.line + 1, mark.column + 1),
                               "an alias refers to the node that contains it (a recursive alias never ends)",
                               LIMIT_CODE)
            if id(child) not in size:
                stack.append((child, False))
    aliases = edges - (len(size) - 1)
    if aliases <= MAX_YAML_ALIASES and size[id(root)] <= nodes and height[id(root)] <= depth:
        return None
    if not text:  # a complex key of a document being converted: its own line
        mark = root.start_mark
        return Problem(Location(name, mark.line + 1, mark.column + 1), "this key is past a YAML limit (at most "
                       f"{MAX_YAML_NODES:,} nodes, {MAX_YAML_ALIASES:,} aliases, {MAX_YAML_DEPTH} levels of nesting)",
                       LIMIT_CODE)
    return _locate_limit(text, name)


def _locate_limit(text: str, name: str) -> Problem:
    """Scan the events of ``text`` (without composing) for the first place past a limit."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    # per open collection: [anchor, nodes so far, deepest level below it]
    open_nodes: list[list[Any]] = []
    anchors: dict[str, tuple[int, int]] = {}  # anchor -> (nodes, height)
    total = aliases = 0

    def where(event: Any) -> Location:
        return Location(name, event.start_mark.line + 1, event.start_mark.column + 1)

    def close(nodes: int, levels: int, anchor: Any) -> None:
        if anchor is not None:
            anchors[anchor] = (nodes, levels)
        if open_nodes:
            open_nodes[-1][1] += nodes
            open_nodes[-1][2] = max(open_nodes[-1][2], levels)

    try:
        while loader.check_event():
            event = loader.get_event()
            depth = len(open_nodes)
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                total += 1
                if depth + 1 > MAX_YAML_DEPTH:
                    return _depth_problem(where(event))
                open_nodes.append([event.anchor, 1, 0])
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                anchor, nodes, levels = open_nodes.pop()
                close(nodes, levels + 1, anchor)
            elif isinstance(event, yaml.ScalarEvent):
                total += 1
                close(1, 0, event.anchor)
            elif isinstance(event, yaml.AliasEvent):
                aliases += 1
                if aliases > MAX_YAML_ALIASES:
                    return Problem(where(event), f"more than {MAX_YAML_ALIASES:,} aliases ('*name') in one "
                                   "document, the most allowed (MAX_YAML_ALIASES)", LIMIT_CODE)
                nodes, levels = anchors.get(event.anchor, (1, 0))
                if depth + levels > MAX_YAML_DEPTH:
                    return _depth_problem(where(event), alias=True)
                total += nodes
                close(nodes, levels, None)
            if total > MAX_YAML_NODES:
                return Problem(where(event), f"the document expands to more than {MAX_YAML_NODES:,} nodes once its "
                               "aliases are resolved, the most allowed (MAX_YAML_NODES); the limit is passed here",
                               LIMIT_CODE)
    finally:
        loader.dispose()
    return Problem(Location(name, 1, 1), f"the document is past a YAML limit (at most {MAX_YAML_NODES:,} nodes, "
                   f"{MAX_YAML_ALIASES:,} aliases, {MAX_YAML_DEPTH} levels of nesting)", LIMIT_CODE)


def _depth_problem(location: Location, alias: bool = False) -> Problem:
    how = " once this alias is resolved" if alias else ""
    return Problem(location, f"mappings and lists nested deeper than {MAX_YAML_DEPTH} levels{how}, the most allowed "
                   "(MAX_YAML_DEPTH)", LIMIT_CODE)


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
