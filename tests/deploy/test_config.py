"""What deploy/jupyterhub_config.py makes of the hub's environment (loaded as JupyterHub loads
it, without starting anything): a laptop trial by default, a server with system users on demand,
the team database handed to every user's server, and nothing secret in the repository."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from traitlets.config import PyFileConfigLoader

CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "jupyterhub_config.py"
SETTINGS = ("AFTERSALES_HUB_MODE", "AFTERSALES_HUB_STATE", "AFTERSALES_HUB_PASSWORD", "AFTERSALES_HUB_USERS",
            "AFTERSALES_HUB_ADMINS", "AFTERSALES_HUB_ADMIN_PASSWORD", "AFTERSALES_HUB_GROUP", "AFTERSALES_HUB_IP",
            "AFTERSALES_HUB_API_PORT", "AFTERSALES_HUB_PROXY_API_PORT", "AFTERSALES_HUB_IDLE_TIMEOUT", "PORT",
            "AFTERSALES_DB_URL", "AFTERSALES_PROGRESS_URL", "AFTERSALES_PLAYBOOKS", "AFTERSALES_OVERLAY",
            "AFTERSALES_HUB_EXTRA_CONFIG")


def load(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str) -> Any:
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AFTERSALES_HUB_STATE", str(tmp_path / "state"))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return PyFileConfigLoader(CONFIG.name, str(CONFIG.parent)).load_config()


def test_a_laptop_trial_by_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    c = load(monkeypatch, tmp_path)
    state = tmp_path / "state"
    assert c.JupyterHub.bind_url == "http://127.0.0.1:8000"
    assert c.JupyterHub.authenticator_class == "shared-password" and c.Authenticator.allow_all is True
    assert c.JupyterHub.spawner_class == "simple"
    assert c.SimpleLocalProcessSpawner.home_dir_template == str(state / "users" / "{username}")
    assert c.JupyterHub.db_url == f"sqlite:///{state / 'jupyterhub.sqlite'}"
    assert c.Spawner.default_url == "/lab" and c.Spawner.notebook_dir == "~/aftersales"
    settings_dir = next(a.split("=", 1)[1] for a in c.Spawner.args if a.startswith("--LabApp.app_settings_dir="))
    assert (Path(settings_dir) / "overrides.json").is_file()
    assert c.Spawner.environment == {"AFTERSALES_DB_URL": f"sqlite:///{state / 'team.db'}"}
    # no password given: one is made once, kept private in the state folder, and kept
    kept = state / "shared-password"
    assert c.SharedPasswordAuthenticator.user_password == kept.read_text().strip()
    assert len(kept.read_text().strip()) >= 8 and stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert load(monkeypatch, tmp_path).SharedPasswordAuthenticator.user_password == kept.read_text().strip()
    culler = c.JupyterHub.services[0]
    assert culler["name"] == "idle-culler" and "--timeout=3600" in culler["command"]
    assert {"list:users", "read:users:activity", "read:servers", "delete:servers"} <= set(c.JupyterHub.load_roles[0]["scopes"])


def test_the_team_database_and_settings_reach_every_users_server(monkeypatch: pytest.MonkeyPatch,
                                                                 tmp_path: Path) -> None:
    url = "postgresql+psycopg://aftersales:pw@db.internal:5432/aftersales"
    c = load(monkeypatch, tmp_path, AFTERSALES_DB_URL=url, AFTERSALES_PLAYBOOKS="/srv/playbooks", PORT="9000",
             AFTERSALES_HUB_PASSWORD="team-password-1", AFTERSALES_HUB_USERS="ana, boris",
             AFTERSALES_HUB_IDLE_TIMEOUT="0")
    assert c.Spawner.environment == {"AFTERSALES_DB_URL": url, "AFTERSALES_PLAYBOOKS": "/srv/playbooks"}
    assert c.JupyterHub.bind_url == "http://127.0.0.1:9000"
    assert c.SharedPasswordAuthenticator.user_password == "team-password-1"
    assert c.Authenticator.allowed_users == {"ana", "boris"} and c.Authenticator.allow_all is False
    assert "services" not in c.JupyterHub  # culling switched off
    assert not (tmp_path / "state" / "shared-password").exists()


def test_a_server_logs_in_system_users_and_needs_the_team_database(monkeypatch: pytest.MonkeyPatch,
                                                                   tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="AFTERSALES_DB_URL"):
        load(monkeypatch, tmp_path, AFTERSALES_HUB_MODE="server")
    c = load(monkeypatch, tmp_path, AFTERSALES_HUB_MODE="server", AFTERSALES_DB_URL="postgresql+psycopg://a@h/db")
    assert c.JupyterHub.authenticator_class == "pam" and c.JupyterHub.spawner_class == "localprocess"
    assert c.PAMAuthenticator.allowed_groups == {"aftersales"}
    assert "--allow-root" not in c.Spawner.args


def test_a_bad_setting_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match=r"\$PORT must be a whole number"):
        load(monkeypatch, tmp_path, PORT="eighty")
    with pytest.raises(SystemExit, match="'trial' or 'server'"):
        load(monkeypatch, tmp_path, AFTERSALES_HUB_MODE="production")


def test_a_sites_own_file_is_loaded_last(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    extra = tmp_path / "site_config.py"
    extra.write_text('c.JupyterHub.authenticator_class = "generic-oauth"\nc.GenericOAuthenticator.client_id = "hub"\n')
    c = load(monkeypatch, tmp_path, AFTERSALES_HUB_EXTRA_CONFIG=str(extra))
    assert c.JupyterHub.authenticator_class == "generic-oauth" and c.GenericOAuthenticator.client_id == "hub"
    assert c.Spawner.default_url == "/lab"  # the rest stays
    with pytest.raises(SystemExit, match="no file"):
        load(monkeypatch, tmp_path, AFTERSALES_HUB_EXTRA_CONFIG=str(tmp_path / "missing.py"))
