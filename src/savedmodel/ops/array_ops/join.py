"""Joining and splitting kernels: ConcatV2/Concat, Pack/Unpack, Split/SplitV, Tile."""

from __future__ import annotations

import numpy as np

from savedmodel.errors import InvalidArgumentError
from savedmodel.ops._common import axis, check_allocation, scalar, shape_str, vector
from savedmodel.ops.registry import register


def _concat(values: list[np.ndarray], dim: np.ndarray) -> np.ndarray:
    first = values[0]
    if first.ndim == 0:
        raise InvalidArgumentError("ConcatOp : Can't concatenate scalars (use tf.stack instead)")
    a = axis(scalar(dim, "axis"), first.ndim, "concat axis")
    for i, v in enumerate(values[1:], 1):
        if v.ndim != first.ndim:
            raise InvalidArgumentError(
                f"ConcatOp : Ranks of all input tensors should match: shape[0] ="
                f" {shape_str(first.shape)} vs. shape[{i}] = {shape_str(v.shape)}"
            )
        for d in range(first.ndim):
            if d != a and v.shape[d] != first.shape[d]:
                raise InvalidArgumentError(
                    f"ConcatOp : Dimension {d} in both shapes must be equal: shape[0] ="
                    f" {shape_str(first.shape)} vs. shape[{i}] = {shape_str(v.shape)}"
                )
    if len(values) == 1:
        return first
    return np.concatenate(values, axis=a)


def concat_v2(values: list[np.ndarray], axis: np.ndarray) -> np.ndarray:
    return _concat(values, axis)


def concat(concat_dim: np.ndarray, values: list[np.ndarray]) -> np.ndarray:
    return _concat(values, concat_dim)


def pack(values: list[np.ndarray], *, axis: int = 0) -> np.ndarray:
    first = values[0]
    rank = first.ndim + 1
    if not -rank <= axis < rank:
        raise InvalidArgumentError(f"axis = {axis} not in [{-rank}, {rank})")
    for i, v in enumerate(values[1:], 1):
        if v.shape != first.shape:
            raise InvalidArgumentError(
                f"Shapes of all inputs must match: values[0].shape = {shape_str(first.shape)} !="
                f" values[{i}].shape = {shape_str(v.shape)}"
            )
    return np.stack(values, axis=axis)


def unpack(value: np.ndarray, *, num: int, axis: int = 0) -> list[np.ndarray]:
    rank = value.ndim
    if not -rank <= axis < rank:
        raise InvalidArgumentError(f"axis = {axis} not in [{-rank}, {rank})")
    a = axis + rank if axis < 0 else axis
    if value.shape[a] != num:
        raise InvalidArgumentError(
            f"Input shape axis {a} must equal {num}, got shape {shape_str(value.shape)}"
        )
    moved = np.moveaxis(value, a, 0)
    return [moved[i] for i in range(num)]


def split(split_dim: np.ndarray, value: np.ndarray, *, num_split: int) -> list[np.ndarray]:
    a = axis(scalar(split_dim, "split_dim"), value.ndim, "split dimension")
    size = value.shape[a]
    if size % num_split:
        raise InvalidArgumentError(
            f"Number of ways to split should evenly divide the split dimension, but got"
            f" split_dim {a} (size = {size}) and num_split {num_split}"
        )
    return _slices(value, a, [size // num_split] * num_split)


def split_v(
    value: np.ndarray, size_splits: np.ndarray, split_dim: np.ndarray, *, num_split: int
) -> list[np.ndarray]:
    a = axis(scalar(split_dim, "split_dim"), value.ndim, "split dimension")
    sizes = vector(size_splits, "size_splits")
    if len(sizes) != num_split:
        raise InvalidArgumentError(
            f"Length of size_splits should be equal to the value of num_split, got {len(sizes)}"
            f" and {num_split}"
        )
    unknown = [i for i, s in enumerate(sizes) if s == -1]
    if len(unknown) > 1:
        raise InvalidArgumentError("There can only be one -1 in the input.")
    total = value.shape[a]
    known = sum(s for s in sizes if s != -1)
    if any(s < -1 for s in sizes):
        raise InvalidArgumentError(f"Split sizes must be >= -1, got {sizes}")
    if unknown:
        if known > total:
            raise InvalidArgumentError(
                f"Determined shape must either match input shape along split_dim exactly if"
                f" fully specified, or be less than the size of the input along split_dim if"
                f" not fully specified.  Got: {known}"
            )
        sizes[unknown[0]] = total - known
    elif known != total:
        raise InvalidArgumentError(
            f"Determined shape must either match input shape along split_dim exactly if fully"
            f" specified, or be less than the size of the input along split_dim if not fully"
            f" specified.  Got: {known}"
        )
    return _slices(value, a, sizes)


def _slices(value: np.ndarray, a: int, sizes: list[int]) -> list[np.ndarray]:
    # Basic slicing (views, like np.split) without np.split's per-call overhead (~30 us).
    lead = (slice(None),) * a
    out = []
    start = 0
    for size in sizes:
        out.append(value[(*lead, slice(start, start + size))])
        start += size
    return out


def tile(input: np.ndarray, multiples: np.ndarray) -> np.ndarray:  # noqa: A002
    reps = vector(multiples, "multiples")
    if len(reps) != input.ndim:
        raise InvalidArgumentError(
            f"Expected multiples argument to be a vector of length {input.ndim} but got length"
            f" {len(reps)}"
        )
    if any(r < 0 for r in reps):
        raise InvalidArgumentError(f"Expected multiples to be non-negative, got {reps}")
    check_allocation([d * r for d, r in zip(input.shape, reps, strict=True)], input.dtype, "Tile")
    return np.tile(input, reps) if reps else input.copy()


register("ConcatV2", concat_v2)
register("Concat", concat)
register("Pack", pack)
register("Unpack", unpack)
register("Split", split)
register("SplitV", split_v)
register("Tile", tile)
