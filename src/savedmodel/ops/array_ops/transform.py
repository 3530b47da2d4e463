"""Layout kernels: padding (Pad, PadV2, MirrorPad), reversal (ReverseV2, ReverseSequence), Roll,
block rearrangements (SpaceToBatchND, BatchToSpaceND, SpaceToDepth, DepthToSpace),
ExtractImagePatches and MatrixBandPart."""

from __future__ import annotations

import numpy as np

from savedmodel.errors import InvalidArgumentError
from savedmodel.ops._common import (
    OBJECT,
    axis,
    check_allocation,
    scalar,
    shape_str,
    text,
    vector,
)
from savedmodel.ops.nn_ops.conv import spatial_geometry
from savedmodel.ops.registry import register


def _paddings(paddings: np.ndarray, rank: int) -> list[tuple[int, int]]:
    if paddings.shape != (rank, 2):
        raise InvalidArgumentError(
            f"The first dimension of paddings must be the rank of inputs[{rank},2], got"
            f" {shape_str(paddings.shape)}"
        )
    pairs = [(int(lo), int(hi)) for lo, hi in paddings.tolist()]
    if any(lo < 0 or hi < 0 for lo, hi in pairs):
        raise InvalidArgumentError(f"Paddings must be non-negative: {pairs}")
    return pairs


def _check_padded(x: np.ndarray, pairs: list[tuple[int, int]], what: str) -> None:
    check_allocation([d + a + b for d, (a, b) in zip(x.shape, pairs, strict=True)], x.dtype, what)


def _pad(x: np.ndarray, paddings: np.ndarray, fill: object) -> np.ndarray:
    pairs = _paddings(paddings, x.ndim)
    _check_padded(x, pairs, "Pad")
    return np.pad(x, pairs, constant_values=fill) if pairs else x.copy()


def pad(input: np.ndarray, paddings: np.ndarray) -> np.ndarray:  # noqa: A002
    return _pad(input, paddings, b"" if input.dtype == OBJECT else 0)


def pad_v2(input: np.ndarray, paddings: np.ndarray, constant_values: np.ndarray) -> np.ndarray:  # noqa: A002
    if constant_values.ndim != 0:
        raise InvalidArgumentError(
            f"constant_values must be a scalar. Found: {shape_str(constant_values.shape)}"
        )
    return _pad(input, paddings, constant_values[()])


def mirror_pad(input: np.ndarray, paddings: np.ndarray, *, mode: str) -> np.ndarray:  # noqa: A002
    kind = text(mode)
    pairs = _paddings(paddings, input.ndim)
    _check_padded(input, pairs, "MirrorPad")
    offset = 1 if kind == "REFLECT" else 0
    for d, (lo, hi) in enumerate(pairs):
        if max(lo, hi) > input.shape[d] - offset:
            raise InvalidArgumentError(
                f"paddings must be less than{' or equal to' if offset == 0 else ''} the dimension"
                f" size: {lo}, {hi} not less than {input.shape[d]}"
            )
    return np.pad(input, pairs, mode="reflect" if kind == "REFLECT" else "symmetric")


def reverse_v2(tensor: np.ndarray, axis_: np.ndarray) -> np.ndarray:
    axes = []
    for a in np.ravel(axis_).tolist():
        a = axis(a, tensor.ndim)
        if a in axes:
            raise InvalidArgumentError(f"axis {a} specified more than once.")
        axes.append(a)
    return np.flip(tensor, axes) if axes else tensor


def reverse(tensor: np.ndarray, dims: np.ndarray) -> np.ndarray:
    if dims.shape != (tensor.ndim,):
        raise InvalidArgumentError(
            "'dims' must have the same number of values as 'input' has dimensions."
        )
    axes = [i for i, flag in enumerate(dims.tolist()) if flag]
    return np.flip(tensor, axes) if axes else tensor


def reverse_sequence(
    input: np.ndarray,
    seq_lengths: np.ndarray,
    *,
    seq_dim: int,
    batch_dim: int = 0,  # noqa: A002
) -> np.ndarray:
    rank = input.ndim
    if not (0 <= seq_dim < rank and 0 <= batch_dim < rank) or seq_dim == batch_dim:
        raise InvalidArgumentError(
            f"Invalid seq_dim {seq_dim} / batch_dim {batch_dim} for input of rank {rank}"
        )
    lengths = np.asarray(seq_lengths, dtype=np.int64)
    if lengths.shape != (input.shape[batch_dim],):
        raise InvalidArgumentError(
            f"Length of seq_lengths != input.dims({batch_dim}), ({lengths.shape[0]} vs."
            f" {input.shape[batch_dim]})"
        )
    if lengths.size and (lengths.min() < 0 or lengths.max() > input.shape[seq_dim]):
        raise InvalidArgumentError(
            f"seq_lens must be in [0, {input.shape[seq_dim]}], got {lengths.tolist()}"
        )
    x = np.moveaxis(input, (batch_dim, seq_dim), (0, 1))
    t = np.arange(x.shape[1])
    src = np.where(t < lengths[:, None], lengths[:, None] - 1 - t, t)  # [batch, time]
    src = src.reshape(src.shape + (1,) * (x.ndim - 2))
    out = np.take_along_axis(x, np.broadcast_to(src, x.shape), axis=1)
    return np.moveaxis(out, (0, 1), (batch_dim, seq_dim))


