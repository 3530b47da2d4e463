"""image_ops kernels against TensorFlow's own outputs (tests/fixtures/op_cases/image_ops.*).

Every case must match exactly: the kernels repeat TensorFlow's float32 coordinate and
interpolation arithmetic, bicubic's 1024-phase weight table and summation order included. Only
soft-NMS scores (products of exponentials) get a few ulp.
"""

from __future__ import annotations

import pytest
from op_cases import load, run

import savedmodel.ops.image_ops  # noqa: F401  (registers the family)

TOLERANCES = {"NonMaxSuppressionV5": {"float32": ("ulp", 4)}}

CASES = load("image_ops")


@pytest.mark.parametrize("case", CASES)
def test_image_op_matches_tensorflow(case):
    run(case, TOLERANCES)
