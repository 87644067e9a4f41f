"""Suite-wide set-up.

Papermill and nbformat import jsonschema's format checkers, which import ``rfc3987_syntax``
(~2.5 s building parsers) only for the ``iri`` format that no notebook schema uses; jsonschema
skips that check when the module cannot be imported. ``aftersales render`` does the same
(see aftersales.render.batch), so the tests run what production runs.
"""

import sys

sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
