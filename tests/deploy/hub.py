"""Driving a running team hub (deploy/jupyterhub_config.py) over HTTP as its users do: the login
form, a token from the REST API, the user's server started and awaited, code run in a kernel of
that server over its websocket, and the hub stopped with everything it started.

Used by tests/deploy/test_team.py; kept apart so the test reads as the story it checks.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import requests
import websocket

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "deploy" / "jupyterhub_config.py"
VENV_BIN = Path(sys.executable).parent
#: Where .ci/install-hub.sh puts the proxy (the hub's config finds it there too).
PROXY = VENV_BIN.parent / "hub-node" / "node_modules" / ".bin" / "configurable-http-proxy"

HUB_UP_TIMEOUT_S = 40
SERVER_READY_TIMEOUT_S = 60
KERNEL_RUN_TIMEOUT_S = 60
STOP_TIMEOUT_S = 30


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Hub:
    """A hub started from the deploy config on loopback ports of its own, its state in ``state``."""

    state: Path
    password: str
    env: dict[str, str]
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    children: list[psutil.Process] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        return self.state / "hub.log"

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_file.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def start(self) -> None:
        """Start ``jupyterhub -f deploy/jupyterhub_config.py``; return once the hub answers through its proxy."""
        self.port = free_port()
        env = {**self.env, "AFTERSALES_HUB_STATE": str(self.state), "AFTERSALES_HUB_PASSWORD": self.password,
               "PORT": str(self.port), "AFTERSALES_HUB_API_PORT": str(free_port()),
               "AFTERSALES_HUB_PROXY_API_PORT": str(free_port()),
               "PATH": f"{PROXY.parent}{os.pathsep}{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
        with open(self.log_file, "wb") as log:
            self.process = subprocess.Popen([str(VENV_BIN / "jupyterhub"), "-f", str(CONFIG)], cwd=self.state,
                                            env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + HUB_UP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the hub exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if requests.get(f"{self.url}/hub/api", timeout=5).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the hub did not answer within {HUB_UP_TIMEOUT_S} s:\n{self.log_tail()}")

    def stop(self) -> list[str]:
        """Stop the hub (SIGTERM: it stops the users' servers, the culler and the proxy), then
        anything it started that is still running. Returns the processes that had to be killed."""
        if self.process is None:
            return []
        try:
            self.children = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            self.children = []
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        _gone, alive = psutil.wait_procs(self.children, timeout=10)
        killed = []
        for proc in alive:
            try:
                killed.append(" ".join(proc.cmdline()))
                proc.kill()
            except psutil.NoSuchProcess:
                pass
        psutil.wait_procs(alive, timeout=5)
        return killed


@dataclass
class HubUser:
    """One person on the hub: a browser-like session after the login form, and an API token."""

    hub: Hub
    name: str
    browser: requests.Session = field(default_factory=requests.Session)
    token: str = ""

    @property
    def api(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"}

    def log_in(self) -> None:
        """The hub's login form (with its ``_xsrf`` token), then a token from the REST API."""
        form = self.browser.get(f"{self.hub.url}/hub/login", timeout=30)
        form.raise_for_status()
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', form.text)
        assert xsrf, "the login page has no _xsrf field"
        answer = self.browser.post(f"{self.hub.url}/hub/login", allow_redirects=False, timeout=30,
                                   data={"username": self.name, "password": self.hub.password, "_xsrf": xsrf[1]})
        assert answer.status_code == 302, f"login as {self.name}: {answer.status_code} {answer.text[:300]}"
        made = self.browser.post(f"{self.hub.url}/hub/api/users/{self.name}/tokens", timeout=30,
                                 json={"note": "tests/deploy", "expires_in": 900},
                                 headers={"X-XSRFToken": self.browser.cookies.get("_xsrf", path="/hub/") or xsrf[1]})
        assert made.status_code == 201, f"token for {self.name}: {made.status_code} {made.text[:300]}"
        self.token = made.json()["token"]

    def start_server(self) -> None:
        started = requests.post(f"{self.hub.url}/hub/api/users/{self.name}/server", headers=self.api, timeout=30)
        assert started.status_code in (201, 202), f"start {self.name}'s server: {started.status_code} {started.text}"

    def server_ready(self) -> bool:
        model = requests.get(f"{self.hub.url}/hub/api/users/{self.name}", headers=self.api, timeout=30).json()
        server = (model.get("servers") or {}).get("")
        return bool(server and server.get("ready"))

    def server_url(self, path: str) -> str:
        return f"{self.hub.url}/user/{self.name}/{path}"

    def run_in_kernel(self, code: str) -> str:
        """Start a kernel in the user's server, run ``code`` over the kernel's websocket, shut the
        kernel down; the text it printed (an error's traceback raises)."""
        made = requests.post(self.server_url("api/kernels"), headers=self.api, json={"name": "python3"}, timeout=30)
        assert made.status_code == 201, f"{self.name}'s kernel: {made.status_code} {made.text[:300]}"
        kernel_id = made.json()["id"]
        try:
            ws_url = self.server_url(f"api/kernels/{kernel_id}/channels").replace("http://", "ws://", 1)
            conn = websocket.create_connection(ws_url, header=[f"Authorization: token {self.token}"],
                                               timeout=KERNEL_RUN_TIMEOUT_S)
            try:
                return _execute(conn, code, self.name)
            finally:
                conn.close()
        finally:
            requests.delete(self.server_url(f"api/kernels/{kernel_id}"), headers=self.api, timeout=30)


def _execute(conn: websocket.WebSocket, code: str, username: str) -> str:
    msg_id = uuid.uuid4().hex
    conn.send(json.dumps({
        "header": {"msg_id": msg_id, "username": username, "session": uuid.uuid4().hex,
                   "msg_type": "execute_request", "version": "5.3", "date": ""},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                    "allow_stdin": False, "stop_on_error": True},
    }))
    printed: list[str] = []
    deadline = time.monotonic() + KERNEL_RUN_TIMEOUT_S
    while time.monotonic() < deadline:
        message: dict[str, Any] = json.loads(conn.recv())
        if message.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind, content = message["msg_type"], message["content"]
        if kind == "stream":
            printed.append(content["text"])
        elif kind == "error":
            raise AssertionError("the kernel raised:\n" + re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(content["traceback"])))
        elif kind == "status" and content["execution_state"] == "idle":
            return "".join(printed)
    raise AssertionError(f"the kernel did not finish within {KERNEL_RUN_TIMEOUT_S} s; printed so far: {''.join(printed)}")
