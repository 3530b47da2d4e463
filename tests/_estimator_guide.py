"""The seed guide's calls on its Estimator export (`estimator-model`), run like the notebook does.

Shared by `tests/test_estimator_exports.py` (savedmodel) and `tools/fixtures/make_estimator.py`
(TensorFlow 2.21, which records what TF prints in saved_models/estimator_model.guide.json). The
guide's `load_tf1` / `load_tf2` definitions are taken verbatim from the guide cells already in
the fixtures (tf1_guide/cells/06_load_tf1.py, tf2_guide/cells/03_load_tf2.py); the estimator
calls are the guide lines those cells leave out.
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import shutil
from pathlib import Path

from _guide_cells import PRELUDES

FIXTURES = Path(__file__).parent / "fixtures"
MODEL = FIXTURES / "saved_models" / "estimator_model"
GUIDE_RECORD = FIXTURES / "saved_models" / "estimator_model.guide.json"
# The cells holding the guide's definitions of the two loaders.
DEFINITIONS = {
    "load_tf1": FIXTURES / "tf1_guide" / "cells" / "06_load_tf1.py",
    "load_tf2": FIXTURES / "tf2_guide" / "cells" / "03_load_tf2.py",
}
# The guide's lines, verbatim (with their comments dropped).
CALLS = ["load_tf1('estimator-model', [5.])", "load_tf2('estimator-model', [5.])"]
# The guide's `!saved_model_cli run` line after the Estimator cell, as an argv.
CLI_RUN_ARGV = [
    "run", "--dir", "estimator-model", "--tag_set", "serve",
    "--signature_def", "serving_default", "--input_exprs", "input=[10]",
]  # fmt: skip


def definition(name: str) -> str:
    """Source of the guide's `def name(...)` from the cell that defines it."""
    path = DEFINITIONS[name]
    source = path.read_text()
    for node in ast.parse(source, str(path)).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return ast.get_source_segment(source, node) + "\n"
    raise LookupError(f"no def {name} in {path}")


def copy_model(workdir: Path, source: Path = MODEL) -> None:
    """The export (by default the fixture) under the guide's name in `workdir`."""
    shutil.copytree(source, workdir / "estimator-model")


def run_calls(flavor: str, workdir: Path) -> dict[str, str]:
    """{guide call: its stdout}, run with `flavor`'s imports ("tensorflow" or "savedmodel") in
    `workdir`, which must hold `estimator-model` (see copy_model)."""
    namespace: dict = {"__name__": "__guide__"}
    results = {}
    old = os.getcwd()
    os.chdir(workdir)
    try:
        exec(compile(PRELUDES[flavor], "<imports>", "exec"), namespace)
        for name, path in DEFINITIONS.items():
            exec(compile(definition(name), str(path), "exec"), namespace)
        for call in CALLS:
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile(call, "<guide>", "exec"), namespace)
            results[call] = out.getvalue()
    finally:
        os.chdir(old)
    return results
