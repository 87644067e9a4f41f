#!/usr/bin/env bash
# Creates the project's virtual environment and installs the package with its test extra.
# uv (from PyPI) installs in seconds; plain pip is the fallback when uv cannot be had.
set -euo pipefail
venv="${1:-.venv}"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
if "$venv/bin/python" -m pip install --quiet uv; then
  # --compile-bytecode: processes the tests spawn would otherwise each compile SQLAlchemy & co. again
  "$venv/bin/python" -m uv pip install --quiet --compile-bytecode --python "$venv/bin/python" -e '.[test]'
else
  "$venv/bin/python" -m pip install --quiet -e '.[test]'
fi
