"""The SOP library's front page: a link to every document and the coverage matrix
(scenario × platform × language, with each document's status)."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from .plan import FORMATS, LANGS, Job

_MARK = {"ok": "✓", "cached": "✓", "failed": "✗ failed", None: "—"}


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


def index_html(out: Path, jobs: list[Job], manifest: dict[str, dict]) -> str:
    rows, langs, cells = _matrix(out, jobs, manifest, md=False)
    counts = {s: sum(1 for c in cells.values() if c["status"] == s) for s in ("ok", "failed")}
    head = "".join(f"<th>{escape(lang)}</th>" for lang in langs)
    html_rows = []
    for scenario, platform, row in rows:
        tds = []
        for _lang, cell, links in row:
            if cell is None:
                tds.append('<td class="none">—</td>')
                continue
            status = cell["status"]
            error = f'<div class="err">{escape(cell["error"])}</div>' if status == "failed" else ""
            tds.append(f'<td class="{escape(str(status))}">{_MARK.get(status, status)} {links}{error}</td>')
        html_rows.append(f"<tr><th>{escape(scenario)}</th><td>{escape(platform)}</td>{''.join(tds)}</tr>")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>SOP library</title>
<style>body{{font-family:"Noto Sans","Noto Sans CJK SC",sans-serif;max-width:1100px;margin:1em auto;padding:0 12px}}
table{{border-collapse:collapse}}td,th{{border:1px solid #d5dde8;padding:4px 8px;text-align:left;vertical-align:top}}
td.failed{{background:#fdecea}}td.ok{{background:#eef8ef}}.err{{color:#b3261e;font-size:85%;max-width:28em}}</style>
</head><body>
<h1>SOP library</h1>
<p>{counts['ok']} documents ready, {counts['failed']} failed.
Each document: Markdown, HTML and PDF where rendered.
The source documents the playbooks cite (<code>seed 000</code> … <code>seed 004</code>) are described in
<a href="sources.html">Sources</a>.</p>
<h2>Coverage</h2>
<table><tr><th>scenario</th><th>platform</th>{head}</tr>
{chr(10).join(html_rows)}
</table>
</body></html>
"""


def index_markdown(out: Path, jobs: list[Job], manifest: dict[str, dict]) -> str:
    rows, langs, _cells = _matrix(out, jobs, manifest, md=True)
    lines = ["# SOP library", "", "The source documents the playbooks cite (`seed 000` … `seed 004`) are described in "
             "[Sources](sources.md).", "", "## Coverage", "",
             "| scenario | platform | " + " | ".join(langs) + " |", "|---|---|" + "---|" * len(langs)]
    failures = []
    for scenario, platform, row in rows:
        texts = []
        for lang, cell, links in row:
            if cell is None:
                texts.append("—")
                continue
            texts.append(f"{_MARK.get(cell['status'], cell['status'])} {links}")
            if cell["status"] == "failed":
                failures.append(f"- `{scenario}/{platform}.{lang}`: {escape(cell['error'], quote=False)}")
        lines.append(f"| {scenario} | {platform} | " + " | ".join(texts) + " |")
    if failures:
        lines += ["", "## Failed", "", *failures]
    return "\n".join(lines) + "\n"
