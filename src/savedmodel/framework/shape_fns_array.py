"""Static shape functions of the array ops (reshape, concat, slicing, gather...).

Registered into `shape_inference` on import, like `shape_fns`.
"""

from __future__ import annotations

import numpy as np

from savedmodel.framework.shape_inference import (
    UNKNOWN,
    ShapeContext,
    handle_shape,
    shape_fn,
)
from savedmodel.framework.tensor_shape import TensorShape


@shape_fn("Reshape")
def _reshape(c: ShapeContext) -> list[TensorShape]:
    target = c.shape_value(1)
    if target.rank is None:
        return [UNKNOWN]
    value = c.value(1)
    dims = list(target.dims)  # type: ignore[arg-type]
    if value is not None:
        dims = [int(d) for d in value.reshape(-1)]
        n_in = c.shape(0).num_elements()
        if dims.count(-1) > 1:
            raise ValueError("Cannot infer multiple unknown dimensions in shape")
        if -1 in dims:
            known = int(np.prod([d for d in dims if d != -1]))
            if n_in is not None and known:
                if n_in % known:
                    raise ValueError(
                        f"Cannot reshape a tensor with {n_in} elements to shape {dims}"
                    )
                dims = [n_in // known if d == -1 else d for d in dims]
            else:
                dims = [None if d == -1 else d for d in dims]
        elif n_in is not None and int(np.prod(dims)) != n_in:
            raise ValueError(
                f"Cannot reshape a tensor with {n_in} elements to shape {dims}"
                f" ({int(np.prod(dims))} elements)"
            )
    return [TensorShape(dims)]


@shape_fn("ExpandDims")
def _expand_dims(c: ShapeContext) -> list[TensorShape]:
    shape, axis = c.shape(0), c.value(1)
    if shape.rank is None or axis is None:
        return [UNKNOWN]
    a = int(np.reshape(axis, -1)[0])
    rank = shape.rank
    if a < -rank - 1 or a > rank:
        raise ValueError(f"Tried to expand dim index {a} for tensor with {rank} dimensions.")
    if a < 0:
        a += rank + 1
    dims = list(shape.dims)  # type: ignore[arg-type]
    return [TensorShape(dims[:a] + [1] + dims[a:])]


@shape_fn("Squeeze")
def _squeeze(c: ShapeContext) -> list[TensorShape]:
    shape = c.shape(0)
    if shape.rank is None:
        return [UNKNOWN]
    axes = [a % shape.rank for a in c.attr("squeeze_dims", [])]
    dims = []
    for i, d in enumerate(shape.dims):  # type: ignore[arg-type]
        if axes:
            if i in axes:
                if d is not None and d != 1:
                    raise ValueError(
                        f"Can not squeeze dim[{i}], expected a dimension of 1, got {d}"
                    )
                continue
        elif d == 1:
            continue
        elif d is None:
            return [UNKNOWN]
        dims.append(d)
    return [TensorShape(dims)]


@shape_fn("Transpose")
def _transpose(c: ShapeContext) -> list[TensorShape]:
    shape, perm = c.shape(0), c.value(1)
    if perm is None:
        rank = (
            shape.rank if shape.rank is not None else (c.shape(1)[0] if c.shape(1).rank else None)
        )
        return [TensorShape(None if rank is None else [None] * rank)]
    perm_list = [int(p) for p in perm.reshape(-1)]
    if shape.rank is None:
        return [TensorShape([None] * len(perm_list))]
    if len(perm_list) != shape.rank:
        raise ValueError(f"Dimension must be {shape.rank} but is {len(perm_list)}")
    return [TensorShape([shape.dims[p] for p in perm_list])]  # type: ignore[index]


@shape_fn("ConcatV2")
def _concat(c: ShapeContext) -> list[TensorShape]:
    n = len(c.inputs) - 1
    axis_v = c.value(n)
    shapes = [c.shape(i) for i in range(n)]
    rank = next((s.rank for s in shapes if s.rank is not None), None)
    if rank is None:
        return [UNKNOWN]
    if axis_v is None:
        return [TensorShape([None] * rank)]
    axis = int(axis_v)
    if axis < -rank or axis >= rank:
        raise ValueError(
            f"ConcatOp : Expected concatenating dimensions in the range [{-rank},"
            f" {rank}), but got {axis}"
        )
    axis %= rank
    dims: list[int | None] = [None] * rank
    total: int | None = 0
    for s in shapes:
        if s.rank is None:
            total = None
            continue
        if s.rank != rank:
            raise ValueError(f"Shape must be rank {rank} but is rank {s.rank}")
        for i in range(rank):
            if i == axis:
                total = None if total is None or s[i] is None else total + s[i]
            elif dims[i] is None:
                dims[i] = s[i]
            elif s[i] is not None and s[i] != dims[i]:
                raise ValueError(
                    f"Dimension {i} in both shapes must be equal, but are {dims[i]} and {s[i]}."
                )
    dims[axis] = total
    return [TensorShape(dims)]


@shape_fn("Pack")
def _pack(c: ShapeContext) -> list[TensorShape]:
    shape = UNKNOWN
    for i in range(len(c.inputs)):
        shape = shape.merge_with(c.shape(i))
    if shape.rank is None:
        return [UNKNOWN]
    axis = c.attr("axis", 0)
    rank = shape.rank + 1
    if axis < -rank or axis >= rank:
        raise ValueError(f"Invalid axis: {axis}; must be in [{-rank},{rank})")
    axis %= rank
    dims = list(shape.dims)  # type: ignore[arg-type]
    return [TensorShape(dims[:axis] + [len(c.inputs)] + dims[axis:])]


@shape_fn("Unpack")
def _unpack(c: ShapeContext) -> list[TensorShape]:
    shape = c.shape(0)
    if shape.rank is None:
        return [UNKNOWN] * c.n_out()
    axis = c.attr("axis", 0) % shape.rank
    dims = list(shape.dims)  # type: ignore[arg-type]
    return [TensorShape(dims[:axis] + dims[axis + 1 :])] * c.n_out()


@shape_fn("Fill")
def _fill(c: ShapeContext) -> list[TensorShape]:
    return [c.shape_value(0)]


@shape_fn("BroadcastTo")
def _broadcast_to(c: ShapeContext) -> list[TensorShape]:
    return [c.shape_value(1)]


@shape_fn("Tile")
def _tile(c: ShapeContext) -> list[TensorShape]:
    shape = c.shape(0)
    # NOTE: like TF, multiples may be partially known (e.g. a Pack of a Shape element and 1).
    mult = c.shape_value(1)
    if shape.rank is None:
        return [TensorShape(None if mult.rank is None else [None] * mult.rank)]
    if mult.rank is None:
        return [TensorShape([None] * shape.rank)]
    dims = [
        None if d is None or m is None else d * m
        for d, m in zip(shape.dims, mult.dims, strict=True)
    ]  # type: ignore[arg-type]
    return [TensorShape(dims)]


@shape_fn("Slice")
def _slice(c: ShapeContext) -> list[TensorShape]:
    shape, begin, size = c.shape(0), c.value(1), c.value(2)
    rank = shape.rank if shape.rank is not None else (c.shape(1)[0] if c.shape(1).rank else None)
    if rank is None:
        return [UNKNOWN]
    if size is None:
        return [TensorShape([None] * rank)]
    dims = []
    for i, s in enumerate(size.reshape(-1)):
        s = int(s)
        if s == -1:
            d = shape[i] if shape.rank is not None else None
            b = None if begin is None else int(begin.reshape(-1)[i])
            dims.append(None if d is None or b is None else d - b)
        else:
            dims.append(s)
    return [TensorShape(dims)]


@shape_fn("Pad", "PadV2", "MirrorPad")
def _pad(c: ShapeContext) -> list[TensorShape]:
    shape, pads = c.shape(0), c.value(1)
    if shape.rank is None:
        return [UNKNOWN]
    if pads is None:
        return [TensorShape([None] * shape.rank)]
    return [
        TensorShape(
            [
                None if d is None else d + int(p[0]) + int(p[1])
                for d, p in zip(shape.dims, pads, strict=True)
            ]
        )
    ]  # type: ignore


@shape_fn("GatherV2")
def _gather(c: ShapeContext) -> list[TensorShape]:
    params, indices, axis_v = c.shape(0), c.shape(1), c.value(2)
    batch_dims = c.attr("batch_dims", 0)
    if params.rank is None or indices.rank is None or axis_v is None:
        return [UNKNOWN]
    axis = int(axis_v) % params.rank
    if batch_dims < 0:
        batch_dims += indices.rank
    return [params[:axis].concatenate(indices[batch_dims:]).concatenate(params[axis + 1 :])]


@shape_fn("Gather", "ResourceGather")
def _gather_v1(c: ShapeContext) -> list[TensorShape]:
    params = c.shape(0) if c.op.type == "Gather" else handle_shape(c.inputs[0])
    indices = c.shape(1)
    if params.rank is None or indices.rank is None:
        return [UNKNOWN]
    return [indices.concatenate(params[1:])]


@shape_fn("OneHot")
def _one_hot(c: ShapeContext) -> list[TensorShape]:
    indices, depth = c.shape(0), c.value(1)
    if indices.rank is None:
        return [UNKNOWN]
    axis = c.attr("axis", -1)
    d = None if depth is None else int(depth)
    dims = list(indices.dims)  # type: ignore[arg-type]
    pos = len(dims) if axis == -1 else axis
    return [TensorShape(dims[:pos] + [d] + dims[pos:])]


@shape_fn("Range")
def _range(c: ShapeContext) -> list[TensorShape]:
    start, limit, delta = c.value(0), c.value(1), c.value(2)
    if start is None or limit is None or delta is None:
        return [TensorShape([None])]
    n = int(np.ceil((float(limit) - float(start)) / float(delta)))
    return [TensorShape([max(n, 0)])]


@shape_fn("Split")
def _split(c: ShapeContext) -> list[TensorShape]:
    axis_v, shape = c.value(0), c.shape(1)
    n = c.n_out()
    if shape.rank is None:
        return [UNKNOWN] * n
    if axis_v is None:
        return [TensorShape([None] * shape.rank)] * n
    axis = int(axis_v) % shape.rank
    dims = list(shape.dims)  # type: ignore[arg-type]
    if dims[axis] is not None:
        if dims[axis] % n:
            raise ValueError(f"Dimension size must be evenly divisible by {n} but is {dims[axis]}")
        dims[axis] //= n
    return [TensorShape(dims)] * n


@shape_fn("SplitV")
def _split_v(c: ShapeContext) -> list[TensorShape]:
    shape, sizes, axis_v = c.shape(0), c.value(1), c.value(2)
    n = c.n_out()
    if shape.rank is None:
        return [UNKNOWN] * n
    if axis_v is None or sizes is None:
        return [TensorShape([None] * shape.rank)] * n
    axis = int(axis_v) % shape.rank
    sizes_l = [int(s) for s in sizes.reshape(-1)]
    if -1 in sizes_l and shape[axis] is not None:
        sizes_l[sizes_l.index(-1)] = shape[axis] - sum(s for s in sizes_l if s != -1)
    out = []
    for s in sizes_l:
        dims = list(shape.dims)  # type: ignore[arg-type]
        dims[axis] = None if s == -1 else s
        out.append(TensorShape(dims))
    return out


@shape_fn("StridedSlice")
def _strided_slice(c: ShapeContext) -> list[TensorShape]:
    from savedmodel.framework.strided_slice import infer_shape

    return [infer_shape(
        c.shape(0), c.value(1), c.value(2), c.value(3),
        c.shape(1)[0] if c.shape(1).rank == 1 else None,
        begin_mask=c.attr("begin_mask", 0), end_mask=c.attr("end_mask", 0),
        ellipsis_mask=c.attr("ellipsis_mask", 0), new_axis_mask=c.attr("new_axis_mask", 0),
        shrink_axis_mask=c.attr("shrink_axis_mask", 0),
    )]  # fmt: skip


@shape_fn("Unique")
def _unique(c: ShapeContext) -> list[TensorShape]:
    return [TensorShape([None]), c.shape(0).with_rank(1)]


@shape_fn("InvertPermutation")
def _invert_permutation(c: ShapeContext) -> list[TensorShape]:
    return [c.shape(0).with_rank(1)]
