"""Issue 13, render faults: a kill never leaves a cache entry that claims a document it did not
write, and a full disk still ends in the summary with the failed documents listed (exit 1).

The notebook run is replaced by a stand-in that writes the documents' files (no kernel, no
Chromium), so these tests take a second; tests/render/test_render_batch.py covers the real run.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from aftersales.cli import main
from aftersales.files import write_atomic
from aftersales.render import batch
from aftersales.render.plan import MANIFEST

REPO = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 11, 23)
LANGS = ["en", "zh", "ru"]

# The stand-in for one scenario's notebook run: writes each document's md, html and sheet with a
# marker (the playbook's last line), like the notebook does, then reports every document ok.
# With ``kill``, the process is killed with SIGKILL once the files are written (before it could
# report them), as ``kill -9`` of a render does; with ``kill_second``, it is killed in the second
# scenario, after the first was reported.
RUNNER = r"""
import json, os, signal, sys, time
from datetime import date
from pathlib import Path
from aftersales.render import batch
from aftersales.files import write_atomic

playbooks, out, mode, scenarios = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4].split(",")

def scenario(self, name, jobs):
    # One notebook run writes whole scenarios, a document at a time, and each document's status is
    # reported as it is written (the notebook's status lines), as batch._Worker does.
    for job in jobs:
        if mode == "kill_second" and job.scenario == scenarios[1]:
            for _ in range(500):  # the first scenario's entries are saved by the main thread: wait for them
                manifest = json.loads((out / ".sop-manifest.json").read_text()) if (out / ".sop-manifest.json").exists() else {}
                if sum(k.startswith(scenarios[0] + "/") for k in manifest) == 3:
                    break
                time.sleep(0.01)
        marker = (playbooks / f"{job.scenario}.yaml").read_text().splitlines()[-1]
        for fmt in ("md", "html"):
            write_atomic(job.path(self.out, fmt), f"{job.doc_id} {marker}\n")
        write_atomic(job.sheet(self.out, "html"), f"{job.doc_id} {marker}\n")  # its one-page sheet, as the notebook does
        if mode == "kill_second" and job.scenario == scenarios[1]:
            os.kill(os.getpid(), signal.SIGKILL)
        if mode != "kill":
            job.status = "ok"
            self.reported.add(id(job))
            self.done.put(job)
    if mode == "kill":  # everything written, nothing reported yet
        os.kill(os.getpid(), signal.SIGKILL)

batch._Worker._scenario = scenario
report = batch.render_library(playbooks=playbooks, out=out, scenarios=scenarios, platforms=["taobao"],
                              langs=["en", "zh", "ru"], formats=["md", "html"], jobs=1, as_of=date(2026, 11, 23),
                              progress=False)
