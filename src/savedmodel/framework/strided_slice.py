"""StridedSlice: lowering `tensor[...]` to begin/end/strides + masks, and its static shape.

`slice_spec_to_args(spec)` turns a Python index (ints, slices, Ellipsis, None/newaxis, Tensors)
into StridedSlice's operands exactly as TensorFlow's `Tensor.__getitem__` does. `infer_shape`
is TensorFlow's ValidateStridedSliceOp shape logic (sparse spec -> dense spec -> sizes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from savedmodel.framework.tensor_shape import TensorShape

_NEW_AXIS = -1
_SHRINK_AXIS = -2


@dataclass
class SliceArgs:
    begin: list[Any]
    end: list[Any]
    strides: list[Any]
    begin_mask: int = 0
    end_mask: int = 0
    ellipsis_mask: int = 0
    new_axis_mask: int = 0
    shrink_axis_mask: int = 0


def _check_index(idx: Any) -> None:
    from savedmodel.framework.operation import Tensor

    if isinstance(idx, (bool, np.bool_)):
        raise TypeError(
            "Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar"
            f" tf.int32/tf.int64 tensors are valid indices, got {idx!r}"
        )
    if isinstance(idx, (int, np.integer)):
        return
    if isinstance(idx, Tensor):
        if idx.dtype.base_dtype.name not in ("int16", "int32", "int64"):
            raise TypeError(
                "Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar"
                f" tf.int32/tf.int64 tensors are valid indices, got {idx!r}"
            )
        if idx.shape.rank not in (None, 0):
            raise TypeError(
                "Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar"
                f" tf.int32/tf.int64 tensors are valid indices, got {idx!r}"
            )
        return
    raise TypeError(
        "Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar"
        f" tf.int32/tf.int64 tensors are valid indices, got {idx!r}"
    )


def _undefined(d: Any) -> bool:
    from savedmodel.framework.tensor_shape import Dimension

    return isinstance(d, Dimension) and d.value is None


def _const(value: int, dtype: Any) -> Any:
    from savedmodel.framework import constant_op

    return constant_op.constant(value, dtype=dtype)


def slice_spec_to_args(slice_spec: Any) -> SliceArgs:
    from savedmodel.framework.operation import Tensor

    if not isinstance(slice_spec, (list, tuple)):
        slice_spec = [slice_spec]
    args = SliceArgs([], [], [])
    for index, s in enumerate(slice_spec):
        bit = 1 << index
        if isinstance(s, slice):
            # NOTE: TF 2.21 gives the implicit parts of a slice the dtype of its tensor parts.
            dtype = None
            for t in (s.start, s.stop, s.step):
                if isinstance(t, Tensor):
                    name = t.dtype.base_dtype.name
                    if name == "int64":
                        dtype = t.dtype
                    elif name == "int32" and (dtype is None or dtype.name != "int64"):
                        dtype = t.dtype
                    elif name == "int16" and dtype is None:
                        dtype = t.dtype
            if s.start is not None and not _undefined(s.start):
                _check_index(s.start)
                args.begin.append(s.start)
            else:
                args.begin.append(0 if dtype is None else _const(0, dtype))
                args.begin_mask |= bit
            if s.stop is not None and not _undefined(s.stop):
                _check_index(s.stop)
                args.end.append(s.stop)
            else:
                args.end.append(0 if dtype is None else _const(0, dtype))
                args.end_mask |= bit
            if s.step is not None and not _undefined(s.step):
                _check_index(s.step)
                args.strides.append(s.step)
            else:
                args.strides.append(1 if dtype is None else _const(1, dtype))
        elif s is Ellipsis:
            args.begin.append(0)
            args.end.append(0)
            args.strides.append(1)
            args.ellipsis_mask |= bit
        elif s is None:
            args.begin.append(0)
            args.end.append(0)
            args.strides.append(1)
            args.new_axis_mask |= bit
        else:
            _check_index(s)
            args.begin.append(s)
            args.end.append(s + 1)
            if isinstance(s, Tensor) and s.dtype.name in ("int16", "int64"):
                from savedmodel.framework import constant_op

                args.strides.append(constant_op.constant(1, dtype=s.dtype))
            else:
                args.strides.append(1)
            args.shrink_axis_mask |= bit
    return args


def _canonical(
    x: int, c: int, masks: tuple[bool, bool], stride: int, dim: int, lo: int, hi: int
) -> int:
    """TF's canonicalisation of a begin (c=0) or end (c=1) index into [lo, hi]."""
    if masks[c]:
        return (lo, hi)[c] if stride > 0 else (lo, hi)[(c + 1) & 1]
    x_fwd = dim + x if x < 0 else x
    return lo if x_fwd < lo else hi if x_fwd > hi else x_fwd


