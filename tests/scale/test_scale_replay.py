"""``aftersales replay --scheduler``: 200,000 past cases decided on a real Dask cluster, one of whose
workers is killed mid-run, give the same results file, errors file and summary as the local run; each
worker process loads the playbooks once; records and a --map export are the same; a bad address is one
clear line."""

from __future__ import annotations

import csv
import json
import socket
import threading
import time
from pathlib import Path

import pytest

from aftersales.cli import main
from aftersales.replay import RecordTo, replay
from aftersales.scale import replay as scale_replay
from aftersales.scale.cluster import SchedulerError, probe
from aftersales.scale.replay import replay_on_cluster

from .conftest import CHUNK_ROWS, REPLAY_ROWS, WorkerKiller

pytestmark = pytest.mark.slow


@pytest.fixture
def chunks(monkeypatch):
    """Both runs read the CSV in the same chunks (the cluster's tasks are the local run's chunks)."""
    monkeypatch.setitem(replay.__kwdefaults__, "chunk_rows", CHUNK_ROWS)


def test_the_cluster_writes_the_local_runs_results_errors_and_summary_though_a_worker_is_killed(
        client, playbooks, cases_csv, local_runs, tmp_path, capsys, chunks):
    out = tmp_path / "results.csv"
    killer = WorkerKiller(client, "aftersales_replay_read-aftersales_replay_decide-", delay=0.2)
    killer.start()
    code = main(["--playbooks", str(playbooks.root), "replay", str(cases_csv), "--overlay", "store_a",
                 "--out", str(out), "--scheduler", client.scheduler.address])
    killer.join()
    stdout, stderr = capsys.readouterr()
    assert killer.killed is not None, "no worker was working on a replay task"
    assert code == local_runs.codes["replay"] == 1, stderr  # refused rows make the run exit 1, as here
    assert stdout == local_runs.stdout and stdout.startswith(f"{REPLAY_ROWS} rows: ")
    assert out.read_bytes() == (local_runs.out / "results.csv").read_bytes()
    assert (tmp_path / "results.errors.csv").read_bytes() == (local_runs.out / "results.errors.csv").read_bytes()
    # every worker process that decided chunks loaded the playbooks once
    loads = client.run(lambda: dict(scale_replay.LOADS))
    assert any(loads.values()) and all(set(counts.values()) <= {1} for counts in loads.values()), loads


def test_recorded_cases_are_the_local_runs(client, playbooks, cases_csv, tmp_path):
    head = tmp_path / "head.csv"
    with cases_csv.open(encoding="utf-8", newline="") as source, head.open("w", encoding="utf-8", newline="") as dest:
        writer = csv.writer(dest)
        for number, row in enumerate(csv.reader(source)):
            if number > 60:
                break
            writer.writerow(row)
    library = _library(playbooks, "store_a")
    here, there = RecordTo(tmp_path / "here.jsonl", "t"), RecordTo(tmp_path / "there.jsonl", "t")
    local = replay(head, library=library, record=here, chunk_rows=20)
    remote = replay_on_cluster(client.scheduler.address, head, library=library, record=there, chunk_rows=20)
    assert (remote.rows, remote.decided, remote.errors) == (local.rows, local.decided, local.errors)
    assert local.decided and local.errors and there.written == here.written == local.decided

    def records(path):
        return [{k: v for k, v in json.loads(line).items() if k != "saved_at"}
                for line in path.read_text(encoding="utf-8").splitlines()]

    assert records(tmp_path / "there.jsonl") == records(tmp_path / "here.jsonl")


def test_a_mapped_export_replays_on_the_cluster_as_here(client, tmp_path, capsys):
    examples = Path(__file__).resolve().parents[2] / "examples"
    runs = {}
    for where, flag in (("here", []), ("cluster", ["--scheduler", client.scheduler.address])):
        code = main(["replay", str(examples / "taobao-export.csv"), "--map", str(examples / "taobao-mapping.yaml"),
                     "--out", str(tmp_path / f"{where}.csv"), *flag])
        runs[where] = (code, capsys.readouterr().out, (tmp_path / f"{where}.csv").read_bytes(),
                       (tmp_path / f"{where}.errors.csv").read_bytes())
    assert runs["cluster"] == runs["here"] and runs["here"][0] == 1 and "7 rows: 5 decided, 2 refused" in runs["here"][1]


def test_a_bad_address_is_one_line_naming_it_and_exit_2(tmp_path, capsys, cases_csv):
    for address, words in (("tcp://127.0.0.1:9", "refused"), ("nonsense://x", "not an address")):
        code = main(["replay", str(cases_csv), "--scheduler", address, "--out", str(tmp_path / "r.csv")])
        err = capsys.readouterr().err
        assert code == 2 and len(err.strip().splitlines()) == 1, err
        assert address in err and words in err and "check that a scheduler runs there" in err
        assert not (tmp_path / "r.csv").exists()


def test_a_port_where_no_dask_answers_fails_in_time_not_hangs():
    with socket.socket() as server:  # accepts, never speaks
        server.bind(("127.0.0.1", 0))
        server.listen()

        def accept() -> None:
            try:
                server.accept()
            except OSError:  # closed at the end of the test
                pass

        threading.Thread(target=accept, daemon=True).start()
        address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
        started = time.monotonic()
        with pytest.raises(SchedulerError, match="no Dask scheduler answered"):
            probe(address, timeout_s=0.5)
        assert time.monotonic() - started < 10


def _library(playbooks, overlay):
    from aftersales.library import load_library

    return load_library(playbooks.root, overlay=overlay)
