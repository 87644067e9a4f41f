"""A playbook's decision flowchart as a picture that needs nothing at reading time.

:func:`flowchart_dot` writes the playbook's graph as Graphviz DOT (top to bottom, one rounded
box per step, one green box per outcome, one arrow per branch); :func:`flowchart_svg` lets
Graphviz's ``dot`` lay it out as SVG that can be inlined in HTML: no CDN, no JavaScript.

Steps are numbered breadth-first from the start step, following the branches in their order
(:func:`step_numbers`); the SOP's numbered checklist uses the same numbers.

Every text taken from a playbook is escaped for DOT's HTML-like labels, so titles with quotes,
``<``, ``>``, ``&`` or backslashes are drawn literally.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from ..errors import AftersalesError, UnknownNameError
from ..playbook.compiled import CompiledBranch, CompiledOutcome, CompiledPlaybook, CompiledStep
from ..playbook.model import LANGS
from ..present.view import step_numbers
from ..present.words import term, word
from .fonts import dot_font_list

DOT_TIMEOUT_S = 30
TITLE_WIDTH = 24  # display columns per line of a node's title (a CJK character counts 2)
ASKS_WIDTH = 40  # ... of the asked inputs under a question's title
LABEL_WIDTH = 28  # ... of an edge label
LABEL_MAX = 80  # display columns of an edge label at most; longer ones end in an ellipsis
SHORT_REASON = 2 * LABEL_WIDTH  # a reason this wide or narrower labels its edge itself
ELLIPSIS = "…"
OTHERWISE = {"en": "otherwise", "zh": "其他情况", "ru": "иначе"}

STEP_STYLE = 'shape=box, style="rounded,filled", fillcolor="#eef3fa", color="#46648c"'
OUTCOME_STYLE = 'shape=box, style="filled", fillcolor="#dcf0dc", color="#2e7d32"'
SMALL_FONT = '<font point-size="10" color="#555555">'

INSTALL_HINT = ("Graphviz's `dot` is needed for the SOP flowcharts: install Debian's package `graphviz` "
                "(apt-get install graphviz) or run `bash .ci/install-render-tools.sh`")


class RenderToolMissing(AftersalesError):
    """A program the SOP renderer runs (Graphviz's ``dot``) is not installed."""


class RenderToolFailed(AftersalesError):
    """Graphviz's ``dot`` ran but failed or did not finish in time."""


# ---------------------------------------------------------------------------- numbering


# ---------------------------------------------------------------------------- text


@lru_cache(maxsize=1 << 16)
def display_width(text: str) -> int:
    """Columns ``text`` takes: wide (CJK) characters count 2, combining marks 0 (cached: wrapping
    asks for the same words and lines again and again, ~1.8 million characters per library)."""
    return sum(_char_width(char) for char in text)


@lru_cache(maxsize=1 << 14)
def _char_width(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def truncate(text: str, limit: int = LABEL_MAX) -> str:
    """``text`` cut to at most ``limit`` display columns, ending in an ellipsis when cut."""
    if display_width(text) <= limit:
        return text
    kept, used = [], display_width(ELLIPSIS)
    for char in text:
        used += _char_width(char)
        if used > limit:
            break
        kept.append(char)
    return "".join(kept).rstrip() + ELLIPSIS


# Punctuation that may not begin a line: it stays on the previous one, even if a bit too long.
_CLOSING = frozenset("，。、：；？！）」』】》〉…,.;:!?)]}")
# Code-like text (a condition's source) may also break after these; a too long word after "_".
_BREAK_AFTER = frozenset(".,/(")


def _tokens(text: str) -> list[tuple[bool, str]]:
    """``text`` as (preceded by a space, word) pairs; each wide (CJK) character is a word."""
    tokens: list[tuple[bool, str]] = []
    space, word = False, ""
    for char in text:
        if char.isspace() or _char_width(char) == 2:
            if word:
                tokens.append((space, word))
                space, word = False, ""
            if char.isspace():
                space = True
            else:
                tokens.append((space, char))
                space = False
            continue
        word += char
        if char in _BREAK_AFTER:
            tokens.append((space, word))
            space, word = False, ""
    if word:
        tokens.append((space, word))
    return tokens


def wrap(text: str, width: int) -> list[str]:
    """Break ``text`` into lines of at most ``width`` display columns.

    Lines break at spaces, between CJK characters and after ``. , / (``; a longer word is
    cut, after its last ``_`` that fits if it has one. Closing punctuation never starts a
    line (it may overhang by its own width).
    """
    lines: list[str] = []
    line = ""
    for space, token in _tokens(text):
        joined = line + (" " if space and line else "") + token
        if not line or display_width(joined) <= width or token in _CLOSING:
            line = joined
        else:
            lines.append(line)
            line = token
        while display_width(line) > width and not _fits_with_overhang(line, width):
            head, line = _cut(line, width)
            lines.append(head)
    if line:
        lines.append(line)
    return lines


def wrap_balanced(text: str, width: int) -> list[str]:
    """:func:`wrap` into as few lines as ``width`` allows, but of similar lengths.

    ``"偏差超出误差范围，属于质量问题。"`` becomes two halves, not 14 characters and an orphan.
    """
    lines = wrap(text, width)
    if len(lines) < 2:
        return lines
    longest_word = max(display_width(token) for _space, token in _tokens(text))
    narrowest = max(-(-display_width(" ".join(lines)) // len(lines)), longest_word)
    for narrower in range(narrowest, width):
        candidate = wrap(text, narrower)
        if len(candidate) <= len(lines):
            return candidate
    return lines


def _fits_with_overhang(line: str, width: int) -> bool:
    """A line that only overflows by closing punctuation at its end is kept whole."""
    return display_width(line.rstrip("".join(_CLOSING))) <= width


def _cut(text: str, width: int) -> tuple[str, str]:
    """Split an over-long word: at most ``width`` columns (up to its last fitting "_"), the rest."""
    used, index = 0, len(text)
    for position, char in enumerate(text):
        used += _char_width(char)
        if used > width:
            index = max(position, 1)
            break
    underscore = text.rfind("_", 0, index)
    if index < len(text) and underscore >= index // 2:
        index = underscore + 1
    return text[:index].rstrip(), text[index:].lstrip()


def html_text(text: str) -> str:
    """``text`` escaped for a DOT HTML-like label: drawn literally, whatever it contains.

    XML's special characters become entities; a backslash is doubled because ``dot`` reads
    ``\\N``, ``\\G`` … in labels as the node's or graph's name; control characters (not
    allowed in the SVG's XML) become spaces.
    """
    text = "".join(char if char >= " " else " " for char in text)
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            .replace("\\", "\\\\"))


def _lines(lines: Iterable[str]) -> str:
    return "<br/>".join(html_text(line) for line in lines)


def _quoted(node_id: str) -> str:
    """A DOT quoted identifier."""
    return '"' + node_id.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _in(text: Mapping[str, str] | None, lang: str) -> str:
    """The ``lang`` text of a multilingual field (English if that language is missing)."""
    if not text:
        return ""
    return text.get(lang) or text.get("en") or ""


# ---------------------------------------------------------------------------- labels


def branch_label(branch: CompiledBranch, lang: str, playbook: CompiledPlaybook | None = None,
                 params: Mapping[str, Any] | None = None) -> str:
    """The text on a branch's arrow, unwrapped and capped at :data:`LABEL_MAX` columns.

    The branch's reason in ``lang`` when it is short, else its condition in words (with
    ``playbook``; the platform's values from ``params``), else the reason cut short, else (a
    default branch) "otherwise" in ``lang``. Without ``playbook``, the condition as written.
    """
    reason = _in(branch.reason, lang).strip()
    if reason and display_width(reason) <= SHORT_REASON:
        text = reason
    elif branch.condition is not None:
        words = None
        if playbook is not None:
            from ..present.conditions import condition_words

            words = condition_words(branch.condition, playbook, lang, params)
        text = words or (reason if playbook is not None and reason else branch.condition.source)
    else:
        text = OTHERWISE[lang]
    return truncate(" ".join(text.split()))


def _step_label(playbook: CompiledPlaybook, step: CompiledStep, number: int, lang: str) -> str:
    title = wrap_balanced(_in(step.title, lang), TITLE_WIDTH) or [step.id]
    label = f"<b>{number}.</b> {_lines(title)}"
    if step.kind == "question" and step.ask:
        asks = " · ".join(_input_label(playbook, name, lang) for name in step.ask)
        label += f"<br/>{SMALL_FONT}{_lines(wrap(asks, ASKS_WIDTH))}</font>"
    return label


def _input_label(playbook: CompiledPlaybook, name: str, lang: str) -> str:
    spec = playbook.inputs.get(name)
    return (_in(spec.spec.label, lang) or name) if spec is not None else name


def _outcome_label(outcome: CompiledOutcome, lang: str) -> str:
    title = wrap_balanced("⇒ " + _in(outcome.title, lang), TITLE_WIDTH)
    resolution = term("resolutions", outcome.resolution, lang)
    return f"{_lines(title)}<br/>{SMALL_FONT}{html_text(resolution)}</font>"


# ---------------------------------------------------------------------------- DOT


LINK_STYLE = 'shape=box, style="rounded,dashed,filled", fillcolor="#fff8e1", color="#8d6e00"'


def flowchart_dot(playbook: CompiledPlaybook, lang: str, keep: Any = None, chart: Any = None) -> str:
    """The playbook's decision flowchart in ``lang`` as Graphviz DOT source.

    Deterministic: steps in :func:`step_numbers` order, then outcomes in file order, then one
    edge per branch (or ``next``) in step and branch order. Default branches are dashed. With
    ``keep`` (what applies on a platform), only its steps, branches and outcomes are drawn; with
    ``chart`` (a :class:`~aftersales.render.subflows.Chart`), only that part, its links to
    sub-charts drawn as one box each ("→ chart 2").
    """
    _check_lang(lang)
    numbers = step_numbers(playbook, keep)
    if chart is not None:
        return _chart_dot(playbook, lang, keep, chart, numbers)
    lines = [
        f"digraph {_quoted(playbook.scenario)} {{",
        f'  graph [rankdir=TB, fontname="{dot_font_list(lang)}", nodesep=0.25, ranksep=0.45, pad=0.1];',
        f'  node [fontname="{dot_font_list(lang)}", fontsize=12, margin="0.14,0.06", {STEP_STYLE}];',
        f'  edge [fontname="{dot_font_list(lang)}", fontsize=10, color="#555555", fontcolor="#333333", arrowsize=0.7];',
    ]
    for step_id, number in numbers.items():
        step = playbook.steps[step_id]
        lines.append(f"  {_quoted(step_id)} [label=<{_step_label(playbook, step, number, lang)}>];")
    for outcome_id, outcome in playbook.outcomes.items():
        if keep is None or outcome_id in keep.outcomes:
            lines.append(f"  {_quoted(outcome_id)} [{OUTCOME_STYLE}, label=<{_outcome_label(outcome, lang)}>];")
    for step_id in numbers:
        lines.extend(_step_edges(playbook.steps[step_id], lang,
                                 None if keep is None else keep.branches.get(step_id, ()),
                                 playbook if keep is not None else None, getattr(keep, "params", None)))
    lines.append("}")
    return "\n".join(lines) + "\n"


def _chart_dot(playbook: CompiledPlaybook, lang: str, keep: Any, chart: Any, numbers: dict[str, int],
               rankdir: str = "TB") -> str:
    """One chart of a split flowchart (see :func:`flowchart_dot`)."""
    lines = [
        f"digraph {_quoted(playbook.scenario + '_' + str(chart.number))} {{",
        f'  graph [rankdir={rankdir}, fontname="{dot_font_list(lang)}", nodesep=0.25, ranksep=0.45, pad=0.1];',
        f'  node [fontname="{dot_font_list(lang)}", fontsize=12, margin="0.14,0.06", {STEP_STYLE}];',
        f'  edge [fontname="{dot_font_list(lang)}", fontsize=10, color="#555555", fontcolor="#333333", arrowsize=0.7];',
    ]
    drawn_steps = [s for s in numbers if s in chart.nodes]
    edges: list[str] = []
    shown: set[str] = set(chart.nodes)
    for step_id in drawn_steps:
        if step_id in chart.links and step_id != chart.root:
            continue
        taken = None if keep is None else keep.branches.get(step_id, ())
        step = playbook.steps[step_id]
        edges.extend(_step_edges(step, lang, taken, playbook, getattr(keep, "params", None)))
        shown |= {b.target for b in step.branches if taken is None or b.index in taken}
        if not step.branches and step.next:
            shown.add(step.next)
    for step_id in numbers:
        if step_id not in shown:
            continue
        step = playbook.steps[step_id]
        if step_id in chart.links and step_id != chart.root:
            title = _lines(wrap_balanced(f"→ {word('chart', lang)} {chart.links[step_id]}: {_in(step.title, lang)}", TITLE_WIDTH))
            lines.append(f"  {_quoted(step_id)} [{LINK_STYLE}, label=<<b>{numbers[step_id]}.</b> {title}>];")
        else:
            lines.append(f"  {_quoted(step_id)} [label=<{_step_label(playbook, step, numbers[step_id], lang)}>];")
    for outcome_id, outcome in playbook.outcomes.items():
        if outcome_id in shown:
            lines.append(f"  {_quoted(outcome_id)} [{OUTCOME_STYLE}, label=<{_outcome_label(outcome, lang)}>];")
    lines.extend(edges)
    lines.append("}")
    return "\n".join(lines) + "\n"


def _step_edges(step: CompiledStep, lang: str, taken: tuple[int, ...] | None = None,
                playbook: CompiledPlaybook | None = None, params: Mapping[str, Any] | None = None) -> list[str]:
    edges = []
    for branch in step.branches:
        if taken is not None and branch.index not in taken:
            continue
        label = _lines(wrap_balanced(branch_label(branch, lang, playbook, params), LABEL_WIDTH))
        dashed = ", style=dashed" if branch.condition is None else ""
        edges.append(f"  {_quoted(step.id)} -> {_quoted(branch.target)} [label=<{label}>{dashed}];")
    if not step.branches and step.next:
        edges.append(f"  {_quoted(step.id)} -> {_quoted(step.next)};")
    return edges


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise UnknownNameError("language", lang, LANGS)


# ---------------------------------------------------------------------------- SVG


def dot_available() -> bool:
    """Whether Graphviz's ``dot`` is on PATH."""
    return shutil.which("dot") is not None


def run_dot(source: str, output_format: str = "svg") -> bytes:
    """Lay ``source`` out with ``dot -T<output_format>`` and return what it writes.

    Raises :class:`RenderToolMissing` (saying what to install) when ``dot`` is not on PATH and
    :class:`RenderToolFailed` when it fails or runs longer than :data:`DOT_TIMEOUT_S`.
    """
    dot = shutil.which("dot")
    if dot is None:
        raise RenderToolMissing(INSTALL_HINT)
    try:
        done = subprocess.run([dot, f"-T{output_format}"], input=source.encode("utf-8"), capture_output=True,
                              timeout=DOT_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as exc:
        raise RenderToolFailed(f"Graphviz's dot did not finish within {DOT_TIMEOUT_S} s") from exc
    except OSError as exc:
        raise RenderToolFailed(f"Graphviz's dot could not run: {exc}") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", errors="replace").strip()
        raise RenderToolFailed(f"Graphviz's dot failed (exit code {done.returncode}): {message}")
    return done.stdout


_SVG_CACHE: dict[tuple[Any, ...], str] = {}


def flowchart_svg(playbook: CompiledPlaybook, lang: str, keep: Any = None) -> str:
    """The playbook's decision flowchart in ``lang`` as an SVG element to inline in HTML (with
    ``keep``: only what applies on a platform).

    No XML prolog or doctype; the drawing keeps its ``viewBox``, is ``width="100%"`` (at most
    its natural size) and its height follows. Cached per (content hash, language, what is kept).
    """
    _check_lang(lang)
    key = (playbook.content_hash, lang, None if keep is None else (keep.steps, keep.outcomes,
                                                                    tuple(sorted(keep.branches.items()))))
    cached = _SVG_CACHE.get(key)
    if cached is None:
        cached = inline_svg(run_dot(flowchart_dot(playbook, lang, keep)).decode("utf-8"))
        _SVG_CACHE[key] = cached
    return cached


def flowchart_svgs(playbook: CompiledPlaybook, lang: str, keep: Any = None) -> list[tuple[Any, str]]:
    """The flowchart split into legible charts (:func:`aftersales.render.subflows.split_charts`):
    ``(chart, svg)`` for the main chart, then each sub-chart. Cached like :func:`flowchart_svg`."""
    from .subflows import split_charts

    _check_lang(lang)
    result = []
    for chart in split_charts(playbook, keep):
        key = ("chart", playbook.content_hash, lang, chart.number, frozenset(chart.nodes),
               tuple(sorted(chart.links.items())))
        cached = _SVG_CACHE.get(key)
        if cached is None:
            cached = _legible_svg(playbook, lang, keep, chart)
            _SVG_CACHE[key] = cached
        result.append((chart, cached))
    return result


#: The printed area a chart gets: A4 landscape within 10 mm margins, in points.
CHART_AREA_PT = ((297 - 20) / 25.4 * 72, (210 - 20) / 25.4 * 72)


def chart_scale(svg: str, area: tuple[float, float] = CHART_AREA_PT) -> float:
    """How much a chart shrinks to fit ``area`` when printed (1: not at all)."""
    found = re.search(r'viewBox="[\d.-]+ [\d.-]+ ([\d.]+) ([\d.]+)"', svg)
    if not found:
        return 1.0
    width, height = float(found.group(1)), float(found.group(2))
    return min(1.0, area[0] / width, area[1] / height)


def _legible_svg(playbook: CompiledPlaybook, lang: str, keep: Any, chart: Any) -> str:
    """The chart laid out top to bottom, or left to right when that prints larger (a chart of many
    side-by-side outcomes)."""
    numbers = step_numbers(playbook, keep)
    best = ""
    for rankdir in ("TB", "LR"):
        if best and chart_scale(best) >= 1.0 - 0.02:
            break  # it prints at full size top to bottom: left to right could not print larger (one dot run saved)
        svg = inline_svg(run_dot(_chart_dot(playbook, lang, keep, chart, numbers, rankdir)).decode("utf-8"))
        if not best or chart_scale(svg) > chart_scale(best) + 0.02:
            best = svg
    return best


def clear_cache() -> None:
    """Forget every SVG made so far (tests; a changed Graphviz or font set)."""
    _SVG_CACHE.clear()


_SVG_SIZE = re.compile(r'\s(width|height)="([0-9.]+)pt"')


def inline_svg(svg: str) -> str:
    """``dot``'s SVG made fit for inlining: from ``<svg`` on, scaling to its container's width.

    The prolog, doctype and Graphviz's version comment go; the fixed width and height in pt
    become ``width="100%"`` and a ``max-width`` of the natural width.
    """
    start = svg.find("<svg")
    if start < 0:
        raise RenderToolFailed("Graphviz's dot wrote no <svg> element")
    svg = svg[start:]
    end = svg.index(">")
    tag = svg[:end]
    if "viewBox=" not in tag:
        raise RenderToolFailed("Graphviz's dot wrote an <svg> element without a viewBox")
    sizes = dict(_SVG_SIZE.findall(tag))
    tag = _SVG_SIZE.sub("", tag)
    style = f' style="max-width: {sizes["width"]}pt; height: auto"' if "width" in sizes else ""
    tag = tag.replace("<svg", f'<svg width="100%"{style}', 1)
    return tag + svg[end:]
