"""Function arguments as tensors: what counts as a tensor, its spec, and TF-style conversion.

Eager values are numpy arrays; variables and symbolic graph tensors are tensors too. Python values
(int, float, str, lists of them) are not tensors: a traced function bakes them in, and a
concrete function converts them only where its signature expects a tensor.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from savedmodel import dtypes
from savedmodel.errors import InvalidArgumentError
from savedmodel.formats.nested_structure import TensorSpec
from savedmodel.framework import constant_op
from savedmodel.framework.operation import Tensor
from savedmodel.framework.tensor_shape import TensorShape
from savedmodel.framework.variables import Variable

_OBJECT = np.dtype(object)


def is_tensor_like(value: Any) -> bool:
    return isinstance(value, (np.ndarray, np.generic, Tensor, Variable))


def spec_of(value: Any, name: str | None = None) -> TensorSpec:
    """The TensorSpec of a tensor-like value (its static shape for graph tensors/variables)."""
    if isinstance(value, (Tensor, Variable)):
        return TensorSpec(TensorShape(value.shape), value.dtype.base_dtype, name)
    arr = np.asarray(value)
    return TensorSpec(TensorShape(arr.shape), constant_op.eager_dtype(arr), name)


def to_array(value: Any, dtype_hint: Any = None) -> np.ndarray:
    """`tf.convert_to_tensor(value, dtype_hint=...)` for eager values: a numpy array."""
    if isinstance(value, Variable):
        return np.asarray(value.numpy())
    if isinstance(value, (np.ndarray, np.generic)):
        return constant_op.to_numpy(value)
    if dtype_hint is not None:
        try:
            return constant_op.to_numpy(value, dtype_hint)
        except (TypeError, ValueError):
            pass
    return constant_op.to_numpy(value)


def try_spec_after_conversion(value: Any, dtype_hint: Any) -> TensorSpec | None:
    """The spec `value` gets when converted with a dtype hint; None if it does not convert."""
    if isinstance(value, (Tensor, Variable)):
        return spec_of(value)
    try:
        return spec_of(to_array(value, dtype_hint))
    except (TypeError, ValueError):
        return None


def shape_compatible(spec_shape: Any, shape: Any) -> bool:
    """Whether a concrete/partial `shape` fits the (partial) shape of a spec."""
    want = spec_shape.dims if hasattr(spec_shape, "dims") else spec_shape
    got = shape.dims if hasattr(shape, "dims") else shape
    if want is None or got is None:
        return True
    want, got = tuple(want), tuple(got)
    if len(want) != len(got):
        return False
    return all(w is None or g is None or int(w) == int(g) for w, g in zip(want, got, strict=True))


def as_dtype_array(value: Any, dtype: dtypes.DType, where: str) -> np.ndarray:
    """`value` as an array of `dtype`, converting only where no information is lost."""
    target = np.dtype(dtype.as_numpy_dtype) if dtype != dtypes.string else _OBJECT
    if isinstance(value, Variable):
        value = value.numpy()
    if target == _OBJECT:
        if dtype != dtypes.string:
            return value  # resource / variant values pass through unchanged
        try:
            arr = constant_op.to_numpy(value, dtypes.string)
        except (TypeError, ValueError) as e:
            raise InvalidArgumentError(
                f"{where}: expected dtype string (str or bytes values): {e}"
            ) from None
        return arr
    if isinstance(value, np.ndarray) and value.dtype == target:
        return value
    if not isinstance(value, (np.ndarray, np.generic)):
        try:
            return constant_op.to_numpy(value, dtype)
        except (TypeError, ValueError) as e:
            raise InvalidArgumentError(
                f"{where}: expected dtype {dtype.name}, got a value that cannot be converted: {e}"
            ) from None
    arr = np.asarray(value)
    if arr.dtype == target:
        return arr
    # Only value-preserving conversions: int -> float is fine, float -> int or str -> number not.
    if arr.dtype.kind in "OSUV" or not np.can_cast(arr.dtype, target, casting="same_kind"):
        raise InvalidArgumentError(
            f"{where}: expected dtype {dtype.name}, got {arr.dtype} that cannot be converted"
        )
    out = arr.astype(target)
    if arr.dtype.kind in "iub" and target.kind in "iu" and not np.array_equal(out, arr):
        raise InvalidArgumentError(f"{where}: values out of range for dtype {dtype.name}")
    return out


def check_shape(arr: Any, spec_shape: Any, where: str) -> None:
    """Raise unless `arr`'s shape fits the spec's (partially known) shape."""
    shape = arr.shape if not isinstance(arr, Tensor) else arr.shape.dims
    if shape_compatible(spec_shape, shape):
        return
    want = spec_shape.dims if hasattr(spec_shape, "dims") else spec_shape
    shown = [-1 if d is None else d for d in want]
    got = "unknown" if shape is None else [-1 if d is None else d for d in shape]
    raise InvalidArgumentError(f"{where}: expected shape {shown}, got shape {got}")
