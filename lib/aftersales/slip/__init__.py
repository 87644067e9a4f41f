"""The return slip that goes into the customer's parcel (seed 003; issue 20, part 5):
``aftersales slip CASE_ID`` writes it as one A4 page of HTML and PDF.

* :mod:`~aftersales.slip.slip` — finding the case, the page, writing the files;
* :mod:`~aftersales.slip.codes` — the Code 128 barcode and the QR code as inline SVG.
"""

from __future__ import annotations

from .slip import (
    DEFAULT_WAREHOUSE_LANG,
    ReturnAddress,
    SlipFiles,
    find_record,
    has_return,
    return_address,
    return_by,
    slip_html,
    write_slip,
)

__all__ = ["DEFAULT_WAREHOUSE_LANG", "ReturnAddress", "SlipFiles", "find_record", "has_return", "return_address",
           "return_by", "slip_html", "write_slip"]
