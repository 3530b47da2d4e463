"""Image kernels (NHWC): ResizeBilinear, ResizeNearestNeighbor, ResizeBicubic, CropAndResize
and NonMaxSuppressionV3/V4/V5.

Source coordinates are computed per output row and column (1-D), in float32 with TensorFlow's
formulas: scale = in / out, or (in - 1) / (out - 1) with align_corners; half-pixel centres map
y to (y + 0.5) * scale - 0.5 (nearest neighbour: (y + 0.5) * scale). The interpolation then runs
on whole gathered planes, with TensorFlow's operation order, so float32 results match bit for bit
(bicubic included: TensorFlow looks its weights up in a table of 1024 phases, and so do we).

NMS is greedy by score (ties: lower box index first): a box is kept when it beats score_threshold
(strictly) and its IoU with every kept box is at most iou_threshold. V5's soft-NMS (sigma > 0)
instead decays the other scores by exp(-iou^2 / (2 sigma)) after each pick. The loop runs once
per kept box, each step comparing against all candidates at once.
"""

from __future__ import annotations

import functools

import numpy as np

from savedmodel.errors import InvalidArgumentError, OutOfRangeError
from savedmodel.ops._common import (
    FLOAT32,
    array,
    check_allocation,
    scalar,
    shape_str,
    text,
    vector,
)
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


def _prepare(
    images: np.ndarray, size: np.ndarray, align: bool, half: bool
) -> tuple[np.ndarray, int, int]:
    """Checked flags and sizes; the images as float32 (what the interpolating resizes output)."""
    _check_flags(align, half)
    out_h, out_w = _output_size(images, size)
    return images.astype(FLOAT32, copy=False), out_h, out_w


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
    x, out_h, out_w = _prepare(images, size, align_corners, half_pixel_centers)
    if x.size == 0:
        return np.zeros((x.shape[0], out_h, out_w, x.shape[3]), FLOAT32)
    in_h, in_w = x.shape[1:3]
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
    x, out_h, out_w = _prepare(images, size, align_corners, half_pixel_centers)
    if x.size == 0:
        return np.zeros((x.shape[0], out_h, out_w, x.shape[3]), FLOAT32)
    in_h, in_w = x.shape[1:3]
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


def crop_and_resize(
    image: np.ndarray,
    boxes: np.ndarray,
    box_ind: np.ndarray,
    crop_size: np.ndarray,
    *,
    method: str = "bilinear",
    extrapolation_value: float = 0.0,
) -> np.ndarray:
    if image.ndim != 4:
        raise InvalidArgumentError(f"input image must be 4-D, got {shape_str(image.shape)}")
    if boxes.ndim != 2 or boxes.shape[1] != 4 or box_ind.shape != (boxes.shape[0],):
        raise InvalidArgumentError(
            f"boxes must be [num_boxes, 4] and box_ind [num_boxes]: {shape_str(boxes.shape)}"
            f" {shape_str(box_ind.shape)}"
        )
    ch, cw = vector(crop_size, "crop_size")
    if ch <= 0 or cw <= 0:
        raise InvalidArgumentError("crop dimensions must be positive")
    batch, height, width, depth = image.shape
    if box_ind.size and (box_ind.min() < 0 or box_ind.max() >= batch):
        raise OutOfRangeError(f"box_index has values outside [0, {batch})")
    n = boxes.shape[0]
    check_allocation((n, ch, cw, depth), FLOAT32, "CropAndResize")
    b = boxes.astype(_F)
    y1, x1, y2, x2 = (b[:, i : i + 1] for i in range(4))

    def coords(lo, hi, size, count):
        if count > 1:
            scale = (hi - lo) * _F(size - 1) / _F(count - 1)
            return lo * _F(size - 1) + np.arange(count, dtype=_F) * scale
        return np.broadcast_to(_F(0.5) * (lo + hi) * _F(size - 1), (lo.shape[0], 1))

    in_y = coords(y1, y2, height, ch)  # [n, ch]
    in_x = coords(x1, x2, width, cw)  # [n, cw]
    valid = ((in_y >= 0) & (in_y <= _F(height - 1)))[:, :, None] & (
        (in_x >= 0) & (in_x <= _F(width - 1))
    )[:, None, :]
    img = image.astype(_F, copy=False)
    bi = box_ind.astype(np.int64)[:, None, None]
    if text(method) == "nearest":
        # NOTE: roundf, i.e. halves away from zero (coordinates in range are >= 0).
        yi = np.clip(np.floor(in_y + _F(0.5)), 0, height - 1).astype(np.int64)
        xi = np.clip(np.floor(in_x + _F(0.5)), 0, width - 1).astype(np.int64)
        out = img[bi, yi[:, :, None], xi[:, None, :]]
    else:
        top = np.clip(np.floor(in_y), 0, height - 1).astype(np.int64)
        bottom = np.clip(np.ceil(in_y), 0, height - 1).astype(np.int64)
        left = np.clip(np.floor(in_x), 0, width - 1).astype(np.int64)
        right = np.clip(np.ceil(in_x), 0, width - 1).astype(np.int64)
        ylerp = (in_y - np.floor(in_y))[:, :, None, None]
        xlerp = (in_x - np.floor(in_x))[:, None, :, None]
        t, btm = top[:, :, None], bottom[:, :, None]
        lft, rgt = left[:, None, :], right[:, None, :]
        tl, tr = img[bi, t, lft], img[bi, t, rgt]
        bl, br = img[bi, btm, lft], img[bi, btm, rgt]
        upper = tl + (tr - tl) * xlerp
        lower = bl + (br - bl) * xlerp
        out = upper + (lower - upper) * ylerp
    out = np.where(valid[..., None], out, _F(extrapolation_value))
    return array(out.astype(FLOAT32, copy=False))


