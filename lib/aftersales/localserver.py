"""Serving something on this machine for a while: a free port, whether it answers, a clean stop.

Shared by whatever starts the app's server for a moment (the browser tests, the screenshot script
``docs/screens/make_screens.py``): the app itself is served by ``make app``.
"""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "answers", "free_port", "stop"]

#: Debian's Chromium (installed by .ci/install-chromium.sh; nothing downloads a browser).
CHROMIUM = Path("/usr/bin/chromium")
#: How a headless Chromium is launched against the local app.
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-dev-shm-usage",  # containers often have a tiny /dev/shm
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # The app may only reach itself (Voila's template asks a CDN for icon fonts): other hosts do
    # not resolve, so an offline machine behaves like any other, with no request interception.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (another process may still take it first)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def answers(port: int) -> bool:
    """Whether something accepts connections on 127.0.0.1:``port``."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (a Voila server then shuts its kernels down); kill it if it does not stop in time."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
