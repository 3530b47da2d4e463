"""nn_ops kernels against TensorFlow's own outputs (tests/fixtures/op_cases/nn_ops.*).

Exact unless listed here. Activations built on exp/log get a few ulp (Eigen's and numpy's
elementary functions differ in the last bits). Softmax and LogSoftmax are exact: their kernels
reproduce Eigen's evaluation (see savedmodel.ops._eigen). Convolutions and
average pooling accumulate many products in an order that differs from TensorFlow's (BLAS vs
Eigen's contraction), so they get a tolerance relative to the output's magnitude; float16/bfloat16
ones are computed in float32 and rounded once here. The same goes for the cross-entropy losses and
LRN (sums of exponentials / squares).
"""

from __future__ import annotations

import ml_dtypes
import numpy as np
import pytest
from op_cases import assert_same, load, run

import savedmodel.ops.nn_ops  # noqa: F401  (registers the family)
from savedmodel.ops import registry
from savedmodel.ops.nn_ops import conv

# Kernels run here outside an executor, whose one np.errstate per run silences numpy's
# overflow / invalid-value warnings (kernels follow TF: inf and NaN results, no warning).
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

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
    **{op: ULP4 for op in ["Softplus", "Softsign"]},
    # Losses: a log of a sum, and softmax - labels (absolute errors around ulp(1)).
    "SoftmaxCrossEntropyWithLogits": {"float32": NORM, "float64": ("rel", 1e-14)},
    "SparseSoftmaxCrossEntropyWithLogits": {"float32": NORM, "float16": ("rel", 2e-3)},
    # LRN: a windowed sum of squares raised to a power.
    "LRN": NORM,
    **{
        op: {"float32": NORM, "float64": ("rel", 1e-15), "float16": ULP4, "bfloat16": ULP4}
        for op in ["Elu", "Selu"]
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


BLOCKED_OPS = {"Conv2D", "Conv3D", "DepthwiseConv2dNative"}


@pytest.mark.parametrize("case", [c for c in CASES if c.values[0]["op"] in BLOCKED_OPS])
def test_convolutions_in_tiny_blocks_match_tensorflow(case, monkeypatch):
    # The table's inputs fit one block; tiny blocks run every block boundary of the same cases.
    monkeypatch.setattr(conv, "_PATCH_BLOCK", 40)
    monkeypatch.setattr(conv, "_DEPTHWISE_BLOCK", 5)
    run(case, TOLERANCES)


# -- live against TensorFlow: Softmax/LogSoftmax bit for bit on shapes the table cannot hold ---

SOFTMAX_SHAPES = [
    (9, 9), (17, 33), (75, 99), (100, 257), (3, 7000), (1, 8193), (2, 4097), (1, 16400),
    (700, 10), (6956, 1), (3478, 2),
]  # fmt: skip


@pytest.mark.interop
@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16", "float64"])
@pytest.mark.parametrize("op", ["Softmax", "LogSoftmax"])
def test_softmax_matches_tensorflow_bit_for_bit(op, dtype):
    tf = pytest.importorskip("tensorflow")
    kernel = registry.lookup(op).fn
    rng = np.random.default_rng(7)
    np_dtype = np.dtype(ml_dtypes.bfloat16) if dtype == "bfloat16" else np.dtype(dtype)
    for shape in SOFTMAX_SHAPES:
        x = (rng.standard_normal(shape) * 4).astype(np_dtype)
        expected = getattr(tf.raw_ops, op)(logits=x).numpy()
        assert_same(kernel(x), expected, None, where=f"{op} {dtype} {shape}")
