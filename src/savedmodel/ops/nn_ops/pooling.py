"""Pooling: MaxPool, MaxPoolV2, MaxPool3D, AvgPool, AvgPool3D.

Both reduce over the window with one vectorised step per window tap (a strided view of the
padded input), never per pixel. MaxPool skips NaN the way TensorFlow's comparisons do (a window of
NaNs gives the lowest value); AvgPool divides by the number of real (unpadded) cells in each
window, so SAME padding does not pull averages towards zero.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from savedmodel.errors import InvalidArgumentError
from savedmodel.ops._common import array, compute_dtype, is_floating, shape_str, text, vector
from savedmodel.ops.nn_ops.conv import Geometry, Layout, spatial_geometry
from savedmodel.ops.registry import register


def _taps(x: np.ndarray, geo: Geometry, window, strides, fill):
    """Yield, per window tap, the [N, *out, C] strided view of the padded input."""
    if any(p != (0, 0) for p in geo.pad):
        x = np.pad(x, [(0, 0), *geo.pad, (0, 0)], constant_values=fill)
    for tap in itertools.product(*(range(k) for k in window)):
        index = (slice(None),)
        index += tuple(
            slice(i, i + (n - 1) * s + 1, s) if n else slice(0, 0)
            for i, n, s in zip(tap, geo.out, strides, strict=True)
        )
        yield x[index]


def _setup(x: np.ndarray, ksize, strides, padding, data_format, explicit_paddings, nd):
    if x.ndim != nd + 2:
        raise InvalidArgumentError(f"input must be {nd + 2}-dimensional: {shape_str(x.shape)}")
    layout = Layout.parse(data_format, nd + 2)
    window = layout.spatial(list(ksize), "ksize")
    st = layout.spatial(list(strides), "strides")
    pad = text(padding)
    explicit = layout.explicit(list(explicit_paddings)) if pad == "EXPLICIT" else None
    xl = layout.to_last(x)
    if any(k <= 0 for k in window) or any(s <= 0 for s in st):
        raise InvalidArgumentError(f"ksize and strides must be positive: {ksize} {strides}")
    geo = spatial_geometry(xl.shape[1:-1], window, st, (1,) * nd, pad, explicit)
    if pad == "EXPLICIT" and any(
        b >= k or a >= k for (b, a), k in zip(geo.pad, window, strict=True)
    ):
        raise InvalidArgumentError("Explicit padding must be smaller than the window size")
    return layout, xl, window, st, geo


def _max_pool(x, ksize, strides, padding, data_format, explicit_paddings, nd) -> np.ndarray:
    layout, xl, window, st, geo = _setup(x, ksize, strides, padding, data_format,
                                         explicit_paddings, nd)  # fmt: skip
    if is_floating(x.dtype):
        # NOTE: TF's max pooling starts from the lowest finite value and compares with >, so NaN
        # never wins and a window with only NaN gives the lowest value.
        low = np.finfo(compute_dtype(x.dtype)).min
        fill = -np.inf
        out = np.full((xl.shape[0], *geo.out, xl.shape[-1]), low, dtype=compute_dtype(x.dtype))
        src = xl.astype(out.dtype, copy=False)
        for view in _taps(src, geo, window, st, fill):
            np.fmax(out, view, out=out)
        out = out.astype(x.dtype, copy=False)
    else:
        low = np.iinfo(x.dtype).min
        out = np.full((xl.shape[0], *geo.out, xl.shape[-1]), low, dtype=x.dtype)
        for view in _taps(xl, geo, window, st, low):
            np.maximum(out, view, out=out)
    return array(layout.from_last(out))


def _cell_counts(in_sizes, geo: Geometry, window, strides) -> np.ndarray:
    """Number of unpadded cells in each output window, as a [*out, 1] array."""
    counts = None
    for size, n, (before, _), k, s in zip(in_sizes, geo.out, geo.pad, window, strides, strict=True):
        start = np.arange(n) * s - before
        c = np.minimum(start + k, size) - np.maximum(start, 0)
        counts = c if counts is None else np.multiply.outer(counts, c)
    return counts[..., None]


def _avg_pool(x, ksize, strides, padding, data_format, nd) -> np.ndarray:
    layout, xl, window, st, geo = _setup(x, ksize, strides, padding, data_format, (), nd)
    acc = compute_dtype(x.dtype)
    out = np.zeros((xl.shape[0], *geo.out, xl.shape[-1]), dtype=acc)
    for view in _taps(xl.astype(acc, copy=False), geo, window, st, 0):
        out += view
    if math.prod(geo.out):
        out /= _cell_counts(xl.shape[1:-1], geo, window, st).astype(acc)
    return array(layout.from_last(out.astype(x.dtype, copy=False)))


def max_pool(
    input: np.ndarray,  # noqa: A002
    *,
    ksize: list[int],
    strides: list[int],
    padding: str,
    explicit_paddings: list[int] = (),
    data_format: str = "NHWC",
) -> np.ndarray:
    return _max_pool(input, ksize, strides, padding, data_format, explicit_paddings, 2)


def max_pool_v2(
    input: np.ndarray,  # noqa: A002
    ksize: np.ndarray,
    strides: np.ndarray,
    *,
    padding: str,
    data_format: str = "NHWC",
) -> np.ndarray:
    return _max_pool(
        input, vector(ksize, "ksize"), vector(strides, "strides"), padding, data_format, (), 2
    )


def max_pool_3d(
    input: np.ndarray, *, ksize: list[int], strides: list[int], padding: str,  # noqa: A002
    data_format: str = "NDHWC",
) -> np.ndarray:  # fmt: skip
    return _max_pool(input, ksize, strides, padding, data_format, (), 3)


def avg_pool(
    value: np.ndarray, *, ksize: list[int], strides: list[int], padding: str,
    data_format: str = "NHWC",
) -> np.ndarray:  # fmt: skip
    return _avg_pool(value, ksize, strides, padding, data_format, 2)


def avg_pool_3d(
    input: np.ndarray, *, ksize: list[int], strides: list[int], padding: str,  # noqa: A002
    data_format: str = "NDHWC",
) -> np.ndarray:  # fmt: skip
    return _avg_pool(input, ksize, strides, padding, data_format, 3)


register("MaxPool", max_pool)
register("MaxPoolV2", max_pool_v2)
register("MaxPool3D", max_pool_3d)
register("AvgPool", avg_pool)
register("AvgPool3D", avg_pool_3d)
