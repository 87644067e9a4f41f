"""Which fonts the SOP documents, sheets and flowcharts ask for, per document language.

Chinese documents are set in WenQuanYi Micro Hei (Debian's ``fonts-wqy-microhei``), then Noto Sans
CJK. English and Russian documents are set in a Latin and Cyrillic font first (Noto Sans where
installed, else DejaVu Sans), with the CJK fonts only as the fallback for the odd Chinese word.

That is a matter of speed as much as of looks. A PDF carries every font it uses: a TrueType font
(WenQuanYi, DejaVu) goes in as a real font subset, cheaply; Noto Sans CJK is an OpenType/CFF
collection, which Chromium's PDF writer cannot subset and draws glyph by glyph instead (Type 3),
costing ~0.1-0.2 s per PDF and making bigger files. Measured on the claim SOP printed by one
Chromium: the Chinese document 0.40 s with Noto Sans CJK, 0.29 s with WenQuanYi; its one-page
sheet 0.30 s and 0.17 s; an English sheet 0.26 s with Noto Sans CJK first, 0.12 s with DejaVu Sans.

The flowchart's Graphviz labels use the same order, so that ``dot`` measures the text with the
font the browser then draws it in.
"""

from __future__ import annotations

__all__ = ["css_font_stack", "dot_font_list", "font_families"]

CJK = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans CJK JP")
LATIN_CYRILLIC = ("Noto Sans", "DejaVu Sans")
CONDENSED = "DejaVu Sans Condensed"


def font_families(lang: str) -> tuple[str, ...]:
    """The font families for a document in ``lang``, the preferred first (``zh``: CJK first)."""
    return (*CJK, *LATIN_CYRILLIC) if lang == "zh" else (*LATIN_CYRILLIC, *CJK)


def css_font_stack(lang: str) -> str:
    """A CSS ``font-family`` value for ``lang``: ``"Noto Sans", "DejaVu Sans", … , sans-serif``."""
    return ", ".join(f'"{family}"' for family in font_families(lang)) + ", sans-serif"


def dot_font_list(lang: str) -> str:
    """A Graphviz ``fontname`` for ``lang`` (a fontconfig family list, also the SVG's font-family).

    English and Russian charts take DejaVu Sans Condensed before DejaVu Sans: a chart's boxes are
    as wide as their words, and the wider face made the widest sub-charts shrink below 8 pt on A4.
    """
    families = font_families(lang)
    if lang != "zh":
        families = tuple(f for family in families
                         for f in ((CONDENSED, family) if family == "DejaVu Sans" else (family,)))
    return ", ".join(families) + ", sans-serif"
