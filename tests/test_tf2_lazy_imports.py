"""Import cost: loading a SavedModel and calling it imports no graph-building code, and the TF1
API (`savedmodel.compat.v1`) imports neither the executor nor the kernels until it runs a graph.

Each check runs in a fresh interpreter and looks at `sys.modules`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "saved_models"

GRAPH_BUILDING = [
    "savedmodel.framework.graph", "savedmodel.framework.op_builder",
    "savedmodel.framework.array_ops", "savedmodel.framework.math_ops",
    "savedmodel.framework.tensor_operators", "savedmodel.framework.shape_inference",
    "savedmodel.framework.scopes", "savedmodel.framework.importer",
    "savedmodel.framework.meta_graph", "savedmodel.api.function", "savedmodel.api.func_graph",
    "savedmodel.api.save", "savedmodel.compat",
]  # fmt: skip


def _modules_after(code: str) -> tuple[list[str], str]:
    probe = code + "\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))\n"
    out = (
        subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
        )
        .stdout.strip()
        .splitlines()
    )
    return json.loads(out[-1]), "\n".join(out[:-1])


def test_load_and_call_import_no_graph_builders() -> None:
    code = f"""
import numpy as np, savedmodel
m = savedmodel.load({str(FIXTURES / "tf2_save")!r})
print(m.signatures["serving_default"](input=np.float32(5.0))["output"], m(5.0))
"""
    modules, printed = _modules_after(code)
    assert printed.split() == ["7.0", "7.0"]
    assert [m for m in GRAPH_BUILDING if m in modules] == []
    assert "savedmodel.executor" in modules  # running it needs the executor, of course


def test_restored_variables_read_without_graph_builders() -> None:
    code = f"""
import numpy as np, savedmodel
m = savedmodel.load({str(FIXTURES / "tf2_polymorphic")!r})
print(repr(m.factor), m.factor.numpy())
"""
    modules, printed = _modules_after(code)
    assert printed.startswith("<tf.Variable 'factor:0' shape=() dtype=float32, numpy=")
    assert [m for m in GRAPH_BUILDING if m in modules] == []


def test_api_values_imports_no_graph_builders() -> None:
    modules, _ = _modules_after("import savedmodel.api.values")
    assert [m for m in GRAPH_BUILDING if m in modules] == []


def test_compat_v1_imports_no_executor_or_kernels() -> None:
    modules, _ = _modules_after("import savedmodel.compat.v1 as tf1")
    assert [m for m in modules if m.startswith(("savedmodel.executor", "savedmodel.ops"))] == []
    # ... until a session runs a graph
    modules, printed = _modules_after("""
import savedmodel as tf
import savedmodel.compat.v1 as tf1
with tf.Graph().as_default() as g:
    x = tf1.placeholder(tf.float32, [])
    y = x * 2.0
    with tf1.Session(graph=g) as sess:
        print(sess.run(y, {x: 3.0}))
""")
    assert printed == "6.0"
    assert "savedmodel.executor" in modules


def _own_modules() -> list[str]:
    src = Path(__file__).parents[1] / "src" / "savedmodel"
    names = ["savedmodel.tf_api", "savedmodel.compat.v1", "savedmodel.saved_model"]
    for package in ("framework", "api"):
        names += [f"savedmodel.{package}.{p.stem}" for p in sorted((src / package).glob("*.py"))
                  if p.stem != "__init__"]  # fmt: skip
    return names


def test_every_module_imports_first() -> None:
    """With names resolved lazily, any module must import on its own (no import cycle)."""
    script = (
        "import subprocess, sys\n"
        "bad = []\n"
        "for m in sys.argv[1:]:\n"
        "    r = subprocess.run([sys.executable, '-c', 'import ' + m], capture_output=True,"
        " text=True)\n"
        "    if r.returncode:\n"
        "        bad.append((m, r.stderr.strip().splitlines()[-1]))\n"
        "print(bad)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, *_own_modules()], capture_output=True, text=True,
        check=True, timeout=600,
    ).stdout  # fmt: skip
    assert out.strip() == "[]"
