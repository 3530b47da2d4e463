"""Sparse-tensor kernels: SparseToDense, SparseFillEmptyRows, SparseReshape, and the ragged
RaggedTensorToTensor (the densifying step of Keras text pipelines).

A sparse tensor is (indices [N, rank] int64, values [N], dense_shape [rank]); a ragged one is
flat values plus one row partition per ragged dimension (row splits, or value row ids).
"""

from __future__ import annotations

import numpy as np

from savedmodel.errors import InvalidArgumentError
from savedmodel.ops._common import (
    OBJECT,
    array,
    check_allocation,
    scalar,
    shape_str,
    text,
    vector,
)
from savedmodel.ops.registry import register


def sparse_to_dense(
    sparse_indices: np.ndarray,
    output_shape: np.ndarray,
    sparse_values: np.ndarray,
    default_value: np.ndarray,
    *,
    validate_indices: bool = True,
) -> np.ndarray:
    shape = vector(output_shape, "output_shape") if output_shape.ndim else [int(output_shape)]
    idx = sparse_indices.astype(np.int64)
    if idx.ndim < 2:
        idx = idx.reshape(-1, 1) if len(shape) == 1 or idx.ndim == 0 else idx.reshape(1, -1)
    if idx.shape[1] != len(shape):
        raise InvalidArgumentError(
            f"sparse_indices should have {len(shape)} columns, got"
            f" {shape_str(sparse_indices.shape)}"
        )
    n = idx.shape[0]
    if sparse_values.ndim not in (0, 1) or (sparse_values.ndim == 1 and sparse_values.size != n):
        raise InvalidArgumentError(
            f"sparse_values has incorrect shape {shape_str(sparse_values.shape)}, should be"
            f" [] or [{n}]"
        )
    if default_value.ndim != 0:
        raise InvalidArgumentError("default_value should be a scalar.")
    check_allocation(shape, sparse_values.dtype, "SparseToDense")
    limits = np.array(shape, dtype=np.int64)
    bad = ((idx < 0) | (idx >= limits)).any(axis=1)
    if bad.any():
        row = int(np.argmax(bad))
        raise InvalidArgumentError(
            f"indices[{row}] = [{','.join(map(str, idx[row].tolist()))}] is out of bounds:"
            f" need 0 <= index < [{','.join(map(str, shape))}]"
        )
    if validate_indices and n > 1:
        flat = np.ravel_multi_index(tuple(idx.T), shape) if shape else np.zeros(n, np.int64)
        step = np.diff(flat)
        if (step <= 0).any():
            row = int(np.argmax(step <= 0)) + 1
            what = "is repeated" if step[row - 1] == 0 else "is out of order"
            raise InvalidArgumentError(
                f"indices[{row}] = [{','.join(map(str, idx[row].tolist()))}] {what}. Many sparse"
                " ops require sorted indices."
            )
    out = np.full(shape, default_value[()], dtype=sparse_values.dtype)
    if n:
        out[tuple(idx.T)] = sparse_values
    return out


def sparse_fill_empty_rows(
    indices: np.ndarray, values: np.ndarray, dense_shape: np.ndarray, default_value: np.ndarray
) -> list[np.ndarray]:
    shape = vector(dense_shape, "dense_shape")
    if indices.ndim != 2 or values.ndim != 1 or indices.shape[0] != values.shape[0]:
        raise InvalidArgumentError(
            f"indices must be a matrix and values a vector of the same length:"
            f" {shape_str(indices.shape)} {shape_str(values.shape)}"
        )
    if default_value.ndim != 0:
        raise InvalidArgumentError("default_value must be a scalar")
    if not shape:
        raise InvalidArgumentError("dense_shape must not be empty")
    rows = shape[0]
    n = indices.shape[0]
    row_ids = indices[:, 0] if n else np.zeros(0, np.int64)
    if n and (row_ids.min() < 0 or row_ids.max() >= rows):
        raise InvalidArgumentError(f"indices(..., 0) out of range [0, {rows})")
    counts = np.bincount(row_ids, minlength=rows) if rows else np.zeros(0, np.int64)
    empty = counts == 0
    filled = np.where(empty, 1, counts)
    starts = np.concatenate([[0], np.cumsum(filled)[:-1]]).astype(np.int64)
    total = int(filled.sum())
    out_idx = np.zeros((total, indices.shape[1]), dtype=np.int64)
    out_val = np.full(total, default_value[()], dtype=values.dtype)
    # Entries keep their input order within a row (a stable counting sort by row).
    order = np.argsort(row_ids, kind="stable")
    rank_in_row = np.arange(n) - np.concatenate([[0], np.cumsum(counts)[:-1]])[row_ids[order]]
    dest = np.empty(n, dtype=np.int64)
    dest[order] = starts[row_ids[order]] + rank_in_row
    out_idx[dest] = indices
    out_val[dest] = values
    empty_rows = np.flatnonzero(empty)
    out_idx[starts[empty_rows], 0] = empty_rows
    return [out_idx, out_val, empty, dest]


