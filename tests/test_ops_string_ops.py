"""string_ops and logging_ops kernels against TensorFlow's own outputs
(tests/fixtures/op_cases/string_ops.*). Every case must match exactly."""

from __future__ import annotations

import pytest
from op_cases import load, run

import savedmodel.ops.logging_ops  # noqa: F401  (registers the families)
import savedmodel.ops.string_ops  # noqa: F401
from savedmodel import errors
from savedmodel.ops import registry

TOLERANCES: dict = {}

CASES = load("string_ops")


@pytest.mark.parametrize("case", CASES)
def test_string_op_matches_tensorflow(case):
    run(case, TOLERANCES)


ASSERTS = [p for p in CASES if p.values[0]["op"] == "Assert" and p.values[0]["error"]]


@pytest.mark.parametrize("case", ASSERTS)
def test_assert_message_is_tensorflows(case):
    kernel = registry.lookup("Assert")
    with pytest.raises(errors.InvalidArgumentError) as info:
        kernel.fn(*case["inputs"], summarize=case["attrs"]["summarize"])
    assert str(info.value) == case["error"]["message"]
