"""``aftersales render --scheduler``: two store overlays' libraries rendered on a real Dask cluster come
out byte for byte as the local render writes them (documents, cache, index), the broken scenario
fails with the same error and does not stop the other, a worker killed mid-run changes nothing,
a scheduler that is not there is one line, and without a scheduler Dask is never imported."""

from __future__ import annotations

import psutil
import pytest

from aftersales.cli import main

from .conftest import OVERLAYS, RENDER_ARGS, SCENARIOS, WorkerKiller, files_of

pytestmark = pytest.mark.slow


def test_without_a_scheduler_neither_render_nor_replay_imports_dask(local_runs):
    assert not local_runs.imported_dask and not local_runs.imported_distributed
    assert (local_runs.codes["store_a"], local_runs.codes["store_b"]) == (1, 0), "store_a has the broken scenario"


def test_both_overlays_render_on_the_cluster_exactly_as_here_even_when_a_worker_is_killed(
        client, playbooks, local_runs, tmp_path, capsys, monkeypatch):
    address = client.scheduler.address
    outputs = {}
    for overlay in OVERLAYS:
        out = tmp_path / overlay
        killer = None
        if overlay == "store_b":  # the scheduler named by the environment, and a worker killed mid-render
            monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", address)
            flag = []
            killer = WorkerKiller(client, "aftersales-render-", delay=0.5)
            killer.start()
        else:
            flag = ["--scheduler", address]
        code = main(["--playbooks", str(playbooks.root), "render", *RENDER_ARGS, "--scenario", SCENARIOS[overlay],
                     "--overlay", overlay, "--out", str(out), *flag])
        monkeypatch.delenv("DASK_SCHEDULER_ADDRESS", raising=False)
        err = capsys.readouterr().err
        assert "ok     size_mismatch/taobao.en (md, html)" in err
        if playbooks.broken in SCENARIOS[overlay]:  # it failed with the notebook's error, and did not stop the other
            assert code == local_runs.codes[overlay] == 1, err
            assert f"FAILED {playbooks.broken}/taobao.en (md, html): render_sop.ipynb cell" in err
        else:
            assert code == local_runs.codes[overlay] == 0, err
        outputs[overlay] = files_of(out)
        expected = files_of(local_runs.out / overlay)
        assert sorted(outputs[overlay]) == sorted(expected)
        different = [name for name in expected if outputs[overlay][name] != expected[name]]
        assert not different, f"{overlay}: not as rendered locally: {different}"
        if killer is not None:
            killer.join()
            assert killer.killed is not None, "no worker was working on a render task"
            # the killed worker's kernel does not outlive it for long (ipykernel polls its parent)
            _, alive = psutil.wait_procs(killer.children, timeout=10)
            assert not alive, f"kernels left running: {[p.pid for p in alive]}"
            client.wait_for_workers(2, timeout=60)  # its nanny started a new one
    assert outputs["store_a"]["size_mismatch/taobao.en.md"] != outputs["store_b"]["size_mismatch/taobao.en.md"]


def test_a_scheduler_that_is_not_there_is_one_line_and_exit_2(capsys, tmp_path):
    code = main(["render", "--scheduler", "tcp://127.0.0.1:9", "--no-progress", "--format", "md",
                 "--scenario", "size_mismatch", "--platform", "taobao", "--lang", "en", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert "tcp://127.0.0.1:9" in err and "refused" in err and "dask scheduler" in err and "8786" in err
