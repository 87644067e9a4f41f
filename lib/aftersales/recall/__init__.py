"""Product safety recalls (seed 004; issue 20, part 6): announce, find the affected buyers, a
return/refund plan, and a message to each buyer in their language.

* :mod:`~aftersales.recall.spec` — the recall as a lead writes it (YAML), checked at its lines;
* :mod:`~aftersales.recall.orders` — the affected buyers of an orders export (pandas);
* :mod:`~aftersales.recall.notice` — the recall notice and the platform notices (HTML, then PDF);
* :mod:`~aftersales.recall.run` — one case per buyer in the case store, decided with the ``recall``
  playbook, and the messages to send;
* :mod:`~aftersales.recall.cli` — ``aftersales recall``.
"""
