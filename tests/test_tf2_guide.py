"""The seed guide's TF2 cells, run with savedmodel, print what TensorFlow printed.

Cells: tests/fixtures/tf2_guide/cells (the guide's code, imports swapped); TensorFlow's output:
tests/fixtures/tf2_guide/expected.json (tools/fixtures/make_tf2_guide.py). Printed values are
compared after `_tf2_guide.normalize`: an eager tensor prints as its value (savedmodel's eager
values are numpy arrays), an object repr without its module path and address.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from _tf2_guide import GUIDE_DIR, cell_paths, normalize, run_cells

EXPECTED = json.loads((GUIDE_DIR / "expected.json").read_text())["cells"]


@pytest.fixture(scope="module")
def guide_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    workdir = tmp_path_factory.mktemp("guide2")
    return workdir, run_cells("savedmodel", workdir)


@pytest.mark.parametrize("cell", [p.stem for p in cell_paths()])
def test_cell_prints_what_tensorflow_printed(guide_run: tuple[Path, dict], cell: str) -> None:
    _, results = guide_run
    assert normalize(results[cell]["stdout"]) == normalize(EXPECTED[cell]["stdout"])


def test_normalize_keeps_values() -> None:
    text = "out tf.Tensor(7.0, shape=(), dtype=float32) <a.b.RestoredFunction object at 0x7f1>"
    assert normalize(text) == "out 7.0 <RestoredFunction object>"
    assert normalize("tf.Tensor(\n[1 2], shape=(2,), dtype=int32)") == "\n[1 2]"


def test_tf2_save_layout(guide_run: tuple[Path, dict]) -> None:
    workdir, _ = guide_run
    export = workdir / "tf2-save"
    assert sorted(p.name for p in export.iterdir()) == [
        "assets", "fingerprint.pb", "saved_model.pb", "variables",
    ]  # fmt: skip
    assert sorted(p.name for p in (export / "variables").iterdir()) == [
        "variables.data-00000-of-00001", "variables.index",
    ]  # fmt: skip


@pytest.mark.interop
def test_tensorflow_runs_the_guides_tf2_save_written_by_savedmodel(
    guide_run: tuple[Path, dict],
) -> None:
    tf = pytest.importorskip("tensorflow")
    workdir, _ = guide_run
    loaded = tf.saved_model.load(str(workdir / "tf2-save"))
    assert loaded(5.0).numpy() == np.float32(7.0)
    out = loaded.signatures["serving_default"](tf.constant(5.0))["output"]
    assert out.numpy() == np.float32(7.0)
