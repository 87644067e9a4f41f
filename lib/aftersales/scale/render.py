"""``aftersales render --scheduler ADDRESS``: the SOP library's notebooks run on a Dask cluster.

One task per scenario: :func:`aftersales.render.batch.render_scenario` on a worker does what a
local worker thread does with one scenario (the Papermill run, then the PDFs with the worker's
own Chromium), writing into the output folder, which every worker sees at the same path. This
machine keeps the rest as it is locally (:func:`aftersales.render.batch.render_library`): the
plan, the cache (each document recorded as its task comes back), the one-page sheets' PDFs, the
binders and the index. A failing document or task fails only its documents, with the error.

Tasks are pure and idempotent (every file is written to a temporary name, then renamed), so when
a worker is lost Dask runs its tasks again elsewhere and the documents come out the same.
"""

from __future__ import annotations

import uuid
from asyncio import CancelledError
from datetime import date
from importlib import import_module
from pathlib import Path
from typing import Any

from ..render.batch import (
    RenderReport,
    finish_job,
    notebook_parameters,
    progress_bar,
    render_library,
    render_scenario,
    scenario_batches,
)
from ..render.plan import Job, render_notebook
from .cluster import check_workers, connect

#: The marker file written into the output folder so that each worker can show it sees that folder.
MARKER = ".aftersales-scale-check"


class ClusterRender:
    """Runs :func:`render_library`'s notebooks on the cluster of ``client`` (a runner with the
    arguments of the local ``_run``; ``workers`` is the cluster's business and ignored)."""

    def __init__(self, client: Any):
        self.client = client

    def __call__(self, todo: list[Job], root: Path, out: Path, day: date, workers: int, report: RenderReport,
                 progress: bool, overlay: Path | None = None) -> None:
        as_completed = import_module("distributed").as_completed  # untyped upstream: Any here
        notebook = render_notebook()
        self._check(root, notebook, out, overlay)
        batches = scenario_batches(todo)
        report.notebook_runs = len(batches)
        parameters = notebook_parameters(root, overlay, day)
        run = uuid.uuid4().hex[:12]
        futures = {}
        for scenario, jobs in batches:  # the biggest first: Dask starts tasks in the order they come
            future = self.client.submit(render_scenario, scenario, jobs, out, notebook, parameters,
                                        key=f"aftersales-render-{scenario}-{run}", pure=False)
            futures[future] = jobs
        with progress_bar(len(todo), progress) as bar:
            for future in as_completed(futures, loop=self.client.loop):
                jobs = futures[future]
                _take_back(future, jobs)
                for job in jobs:
                    finish_job(job, report, bar)

    def _check(self, root: Path, notebook: Path, out: Path, overlay: Path | None) -> None:
        marker = out / MARKER
        marker.write_text("aftersales render --scheduler: every worker must see this folder\n", encoding="utf-8")
        try:
            paths = {"the playbooks folder": root, "the SOP render notebook": notebook,
                     "the output folder's marker file": marker}
            if overlay is not None:
                paths["the overlay"] = overlay
            check_workers(self.client, paths)
        finally:
            marker.unlink(missing_ok=True)


def _take_back(future: Any, jobs: list[Job]) -> None:
    """Copy each document's status and error from the worker's answer onto ``jobs``; a task that
    failed as a whole (a worker lost too often, an error outside the notebook) fails its documents."""
    try:
        answered = future.result()
    except (Exception, CancelledError) as exc:  # noqa: BLE001  (one scenario's failure must not lose the others)
        text = str(exc).splitlines()[0] if str(exc) else ""
        for job in jobs:
            if job.status == "todo":
                job.status, job.error = "failed", f"on the cluster: {type(exc).__name__}: {text}"
        return
    for job, done in zip(jobs, answered, strict=True):
        job.status, job.error = done.status, done.error


def render_on_cluster(address: str, **options: Any) -> RenderReport:
    """:func:`render_library` with ``options``, its notebooks run on the Dask cluster at ``address``."""
    with connect(address) as client:
        return render_library(**options, runner=ClusterRender(client))
