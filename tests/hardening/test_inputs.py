"""Issue 13, bad input: every hostile fact, ``as_of``, facts file or answer ends in the documented
error (FactError in process; one line on stderr and exit 2 on the command line), never another
exception. Each attack of the issue is a regression test here; the limits come from limits.py."""

from __future__ import annotations

import io
import json
import math
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings

from aftersales.cli import main
from aftersales.engine import checklist_so_far, decide, next_question, resolve_as_of
from aftersales.errors import FactError, InputError
from aftersales.library import load_library
from aftersales.limits import MAX_FACTS_BYTES, MAX_JSON_DEPTH, MAX_NUMBER_DIGITS, MAX_YEAR, MIN_YEAR
from aftersales.playbook.facts import OversizedNumber, decode_text, json_depth, load_json, read_limited
from aftersales.training.scoring import Answer

from .strategies import assert_documented, hostile_facts, odd_as_of

AS_OF = "2026-01-15T09:00:00+00:00"
FACTS = {"order_value": 129, "currency": "CNY", "delivered_on": "2026-01-12", "evidence_provided": True,
         "category": "apparel", "size_deviation_cm": 3.5, "customer_preference": "exchange"}
REVIEW = {"review_kind": "product_review", "rating": 1, "about": "shipping", "review_text": "Box arrived crushed.",
          "review_posted_on": "2026-01-14", "abusive_or_personal_data": False, "factually_false": False}
CALLS = [decide, next_question, checklist_so_far]


def _id(value: object) -> str | None:
    """Test ids for huge values (pytest would str() a 5,000-digit int, which Python refuses)."""
    from aftersales.playbook.facts import show

    return show(value)[:40] if not isinstance(value, str) else None


# ------------------------------------------------------------------------------- as_of in process

@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("as_of", [
    "0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00-05:00", "9999-12-31T23:59:59+00:00",
    f"{MIN_YEAR}-01-01T00:30:00+01:00", f"{MAX_YEAR}-12-31T23:00:00-05:00", "1995-01-01", "yesterday", "",
    5, 5.5, True, [], {}, b"2026-01-15", {1}, 10 ** 400, math.nan, datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1))),
    date(9999, 12, 31),
], ids=_id)
def test_a_bad_as_of_is_a_fact_error_naming_as_of(call, as_of) -> None:
    with pytest.raises(FactError) as info:
        call("size_mismatch", FACTS, "taobao", as_of=as_of)
    assert info.value.field == "as_of" and info.value.allowed and "\n" not in str(info.value)


def test_as_of_is_bounded_by_min_and_max_year() -> None:
    assert resolve_as_of(f"{MIN_YEAR}-01-01T00:00:00+00:00").year == MIN_YEAR
    assert resolve_as_of(f"{MAX_YEAR}-12-31T23:59:59+00:00").year == MAX_YEAR
    assert resolve_as_of(f"{MAX_YEAR}-12-31T23:00:00+05:00").year == MAX_YEAR
    for text in (f"{MIN_YEAR - 1}-12-31T23:59:59+00:00", f"{MAX_YEAR + 1}-01-01T00:00:00+00:00"):
        with pytest.raises(FactError, match="outside the supported dates"):
            resolve_as_of(text)


def test_an_as_of_before_the_platforms_rules_is_a_fact_error_saying_from_when() -> None:
    with pytest.raises(FactError) as info:
        decide("size_mismatch", FACTS, "taobao", as_of="1995-01-01T00:00:00+00:00")
    assert info.value.field == "as_of" and "taobao" in str(info.value) and info.value.allowed.endswith("or later")


# ------------------------------------------------------------------------------- numbers and dates

@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("name, value", [
    ("order_value", 10 ** 400), ("order_value", -(10 ** 400)), ("order_value", 10 ** 5000),
    ("order_value", 10 ** MAX_NUMBER_DIGITS), ("order_value", 1e300), ("order_value", math.inf),
    ("order_value", -math.inf), ("order_value", math.nan), ("size_deviation_cm", 10 ** 400),
    ("order_value", OversizedNumber("9" * 5000)), ("delivered_on", "0001-01-01"), ("delivered_on", "9999-12-31"),
    ("delivered_on", date(MAX_YEAR + 1, 1, 1)), ("return_requested_at", "0001-01-01T00:00:00+01:00"),
    ("return_requested_at", "9999-12-31T23:00:00-05:00"), ("return_requested_at", datetime(9999, 12, 31, 23)),
    ("category", "x" * 100_000), ("customer_name", "Li \ud800Na"), ("customer_name", ["a" * 10] * 10_000),
], ids=_id)
def test_a_hostile_fact_is_a_fact_error_naming_it(call, name, value) -> None:
    with pytest.raises(FactError) as info:
        call("size_mismatch", {**FACTS, name: value}, "taobao", as_of=AS_OF)
    assert info.value.field == name and "\n" not in str(info.value) and len(str(info.value)) < 1_000


