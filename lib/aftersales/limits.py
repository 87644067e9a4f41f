"""Every resource limit of the toolkit, in one place (README "Safety and limits").

Each limit is a named constant with a test that shows an input just past it is refused with the
documented error, never a traceback, an exhausted machine or a silent loss. Keep this module
free of imports so every layer (YAML loader, engine, templates, CLI) can read it cheaply.
"""

from __future__ import annotations

# ---------------------------------------------------------------- YAML files (playbooks, profiles, overlays)
#: Largest YAML file read (bytes); the shipped playbooks are < 100 kB.
MAX_YAML_BYTES = 2_000_000
#: Most nodes a YAML document may expand to once aliases are resolved (a "billion laughs" stops here).
MAX_YAML_NODES = 200_000
#: Most alias references (``*name``) in one YAML document.
MAX_YAML_ALIASES = 1_000
#: Deepest nesting of mappings and lists in a YAML document.
MAX_YAML_DEPTH = 64

# ---------------------------------------------------------------- facts and other JSON input
#: Largest facts document (JSON text or file, bytes).
MAX_FACTS_BYTES = 1_000_000
#: Deepest nesting of a facts JSON document.
MAX_JSON_DEPTH = 64
#: Most digits of a number in a fact (an order value of 10**400 is not an order value).
MAX_NUMBER_DIGITS = 20
#: Earliest and latest year of a date or date-time fact, ``as_of`` included.
MIN_YEAR = 1970
MAX_YEAR = 2200

# ---------------------------------------------------------------- message templates (Jinja sandbox)
#: Longest rendered customer message (characters).
MAX_MESSAGE_CHARS = 20_000
#: Most items a template ``range()`` may produce.
MAX_TEMPLATE_RANGE = 1_000
#: Longest string a template may build with ``*``, ``replace``, ``indent``, ``center``... (characters).
MAX_TEMPLATE_STRING = 100_000
#: Wall-clock budget of one template render (seconds).
MAX_TEMPLATE_SECONDS = 2.0
#: Deepest macro / call recursion in a template.
MAX_TEMPLATE_DEPTH = 40

# ---------------------------------------------------------------- playbook expressions and policy
#: Deepest nesting of a playbook expression (operators, calls, unary minus chains).
MAX_EXPRESSION_DEPTH = 100
#: Longest span of business days a deadline may count (10 years).
MAX_BUSINESS_DAYS = 2_600
#: Longest span of calendar days (or equivalent hours/weeks/months) a deadline may count.
MAX_DEADLINE_DAYS = 36_600

# ---------------------------------------------------------------- CSV replay
#: Largest cell of a replayed CSV (characters); longer is a bad row, not an abort.
MAX_CSV_CELL_CHARS = 10_000

# C: ------------------------------------------------------------ message template syntax
#: Deepest nesting of a template's syntax tree (expressions in expressions, blocks in blocks).
MAX_TEMPLATE_NESTING = 40
#: Most ``{% for %}`` loops nested inside each other in one template (Python allows 20 blocks).
MAX_TEMPLATE_LOOP_NESTING = 8
