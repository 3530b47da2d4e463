"""Run the seed guide's cells (tests/fixtures/tf1_guide/cells by default) like a notebook does.

Shared by the guide tests (`tests/test_tf1_guide.py`, and `tests/_tf2_guide.py` for the TF2
cells) and the generators `tools/fixtures/make_tf{1,2}_guide.py` (TensorFlow, which record
`expected.json`): every cell runs in one namespace, in a working directory, with stdout
captured; a cell ending in an expression also yields that value.
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np

GUIDE_DIR = Path(__file__).parent / "fixtures" / "tf1_guide"
CELLS_DIR = GUIDE_DIR / "cells"
SAVED_MODELS = Path(__file__).parent / "fixtures" / "saved_models"
PRELUDES = {
    "tensorflow": "import tensorflow as tf\nimport tensorflow.compat.v1 as tf1\n",
    "savedmodel": "import savedmodel as tf\nimport savedmodel.compat.v1 as tf1\n",
}
# TF2-written models the load_tf1 cell also loads (their writers are TF2 cells of the guide).
COPIED_MODELS = {"tf2-save": "tf2_save", "keras-model": "keras_model"}


def cell_paths(cells_dir: Path = CELLS_DIR) -> list[Path]:
    return sorted(cells_dir.glob("*.py"))


def _plain(value: Any) -> Any:
    """A JSON-able view of a cell's value (tensors and arrays as nested lists)."""
    if value is None:
        return None
    numpy = getattr(value, "numpy", None)
    if callable(numpy):
        value = numpy()
    return np.asarray(value).tolist()


def run_cells(
    flavor: str,
    workdir: Path,
    cells_dir: Path = CELLS_DIR,
    copied_models: dict[str, str] | None = None,
) -> dict[str, dict[str, Any]]:
    """Run every cell of `cells_dir` with `flavor`'s imports in `workdir`, after copying in the
    fixture models the cells read (`copied_models`: {name in workdir: fixture}, by default the
    TF1 guide's); {cell name: {stdout, value}}."""
    models = COPIED_MODELS if copied_models is None else copied_models
    for name, fixture in models.items():
        shutil.copytree(SAVED_MODELS / fixture, workdir / name)
    namespace: dict[str, Any] = {"__name__": "__guide__"}
    results: dict[str, dict[str, Any]] = {}
    old = os.getcwd()
    os.chdir(workdir)
    try:
        exec(compile(PRELUDES[flavor], "<imports>", "exec"), namespace)
        for path in cell_paths(cells_dir):
            tree = ast.parse(path.read_text(), str(path))
            last = None
            if tree.body and isinstance(tree.body[-1], ast.Expr):
                last = ast.Expression(tree.body.pop().value)
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile(tree, str(path), "exec"), namespace)
                value = eval(compile(last, str(path), "eval"), namespace) if last else None
            results[path.stem] = {"stdout": out.getvalue(), "value": _plain(value)}
    finally:
        os.chdir(old)
    return results
