"""Cases after the decision (issue 20, parts 1-5): the shared case store, the case's life, repairs and
the daily follow-up list.

* :mod:`~aftersales.cases.store` — :class:`~aftersales.cases.store.CaseStore`: cases and their
  append-only events in SQLite or PostgreSQL; the JSON Lines case log imports into it;
* :mod:`~aftersales.cases.life` — statuses, the transitions allowed, due dates from deadlines;
* :mod:`~aftersales.cases.due` — the follow-up list with each case's next step and message;
* :mod:`~aftersales.cases.repair` — repair stages, their expected durations and messages;
* :mod:`~aftersales.cases.demo` — a reproducible example store (the desk notebook's demo);
* :mod:`~aftersales.cases.cli` — the ``aftersales cases ...`` commands.

Importing this package is cheap: SQLAlchemy is imported when a store is first opened.
"""
