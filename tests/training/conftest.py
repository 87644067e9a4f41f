"""Fixtures for the progress-store tests: a SQLite file, and a real PostgreSQL server.

* ``postgres_server`` (session) — a throwaway cluster made with Debian's ``initdb`` in a
  temporary directory, started with ``pg_ctl`` on 127.0.0.1, a free port and a socket directory
  of its own (the system service is never used), stopped with ``pg_ctl stop -m fast`` at the
  end. PostgreSQL refuses to run as root, so as root the programs run as the ``postgres``
  system user (``runuser``), which owns the directory. ``.ci/install-postgres.sh`` installs the
  package; without it the tests skip, or fail when ``CI`` is set.
* ``store_url`` — parametrised: a new SQLite file, or a new database on that server, per test.
"""

from __future__ import annotations

import os
import pwd
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

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


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty progress store's URL: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'progress.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.new_database()


@pytest.fixture(scope="module")
def cases():
    """The practice case bank, loaded once per module."""
    from aftersales.training.cases import load_cases

    return load_cases()


@pytest.fixture
def bank(tmp_path):
    """A private copy of the real case bank, free to edit or break."""
    from aftersales.training.cases import cases_root

    copy = tmp_path / "cases"
    shutil.copytree(cases_root(), copy)
    return copy
