"""array_ops kernels against TensorFlow's own outputs (tests/fixtures/op_cases/array_ops.*).

Every case must match exactly: these kernels only move, select or fill values (Range and LinSpace
compute start + i * delta in the output dtype, as TensorFlow does).
"""

from __future__ import annotations

import pytest
from op_cases import load, run

import savedmodel.ops.array_ops  # noqa: F401  (registers the family)

TOLERANCES: dict = {}

CASES = load("array_ops")


@pytest.mark.parametrize("case", CASES)
def test_array_op_matches_tensorflow(case):
    run(case, TOLERANCES)
