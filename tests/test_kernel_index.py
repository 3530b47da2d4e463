"""The lazy kernel index must name, for every registered op, the family that registers it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_kernel_index_is_current():
    # A fresh interpreter: the index is built from a registry no other test has touched.
    code = (
        "import sys; sys.path.insert(0, 'tools'); import gen_kernel_index as g;"
        "print(g.render(g.build_index()), end='')"
    )
    fresh = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert fresh.returncode == 0, fresh.stderr
    committed = (ROOT / "src/savedmodel/ops/_kernel_index.py").read_text()
    assert fresh.stdout == committed, "run `python tools/gen_kernel_index.py`"


def test_lookup_loads_only_the_family_it_needs():
    code = (
        "import sys; from savedmodel.ops import registry;"
        "assert registry.lookup('Conv2D') is not None;"
        "print(sorted(m for m in sys.modules if m.startswith('savedmodel.ops.')"
        " and m.count('.') == 2))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    loaded = ast.literal_eval(result.stdout)
    assert "savedmodel.ops.nn_ops" in loaded
    assert "savedmodel.ops.string_ops" not in loaded
    assert "savedmodel.ops.random_ops" not in loaded


def test_unknown_op_has_no_kernel():
    from savedmodel.ops import registry

    assert registry.lookup("NoSuchOpAnywhere") is None