def _block_args(x: np.ndarray, block_shape: np.ndarray, amounts: np.ndarray, what: str):
    block = vector(block_shape, "block_shape")
    m = len(block)
    if x.ndim < m + 1:
        raise InvalidArgumentError(f"input rank should be > than [block_shape] rank {m}")
    if amounts.shape != (m, 2):
        raise InvalidArgumentError(f"{what} should have shape [{m}, 2] instead of {amounts.shape}")
    pairs = [(int(a), int(b)) for a, b in amounts.tolist()]
    if any(b < 1 for b in block) or any(a < 0 or b < 0 for a, b in pairs):
        raise InvalidArgumentError(f"block_shape must be positive and {what} non-negative")
    return block, pairs


def space_to_batch_nd(
    input: np.ndarray, block_shape: np.ndarray, paddings: np.ndarray
) -> np.ndarray:  # noqa: A002
    block, pairs = _block_args(input, block_shape, paddings, "paddings")
    m = len(block)
    _check_padded(input, [(0, 0), *pairs] + [(0, 0)] * (input.ndim - m - 1), "SpaceToBatchND")
    padded = np.pad(input, [(0, 0), *pairs] + [(0, 0)] * (input.ndim - m - 1))
    spatial = padded.shape[1 : m + 1]
    if any(s % b for s, b in zip(spatial, block, strict=True)):
        raise InvalidArgumentError(
            f"padded_shape {shape_str(spatial)} must be divisible by block_shape {block}"
        )
    n = padded.shape[0]
    rest = padded.shape[m + 1 :]
    split = [n]
    for s, b in zip(spatial, block, strict=True):
        split += [s // b, b]
    y = padded.reshape(split + list(rest))
    # [n, s0/b0, b0, s1/b1, b1, ...] -> [b0, b1, ..., n, s0/b0, s1/b1, ..., rest]
    order = [2 + 2 * i for i in range(m)] + [0] + [1 + 2 * i for i in range(m)]
    order += list(range(1 + 2 * m, y.ndim))
    y = np.transpose(y, order)
    return y.reshape(
        [n * int(np.prod(block))]
        + [s // b for s, b in zip(spatial, block, strict=True)]
        + list(rest)
    )


def batch_to_space_nd(input: np.ndarray, block_shape: np.ndarray, crops: np.ndarray) -> np.ndarray:  # noqa: A002
    block, pairs = _block_args(input, block_shape, crops, "crops")
    m = len(block)
    prod = int(np.prod(block))
    if input.shape[0] % prod:
        raise InvalidArgumentError(
            f"Input batch dimension ({input.shape[0]}) is not divisible by product of block sizes"
            f" ({prod})"
        )
    n = input.shape[0] // prod
    spatial = input.shape[1 : m + 1]
    rest = input.shape[m + 1 :]
    y = input.reshape(list(block) + [n] + list(spatial) + list(rest))
    # [b0, ..., n, s0, s1, ...] -> [n, s0, b0, s1, b1, ..., rest]
    order = [m]
    for i in range(m):
        order += [m + 1 + i, i]
    order += list(range(2 * m + 1, y.ndim))
    y = np.transpose(y, order).reshape(
        [n] + [s * b for s, b in zip(spatial, block, strict=True)] + list(rest)
    )
    index = [slice(None)]
    for d, (lo, hi) in enumerate(pairs):
        size = y.shape[1 + d]
        if lo + hi > size:
            raise InvalidArgumentError(f"Crops {lo},{hi} exceed dimension {size}")
        index.append(slice(lo, size - hi))
    return y[tuple(index)]


def _nhwc(x: np.ndarray, data_format: str) -> np.ndarray:
    fmt = text(data_format)
    if fmt not in ("NHWC", "NCHW"):
        raise InvalidArgumentError(f"data_format {fmt} is not supported")
    if x.ndim != 4:
        raise InvalidArgumentError(f"Input rank should be: 4 instead of: {x.ndim}")
    return x if fmt == "NHWC" else np.transpose(x, (0, 2, 3, 1))


def _back(y: np.ndarray, data_format: str) -> np.ndarray:
    return y if text(data_format) == "NHWC" else np.transpose(y, (0, 3, 1, 2))


def space_to_depth(input: np.ndarray, *, block_size: int, data_format: str = "NHWC") -> np.ndarray:  # noqa: A002
    x = _nhwc(input, data_format)
    n, h, w, c = x.shape
    bs = block_size
    if bs < 2 or h % bs or w % bs:
        raise InvalidArgumentError(
            f"Image height {h} and width {w} must be divisible by block_size: {bs}"
        )
    y = x.reshape(n, h // bs, bs, w // bs, bs, c).transpose(0, 1, 3, 2, 4, 5)
    return _back(y.reshape(n, h // bs, w // bs, bs * bs * c), data_format)


def depth_to_space(input: np.ndarray, *, block_size: int, data_format: str = "NHWC") -> np.ndarray:  # noqa: A002
    x = _nhwc(input, data_format)
    n, h, w, c = x.shape
    bs = block_size
    if bs < 2 or c % (bs * bs):
        raise InvalidArgumentError(f"Input depth dimension {c} should be divisible by: {bs * bs}")
    y = x.reshape(n, h, w, bs, bs, c // (bs * bs)).transpose(0, 1, 3, 2, 4, 5)
    return _back(y.reshape(n, h * bs, w * bs, c // (bs * bs)), data_format)


def matrix_band_part(input: np.ndarray, num_lower: np.ndarray, num_upper: np.ndarray) -> np.ndarray:  # noqa: A002
    if input.ndim < 2:
        raise InvalidArgumentError(f"input must be at least 2-dim, received shape: {input.shape}")
    lower, upper = scalar(num_lower, "num_lower"), scalar(num_upper, "num_upper")
    m, n = input.shape[-2:]
    if lower > m or upper > n:
        raise InvalidArgumentError(
            f"num_lower ({lower}) / num_upper ({upper}) must not exceed the matrix size {m}x{n}"
        )
    i = np.arange(m)[:, None]
    j = np.arange(n)[None, :]
    keep = ((lower < 0) | (i - j <= lower)) & ((upper < 0) | (j - i <= upper))
    zero = b"" if input.dtype == OBJECT else 0
    return np.where(keep, input, np.array(zero, dtype=input.dtype))


def roll(input: np.ndarray, shift: np.ndarray, axis_: np.ndarray) -> np.ndarray:  # noqa: A002
    shifts = np.ravel(shift).tolist()
    axes = np.ravel(axis_).tolist()
    if shift.ndim > 1 or axis_.ndim > 1 or len(shifts) != len(axes):
        raise InvalidArgumentError(
            f"shift and axis must be scalars or vectors of the same size, got"
            f" {shape_str(shift.shape)} and {shape_str(axis_.shape)}"
        )
    if input.ndim == 0:
        raise InvalidArgumentError("input must be 1-D or higher")
    total: dict[int, int] = {}
    for s, a in zip(shifts, axes, strict=True):
        a = axis(a, input.ndim)
        total[a] = total.get(a, 0) + s  # repeated axes add up, as in TF
    if not total:
        return input
    return np.roll(input, list(total.values()), axis=list(total))


def extract_image_patches(
    images: np.ndarray, *, ksizes: list[int], strides: list[int], rates: list[int], padding: str
) -> np.ndarray:
    if images.ndim != 4:
        raise InvalidArgumentError(f"input must be 4-dimensional{shape_str(images.shape)}")
    for name, values in (("ksizes", ksizes), ("strides", strides), ("rates", rates)):
        if len(values) != 4 or values[0] != 1 or values[3] != 1:
            raise InvalidArgumentError(
                f"Only support {name} across space: {name} must be [1, x, y, 1], got {values}"
            )
    kh, kw = ksizes[1:3]
    geo = spatial_geometry(images.shape[1:3], (kh, kw), strides[1:3], rates[1:3], text(padding))
    n, c = images.shape[0], images.shape[3]
    check_allocation((n, *geo.out, kh * kw * c), images.dtype, "ExtractImagePatches")
    x = np.pad(images, [(0, 0), *geo.pad, (0, 0)]) if any(p != (0, 0) for p in geo.pad) else images
    out = np.empty((n, *geo.out, kh, kw, c), dtype=images.dtype)
    for i in range(kh):
        for j in range(kw):
            r0, c0 = i * rates[1], j * rates[2]
            out[:, :, :, i, j] = x[
                :,
                r0 : r0 + (geo.out[0] - 1) * strides[1] + 1 : strides[1],
                c0 : c0 + (geo.out[1] - 1) * strides[2] + 1 : strides[2],
            ]
    return out.reshape(n, *geo.out, kh * kw * c)


register("Roll", roll)
register("ExtractImagePatches", extract_image_patches)
register("Pad", pad)
register("PadV2", pad_v2)
register("MirrorPad", mirror_pad)
register("ReverseV2", reverse_v2)
register("Reverse", reverse)
register("ReverseSequence", reverse_sequence)
register("SpaceToBatchND", space_to_batch_nd)
register("BatchToSpaceND", batch_to_space_nd)
register("SpaceToDepth", space_to_depth)
register("DepthToSpace", depth_to_space)
register("MatrixBandPart", matrix_band_part)
