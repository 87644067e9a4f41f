"""Voila's server settings for the trainees' app, read by `make app` and the browser tests.

Both start Voila with ``--Voila.config_file_paths=etc``, so this file is the one place for them.
(It cannot sit at the repository root as Voila's default ``./voila.py``: ``python -m voila``
run from there would import it instead of Voila.)

A pool of pre-heated kernels
----------------------------
Every page load gets a kernel of its own (~85 MB). Started on request, that kernel must boot and
run the notebook before the first widget shows (Start visible 2.6 s after navigation, median, on
a busy 2-core machine; 4.9 s was seen on a trainee's laptop). So the server keeps ``POOL_SIZE``
kernels that have already run the notebook (``VoilaConfiguration.preheat_kernel``): a page load
takes one and gets its rendered cells at once (Start visible in 1.1-1.2 s median, 1.7 s max, for a
new trainee whose browser has nothing cached; ``benchmarks/bench_app_start.py`` measures both),
and Voila starts a replacement a second later (``VoilaKernelManager.fill_delay``), ready ~2-3 s
after that. A page that arrives while a replacement is still starting is handed that kernel and
waits for it (about a cold start plus that second); one that finds the pool empty (more trainees
than ``POOL_SIZE`` within the same moment) gets a kernel started for it, as without a pool. Right
after the server starts, the first page waits for the pool's first kernel, which starts together
with the others (3-4.5 s, against ~2.9 s without a pool).

``POOL_SIZE = 2``: a team's trainees mostly arrive seconds to minutes apart, which one kernel
covers; the second absorbs two arriving together (a pair, a lead showing a trainee), for ~85 MB
more while nobody is working. A class that starts all at once would want one per trainee.

The pool's kernels run the notebook before anybody asks for it, so they see none of the
request. That changes nothing for the app: Voila fills no ``parameters`` cell from the URL,
pooled or not; it only offers the query string to code that asks for it (``QUERY_STRING`` in the
environment of a kernel started for the page; ``voila.utils.get_query_string()``, which waits
for the page's request, in a pooled one), and the app asks for none. Every page runs the cell's
defaults; the playbooks folder, overlay and case log come from the server's environment, which
pooled kernels inherit as the others do. A case's own times start when the trainee presses Start, not at the kernel's
start, so a kernel waiting in the pool changes none of them.

Ending kernels
--------------
Two things end a page's kernel:

* Closing the tab. The page's ``beforeunload`` handler posts ``voila/api/shutdown/<kernel id>``
  with the ``_xsrf`` token it reads from the ``_xsrf`` cookie, but Voila 0.5 never sets that
  cookie: the page is rendered by nbconvert, not by a Jupyter server template, so tornado's
  ``xsrf_token`` is never read while the page is served. The server then refused every shutdown
  (``403 ... '_xsrf' argument missing from POST``) and each closed tab left its kernel running.
  :class:`XsrfCookieIdentityProvider` below reads the token while the page's headers are still
  unsent, which sets the cookie, so the shutdown call carries a valid token and XSRF protection
  stays on. (It used to be a ``prelaunch_hook``, but Voila refuses one together with
  ``preheat_kernel``, and a pooled page starts no kernel, so the hook would never run for it.)
* Idling with no tab connected (a crashed or killed browser, a laptop gone to sleep, a lost
  network, a tab closed before the page finished loading): the culler ends such kernels after
  ``cull_idle_timeout``. A kernel whose tab is still open is never culled, however long the
  trainee leaves it idle, and the pool's kernels are never culled (Voila's pool skips them).

Culling for a team: ``cull_idle_timeout = 1800`` s (30 min). A closed tab ends its kernel at
once, so the culler only meets kernels whose tab lost its connection. Such a page retries its
connection for a minute or two once it notices the loss (the kernel client's 7 attempts with
growing waits), and a laptop that slept notices on waking: while the kernel is still there, the
page reconnects to it with the case in progress; once it is culled, only a reload (a new
kernel) helps. Half an hour keeps a trainee's kernel through a coffee break or a meeting with
the lid closed; the cost is ~85 MB per vanished tab for that half hour (under 1 GB for a team of
ten that each lost a tab). ``cull_interval = 60`` s: a check is cheap, and a minute is nothing
next to the timeout. (It was 10 min, which a longer break outlasts.)
"""

from __future__ import annotations

from typing import Any

from jupyter_core.utils import ensure_async
from jupyter_server.auth.identity import PasswordIdentityProvider, User
from tornado.web import RequestHandler
from voila.handler import VoilaHandler

c: Any = get_config()  # type: ignore[name-defined]  # noqa: F821 (provided by traitlets)

POOL_SIZE = 2


class XsrfCookieIdentityProvider(PasswordIdentityProvider):
    """Voila's identity provider (token or none, as before) that also gives the page its
    ``_xsrf`` cookie, for the page's kernel-shutdown call to send back.

    The server asks it for the user of every request before the handler runs, so the cookie is
    set on the page's response whether the page comes from the pool or starts its kernel.
    """

    async def get_user(self, handler: RequestHandler) -> User | None:
        user: User | None = await ensure_async(super().get_user(handler))
        if user is not None and isinstance(handler, VoilaHandler) and handler.request.method == "GET":
            # tornado's xsrf_token sets the cookie (or keeps the browser's); it reads the user,
            # which the server sets right after this returns, to make the cookie last 30 days.
            handler.current_user = user
            handler.xsrf_token  # noqa: B018 (read for its side effect: the Set-Cookie header)
        return user


c.Voila.identity_provider_class = XsrfCookieIdentityProvider

c.VoilaConfiguration.preheat_kernel = True
c.VoilaConfiguration.default_pool_size = POOL_SIZE

# Culling: every cull_interval seconds, end kernels idle for cull_idle_timeout seconds that have
# no connected tab (cull_connected) and are not running code (cull_busy).
c.MappingKernelManager.cull_idle_timeout = 1800
c.MappingKernelManager.cull_interval = 60
c.MappingKernelManager.cull_connected = False
c.MappingKernelManager.cull_busy = False
