"""Segment reductions: Segment*, UnsortedSegment* and SparseSegment* (Sum/Mean/SqrtN/Max/Min/Prod).

Rows of `data` are combined per segment id with unbuffered ufunc.at accumulation, which visits
rows in order (TensorFlow's order too). Sorted variants require non-decreasing, non-negative ids
and size their output by the last id; unsorted ones take num_segments and skip negative ids.
Empty segments give 0 for sums and means, 1 for products, and for Max/Min the dtype's
lowest/highest value (unsorted) or 0 (sorted), as in TensorFlow. Accumulation is in the data's
dtype, as TensorFlow's is.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from savedmodel.errors import InvalidArgumentError
from savedmodel.ops._common import (
    array,
    check_allocation,
    compute_dtype,
    is_floating,
    scalar,
    shape_str,
)
from savedmodel.ops.registry import register

_COMBINE = {"sum": np.add, "prod": np.multiply, "max": np.maximum, "min": np.minimum}


def _identity(kind: str, dtype: np.dtype) -> object:
    if kind in ("sum", "mean", "sqrtn"):
        return 0
    if kind == "prod":
        return 1
    if is_floating(dtype):
        info = np.finfo(compute_dtype(dtype))
    else:
        info = np.iinfo(dtype)
    return info.min if kind == "max" else info.max


def _reduce(
    data: np.ndarray, ids: np.ndarray, rows: np.ndarray | None, n: int, kind: str, empty_zero: bool
) -> np.ndarray:
    """Combine data[rows[i]] (or data[i]) into output row ids[i], for ids in [0, n)."""
    dtype = data.dtype
    # NOTE: TF accumulates segments in the data's own dtype (float16 sums round at each step).
    acc = dtype
    shape = (n, *data.shape[1:])
    check_allocation(shape, dtype, "segment reduction")
    src = data if rows is None else data[rows]
    src = src.astype(acc, copy=False)
    if kind in ("sum", "mean", "sqrtn"):
        out = np.zeros(shape, dtype=acc)
        np.add.at(out, ids, src)
    else:
        out = np.full(shape, _identity(kind, dtype), dtype=acc)
        _COMBINE[kind].at(out, ids, src)
    counts = np.bincount(ids, minlength=n)[:n].reshape((n,) + (1,) * (data.ndim - 1))
    if kind == "mean" and dtype.kind in "iu":
        c = np.maximum(counts, 1).astype(out.dtype)
        q = out // c
        out = q + ((out % c != 0) & (out < 0))  # truncate toward zero, as C++ division does
    elif kind == "mean":
        out = np.where(counts > 0, out / np.maximum(counts, 1).astype(acc), out)
    elif kind == "sqrtn":
        # NOTE: TF scales by the reciprocal square root (sum * (1 / sqrt(n))), in T.
        scale = (np.ones((), acc) / np.sqrt(np.maximum(counts, 1).astype(acc))).astype(acc)
        out = np.where(counts > 0, out * scale, out)
    elif empty_zero and kind in ("max", "min"):
        out = np.where(counts > 0, out, 0)
    return array(out.astype(dtype, copy=False))


def _check_ids(ids: np.ndarray, size: int, what: str) -> None:
    if ids.ndim != 1 or ids.shape[0] != size:
        raise InvalidArgumentError(
            f"{what} should be a vector of the size of the segmented dimension ({size}), got"
            f" shape {shape_str(ids.shape)}"
        )


def _sorted(kind: str) -> Callable:
    def kernel(data: np.ndarray, segment_ids: np.ndarray) -> np.ndarray:
        if data.ndim == 0:
            raise InvalidArgumentError("data must be at least 1-D")
        _check_ids(segment_ids, data.shape[0], "segment_ids")
        ids = segment_ids.astype(np.int64)
        if ids.size and (ids[0] < 0 or (np.diff(ids) < 0).any()):
            raise InvalidArgumentError("segment ids are not increasing or are negative")
        n = int(ids[-1]) + 1 if ids.size else 0
        return _reduce(data, ids, None, n, kind, empty_zero=True)

    kernel.__name__ = kernel.__qualname__ = f"segment_{kind}"
    return kernel


def _unsorted(kind: str) -> Callable:
    def kernel(data: np.ndarray, segment_ids: np.ndarray, num_segments: np.ndarray) -> np.ndarray:
        n = scalar(num_segments, "num_segments")
        if n < 0:
            raise InvalidArgumentError(f"num_segments must be non-negative, got {n}")
        if data.shape[: segment_ids.ndim] != segment_ids.shape:
            raise InvalidArgumentError(
                f"data.shape = {shape_str(data.shape)} does not start with segment_ids.shape ="
                f" {shape_str(segment_ids.shape)}"
            )
        ids = segment_ids.reshape(-1).astype(np.int64)
        flat = data.reshape((ids.size, *data.shape[segment_ids.ndim :]))
        if (ids >= n).any():
            bad = int(ids[ids >= n][0])
            raise InvalidArgumentError(f"segment_ids[...] = {bad} is out of range [0, {n})")
        keep = ids >= 0  # NOTE: negative ids are dropped, not an error
        return _reduce(flat[keep], ids[keep], None, n, kind, empty_zero=False)

    kernel.__name__ = kernel.__qualname__ = f"unsorted_segment_{kind}"
    return kernel


def _sparse(kind: str, with_num_segments: bool) -> Callable:
    def run(data, indices, segment_ids, n_given):
        if indices.ndim != 1:
            raise InvalidArgumentError(
                f"indices should be a vector, got {shape_str(indices.shape)}"
            )
        _check_ids(segment_ids, indices.shape[0], "segment_ids")
        rows = indices.astype(np.int64)
        if rows.size and (rows.min() < 0 or rows.max() >= data.shape[0]):
            bad = int(rows[(rows < 0) | (rows >= data.shape[0])][0])
            raise InvalidArgumentError(
                f"Bad: indices[...] == {bad} out of range [0, {data.shape[0]})"
            )
        ids = segment_ids.astype(np.int64)
        if ids.size and (ids[0] < 0 or (np.diff(ids) < 0).any()):
            raise InvalidArgumentError("segment ids are not increasing")
        n = n_given if n_given is not None else (int(ids[-1]) + 1 if ids.size else 0)
        if ids.size and ids[-1] >= n:
            raise InvalidArgumentError(f"segment ids must be < num_segments {n}")
        return _reduce(data, ids, rows, n, kind, empty_zero=True)

    if with_num_segments:

        def kernel(data, indices, segment_ids, num_segments, *, sparse_gradient: bool = False):
            return run(data, indices, segment_ids, scalar(num_segments, "num_segments"))
    else:

        def kernel(data, indices, segment_ids, *, sparse_gradient: bool = False):
            return run(data, indices, segment_ids, None)

    kernel.__name__ = kernel.__qualname__ = f"sparse_segment_{kind}"
    return kernel


def _bincount(values: np.ndarray, n: int, weights: np.ndarray, binary: bool) -> np.ndarray:
    if n < 0:
        raise InvalidArgumentError(f"size ({n}) must be non-negative")
    if values.size and values.min() < 0:
        raise InvalidArgumentError("Input arr must be non-negative!")
    check_allocation((n,), weights.dtype, "Bincount")
    keep = values < n  # NOTE: values >= size are ignored
    if weights.size == 0 or binary:
        counts = np.bincount(values[keep].astype(np.int64), minlength=n)[:n]
        out = (counts > 0) if binary else counts
        return out.astype(weights.dtype)
    out = np.zeros(n, dtype=weights.dtype)
    np.add.at(out, values[keep].astype(np.int64), weights[keep])
    return out


def bincount(arr: np.ndarray, size: np.ndarray, weights: np.ndarray) -> np.ndarray:
    if weights.size and weights.shape != arr.shape:
        raise InvalidArgumentError("weights must be empty or have the shape of arr")
    return _bincount(arr.reshape(-1), scalar(size, "size"), weights.reshape(-1), False)


def dense_bincount(
    input: np.ndarray,
    size: np.ndarray,
    weights: np.ndarray,
    *,
    binary_output: bool = False,  # noqa: A002
) -> np.ndarray:
    n = scalar(size, "size")
    if weights.size and weights.shape != input.shape:
        raise InvalidArgumentError("weights must be empty or have the shape of input")
    if input.ndim <= 1:
        return _bincount(input.reshape(-1), n, weights.reshape(-1), binary_output)
    if input.ndim != 2:
        raise InvalidArgumentError(f"input must be 1-D or 2-D, got {shape_str(input.shape)}")
    rows = [
        _bincount(input[i], n, weights[i] if weights.size else weights, binary_output)
        for i in range(input.shape[0])
    ]
    return np.stack(rows) if rows else np.zeros((0, n), dtype=weights.dtype)


register("Bincount", bincount)
register("DenseBincount", dense_bincount)

for _kind in ("sum", "mean", "max", "min", "prod"):
    register(f"Segment{_kind.capitalize()}", _sorted(_kind))
for _kind in ("sum", "max", "min", "prod"):
    register(f"UnsortedSegment{_kind.capitalize()}", _unsorted(_kind))
for _kind, _name in (("sum", "Sum"), ("mean", "Mean"), ("sqrtn", "SqrtN")):
    register(f"SparseSegment{_name}", _sparse(_kind, False))
    register(f"SparseSegment{_name}WithNumSegments", _sparse(_kind, True))
