"""Suite-wide set-up.

Papermill and nbformat import jsonschema's format checkers, which import ``rfc3987_syntax``
(~2.5 s building parsers) only for the ``iri`` format that no notebook schema uses; jsonschema
skips that check when the module cannot be imported. ``aftersales render`` does the same
(see aftersales.render.batch), so the tests run what production runs.
"""

import sys

sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

import os
import tempfile

# Nothing the tests save (cases, archived playbooks, practice attempts) goes to the user's home:
# set here, before any test runs, so that kernels and subprocesses the tests start inherit it.
_STATE = tempfile.mkdtemp(prefix="aftersales-test-state-")
for _name, _value in (("AFTERSALES_CASE_LOG", os.path.join(_STATE, "case-log.jsonl")),
                      ("AFTERSALES_ARCHIVE", os.path.join(_STATE, "archive"))):
    os.environ.setdefault(_name, _value)