def sparse_reshape(
    input_indices: np.ndarray, input_shape: np.ndarray, new_shape: np.ndarray
) -> list[np.ndarray]:
    old = vector(input_shape, "input_shape")
    new = vector(new_shape, "new_shape")
    size = int(np.prod(old, dtype=np.int64))
    unknown = [i for i, d in enumerate(new) if d == -1]
    if len(unknown) > 1:
        raise InvalidArgumentError(f"only one output dimension may be -1, not both {unknown}")
    known = int(np.prod([d for d in new if d != -1], dtype=np.int64))
    if unknown:
        if known == 0 or size % known:
            raise InvalidArgumentError(
                f"Input to reshape is a SparseTensor with {size} dense values, but the requested"
                f" shape requires a multiple of {known}"
            )
        new[unknown[0]] = size // known
    elif known != size:
        raise InvalidArgumentError(
            f"Input to reshape is a tensor with {size} dense values, but the requested shape has"
            f" {known}"
        )
    if input_indices.shape[0] == 0:
        return [np.zeros((0, len(new)), np.int64), np.array(new, dtype=np.int64)]
    flat = np.ravel_multi_index(tuple(input_indices.T), old)
    out = np.stack(np.unravel_index(flat, new), axis=1) if new else np.zeros((len(flat), 0))
    return [out.astype(np.int64), np.array(new, dtype=np.int64)]


def _row_splits(types: list[str], tensors: list[np.ndarray], n_values: int) -> list[np.ndarray]:
    """Every partition as row splits, outermost first."""
    if types and types[0] == "FIRST_DIM_SIZE":
        nrows = scalar(tensors[0], "first_dim_size")
        splits = []
        for kind, rowids in zip(types[1:], tensors[1:], strict=True):
            if kind != "VALUE_ROWIDS":
                raise InvalidArgumentError(
                    f"Unsupported row partition type {kind} after FIRST_DIM_SIZE"
                )
            ids = rowids.astype(np.int64)
            if ids.size and (ids.min() < 0 or ids.max() >= nrows or (np.diff(ids) < 0).any()):
                raise InvalidArgumentError("value_rowids must be sorted and in [0, nrows)")
            counts = np.bincount(ids, minlength=nrows)
            splits.append(np.concatenate([[0], np.cumsum(counts)]).astype(np.int64))
            nrows = ids.size
        return splits
    for kind in types:
        if kind != "ROW_SPLITS":
            raise InvalidArgumentError(f"Unsupported row partition types {types}")
    splits = [t.astype(np.int64) for t in tensors]
    for s in splits:
        if s.ndim != 1 or s.size == 0 or s[0] != 0 or (np.diff(s) < 0).any():
            raise InvalidArgumentError("row_splits must start at 0 and be non-decreasing")
    return splits


def ragged_tensor_to_tensor(
    shape: np.ndarray,
    values: np.ndarray,
    default_value: np.ndarray,
    row_partition_tensors: list[np.ndarray],
    *,
    row_partition_types: list[str],
) -> np.ndarray:
    types = [text(t) for t in row_partition_types]
    splits = _row_splits(types, list(row_partition_tensors), values.shape[0])
    ragged_rank = len(splits)
    for outer, inner in zip(splits, splits[1:], strict=False):
        if outer[-1] != len(inner) - 1:
            raise InvalidArgumentError(
                f"Row partition size does not match its parent: {len(inner) - 1} rows for"
                f" {outer[-1]} entries"
            )
    if splits[-1][-1] != values.shape[0]:
        raise InvalidArgumentError(
            f"The last row split ({splits[-1][-1]}) must equal the number of values"
            f" ({values.shape[0]})"
        )
    # Natural size of each ragged dimension: its longest row.
    natural = [len(splits[0]) - 1] + [int(np.diff(s).max(initial=0)) for s in splits]
    natural += list(values.shape[1:])
    # A scalar shape (TF passes -1) means "the natural shape"; a vector fixes some dimensions.
    wanted = [int(d) for d in shape] if shape.ndim == 1 else None
    if wanted is not None and len(wanted) != len(natural):
        raise InvalidArgumentError(
            f"rt_input.shape and shape={wanted} are incompatible: rt_input.rank ="
            f" {len(natural)} but shape.rank = {len(wanted)}"
        )
    if wanted is None:
        dims = natural
    else:
        dims = [w if w >= 0 else n for w, n in zip(wanted, natural, strict=True)]
    if dims[1 + ragged_rank :] != natural[1 + ragged_rank :]:
        raise InvalidArgumentError(
            f"The inner dimensions of shape {dims} must match those of values"
            f" {shape_str(values.shape)}"
        )
    check_allocation(dims, values.dtype, "RaggedTensorToTensor")
    inner = tuple(dims[1 + ragged_rank :])
    try:
        fill = np.broadcast_to(default_value, inner)
    except ValueError:
        raise InvalidArgumentError(
            f"default_value shape {shape_str(default_value.shape)} does not broadcast to"
            f" {shape_str(inner)}"
        ) from None
    out = np.empty(dims, dtype=values.dtype if values.dtype != OBJECT else object)
    out[...] = fill
    # Walk from the values outwards: position of every value in each ragged dimension.
    pos = np.arange(values.shape[0])
    coords = []
    for s in reversed(splits):
        parent = np.searchsorted(s, pos, side="right") - 1
        coords.append(pos - s[parent])
        pos = parent
    coords.append(pos)
    coords.reverse()
    keep = np.ones(values.shape[0], dtype=bool)
    for c, limit in zip(coords, dims[: ragged_rank + 1], strict=True):
        keep &= c < limit
    if keep.any():
        out[tuple(c[keep] for c in coords)] = values[keep]
    return array(out)


register("SparseToDense", sparse_to_dense)
register("SparseFillEmptyRows", sparse_fill_empty_rows)
register("SparseReshape", sparse_reshape)
register("RaggedTensorToTensor", ragged_tensor_to_tensor)
