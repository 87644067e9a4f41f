"""``aftersales recall`` (issue 20, part 6; seed 004): the affected buyers of an orders export become
one case each in the case store, with the message in their own language, and the recall notice and
the platform notices are printed; every mistake in the recall or the export is named with its line."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from aftersales.cases.store import CaseStore
from aftersales.cli import main
from aftersales.compliance.language import detect_language
from aftersales.recall.orders import affected_buyers, buyer_language
from aftersales.recall.spec import softening_words

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "recall"
AS_OF = "2026-12-05T09:00+00:00"


def _run(tmp_path: Path, *extra: str, orders: Path = EXAMPLE / "orders.csv", recall: Path = EXAMPLE / "kettle.yaml",
         pdf: bool = False) -> int:
    args = ["recall", str(orders), "--recall", str(recall), "--db", f"sqlite:///{tmp_path / 'cases.db'}",
            "--out", str(tmp_path / "out"), "--as-of", AS_OF, *extra]
    return main(args if pdf else [*args, "--no-pdf"])


def _expected_buyers() -> dict[tuple[str, str], list[dict[str, str]]]:
    """The example export's affected lines per (platform, buyer), worked out here independently."""
    buyers: dict[tuple[str, str], list[dict[str, str]]] = {}
    with (EXAMPLE / "orders.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["sku"] in ("TK2-WHT", "TK2-BLK") and row["batch"] in ("B2407", "B2408"):
                buyers.setdefault((row["platform"], row["buyer_id"]), []).append(row)
    return buyers


def test_every_affected_buyer_gets_one_case_with_the_message_in_their_language(tmp_path, capsys):
    assert _run(tmp_path) == 0
    expected = _expected_buyers()
    out = capsys.readouterr().out
    assert f"{len(expected)} buyer(s); {len(expected)} case(s) written, 0 already in the store" in out
    with (tmp_path / "out" / "messages.csv").open(encoding="utf-8") as handle:
        messages = list(csv.DictReader(handle))
    assert len(messages) == len(expected)
    with CaseStore(f"sqlite:///{tmp_path / 'cases.db'}") as store:
        for row in messages:
            platform, _, buyer = row["case_id"].removeprefix("R-2026-014-").partition("-")
            lines = expected[(platform, buyer)]
            assert row["lang"] == lines[0]["customer_lang"]
            assert (detect_language(row["message"]) or ("?",))[0] == row["lang"], row["message"]
            delivered = any(line["status"] == "delivered" for line in lines)
            assert row["outcome"] == ("recall_refund" if delivered else "recall_intercept")
            case = store.get(row["case_id"])
            assert case is not None and case.scenario == "recall" and case.customer_lang == row["lang"]
            assert case.cause == "safety_recall" and case.sku in ("TK2-WHT", "TK2-BLK")
            assert case.supplier == "Cixi Appliance Co." and case.order_id == lines[0]["order_id"]
            assert case.decision["return_shipping_paid_by"] != "buyer"  # a recall costs the buyer nothing
            for line in lines:
                assert line["order_id"] in row["message"]
    # the same recall again: nothing is added, nothing is lost
    assert _run(tmp_path) == 0
    assert f"0 case(s) written, {len(expected)} already in the store" in capsys.readouterr().out


def test_the_refund_is_what_the_buyer_paid_for_every_line(tmp_path):
    found = affected_buyers(EXAMPLE / "orders.csv", ("TK2-WHT", "TK2-BLK"), ("B2407", "B2408"))
    for buyer in found.buyers:
        lines = _expected_buyers()[(buyer.platform, buyer.key)]
        assert buyer.paid == pytest.approx(sum(float(line["unit_price"]) * int(line["quantity"]) for line in lines))
        assert buyer.units == sum(int(line["quantity"]) for line in lines)
        assert buyer.orders == list(dict.fromkeys(line["order_id"] for line in lines))


@pytest.mark.parametrize(("text", "lang", "found"), [
    ("The kettle can give an electric shock.", "en", []),
    ("As a precautionary measure we are voluntarily recalling the kettle.", "en",
     ["voluntarily", "precaution", "precautionary"]),
    ("In rare cases the plug can melt; no injuries have been reported.", "en", ["in rare", "rare cases", "no injuries"]),
    ("出于预防性考虑，我们自愿召回该产品。", "zh", ["自愿", "预防性"]),
    ("插电时触碰水壶可能导致触电。", "zh", []),
    ("Добровольный отзыв: в редких случаях вилка может оплавиться.", "ru", ["добровольн", "в редких", "редких случаях"]),
    ("Вилка может оплавиться и загореться.", "ru", []),
    ("На всякий случай, в целях предосторожности: крайне редко вилка плавится.", "ru",
     ["на всякий случай", "предосторожност", "крайне редко"]),
])
def test_words_that_make_the_risk_sound_smaller_are_found(text, lang, found):
    assert sorted(softening_words(text, lang)) == sorted(found)


def _recall_file(tmp_path: Path, replace: tuple[str, str] | None = None, drop_lang: str | None = None) -> Path:
    text = (EXAMPLE / "kettle.yaml").read_text(encoding="utf-8")
    if replace:
        assert replace[0] in text
        text = text.replace(*replace)
    if drop_lang:
        import yaml

        data = yaml.safe_load(text)
        for value in data.values():
            if isinstance(value, dict):
                value.pop(drop_lang, None)
        text = yaml.safe_dump(data, allow_unicode=True)
    path = tmp_path / "recall.yaml"
    path.write_text(text, encoding="utf-8")
    shutil.copy(EXAMPLE / "kettle.svg", tmp_path / "kettle.svg")
    return path


def test_a_softened_hazard_is_refused_at_its_line(tmp_path, capsys):
    recall = _recall_file(tmp_path, ("Water can reach", "As a precaution: water can reach"))
    assert _run(tmp_path, recall=recall) == 2
    err = capsys.readouterr().err
    line = next(n for n, text in enumerate(recall.read_text(encoding="utf-8").splitlines(), 1)
                if "As a precaution" in text)
    assert f"{recall}:{line}:" in err and "hazard_description.en:" in err and "'precaution'" in err and "GPSR art. 36(2)(c)" in err
    assert not (tmp_path / "cases.db").exists() or CaseStore(f"sqlite:///{tmp_path / 'cases.db'}").count() == 0


def test_no_buyer_is_written_to_in_a_language_the_recall_lacks(tmp_path, capsys):
    recall = _recall_file(tmp_path, drop_lang="ru")
    assert _run(tmp_path, recall=recall) == 2
    err = capsys.readouterr().err
    assert "buyer(s) read ru" in err and "not written in ru" in err


@pytest.mark.parametrize(("header", "rows", "extra", "code", "words"), [
    ("order,item,batch", ["1,TK2-WHT,B2407"], (), 2, "no column order_id or sku; it has: order, item, batch"),
    ("order_id,sku", ["1,TK2-WHT"], (), 2, "the recall names batches (B2407, B2408) but the export has no batch column"),
    ("order_id,sku,batch,platform,quantity", ["1,TK2-WHT,B2407,ozon,two", "2,TK2-WHT,B2407,ozon,1"], (), 1,
     "line 2 quantity: 'two' is not a number"),
    ("order_id,sku,batch,platform", ["1,TK2-WHT,B2407,ebay"], (), 1, "line 2 platform: 'ebay' is not a platform"),
    ("order_id,sku,batch", ["1,MUG-12,B2407"], ("--platform", "ozon"), 2, "no order line of TK2-WHT, TK2-BLK in batch"),
    ("Номер заказа,sku,batch", ["1,TK2-WHT,B2407"], ("--platform", "ozon", "--column", "order_id=Номер"), 2,
     "--column order_id=Номер: "),
])
def test_a_bad_export_is_named_with_its_file_line_and_column(tmp_path, capsys, header, rows, extra, code, words):
    orders = tmp_path / "orders.csv"
    orders.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    assert _run(tmp_path, *extra, orders=orders) == code
    assert words in capsys.readouterr().err


def test_an_export_in_the_platform_s_own_words_reads_through_column_renames(tmp_path, capsys):
    orders = tmp_path / "ozon.csv"
    orders.write_text("Номер заказа,Артикул,Партия,Покупатель,Статус\nOZ-1,TK2-BLK,B2408,Ольга,доставлен\n"
                      "OZ-2,TK2-BLK,B2408,Иван,в пути\n", encoding="utf-8")
    assert _run(tmp_path, "--platform", "ozon", "--column", "order_id=Номер заказа", "--column", "sku=Артикул",
                "--column", "batch=Партия", "--column", "customer_name=Покупатель", "--column", "status=Статус",
                orders=orders) == 0
    with (tmp_path / "out" / "messages.csv").open(encoding="utf-8") as handle:
        rows = {row["orders"]: row for row in csv.DictReader(handle)}
    assert rows["OZ-1"]["lang"] == "ru" and rows["OZ-1"]["outcome"] == "recall_refund" and "Ольга" in rows["OZ-1"]["message"]
    assert rows["OZ-2"]["outcome"] == "recall_intercept"  # still on its way: stopped and refunded


@pytest.mark.parametrize(("cell", "country", "lang"), [
    ("ru-RU", "", "ru"), ("中文", "", "zh"), ("English", "", "en"), ("zh_CN", "", "zh"), ("", "KZ", "ru"),
    ("", "DE", "en"), ("", "", None), ("fr", "", None),
])
def test_the_buyer_s_language_is_read_from_the_export(cell, country, lang):
    assert buyer_language(cell, country) == lang


@pytest.mark.slow
def test_the_notices_are_one_page_pdfs_with_the_gpsr_elements(tmp_path, capsys):
    import subprocess

    assert _run(tmp_path, pdf=True) == 0
    out = tmp_path / "out"
    assert sorted(p.name for p in out.glob("*.pdf")) == [
        "notice.en.pdf", "notice.ru.pdf", "notice.zh.pdf", "platform-notice.amazon.en.pdf",
        "platform-notice.ozon.ru.pdf", "platform-notice.taobao.zh.pdf"]  # the own store has no marketplace to tell
    for pdf in out.glob("*.pdf"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert "Pages:           1" in info, pdf
    text = subprocess.run(["pdftotext", "-layout", str(out / "notice.en.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    for element in ("Product safety recall", "R-2026-014", "Travel kettle TK-2", "TK2-WHT, TK2-BLK", "B2407, B2408",
                    "electric shock", "Stop using the product immediately", "you pay nothing", "+44 800 000 0000",
                    "Please tell anyone you know"):
        assert element in " ".join(text.split()), element
    zh = subprocess.run(["pdftotext", str(out / "notice.zh.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    assert "产品安全召回" in zh and "请立即停止使用该产品" in zh.replace("\n", "")


def test_the_same_account_name_on_two_platforms_is_two_buyers_each_in_their_language(tmp_path):
    orders = tmp_path / "orders.csv"
    orders.write_text("order_id,platform,buyer_id,customer_lang,sku,batch,status\n"
                      "OZ-1,ozon,u1,ru,TK2-WHT,B2407,delivered\nTB-1,taobao,u1,zh,TK2-WHT,B2407,delivered\n",
                      encoding="utf-8")
    assert _run(tmp_path, orders=orders) == 0
    with (tmp_path / "out" / "messages.csv").open(encoding="utf-8") as handle:
        langs = {row["platform"]: row["lang"] for row in csv.DictReader(handle)}
    assert langs == {"ozon": "ru", "taobao": "zh"}
