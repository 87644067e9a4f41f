"""The return slip (seed 003; issue 20, part 5): ``aftersales slip CASE_ID`` on a case recorded
with ``decide --record`` into temp files. The PDF has one page, its text holds the numbers, the
SKUs and the packing words in both languages, and its barcode and QR code decode back to the case
number from the rendered page itself (pdftoppm, then zxing-cpp).

The tests that print need Chromium (``/usr/bin/chromium``) and poppler-utils: they skip without
them, except under CI (``CI`` is "true"/"1"/"yes"), where they fail (as tests/render/test_pdf.py).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aftersales.cli import main
from aftersales.engine import decide
from aftersales.errors import AftersalesError, FactError
from aftersales.render.pdf import PdfPrinter, chromium_path
from aftersales.slip import find_record, has_return, return_address, return_by, slip_html, write_slip
from aftersales.slip.codes import barcode_svg, qr_svg

ITEMS = [{"sku": "LAMP-DESK-001", "name": "Desk lamp", "quantity": 1, "unit_price": 149},
         {"sku": "BULB-E27-9W", "name": "LED bulb", "quantity": 2, "unit_price": 25}]
FACTS = {"order_id": "TB2026011200042", "customer_name": "Anna Petrova", "order_value": 199, "currency": "CNY",
         "delivered_on": "2026-01-12", "goods_kind": "ordinary", "item_resaleable": True, "items": ITEMS}
AS_OF = "2026-01-15T09:00:00+00:00"


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _skip_or_fail(reason: str) -> None:
    if _ci():
        pytest.fail(f"{reason} (CI is set, so this test may not be skipped)", pytrace=False)
    pytest.skip(reason)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        _skip_or_fail(f"`{name}` is not installed; it comes with Debian's poppler-utils package")
    assert found is not None
    return found


@pytest.fixture
def where(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    paths = {"log": tmp_path / "log.jsonl", "db": tmp_path / "cases.db", "facts": tmp_path / "facts.json",
             "out": tmp_path / "out"}
    monkeypatch.setenv("AFTERSALES_CASE_LOG", str(paths["log"]))
    monkeypatch.setenv("AFTERSALES_DB_URL", f"sqlite:///{paths['db']}")
    return paths


def _record(where: dict[str, Path], capsys: pytest.CaptureFixture[str], scenario: str = "change_of_mind",
            facts: dict[str, Any] | None = None, lang: str = "ru", platform: str = "taobao",
            extra: tuple[str, ...] = ()) -> str:
    where["facts"].write_text(json.dumps(facts or FACTS, ensure_ascii=False), encoding="utf-8")
    code = main(["decide", scenario, "--platform", platform, "--facts", str(where["facts"]), "--lang", lang,
                 "--as-of", AS_OF, "--record", "--who", "ana", *extra])
    err = capsys.readouterr().err
    assert code == 0, err
    return next(line.split()[2] for line in err.splitlines() if line.startswith("recorded case"))


# --- the contract fact `items` --------------------------------------------------------------------


def test_items_are_kept_in_the_decision_record(where, capsys):
    case_id = _record(where, capsys)
    record = find_record(case_id)
    assert record["facts"]["items"] == [{**item, "unit_price": float(item["unit_price"])} for item in ITEMS]
    assert has_return(record)


@pytest.mark.parametrize(("items", "field", "allowed"), [
    ([{"sku": "A", "name": "B", "quantity": 0}], "items[0].quantity", "whole numbers ≥ 1"),
    ([{"sku": "A", "name": "B", "quantity": 1}, {"sku": "A", "name": "B", "quantity": 1.5}], "items[1].quantity",
     "whole numbers"),
    ([{"sku": "", "name": "B", "quantity": 1}], "items[0].sku", "non-empty text"),
    ([{"sku": "A", "quantity": 1}], "items[0].name", "sku and name text"),
    ([{"sku": "A", "name": "B", "quantity": 1, "unit_price": -3}], "items[0].unit_price", "money ≥ 0"),
    ([{"sku": "A", "name": "B", "quantity": 1, "colour": "red"}], "items[0]", "sku, name, quantity, unit_price, supplier, batch"),
    ("LAMP-001", "items", "a list of at most"),
])
def test_a_bad_item_names_its_index_its_field_and_what_is_allowed(items, field, allowed):
    with pytest.raises(FactError) as caught:
        decide("change_of_mind", {**FACTS, "items": items}, "taobao", lang="en", as_of=AS_OF)
    assert caught.value.field == field
    assert allowed in caught.value.allowed


def test_items_are_never_asked():
    from aftersales.engine import next_question

    facts = {key: value for key, value in FACTS.items() if key != "items"}
    question = next_question("change_of_mind", facts, "taobao", lang="en", as_of=AS_OF)
    assert question is None or question.name != "items"
    assert decide("change_of_mind", facts, "taobao", lang="en", as_of=AS_OF).facts.get("items") is None


# --- the page without Chromium ------------------------------------------------------------------------


def test_the_html_has_both_languages_the_items_and_words_not_ids(where, capsys):
    case_id = _record(where, capsys)
    html = slip_html(find_record(case_id), warehouse_lang="zh")
    for text in (case_id, "TB2026011200042", "Anna Petrova", "LAMP-DESK-001", "BULB-E27-9W", "Бланк возврата",
                 "退货单", "оригинальную упаковку", "原包装", "Возврат без причины", "покупатель", "买家",
                 "Адрес возврата", "退货地址"):
        assert text in html, text
    assert "change_of_mind" not in html and "accept_return" not in html
    assert html.count('<svg class="barcode"') == 2 and html.count('<svg class="qr"') == 2
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")  # nothing to download


# --- the return address (from the store's overlay, parameter return_address) ----------------------


def test_the_store_overlay_s_address_is_printed_where_the_seller_runs_the_return(where, capsys):
    case_id = _record(where, capsys, extra=("--overlay", "fashion_house"))
    record = find_record(case_id)
    address = return_address(record)
    assert address.flow == "seller" and not address.missing and address.warning() is None
    assert address.text is not None and address.text.splitlines()[0] == "Fashion House 退货仓 (Returns)"
    html = slip_html(record)
    assert '<td class="address">Fashion House 退货仓 (Returns)\n' in html and "311121" in html
    assert "平台提供的退货面单" not in html and "впишите" not in html
    assert main(["slip", case_id, "--out", str(where["out"]), "--no-pdf"]) == 0
    assert "warning" not in capsys.readouterr().err


def test_a_missing_address_leaves_a_box_and_the_command_names_the_parameter(where, capsys):
    case_id = _record(where, capsys)  # taobao: the seller runs every return; no overlay, no address
    address = return_address(find_record(case_id))
    assert address.missing and address.platform == "taobao"
    assert main(["slip", case_id, "--out", str(where["out"]), "--no-pdf"]) == 0
    captured = capsys.readouterr()
    assert "wrote" in captured.out
    warning = captured.err.strip()
    assert warning.startswith(f"warning: case {case_id}: no return address for platform 'taobao'")
    assert "return_address" in warning and "playbooks/overlays/" in warning
    html = (where["out"] / f"slip-{case_id}.html").read_text(encoding="utf-8")
    assert 'class="write-in"' in html and "впишите сюда" in html and "填写在此处" in html


@pytest.mark.parametrize(("platform", "fulfilment", "by_platform"),
                         [("ozon", "FBS", True), ("ozon", "rFBS", False), ("amazon", "FBA", True),
                          ("amazon", "FBM", True), ("generic", None, False)])
def test_who_runs_the_return_decides_whether_the_platform_label_carries_the_address(platform, fulfilment,
                                                                                     by_platform):
    record = {"platform": platform, "facts": {"fulfilment": fulfilment} if fulfilment else {}}
    address = return_address(record)
    assert address.by_platform is by_platform and address.missing is (not by_platform)


@pytest.mark.parametrize(("platform", "currency", "asked", "zone", "due"), [
    # EU own store: Directive 2011/83 art. 14(1), 14 days from the withdrawal notice, to 24:00 in Berlin
    ("generic", "EUR", "2026-01-14", "Europe/Berlin", "2026-01-29T00:00:00+01:00"),
    # Amazon.com: posted within 14 days of arranging the return; 20:00 in Los Angeles is already the
    # 15th in UTC, but the day counts where the buyer is (LAW-FLOORS §5)
    ("amazon", "USD", "2026-01-14T20:00:00-08:00", "America/Los_Angeles", "2026-01-29T00:00:00-08:00"),
    # Taobao: no rule sets the time, so no date is printed
    ("taobao", "CNY", "2026-01-14", "Asia/Shanghai", None),
])
def test_the_return_by_date_counts_the_legal_days_from_the_request_in_the_buyers_zone(
        where, capsys, platform, currency, asked, zone, due):
    facts = {**FACTS, "currency": currency, "return_requested_at": asked, "customer_timezone": zone}
    record = find_record(_record(where, capsys, facts=facts, platform=platform, lang="en"))
    found = return_by(record)
    assert (found.isoformat() if found else None) == due
    html = slip_html(record)
    assert ("Return by" in html) is (due is not None)


def test_codes_are_inline_svg():
    for svg in (barcode_svg("C7QX2M9K4P01"), qr_svg("C7QX2M9K4P01")):
        assert svg.startswith("<svg ") and svg.rstrip().endswith("</svg>") and "<?xml" not in svg


def test_unknown_case_is_one_line_and_exit_2(where, capsys):
    _record(where, capsys)
    assert main(["slip", "NO-SUCH-CASE", "--out", str(where["out"])]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown case 'NO-SUCH-CASE'" in err


def test_a_case_without_a_return_says_so(where, capsys):
    late = {**FACTS, "delivered_on": "2025-11-01"}  # long past the 7-day window: rejected, nothing sent back
    case_id = _record(where, capsys, facts=late)
    assert not has_return(find_record(case_id))
    assert main(["slip", case_id, "--out", str(where["out"])]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "has no return" in err and case_id in err
    assert not where["out"].exists() or not list(where["out"].iterdir())


def test_the_case_log_is_read_when_the_store_does_not_have_the_case(where, capsys, tmp_path):
    case_id = _record(where, capsys)
    empty = f"sqlite:///{tmp_path / 'other.db'}"
    record = find_record(case_id, db=empty, case_log=where["log"])
    assert record["case_id"] == case_id
    files = write_slip(case_id, where["out"], db=empty, case_log=where["log"], pdf=False)
    assert files.html.name == f"slip-{case_id}.html" and files.pdf is None


# --- the printed page ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def printer() -> Iterator[PdfPrinter]:
    binary = chromium_path()
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        _skip_or_fail(f"{binary} is not installed; `make tools` installs Debian's chromium package")
    with PdfPrinter(chromium=binary, timeout_s=30, footer=False) as shared:
        yield shared


@pytest.mark.slow
def test_the_command_writes_one_page_whose_codes_decode_to_the_case_number(where, capsys, printer, monkeypatch):
    import aftersales.render.pdf as pdf_module

    case_id = _record(where, capsys)
    monkeypatch.setattr(pdf_module, "PdfPrinter", lambda **_: _Borrowed(printer))  # one browser for the module
    assert main(["slip", case_id, "--out", str(where["out"]), "--warehouse-lang", "zh"]) == 0
    out = capsys.readouterr().out
    pdf = where["out"] / f"slip-{case_id}.pdf"
    assert f"wrote {where['out'] / f'slip-{case_id}.html'}" in out and f"wrote {pdf}" in out

    info = subprocess.run([_tool("pdfinfo"), str(pdf)], check=True, capture_output=True, text=True).stdout
    assert "Pages:           1" in info or any(line.split() == ["Pages:", "1"] for line in info.splitlines())
    assert "A4" in info
    text = subprocess.run([_tool("pdftotext"), "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True,
                          text=True, encoding="utf-8").stdout
    for word in (case_id, "TB2026011200042", "LAMP-DESK-001", "BULB-E27-9W", "Anna Petrova",
                 "оригинальную упаковку", "Вложите этот бланк внутрь посылки", "原包装", "请将本退货单放入包裹内",
                 "Возврат денег", "退款"):
        assert word in " ".join(text.split()), word

    png_prefix = where["out"] / "page"
    subprocess.run([_tool("pdftoppm"), "-r", "200", "-png", str(pdf), str(png_prefix)], check=True)
    zxingcpp = pytest.importorskip("zxingcpp") if not _ci() else __import__("zxingcpp")
    from PIL import Image

    (png,) = sorted(where["out"].glob("page*.png"))
    found = {(str(result.format), result.text) for result in zxingcpp.read_barcodes(Image.open(png))}
    formats_of_case = {fmt for fmt, text in found if text == case_id}
    assert any("QR" in fmt for fmt in formats_of_case), found
    assert any("128" in fmt for fmt in formats_of_case), found
    assert any(text == "TB2026011200042" for _, text in found), found


class _Borrowed:
    """The module's printer, lent to the command (which closes what it opens)."""

    def __init__(self, printer: PdfPrinter):
        self.printer = printer

    def __enter__(self) -> PdfPrinter:
        return self.printer

    def __exit__(self, *exc: object) -> None:
        return None


def test_the_warehouse_language_must_be_known(where, capsys):
    case_id = _record(where, capsys)
    with pytest.raises(AftersalesError, match="warehouse language"):
        slip_html(find_record(case_id), warehouse_lang="de")


@pytest.mark.parametrize(("lang", "empty_address", "no_time"), [
    ("en", "not set yet: the store sets it in its overlay", "not on this platform"),
    ("zh", "尚未设置：由店铺在覆盖文件中设置", "本平台无此规则"),
    ("ru", "ещё не задан: магазин задаёт его в своём оверлее", "не применяется на площадке"),
])
def test_the_sop_says_an_empty_return_address_is_not_set_yet_not_absent_from_the_platform(lang, empty_address,
                                                                                        no_time):
    from datetime import date

    from aftersales.library import load_library
    from aftersales.render.document import sop_document

    library = load_library()
    doc = sop_document(library.playbook("change_of_mind"), library.profile("taobao"), library, lang, date(2026, 3, 10))
    values = {row["name"]: row["value"] for row in doc.parameters if row["in_force"]}
    assert values["return_address"] == empty_address  # the store's own setting, not made yet
    assert values["return_ship_within_days"] == no_time  # no rule sets such a time in China
