"""The cause counts a product team and a supplier read (issue 20, part 7; seeds 000 and 001).

:func:`cause_report` turns the store's counts (:meth:`aftersales.cases.store.CaseStore.cause_counts`)
into three tables (per cause, per SKU, per supplier) with the causes in the reader's words, a
supplier filled from a product catalogue when the case did not name one, and a chart.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterable

from ..errors import AftersalesError
from .causes import CauseTable, cause_label, load_causes

__all__ = ["CauseReport", "cause_chart", "cause_report", "read_catalogue"]

#: The words of the report's own labels.
_WORDS = {
    "cause": {"en": "Cause", "zh": "原因", "ru": "Причина"},
    "sku": {"en": "SKU", "zh": "SKU", "ru": "Артикул"},
    "supplier": {"en": "Supplier", "zh": "供应商", "ru": "Поставщик"},
    "cases": {"en": "Cases", "zh": "案件数", "ru": "Обращений"},
    "share": {"en": "Share", "zh": "占比", "ru": "Доля"},
    "not_said": {"en": "(not recorded)", "zh": "（未记录）", "ru": "(не указано)"},
    "not_tagged": {"en": "(not tagged)", "zh": "（未标记）", "ru": "(не размечено)"},
    "title": {"en": "Cases by cause", "zh": "按原因统计的售后案件", "ru": "Обращения по причинам"},
    "by_sku": {"en": "By SKU and cause", "zh": "按 SKU 和原因", "ru": "По артикулам и причинам"},
    "by_supplier": {"en": "By supplier and cause", "zh": "按供应商和原因", "ru": "По поставщикам и причинам"},
    "since": {"en": "since", "zh": "起始", "ru": "с"},
    "until": {"en": "before", "zh": "截至（不含）", "ru": "до"},
    "none": {"en": "No cases in this period.", "zh": "此期间没有案件。", "ru": "За этот период обращений нет."},
}


def _w(key: str, lang: str) -> str:
    return _WORDS[key].get(lang) or _WORDS[key]["en"]


def _pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns (a Chinese character takes two)."""
    from ..render.flowchart import display_width

    return text + " " * max(width - display_width(text), 0)


def _width(texts: Iterable[str]) -> int:
    from ..render.flowchart import display_width

    return max((display_width(t) for t in texts), default=0)


