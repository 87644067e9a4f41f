"""The SOP layouts: Jinja2 templates for HTML (autoescaped) and Markdown (escaped by default).

Everything that comes from a playbook or an example fact is text, never markup: the HTML
environment autoescapes, and the Markdown environment escapes ``<``, ``>`` and ``&`` in every
output (so no raw HTML reaches a Markdown viewer) and table cells also escape ``|``.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

TEMPLATES = Path(__file__).with_name("templates")


class _MdSafe(str):
    """Markdown text already escaped by a filter (the default escaping leaves it alone)."""


def _md_escape(value: Any) -> str:
    if isinstance(value, _MdSafe):
        return value
    return escape("" if value is None else str(value), quote=False)


def _cell(value: Any) -> _MdSafe:
    text = _md_escape(value)
    return _MdSafe(text.replace("|", "\\|").replace("\r", "").replace("\n", "<br>"))


def _code(value: Any) -> _MdSafe:
    # inside backticks Markdown shows text literally; only a backtick would end the span
    return _MdSafe(str(value).replace("`", "'").replace("\n", " "))


def _quote(value: Any) -> _MdSafe:
    return _MdSafe("\n".join(f"> {line}" if line else ">" for line in _md_escape(value).splitlines()))


@lru_cache(maxsize=1)
def html_environment() -> jinja2.Environment:
    from .fonts import css_font_stack

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=False, lstrip_blocks=False)
    env.globals["font_stack"] = lambda lang: Markup(escape(css_font_stack(lang), quote=False))
    return env


@lru_cache(maxsize=1)
def markdown_environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=False, finalize=_md_escape,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.filters.update(cell=_cell, code=_code, quote=_quote)
    return env


def render_html(template: str, **context: Any) -> str:
    """Render an HTML template; pass trusted markup (our SVG) as ``Markup``."""
    return html_environment().get_template(template).render(**context)


def render_markdown(template: str, **context: Any) -> str:
    return markdown_environment().get_template(template).render(**context)


def trusted(markup: str) -> Markup:
    """Markup made by us (Graphviz's SVG of escaped labels), to embed without escaping."""
    return Markup(markup)

