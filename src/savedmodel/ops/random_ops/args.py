"""Argument checks shared by the random kernels: output shapes, integer bounds, sizes."""

from __future__ import annotations

import math

import numpy as np

from savedmodel.errors import InvalidArgumentError
from savedmodel.ops._common import check_allocation, shape_str


def output_shape(shape: np.ndarray, dtype: np.dtype, op: str) -> tuple[int, ...]:
    """The output shape given by a `shape` input (a vector of int32/int64)."""
    if shape.ndim != 1:
        raise InvalidArgumentError(
            f"shape must be a vector of {{int32,int64}}, got shape {shape_str(shape.shape)}"
        )
    dims = tuple(int(d) for d in shape.tolist())
    for d in dims:
        if d < 0:
            raise InvalidArgumentError(f"Dimension {d} must be >= 0")
    check_allocation(dims, dtype, op)
    return dims


def size(dims: tuple[int, ...]) -> int:
    return math.prod(dims)


def bound(value: np.ndarray, what: str) -> int:
    if value.ndim != 0:
        raise InvalidArgumentError(f"{what} must be 0-D, got shape {shape_str(value.shape)}")
    return int(value)


def int_range(minval: np.ndarray, maxval: np.ndarray, n: int) -> tuple[int, int]:
    """[lo, hi) of a uniform-integer op; an empty output needs no valid range."""
    lo, hi = bound(minval, "minval"), bound(maxval, "maxval")
    if n and lo >= hi:
        raise InvalidArgumentError(f"Need minval < maxval, got {lo} >= {hi}")
    return lo, hi
