"""Helpers shared by the numpy kernel families.

Kernels must hand back real `np.ndarray`s (0-d for scalars) of exactly TensorFlow's output dtype;
numpy ufuncs return numpy scalar objects for 0-d operands, so results pass through `array()`.
Index-like inputs (axes, shapes, sizes) are read with the checks TensorFlow's kernels make, raising
`InvalidArgumentError` with TensorFlow's wording where it matters.
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Sequence

import ml_dtypes
import numpy as np

from savedmodel.errors import InvalidArgumentError, ResourceExhaustedError

BFLOAT16 = np.dtype(ml_dtypes.bfloat16)
FLOAT16 = np.dtype(np.float16)
FLOAT32 = np.dtype(np.float32)
FLOAT64 = np.dtype(np.float64)
INT32 = np.dtype(np.int32)
INT64 = np.dtype(np.int64)
BOOL = np.dtype(np.bool_)
OBJECT = np.dtype(object)

# Narrow floats that TensorFlow computes through float32 (Eigen::half, bfloat16).
LOW_FLOATS = frozenset({FLOAT16, BFLOAT16})


def array(value: object) -> np.ndarray:
    """`value` as an ndarray: numpy scalars become 0-d arrays (their dtype kept)."""
    return value if type(value) is np.ndarray else np.asarray(value)


def is_floating(dtype: np.dtype) -> bool:
    """float16/32/64 and bfloat16 (ml_dtypes floats have numpy kind 'V')."""
    return dtype.kind == "f" or dtype == BFLOAT16


def is_integer(dtype: np.dtype) -> bool:
    return dtype.kind in "iu"


def text(value: str | bytes) -> str:
    """A string attr (decoded to str by the executor; bytes tolerated)."""
    return value.decode("utf-8", "surrogateescape") if isinstance(value, bytes) else value


def shape_str(shape: Sequence[int]) -> str:
    return "[" + ",".join(str(d) for d in shape) + "]"


def compute_dtype(dtype: np.dtype) -> np.dtype:
    """The dtype TensorFlow's CPU kernels compute a float op in: float32 for half/bfloat16."""
    return FLOAT32 if dtype in LOW_FLOATS else dtype


def scalar(value: np.ndarray, what: str) -> int:
    """An integer scalar input (TF also accepts a 1-element vector for a few of these)."""
    if value.ndim != 0 and value.size != 1:
        raise InvalidArgumentError(f"{what} must be a scalar, got shape {shape_str(value.shape)}")
    return int(value.reshape(()))


def vector(value: np.ndarray, what: str) -> list[int]:
    """An integer vector input as a list of Python ints."""
    if value.ndim != 1:
        raise InvalidArgumentError(f"{what} must be a vector, got shape {shape_str(value.shape)}")
    return value.tolist()


def axis(value: int, rank: int, what: str = "axis") -> int:
    """A single axis normalised into [0, rank) (TF accepts [-rank, rank))."""
    if not -rank <= value < rank:
        raise InvalidArgumentError(
            f"Expected {what} in the range [{-rank}, {rank}), but got {value}"
        )
    return value + rank if value < 0 else value


def reduction_axes(indices: np.ndarray, rank: int) -> tuple[int, ...]:
    """Reduction indices (scalar or vector) normalised, with TF's range and duplicate checks."""
    result = []
    for a in np.ravel(indices).tolist():
        if not -rank <= a < rank:
            raise InvalidArgumentError(
                f"Invalid reduction dimension ({a} for input with {rank} dimension(s)"
            )
        a = a + rank if a < 0 else a
        if a in result:
            raise InvalidArgumentError(
                f"Invalid reduction arguments: Axes contains duplicate dimension: {a}"
            )
        result.append(a)
    return tuple(result)


def broadcast_shape(*shapes: Sequence[int]) -> tuple[int, ...]:
    """The broadcast of shapes, with TF's "Incompatible shapes" error."""
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        listed = " vs. ".join(shape_str(s) for s in shapes)
        raise InvalidArgumentError(f"Incompatible shapes: {listed}") from None


@functools.cache
def _memory_bytes() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # not a POSIX system: no cheap answer
        return 1 << 62


def check_allocation(shape: Sequence[int], dtype: np.dtype, what: str) -> None:
    """Refuse an output whose shape (taken from a tensor's values) cannot fit in memory.

    A shape read from data (Fill's dims, a resize target, Tile's multiples...) could ask for
    terabytes; numpy might then reserve it lazily and the process die later when touching it.
    TensorFlow fails such an allocation with ResourceExhausted, and so do we, up front.
    """
    if any(d < 0 for d in shape):
        raise InvalidArgumentError(f"{what}: negative dimension in {shape_str(shape)}")
    itemsize = 8 if dtype == OBJECT else dtype.itemsize
    nbytes = math.prod(shape) * itemsize
    if nbytes > _memory_bytes():
        raise ResourceExhaustedError(
            f"OOM when allocating tensor with shape {shape_str(shape)} and type {dtype.name}"
            f" ({nbytes} bytes) for {what}"
        )
