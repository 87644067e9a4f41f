"""The SOP library's front pages: a link to every document and the coverage matrix
(scenario × platform × language, with each document's status), one page per language.

``index.html`` / ``index.md`` are in English, ``index.zh.html``, ``index.ru.html`` (and ``.md``) in
Chinese and Russian: scenarios and platforms by their names in that language (from the playbooks'
``title`` and the platform profiles' ``name``), never by their ids; each page links the others.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from ..present.words import word
from .fonts import css_font_stack
from .plan import FORMATS, LANGS, Job

_MARK = {"ok": "✓", "cached": "✓", "failed": "✗", None: "—"}

#: The names of scenarios and platforms: id → {lang: name}.
Names = dict[str, dict[str, dict[str, str]]]


def library_names(playbooks: Path) -> Names:
    """``{"scenarios": {id: {lang: title}}, "platforms": {id: {lang: name}}}`` read from the playbooks
    folder's YAML (the ``title`` of each playbook, the ``name`` of each platform profile) without
    compiling anything; a file that cannot be read is left out (its id is shown instead)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    names: Names = {"scenarios": {}, "platforms": {}}
    for kind, folder, key in (("scenarios", playbooks, "title"), ("platforms", playbooks / "platforms", "name")):
        for path in sorted(folder.glob("*.yaml")):
            try:
                data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
            except (OSError, yaml.YAMLError):
                continue
            text = data.get(key) if isinstance(data, dict) else None
            if isinstance(text, dict):
                names[kind][path.stem] = {str(k): str(v) for k, v in text.items()}
    return names


def _name(names: Names | None, kind: str, code: str, lang: str) -> str:
    text = (names or {}).get(kind, {}).get(code) or {}
    return text.get(lang) or text.get("en") or code


def index_file(lang: str, suffix: str) -> str:
    """``index.html`` for English, ``index.<lang>.html`` for the others (``suffix``: html or md)."""
    return f"index.{suffix}" if lang == "en" else f"index.{lang}.{suffix}"


def _entries(jobs: list[Job], manifest: dict[str, dict]) -> dict[tuple[str, str, str], dict[str, Any]]:
    """(scenario, platform, lang) → status, formats, error: this run's jobs over what the manifest remembers."""
    cells: dict[tuple[str, str, str], dict[str, Any]] = {}
    for doc_id, entry in (manifest.items() if isinstance(manifest, dict) else ()):
        scenario, _, rest = str(doc_id).partition("/")
        platform, _, lang = rest.rpartition(".")
        if not (scenario and platform and lang) or not isinstance(entry, dict):
            continue  # not an entry this toolkit writes (a hand-edited or damaged manifest)
        cells[(scenario, platform, lang)] = {"status": entry.get("status"), "formats": list(entry.get("formats") or []),
                                             "error": str(entry.get("error") or "")}
    for job in jobs:  # an up-to-date document is simply ready: the index does not change on a no-op rerun
        if job.status in ("ok", "failed", "cached"):
            cells[(job.scenario, job.platform, job.lang)] = {"status": "failed" if job.status == "failed" else "ok",
                                                             "formats": list(job.formats), "error": job.error}
    return cells


def _axes(cells: dict) -> tuple[list[str], list[str], list[str]]:
    scenarios = sorted({k[0] for k in cells})
    platforms = sorted({k[1] for k in cells})
    langs = [lang for lang in LANGS if any(k[2] == lang for k in cells)]
    return scenarios, platforms, langs


def _links(out: Path, scenario: str, platform: str, lang: str, formats: list[str], md: bool = False) -> list[str]:
    links = []
    for fmt in FORMATS:
        if fmt in formats and (out / scenario / f"{platform}.{lang}.{fmt}").exists():
            href = f"{scenario}/{platform}.{lang}.{fmt}"
            links.append(f"[{fmt}]({href})" if md else f'<a href="{escape(href)}">{fmt}</a>')
    sheet = f"{scenario}/{platform}.{lang}.sheet.pdf"
    if (out / sheet).exists():
        links.append(f"[{word('sheet', lang)}]({sheet})" if md else f'<a href="{escape(sheet)}">{escape(word("sheet", lang))}</a>')
    return links


def _matrix(out: Path, jobs: list[Job], manifest: dict[str, dict], md: bool):
    """The coverage rows: (scenario, platform, [(lang, cell or None, links)]), and the languages."""
    cells = _entries(jobs, manifest)
    scenarios, platforms, langs = _axes(cells)
    rows = []
    for scenario in scenarios:
        for platform in platforms:
            row = []
            for lang in langs:
                cell = cells.get((scenario, platform, lang))
                links = " · ".join(_links(out, scenario, platform, lang, cell["formats"], md=md)) if cell else ""
                row.append((lang, cell, links))
            rows.append((scenario, platform, row))
    return rows, langs, cells


