"""The SOP library: every scenario × platform × language as Markdown, HTML and PDF.

* :mod:`~aftersales.render.plan` — which documents, where, and which are up to date (cache).
* :mod:`~aftersales.render.batch` — ``aftersales render``: notebooks run by Papermill on workers.
* :mod:`~aftersales.render.sop` — what a scenario notebook runs to write its documents.
* :mod:`~aftersales.render.document` — one SOP as data, from the playbook model and the profile.
* :mod:`~aftersales.render.templates` — the HTML and Markdown layouts (escaped).
* :mod:`~aftersales.render.flowchart` — the decision flowchart as SVG (Graphviz).
* :mod:`~aftersales.render.pdf` — HTML to PDF with Debian's Chromium.
* :mod:`~aftersales.render.index` — the library's index and coverage matrix.
"""
