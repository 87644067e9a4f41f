"""A synthetic export of past cases for the cluster tests: two scenarios on three platforms, rows the
engine refuses (a value out of range, a word where a yes/no goes, an unknown platform, a ragged row),
rows with and without an as_of, a passed-through note with commas and line breaks in quoted cells."""

from __future__ import annotations

import csv
import random
from pathlib import Path

HEADER = ["scenario", "platform", "id", "order_id", "order_value", "currency", "delivered_on", "evidence_provided",
          "category", "size_deviation_cm", "customer_preference", "item_resaleable", "as_of", "note"]
DAYS = ("2026-01-12", "2026-03-16", "2026-08-24", "2026-11-02")
NOTES = ["", "", "", "called twice", "photo, tape measure", "line one\nline two", 'said "too small"']


def write_cases(path: Path, rows: int, seed: int = 21) -> Path:
    """``rows`` past cases (plus the header) written to ``path``, the same for the same seed."""
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n in range(rows):
            day = rng.choice(DAYS)
            as_of = f"{day}T{rng.choice(('09', '17'))}:00:00+00:00" if rng.random() < 0.3 else ""
            if rng.random() < 0.7:
                scenario, platform = "size_mismatch", rng.choice(("taobao", "taobao", "amazon"))
                currency = "CNY" if platform == "taobao" else "USD"
                deviation = str(rng.choice((1, 2.5, 3.5, 5)))
                preference = rng.choice(("exchange", "refund"))
            else:
                scenario, platform = "change_of_mind", rng.choice(("ozon", "generic"))
                currency = "RUB" if platform == "ozon" else "EUR"
                deviation, preference = "", "refund"
            row = [scenario, platform, str(n), f"{20260000000 + n}", str(rng.choice((89, 129, 2490))),
                   currency, day, rng.choice(("true", "true", "false")), rng.choice(("apparel", "footwear")),
                   deviation, preference, rng.choice(("true", "false")), as_of, rng.choice(NOTES)]
            if n % 211 == 0:
                row[9] = "-4"  # out of range
            if n % 307 == 0:
                row[7] = "maybe"  # not a yes/no
            if n % 401 == 0:
                row[1] = "ozno"  # no such platform
            if n % 503 == 0:
                row.append("extra")  # ragged
            writer.writerow(row)
    return path
