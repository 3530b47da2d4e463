"""Convolutions: Conv2D, Conv3D, DepthwiseConv2dNative, Conv2DBackpropInput and
Conv3DBackpropInputV2, for any padding (SAME, VALID, EXPLICIT), stride and dilation.

Forward convolutions are im2col + one BLAS matmul: the padded input is viewed as its patches
[N, *out, *window, C] (strides only, no copy), a block of output rows at a time is copied into a
patch matrix (bounding the temporary) and multiplied by the filter matrix, straight into the
output where it is contiguous. Transposed convolutions run one BLAS product per filter tap and
scatter-add it back with one strided add; depthwise ones one multiply and one add per tap over
a cache-sized block (per-channel products are too small for BLAS); at stride 1 each tap's source
is one contiguous range of the flattened padded image. No Python loop runs over pixels.
Channels-first layouts are transposed to channels-last and back.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import as_strided

from savedmodel.errors import InvalidArgumentError
from savedmodel.ops._common import (
    array,
    check_allocation,
    compute_dtype,
    shape_str,
    text,
    vector,
)
from savedmodel.ops.registry import register

# Upper bound on one im2col patch block, in elements (the matmul then runs per block).
_PATCH_BLOCK = 1 << 22
# Output elements per depthwise block (about 256 KiB of float32, to stay in cache).
_DEPTHWISE_BLOCK = 1 << 16


@dataclass(frozen=True)
class Geometry:
    """Spatial geometry of one convolution or pooling (channels-last)."""

    out: tuple[int, ...]
    pad: tuple[tuple[int, int], ...]


def spatial_geometry(
    in_sizes: tuple[int, ...],
    window: tuple[int, ...],
    strides: tuple[int, ...],
    dilations: tuple[int, ...],
    padding: str,
    explicit: list[tuple[int, int]] | None = None,
) -> Geometry:
    """Output sizes and (before, after) paddings, as TensorFlow's GetWindowedOutputSize."""
    out, pad = [], []
    for d, (size, k, s, r) in enumerate(zip(in_sizes, window, strides, dilations, strict=True)):
        eff = (k - 1) * r + 1
        if padding == "VALID":
            n = (size - eff + s) // s
            before = after = 0
        elif padding == "SAME":
            n = -(-size // s)
            total = max((n - 1) * s + eff - size, 0)
            before, after = total // 2, total - total // 2
        elif padding == "EXPLICIT":
            before, after = explicit[d]
            n = (size + before + after - eff) // s + 1
        else:
            raise InvalidArgumentError(f"Unknown padding type: {padding}")
        if n < 0 or (padding == "EXPLICIT" and size + before + after < eff):
            raise InvalidArgumentError(
                f"Computed output size would be negative: {n} [input_size: {size},"
                f" effective_filter_size: {eff}, stride: {s}]"
            )
        out.append(max(n, 0))
        pad.append((before, after))
    return Geometry(tuple(out), tuple(pad))


@dataclass(frozen=True)
class Layout:
    """Where batch, spatial and channel dims sit for a data_format string."""

    channels_first: bool
    rank: int

    @classmethod
    def parse(cls, data_format: str, rank: int) -> Layout:
        fmt = text(data_format)
        if fmt not in ("NHWC", "NCHW", "NDHWC", "NCDHW", "NWC", "NCW"):
            raise InvalidArgumentError(f"Unsupported data_format {fmt}")
        if len(fmt) != rank:
            raise InvalidArgumentError(f"data_format {fmt} does not fit an input of rank {rank}")
        return cls(fmt[1] == "C", rank)

    def to_last(self, x: np.ndarray) -> np.ndarray:
        return np.moveaxis(x, 1, -1) if self.channels_first else x

    def from_last(self, x: np.ndarray) -> np.ndarray:
        return np.moveaxis(x, -1, 1) if self.channels_first else x

    def spatial(self, values: list[int], what: str) -> tuple[int, ...]:
        """The spatial entries of a per-dimension attr (strides, ksize, dilations)."""
        if len(values) != self.rank:
            raise InvalidArgumentError(
                f"Sliding window {what} field must specify {self.rank} dimensions"
            )
        batch, chan = values[0], values[1 if self.channels_first else -1]
        if batch != 1 or chan != 1:
            raise InvalidArgumentError(
                f"Current implementation does not yet support {what} in the batch and depth"
                " dimensions."
            )
        return tuple(values[2:] if self.channels_first else values[1:-1])

    def explicit(self, values: list[int]) -> list[tuple[int, int]]:
        pairs = [(values[2 * i], values[2 * i + 1]) for i in range(len(values) // 2)]
        if len(pairs) != self.rank or any(a < 0 or b < 0 for a, b in pairs):
            raise InvalidArgumentError(
                f"explicit_paddings attribute must contain {2 * self.rank} non-negative values,"
                f" got {values}"
            )
        return pairs[2:] if self.channels_first else pairs[1:-1]


def _padded(x: np.ndarray, geo: Geometry) -> np.ndarray:
    """The channels-last input with its spatial padding, C-contiguous."""
    if any(p != (0, 0) for p in geo.pad):
        return np.pad(x, [(0, 0), *geo.pad, (0, 0)])
    return np.ascontiguousarray(x)


def _patches(xp: np.ndarray, geo: Geometry, window, strides, dilations) -> np.ndarray:
    """[N, *out, *window, C] read-only strided view of the padded input: the im2col patches
    without a copy (copying a block of it gives rows of taps * C contiguous columns)."""
    step = xp.strides
    shape = (xp.shape[0], *geo.out, *window, xp.shape[-1])
    strides = (
        step[0],
        *(st * s for st, s in zip(step[1:-1], strides, strict=True)),
        *(st * r for st, r in zip(step[1:-1], dilations, strict=True)),
        step[-1],
    )
    return as_strided(xp, shape, strides, writeable=False)


def _row_blocks(rows: int, per_row: int) -> list[tuple[int, int]]:
    step = max(1, _PATCH_BLOCK // max(per_row, 1))
    return [(lo, min(lo + step, rows)) for lo in range(0, rows, step)]


def convolve(
    x: np.ndarray,
    filt: np.ndarray,
    geo: Geometry,
    strides: tuple[int, ...],
    dilations: tuple[int, ...],
) -> np.ndarray:
    """Channels-last convolution; filter [*window, Cin/groups, Cout]."""
    acc = compute_dtype(x.dtype)
    window = filt.shape[:-2]
    cin, cout = x.shape[-1], filt.shape[-1]
    per_group = filt.shape[-2]
    if per_group == 0 or cin % per_group or cout % (cin // per_group):
        raise InvalidArgumentError(
            f"input depth must be evenly divisible by filter depth: {cin} vs {per_group}"
        )
    groups = cin // per_group
    xa = x.astype(acc, copy=False)
    fa = filt.astype(acc, copy=False)
    n = x.shape[0]
    out = np.empty((n, *geo.out, cout), dtype=acc)
    if (
        all(k == 1 for k in window)
        and all(s == 1 for s in strides)
        and groups == 1
        and not any(p != (0, 0) for p in geo.pad)
    ):
        # 1x1 convolution: a plain matmul over all pixels.
        out[...] = (xa.reshape(-1, cin) @ fa.reshape(cin, cout)).reshape(out.shape)
        return out
    ktaps = math.prod(window)
    # Filter as [groups, taps * Cin/groups, Cout/groups], matching patch columns (taps, C).
    og = cout // groups
    fmat = fa.reshape(ktaps, per_group, groups, og).transpose(2, 0, 1, 3)
    fmat = fmat.reshape(groups, ktaps * per_group, og)
    if out.size == 0:
        return out
    win = _patches(_padded(xa, geo), geo, window, strides, dilations)
    per_row = n * math.prod(geo.out[1:]) * ktaps * cin
    for lo, hi in _row_blocks(geo.out[0], per_row):
        patches = np.ascontiguousarray(win[:, lo:hi]).reshape(-1, ktaps * cin)
        target = out[:, lo:hi]
        if groups == 1 and target.flags.c_contiguous:
            # The product lands in the output directly (one batch, or one block).
            np.matmul(patches, fmat[0], out=target.reshape(len(patches), cout))
            continue
        if groups == 1:
            res = patches @ fmat[0]
        else:
            p = patches.reshape(len(patches), ktaps, groups, per_group).transpose(2, 0, 1, 3)
            res = np.matmul(p.reshape(groups, len(patches), -1), fmat)  # [G, rows, og]
            res = res.transpose(1, 0, 2).reshape(len(patches), cout)
        target[...] = res.reshape(target.shape)
    return out


def depthwise(x: np.ndarray, filt: np.ndarray, geo: Geometry, strides, dilations) -> np.ndarray:
    """Channels-last depthwise convolution; filter [*window, C, multiplier].

    A sum over the filter taps of the tap's view of the padded input times its per-channel
    weights (per-channel products are too small for BLAS to pay off), a cache-sized block of
    output at a time: the first tap multiplies into the block, each next one multiplies into a
    scratch block and adds it, in tap order.
    """
    acc = compute_dtype(x.dtype)
    window = filt.shape[:-2]
    c, mult = filt.shape[-2:]
    if x.shape[-1] != c:
        raise InvalidArgumentError(
            f"input and filter must have the same depth: {x.shape[-1]} vs {c}"
        )
    n = x.shape[0]
    if n * math.prod(geo.out) * c * mult == 0:
        return np.zeros((n, *geo.out, c * mult), dtype=acc)
    xa = x.astype(acc, copy=False)
    # Weights as [tap, multiplier, C]: the inner loop runs over the channels (long); outputs are
    # [..., multiplier, C] until TF's channel order c * multiplier + m is made at the end.
    weights = np.ascontiguousarray(np.swapaxes(filt.astype(acc).reshape(-1, c, mult), 1, 2))
    if len(window) == 2 and all(s == 1 for s in strides):
        out = _depthwise_rows(xa, weights, geo, window, dilations)
    else:
        out = _depthwise_views(xa, weights, geo, window, strides, dilations)
    return np.swapaxes(out, -1, -2).reshape(n, *geo.out, c * mult)


def _accumulate(block: np.ndarray, scratch: np.ndarray, sources, weights: np.ndarray) -> None:
    for t, source in enumerate(sources):
        np.multiply(source, weights[t], out=block if t == 0 else scratch)
        if t:
            block += scratch


def _depthwise_rows(xa, weights, geo: Geometry, window, dilations) -> np.ndarray:
    """Stride 1: each tap reads the padded image, flattened, at a fixed offset, so a block of
    output is one contiguous range of every tap's source. Outputs are computed on the padded
    width (the extra columns are dropped at the end)."""
    n, _, _, c = xa.shape
    (ho, wo), (kh, kw), (dh, dw) = geo.out, window, dilations
    (top, bottom), (left, right) = geo.pad
    hp, wp = xa.shape[1] + top + bottom, xa.shape[2] + left + right
    tail = (kw - 1) * dw  # the last row's windows read this far past the image
    flat = np.zeros((n, (hp * wp + tail) * c), dtype=xa.dtype)
    image = flat[:, : hp * wp * c].reshape(n, hp, wp, c)
    image[:, top : top + xa.shape[1], left : left + xa.shape[2]] = xa
    pixels = flat.reshape(n, hp * wp + tail, 1, c)
    mult = weights.shape[1]
    out = np.empty((n, ho * wp, mult, c), dtype=xa.dtype)
    offsets = [i * dh * wp + j * dw for i in range(kh) for j in range(kw)]
    step = max(1, _DEPTHWISE_BLOCK // (mult * c))
    scratch = np.empty((min(step, ho * wp), mult, c), dtype=xa.dtype)
    for b in range(n):
        for lo in range(0, ho * wp, step):
            hi = min(lo + step, ho * wp)
            sources = [pixels[b, lo + o : hi + o] for o in offsets]
            _accumulate(out[b, lo:hi], scratch[: hi - lo], sources, weights)
    return out.reshape(n, ho, wp, mult, c)[:, :, :wo]


def _depthwise_views(xa, weights, geo: Geometry, window, strides, dilations) -> np.ndarray:
    """Any stride and rank: each tap's source is a strided view, a block of output rows at a
    time."""
    n, c = xa.shape[0], xa.shape[-1]
    mult = weights.shape[1]
    win = _patches(_padded(xa, geo), geo, window, strides, dilations)
    taps = list(itertools.product(*(range(k) for k in window)))
    out = np.empty((n, *geo.out, mult, c), dtype=xa.dtype)
    step = max(1, _DEPTHWISE_BLOCK // (n * math.prod(geo.out[1:]) * mult * c))
    scratch = np.empty((n, min(step, geo.out[0]), *geo.out[1:], mult, c), dtype=xa.dtype)
    rest = (slice(None),) * (len(window) - 1)
    for lo in range(0, geo.out[0], step):
        hi = min(lo + step, geo.out[0])
        sources = [win[(slice(None), slice(lo, hi), *rest, *tap)][..., None, :] for tap in taps]
        _accumulate(out[:, lo:hi], scratch[:, : hi - lo], sources, weights)
    return out


def _forward(
    nd: int,
    depthwise_conv: bool,
    input: np.ndarray,  # noqa: A002
    filter: np.ndarray,  # noqa: A002
    strides: list[int],
    padding: str,
    explicit_paddings: list[int],
    data_format: str,
    dilations: list[int],
) -> np.ndarray:
    layout = Layout.parse(data_format, nd + 2)
    if input.ndim != nd + 2 or filter.ndim != nd + 2:
        raise InvalidArgumentError(
            f"input and filter must be {nd + 2}-dimensional: {shape_str(input.shape)}"
            f" {shape_str(filter.shape)}"
        )
    st = layout.spatial(list(strides), "strides")
    dl = layout.spatial(list(dilations), "dilations") if dilations else (1,) * nd
    pad = text(padding)
    explicit = layout.explicit(list(explicit_paddings)) if pad == "EXPLICIT" else None
    x = layout.to_last(input)
    geo = spatial_geometry(x.shape[1:-1], filter.shape[:nd], st, dl, pad, explicit)
    fn = depthwise if depthwise_conv else convolve
    out = fn(x, filter, geo, st, dl)
    return array(layout.from_last(out.astype(input.dtype, copy=False)))


def _backprop(
    nd: int,
    input_sizes: np.ndarray,
    filter: np.ndarray,  # noqa: A002
    out_backprop: np.ndarray,
    strides: list[int],
    padding: str,
    explicit_paddings: list[int],
    data_format: str,
    dilations: list[int],
) -> np.ndarray:
    layout = Layout.parse(data_format, nd + 2)
    sizes = vector(input_sizes, "input_sizes")
    dy = layout.to_last(out_backprop)
    cin, cout = filter.shape[-2:]
    if len(sizes) == nd:  # spatial sizes only: batch and depth come from dy and the filter
        in_shape = (dy.shape[0], *sizes, cin)
    elif len(sizes) == nd + 2:
        first = layout.channels_first
        in_shape = (sizes[0], *sizes[2:], sizes[1]) if first else tuple(sizes)
    else:
        raise InvalidArgumentError(f"input_sizes must have {nd + 2} elements, got {sizes}")
    st = layout.spatial(list(strides), "strides")
    dl = layout.spatial(list(dilations), "dilations") if dilations else (1,) * nd
    pad = text(padding)
    explicit = layout.explicit(list(explicit_paddings)) if pad == "EXPLICIT" else None
    window = filter.shape[:nd]
    check_allocation(in_shape, filter.dtype, f"Conv{nd}DBackpropInput")
    geo = spatial_geometry(in_shape[1:-1], window, st, dl, pad, explicit)
    expected = (in_shape[0], *geo.out, cout)
    if dy.shape != expected or in_shape[-1] != cin:
        raise InvalidArgumentError(
            f"Conv{nd}DBackpropInput: out_backprop shape {shape_str(dy.shape)} does not match"
            f" the forward output {shape_str(expected)} of input {shape_str(in_shape)}"
        )
    acc = compute_dtype(out_backprop.dtype)
    ktaps = math.prod(window)
    # Filter taps as [taps, Cout, Cin]: one BLAS product per tap gives a contiguous column block.
    taps_t = np.ascontiguousarray(
        filter.astype(acc, copy=False).reshape(ktaps, cin, cout).transpose(0, 2, 1)
    )
    dy_rows = dy.astype(acc, copy=False).reshape(-1, cout)
    padded = [
        max(size + b + a, (o - 1) * s + (k - 1) * r + 1)
        for size, (b, a), o, s, k, r in zip(
            in_shape[1:-1], geo.pad, geo.out, st, window, dl, strict=True
        )
    ]
    dx = np.zeros((in_shape[0], *padded, cin), dtype=acc)
    for t, tap in enumerate(itertools.product(*(range(k) for k in window))):
        index = (slice(None),)
        index += tuple(
            slice(i * r, i * r + (o - 1) * s + 1, s)
            for i, r, o, s in zip(tap, dl, geo.out, st, strict=True)
        )
        dx[index] += (dy_rows @ taps_t[t]).reshape((in_shape[0], *geo.out, cin))
    crop = (slice(None),)
    crop += tuple(slice(b, b + size) for (b, _), size in zip(geo.pad, in_shape[1:-1], strict=True))
    out = dx[crop].astype(out_backprop.dtype, copy=False)
    return array(layout.from_last(out))


# One kernel per op, with exactly its OpDef's attrs (use_cudnn_on_gpu is a GPU hint: ignored).


def conv2d(
    input: np.ndarray,  # noqa: A002
    filter: np.ndarray,  # noqa: A002
    *,
    strides: list[int],
    padding: str,
    explicit_paddings: list[int] = (),
    data_format: str = "NHWC",
    dilations: list[int] = (),
    use_cudnn_on_gpu: bool = True,
) -> np.ndarray:
    return _forward(2, False, input, filter, strides, padding, explicit_paddings, data_format,
                    dilations)  # fmt: skip


def conv3d(
    input: np.ndarray,  # noqa: A002
    filter: np.ndarray,  # noqa: A002
    *,
    strides: list[int],
    padding: str,
    data_format: str = "NDHWC",
    dilations: list[int] = (),
) -> np.ndarray:
    return _forward(3, False, input, filter, strides, padding, (), data_format, dilations)


def depthwise_conv2d_native(
    input: np.ndarray,  # noqa: A002
    filter: np.ndarray,  # noqa: A002
    *,
    strides: list[int],
    padding: str,
    explicit_paddings: list[int] = (),
    data_format: str = "NHWC",
    dilations: list[int] = (),
) -> np.ndarray:
    return _forward(2, True, input, filter, strides, padding, explicit_paddings, data_format,
                    dilations)  # fmt: skip


def conv2d_backprop_input(
    input_sizes: np.ndarray,
    filter: np.ndarray,  # noqa: A002
    out_backprop: np.ndarray,
    *,
    strides: list[int],
    padding: str,
    explicit_paddings: list[int] = (),
    data_format: str = "NHWC",
    dilations: list[int] = (),
    use_cudnn_on_gpu: bool = True,
) -> np.ndarray:
    return _backprop(2, input_sizes, filter, out_backprop, strides, padding, explicit_paddings,
                     data_format, dilations)  # fmt: skip


def conv3d_backprop_input_v2(
    input_sizes: np.ndarray,
    filter: np.ndarray,  # noqa: A002
    out_backprop: np.ndarray,
    *,
    strides: list[int],
    padding: str,
    data_format: str = "NDHWC",
    dilations: list[int] = (),
) -> np.ndarray:
    return _backprop(3, input_sizes, filter, out_backprop, strides, padding, (), data_format,
                     dilations)  # fmt: skip


register("Conv2D", conv2d)
register("Conv3D", conv3d)
register("DepthwiseConv2dNative", depthwise_conv2d_native)
register("Conv2DBackpropInput", conv2d_backprop_input)
register("Conv3DBackpropInputV2", conv3d_backprop_input_v2)
