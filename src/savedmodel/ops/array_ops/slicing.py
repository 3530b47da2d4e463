"""Slice, StridedSlice (every mask) and TensorStridedSliceUpdate.

A StridedSlice spec maps onto a numpy basic index: each spec entry becomes a slice, an integer
(shrink_axis_mask), `None` (new_axis_mask) or `...` (ellipsis_mask), and numpy's clamping of
out-of-range slice bounds is TensorFlow's. What numpy would accept but TensorFlow rejects (a zero
stride, a shrunk index out of range, two ellipses) is checked first.
"""

from __future__ import annotations

import numpy as np

from savedmodel.errors import InvalidArgumentError
from savedmodel.ops._common import array, shape_str, vector
from savedmodel.ops.registry import register


def slice_(input: np.ndarray, begin: np.ndarray, size: np.ndarray) -> np.ndarray:  # noqa: A002
    b = vector(begin, "begin")
    s = vector(size, "size")
    if len(b) != input.ndim or len(s) != input.ndim:
        raise InvalidArgumentError(
            f"Expected begin and size arguments to be 1-D tensors of size {input.ndim}, but got"
            f" shapes {shape_str(begin.shape)} and {shape_str(size.shape)} instead."
        )
    index = []
    for d, (start, length, dim) in enumerate(zip(b, s, input.shape, strict=True)):
        if length == -1:
            length = dim - start
        if not (0 <= start <= dim and 0 <= length <= dim - start):
            raise InvalidArgumentError(
                f"Expected begin[{d}] in [0, {dim}] and size[{d}] in [0, {dim}], but got"
                f" {start} and {length}"
            )
        index.append(slice(start, start + length))
    return input[tuple(index)]


def _strided_index(
    shape: tuple[int, ...],
    begin: np.ndarray,
    end: np.ndarray,
    strides: np.ndarray,
    begin_mask: int,
    end_mask: int,
    ellipsis_mask: int,
    new_axis_mask: int,
    shrink_axis_mask: int,
) -> tuple:
    b, e, s = vector(begin, "begin"), vector(end, "end"), vector(strides, "strides")
    if not len(b) == len(e) == len(s):
        raise InvalidArgumentError(
            f"Expected begin, end, and strides to be 1D equal size tensors, but got shapes"
            f" {shape_str(begin.shape)}, {shape_str(end.shape)}, and {shape_str(strides.shape)}"
        )
    if ellipsis_mask & (ellipsis_mask - 1):
        raise InvalidArgumentError("Multiple ellipses in slice spec not allowed")
    # Which input dimension each spec entry lands on, to check shrunk indices against it.
    n = len(b)
    consumed_after = [0] * (n + 1)
    for i in range(n - 1, -1, -1):
        takes = not (ellipsis_mask >> i & 1 or new_axis_mask >> i & 1)
        consumed_after[i] = consumed_after[i + 1] + takes
    index: list = []
    dim = 0
    for i in range(n):
        bit = 1 << i
        if ellipsis_mask & bit:
            index.append(Ellipsis)
            dim = len(shape) - consumed_after[i + 1]
            continue
        if new_axis_mask & bit:
            index.append(None)
            continue
        if s[i] == 0:
            raise InvalidArgumentError(f"strides[{i}] must be non-zero")
        size = shape[dim] if dim < len(shape) else None
        if size is None:
            raise InvalidArgumentError(
                f"Index out of range using input dim {dim}; input has only {len(shape)} dims"
            )
        if shrink_axis_mask & bit:
            # NOTE: a shrunk entry takes begin[i] even when begin_mask has its bit set.
            start = b[i]
            if s[i] < 0:
                raise InvalidArgumentError("only stride 1 allowed on non-range indexing.")
            if not -size <= start < size:
                raise InvalidArgumentError(f"slice index {start} of dimension {dim} out of bounds.")
            index.append(start)
        else:
            start = None if begin_mask & bit else b[i]
            stop = None if end_mask & bit else e[i]
            index.append(slice(start, stop, s[i]))
        dim += 1
    return tuple(index)


def strided_slice(
    input: np.ndarray,  # noqa: A002
    begin: np.ndarray,
    end: np.ndarray,
    strides: np.ndarray,
    *,
    begin_mask: int = 0,
    end_mask: int = 0,
    ellipsis_mask: int = 0,
    new_axis_mask: int = 0,
    shrink_axis_mask: int = 0,
) -> np.ndarray:
    index = _strided_index(
        input.shape, begin, end, strides,
        begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask,
    )  # fmt: skip
    return array(input[index])


def tensor_strided_slice_update(
    input: np.ndarray,  # noqa: A002
    begin: np.ndarray,
    end: np.ndarray,
    strides: np.ndarray,
    value: np.ndarray,
    *,
    begin_mask: int = 0,
    end_mask: int = 0,
    ellipsis_mask: int = 0,
    new_axis_mask: int = 0,
    shrink_axis_mask: int = 0,
) -> np.ndarray:
    index = _strided_index(
        input.shape, begin, end, strides,
        begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask,
    )  # fmt: skip
    out = input.copy()
    target = out[index]
    if np.shape(target) != value.shape:
        raise InvalidArgumentError(
            f"Expected value shape {shape_str(np.shape(target))}, got {shape_str(value.shape)}"
        )
    out[index] = value
    return out


register("Slice", slice_)
register("StridedSlice", strided_slice)
register("TensorStridedSliceUpdate", tensor_strided_slice_update)
