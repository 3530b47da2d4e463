"""`import savedmodel` (every module of it) and the CLI must never import TensorFlow or Keras."""

from __future__ import annotations

import subprocess
import sys

FORBIDDEN = ("tensorflow", "keras", "tf_keras", "jax", "torch")

_IMPORT_ALL = f"""
import importlib, pkgutil, sys
import savedmodel
for info in pkgutil.walk_packages(savedmodel.__path__, "savedmodel."):
    importlib.import_module(info.name)
bad = sorted(m for m in sys.modules if m.split(".")[0] in {FORBIDDEN!r})
print(bad)
sys.exit(1 if bad else 0)
"""

_RUN_CLI = f"""
import sys
from savedmodel.cli.main import main
try:
    main(["--help"])
except SystemExit:
    pass
bad = sorted(m for m in sys.modules if m.split(".")[0] in {FORBIDDEN!r})
print(bad)
sys.exit(1 if bad else 0)
"""


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_importing_every_module_imports_no_tensorflow():
    result = _run(_IMPORT_ALL)
    assert result.returncode == 0, result.stdout + result.stderr


def test_cli_imports_no_tensorflow():
    result = _run(_RUN_CLI)
    assert result.returncode == 0, result.stdout + result.stderr