def _other_pages(lang: str, suffix: str) -> list[tuple[str, str]]:
    """(the language's own name, file) of this index in the other languages."""
    from ..present.words import catalogue

    names = catalogue()["language_names"]
    return [(names[other][other], index_file(other, suffix)) for other in LANGS if other != lang]


def index_html(out: Path, jobs: list[Job], manifest: dict[str, dict], lang: str = "en",
               names: Names | None = None) -> str:
    rows, langs, cells = _matrix(out, jobs, manifest, md=False)
    counts = {s: sum(1 for c in cells.values() if c["status"] == s) for s in ("ok", "failed")}
    head = "".join(f"<th>{escape(_language(code, lang))}</th>" for code in langs)
    html_rows = []
    for scenario, platform, row in rows:
        tds = []
        for _lang, cell, links in row:
            if cell is None:
                tds.append('<td class="none">—</td>')
                continue
            status = cell["status"]
            mark = _MARK.get(status, status) + (" " + word("failed", lang) if status == "failed" else "")
            error = f'<div class="err">{escape(cell["error"])}</div>' if status == "failed" else ""
            tds.append(f'<td class="{escape(str(status))}">{escape(mark)} {links}{error}</td>')
        html_rows.append(f"<tr><th>{escape(_name(names, 'scenarios', scenario, lang))}</th>"
                         f"<td>{escape(_name(names, 'platforms', platform, lang))}</td>{''.join(tds)}</tr>")
    binders = " · ".join(f'<a href="binder.{code}.pdf">{escape(word("binder", lang))} ({escape(_language(code, lang))})</a>'
                         for code in langs if (out / f"binder.{code}.pdf").exists())
    others = " · ".join(f'<a href="{escape(file)}">{escape(label)}</a>' for label, file in _other_pages(lang, "html"))
    title = word("index_title", lang)
    return f"""<!DOCTYPE html>
<html lang="{escape(lang)}"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>body{{font-family:{css_font_stack(lang)};max-width:1100px;margin:1em auto;padding:0 12px}}
table{{border-collapse:collapse}}td,th{{border:1px solid #d5dde8;padding:4px 8px;text-align:left;vertical-align:top}}
td.failed{{background:#fdecea}}td.ok{{background:#eef8ef}}.err{{color:#b3261e;font-size:85%;max-width:28em}}</style>
</head><body>
<p>{escape(word("index_in", lang))} {others}</p>
<h1>{escape(title)}</h1>
<p>{escape(word("index_counts", lang, ok=counts['ok'], failed=counts['failed']))}
{escape(word("index_formats", lang))}
{escape(word("index_sources", lang))} <a href="sources.html">{escape(word("sources", lang))}</a>.</p>
{f"<p>{binders}</p>" if binders else ""}
<h2>{escape(word("coverage", lang))}</h2>
<table><tr><th>{escape(word("scenario", lang))}</th><th>{escape(word("platform", lang))}</th>{head}</tr>
{chr(10).join(html_rows)}
</table>
</body></html>
"""


def _language(code: str, lang: str) -> str:
    from ..present.words import catalogue

    return str(catalogue()["language_names"][code].get(lang) or code)


def index_markdown(out: Path, jobs: list[Job], manifest: dict[str, dict], lang: str = "en",
                   names: Names | None = None) -> str:
    rows, langs, _cells = _matrix(out, jobs, manifest, md=True)
    others = " · ".join(f"[{label}]({file})" for label, file in _other_pages(lang, "md"))
    lines = [f"{word('index_in', lang)} {others}", "", f"# {word('index_title', lang)}", "",
             f"{word('index_sources', lang)} [{word('sources', lang)}](sources.md).", "",
             f"## {word('coverage', lang)}", "",
             f"| {word('scenario', lang)} | {word('platform', lang)} | " + " | ".join(_language(c, lang) for c in langs) + " |",
             "|---|---|" + "---|" * len(langs)]
    failures = []
    for scenario, platform, row in rows:
        texts = []
        for code, cell, links in row:
            if cell is None:
                texts.append("—")
                continue
            texts.append(f"{_MARK.get(cell['status'], cell['status'])} {links}")
            if cell["status"] == "failed":
                failures.append(f"- `{scenario}/{platform}.{code}`: {escape(cell['error'], quote=False)}")
        lines.append(f"| {escape(_name(names, 'scenarios', scenario, lang), quote=False)} | "
                     f"{escape(_name(names, 'platforms', platform, lang), quote=False)} | " + " | ".join(texts) + " |")
    if failures:
        lines += ["", f"## {word('index_failed', lang)}", "", *failures]
    return "\n".join(lines) + "\n"
