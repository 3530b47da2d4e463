"""math_ops kernels against TensorFlow's own outputs (tests/fixtures/op_cases/math_ops.*).

Exact unless listed here. Transcendental functions get a few ulp: TensorFlow evaluates them with
Eigen's polynomial approximations, numpy with its own (float32: both within ~2 ulp of the truth).
Sums and products of many terms get a tolerance relative to the output's magnitude: the order of
accumulation differs (Eigen's tree/vectorised order vs numpy's pairwise summation and BLAS), and
float16/bfloat16 ones accumulate in float32 here where TensorFlow rounds partial sums.
"""

from __future__ import annotations

import pytest
from op_cases import load, run

import savedmodel.ops.math_ops  # noqa: F401  (registers the family)

# Kernels run here outside an executor, whose one np.errstate per run silences numpy's
# overflow / invalid-value warnings (kernels follow TF: inf and NaN results, no warning).
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

ULP4 = ("ulp", 4)
SUM = {
    "float32": ("rel", 1e-6),
    "float64": ("rel", 1e-14),
    "float16": ("rel", 1e-2),
    "bfloat16": ("rel", 2e-2),
    "complex64": ("rel", 1e-6),
}
TOLERANCES = {
    **{
        op: ULP4
        for op in [
            "Exp",
            "Expm1",
            "Log",
            "Log1p",
            "Tanh",
            "Sigmoid",
            "Erf",
            "Sin",
            "Cos",
            "Tan",
            "Asin",
            "Acos",
            "Atan",
            "Sinh",
            "Cosh",
            "Asinh",
            "Acosh",
            "Atanh",
            "Rsqrt",
            "Atan2",
            "Xlogy",
            "Xlog1py",
            "ComplexAbs",
            "Sqrt",
            "Reciprocal",
            "Inv",
        ]
    },
    # float64 erfc: ours is within ~40 ulp of the true value in [1, 6], so is TF's.
    "Erfc": {"float32": ULP4, "float64": ("ulp", 64), "float16": ULP4, "bfloat16": ULP4},
    # Complex pow is exp(y * log(x)) in TensorFlow: errors relative to |result|, not per part.
    "Pow": {
        "float32": ULP4,
        "float64": ULP4,
        "float16": ULP4,
        "bfloat16": ULP4,
        "complex64": ("rel", 1e-6),
    },
    **{
        op: SUM
        for op in [
            "Sum",
            "Mean",
            "Prod",
            "EuclideanNorm",
            "MatMul",
            "BatchMatMul",
            "BatchMatMulV2",
            "BatchMatMulV3",
            "Einsum",
            "Cumsum",
            "Cumprod",
        ]
    },
}

CASES = load("math_ops")


@pytest.mark.parametrize("case", CASES)
def test_math_op_matches_tensorflow(case):
    run(case, TOLERANCES)
