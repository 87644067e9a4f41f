"""The fuzz suite (issue 13): hostile input to every entry point ends in a result or the documented
error, never another exception. A fixed budget keeps it under a minute in CI; the attacks the
probe found are regression tests in the other files of this folder, and
``benchmarks/bench_fuzz.py`` runs the large count (20,000 decisions, 1,000 command lines).

Entry points: ``decide`` and ``next_question`` in process; on the command line ``decide``,
``validate --overlay`` (the overlay loader), ``replay``, ``train score`` and ``check-message``,
each fed hostile bytes as a file or on stdin. On the command line the documented error is one line
on stderr with exit 1 or 2; argparse's own usage errors exit 2 too.
"""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftersales.engine import decide, next_question
from aftersales.library import load_library

from .strategies import assert_documented, hostile_facts, hostile_value, odd_as_of, odd_strings

LIBRARY = load_library()
BASES = [(name, example.platform, dict(example.facts))
         for name in LIBRARY.scenarios for example, _ in LIBRARY.playbook(name).examples]
FUZZ = settings(deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large])


@st.composite
def cases(draw):
    scenario, platform, base = draw(st.sampled_from(BASES))
    facts = draw(hostile_facts(base))
    if draw(st.integers(0, 19)) == 0:
        platform = draw(st.sampled_from(["nope", "", "AMAZON", *sorted(LIBRARY.profiles)]))
    return scenario, platform, facts


@settings(FUZZ, max_examples=600)
@given(case=cases(), as_of=odd_as_of(), lang=st.sampled_from(["en", "zh", "ru", "xx", None]))
def test_decide_ends_in_a_result_or_a_documented_error(case, as_of, lang) -> None:
    scenario, platform, facts = case
    assert_documented(lambda: decide(scenario, facts, platform, lang=lang, as_of=as_of, library=LIBRARY))


@settings(FUZZ, max_examples=200)
@given(case=cases(), as_of=odd_as_of())
def test_next_question_ends_in_a_result_or_a_documented_error(case, as_of) -> None:
    scenario, platform, facts = case
    assert_documented(lambda: next_question(scenario, facts, platform=platform, as_of=as_of, library=LIBRARY))


# ------------------------------------------------------------------------------- command line

def run_cli(argv: list[str], stdin: bytes = b"") -> tuple[int, str]:
    """``aftersales ARGV`` in this process: its exit code and stderr; a traceback fails the test."""
    from aftersales import cli

    err, out = io.StringIO(), io.StringIO()
    old = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli.main(argv)
            except SystemExit as exc:  # argparse: a usage line, exit 2
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        sys.stdin = old
    assert code in (0, 1, 2), (argv, code, err.getvalue()[-500:])
    if code:
        # an error says why on stderr; check-message's exit 1 is its verdict, with the findings on stdout
        message = err.getvalue().strip() or (out.getvalue().strip() if argv[0] == "check-message" and code == 1 else "")
        assert message, (argv, "an error exit says why")
    return code, err.getvalue()


