"""Index-driven kernels: gathers (GatherV2 with batch_dims, GatherNd), scatters into new or
copied tensors (ScatterNd, TensorScatter*), OneHot, Where, Unique and sorted-search ops.

TensorFlow's CPU kernels reject out-of-range indices (no wrap-around of negatives, unlike numpy),
so every index tensor is range-checked first. `gather` is shared with the resource-variable
family's ResourceGather.
"""

from __future__ import annotations

import numpy as np

from savedmodel.errors import InvalidArgumentError
from savedmodel.ops._common import (
    array,
    axis,
    check_allocation,
    scalar,
    shape_str,
    text,
    vector,
)
from savedmodel.ops.registry import register


def _check_indices(indices: np.ndarray, limit: int) -> None:
    if indices.size == 0:
        return
    bad = (indices < 0) | (indices >= limit)
    if bad.any():
        pos = np.unravel_index(int(np.argmax(bad)), indices.shape)
        where = ",".join(str(p) for p in pos)
        raise InvalidArgumentError(f"indices[{where}] = {indices[pos]} is not in [0, {limit})")


def gather(
    params: np.ndarray, indices: np.ndarray, axis_: int = 0, batch_dims: int = 0
) -> np.ndarray:
    """`params` gathered along `axis_` by `indices`, sharing the first `batch_dims` dims."""
    if params.ndim == 0:
        raise InvalidArgumentError("params must be at least 1 dimensional")
    if batch_dims < 0:
        batch_dims += indices.ndim
    a = axis(axis_, params.ndim)
    if not 0 <= batch_dims <= indices.ndim or batch_dims > a:
        raise InvalidArgumentError(
            f"batch_dims ({batch_dims}) must be in [0, rank(indices)] and <= axis ({a})"
        )
    if params.shape[:batch_dims] != indices.shape[:batch_dims]:
        raise InvalidArgumentError(
            f"params.shape[:{batch_dims}] should equal indices.shape[:{batch_dims}] but got"
            f" {shape_str(params.shape)} and {shape_str(indices.shape)}"
        )
    _check_indices(indices, params.shape[a])
    if batch_dims == 0:
        return np.take(params, indices, axis=a)
    batch = params.shape[:batch_dims]
    nb = int(np.prod(batch, dtype=np.int64))
    p = params.reshape((nb,) + params.shape[batch_dims:])
    idx = indices.reshape((nb,) + indices.shape[batch_dims:])
    pa = a - batch_dims + 1  # the gathered axis within p
    p = np.moveaxis(p, pa, 1)  # [B, N, A..., rest]
    rows = np.arange(nb).reshape((nb,) + (1,) * (idx.ndim - 1))
    out = p[rows, idx]  # [B, I..., A..., rest]
    n_idx = idx.ndim - 1
    n_mid = pa - 1
    order = [0, *range(1 + n_idx, 1 + n_idx + n_mid), *range(1, 1 + n_idx)]
    order += list(range(1 + n_idx + n_mid, out.ndim))
    out = np.transpose(out, order)
    return out.reshape(batch + out.shape[1:])


def gather_v2(
    params: np.ndarray, indices: np.ndarray, axis_: np.ndarray, *, batch_dims: int = 0
) -> np.ndarray:
    return array(gather(params, indices, scalar(axis_, "axis"), batch_dims))


def gather_v1(
    params: np.ndarray, indices: np.ndarray, *, validate_indices: bool = True
) -> np.ndarray:
    # Indices are always validated (validate_indices=False only let TF skip the check).
    return array(gather(params, indices, 0, 0))


def _nd_locations(indices: np.ndarray, shape: tuple[int, ...], what: str) -> tuple[np.ndarray, ...]:
    if indices.ndim == 0:
        raise InvalidArgumentError("indices must be at least a vector")
    k = indices.shape[-1]
    if k > len(shape):
        raise InvalidArgumentError(
            f"index innermost dimension length must be <= {what} rank; saw: {k} vs. {len(shape)}"
        )
    flat = indices.reshape(-1, k)
    bad = (flat < 0) | (flat >= np.array(shape[:k], dtype=np.int64))
    if bad.any():
        row = int(np.argmax(bad.any(axis=1)))
        raise InvalidArgumentError(
            f"indices[{row}] = [{', '.join(str(v) for v in flat[row])}] does not index into"
            f" {what} shape {shape_str(shape)}"
        )
    return tuple(indices[..., j] for j in range(k))


