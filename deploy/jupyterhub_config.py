"""JupyterHub for a seller's team on one server: every agent and trainee logs in, gets a Jupyter
server of their own (JupyterLab, with the playbook app as a Voila page), and all of them record
cases and practice progress into one team database.

Run it with ``make team`` (a laptop trial), or ``jupyterhub -f deploy/jupyterhub_config.py`` on a
server; docs/deploy.md goes from one to the other step by step. Every setting comes from the
hub's environment, with defaults for a laptop:

==================================  ==============================================================
``AFTERSALES_HUB_MODE``             ``trial`` (default): any name logs in with the team's shared
                                    password, and every user's server runs as the hub's own user
                                    with a home under the state folder (no root, no system users;
                                    no isolation between users: a trial, not production).
                                    ``server``: system users log in with their own password (PAM)
                                    and each server runs as that user in their home (the hub runs
                                    as root); ``AFTERSALES_DB_URL`` is then required.
``AFTERSALES_HUB_STATE``            the hub's state folder: its database, cookie secret, the
                                    proxy's pid file, the trial's shared password and user homes
                                    (default ``~/.aftersales/hub``; never the repository)
``PORT`` / ``AFTERSALES_HUB_IP``    where people open the hub (default 8000 on 127.0.0.1; behind
                                    nginx or caddy keep 127.0.0.1)
``AFTERSALES_HUB_API_PORT``         the hub's internal API, loopback only (default 8081)
``AFTERSALES_HUB_PROXY_API_PORT``   the proxy's API, loopback only (default 8001)
``AFTERSALES_HUB_PASSWORD``         trial: the team's shared password, 8 characters or more;
                                    unset, one is made once and kept in ``STATE/shared-password``
``AFTERSALES_HUB_USERS``            comma-separated names allowed to log in (default: any name in
                                    a trial; in server mode, members of ``AFTERSALES_HUB_GROUP``)
``AFTERSALES_HUB_GROUP``            server mode: the system group whose members may log in
                                    (default ``aftersales``)
``AFTERSALES_HUB_ADMINS``           comma-separated admin names (the hub's admin page); in a trial
                                    they log in with ``AFTERSALES_HUB_ADMIN_PASSWORD`` (32+ chars)
``AFTERSALES_HUB_IDLE_TIMEOUT``     seconds without activity after which a user's server is
                                    stopped (default 3600; their files stay, the next login
                                    starts it again)
``AFTERSALES_DB_URL``               the team database for cases and progress (PostgreSQL for a
                                    team); trial default: ``sqlite:///STATE/team.db``, one file
                                    all trial users share
``AFTERSALES_HUB_EXTRA_CONFIG``     a config file of the site's own, loaded last (an OAuth
                                    login, DockerSpawner, TLS settings: docs/deploy.md)
==================================  ==============================================================

``AFTERSALES_PROGRESS_URL``, ``AFTERSALES_PLAYBOOKS`` and ``AFTERSALES_OVERLAY``, when the hub has
them, are passed on to every user's server too.

Where each user's decisions are attributed: the spawner sets ``JUPYTERHUB_USER`` in the user's
server and kernels, and the case log names that user as ``who`` (``aftersales.caselog._who``).
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import Any

c: Any = get_config()  # type: ignore[name-defined]  # noqa: F821 (provided by traitlets)

REPO = Path(__file__).resolve().parents[1]
DEPLOY = REPO / "deploy"
VENV_BIN = Path(sys.executable).parent  # the hub's venv: its proxy, user-server and culler commands


def _setting(name: str, default: str) -> str:
    return os.environ.get(name, "").strip() or default


def _number(name: str, default: int) -> int:
    text = _setting(name, str(default))
    try:
        return int(text)
    except ValueError:
        raise SystemExit(f"deploy/jupyterhub_config.py: ${name} must be a whole number, not {text!r}") from None


def _names(name: str) -> set[str]:
    return {part.strip() for part in os.environ.get(name, "").split(",") if part.strip()}


MODE = _setting("AFTERSALES_HUB_MODE", "trial")
if MODE not in ("trial", "server"):
    raise SystemExit(f"deploy/jupyterhub_config.py: $AFTERSALES_HUB_MODE is 'trial' or 'server', not {MODE!r}")
STATE = Path(_setting("AFTERSALES_HUB_STATE", "~/.aftersales/hub")).expanduser().resolve()
STATE.mkdir(parents=True, exist_ok=True, mode=0o700)

# --- where the hub listens, and where it keeps its state --------------------------------------
c.JupyterHub.bind_url = f"http://{_setting('AFTERSALES_HUB_IP', '127.0.0.1')}:{_number('PORT', 8000)}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{_number('AFTERSALES_HUB_API_PORT', 8081)}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{_number('AFTERSALES_HUB_PROXY_API_PORT', 8001)}"
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(STATE / "jupyterhub-proxy.pid")
# The proxy from .ci/install-hub.sh (VENV/hub-node), else configurable-http-proxy on the PATH.
_PROXY = VENV_BIN.parent / "hub-node" / "node_modules" / ".bin" / "configurable-http-proxy"
c.ConfigurableHTTPProxy.command = [str(_PROXY) if _PROXY.exists() else "configurable-http-proxy"]
c.JupyterHub.cleanup_servers = True  # stopping the hub stops the users' servers and the proxy

# --- who logs in --------------------------------------------------------------------------------
_USERS, _ADMINS = _names("AFTERSALES_HUB_USERS"), _names("AFTERSALES_HUB_ADMINS")
c.Authenticator.admin_users = _ADMINS
if _USERS:
    c.Authenticator.allowed_users = _USERS


def _shared_password() -> str:
    """``$AFTERSALES_HUB_PASSWORD``, else the one kept in ``STATE/shared-password`` (made once)."""
    given = os.environ.get("AFTERSALES_HUB_PASSWORD", "")
    if given:
        return given
    kept = STATE / "shared-password"
    if not kept.exists():
        fd = os.open(kept, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(12) + "\n")
    return kept.read_text().strip()


if MODE == "trial":
    # JupyterHub's successor of DummyAuthenticator's password (deprecated in 5.3): one password for
    # every user name, so anyone with it can log in as anyone. A trial on one machine only.
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = _shared_password()
    if os.environ.get("AFTERSALES_HUB_ADMIN_PASSWORD"):
        c.SharedPasswordAuthenticator.admin_password = os.environ["AFTERSALES_HUB_ADMIN_PASSWORD"]
    c.Authenticator.allow_all = not _USERS
    # Each user a home of their own under the state folder, all running as the hub's user.
    c.JupyterHub.spawner_class = "simple"
    c.SimpleLocalProcessSpawner.home_dir_template = str(STATE / "users" / "{username}")
else:
    # System users and their passwords (PAM); each server runs as its user, in their home.
    c.JupyterHub.authenticator_class = "pam"
    if not _USERS:
        c.PAMAuthenticator.allowed_groups = {_setting("AFTERSALES_HUB_GROUP", "aftersales")}
    c.JupyterHub.spawner_class = "localprocess"

# --- each user's server: JupyterLab, the app, the team database ----------------------------------
# Runs as the user: copies the app notebooks into ~/aftersales, then execs jupyterhub-singleuser.
c.Spawner.cmd = [sys.executable, str(DEPLOY / "start_user_server.py")]
c.Spawner.notebook_dir = "~/aftersales"  # JupyterLab's root; Voila serves the app from it
c.Spawner.default_url = "/lab"
c.Spawner.http_timeout = 90  # JupyterLab, Voila and jupytext load in a few seconds; more on a busy machine
_server_args = [
    # A kernel idle with no tab connected (a Voila page closed before its kernel was shut down, a
    # browser that crashed, a laptop asleep) ends after 30 min, as in the single app (etc/voila.py).
    "--MappingKernelManager.cull_idle_timeout=1800",
    "--MappingKernelManager.cull_interval=60",
    "--MappingKernelManager.cull_connected=False",
    "--MappingKernelManager.cull_busy=False",
    # No JupyterLab news feed, no update check and no question about them (deploy/lab-settings/
    # overrides.json): the team's admin upgrades (docs/deploy.md), not each user.
    "--LabApp.news_url=None",
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    f"--LabApp.app_settings_dir={DEPLOY / 'lab-settings'}",
]
if os.geteuid() == 0 and MODE == "trial":
    _server_args.append("--allow-root")  # a trial started as root runs the users' servers as root
c.Spawner.args = _server_args

_db_url = os.environ.get("AFTERSALES_DB_URL", "").strip()
if not _db_url:
    if MODE == "server":
        raise SystemExit("deploy/jupyterhub_config.py: set $AFTERSALES_DB_URL to the team's PostgreSQL database "
                         "(postgresql+psycopg://USER:PASSWORD@HOST:5432/aftersales); see docs/deploy.md")
    _db_url = f"sqlite:///{STATE / 'team.db'}"
_environment = {"AFTERSALES_DB_URL": _db_url}
for _name in ("AFTERSALES_PROGRESS_URL", "AFTERSALES_PLAYBOOKS", "AFTERSALES_OVERLAY"):
    if os.environ.get(_name, "").strip():
        _environment[_name] = os.environ[_name].strip()
c.Spawner.environment = _environment

# What the hub's pages say: how to log in, and (on the home page) where the app is in one's own server.
c.JupyterHub.template_vars = {
    "announcement_login": ("Your name, and the team's password." if MODE == "trial"
                           else "Your login and password on this server."),
    "announcement_home": 'The playbook app: <a href="/hub/user-redirect/voila/render/00_start_here.ipynb">'
                         'open it</a>. In JupyterLab, your notebooks are in the <code>aftersales</code> folder.',
}

# --- stopping idle servers ------------------------------------------------------------------------
# jupyterhub-idle-culler (a hub service; a dependency in pyproject.toml) stops a server idle for the
# timeout; the user's files stay, and the next visit starts it again.
_IDLE_S = _number("AFTERSALES_HUB_IDLE_TIMEOUT", 3600)
if _IDLE_S > 0:
    c.JupyterHub.services = [{
        "name": "idle-culler",
        "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={_IDLE_S}",
                    f"--cull-every={max(60, min(600, _IDLE_S // 6))}"],
    }]
    c.JupyterHub.load_roles = [{
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }]

# --- a site's own additions: a file outside the repository (an OAuth login, DockerSpawner, ...) -------
# loaded last, so what it sets wins; docs/deploy.md has examples.
_EXTRA = os.environ.get("AFTERSALES_HUB_EXTRA_CONFIG", "").strip()
if _EXTRA:
    if not Path(_EXTRA).expanduser().is_file():
        raise SystemExit(f"deploy/jupyterhub_config.py: $AFTERSALES_HUB_EXTRA_CONFIG: no file {_EXTRA}")
    load_subconfig(str(Path(_EXTRA).expanduser().resolve()))  # type: ignore[name-defined]  # noqa: F821 (traitlets)
