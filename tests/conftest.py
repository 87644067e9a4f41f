"""Suite-wide set-up.

Papermill and nbformat import jsonschema's format checkers, which import ``rfc3987_syntax``
(~2.5 s building parsers) only for the ``iri`` format that no notebook schema uses; jsonschema
skips that check when the module cannot be imported. ``aftersales render`` does the same
(see aftersales.render.batch), so the tests run what production runs.
"""

import sys

sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

import os
import tempfile
from typing import Any

# Nothing the tests save (cases, archived playbooks, practice attempts) goes to the user's home:
# set here, before any test runs, so that kernels and subprocesses the tests start inherit it.
_STATE = tempfile.mkdtemp(prefix="aftersales-test-state-")
for _name, _value in (("AFTERSALES_CASE_LOG", os.path.join(_STATE, "case-log.jsonl")),
                      ("AFTERSALES_ARCHIVE", os.path.join(_STATE, "archive")),
                      ("AFTERSALES_SESSION_LOG", os.path.join(_STATE, "sessions.jsonl")),
                      ("AFTERSALES_PROGRESS_DB", os.path.join(_STATE, "progress.db")),
                      ("AFTERSALES_CASES_DB", os.path.join(_STATE, "cases.db"))):
    os.environ.setdefault(_name, _value)


# ------------------------------------------------------------------ the slow marker
# Tests that start a notebook kernel, Chromium, Voila or a PostgreSQL server are marked ``slow``
# here, by where they live, so `make test-fast` (pytest -m "not slow") is the edit loop and
# `make test` the whole suite. A new test of that kind in another file adds its node id below.
# ``slow`` also covers the few tests that are heavy by design, for the edit loop's 60 s budget:
# the fuzz suite (tests/hardening/test_fuzz.py, a fixed budget of hostile input; the attacks it
# found stay in the edit loop as regression tests in the other hardening files) and the stress
# tests that spawn processes to race or kill (16 writers on one progress store; kill -9 mid-write),
# the hostile files fed to the command line (a secret file, a billion laughs), where each run
# validates the whole library again (their in-process twins stay in the edit loop), and the
# whole-library sweeps in _SWEEPS: tests that validate or diff the whole shipped library again,
# mostly through `python -m aftersales` (1-4.5 s of CPU each, as each process loads, compiles and
# checks every playbook). The edit loop keeps one such sweep, the in-process
# tests/test_validator.py::test_the_unbroken_library_is_valid, and `make validate` is the quick
# whole check; `make test` runs them all.
import pytest
from hypothesis import settings

_SLOW_PATHS = ("tests/browser/", "tests/notebooks/", "tests/render/test_pdf.py", "tests/render/test_render_batch.py",
               "tests/slip/",  # a slip printed by Chromium, read back with pdftoppm and zxing-cpp
               # whole practice pages worked per case and language (make test runs them; the edit loop keeps
               # the widget-level tests of the same words)
               "tests/training/test_practice_words.py")
_SLOW_IDS = ("postgres", "test_render_writes_the_store_sop_through_the_notebook", "tests/test_registry.py::",
             "tests/hardening/test_fuzz.py::", "test_16_processes_record_500_attempts_each_and_none_is_lost",
             "test_kill_9_mid_write_never_leaves_a_torn_record", "test_the_cli_never_echoes_a_secret_file",
             "test_the_laughs_overlay_through_the_cli_under_a_memory_cap")
