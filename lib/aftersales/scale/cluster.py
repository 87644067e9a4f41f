"""Connecting to a Dask scheduler, and the checks that turn a wrong address, a cluster without
workers, or workers that cannot see our files into one clear line (exit 2) instead of a hang
or a traceback.

A Dask worker runs the tasks with the paths this machine gives it (the playbooks, the notebook,
the output folder), so every worker must see those folders at the same paths (a shared
filesystem, or the same checkout on each machine) and run the same aftersales code: both are
checked before any task is sent (:func:`check_workers`).
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from importlib import import_module
from pathlib import Path
from typing import Any

from ..errors import AftersalesError

#: How long to wait for the scheduler to answer (seconds).
CONNECT_TIMEOUT_S = 10.0
#: How long to wait for the scheduler to have a worker (seconds).
WORKERS_TIMEOUT_S = 30.0
ADVICE = ("check that a scheduler runs there ('dask scheduler' prints its address; its default port is 8786), "
          "that the address and port are right, and that this machine can reach it (firewall, VPN)")


class SchedulerError(AftersalesError):
    """The Dask cluster cannot be used: the scheduler is unreachable or has no worker, or a worker
    cannot see the files or runs other code."""


def unreachable(address: str, reason: str) -> SchedulerError:
    """The error for a scheduler that cannot be reached, naming the address and what to check."""
    return SchedulerError(f"cannot reach the Dask scheduler at {address}: {reason}; {ADVICE}")


def probe(address: str, timeout_s: float = CONNECT_TIMEOUT_S) -> None:
    """Raise :class:`SchedulerError` unless a Dask scheduler answers at ``address``.

    A TCP address is first tried with a plain socket (a refused port fails at once, where Dask
    would retry until its timeout), then Dask's own handshake shows that a Dask process answers
    (a web server on that port fails here, cleanly, not in the Client's constructor)."""
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.comm.registry import get_backend

    connect = import_module("distributed.comm.core").connect  # untyped upstream: Any here

    try:
        scheme, location = parse_address(address)
        get_backend(scheme)  # an unknown scheme is a ValueError naming the known ones
        if scheme == "tcp":
            host, port = parse_host_port(location)
            if not 0 < int(port) < 65536:
                raise ValueError(f"port {port} is not a port number (1-65535)")
            with socket.create_connection((host, int(port)), timeout=timeout_s):
                pass
    except ValueError as exc:
        raise unreachable(address, f"not an address Dask reads ({exc}); allowed: tcp://HOST:PORT, "
                                   "tls://HOST:PORT or HOST:PORT") from None
    except ConnectionRefusedError:
        raise unreachable(address, "the connection was refused (nothing listens on that port)") from None
    except socket.gaierror as exc:
        raise unreachable(address, f"unknown host ({exc.strerror or exc})") from None
    except TimeoutError:
        raise unreachable(address, f"no answer within {timeout_s:g} s") from None
    except OSError as exc:
        raise unreachable(address, exc.strerror or str(exc)) from None

    async def handshake() -> None:  # Dask's own wait for the peer's handshake has no end: bounded here
        comm = await asyncio.wait_for(connect(address, timeout=timeout_s), timeout_s + 1)
        await comm.close()

    try:
        asyncio.run(handshake())
    except TimeoutError:
        raise unreachable(address, f"no Dask scheduler answered within {timeout_s:g} s (something else listens "
                                   "on that port?)") from None
    except (OSError, ValueError, TypeError) as exc:
        raise unreachable(address, f"no Dask scheduler answered ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})") from None


@contextmanager
def connect(address: str, *, timeout_s: float = CONNECT_TIMEOUT_S,
            workers_timeout_s: float = WORKERS_TIMEOUT_S) -> Iterator[Any]:
    """A :class:`distributed.Client` of the scheduler at ``address`` that has at least one worker;
    closed on exit. Every failure to get there is one :class:`SchedulerError`."""
    probe(address, timeout_s)
    distributed = import_module("distributed")  # untyped upstream: Any here
    try:
        client = distributed.Client(address, timeout=timeout_s, set_as_default=False)
    except (OSError, ValueError, TypeError) as exc:
        raise unreachable(address, str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
    try:
        try:
            client.wait_for_workers(1, timeout=workers_timeout_s)
        except TimeoutError:
            raise SchedulerError(f"the Dask scheduler at {address} has no worker (waited {workers_timeout_s:g} s): "
                                 f"start some with 'dask worker {address}'") from None
        yield client
    finally:
        client.close()


def check_workers(client: Any, paths: Mapping[str, Path]) -> None:
    """Every worker sees each of ``paths`` (what it is -> path) and runs the aftersales code this
    machine runs (the digest of every source file, as the render cache keys it); else one
    :class:`SchedulerError` naming the worker and what to do."""
    from ..render.plan import code_digest

    wanted = [str(path) for path in paths.values()]
    try:
        seen = client.run(worker_view, wanted)
    except ModuleNotFoundError as exc:
        raise SchedulerError(f"the Dask workers cannot import {exc.name}: install aftersales (this version) in "
                             "every worker's environment") from None
    ours = code_digest()
    for worker, (missing, digest) in sorted(seen.items()):
        for what, path in paths.items():
            if str(path) in missing:
                raise SchedulerError(f"the Dask worker {worker} cannot see {what} {path}: the workers read and write "
                                     "at the paths this machine gives them, so every worker needs the same folders "
                                     "(a shared filesystem, or the same checkout at the same path)")
        if digest != ours:
            raise SchedulerError(f"the Dask worker {worker} runs other aftersales code than this machine (code digest "
                                 f"{digest[:12]} vs {ours[:12]}): install the same version on every worker")


def worker_view(paths: list[str]) -> tuple[list[str], str]:
    """On a worker: which of ``paths`` it cannot see, and the digest of its aftersales code (taken once
    per process, as the render cache takes it)."""
    from ..render.plan import code_digest

    return [path for path in paths if not Path(path).exists()], code_digest()