JSON_TEXT = st.one_of(
    st.binary(max_size=300),
    hostile_value().map(lambda v: repr(v)[:5000].encode("utf-8", "surrogatepass")),
    st.sampled_from([b'{"order_value": ' + b"9" * 5000 + b"}", b"[" * 3000 + b"]" * 3000, b"{", b"",
                     "{\"customer_name\": \"李女士\"}".encode("gbk"), b"\xef\xbb\xbf{}", b"null", b"[1]"]),
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(autouse=True)
def _private_stores(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing the fuzz records may reach the user's own case log, archive or progress store."""
    monkeypatch.setenv("AFTERSALES_CASE_LOG", str(folder / "case-log.jsonl"))
    monkeypatch.setenv("AFTERSALES_ARCHIVE", str(folder / "archive"))
    monkeypatch.setenv("AFTERSALES_PROGRESS_URL", f"sqlite:///{folder / 'progress.db'}")


@settings(FUZZ, max_examples=40)
@given(data=JSON_TEXT, scenario=st.sampled_from(LIBRARY.scenarios), platform=st.sampled_from(sorted(LIBRARY.profiles)),
       as_of=st.sampled_from(["0001-01-01T00:00:00+01:00", "9999-12-31", "5", "2026-01-15T09:00:00+00:00", None]))
def test_cli_decide_on_hostile_facts(folder: Path, data: bytes, scenario: str, platform: str, as_of) -> None:
    path = folder / "facts.json"
    path.write_bytes(data)
    argv = ["decide", scenario, "--platform", platform, "--facts", str(path)] + (["--as-of", as_of] if as_of else [])
    run_cli(argv)
    run_cli(["decide", scenario, "--platform", platform, "--facts", "-"], stdin=data)


@settings(FUZZ, max_examples=30)
@given(data=JSON_TEXT, case_id=st.sampled_from(["size-001", "mind-001", "nope", "", "../x"]))
def test_cli_train_score_on_hostile_answers(folder: Path, data: bytes, case_id: str) -> None:
    path = folder / "answers.json"
    path.write_bytes(data)
    run_cli(["train", "score", case_id, "--answers", str(path)])


@settings(FUZZ, max_examples=30)
@given(text=st.one_of(st.binary(max_size=400), odd_strings().map(lambda s: s.encode("utf-8", "surrogatepass"))),
       platform=st.sampled_from(sorted(LIBRARY.profiles)), lang=st.sampled_from(["en", "zh", "ru"]))
def test_cli_check_message_on_hostile_text(folder: Path, text: bytes, platform: str, lang: str) -> None:
    path = folder / "message.txt"
    path.write_bytes(text)
    run_cli(["check-message", "--platform", platform, "--lang", lang, "--kind", "general", str(path)])


CSV_ROWS = st.lists(st.lists(st.one_of(odd_strings(), st.sampled_from(["129", "CNY", "2026-01-12", "true", "3.5",
                                                                       "1995-01-20T00:00:00+00:00", ""])),
                             min_size=0, max_size=8), min_size=0, max_size=6)


@settings(FUZZ, max_examples=30)
@given(rows=CSV_ROWS, header=st.sampled_from([
    "id,order_value,currency,delivered_on,evidence_provided,category,size_deviation_cm,customer_preference,as_of",
    "id,order_value,currency,", "", "id,id,id"]), raw=st.binary(max_size=200), use_raw=st.booleans())
def test_cli_replay_on_hostile_csv(folder: Path, rows, header: str, raw: bytes, use_raw: bool) -> None:
    path = folder / "cases.csv"
    if use_raw:
        path.write_bytes(raw)
    else:
        body = "\n".join(",".join(cell.replace("\n", " ") for cell in row) for row in rows)
        path.write_bytes(f"{header}\n{body}\n".encode("utf-8", "surrogatepass"))
    run_cli(["replay", str(path), "--scenario", "size_mismatch", "--platform", "taobao",
             "--out", str(folder / "results.csv")])


YAML_TEXT = st.one_of(
    st.binary(max_size=300),
    st.sampled_from([
        b"a: &a [1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
        b"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n",
        b"overlay: x\nversion: '1'\ntitle: {en: t, zh: t, ru: t}\nsources: [t]\nplatform: []\n",
        b"overlay: x\nversion: '1'\ntitle: {en: t, zh: t, ru: t}\nsources: [t]\nparameters: {taobao: {size_tolerance_cm: "
        b"{value: 4, source: s, confidence: high, effective_from: {}}}}\n",
        b"- " * 2000 + b"x\n", b"{" * 500, b"!!python/object/apply:os.system ['true']\n", b"\xff\xfe\x00",
    ]),
)


@settings(FUZZ, max_examples=12)
@given(data=YAML_TEXT)
def test_cli_validate_on_hostile_overlays(folder: Path, data: bytes) -> None:
    path = folder / "hostile.yaml"
    path.write_bytes(data)
    run_cli(["validate", "--overlay", str(path)])
