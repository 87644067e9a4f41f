"""Cases after the decision (issue 20, parts 1-3): the shared case store, the case's life and
the daily follow-up list.

* :mod:`~aftersales.cases.store` — :class:`~aftersales.cases.store.CaseStore`: cases and their
  append-only events in SQLite or PostgreSQL; the JSON Lines case log imports into it;
* :mod:`~aftersales.cases.life` — statuses, the transitions allowed, due dates from deadlines;
* :mod:`~aftersales.cases.due` — the follow-up list with each case's next step and message;
* :mod:`~aftersales.cases.cli` — the ``aftersales cases ...`` commands.

Importing this package is cheap: SQLAlchemy is imported when a store is first opened.
"""