_SWEEPS = (
    "tests/training/test_traps.py::test_after_a_submission_the_page_lists_the_traps_in_the_interface_language",
    "tests/training/test_traps.py::test_the_traps_follow_the_language_the_trainee_switches_to",
    "tests/training/test_mastery.py::test_train_board_prints_a_row_per_trainee_scenario_and_platform",
    "tests/training/test_mastery.py::test_train_next_names_the_case_and_the_mastery_so_far",
    # the engine's own message scored on every case x interface language (make test; a sample is not kept)
    "tests/training/test_reply_content.py::test_the_engines_own_decision_and_message_score_full_marks_on_every_case",
    "tests/test_cli.py::test_validate_passes_on_the_shipped_playbooks",
    "tests/test_cli.py::test_validate_names_the_playbooks_folder_it_checked",
    "tests/test_problem_codes.py::test_text_and_json_report_the_same_errors",
    "tests/test_problem_codes.py::test_validate_json_on_the_shipped_playbooks",
    "tests/test_citations.py::test_the_whole_library_check_covers_profiles_cases_and_overlays",
    "tests/test_citations.py::test_the_shipped_playbooks_cite_only_what_resolves",
    "tests/test_overlay.py::test_validate_checks_every_shipped_overlay_and_reports_a_broken_one_by_line",
    "tests/test_overlay.py::test_diff_shows_what_an_overlay_changes_and_gates_on_it",
    "tests/hardening/test_overlay_hardening.py::test_an_overlay_restating_every_shipped_message_term_and_branch_validates",
    "tests/hardening/test_overlay_hardening.py::test_validate_on_the_cli_reports_the_overlays_line",
    "tests/hardening/test_yaml_limits.py::test_the_laughs_in_playbooks_overlays_and_in_a_profile",
    "tests/test_diff.py::test_past_cases_from_a_csv_are_checked_too",
    "tests/test_diff.py::test_a_tolerance_change_is_named_and_its_cases_make_the_gate_fail",
    "tests/test_diff.py::test_a_message_or_branch_change_is_listed_and_without_impact_passes",
    # command-line runs that start several `python -m aftersales` processes (each loads and compiles
    # the whole library); their in-process twins stay in the edit loop
    "tests/test_diff.py::test_git_revisions_work_as_sides",
    "tests/test_overlay.py::test_decide_describe_params_and_examples_take_the_overlay",
    "tests/test_overlay.py::test_replay_takes_the_overlay_and_records_each_row",
    "tests/test_overlay.py::test_a_recorded_overlay_decision_is_remade_after_the_overlay_file_is_gone",
    "tests/test_records.py::test_a_recorded_decision_is_remade_exactly_after_the_playbooks_change",
    "tests/test_records.py::test_today_says_so_when_todays_rules_need_a_fact_the_case_never_recorded",
    "tests/test_records.py::test_a_case_exports_as_a_page_for_an_appeal",
    "tests/training/test_scoring.py::test_train_score_prints_the_misses_and_records_the_attempt",
    # the checker's timing and backtracking guards (seconds of CPU by design)
    "tests/compliance/test_checker.py::test_a_typical_message_is_checked_in_well_under_a_millisecond_of_cpu",
)


# ------------------------------------------------------------------ policy values
# Tests that pin a platform or legal value (tests/law/, the profile tests, the approved snapshot)
# are marked ``policy_value``; when one fails, the report says in plain words what to do if the
# value was changed on purpose (issue 16, part 6).
_POLICY_PATHS = ("tests/law/", "tests/platforms/test_profiles.py", "tests/platforms/test_fulfilment.py")
POLICY_HINT = ("This test pins a policy value (a platform rule or a legal period). If you changed a value in "
               "playbooks/platforms/ or playbooks/jurisdictions/ on purpose, check that the new value is right "
               "and sourced, run `make accept-policy` to approve it, and update this test's expectation; if you "
               "did not mean to change it, the change is a mistake.")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed and item.get_closest_marker("policy_value") is not None:
        report.sections.append(("policy value", POLICY_HINT))


