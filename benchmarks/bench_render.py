"""The SOP library's cost: a cold full render against one notebook run, and the naive way.

Figures printed (issue 4):
* cold full library: ``aftersales render --force`` into an empty folder, as a fresh process,
  5 scenarios x 4 platforms x 3 languages; with all formats, and with Markdown + HTML only;
* one single-notebook Papermill run (``papermill`` command, one scenario decided headless),
  and the ratios (target: full library <= 3x one notebook run);
* the naive baseline: one ``papermill`` command per document, one after the other, plus one
  ``chromium --print-to-pdf`` per PDF (``--naive full`` runs all 60 documents; the default
  samples ``--naive-sample`` documents and scales up, and says so);
* a rerun with nothing changed (target <= 1 s);
* the ``rfc3987-syntax`` import tax that ``aftersales render`` avoids.

    python benchmarks/bench_render.py [--naive sample|full|skip] [--naive-sample 6]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
AFTERSALES = [sys.executable, "-m", "aftersales"]
FACTS = {"order_value": 129, "currency": "CNY", "delivered_on": "2026-01-12", "evidence_provided": True,
         "category": "apparel", "size_deviation_cm": 3.5, "customer_preference": "exchange"}
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--no-pdf-header-footer"]


def timed(command: list[str], **kwargs) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, **kwargs)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command[:6])} … failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return elapsed


def single_notebook(out_dir: Path) -> float:
    return timed([str(BIN / "papermill"), "notebooks/size_mismatch.ipynb", str(out_dir / "single.ipynb"),
                  "-p", "platform", "taobao", "-p", "as_of", "2026-01-15T09:00:00+00:00",
                  "-p", "facts", json.dumps(FACTS), "--no-progress-bar"])


def full_library(out_dir: Path, formats: str) -> float:
    return timed([*AFTERSALES, "render", "--force", "--out", str(out_dir), "--format", formats, "--no-progress"])


def naive(documents: list[tuple[str, str, str]], out_dir: Path) -> float:
    """One papermill command per document (Markdown + HTML), then one Chromium command per PDF."""
    started = time.perf_counter()
    for scenario, platform, lang in documents:
        html = out_dir / f"{scenario}.{platform}.{lang}.html"
        spec = {"rendered_on": "2026-11-23", "documents": [{
            "platform": platform, "lang": lang, "md": str(out_dir / f"{scenario}.{platform}.{lang}.md"),
            "html": str(html), "flowchart": str(out_dir / f"{scenario}.{lang}.svg")}]}
        timed([str(BIN / "papermill"), f"notebooks/{scenario}.ipynb", str(out_dir / "naive.ipynb"),
               "-p", "interactive", "False", "-p", "sop", json.dumps(spec), "--no-progress-bar"])
        timed(["/usr/bin/chromium", *CHROMIUM_FLAGS, f"--print-to-pdf={out_dir / (html.stem + '.pdf')}", html.as_uri()])
    return time.perf_counter() - started


def import_tax() -> tuple[float, float]:
    plain = timed([sys.executable, "-c", "import papermill"])
    blocked = timed([sys.executable, "-c", "import sys; sys.modules['rfc3987_syntax'] = None; import papermill"])
    return plain, blocked


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--naive", choices=["sample", "full", "skip"], default="sample")
    parser.add_argument("--naive-sample", type=int, default=6, help="documents in the naive sample (default 6)")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "lib"))
    from datetime import date

    from aftersales.render.plan import plan_jobs  # noqa: E402

    jobs = plan_jobs(REPO / "playbooks", Path(tempfile.mkdtemp()), scenarios=None, platforms=None, langs=None,
                     formats=["md"], day=date.today(), explicit_date=False, force=True)
    documents = [(j.scenario, j.platform, j.lang) for j in jobs]
    work = Path(tempfile.mkdtemp(prefix="bench-render-"))
    try:
        single_notebook(work)  # warm the disk cache and the kernel spec lookup once
        single = min(single_notebook(work) for _ in range(2))
        full_all = full_library(work / "all", "md,html,pdf")
        full_text = full_library(work / "text", "md,html")
        started = time.perf_counter()
        subprocess.run([*AFTERSALES, "render", "--out", str(work / "all"), "--no-progress"], cwd=REPO,
                       capture_output=True, check=True)
        rerun = time.perf_counter() - started
        plain, blocked = import_tax()
        print(f"documents in the library: {len(documents)} (each as md, html, pdf)")
        print(f"one single-notebook papermill run:          {single:6.1f} s")
        print(f"cold full library, md+html+pdf:              {full_all:6.1f} s  = {full_all / single:4.1f}x one notebook run (target <= 3x)")
        print(f"cold full library, md+html:                  {full_text:6.1f} s  = {full_text / single:4.1f}x one notebook run")
        print(f"rerun with nothing changed:                  {rerun:6.2f} s  (target <= 1 s)")
        print(f"'import papermill': {plain:.2f} s; without rfc3987-syntax: {blocked:.2f} s (tax {plain - blocked:.2f} s per process)")
        if args.naive != "skip":
            sample = documents if args.naive == "full" else documents[:: max(1, len(documents) // args.naive_sample)][: args.naive_sample]
            (work / "naive").mkdir()
            spent = naive(sample, work / "naive")
            estimate = spent / len(sample) * len(documents)
            how = "measured" if args.naive == "full" else f"{len(sample)} documents measured ({spent:.1f} s), scaled to {len(documents)}"
            print(f"naive baseline (papermill + chromium CLI per document, sequential): {estimate:6.1f} s ({how})"
                  f" = {estimate / full_all:4.1f}x the batch")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
