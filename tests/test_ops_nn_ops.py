"""nn_ops kernels against TensorFlow's own outputs (tests/fixtures/op_cases/nn_ops.*).

Exact unless listed here. Activations built on exp/log get a few ulp (Eigen's and numpy's
elementary functions differ in the last bits); Softmax/LogSoftmax add a sum. Convolutions and
average pooling accumulate many products in an order that differs from TensorFlow's (BLAS vs
Eigen's contraction), so they get a tolerance relative to the output's magnitude; float16/bfloat16
ones are computed in float32 and rounded once here. The same goes for the cross-entropy losses and
LRN (sums of exponentials / squares).
"""

from __future__ import annotations

import pytest
from op_cases import load, run

import savedmodel.ops.nn_ops  # noqa: F401  (registers the family)

ULP4 = ("ulp", 4)
# exp(x) - 1 near 0 cancels: TF's and numpy's exp differ by an ulp of 1, not of the result.
NORM = ("rel", 1e-6)
SUM = {
    "float32": ("rel", 2e-6),
    "float64": ("rel", 1e-14),
    "float16": ("rel", 2e-3),
    "bfloat16": ("rel", 2e-2),
    "int32": None,
}
TOLERANCES = {
    **{op: ULP4 for op in ["Softplus", "Softsign", "Softmax"]},
    # Losses: a log of a sum, and softmax - labels (absolute errors around ulp(1)).
    "SoftmaxCrossEntropyWithLogits": {"float32": NORM, "float64": ("rel", 1e-14)},
    "SparseSoftmaxCrossEntropyWithLogits": {"float32": NORM, "float16": ("rel", 2e-3)},
    # LRN: a windowed sum of squares raised to a power.
    "LRN": NORM,
    **{
        op: {"float32": NORM, "float64": ("rel", 1e-15), "float16": ULP4, "bfloat16": ULP4}
        for op in ["Elu", "Selu", "LogSoftmax"]
    },
    **{
        op: SUM
        for op in [
            "Conv2D",
            "Conv3D",
            "DepthwiseConv2dNative",
            "Conv2DBackpropInput",
            "Conv3DBackpropInputV2",
            "AvgPool",
            "AvgPool3D",
            "FusedBatchNorm",
            "FusedBatchNormV2",
            "FusedBatchNormV3",
            "L2Loss",
        ]
    },
}

CASES = load("nn_ops")


@pytest.mark.parametrize("case", CASES)
def test_nn_op_matches_tensorflow(case):
    run(case, TOLERANCES)
