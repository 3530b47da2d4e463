"""Image resizing kernels: ResizeBilinear, ResizeNearestNeighbor and ResizeBicubic (NHWC).

Source coordinates are computed per output row and column (1-D), in float32 with TensorFlow's
formulas: scale = in / out, or (in - 1) / (out - 1) with align_corners; half-pixel centres map
y to (y + 0.5) * scale - 0.5 (nearest neighbour: (y + 0.5) * scale). The interpolation then runs
on whole gathered planes, with TensorFlow's operation order, so float32 results match bit for bit
(bicubic included: TensorFlow looks its weights up in a table of 1024 phases, and so do we).
"""

from __future__ import annotations

import functools

import numpy as np

from savedmodel.errors import InvalidArgumentError
from savedmodel.ops._common import FLOAT32, array, check_allocation, shape_str, vector
from savedmodel.ops.registry import register

_F = np.float32


def _output_size(images: np.ndarray, size: np.ndarray) -> tuple[int, int]:
    if images.ndim != 4:
        raise InvalidArgumentError(f"input must be 4-dimensional{shape_str(images.shape)}")
    dims = vector(size, "size")
    if len(dims) != 2:
        raise InvalidArgumentError(f"shape_t must have two elements{shape_str(size.shape)}")
    if dims[0] <= 0 or dims[1] <= 0:
        raise InvalidArgumentError(f"output dimensions must be positive, got {dims}")
    check_allocation((images.shape[0], dims[0], dims[1], images.shape[3]), FLOAT32, "resize")
    if images.shape[1] == 0 or images.shape[2] == 0:
        if images.shape[0] and images.shape[3]:
            raise InvalidArgumentError(
                f"input image must be of non-zero size, got {shape_str(images.shape)}"
            )
    return dims[0], dims[1]


def _scale(in_size: int, out_size: int, align_corners: bool) -> np.float32:
    if align_corners and out_size > 1:
        return _F(in_size - 1) / _F(out_size - 1)
    return _F(in_size) / _F(out_size)


def _check_flags(align_corners: bool, half_pixel_centers: bool) -> None:
    if align_corners and half_pixel_centers:
        raise InvalidArgumentError("If half_pixel_centers is True, align_corners must be False.")


def _linear_axis(in_size: int, out_size: int, align: bool, half: bool):
    """Lower/upper source index and interpolation weight per output position."""
    scale = _scale(in_size, out_size, align)
    pos = np.arange(out_size, dtype=_F)
    src = (pos + _F(0.5)) * scale - _F(0.5) if half else pos * scale
    floor = np.floor(src)
    lower = np.maximum(floor, 0).astype(np.int64)
    upper = np.minimum(np.ceil(src).astype(np.int64), in_size - 1)
    return lower, upper, (src - floor).astype(_F)


def resize_bilinear(
    images: np.ndarray,
    size: np.ndarray,
    *,
    align_corners: bool = False,
    half_pixel_centers: bool = False,
) -> np.ndarray:
    _check_flags(align_corners, half_pixel_centers)
    out_h, out_w = _output_size(images, size)
    n, in_h, in_w, c = images.shape
    x = images.astype(FLOAT32, copy=False)
    if x.size == 0:
        return np.zeros((n, out_h, out_w, c), FLOAT32)
    y0, y1, ylerp = _linear_axis(in_h, out_h, align_corners, half_pixel_centers)
    x0, x1, xlerp = _linear_axis(in_w, out_w, align_corners, half_pixel_centers)
    top_rows, bottom_rows = x[:, y0], x[:, y1]
    xl = xlerp[None, None, :, None]
    top = top_rows[:, :, x0]
    top = top + (top_rows[:, :, x1] - top) * xl
    bottom = bottom_rows[:, :, x0]
    bottom = bottom + (bottom_rows[:, :, x1] - bottom) * xl
    return array(top + (bottom - top) * ylerp[None, :, None, None])


def _nearest_axis(in_size: int, out_size: int, align: bool, half: bool) -> np.ndarray:
    scale = _scale(in_size, out_size, align)
    pos = np.arange(out_size, dtype=_F)
    src = (pos + _F(0.5)) * scale if half else pos * scale
    # NOTE: align_corners rounds half away from zero (roundf), else floor.
    idx = np.trunc(src + _F(0.5)) if align else np.floor(src)
    idx = np.minimum(idx.astype(np.int64), in_size - 1)
    return np.maximum(idx, 0) if half else idx


