"""Reductions (Sum, Mean, Prod, Max, Min, All, Any, ArgMax, ArgMin, EuclideanNorm) and scans.

Axes arrive as a tensor (scalar or vector, negative allowed, duplicates an error). Integer sums
wrap in the input dtype as TensorFlow's do; an integer Mean accumulates wider and truncates toward
zero; Max/Min of an empty set give the identity (-inf / lowest, +inf / highest); ArgMax/ArgMin
skip NaN (an all-NaN row answers 0) and pick the first of equal values. float16/bfloat16 sums
are accumulated in float32 (TensorFlow accumulates in another order: they agree only to rounding).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from savedmodel.errors import InvalidArgumentError
from savedmodel.ops._common import (
    LOW_FLOATS,
    array,
    axis,
    compute_dtype,
    is_floating,
    reduction_axes,
    scalar,
    shape_str,
)
from savedmodel.ops.registry import register


def _reducer(fn: Callable[[np.ndarray, tuple[int, ...], bool], np.ndarray]) -> Callable:
    def kernel(input: np.ndarray, reduction_indices: np.ndarray, *, keep_dims: bool = False):  # noqa: A002
        axes = reduction_axes(reduction_indices, input.ndim)
        return array(fn(input, axes, keep_dims))

    kernel.__name__ = kernel.__qualname__ = fn.__name__.lstrip("_")
    return kernel


def _sum(x: np.ndarray, axes: tuple[int, ...], keep: bool) -> np.ndarray:
    acc = compute_dtype(x.dtype)
    return np.sum(x, axis=axes, dtype=acc, keepdims=keep).astype(x.dtype, copy=False)


def _prod(x: np.ndarray, axes: tuple[int, ...], keep: bool) -> np.ndarray:
    acc = compute_dtype(x.dtype)
    return np.prod(x, axis=axes, dtype=acc, keepdims=keep).astype(x.dtype, copy=False)


def _mean(x: np.ndarray, axes: tuple[int, ...], keep: bool) -> np.ndarray:
    count = 1
    for a in axes:
        count *= x.shape[a]
    if x.dtype.kind in "iu":
        # NOTE: TF's integer Mean sums without overflowing the input type and truncates.
        wide = np.int64 if x.dtype.kind == "i" else np.uint64
        total = np.sum(x, axis=axes, dtype=wide, keepdims=keep)
        if count == 0:
            return np.zeros_like(total, dtype=x.dtype)
        q = total // count
        if x.dtype.kind == "i":
            q += (total % count != 0) & (total < 0)
        return q.astype(x.dtype)
    acc = compute_dtype(x.dtype)
    total = np.sum(x, axis=axes, dtype=acc, keepdims=keep)
    return (total / acc.type(count)).astype(x.dtype, copy=False)


def _extreme(numpy_fn: Callable, float_identity: float, int_identity: str) -> Callable:
    def reduce(x: np.ndarray, axes: tuple[int, ...], keep: bool) -> np.ndarray:
        if is_floating(x.dtype):
            initial = float_identity
        elif x.dtype.kind in "iu":
            initial = getattr(np.iinfo(x.dtype), int_identity)
        else:
            initial = np.bool_(int_identity == "min")
        return numpy_fn(x, axis=axes, keepdims=keep, initial=initial)

    return reduce


def _max(x: np.ndarray, axes: tuple[int, ...], keep: bool) -> np.ndarray:
    return _extreme(np.max, -np.inf, "min")(x, axes, keep)


def _min(x: np.ndarray, axes: tuple[int, ...], keep: bool) -> np.ndarray:
    return _extreme(np.min, np.inf, "max")(x, axes, keep)


def _all(x: np.ndarray, axes: tuple[int, ...], keep: bool) -> np.ndarray:
    return np.all(x, axis=axes, keepdims=keep)


def _any(x: np.ndarray, axes: tuple[int, ...], keep: bool) -> np.ndarray:
    return np.any(x, axis=axes, keepdims=keep)


def _euclidean_norm(x: np.ndarray, axes: tuple[int, ...], keep: bool) -> np.ndarray:
    acc = compute_dtype(x.dtype)
    if x.dtype.kind == "c":
        squares = (x * np.conjugate(x)).real
        return np.sqrt(np.sum(squares, axis=axes, keepdims=keep)).astype(x.dtype)
    total = np.sum(np.square(x.astype(acc, copy=False)), axis=axes, keepdims=keep)
    if x.dtype.kind in "iu":
        return np.sqrt(total).astype(x.dtype)
    return np.sqrt(total).astype(x.dtype, copy=False)


for _name, _fn in (
    ("Sum", _sum),
    ("Prod", _prod),
    ("Mean", _mean),
    ("Max", _max),
    ("Min", _min),
    ("All", _all),
    ("Any", _any),
    ("EuclideanNorm", _euclidean_norm),
):
    register(_name, _reducer(_fn))


def _arg_extreme(numpy_fn: Callable, nan_fill: float, name: str) -> Callable:
    def kernel(input: np.ndarray, dimension: np.ndarray, *, output_type: np.dtype) -> np.ndarray:  # noqa: A002
        if input.ndim == 0:
            raise InvalidArgumentError(
                f"Expected dimension in the range [0, 0), but got {int(dimension)}"
            )
        a = axis(scalar(dimension, "dimension"), input.ndim, "dimension")
        if input.shape[a] == 0:
            raise InvalidArgumentError(
                f"Reduction axis {a} is empty in shape {shape_str(input.shape)}"
            )
        x = input
        if is_floating(x.dtype):
            # NOTE: TF's comparisons never pick a NaN; with all-NaN it stays at index 0.
            x = np.where(np.isnan(x), x.dtype.type(nan_fill), x)
        return array(numpy_fn(x, axis=a).astype(output_type))

    kernel.__name__ = kernel.__qualname__ = name
    return kernel


register("ArgMax", _arg_extreme(np.argmax, -np.inf, "arg_max"))
register("ArgMin", _arg_extreme(np.argmin, np.inf, "arg_min"))


def _scan(numpy_fn: Callable, identity: int, name: str) -> Callable:
    def kernel(
        x: np.ndarray, axis_: np.ndarray, *, exclusive: bool = False, reverse: bool = False
    ) -> np.ndarray:
        if x.ndim == 0:
            raise InvalidArgumentError("ScanOp: input must be at least 1-D")
        a = axis(scalar(axis_, "axis"), x.ndim)
        acc = compute_dtype(x.dtype) if x.dtype in LOW_FLOATS else x.dtype
        src = np.flip(x, a) if reverse else x
        if exclusive:
            pad = [(0, 0)] * x.ndim
            pad[a] = (1, 0)
            src = np.pad(src, pad, constant_values=identity)
            src = np.delete(src, -1, axis=a)
        out = numpy_fn(src, axis=a, dtype=acc).astype(x.dtype, copy=False)
        return array(np.flip(out, a) if reverse else out)

    kernel.__name__ = kernel.__qualname__ = name
    return kernel


register("Cumsum", _scan(np.cumsum, 0, "cumsum"))
register("Cumprod", _scan(np.cumprod, 1, "cumprod"))
