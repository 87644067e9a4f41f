"""Fuzz the toolkit as an attacker and a clumsy user would, and count undocumented exceptions.

Issue 13's yardstick: 20,000 in-process ``decide`` calls and 1,000 CLI calls on hostile input
report **0 undocumented exceptions**. Documented means the error the README's "Safety and limits"
names for bad input: ``FactError`` (a bad fact, ``as_of`` included) and ``UnknownNameError``
(an unknown scenario, platform or language) in process; on the command line a one-line message on
stderr with exit 1 or 2 and no traceback. The CLI has no catch-all handler, so anything else shows
as a traceback and is counted with its class.

The CLI calls go through ``aftersales.cli.main`` in this process (argv, files and stdin as a shell
gives them; a fresh interpreter per call would take ~10 minutes), plus ``--subprocess N`` real
``python -m aftersales`` runs as a cross-check.

    python benchmarks/bench_fuzz.py [--decide 20000] [--cli 1000] [--subprocess 50] [--seed 13]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

from aftersales.engine import decide, next_question
from aftersales.errors import FactError, UnknownNameError
from aftersales.library import load_library

DOCUMENTED = (FactError, UnknownNameError)

HUGE = [10**400, -(10**400), 10**25, 1e308, -1e308, float("inf"), float("-inf"), float("nan"), 2**63, -0.0]
ODD_STRINGS = ["", " ", "\x00", "\ufeff", "a" * 100_000, "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "‮rtl", "null", "NaN", "1e999", "0x10",
               "2026-02-30", "0001-01-01", "9999-12-31", "2026-01-15T25:00:00", "+infinity", "١٢٣", "１２３"]
ODD_DATES = ["0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00-05:00", "1969-12-31", "2201-01-01", "1995-06-01",
             "2026-13-01", "2026-01-15T09:00:00+25:00", "yesterday", 5, 5.5, True, [], {}, None,
             "2026-01-15T09:00:00+00:00", "2026-11-22T12:00:00+00:00"]
ODD_VALUES = HUGE + ODD_STRINGS + [None, True, False, [], {}, [1, [2, [3]]], {"a": {"b": {}}}, -1, 0, 3.0000001,
                                   10**19, 0.001, 99_999_999, "2026-01-12", "2199-12-31", "1970-01-01"]


def nested(depth: int) -> object:
    value: object = 1
    for _ in range(depth):
        value = [value]
    return value


def hostile_facts(rng: random.Random, base: dict) -> dict:
    facts = dict(base)
    for _ in range(rng.randint(1, 2)):
        choice = rng.random()
        if choice < 0.6 and facts:
            key = rng.choice(sorted(facts))
            facts[key] = rng.choice(ODD_VALUES + ODD_DATES)
        elif choice < 0.8:
            facts[rng.choice(["x", "order_value", "__class__", "params", "today", "ñ" * 50])] = rng.choice(ODD_VALUES)
        elif choice < 0.9 and facts:
            facts.pop(rng.choice(sorted(facts)))
        else:
            facts[rng.choice(sorted(facts) or ["order_value"])] = nested(rng.randint(10, 200))
    return facts


def fuzz_decide(count: int, rng: random.Random) -> tuple[Counter, dict[str, str]]:
    library = load_library()
    bases = [(name, example.platform, dict(example.facts), example.as_of or "2026-01-15T09:00:00+00:00")
             for name in library.scenarios for example, _ in library.playbook(name).examples]
    platforms = sorted(library.profiles) + ["nope", "", "AMAZON"]
    outcomes: Counter = Counter()
    samples: dict[str, str] = {}
    for index in range(count):
        scenario, platform, base, sound_as_of = rng.choice(bases)
        if rng.random() < 0.05:
            scenario = rng.choice(["nope", "", "size_mismatch "])
        if rng.random() < 0.1:
            platform = rng.choice(platforms)
        # half the calls keep a sound moment and most facts, so the hostile value travels deep
        facts = hostile_facts(rng, base) if rng.random() < 0.8 else dict(base)
        as_of = rng.choice(ODD_DATES) if rng.random() < 0.5 else sound_as_of
        lang = rng.choice(["en", "zh", "ru", "en", "xx", None])
        call = decide if index % 5 else next_question
        try:
            if call is decide:
                decide(scenario, facts, platform, lang=lang, as_of=as_of, library=library)
            else:
                next_question(scenario, facts, platform=platform, lang=lang, as_of=as_of)
            outcomes["result"] += 1
        except DOCUMENTED as exc:
            outcomes[type(exc).__name__] += 1
        except Exception as exc:  # noqa: BLE001 - the point is to count them
            name = f"UNDOCUMENTED {type(exc).__name__}"
            outcomes[name] += 1
            samples.setdefault(name, f"{scenario} on {platform}, as_of={as_of!r}: "
                                     f"{traceback.format_exception_only(exc)[-1].strip()[:300]}")
    return outcomes, samples


# ------------------------------------------------------------------------------------------ CLI

def cli_cases(rng: random.Random, folder: Path, count: int) -> list[tuple[list[str], bytes | None]]:
    """(argv, stdin bytes) pairs: hostile files, arguments and streams for each command."""
    library = load_library()
    example = library.playbook("size_mismatch").examples[0][0]
    good = json.dumps(example.facts, default=str)
    files: list[Path] = []

    def write(name: str, data: bytes) -> str:
        path = folder / name
        path.write_bytes(data)
        files.append(path)
        return str(path)

    payloads = {
        "binary": bytes(rng.randrange(256) for _ in range(512)),
        "gbk": json.dumps({"customer_name": "李女士", "order_value": 129}, ensure_ascii=False).encode("gbk"),
        "deep": ("[" * 5000 + "]" * 5000).encode(),
        "deep_obj": ('{"a":' * 3000 + "1" + "}" * 3000).encode(),
        "bignum": ('{"order_value": ' + "9" * 5000 + "}").encode(),
        "float_big": b'{"order_value": 1e999}',
        "not_json": b"{order_value: 129,}",
        "list": b"[1, 2, 3]",
        "empty": b"",
        "bom": "\ufeff".encode() + good.encode(),
        "good": good.encode(),
        "nul": b'{"customer_name": "\x00"}',
        "huge_text": ('{"customer_name": "' + "x" * 2_000_000 + '"}').encode(),
    }
    paths = {name: write(f"{name}.json", data) for name, data in payloads.items()}
    csvs = {
        "ragged": "id,scenario,platform,order_value\n1,size_mismatch,taobao,129,extra\n2,size_mismatch\n",
        "trailing": "id,order_value,currency,delivered_on,\n1,129,CNY,2026-01-12,\n",
        "gbk": None,
        "binary": None,
        "old": "id,order_value,currency,delivered_on,as_of\n1,129,CNY,1995-01-12,1995-01-20T00:00:00+00:00\n",
    }
    csv_paths = {}
    for name, text in csvs.items():
        if name == "gbk":
            data = "id,customer_name,order_value\n1,李女士,129\n".encode("gbk")
        elif name == "binary":
            data = bytes(rng.randrange(256) for _ in range(2048))
        else:
            data = text.encode()
        csv_paths[name] = write(f"{name}.csv", data)
    overlay_bad = write("bad.yaml", b"a: &a [1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                                    b"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                                    b"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n")
    text_paths = [write("msg_zw.txt", "Please leave a pos\u200bitive review, mail me at a\uff20b\uff0ecom".encode()),
                  write("msg_bin.txt", bytes(range(256)))]
    as_ofs = [str(d) for d in ODD_DATES if isinstance(d, str)] + ["", "5", "now"]
    platforms = sorted(library.profiles)
    cases: list[tuple[list[str], bytes | None]] = []
    for _ in range(count):
        kind = rng.random()
        if kind < 0.45:
            argv = ["decide", rng.choice(library.scenarios + ["nope"]), "--platform", rng.choice(platforms),
                    "--facts", rng.choice(list(paths.values()) + ["-", str(folder / "missing.json")])]
            if rng.random() < 0.5:
                argv += ["--as-of", rng.choice(as_ofs)]
            if rng.random() < 0.2:
                argv += ["--json"]
            stdin = rng.choice(list(payloads.values())) if "-" in argv else None
            cases.append((argv, stdin))
        elif kind < 0.55:
            cases.append((["params", rng.choice(platforms), "--as-of", rng.choice(as_ofs)], None))
        elif kind < 0.7:
            answers = rng.choice(list(paths.values()))
            argv = ["train", "score", rng.choice(["size-001", "mind-001", "nope", "", "../x"]), "--answers", answers]
            if rng.random() < 0.2:
                argv += ["--trainee", ""]
            cases.append((argv, None))
        elif kind < 0.8:
            cases.append((["check-message", "--platform", rng.choice(platforms), "--lang", rng.choice(["en", "zh", "ru"]),
                           "--kind", "general", rng.choice(text_paths + ["-"])],
                          rng.choice([bytes(range(256)), "正常的消息".encode("gbk"), b"hello"])))
        elif kind < 0.9:
            out = folder / f"out{rng.randrange(10**6)}.csv"
            cases.append((["replay", rng.choice(list(csv_paths.values())), "--scenario", "size_mismatch",
                           "--platform", "taobao", "--out", str(out)], None))
        elif kind < 0.95:
            cases.append((["validate", "--overlay", rng.choice([overlay_bad, paths["binary"], "/etc/passwd",
                                                                 str(folder)])], None))
        else:
            cases.append((["case", "show", rng.choice(["nope", "../../etc/passwd", "x" * 5000, ""])], None))
    return cases


def run_in_process(argv: list[str], stdin: bytes | None) -> tuple[int, str]:
    from aftersales import cli

    out, err = io.StringIO(), io.StringIO()
    stream = io.TextIOWrapper(io.BytesIO(stdin or b""), encoding="utf-8", errors="strict")
    old_stdin = sys.stdin
    sys.stdin = stream
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli.main(argv)
            except SystemExit as exc:  # argparse: exit 2 with a usage line
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        sys.stdin = old_stdin
    return int(code or 0), err.getvalue()


def fuzz_cli(count: int, subprocesses: int, rng: random.Random) -> tuple[Counter, dict[str, str]]:
    outcomes: Counter = Counter()
    samples: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        # nothing the fuzz writes (records, progress) may reach the user's own files
        os.environ["AFTERSALES_CASE_LOG"] = str(folder / "case-log.jsonl")
        os.environ["AFTERSALES_ARCHIVE"] = str(folder / "archive")
        os.environ["AFTERSALES_PROGRESS_URL"] = f"sqlite:///{folder / 'progress.db'}"
        cases = cli_cases(rng, folder, count + subprocesses)
        for index, (argv, stdin) in enumerate(cases):
            label = " ".join(a if len(a) < 60 else a[:57] + "..." for a in argv)
            if index < count:
                try:
                    code, err = run_in_process(argv, stdin)
                except Exception as exc:  # noqa: BLE001
                    name = f"UNDOCUMENTED {type(exc).__name__}"
                    outcomes[name] += 1
                    samples.setdefault(name, f"{label}: {traceback.format_exception_only(exc)[-1].strip()[:300]}")
                    continue
            else:
                done = subprocess.run([sys.executable, "-m", "aftersales", *argv], input=stdin or b"",
                                      capture_output=True, timeout=120)
                code, err = done.returncode, done.stderr.decode("utf-8", "replace")
            if "Traceback (most recent call last)" in err:
                name = f"UNDOCUMENTED traceback {err.strip().splitlines()[-1].split(':')[0]}"
                outcomes[name] += 1
                samples.setdefault(name, f"{label}: {err.strip().splitlines()[-1][:300]}")
            elif code in (0, 1, 2):
                outcomes[f"exit {code}"] += 1
            else:
                outcomes[f"UNDOCUMENTED exit {code}"] += 1
                samples.setdefault(f"UNDOCUMENTED exit {code}", label)
    return outcomes, samples


def report(title: str, outcomes: Counter, samples: dict[str, str], seconds: float) -> int:
    total = sum(outcomes.values())
    bad = sum(n for name, n in outcomes.items() if name.startswith("UNDOCUMENTED"))
    print(f"\n{title}: {total:,} calls in {seconds:.1f} s, {bad} undocumented exceptions")
    for name, n in outcomes.most_common():
        print(f"  {n:>7,}  {name}")
    for name, sample in samples.items():
        print(f"  e.g. {name}: {sample}")
    return bad


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decide", type=int, default=20_000)
    parser.add_argument("--cli", type=int, default=1_000)
    parser.add_argument("--subprocess", type=int, default=50)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    start = time.perf_counter()
    decided, decide_samples = fuzz_decide(args.decide, rng)
    bad = report("decide / next_question in process", decided, decide_samples, time.perf_counter() - start)
    start = time.perf_counter()
    ran, cli_samples = fuzz_cli(args.cli, args.subprocess, rng)
    bad += report(f"CLI ({args.cli:,} in process + {args.subprocess} subprocesses)", ran, cli_samples,
                  time.perf_counter() - start)
    print(f"\ntotal undocumented exceptions: {bad}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