print(json.dumps({"rendered": len(report.rendered), "cached": len(report.cached), "failed": len(report.failed)}))
"""


@pytest.fixture
def playbooks(tmp_path):
    root = tmp_path / "playbooks"
    shutil.copytree(REPO / "playbooks", root, ignore=shutil.ignore_patterns("cases"))
    for name in ("size_mismatch", "wrong_item"):
        path = root / f"{name}.yaml"
        path.write_text(path.read_text(encoding="utf-8") + "\n# ORIGINAL\n", encoding="utf-8")
    return root


def _render(playbooks: Path, out: Path, mode: str = "run", scenarios: str = "size_mismatch") -> dict | None:
    result = subprocess.run([sys.executable, "-c", RUNNER, str(playbooks), str(out), mode, scenarios],
                            capture_output=True, text=True, timeout=120)
    if mode.startswith("kill"):
        assert result.returncode == -9, result.stderr
        return None
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _mark(playbooks: Path, name: str, marker: str) -> None:
    path = playbooks / f"{name}.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines[:-1] + [marker]) + "\n", encoding="utf-8")


def test_a_killed_render_of_an_edit_leaves_no_stale_cache_after_the_revert(playbooks, tmp_path):
    out = tmp_path / "sop"
    assert _render(playbooks, out) == {"rendered": 3, "cached": 0, "failed": 0}
    _mark(playbooks, "size_mismatch", "# EDITED")
    _render(playbooks, out, "kill")  # the edited text is in the files; killed before it was reported
    assert "EDITED" in (out / "size_mismatch" / "taobao.en.md").read_text()
    manifest = json.loads((out / MANIFEST).read_text()) if (out / MANIFEST).exists() else {}
    assert not any(k.startswith("size_mismatch/") for k in manifest), "no entry claims the killed documents"
    _mark(playbooks, "size_mismatch", "# ORIGINAL")  # the lead reverts the edit
    assert _render(playbooks, out) == {"rendered": 3, "cached": 0, "failed": 0}, "not '0 rendered, 3 up to date'"
    for lang in LANGS:
        for fmt in ("md", "html"):
            assert "# ORIGINAL" in (out / "size_mismatch" / f"taobao.{lang}.{fmt}").read_text()
    assert _render(playbooks, out) == {"rendered": 0, "cached": 3, "failed": 0}


def test_documents_reported_before_a_kill_stay_cached(playbooks, tmp_path):
    out = tmp_path / "sop"
    _render(playbooks, out, "kill_second", "size_mismatch,wrong_item")
    manifest = json.loads((out / MANIFEST).read_text())
    assert sorted(manifest) == [f"size_mismatch/taobao.{lang}" for lang in sorted(LANGS)], "saved per document"
    assert all(entry["status"] == "ok" for entry in manifest.values())
    assert _render(playbooks, out, scenarios="size_mismatch,wrong_item") == {"rendered": 3, "cached": 3, "failed": 0}
    assert not list(out.rglob("*.tmp"))


# ---------------------------------------------------------------- full disk: the summary still prints, exit 1

def _stand_in(fail_documents: bool):
    def scenario(self, name, jobs):
        for job in jobs:
            if fail_documents:
                job.status, job.error = "failed", f"{name}.ipynb (render cell): OSError: [Errno 28] No space left on device"
            else:
                for fmt in ("md", "html"):
                    write_atomic(job.path(self.out, fmt), f"{job.doc_id}\n")
                job.status = "ok"
    return scenario


def _full_disk(monkeypatch, names=(MANIFEST, "index.html", "index.md")):
    real = batch.write_atomic

    def write(path, data):
        if Path(path).name in names:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(path, data)

    monkeypatch.setattr(batch, "write_atomic", write)


def _cli_render(playbooks: Path, out: Path, capsys) -> tuple[int, str, str]:
    code = main(["--playbooks", str(playbooks), "render", "--scenario", "size_mismatch", "--platform", "taobao",
                 "--lang", "en,zh,ru", "--format", "md,html", "--out", str(out), "--no-progress", "--as-of", "2026-11-23"])
    out_text, err = capsys.readouterr()
    return code, out_text, err


@pytest.mark.parametrize("fail_documents", [False, True])
def test_a_full_disk_still_prints_the_summary_and_lists_the_failures(playbooks, tmp_path, monkeypatch, capsys,
                                                                     fail_documents):
    monkeypatch.setattr(batch._Worker, "_scenario", _stand_in(fail_documents))
    _full_disk(monkeypatch)
    code, out_text, err = _cli_render(playbooks, tmp_path / "sop", capsys)
    assert code == 1
    assert "0 rendered, 0 up to date, 4 failed" in out_text, out_text  # 3 documents and the index
    assert "Traceback" not in err
    failed = err.split("failed:", 1)[1]
    for lang in LANGS:
        assert f"size_mismatch/taobao.{lang}: " in failed
    assert "No space left on device" in failed and "index: cannot write the index" in failed
    assert not (tmp_path / "sop" / MANIFEST).exists() and not list((tmp_path / "sop").rglob("*.tmp"))


def test_a_full_disk_with_an_old_manifest_never_keeps_its_stale_entries(playbooks, tmp_path, monkeypatch, capsys):
    out = tmp_path / "sop"
    monkeypatch.setattr(batch._Worker, "_scenario", _stand_in(False))
    assert _cli_render(playbooks, out, capsys)[0] == 0
    old = json.loads((out / MANIFEST).read_text())
    assert len(old) == 3
    _mark(playbooks, "size_mismatch", "# EDITED")
    with monkeypatch.context() as patch:
        _full_disk(patch, names=(MANIFEST,))
        code, out_text, _err = _cli_render(playbooks, out, capsys)
    assert code == 1 and "0 rendered, 0 up to date, 3 failed" in out_text
    assert not (out / MANIFEST).exists(), "no room for a new manifest: the old one, now stale, is removed"
    _mark(playbooks, "size_mismatch", "# ORIGINAL")
    code, out_text, _err = _cli_render(playbooks, out, capsys)
    assert code == 0 and "3 rendered, 0 up to date" in out_text


def test_a_damaged_manifest_is_an_empty_cache(playbooks, tmp_path, monkeypatch, capsys):
    out = tmp_path / "sop"
    out.mkdir()
    (out / MANIFEST).write_text(json.dumps({"no-slash": {}, "a/b": [], "x/y.z": {"status": "ok", "formats": None}}))
    monkeypatch.setattr(batch._Worker, "_scenario", _stand_in(False))
    code, out_text, err = _cli_render(playbooks, out, capsys)
    assert code == 0 and "3 rendered" in out_text, err