def gather_nd(
    params: np.ndarray, indices: np.ndarray, *, bad_indices_policy: str = ""
) -> np.ndarray:
    policy = text(bad_indices_policy)
    if policy == "IGNORE":
        k = indices.shape[-1]
        limits = np.array(params.shape[:k], dtype=np.int64)
        bad = ((indices < 0) | (indices >= limits)).any(axis=-1)
        safe = np.where(bad[..., None], 0, indices)
        out = params[_nd_locations(safe, params.shape, "param")]
        return np.where(bad.reshape(bad.shape + (1,) * (out.ndim - bad.ndim)), 0, out).astype(
            params.dtype
        )
    return array(params[_nd_locations(indices, params.shape, "param")])


def _scatter(out: np.ndarray, indices: np.ndarray, updates: np.ndarray, mode: str) -> np.ndarray:
    loc = _nd_locations(indices, out.shape, "output")
    want = indices.shape[:-1] + out.shape[indices.shape[-1] :]
    if updates.shape != want:
        raise InvalidArgumentError(
            f"Dimensions [{indices.ndim - 1},{updates.ndim}) of updates[shape="
            f"{shape_str(updates.shape)}] must match dimensions of indices; expected updates"
            f" shape {shape_str(want)}"
        )
    if mode == "update":
        out[loc] = updates
    elif mode == "add":
        np.add.at(out, loc, updates)
    elif mode == "sub":
        np.subtract.at(out, loc, updates)
    elif mode == "max":
        np.maximum.at(out, loc, updates)
    else:
        np.minimum.at(out, loc, updates)
    return out


def scatter_nd(
    indices: np.ndarray, updates: np.ndarray, shape: np.ndarray, *, bad_indices_policy: str = ""
) -> np.ndarray:
    dims = vector(shape, "shape")
    check_allocation(dims, updates.dtype, "ScatterNd")
    return _scatter(np.zeros(dims, dtype=updates.dtype), indices, updates, "add")


def _tensor_scatter(mode: str):
    def kernel(
        tensor: np.ndarray,
        indices: np.ndarray,
        updates: np.ndarray,
        *,
        bad_indices_policy: str = "",
    ) -> np.ndarray:
        return _scatter(tensor.copy(), indices, updates, mode)

    kernel.__name__ = kernel.__qualname__ = f"tensor_scatter_{mode}"
    return kernel


def one_hot(
    indices: np.ndarray, depth: np.ndarray, on_value: np.ndarray, off_value: np.ndarray,
    *, axis: int = -1,
) -> np.ndarray:  # fmt: skip
    n = scalar(depth, "depth")
    if n < 0:
        raise InvalidArgumentError(f"depth must be non-negative, got: {n}")
    rank = indices.ndim + 1
    if not -1 <= axis < rank:
        raise InvalidArgumentError(
            f"Expected axis to be -1 or between [0, {rank}).  But received: {axis}"
        )
    a = rank - 1 if axis == -1 else axis
    check_allocation((*indices.shape, n), on_value.dtype, "OneHot")
    shape = [1] * rank
    shape[a] = n
    hot = np.expand_dims(indices, a) == np.arange(n).reshape(shape)
    return np.where(hot, on_value, off_value).astype(on_value.dtype, copy=False)


def where(input: np.ndarray) -> np.ndarray:  # noqa: A002
    if input.ndim == 0:
        raise InvalidArgumentError("WhereOp : Unhandled input dimensions: 0")
    return np.argwhere(input).astype(np.int64, copy=False)


def unique(x: np.ndarray, *, out_idx: np.dtype) -> list[np.ndarray]:
    if x.ndim != 1:
        raise InvalidArgumentError(f"unique expects a 1D vector, got {shape_str(x.shape)}")
    return _unique_along(x, 0, out_idx)


def unique_v2(x: np.ndarray, axis_: np.ndarray, *, out_idx: np.dtype) -> list[np.ndarray]:
    axes = np.ravel(axis_).tolist()
    if not axes:
        return _unique_along(x.reshape(-1), 0, out_idx)
    return _unique_along(x, axis(axes[0], x.ndim), out_idx)