def infer_shape(
    input_shape: TensorShape,
    begin: np.ndarray | None,
    end: np.ndarray | None,
    strides: np.ndarray | None,
    sparse_dims: int | None,
    *,
    begin_mask: int,
    end_mask: int,
    ellipsis_mask: int,
    new_axis_mask: int,
    shrink_axis_mask: int,
) -> TensorShape:
    """The static output shape of StridedSlice (unknown parts as None)."""
    if input_shape.rank is None or sparse_dims is None or strides is None:
        return TensorShape(None)
    rank = input_shape.rank
    n = sparse_dims
    num_add_axis_after_ellipsis = 0
    ellipsis_seen = False
    for i in range(n):
        if ellipsis_seen and (1 << i) & new_axis_mask:
            num_add_axis_after_ellipsis += 1
        if (1 << i) & ellipsis_mask:
            ellipsis_seen = True
    if not ellipsis_seen:
        ellipsis_mask |= 1 << n
        n += 1
    strides_l = [int(s) for s in strides.reshape(-1)] + [1]
    begin_l = None if begin is None else [int(b) for b in begin.reshape(-1)] + [0]
    end_l = None if end is None else [int(e) for e in end.reshape(-1)] + [0]
    # Dense spec: one entry per input dim.
    d_begin = [0] * rank
    d_end = [0] * rank
    d_strides = [1] * rank
    d_begin_mask = d_end_mask = d_shrink = 0
    gather: list[int] = []
    full_index = 0
    for i in range(n):
        if (1 << i) & ellipsis_mask:
            next_index = min(rank - (n - i) + 1 + num_add_axis_after_ellipsis, rank)
            while full_index < next_index:
                d_begin_mask |= 1 << full_index
                d_end_mask |= 1 << full_index
                gather.append(full_index)
                full_index += 1
        elif (1 << i) & new_axis_mask:
            gather.append(_NEW_AXIS)
        else:
            if full_index == rank:
                raise ValueError(
                    f"Index out of range using input dim {full_index}; input has only {rank} dims"
                )
            if begin_l is not None:
                d_begin[full_index] = begin_l[i]
            if end_l is not None:
                d_end[full_index] = end_l[i]
            d_strides[full_index] = strides_l[i]
            if begin_mask & (1 << i):
                d_begin_mask |= 1 << full_index
            if end_mask & (1 << i):
                d_end_mask |= 1 << full_index
            if shrink_axis_mask & (1 << i):
                gather.append(_SHRINK_AXIS)
                d_shrink |= 1 << full_index
            else:
                gather.append(full_index)
            full_index += 1
    processing: list[int | None] = []
    for i in range(rank):
        stride = d_strides[i]
        if stride == 0:
            raise ValueError(f"strides[{i}] must be non-zero")
        dim = input_shape[i]
        shrink = bool(d_shrink & (1 << i))
        masked_b, masked_e = bool(d_begin_mask & (1 << i)), bool(d_end_mask & (1 << i))
        if dim is None:
            processing.append(1 if shrink else None)
            continue
        b, e = d_begin[i], d_end[i]
        # NOTE: like TF, the interval is known only if both begin and end are constants.
        if begin_l is not None and end_l is not None:
            lo, hi = (0, dim) if stride > 0 else (-1, dim - 1)
            masks = (masked_b, masked_e)
            if shrink:
                x_fwd = dim + b if b < 0 else b
                if x_fwd < 0 or x_fwd >= dim:
                    raise ValueError(f"slice index {b} of dimension {i} out of bounds.")
                b, e = x_fwd, x_fwd + 1
            else:
                b = _canonical(b, 0, masks, stride, dim, lo, hi)
                e = _canonical(e, 1, masks, stride, dim, lo, hi)
            length = e - b
        elif shrink:
            length = 1
        elif masked_b and masked_e:
            length = -dim if stride < 0 else dim
        else:
            processing.append(None)
            continue
        if length == 0 or (length < 0) != (stride < 0):
            processing.append(0)
        else:
            processing.append(length // stride + (1 if length % stride else 0))
    final: list[int | None] = []
    for g in gather:
        if g >= 0:
            final.append(processing[g])
        elif g == _NEW_AXIS:
            final.append(1)
    return TensorShape(final)