@dataclass
class CauseReport:
    """Counts of cases per cause, per SKU × cause and per supplier × cause, in ``lang``."""

    lang: str
    since: date | None
    until: date | None
    rows: list[tuple[str | None, str | None, str | None, int]]  # (cause, sku, supplier, cases)
    table: CauseTable = field(repr=False)

    @property
    def total(self) -> int:
        return sum(row[3] for row in self.rows)

    def _label(self, cause: str | None) -> str:
        return cause_label(cause, self.lang, self.table) if cause else _w("not_tagged", self.lang)

    def _sum(self, key: Any) -> list[tuple[Any, int]]:
        totals: dict[Any, int] = {}
        for row in self.rows:
            totals[key(row)] = totals.get(key(row), 0) + row[3]
        return sorted(totals.items(), key=lambda item: (-item[1], str(item[0])))

    def by_cause(self) -> list[tuple[str, int]]:
        """(cause words, cases), most first."""
        return [(self._label(cause), n) for cause, n in self._sum(lambda r: r[0])]

    def by_sku(self) -> list[tuple[str, str, int]]:
        """(SKU, cause words, cases), most first."""
        return [(sku or _w("not_said", self.lang), self._label(cause), n)
                for (sku, cause), n in self._sum(lambda r: (r[1], r[0]))]

    def by_supplier(self) -> list[tuple[str, str, int]]:
        """(supplier, cause words, cases), most first."""
        return [(supplier or _w("not_said", self.lang), self._label(cause), n)
                for (supplier, cause), n in self._sum(lambda r: (r[2], r[0]))]

    def text(self) -> str:
        """The three tables as plain text (``aftersales cases causes``)."""
        lang = self.lang
        period = " ".join(part for part in (
            f"{_w('since', lang)} {self.since.isoformat()}" if self.since else "",
            f"{_w('until', lang)} {self.until.isoformat()}" if self.until else "") if part)
        lines = [f"{_w('title', lang)}{' (' + period + ')' if period else ''}: {self.total}"]
        if not self.rows:
            return "\n".join([*lines, _w("none", lang)])
        width = _width([_w("cause", lang), *(label for label, _ in self.by_cause())])
        lines.append(f"  {_pad(_w('cause', lang), width)}  {_w('cases', lang):>7}  {_w('share', lang):>6}")
        for label, n in self.by_cause():
            lines.append(f"  {_pad(label, width)}  {n:>7}  {n / self.total:>6.0%}")
        for title, rows in (("by_sku", self.by_sku()), ("by_supplier", self.by_supplier())):
            lines.append("")
            lines.append(_w(title, lang) + ":")
            first, second = _width(r[0] for r in rows), _width(r[1] for r in rows)
            for name, label, n in rows:
                lines.append(f"  {_pad(name, first)}  {_pad(label, second)}  {n:>7}")
        return "\n".join(lines)

    def csv(self) -> str:
        """One row per cause × SKU × supplier: cause id, cause words, sku, supplier, cases."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["cause", "cause_words", "sku", "supplier", "cases"])
        for cause, sku, supplier, n in self.rows:
            writer.writerow([cause or "", self._label(cause), sku or "", supplier or "", n])
        return out.getvalue()

    def json(self) -> str:
        return json.dumps({
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "total": self.total,
            "rows": [{"cause": cause, "cause_words": self._label(cause), "sku": sku, "supplier": supplier, "cases": n}
                     for cause, sku, supplier, n in self.rows],
        }, ensure_ascii=False, indent=2)


def read_catalogue(path: Path | str) -> dict[str, str]:
    """SKU → supplier from a product catalogue CSV with the columns ``sku`` and ``supplier`` (any
    others are ignored). Raises :class:`AftersalesError` naming the file, the line and what is
    missing."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            columns = [c.strip().lower() for c in reader.fieldnames or []]
            if "sku" not in columns or "supplier" not in columns:
                raise AftersalesError(f"{path}: a catalogue needs the columns sku and supplier; it has: "
                                      f"{', '.join(reader.fieldnames or []) or '(no header)'}")
            suppliers: dict[str, str] = {}
            for line, row in enumerate(reader, start=2):
                cells = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
                if not cells.get("sku"):
                    raise AftersalesError(f"{path}:{line}: the sku cell is empty")
                if cells.get("supplier"):
                    suppliers[cells["sku"]] = cells["supplier"]
            return suppliers
    except OSError as exc:
        raise AftersalesError(f"{path}: cannot read the catalogue ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise AftersalesError(f"{path}: the catalogue is not UTF-8 text") from None


def cause_report(rows: Iterable[tuple[str | None, str | None, str | None, int]], *, lang: str = "en",
                 since: date | None = None, until: date | None = None, catalogue: dict[str, str] | None = None,
                 table: CauseTable | None = None) -> CauseReport:
    """The report of the store's ``rows`` (cause, sku, supplier, cases) in ``lang``; a case with a
    SKU but no supplier takes the supplier ``catalogue`` gives its SKU. Source: seeds 000, 001."""
    merged: dict[tuple[str | None, str | None, str | None], int] = {}
    for cause, sku, supplier, n in rows:
        if not supplier and sku and catalogue:
            supplier = catalogue.get(sku)
        key = (cause, sku, supplier)
        merged[key] = merged.get(key, 0) + n
    ordered = sorted(((*key, n) for key, n in merged.items()), key=lambda r: (-r[3], r[0] or "", r[1] or "", r[2] or ""))
    return CauseReport(lang, since, until, ordered, table if table is not None else load_causes())


def cause_chart(report: CauseReport, path: Path | str | None = None, *, top: int = 12) -> Any:
    """A horizontal bar chart of the cases per cause (the ``top`` most frequent), with the causes in
    the report's language: returns the matplotlib figure, also saved to ``path`` (PNG/SVG) when given."""
    import matplotlib

    if path is not None:
        matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    from ..render.fonts import font_families

    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    families = [family for family in font_families(report.lang) if family in installed] or ["sans-serif"]
    counts = report.by_cause()[:top]
    figure, axes = plt.subplots(figsize=(7.5, 0.45 * max(len(counts), 1) + 1.2))
    labels = [label for label, _ in counts][::-1]
    values = [n for _, n in counts][::-1]
    axes.barh(labels, values, color="#3b6ea5")
    for y, value in enumerate(values):
        axes.text(value, y, f" {value}", va="center", fontsize=9)
    from matplotlib.ticker import MaxNLocator

    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel(_w("cases", report.lang))
    axes.set_title(_w("title", report.lang) + (f" ({report.total})" if report.total else ""))
    for text in [*axes.get_yticklabels(), axes.title, axes.xaxis.label]:
        text.set_fontfamily(families)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    if path is not None:
        figure.savefig(path, dpi=150)
        plt.close(figure)
    return figure