def _unique_along(x: np.ndarray, a: int, out_idx: np.dtype) -> list[np.ndarray]:
    # Unique values in order of first appearance (TF's order), with each element's position.
    moved = np.moveaxis(x, a, 0)
    n = moved.shape[0]
    if moved.ndim == 1:
        keys = moved
    elif x.dtype == object:
        keys = np.empty(n, dtype=object)
        keys[:] = [tuple(row) for row in moved.reshape(n, -1).tolist()]
    else:
        rows = np.ascontiguousarray(moved.reshape(n, -1))
        keys = rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).reshape(n)
    if keys.dtype.kind == "f" or keys.dtype.kind == "c":
        # NaN never equals itself, so each NaN is its own unique value, as in TF's hash map.
        _, first, inverse = np.unique(keys, return_index=True, return_inverse=True, equal_nan=False)
    else:
        _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    y = np.moveaxis(moved[first[order]], 0, a)
    return [y, position[inverse.reshape(-1)].astype(out_idx)]


def bucketize(input: np.ndarray, *, boundaries: list[float]) -> np.ndarray:  # noqa: A002
    edges = np.asarray(boundaries, dtype=np.float64)
    return np.searchsorted(edges, input, side="right").astype(np.int32)


def _bound(side: str):
    def kernel(sorted_inputs: np.ndarray, values: np.ndarray, *, out_type: np.dtype) -> np.ndarray:
        if sorted_inputs.ndim != 2 or values.ndim != 2 or sorted_inputs.shape[0] != values.shape[0]:
            raise InvalidArgumentError(
                f"sorted input and values must be 2-D with the same leading dimension:"
                f" {shape_str(sorted_inputs.shape)} vs {shape_str(values.shape)}"
            )
        out = np.empty(values.shape, dtype=out_type)
        for row in range(values.shape[0]):
            out[row] = np.searchsorted(sorted_inputs[row], values[row], side=side)
        return out

    kernel.__name__ = kernel.__qualname__ = f"{side}_bound"
    return kernel


def dynamic_partition(
    data: np.ndarray, partitions: np.ndarray, *, num_partitions: int
) -> list[np.ndarray]:
    if data.shape[: partitions.ndim] != partitions.shape:
        raise InvalidArgumentError(
            f"data.shape must start with partitions.shape, got data.shape ="
            f" {shape_str(data.shape)}, partitions.shape = {shape_str(partitions.shape)}"
        )
    p = partitions.reshape(-1)
    _check_indices(p, num_partitions)
    rows = data.reshape((p.size, *data.shape[partitions.ndim :]))
    return [rows[p == i] for i in range(num_partitions)]


def dynamic_stitch(indices: list[np.ndarray], data: list[np.ndarray]) -> np.ndarray:
    if not data:
        raise InvalidArgumentError("DynamicStitch needs at least one input")
    inner = data[0].shape[indices[0].ndim :]
    for idx, value in zip(indices, data, strict=True):
        if value.shape != idx.shape + inner:
            raise InvalidArgumentError(
                f"data[i].shape = {shape_str(value.shape)} does not start with indices[i].shape ="
                f" {shape_str(idx.shape)} followed by {shape_str(inner)}"
            )
    flat_idx = np.concatenate([i.reshape(-1) for i in indices]).astype(np.int64)
    flat_val = np.concatenate([v.reshape((-1, *inner)) for v in data])
    if flat_idx.size and flat_idx.min() < 0:
        raise InvalidArgumentError("indices must be non-negative")
    n = int(flat_idx.max()) + 1 if flat_idx.size else 0
    check_allocation((n, *inner), data[0].dtype, "DynamicStitch")
    out = np.zeros((n, *inner), dtype=data[0].dtype)
    # Later inputs win for repeated indices, as in TF (plain assignment keeps the last write).
    out[flat_idx] = flat_val
    return out


register("DynamicPartition", dynamic_partition)
register("DynamicStitch", dynamic_stitch)
register("ParallelDynamicStitch", dynamic_stitch)
register("GatherV2", gather_v2)
register("Gather", gather_v1)
register("GatherNd", gather_nd)
register("ScatterNd", scatter_nd)
register("TensorScatterUpdate", _tensor_scatter("update"))
register("TensorScatterAdd", _tensor_scatter("add"))
register("TensorScatterSub", _tensor_scatter("sub"))
register("TensorScatterMax", _tensor_scatter("max"))
register("TensorScatterMin", _tensor_scatter("min"))
register("OneHot", one_hot)
register("Where", where)
register("Unique", unique)
register("UniqueV2", unique_v2)
register("Bucketize", bucketize)
register("LowerBound", _bound("left"))
register("UpperBound", _bound("right"))