@pytest.mark.parametrize("value", [10 ** 400, 10 ** MAX_NUMBER_DIGITS, 1e300, math.inf, math.nan, 2.5, "5"], ids=_id)
def test_whole_number_facts_refuse_huge_and_non_finite_values(value) -> None:
    with pytest.raises(FactError) as info:
        decide("bad_review", {**REVIEW, "rating": value}, "amazon", as_of=AS_OF)
    assert info.value.field == "rating"


def test_a_number_just_inside_the_digit_limit_is_a_range_error_not_a_digit_error() -> None:
    with pytest.raises(FactError, match="out of range"):
        decide("size_mismatch", {**FACTS, "order_value": 10 ** MAX_NUMBER_DIGITS - 1}, "taobao", as_of=AS_OF)


def test_a_hostile_fact_name_keeps_the_error_on_one_line() -> None:
    for name in ("line\nbreak", "x" * 100_000, 5, ("a",)):
        with pytest.raises(FactError) as info:
            decide("size_mismatch", {**FACTS, name: 1}, "taobao", as_of=AS_OF)
        assert "\n" not in str(info.value) and len(str(info.value)) < 1_000


def test_the_wizards_coercers_refuse_the_same_values() -> None:
    coercers = load_library().playbook("size_mismatch").coercers
    for name, value in (("order_value", 10 ** 400), ("order_value", math.inf), ("delivered_on", "0001-01-01"),
                        ("return_requested_at", "9999-12-31T23:00:00-05:00")):
        with pytest.raises(FactError):
            coercers[name](value)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(facts=hostile_facts(FACTS), as_of=odd_as_of())
def test_decide_and_next_question_end_in_a_result_or_a_fact_error(facts, as_of) -> None:
    library = load_library()
    assert_documented(lambda: decide("size_mismatch", facts, "taobao", as_of=as_of, library=library))
    assert_documented(lambda: next_question("size_mismatch", facts, "taobao", as_of=as_of, library=library))


# ------------------------------------------------------------------------------- JSON documents

