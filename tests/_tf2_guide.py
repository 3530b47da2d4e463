"""Run the seed guide's TF2 cells (tests/fixtures/tf2_guide/cells) like a notebook does.

Shared by `tests/test_tf2_guide.py` (savedmodel) and `tools/fixtures/make_tf2_guide.py`
(TensorFlow, which records `expected.json`). The cells run in one namespace and one working
directory, with the guide's TF1-written and Keras-written models copied in from the fixtures
(their writer cells are TF1 / Keras code, tested elsewhere or out of scope).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import _guide_cells

GUIDE_DIR = Path(__file__).parent / "fixtures" / "tf2_guide"
CELLS_DIR = GUIDE_DIR / "cells"
COPIED_MODELS = {
    "saved-model-builder": "saved_model_builder",
    "simple-save": "simple_save",
    "keras-model": "keras_model",
}

_EAGER_TENSOR = re.compile(r"tf\.Tensor\((.*?), shape=\([^)]*\), dtype=\w+\)", re.S)
_OBJECT = re.compile(r"<([\w.]+)\.(\w+) object at 0x[0-9a-fA-F]+>")


def cell_paths() -> list[Path]:
    return _guide_cells.cell_paths(CELLS_DIR)


def normalize(stdout: str) -> str:
    """Printed values without their type wrapper: an eager tensor prints as its numpy value (in
    savedmodel eager values are numpy arrays) and an object repr as `<Class object>`."""
    stdout = _EAGER_TENSOR.sub(r"\1", stdout)
    return _OBJECT.sub(r"<\2 object>", stdout)


def run_cells(flavor: str, workdir: Path) -> dict[str, dict[str, Any]]:
    """Run every TF2 cell with `flavor`'s imports in `workdir`; {cell name: {stdout, value}}."""
    return _guide_cells.run_cells(flavor, workdir, CELLS_DIR, COPIED_MODELS)
