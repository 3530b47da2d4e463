"""The seed guide's TF1 cells, run with savedmodel, print what TensorFlow printed.

Cells: tests/fixtures/tf1_guide/cells (verbatim, imports swapped); TensorFlow's output:
tests/fixtures/tf1_guide/expected.json (tools/fixtures/make_tf1_guide.py). The files the cells
write are also compared byte for byte with the ones TensorFlow 2.21 wrote for the same cells
(tests/fixtures/saved_models, tests/fixtures/metagraph).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from _guide_cells import GUIDE_DIR, SAVED_MODELS, cell_paths, run_cells

FIXTURES = Path(__file__).parent / "fixtures"
EXPECTED = json.loads((GUIDE_DIR / "expected.json").read_text())["cells"]


@pytest.fixture(scope="module")
def guide_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    workdir = tmp_path_factory.mktemp("guide")
    return workdir, run_cells("savedmodel", workdir)


@pytest.mark.parametrize("cell", [p.stem for p in cell_paths()])
def test_cell_prints_what_tensorflow_printed(guide_run: tuple[Path, dict], cell: str) -> None:
    _, results = guide_run
    assert results[cell]["stdout"] == EXPECTED[cell]["stdout"]
    if EXPECTED[cell]["value"] is None:
        assert results[cell]["value"] is None
    else:
        np.testing.assert_allclose(results[cell]["value"], EXPECTED[cell]["value"])


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ("saved-model-builder/saved_model.pb", "saved_models/saved_model_builder/saved_model.pb"),
        ("simple-save/saved_model.pb", "saved_models/simple_save/saved_model.pb"),
        ("multiply.pb", "metagraph/multiply.pb"),
        ("multiply_values.ckpt.meta", "metagraph/multiply_values.ckpt.meta"),
        ("multiply_values.ckpt.index", "metagraph/multiply_values.ckpt.index"),
        (
            "multiply_values.ckpt.data-00000-of-00001",
            "metagraph/multiply_values.ckpt.data-00000-of-00001",
        ),
        ("checkpoint", "metagraph/checkpoint"),
    ],
)
def test_files_are_byte_identical_to_tensorflows(
    guide_run: tuple[Path, dict], ours: str, theirs: str
) -> None:
    workdir, _ = guide_run
    assert (workdir / ours).read_bytes() == (FIXTURES / theirs).read_bytes()


def test_saved_models_have_an_empty_variables_dir(guide_run: tuple[Path, dict]) -> None:
    workdir, _ = guide_run
    for name in ("saved-model-builder", "simple-save"):
        assert sorted(p.name for p in (workdir / name).iterdir()) == ["saved_model.pb", "variables"]
        assert list((workdir / name / "variables").iterdir()) == []
    assert SAVED_MODELS.is_dir()
