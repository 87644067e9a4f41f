"""The slip's machine-readable codes: a Code 128 barcode (python-barcode) and a QR code (qrcode),
each as inline SVG text, made here and never downloaded (seed 003: the case number on the slip
must be scannable at the warehouse).
"""

from __future__ import annotations

import re

__all__ = ["barcode_svg", "qr_svg"]

_PROLOGUE = re.compile(r"^\s*(<\?xml[^>]*\?>\s*)?(<!DOCTYPE[^>]*>\s*)?", re.IGNORECASE)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def _inline(svg: str) -> str:
    """An SVG document as an element to put inside HTML: no XML declaration, DOCTYPE or comments."""
    return _COMMENT.sub("", _PROLOGUE.sub("", svg, count=1)).strip()


def barcode_svg(text: str, *, module_height_mm: float = 12.0, module_width_mm: float = 0.33) -> str:
    """``text`` as a Code 128 barcode, an inline ``<svg>`` element (no human-readable line: the
    slip prints the number beside it in a larger type).

    ``text``: printable ASCII (case and order numbers); ``module_height_mm``/``module_width_mm``:
    bar height and narrowest bar width, sized for a warehouse hand scanner. Source: seed 003.
    """
    import barcode  # type: ignore[import-untyped]
    from barcode.writer import SVGWriter  # type: ignore[import-untyped]

    code = barcode.get("code128", text, writer=SVGWriter())
    data = code.render({"module_width": module_width_mm, "module_height": module_height_mm,
                        "write_text": False, "quiet_zone": 6.5, "background": "white", "foreground": "black"})
    svg = data.decode("utf-8") if isinstance(data, bytes) else str(data)
    svg = _inline(svg).replace(' id="barcode_group"', "")  # two barcodes on one page: no duplicate ids
    return svg.replace("<svg ", '<svg class="barcode" role="img" ', 1)


def qr_svg(text: str, *, box_size: int = 10, border: int = 4) -> str:
    """``text`` as a QR code (error correction M), an inline ``<svg>`` element of black squares on white.

    ``box_size``: the SVG's size of one module; ``border``: the quiet zone in modules (4 is the
    standard's minimum). Source: seed 003.
    """
    import qrcode  # type: ignore[import-untyped]
    import qrcode.image.svg  # type: ignore[import-untyped]

    maker = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=border,
                          image_factory=qrcode.image.svg.SvgPathFillImage)
    maker.add_data(text)
    maker.make(fit=True)
    svg = maker.make_image().to_string(encoding="unicode")
    return _inline(str(svg)).replace("<svg ", '<svg class="qr" role="img" ', 1)
