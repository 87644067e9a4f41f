"""``aftersales render --scheduler`` and ``aftersales replay --scheduler``: the same work on a Dask cluster.

Without a scheduler nothing here is imported (and so neither is Dask): the local paths stay as they
are. With one, :mod:`.render` runs one Papermill task per scenario on the workers and keeps the
cache, sheets, binders and index on this machine; :mod:`.replay` sends the CSV's chunks to the
workers and writes their results here, in row order. :mod:`.cluster` connects and says clearly
what is wrong with an address. docs/scale.md tells how to start a cluster and what it gains.
"""

from __future__ import annotations

import os

#: The environment variable naming the scheduler when ``--scheduler`` is not given (Dask's own name).
SCHEDULER_VARIABLE = "DASK_SCHEDULER_ADDRESS"


def scheduler_address(flag: str | None) -> str | None:
    """The scheduler to use: ``--scheduler``, else ``$DASK_SCHEDULER_ADDRESS``, else None (run locally)."""
    address = (flag or os.environ.get(SCHEDULER_VARIABLE) or "").strip()
    return address or None