def test_json_nesting_is_limited_before_parsing() -> None:
    assert load_json("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH, "f") is not None
    assert json_depth('["[[[[", {"a": "]]]"}]') == 2
    for text in ("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1), "[" * 100_000, '{"a":' * 5_000):
        with pytest.raises(InputError, match="deeper than"):
            load_json(text, "facts.json")


def test_numbers_past_the_digit_limit_are_kept_as_their_length() -> None:
    data = load_json('{"a": %s, "b": -%s, "c": %s, "d": 1e999}' % ("9" * 5000, "9" * 30, "9" * MAX_NUMBER_DIGITS), "f")
    assert isinstance(data["a"], OversizedNumber) and data["a"].digits == 5000
    assert isinstance(data["b"], OversizedNumber) and data["c"] == int("9" * MAX_NUMBER_DIGITS)
    assert data["d"] == math.inf


def test_decoding_accepts_utf8_bom_and_gb18030_and_refuses_binary() -> None:
    assert decode_text("\ufeff{}".encode(), "f") == "{}"
    assert decode_text("李女士".encode("gbk"), "f") == "李女士"
    for data in (bytes(range(256)), b'{"a": "\x00"}'):
        with pytest.raises(InputError, match="binary"):
            decode_text(data, "f")


def test_facts_larger_than_the_limit_are_refused() -> None:
    assert len(read_limited(io.BytesIO(b"x" * MAX_FACTS_BYTES), "f")) == MAX_FACTS_BYTES
    with pytest.raises(InputError, match="larger than"):
        read_limited(io.BytesIO(b"x" * (MAX_FACTS_BYTES + 1)), "f")


# ------------------------------------------------------------------------------- the command line

def run(argv: list[str], capsys, stdin: bytes | None = None, monkeypatch=None) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(code: int, err: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err


FILES = {
    "binary": bytes(range(256)) * 2,
    "gbk_with_nul": '{"customer_name": "李女士\x00"}'.encode("gbk"),
    "deep_list": b"[" * 5000 + b"]" * 5000,
    "deep_object": b'{"a":' * 3000 + b"1" + b"}" * 3000,
    "digits_5000": b'{"order_value": ' + b"9" * 5000 + b"}",
    "float_1e999": b'{"order_value": 1e999}',
    "nan": b'{"order_value": NaN}',
    "huge": b'{"customer_name": "' + b"x" * (MAX_FACTS_BYTES + 10) + b'"}',
    "latin1": '{"customer_name": "café"}'.encode("latin-1"),
    "not_json": b"{order_value: 129,}",
    "list": b"[1, 2, 3]",
    "empty": b"",
    "surrogate": b'{"customer_name": "\\ud800"}',
}


@pytest.mark.parametrize("name", sorted(FILES))
def test_decide_with_a_hostile_facts_file_is_one_line_and_exit_2(name, tmp_path, capsys) -> None:
    path = tmp_path / f"{name}.json"
    path.write_bytes(FILES[name])
    code, _, err = run(["decide", "size_mismatch", "--platform", "taobao", "--facts", str(path), "--as-of", AS_OF],
                       capsys)
    one_line_error(code, err)


@pytest.mark.parametrize("name", ["binary", "deep_list", "digits_5000", "huge"])
def test_decide_with_hostile_stdin_is_one_line_and_exit_2(name, capsys, monkeypatch) -> None:
    code, _, err = run(["decide", "size_mismatch", "--platform", "taobao", "--facts", "-", "--as-of", AS_OF],
                       capsys, FILES[name], monkeypatch)
    one_line_error(code, err)


def test_gbk_and_bom_facts_files_are_decided(tmp_path, capsys) -> None:
    for name, data in (("gbk", json.dumps({**FACTS, "customer_name": "李女士"}, ensure_ascii=False).encode("gbk")),
                       ("bom", b"\xef\xbb\xbf" + json.dumps(FACTS).encode())):
        path = tmp_path / f"{name}.json"
        path.write_bytes(data)
        code, out, err = run(["decide", "size_mismatch", "--platform", "taobao", "--facts", str(path), "--as-of",
                              AS_OF, "--json"], capsys)
        assert code == 0, err
        assert json.loads(out)["outcome"] == "exchange_seller_pays"


def test_a_facts_file_of_exactly_the_limit_is_read(tmp_path, capsys) -> None:
    text = json.dumps(FACTS)
    path = tmp_path / "padded.json"
    path.write_bytes(text.encode() + b" " * (MAX_FACTS_BYTES - len(text)))
    code, _, err = run(["decide", "size_mismatch", "--platform", "taobao", "--facts", str(path), "--as-of", AS_OF],
                       capsys)
    assert code == 0, err


@pytest.mark.parametrize("as_of", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00-05:00", "5", "", "1995-01-01"])
def test_decide_and_params_with_a_bad_as_of_are_one_line(as_of, tmp_path, capsys) -> None:
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(FACTS), encoding="utf-8")
    one_line_error(*run(["params", "taobao", "--as-of", as_of], capsys)[::2])
    code, _, err = run(["decide", "size_mismatch", "--platform", "taobao", "--facts", str(path), "--as-of", as_of],
                       capsys)
    one_line_error(code, err)


@pytest.mark.parametrize("answers", [
    b'{"compensation": ' + b"9" * 5000 + b"}", b'{"compensation": 1e999}', b'{"compensation": NaN}',
    b'{"compensation": 100000000000000000000000}', b'{"facts": {"order_value": ' + b"9" * 5000 + b"}}",
    b'{"deadlines": {"first_reply": ' + b"9" * 5000 + b"}}", b"[" * 5000, bytes(range(256)),
], ids=["digits", "inf", "nan", "1e23", "fact-digits", "deadline-digits", "deep", "binary"])
def test_train_score_with_hostile_answers_never_crashes(answers, tmp_path, capsys) -> None:
    path = tmp_path / "answers.json"
    path.write_bytes(answers)
    code, _, err = run(["train", "score", "size-001", "--answers", str(path)], capsys)
    assert "Traceback" not in err
    assert code in (0, 2), err
    if code == 2:
        assert len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize("value", [10 ** 400, math.inf, math.nan, 1e300, True, "5"], ids=_id)
def test_an_answer_with_a_huge_or_odd_compensation_is_a_fact_error(value) -> None:
    with pytest.raises(FactError) as info:
        Answer.from_mapping({"compensation": value})
    assert info.value.field == "compensation"


def test_an_empty_trainee_name_is_an_error_not_a_silent_skip(tmp_path, capsys) -> None:
    path = tmp_path / "answers.json"
    path.write_text("{}", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'progress.db'}"
    for name in ("", "   "):
        code, _, err = run(["train", "score", "size-001", "--answers", str(path), "--trainee", name,
                            "--progress-url", url], capsys)
        one_line_error(code, err)
        assert "--trainee" in err
    assert not (tmp_path / "progress.db").exists()



@pytest.mark.parametrize("as_of", ["0001-01-01", "9999-12-31"])
def test_render_with_an_as_of_off_the_supported_dates_is_one_line(as_of, tmp_path, capsys) -> None:
    code, _, err = run(["render", "--as-of", as_of, "--format", "md", "--out", str(tmp_path / "sop")], capsys)
    one_line_error(code, err)
    assert not (tmp_path / "sop").exists()


@pytest.mark.parametrize("kwargs", [{"as_of": 5}, {"as_of": "0001-01-01T00:00:00+01:00"},
                                    {"as_of": "9999-12-31T23:00:00-05:00"}, {"facts": {"order_value": 10 ** 400}},
                                    {"facts": {"delivered_on": "0001-01-01"}}], ids=_id)
def test_the_wizard_session_refuses_the_same_as_of_and_facts(kwargs) -> None:
    from aftersales.widgets.session import WizardSession

    with pytest.raises(FactError):
        WizardSession("size_mismatch", "taobao", "en", **kwargs)


def test_a_wizard_prefilled_with_an_unknown_fact_is_a_fact_error_naming_it() -> None:
    from aftersales.widgets.session import WizardSession

    with pytest.raises(FactError) as raised:
        WizardSession("size_mismatch", "taobao", facts={"nope": 1})
    assert raised.value.field == "nope" and "unknown fact" in str(raised.value)
    with pytest.raises(FactError) as raised:
        WizardSession("size_mismatch", "taobao", facts={"order_value": 10**400})
    assert raised.value.field == "order_value"
