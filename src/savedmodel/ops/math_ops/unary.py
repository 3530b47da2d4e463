"""Element-wise unary math kernels (one table row per op).

numpy's float16 and ml_dtypes' bfloat16 ufuncs compute through float32 and round once, as
TensorFlow's Eigen::half / bfloat16 kernels do. Ops numpy lacks (sigmoid, rsqrt, erf) compute in
float32 for the narrow floats (float64 for erf) and round back.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from savedmodel.ops._common import BFLOAT16, FLOAT32, FLOAT64, array, compute_dtype
from savedmodel.ops.math_ops.special import erf, erfc
from savedmodel.ops.registry import register


def _sigmoid(x: np.ndarray) -> np.ndarray:
    t = np.negative(x, dtype=compute_dtype(x.dtype))
    np.exp(t, out=t)
    t += 1
    np.reciprocal(t, out=t)
    return t.astype(x.dtype, copy=False)


def _rsqrt(x: np.ndarray) -> np.ndarray:
    if x.dtype.kind == "c":
        return np.reciprocal(np.sqrt(x))
    t = np.sqrt(x, dtype=compute_dtype(x.dtype))
    np.reciprocal(t, out=t)
    return t.astype(x.dtype, copy=False)


def _erf(x: np.ndarray) -> np.ndarray:
    if x.dtype == FLOAT64:
        # NOTE: TensorFlow's float64 Erf (Eigen's double erf) answers NaN for +-inf.
        return np.where(np.isinf(x), np.nan, erf(x))
    return erf(x.astype(FLOAT64)).astype(x.dtype)


def _erfc(x: np.ndarray) -> np.ndarray:
    return erfc(x.astype(FLOAT64)).astype(x.dtype, copy=False)


def _round(x: np.ndarray) -> np.ndarray:
    if x.dtype.kind in "iu":
        # NOTE: TensorFlow's Round kernel on integer tensors returns zeros (tf.math.round never
        # reaches it: it returns integer inputs unchanged before building the op).
        return np.zeros_like(x)
    return np.rint(x)


def _sign(x: np.ndarray) -> np.ndarray:
    # np.sign gives +0 for -0, as TensorFlow does (ml_dtypes' bfloat16 sign keeps -0, so go
    # through float32); complex sign is x / |x| in numpy >= 2, as in TensorFlow.
    if x.dtype == BFLOAT16:
        return np.sign(x.astype(FLOAT32)).astype(BFLOAT16)
    return np.sign(x)


def _reciprocal(x: np.ndarray) -> np.ndarray:
    if x.dtype.kind in "iu":
        # Integer reciprocal truncates (1 / x in C++); TF has no CPU kernel, but XLA/GPU agree.
        return np.floor_divide(np.ones_like(x), x)
    return np.reciprocal(x)


_TABLE: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "Neg": np.negative,
    "Abs": np.absolute,
    "Sign": _sign,
    "Square": np.square,
    "Sqrt": np.sqrt,
    "Rsqrt": _rsqrt,
    "Reciprocal": _reciprocal,
    "Inv": _reciprocal,
    "Exp": np.exp,
    "Expm1": np.expm1,
    "Log": np.log,
    "Log1p": np.log1p,
    "Sin": np.sin,
    "Cos": np.cos,
    "Tan": np.tan,
    "Asin": np.arcsin,
    "Acos": np.arccos,
    "Atan": np.arctan,
    "Sinh": np.sinh,
    "Cosh": np.cosh,
    "Tanh": np.tanh,
    "Asinh": np.arcsinh,
    "Acosh": np.arccosh,
    "Atanh": np.arctanh,
    "Sigmoid": _sigmoid,
    "Erf": _erf,
    "Erfc": _erfc,
    "Floor": np.floor,
    "Ceil": np.ceil,
    "Rint": np.rint,
    "Round": _round,
    "IsNan": np.isnan,
    "IsInf": np.isinf,
    "IsFinite": np.isfinite,
    "LogicalNot": np.logical_not,
    "Invert": np.invert,
    "Conj": np.conjugate,
}


# No np.errstate here: plan runs (and eager calls) silence numpy's warnings once for the whole
# run, and a per-call errstate costs a few microseconds, which adds up in RNN loops.
def _make(fn: Callable[[np.ndarray], np.ndarray]) -> Callable[[np.ndarray], np.ndarray]:
    def kernel(x: np.ndarray) -> np.ndarray:
        return array(fn(x))

    kernel.__name__ = kernel.__qualname__ = getattr(fn, "__name__", "unary").lstrip("_")
    return kernel


for _name, _fn in _TABLE.items():
    register(_name, _make(_fn))


def _with_tout(fn: Callable[[np.ndarray], np.ndarray]) -> Callable[..., np.ndarray]:
    # Real, Imag, ComplexAbs: complex in, real out of the attr `Tout`.
    def kernel(x: np.ndarray, *, Tout: np.dtype) -> np.ndarray:  # noqa: N803 (OpDef name)
        return array(fn(x).astype(Tout, copy=False))

    return kernel


register("Real", _with_tout(np.real))
register("Imag", _with_tout(np.imag))
register("ComplexAbs", _with_tout(np.absolute))
