"""sparse_ops kernels against TensorFlow's own outputs (tests/fixtures/op_cases/sparse_ops.*).
Every case must match exactly."""

from __future__ import annotations

import pytest
from op_cases import load, run

import savedmodel.ops.sparse_ops  # noqa: F401  (registers the family)

TOLERANCES: dict = {}

CASES = load("sparse_ops")


@pytest.mark.parametrize("case", CASES)
def test_sparse_op_matches_tensorflow(case):
    run(case, TOLERANCES)