_GUARDS = ("tests/compliance/test_checker.py::test_no_input_makes_the_checker_backtrack_for_long",)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "policy_value: pins a platform or legal value; a failure explains how a "
                            "lead approves a change (make accept-policy)")
    config.addinivalue_line("markers", "slow: starts a kernel, Chromium, Voila or PostgreSQL, or is the fuzz suite, "
                            "a multi-process stress test or a whole-library sweep (skipped by make test-fast)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    edit_loop = settings.get_current_profile_name() == EDIT_LOOP
    if edit_loop:
        items[:] = _sampled(config, items)
    for item in items:
        node = item.nodeid
        if node.startswith(_SLOW_PATHS) or any(part in node for part in _SLOW_IDS) or node in _SWEEPS \
                or node.split("[", 1)[0] in _SWEEPS or node.split("[", 1)[0] in _GUARDS:
            item.add_marker(pytest.mark.slow)
        if node.startswith(_POLICY_PATHS):
            item.add_marker(pytest.mark.policy_value)
        if edit_loop:
            _thin(item)


# ------------------------------------------------------------------ the edit loop's Hypothesis profile
# `make test-fast` runs with ``--hypothesis-profile=edit-loop``: each property test runs a tenth of
# the examples it asks for (never fewer than 10; 10 for those that ask for none, Hypothesis's 100).
# Nothing else changes: the same strategies, the same assertions, the example database replays
# past failures first, and the tests that are not derandomized draw new examples on each run.
# `make test` (and plain pytest) loads no profile, so every property runs its full count there.
EDIT_LOOP = "edit-loop"
EDIT_LOOP_SHARE = 10
settings.register_profile(EDIT_LOOP, max_examples=10)


#: In the edit loop a parametrized test with at least this many cases runs a fixed sample of them.
EDIT_LOOP_SAMPLE_FROM = 8
#: ... one case in this many (chosen by a hash of the case's id, so the sample is the same every run).
EDIT_LOOP_SAMPLE_SHARE = 3


def _sampled(config: pytest.Config, items: list[pytest.Item]) -> list[pytest.Item]:
    """The edit loop's sample of the big parametrized sweeps (every outcome × platform × language
    message, every problem class, every bad input): one case in EDIT_LOOP_SAMPLE_SHARE of a test
    with EDIT_LOOP_SAMPLE_FROM cases or more, by a stable hash of its id, at least three per test.
    `make test` runs every case; this only shortens `make test-fast`, like the Hypothesis profile."""
    import zlib

    groups: dict[str, list[pytest.Item]] = {}
    for item in items:
        if "[" in item.nodeid:
            groups.setdefault(item.nodeid.split("[", 1)[0], []).append(item)
    dropped: set[int] = set()
    for cases in groups.values():
        if len(cases) < EDIT_LOOP_SAMPLE_FROM:
            continue
        keep = [c for c in cases if zlib.crc32(c.nodeid.encode()) % EDIT_LOOP_SAMPLE_SHARE == 0] or cases[:3]
        keep_ids = {id(c) for c in keep} | {id(c) for c in cases[:3]}
        dropped |= {id(c) for c in cases if id(c) not in keep_ids}
    if not dropped:
        return items
    config.hook.pytest_deselected(items=[i for i in items if id(i) in dropped])
    return [i for i in items if id(i) not in dropped]


def _thin(item: pytest.Item) -> None:
    test = getattr(item, "obj", None)
    if not getattr(test, "is_hypothesis_test", False) or getattr(test, "_edit_loop_thinned", False):
        return
    own = test._hypothesis_internal_use_settings  # what @settings gave the test (hypothesis reads it per run)
    floor = settings.get_profile(EDIT_LOOP).max_examples
    if own.max_examples > floor:
        test._hypothesis_internal_use_settings = settings(own, max_examples=max(floor, own.max_examples // EDIT_LOOP_SHARE))
    test._edit_loop_thinned = True  # a parametrized test is one function under several items


# ------------------------------------------------------------------ a PostgreSQL server of our own
# ``postgres_server`` (session) — a throwaway cluster made with Debian's ``initdb`` in a temporary
# directory, started with ``pg_ctl`` on 127.0.0.1, a free port and a socket directory of its own
# (the system service is never used), stopped with ``pg_ctl stop -m fast`` at the end. PostgreSQL
# refuses to run as root, so as root the programs run as the ``postgres`` system user
# (``runuser``), which owns the directory. ``.ci/install-postgres.sh`` installs the package;
# without it the tests skip, or fail when ``CI`` is set. The progress-store tests
# (tests/training/) and the case-store tests (tests/cases/) share it.
import pwd
import re
import shlex
import shutil
import socket
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

START_TIMEOUT_S = 60
PG_USER = "aftersales"  # the cluster's superuser (trust authentication on loopback only)


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _unavailable(reason: str) -> NoReturn:
    """Skip (developer machine) or fail (CI) the tests that need PostgreSQL."""
    message = f"PostgreSQL is not available: {reason} (bash .ci/install-postgres.sh installs it)"
    if _ci():
        pytest.fail(f"{message}; CI is set, so this is an error", pytrace=False)
    pytest.skip(message)


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", path.parent.parent.name)) or (0,)


def find_pg_bindir() -> Path | None:
    """The directory holding ``initdb`` and ``pg_ctl``: on the PATH, else Debian's newest
    ``/usr/lib/postgresql/<version>/bin``."""
    on_path = shutil.which("initdb")
    if on_path:
        bindir = Path(on_path).resolve().parent
        if (bindir / "pg_ctl").exists():
            return bindir
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=_version_key)
    return candidates[-1].parent if candidates else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresServer:
    """A running throwaway cluster; :meth:`new_database` gives each test a database of its own."""

    bindir: Path
    base: Path
    port: int
    as_owner: list[str]

    @property
    def data(self) -> Path:
        return self.base / "data"

    @property
    def socket_dir(self) -> Path:
        return self.base / "socket"

    @property
    def log_file(self) -> Path:
        return self.base / "server.log"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{PG_USER}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """Create an empty database and return its SQLAlchemy URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(host="127.0.0.1", port=self.port, user=PG_USER, dbname="postgres",
                             autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return _run([*self.as_owner, str(self.bindir / "pg_ctl"), "-D", str(self.data), *args],
                    cwd=self.base, check=check)

    def start(self) -> None:
        options = " ".join([
            "-c listen_addresses=127.0.0.1",
            f"-c port={self.port}",
            f"-c unix_socket_directories={shlex.quote(str(self.socket_dir))}",
            "-c max_connections=60",
        ])
        self.pg_ctl("-l", str(self.log_file), "-w", "-t", str(START_TIMEOUT_S), "-o", options, "start")

    def stop(self) -> None:
        self.pg_ctl("-w", "-m", "fast", "stop", check=False)

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_file.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


def _run(command: list[str], *, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)
    if check and result.returncode != 0:
        raise RuntimeError(f"{shlex.join(command)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def _as_owner() -> tuple[list[str], int | None, int | None]:
    """How to run the PostgreSQL programs: as ourselves, or (as root) as the ``postgres`` user."""
    if os.geteuid() != 0:
        return [], None, None
    try:
        user = pwd.getpwnam("postgres")
    except KeyError:
        _unavailable("running as root, where PostgreSQL refuses to run, and there is no 'postgres' user")
    if shutil.which("runuser"):
        return ["runuser", "-u", "postgres", "--"], user.pw_uid, user.pw_gid
    if shutil.which("setpriv"):
        return ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--init-groups", "--"], \
            user.pw_uid, user.pw_gid
    _unavailable("running as root, and neither runuser nor setpriv is there to run PostgreSQL as 'postgres'")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL cluster of our own on 127.0.0.1, for the whole session."""
    bindir = find_pg_bindir()
    if bindir is None:
        _unavailable("no initdb on the PATH or in /usr/lib/postgresql/*/bin")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("psycopg is not installed")
    as_owner, uid, gid = _as_owner()
    # Not under pytest's tmp_path: its parents are private to root, and the server may run as
    # another user. mkdtemp makes a 0700 directory, which we hand to that user.
    base = Path(tempfile.mkdtemp(prefix="aftersales-pg-"))
    server = PostgresServer(bindir=bindir, base=base, port=0, as_owner=as_owner)
    started = False
    try:
        server.socket_dir.mkdir()
        if uid is not None:
            for path in (base, server.socket_dir):
                os.chown(path, uid, gid if gid is not None else -1)
        _run([*as_owner, str(bindir / "initdb"), "-D", str(server.data), "-U", PG_USER, "--auth=trust",
              "-E", "UTF8", "--locale=C", "--no-sync"], cwd=base)
        for attempt in range(3):  # the free port may be taken between our check and the server's bind
            server.port = _free_port()
            try:
                server.start()
                started = True
                break
            except RuntimeError as exc:
                if attempt == 2 or "already in use" not in server.log_tail():
                    raise RuntimeError(f"{exc}\n--- server log ---\n{server.log_tail()}") from None
        yield server
    finally:
        if started:
            server.stop()
        shutil.rmtree(base, ignore_errors=True)
