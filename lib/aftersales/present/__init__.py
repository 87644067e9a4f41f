"""Where decisions become words: the one presentation layer.

* :mod:`~aftersales.present.words` — the word catalogue (``words.yaml``): frame words, what
  deadlines count from, sentence patterns, quantities in each plural form, codes as words;
* :mod:`~aftersales.present.formats` — numbers, money, quantities, dates and times per
  language on Babel (CLDR);
* :mod:`~aftersales.present.sentences` — the deadline sentence and the compensation sentence;
* :mod:`~aftersales.present.view` — a playbook as plain data (``describe``, the SOP, the start page).

The CLI, the card, the SOP and the practice page call these; nothing else formats a number or a
date for a person. The package imports nothing from the engine: it is a layer above it.
"""