def resize_nearest_neighbor(
    images: np.ndarray,
    size: np.ndarray,
    *,
    align_corners: bool = False,
    half_pixel_centers: bool = False,
) -> np.ndarray:
    _check_flags(align_corners, half_pixel_centers)
    out_h, out_w = _output_size(images, size)
    n, in_h, in_w, c = images.shape
    if images.size == 0:
        return np.zeros((n, out_h, out_w, c), images.dtype)
    rows = _nearest_axis(in_h, out_h, align_corners, half_pixel_centers)
    cols = _nearest_axis(in_w, out_w, align_corners, half_pixel_centers)
    return array(images[:, rows][:, :, cols])


_TABLE_SIZE = 1024  # NOTE: TF quantises the bicubic phase to 1/1024 and looks weights up


@functools.cache
def _cubic_table(a: float) -> np.ndarray:
    """Keys-cubic weights at phases i / 1024 (evaluated in double, stored as float32): column 0
    for distance x, column 1 for distance x + 1."""
    x = np.arange(_TABLE_SIZE + 1, dtype=np.float64) / _TABLE_SIZE
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    x1 = x + 1
    far = ((a * x1 - 5 * a) * x1 + 8 * a) * x1 - 4 * a
    return np.stack([near, far], axis=1).astype(_F)


def _cubic_axis(in_size: int, out_size: int, align: bool, half: bool):
    """Four clamped source indices and their weights per output position."""
    table = _cubic_table(-0.5 if half else -0.75)  # NOTE: A = -0.5 with half-pixel centres
    scale = _scale(in_size, out_size, align)
    pos = np.arange(out_size, dtype=_F)
    src = (pos + _F(0.5)) * scale - _F(0.5) if half else pos * scale
    start = np.floor(src)
    phase = np.rint((src - start) * _F(_TABLE_SIZE)).astype(np.int64)
    start = start.astype(np.int64)
    w = [table[phase, 1], table[phase, 0], table[_TABLE_SIZE - phase, 0],
         table[_TABLE_SIZE - phase, 1]]  # fmt: skip
    idx = [np.clip(start + k, 0, in_size - 1) for k in (-1, 0, 1, 2)]
    if half:
        # Taps outside the image get weight 0 and the rest are renormalised (unless ~0).
        w = [
            np.where(i == start + k, wk, _F(0))
            for i, wk, k in zip(idx, w, (-1, 0, 1, 2), strict=True)
        ]
        total = ((w[0] + w[1]) + w[2]) + w[3]
        ok = np.abs(total) >= _F(1000) * np.finfo(_F).tiny
        inv = np.where(ok, _F(1) / np.where(ok, total, _F(1)), _F(1))
        w = [np.where(ok, wk * inv, wk) for wk in w]
    return idx, w


def resize_bicubic(
    images: np.ndarray,
    size: np.ndarray,
    *,
    align_corners: bool = False,
    half_pixel_centers: bool = False,
) -> np.ndarray:
    _check_flags(align_corners, half_pixel_centers)
    out_h, out_w = _output_size(images, size)
    n, in_h, in_w, c = images.shape
    x = images.astype(FLOAT32, copy=False)
    if x.size == 0:
        return np.zeros((n, out_h, out_w, c), FLOAT32)
    yi, yw = _cubic_axis(in_h, out_h, align_corners, half_pixel_centers)
    xi, xw = _cubic_axis(in_w, out_w, align_corners, half_pixel_centers)
    rows = [x[:, i] for i in yi]
    ws = [w[None, :, None, None] for w in yw]
    # Each of the 4 column taps is first interpolated vertically, then the columns horizontally,
    # every sum taken left to right: TF's order, which makes float32 results bit-identical.
    acc = None
    for cidx, cw in zip(xi, xw, strict=True):
        v = [r[:, :, cidx] * w for r, w in zip(rows, ws, strict=True)]
        col = (((v[0] + v[1]) + v[2]) + v[3]) * cw[None, None, :, None]
        acc = col if acc is None else acc + col
    return array(acc)


register("ResizeBilinear", resize_bilinear)
register("ResizeNearestNeighbor", resize_nearest_neighbor)
register("ResizeBicubic", resize_bicubic)
