"""``aftersales recall ORDERS.csv --recall RECALL.yaml [--sku …] [--batch …]`` (seed 004)."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import AftersalesError

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> None:
    """Add ``recall`` to the main parser's subcommands."""
    from .orders import COLUMNS

    p = sub.add_parser("recall", help="a product safety recall: find the affected buyers in an orders export, write one "
                       "case per buyer with the message in their language, and print the recall notice and the "
                       "platform notices (seed 004)")
    p.add_argument("orders", metavar="ORDERS_CSV", help="the orders export, one row per order line; columns: "
                   + "; ".join(f"{name}: {what}" for name, what in COLUMNS.items()))
    p.add_argument("--recall", metavar="RECALL_YAML", help="the recall: number, product, SKUs, batches, hazard and its "
                   "description, remedy, contact, picture, in each buyer language (docs/recall.md)")
    p.add_argument("--sku", action="append", metavar="SKU", help="recalled SKU (a,b or repeated; adds to the file's)")
    p.add_argument("--batch", action="append", metavar="BATCH", help="recalled batch (a,b or repeated; none: every batch)")
    p.add_argument("--recall-id", metavar="ID", help="the recall's number (else the file's)")
    p.add_argument("--product", metavar="NAME", help="the product's name, in --text-lang (else the file's)")
    p.add_argument("--hazard", metavar="KIND", help="the hazard's kind (the recall playbook's choices)")
    p.add_argument("--hazard-text", metavar="TEXT", help="the hazard in plain words, in --text-lang")
    p.add_argument("--remedy", metavar="{refund,replace,repair}")
    p.add_argument("--contact", metavar="TEXT", help="the free phone number or page for questions, in --text-lang")
    p.add_argument("--picture", metavar="IMAGE", help="a picture of the product for the notice (png, jpg, webp, svg)")
    p.add_argument("--text-lang", metavar="{en,zh,ru}", help="the language of the texts given as options (default en)")
    p.add_argument("--platform", metavar="PLATFORM", help="the platform of rows without a platform column")
    p.add_argument("--column", action="append", metavar="FACT=HEADER", help="read a recall column from another "
                   "header, e.g. --column order_id='Номер заказа' (repeatable)")
    p.add_argument("--out", metavar="DIR", help="where the messages and notices go (default: build/recall-ID)")
    p.add_argument("--db", metavar="URL", help="case store URL (default: $AFTERSALES_DB_URL, else ~/.aftersales/cases.db)")
    p.add_argument("--who", metavar="NAME", default="recall", help="who the cases name (default: recall)")
    p.add_argument("--as-of", metavar="ISO-DATETIME", help="the moment of the decisions (default: now)")
    p.add_argument("--no-pdf", action="store_true", help="write the notices as HTML only")


def _names(values: list[str] | None) -> list[str]:
    return [n.strip() for v in values or [] for n in v.split(",") if n.strip()]


def _columns(values: list[str] | None) -> dict[str, str]:
    columns = {}
    for value in values or []:
        name, sep, header = value.partition("=")
        if not sep or not name.strip() or not header.strip():
            raise AftersalesError(f"--column {value!r}: give it as FACT=HEADER, e.g. --column order_id='Order No.'")
        columns[name.strip()] = header.strip()
    return columns


def run(args: argparse.Namespace) -> int:
    """Run ``aftersales recall``; exit 0 when every matched line became a case, 1 when some could
    not (listed in problems.csv), 2 when nothing matched the recall."""
    from ..library import load_library
    from .run import RECALL_SCENARIO, run_recall
    from .spec import load_recall

    library = load_library(args.playbooks) if getattr(args, "playbooks", None) else load_library()
    if RECALL_SCENARIO not in library.playbooks:
        raise AftersalesError(f"no {RECALL_SCENARIO} playbook in {library.root}")
    inputs = library.playbooks[RECALL_SCENARIO].inputs
    hazards = tuple(inputs["hazard"].spec.choices or ())
    remedies = tuple(inputs["remedy"].spec.choices or ())
    given: dict[str, Any] = {"recall": args.recall_id, "product_name": args.product, "hazard": args.hazard,
                             "hazard_description": args.hazard_text, "remedy": args.remedy, "contact": args.contact,
                             "picture": args.picture, "text_lang": args.text_lang}
    if args.recall and (args.sku or args.batch):
        from ..yamlsource import load_yaml

        data = load_yaml(args.recall).data if Path(args.recall).is_file() else {}
        base = data if isinstance(data, dict) else {}

        def joined(key: str, extra: list[str]) -> list[str]:
            values = base.get(key) or []
            return list(dict.fromkeys([*(values if isinstance(values, list) else [values]), *extra]))

        if args.sku:
            given["sku"] = joined("sku", _names(args.sku))
        if args.batch:
            given["batch"] = joined("batch", _names(args.batch))
    else:
        given["sku"], given["batch"] = _names(args.sku), _names(args.batch)
    recall = load_recall(given, path=args.recall, hazards=hazards, remedies=remedies)
    as_of = None
    if args.as_of:
        try:
            as_of = datetime.fromisoformat(args.as_of)
        except ValueError:
            raise AftersalesError(f"--as-of {args.as_of!r} is not a moment such as 2026-12-05T09:00+00:00") from None
        if as_of.tzinfo is None:
            raise AftersalesError(f"--as-of {args.as_of!r}: say its time zone, e.g. {args.as_of}+00:00")
    out = Path(args.out) if args.out else Path("build") / f"recall-{recall.recall_id}"
    report = run_recall(args.orders, recall, out=out, db=args.db, platform=args.platform, columns=_columns(args.column),
                        who=args.who, as_of=as_of, pdf=not args.no_pdf, library=library,
                        progress=lambda text: print(f"… {text}", file=sys.stderr))
    print(f"recall {recall.recall_id}: {report.rows} order line(s) read, {report.matched} of the recalled SKU(s)"
          f"{' and batch(es)' if recall.batches else ''}; {report.buyers} buyer(s); {report.written} case(s) written, "
          f"{report.already} already in the store; {report.seconds:.1f} s")
    for title, tally in (("by language", report.by_lang), ("by platform", report.by_platform),
                         ("by outcome", report.by_outcome)):
        if tally:
            print(f"  {title}: " + ", ".join(f"{key} {n}" for key, n in sorted(tally.items())))
    for path in report.files:
        print(f"  wrote {path}")
    if report.own_stores:
        print(f"  no platform notice for {', '.join(report.own_stores)}: the seller's own store, where the recall "
              "notice itself is published")
    if report.pdf_problem:
        print(f"aftersales recall: notices written as HTML only, no PDF: {report.pdf_problem}", file=sys.stderr)
    if not report.matched:
        print(f"aftersales recall: no order line of {', '.join(recall.skus)}"
              f"{' in batch ' + ', '.join(recall.batches) if recall.batches else ''} in {args.orders}", file=sys.stderr)
        return 2
    if report.problems:
        print(f"aftersales recall: {len(report.problems)} matched line(s) could not become a case (see problems.csv); "
              "first: " + "; ".join(f"line {line} {column}: {text}" for line, column, text in report.problems[:3]),
              file=sys.stderr)
        return 1
    return 1 if report.pdf_problem else 0
