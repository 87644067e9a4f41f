"""The SOP library's cost: a cold full render against one notebook run, and the naive way.

Figures printed (issues 4 and 19):
* cold full library: ``aftersales render --force`` into an empty folder, as a fresh process, every
  scenario x platform x language (documents and their one-page sheets, and the binders); with all
  formats, PDFs typeset by Typst (the default) and, side by side, printed by Chromium
  (``AFTERSALES_PDF_ENGINE=chromium``, as before; ``--no-chromium`` skips it); and Markdown + HTML only;
* one single-notebook Papermill run (``papermill`` command, one scenario decided headless),
  and the ratios (targets: the full library in <= 15 s on 2 cores and <= 3x one notebook run);
* the naive baseline: one ``papermill`` command per document, one after the other, plus one
  ``chromium --print-to-pdf`` per PDF (``--naive full`` runs every document; the default
  samples ``--naive-sample`` documents and scales up, and says so);
* a rerun with nothing changed (target <= 1 s);
* the ``rfc3987-syntax`` import tax that ``aftersales render`` avoids.

    python benchmarks/bench_render.py [--naive sample|full|skip] [--naive-sample 6] [--no-chromium]
"""

from __future__ import annotations

import argparse
import json
import os
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


#: The library issue 19 set its target for: the five seed scenarios on the four platforms it named.
ISSUE_19_LIBRARY = ["--scenario", "quality_defect,wrong_item,size_mismatch,claim,bad_review",
                    "--platform", "amazon,ozon,taobao,generic"]


def full_library(out_dir: Path, formats: str, engine: str = "typst", only: list[str] | None = None) -> float:
    """``aftersales render --force`` into an empty folder, as a fresh process, with this PDF engine."""
    return timed([*AFTERSALES, "render", "--force", "--out", str(out_dir), "--format", formats, "--no-progress",
                  *(only or [])], env={**os.environ, "AFTERSALES_PDF_ENGINE": engine})


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


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def import_tax() -> tuple[float, float]:
    plain = timed([sys.executable, "-c", "import papermill"])
    blocked = timed([sys.executable, "-c", "import sys; sys.modules['rfc3987_syntax'] = None; import papermill"])
    return plain, blocked


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--naive", choices=["sample", "full", "skip"], default="sample")
    parser.add_argument("--naive-sample", type=int, default=6, help="documents in the naive sample (default 6)")
    parser.add_argument("--no-chromium", dest="chromium", action="store_false",
                        help="skip the side-by-side library printed by Chromium")
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
        full_chromium = full_library(work / "chromium", "md,html,pdf", engine="chromium") if args.chromium else None
        sixty = full_library(work / "sixty", "md,html,pdf", only=ISSUE_19_LIBRARY)
        pages = sum(_pages(pdf) for pdf in (work / "all").rglob("*.pdf") if not pdf.name.startswith("binder"))
        started = time.perf_counter()
        subprocess.run([*AFTERSALES, "render", "--out", str(work / "all"), "--no-progress"], cwd=REPO,
                       capture_output=True, check=True)
        rerun = time.perf_counter() - started
        plain, blocked = import_tax()
        print(f"documents in the library: {len(documents)}, and as many one-page sheets (each as md/html, html, pdf); "
              f"{pages} PDF pages")
        print(f"one single-notebook papermill run:          {single:6.1f} s")
        print(f"cold full library, md+html+pdf (Typst):      {full_all:6.1f} s  = {full_all / single:4.1f}x one notebook run "
              "(target <= 15 s and <= 3x)")
        if full_chromium is not None:
            print(f"cold full library, md+html+pdf (Chromium):   {full_chromium:6.1f} s  = "
                  f"{full_chromium / single:4.1f}x one notebook run (AFTERSALES_PDF_ENGINE=chromium, as before)")
        print(f"cold full library, md+html:                  {full_text:6.1f} s  = {full_text / single:4.1f}x one notebook run")
        print(f"issue 19's library (5 scenarios x 4 platforms x 3 languages = 60 documents and 60 sheets), "
              f"md+html+pdf: {sixty:.1f} s = {sixty / single:.1f}x one notebook run (target <= 15 s and <= 3x)")
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
