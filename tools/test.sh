#!/usr/bin/env bash
# Set up a test environment (first run only) and run every check CI runs.
#   bash tools/test.sh            # everything: lint, import layering, the full test suite
#   bash tools/test.sh -k show    # extra arguments go to pytest
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${SAVEDMODEL_VENV:-.venv}
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
# Reinstall only when the requirements or the package metadata changed since the last setup.
stamp="$VENV/.savedmodel-setup"
want=$(cat requirements-test.txt pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -r requirements-test.txt -e .
    echo "$want" > "$stamp"
fi

"$VENV/bin/ruff" check src tests tools benchmarks
"$VENV/bin/ruff" format --check --quiet src tests tools benchmarks
"$VENV/bin/lint-imports"
# Interop tests must run, not skip, wherever this script runs (see tests/conftest.py).
SAVEDMODEL_REQUIRE_TF=1 "$VENV/bin/python" -m pytest -q "$@"