def _iou(box: np.ndarray, others: np.ndarray) -> np.ndarray:
    """IoU of one [4] box with [m, 4] boxes (corners in any order), in float32 like TF."""
    ymin = np.minimum(box[0], box[2])
    ymax = np.maximum(box[0], box[2])
    xmin = np.minimum(box[1], box[3])
    xmax = np.maximum(box[1], box[3])
    oymin = np.minimum(others[:, 0], others[:, 2])
    oymax = np.maximum(others[:, 0], others[:, 2])
    oxmin = np.minimum(others[:, 1], others[:, 3])
    oxmax = np.maximum(others[:, 1], others[:, 3])
    area = (ymax - ymin) * (xmax - xmin)
    oarea = (oymax - oymin) * (oxmax - oxmin)
    ih = np.maximum(np.minimum(ymax, oymax) - np.maximum(ymin, oymin), _F(0))
    iw = np.maximum(np.minimum(xmax, oxmax) - np.maximum(xmin, oxmin), _F(0))
    inter = ih * iw
    with np.errstate(invalid="ignore", divide="ignore"):
        iou = inter / (area + oarea - inter)
    return np.where((area <= 0) | (oarea <= 0), _F(0), iou)


def _nms(
    boxes: np.ndarray,
    scores: np.ndarray,
    max_output_size: np.ndarray,
    iou_threshold: np.ndarray,
    score_threshold: np.ndarray,
    sigma: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise InvalidArgumentError(f"boxes must be 2-D with 4 columns: {shape_str(boxes.shape)}")
    if scores.shape != (boxes.shape[0],):
        raise InvalidArgumentError(
            f"scores has incompatible shape {shape_str(scores.shape)} for {boxes.shape[0]} boxes"
        )
    limit = scalar(max_output_size, "max_output_size")
    if limit < 0:
        raise InvalidArgumentError("max_output_size must be non-negative")
    iou_t = _F(iou_threshold.reshape(()))
    if not 0 <= iou_t <= 1:
        raise InvalidArgumentError("iou_threshold must be in [0, 1]")
    score_t = _F(score_threshold.reshape(()))
    b = boxes.astype(_F)
    current = scores.astype(_F).copy()
    alive = current > score_t
    selected: list[int] = []
    kept_scores: list[float] = []
    decay = _F(-0.5 / sigma) if sigma > 0 else None
    while len(selected) < limit and alive.any():
        # Highest live score, lowest index on ties.
        candidates = np.flatnonzero(alive)
        best = candidates[np.argmax(current[candidates])]
        selected.append(int(best))
        kept_scores.append(float(current[best]))
        alive[best] = False
        rest = np.flatnonzero(alive)
        if not rest.size:
            break
        iou = _iou(b[best], b[rest])
        if decay is None:
            alive[rest[iou > iou_t]] = False
        else:
            # NOTE: soft-NMS only decays scores (iou_threshold plays no part) and drops a box
            # once its score falls to score_threshold.
            current[rest] *= np.exp(decay * iou * iou).astype(_F)
            alive[rest[current[rest] <= score_t]] = False
    return np.array(selected, dtype=np.int32), np.array(kept_scores, dtype=scores.dtype)


def non_max_suppression_v3(boxes, scores, max_output_size, iou_threshold, score_threshold):
    return _nms(boxes, scores, max_output_size, iou_threshold, score_threshold)[0]


def _padded(indices: np.ndarray, size: int, pad: bool) -> np.ndarray:
    if not pad:
        return indices
    out = np.zeros(size, dtype=indices.dtype)
    out[: indices.size] = indices
    return out


def non_max_suppression_v4(
    boxes, scores, max_output_size, iou_threshold, score_threshold,
    *, pad_to_max_output_size: bool = False,
):  # fmt: skip
    idx, _ = _nms(boxes, scores, max_output_size, iou_threshold, score_threshold)
    size = scalar(max_output_size, "max_output_size")
    return [_padded(idx, size, pad_to_max_output_size), np.array(idx.size, dtype=np.int32)]


def non_max_suppression_v5(
    boxes, scores, max_output_size, iou_threshold, score_threshold, soft_nms_sigma,
    *, pad_to_max_output_size: bool = False,
):  # fmt: skip
    sigma = float(soft_nms_sigma.reshape(()))
    if sigma < 0:
        raise InvalidArgumentError("soft_nms_sigma must be non-negative")
    idx, kept = _nms(boxes, scores, max_output_size, iou_threshold, score_threshold, sigma)
    size = scalar(max_output_size, "max_output_size")
    return [
        _padded(idx, size, pad_to_max_output_size),
        _padded(kept, size, pad_to_max_output_size),
        np.array(idx.size, dtype=np.int32),
    ]


register("ResizeBilinear", resize_bilinear)
register("ResizeNearestNeighbor", resize_nearest_neighbor)
register("ResizeBicubic", resize_bicubic)
register("CropAndResize", crop_and_resize)
register("NonMaxSuppressionV3", non_max_suppression_v3)
register("NonMaxSuppressionV4", non_max_suppression_v4)
register("NonMaxSuppressionV5", non_max_suppression_v5)
