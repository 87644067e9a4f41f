"""The team deployment end to end (issue 21, part 4): the hub from deploy/jupyterhub_config.py
on loopback ports, its state in a temporary folder, the team database a throwaway PostgreSQL.
Two agents log in through the hub's form, each gets a server of their own, each decides a case
there, and the shared store holds both cases, each under the agent who decided it. The app opens
in an agent's own server as a Voila page, and closing it ends its kernel.

Needs node and configurable-http-proxy (``bash .ci/install-hub.sh``, run by ``make tools``) and
PostgreSQL (the ``postgres_server`` fixture): without them it skips, or fails when ``CI`` is set.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from .hub import PROXY, SERVER_READY_TIMEOUT_S, Hub, HubUser

pytestmark = pytest.mark.slow

AGENTS = ("ana", "boris")
FACTS = {"customer_name": "Li Na", "order_value": 129, "currency": "CNY", "delivered_on": "2026-01-12",
         "evidence_provided": True, "category": "apparel", "size_deviation_cm": 3.5, "customer_preference": "exchange"}
AS_OF = "2026-01-15T09:00:00+00:00"
DECIDE = """
import json
from pathlib import Path
from aftersales.cli import main
facts = Path.home() / "facts.json"
facts.write_text(json.dumps({facts}), encoding="utf-8")
print("exit", main(["decide", "size_mismatch", "--facts", str(facts), "--platform", "taobao", "--lang", "en",
                    "--as-of", "{as_of}", "--record"]))
