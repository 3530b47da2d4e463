"""Element-wise binary kernels: arithmetic, division family, comparisons, logic, bit ops, select.

Both operands have the same dtype (the OpDef's `T`), so numpy's result dtype is already TF's;
broadcasting follows numpy's rules, which are TensorFlow's, and a mismatch raises TF's
"Incompatible shapes" error. Integer division semantics follow TensorFlow: `Div` truncates,
`FloorDiv`/`FloorMod` floor, and a zero divisor is an error rather than a garbage value.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from savedmodel.errors import InvalidArgumentError, OpError
from savedmodel.ops._common import array, broadcast_shape
from savedmodel.ops.registry import register

Binary = Callable[[np.ndarray, np.ndarray], np.ndarray]


def _check_int_divisor(y: np.ndarray) -> None:
    if y.dtype.kind in "iu" and not y.all():
        raise InvalidArgumentError("Integer division by zero")


def _div(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    if x.dtype.kind in "iu":
        return _truncate_div(x, y)
    return np.true_divide(x, y)


def _truncate_div(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    if x.dtype.kind in "iu":
        _check_int_divisor(y)
        # x - fmod(x, y) is an exact multiple of y and never overflows (it moves towards 0).
        return np.floor_divide(x - np.fmod(x, y), y)
    return np.trunc(np.true_divide(x, y))


def _floor_div(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    if x.dtype.kind in "iu":
        _check_int_divisor(y)
        return np.floor_divide(x, y)
    # NOTE: TF's float FloorDiv is floor(x / y); numpy's floor_divide differs (1 // 0.1 == 9).
    return np.floor(np.true_divide(x, y))


def _floor_mod(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    if x.dtype.kind in "iu":
        _check_int_divisor(y)
        return np.remainder(x, y)
    # NOTE: TF takes fmod and adds y when the signs differ; a zero result keeps x's sign
    # (numpy's remainder gives zeros y's sign instead).
    r = np.fmod(x, y)
    fix = (r != 0) & ((y < 0) != (r < 0))
    return np.where(fix, r + y, r)


def _truncate_mod(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    _check_int_divisor(y)
    return np.fmod(x, y)


def _maximum(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    if x.dtype.kind in "iub":
        return np.maximum(x, y)
    # NOTE: TF propagates NaN from either side and returns x when x == y (so max(-0, 0) is -0).
    return np.where((x < y) | (y != y), y, x)


def _minimum(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    if x.dtype.kind in "iub":
        return np.minimum(x, y)
    return np.where((y < x) | (y != y), y, x)


def _pow(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    if x.dtype.kind in "iu" and (y < 0).any():
        raise InvalidArgumentError("Integers to negative integer powers are not allowed")
    return np.power(x, y)


def _squared_difference(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    d = np.subtract(x, y)
    return d * np.conjugate(d) if d.dtype.kind == "c" else d * d


def _div_no_nan(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    zero = y == 0
    return np.where(zero, np.zeros((), x.dtype), np.true_divide(x, np.where(zero, 1, y)))


def _mul_no_nan(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.where(y == 0, np.zeros((), x.dtype), np.multiply(x, y))


def _xdivy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    # NOTE: TF's Xdivy hands back x itself when x == 0 (so -0 stays -0); Xlogy gives +0.
    return np.where(x == 0, x, np.true_divide(x, y))


def _xlogy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.where(x == 0, np.zeros((), x.dtype), np.multiply(x, np.log(y)))


def _xlog1py(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.where(x == 0, np.zeros((), x.dtype), np.multiply(x, np.log1p(y)))


def _shift(fn: Binary) -> Binary:
    # NOTE: TF clamps the shift amount into [0, bits - 1] instead of leaving it undefined.
    def shift(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        bits = x.dtype.itemsize * 8
        return fn(x, np.clip(y, 0, bits - 1).astype(x.dtype, copy=False))

    return shift


def _add(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    # `Add` (not AddV2) also concatenates strings; object arrays of bytes do that with np.add.
    return np.add(x, y)


_TABLE: dict[str, Binary] = {
    "Add": _add,
    "AddV2": np.add,
    "Sub": np.subtract,
    "Mul": np.multiply,
    "RealDiv": np.true_divide,
    "Div": _div,
    "FloorDiv": _floor_div,
    "FloorMod": _floor_mod,
    "Mod": _truncate_mod,
    "TruncateDiv": _truncate_div,
    "TruncateMod": _truncate_mod,
    "DivNoNan": _div_no_nan,
    "MulNoNan": _mul_no_nan,
    "Xdivy": _xdivy,
    "Xlogy": _xlogy,
    "Xlog1py": _xlog1py,
    "Maximum": _maximum,
    "Minimum": _minimum,
    "Pow": _pow,
    "SquaredDifference": _squared_difference,
    "Atan2": np.arctan2,
    "Less": np.less,
    "LessEqual": np.less_equal,
    "Greater": np.greater,
    "GreaterEqual": np.greater_equal,
    "LogicalAnd": np.logical_and,
    "LogicalOr": np.logical_or,
    "BitwiseAnd": np.bitwise_and,
    "BitwiseOr": np.bitwise_or,
    "BitwiseXor": np.bitwise_xor,
    "LeftShift": _shift(np.left_shift),
    "RightShift": _shift(np.right_shift),
}


def _incompatible(x: np.ndarray, y: np.ndarray) -> InvalidArgumentError:
    try:
        broadcast_shape(x.shape, y.shape)
    except InvalidArgumentError as e:
        return e
    return InvalidArgumentError(f"cannot apply op to shapes {x.shape} and {y.shape}")


# No np.errstate here: plan runs (and eager calls) silence numpy's warnings once (see unary.py).
def _make(fn: Binary) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    def kernel(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        try:
            return array(fn(x, y))
        except ValueError as e:
            if isinstance(e, OpError):
                raise
            raise _incompatible(x, y) from None

    kernel.__name__ = kernel.__qualname__ = getattr(fn, "__name__", "binary").lstrip("_")
    return kernel


for _name, _fn in _TABLE.items():
    register(_name, _make(_fn))


def _equality(fn: Binary, mismatch: bool) -> Callable[..., np.ndarray]:
    def kernel(
        x: np.ndarray, y: np.ndarray, *, incompatible_shape_error: bool = True
    ) -> np.ndarray:
        try:
            np.broadcast_shapes(x.shape, y.shape)
        except ValueError:
            if incompatible_shape_error:
                raise _incompatible(x, y) from None
            # NOTE: with incompatible_shape_error=False, TF answers a scalar: "not all equal".
            return np.array(mismatch)
        result = fn(x, y)
        if x.dtype == object:  # strings: elementwise bytes comparison
            result = np.asarray(result, dtype=bool)
        return array(result)

    return kernel


register("Equal", _equality(np.equal, False))
register("NotEqual", _equality(np.not_equal, True))


def approximate_equal(x: np.ndarray, y: np.ndarray, *, tolerance: float = 1e-5) -> np.ndarray:
    return array(np.abs(np.subtract(x, y)) < tolerance)


register("ApproximateEqual", approximate_equal)


def select(condition: np.ndarray, t: np.ndarray, e: np.ndarray) -> np.ndarray:
    """Select (v1): condition is t's shape, a scalar, or a vector over t's first dimension."""
    if t.shape != e.shape:
        raise InvalidArgumentError(
            f"'then' and 'else' must have the same size.  but received: {t.shape} vs. {e.shape}"
        )
    if condition.shape != t.shape and condition.ndim != 0:
        if condition.ndim != 1 or t.ndim < 1 or condition.shape[0] != t.shape[0]:
            raise InvalidArgumentError(
                "'condition' must be a scalar, a vector matching the first dimension of 'then',"
                f" or have the same shape; condition {condition.shape}, then {t.shape}"
            )
        condition = condition.reshape(condition.shape + (1,) * (t.ndim - 1))
    return array(np.where(condition, t, e))


def select_v2(condition: np.ndarray, t: np.ndarray, e: np.ndarray) -> np.ndarray:
    broadcast_shape(condition.shape, t.shape, e.shape)
    return array(np.where(condition, t, e))


def add_n(inputs: list[np.ndarray]) -> np.ndarray:
    result = inputs[0]
    for value in inputs[1:]:
        if value.shape != result.shape:
            raise InvalidArgumentError(
                f"Inputs to operation AddN must have the same size and shape.  Input 0: "
                f"{list(inputs[0].shape)} != input: {list(value.shape)}"
            )
        result = np.add(result, value)
    return array(result.copy() if result is inputs[0] else result)


def clip_by_value(
    t: np.ndarray, clip_value_min: np.ndarray, clip_value_max: np.ndarray
) -> np.ndarray:
    for bound, name in ((clip_value_min, "clip_value_min"), (clip_value_max, "clip_value_max")):
        if bound.ndim != 0 and bound.shape != t.shape:
            raise InvalidArgumentError(
                f"{name} and t must have the same shape, or {name} must be a scalar:"
                f" {list(bound.shape)} vs {list(t.shape)}"
            )
    # TF: min(max(t, lo), hi) with NaN passing through.
    lo = np.where(t < clip_value_min, clip_value_min, t)
    return array(np.where(lo > clip_value_max, clip_value_max, lo))


register("Select", select)
register("SelectV2", select_v2)
register("AddN", add_n)
register("ClipByValue", clip_by_value)
