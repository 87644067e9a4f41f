"""Voila's server settings for the trainees' app, read by `make app` and the browser tests.

Both start Voila with ``--Voila.config_file_paths=etc``, so this file is the one place for them.
(It cannot sit at the repository root as Voila's default ``./voila.py``: ``python -m voila``
run from there would import it instead of Voila.)

Every page load starts a kernel of its own (~85 MB). Two things end it:

* Closing the tab. The page's ``beforeunload`` handler posts ``voila/api/shutdown/<kernel id>``
  with the ``_xsrf`` token it reads from the ``_xsrf`` cookie, but Voila 0.5 never sets that
  cookie: the page is rendered by nbconvert, not by a Jupyter server template, so tornado's
  ``xsrf_token`` is never read while the page is served. The server then refused every shutdown
  (``403 ... '_xsrf' argument missing from POST``) and each closed tab left its kernel running.
  The prelaunch hook below reads the token while the page's headers are still unsent, which
  sets the cookie, so the shutdown call carries a valid token and XSRF protection stays on.
* Idling with no tab connected (a crashed or killed browser, a lost network, a tab closed before
  the page finished loading): the culler ends such kernels after ``cull_idle_timeout``. A kernel
  whose tab is still open is never culled, however long the trainee leaves it idle.

No kernels are pre-heated (``VoilaConfiguration.preheat_kernel`` stays off; Voila refuses it
together with a prelaunch hook), so a server with no open tab runs no kernel.
"""

from __future__ import annotations

from typing import Any

from tornado.web import RequestHandler

c: Any = get_config()  # type: ignore[name-defined]  # noqa: F821 (provided by traitlets)


def send_xsrf_cookie(handler: RequestHandler, notebook: Any, cwd: str) -> None:
    """Set the ``_xsrf`` cookie on the page's response, for its kernel-shutdown call to send back.

    Runs before Voila starts the page's kernel and before any of the page is written; reading
    tornado's ``xsrf_token`` sets the cookie (or keeps the browser's). Returns None: the
    notebook is used as it is.
    """
    handler.xsrf_token  # noqa: B018 (read for its side effect: the Set-Cookie header)


c.VoilaConfiguration.prelaunch_hook = send_xsrf_cookie

# Culling: every cull_interval seconds, end kernels idle for cull_idle_timeout seconds that have
# no connected tab (cull_connected) and are not running code (cull_busy).
c.MappingKernelManager.cull_idle_timeout = 600
c.MappingKernelManager.cull_interval = 60
c.MappingKernelManager.cull_connected = False
c.MappingKernelManager.cull_busy = False