"""


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _need(ok: bool, reason: str) -> None:
    if ok:
        return
    message = f"{reason} (bash .ci/install-hub.sh installs it)"
    if _ci():
        pytest.fail(f"{message}; CI is set, so this is an error", pytrace=False)
    pytest.skip(message)


@dataclass
class Team:
    hub: Hub
    db_url: str
    users: dict[str, HubUser]


@pytest.fixture(scope="module")
def team(postgres_server) -> Iterator[Team]:  # noqa: ANN001 (tests/conftest.py's PostgresServer)
    """The hub running with both agents logged in and their servers started (once for the module)."""
    _need(shutil.which("node") is not None, "node is not installed")
    _need(PROXY.exists() or shutil.which("configurable-http-proxy") is not None,
          "configurable-http-proxy is not installed")
    db_url = postgres_server.new_database()
    # Only what the deployment reads: none of this session's AFTERSALES_* settings, nor a hub's
    # JUPYTERHUB_* when the tests themselves run inside one.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AFTERSALES_", "JUPYTERHUB_", "CONFIGPROXY_"))}
    env.update({"AFTERSALES_DB_URL": db_url, "AFTERSALES_HUB_USERS": ",".join(AGENTS)})
    state = Path(tempfile.mkdtemp(prefix="aftersales-hub-"))
    hub = Hub(state=state, password=secrets.token_urlsafe(12), env=env)
    try:
        hub.start()
        users = {name: HubUser(hub, name) for name in AGENTS}
        for user in users.values():
            user.log_in()
        # together: the hub answers a start request only once the server is up (or after 10 s)
        with ThreadPoolExecutor(len(users)) as pool:
            list(pool.map(HubUser.start_server, users.values()))
        deadline = time.monotonic() + SERVER_READY_TIMEOUT_S
        waiting = set(users)
        while waiting and time.monotonic() < deadline:
            waiting = {name for name in waiting if not users[name].server_ready()}
            time.sleep(0.3)
        assert not waiting, f"not ready within {SERVER_READY_TIMEOUT_S} s: {sorted(waiting)}\n{hub.log_tail()}"
        yield Team(hub, db_url, users)
    finally:
        killed = hub.stop()
        shutil.rmtree(state, ignore_errors=True)
    assert not killed, f"still running after the hub stopped: {killed}"


def test_each_agent_decides_in_their_own_server_and_the_shared_store_names_who(team: Team) -> None:
    from aftersales.cases.store import CaseStore

    orders = {name: f"TB-HUB-{name}-{uuid.uuid4().hex[:6]}" for name in AGENTS}
    for name, user in team.users.items():  # JupyterLab is what an agent lands on
        landing = requests.get(user.server_url(""), headers=user.api, allow_redirects=False, timeout=30)
        assert landing.status_code == 302 and f"/user/{name}/lab" in landing.headers["Location"]

    def decide(name: str) -> str:  # both agents at once, each in their own server
        return team.users[name].run_in_kernel(DECIDE.format(facts=repr({**FACTS, "order_id": orders[name]}), as_of=AS_OF))

    with ThreadPoolExecutor(len(AGENTS)) as pool:
        for printed in pool.map(decide, AGENTS):
            assert "exit 0" in printed, printed
            assert "in the case store postgresql" in printed, printed

    with CaseStore(team.db_url) as store:
        for name, order in orders.items():
            cases = store.of_order(order)
            assert len(cases) == 1, f"{name}'s order {order}: {cases}"
            assert cases[0].owner == name
            decisions = store.events(cases[0].case_id, kind="decision")
            assert [event.who for event in decisions] == [name]
            assert decisions[0].data["who"] == name and decisions[0].data["scenario"] == "size_mismatch"
    # and each agent's own case log, in their own home, has their case only
    for name, order in orders.items():
        log = team.hub.state / "users" / name / ".aftersales" / "case-log.jsonl"
        records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
        assert [(r["order_id"], r["who"]) for r in records] == [(order, name)]


def test_the_app_opens_in_an_agents_own_server_and_closing_it_ends_its_kernel(team: Team) -> None:
    user = team.users["boris"]
    app = user.server_url("voila/render/00_start_here.ipynb")
    page = user.browser.get(app, timeout=60)  # as a browser: the hub's login cookie, then the server's OAuth
    assert page.status_code == 200 and page.url == app, (page.status_code, page.url)
    assert "application/vnd.jupyter.widget-view+json" in page.text, "the app's cells showed no widget"
    kernel_id = re.search(r'"kernelId":\s*"([0-9a-f-]{36})"', page.text) or re.search(r"kernel_id=([0-9a-f-]{36})", page.text)
    assert kernel_id, "no kernel id in the page"

    def running() -> set[str]:
        kernels = requests.get(user.server_url("api/kernels"), headers=user.api, timeout=30).json()
        return {k["id"] for k in kernels}

    assert kernel_id[1] in running()
    # What the page's beforeunload handler sends: the token from the _xsrf cookie of the server's
    # path, as a form field, with the browser's cookies. (The standalone app has to set that cookie
    # itself, etc/voila.py; behind the hub, the server's OAuth callback sets it on the way in.)
    xsrf = user.browser.cookies.get("_xsrf", path=f"/user/{user.name}/")
    assert xsrf, "the browser has no _xsrf cookie for the server: closing the tab would leave its kernel running"
    closed = user.browser.post(user.server_url(f"voila/api/shutdown/{kernel_id[1]}"), files={"_xsrf": (None, xsrf)},
                               timeout=30)
    assert closed.status_code in (200, 204), (closed.status_code, closed.text[:300])
    deadline = time.monotonic() + 15
    while kernel_id[1] in running() and time.monotonic() < deadline:
        time.sleep(0.3)
    assert kernel_id[1] not in running()


def test_only_the_teams_names_log_in_and_only_with_the_password(team: Team) -> None:
    hub = team.hub

    def log_in(name: str, password: str) -> int:
        session = requests.Session()
        form = session.get(f"{hub.url}/hub/login", timeout=30)
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', form.text)
        assert xsrf
        return session.post(f"{hub.url}/hub/login", data={"username": name, "password": password, "_xsrf": xsrf[1]},
                            allow_redirects=False, timeout=30).status_code

    assert log_in("ana", hub.password) == 302
    assert log_in("ana", hub.password + "x") == 403
    assert log_in("mallory", hub.password) == 403
