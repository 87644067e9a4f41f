"""The recall's two printed notices (seed 004: announce the recall; tell the platform).

* the **recall notice** a buyer or the public reads, one per language: the heading "Product safety
  recall", the product with its picture, SKUs, batches, when and where it was sold and the units;
  the hazard in plain words; "stop using it"; the remedy, free of charge; how to reach us; the
  invitation to tell others (EU GPSR art. 36(2) and the template of Implementing Regulation (EU)
  2024/1435; US 16 CFR 1115.27: product description, hazard, remedy, how to take part, units);
* the **platform notice** to each marketplace's seller support, in the platform's language: the
  recall, the orders on that platform, what the seller has done and what it asks of the platform.

Both are HTML pages, printed to PDF with Chromium (:class:`aftersales.render.pdf.PdfPrinter`).
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from .spec import Recall, picture_data_uri, recall_words

__all__ = ["notice_html", "platform_notice_html"]

TEMPLATE_DIR = Path(__file__).with_name("templates")
_WORD_KEYS = ("send_to", "recall_number", "product", "product_name", "sku", "batch", "sold", "units", "hazard", "what_to_do",
              "stop_using", "remedy", "contact", "share", "platform_intro", "platform_orders", "platform_done",
              "platform_ask", "platform_contact")


@lru_cache(maxsize=1)
def _environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    return Environment(loader=FileSystemLoader(str(TEMPLATE_DIR)), autoescape=select_autoescape(["html", "j2"]),
                       undefined=StrictUndefined)


def _common(recall: Recall, lang: str, day: date) -> dict[str, Any]:
    from ..present.formats import format_day
    from ..render.fonts import css_font_stack

    seller = recall.text("seller", lang) or recall.text("seller", "en") or next(iter(recall.seller.values()), "")
    issued = recall_words("issued", lang, date=format_day(day, lang), seller=seller) if seller else format_day(day, lang)
    return {
        "lang": lang, "font_stack": css_font_stack(lang), "recall_id": recall.recall_id,
        "heading": recall_words("heading", lang), "words": {key: recall_words(key, lang) for key in _WORD_KEYS},
        "product": recall.text("product_name", lang), "skus": ", ".join(recall.skus),
        "batches": ", ".join(recall.batches) if recall.batches else recall_words("all_batches", lang),
        "hazard": recall.text("hazard_description", lang),
        "remedy": recall_words(f"remedy_{recall.remedy}", lang),
        "contact": recall_words("contact_text", lang, contact=recall.text("contact", lang)),
        "issued": issued,
    }


def notice_html(recall: Recall, lang: str, *, day: date, platforms: list[str], units: int | None = None,
                sold_from: date | None = None, sold_to: date | None = None) -> str:
    """The recall notice in ``lang`` (one A4 page): ``platforms`` are the display names of where
    it was sold, ``units`` the units sold (None: not said), ``sold_from``/``sold_to`` the first and
    last order dates. Source: seed 004; EU GPSR art. 36(2); 16 CFR 1115.27."""
    from ..present.formats import format_day

    where = ", ".join(platforms)
    if sold_from and sold_to:
        sold = recall_words("sold_text", lang, where=where, **{"from": format_day(sold_from, lang),
                                                                "to": format_day(sold_to, lang)})
    else:
        sold = recall_words("sold_where", lang, where=where) if where else ""
    context = {**_common(recall, lang, day), "sold": sold,
               "units": recall_words("units_text", lang, n=units) if units else "",
               "incidents": recall_words("incidents", lang, n=recall.incidents) if recall.incidents else "",
               "picture": picture_data_uri(recall.picture) if recall.picture else ""}
    return str(_environment().get_template("notice.html.j2").render(**context))


def platform_notice_html(recall: Recall, lang: str, *, day: date, platform_name: str, send_to: str, orders: int,
                         buyers: int, units: int) -> str:
    """The notice to ``platform_name``'s seller support in ``lang``: the recall, the ``orders`` of
    ``buyers`` buyers (``units`` units) on it, what the seller did and asks; ``send_to`` is where
    the platform takes it. Source: seed 004."""
    from ..present.formats import format_day

    context = {**_common(recall, lang, day),
               "title": recall_words("platform_title", lang, platform=platform_name), "send_to": send_to,
               "orders": recall_words("platform_orders_text", lang, orders=orders, buyers=buyers, units=units),
               "done": recall_words("platform_done_items", lang, date=format_day(day, lang)),
               "ask": recall_words("platform_ask_items", lang)}
    return str(_environment().get_template("platform_notice.html.j2").render(**context))
