"""parsing_ops kernels against TensorFlow's own outputs (tests/fixtures/op_cases/parsing_ops.*).

The serialized tf.Examples were written by TensorFlow's protobuf classes; every output must match
exactly.
"""

from __future__ import annotations

import pytest
from op_cases import load, run

import savedmodel.ops.parsing_ops  # noqa: F401  (registers the family)

TOLERANCES: dict = {}

CASES = load("parsing_ops")


@pytest.mark.parametrize("case", CASES)
def test_parsing_op_matches_tensorflow(case):
    run(case, TOLERANCES)
