"""Static shape inference while building graphs, for the common ops.

`set_output_shapes(op)` gives every output of a new op its static shape; ops without a shape
function get unknown shapes (what TensorFlow would infer may be more precise, never
contradictory). Shape functions see input shapes, decoded attrs and, when an input is a
compile-time constant (a Const, or a Shape of a fully known tensor...), its value.

Resource tensors carry the shape and dtype of the variable they point to ("handle data"), so
ReadVariableOp knows its output shape, as in TensorFlow.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from savedmodel import dtypes, protos, tensors
from savedmodel.framework.operation import Operation, Tensor
from savedmodel.framework.tensor_shape import TensorShape
from savedmodel.graph import attrs as attr_codec

ShapeFn = Callable[["ShapeContext"], list[TensorShape]]
_FNS: dict[str, ShapeFn] = {}
UNKNOWN = TensorShape(None)
SCALAR = TensorShape([])


def shape_fn(*op_types: str) -> Callable[[ShapeFn], ShapeFn]:
    def deco(fn: ShapeFn) -> ShapeFn:
        for t in op_types:
            _FNS[t] = fn
        return fn

    return deco


class ShapeContext:
    """What a shape function sees of the op being built."""

    def __init__(self, op: Operation) -> None:
        self.op = op
        self.inputs = op._inputs

    def attr(self, name: str, default: Any = None) -> Any:
        value = self.op._attrs.get(name)
        return default if value is None else attr_codec.decode(value)

    def shape(self, i: int) -> TensorShape:
        return self.inputs[i].shape

    def value(self, i: int) -> np.ndarray | None:
        return constant_value(self.inputs[i])

    def shape_value(self, i: int) -> TensorShape:
        return constant_value_as_shape(self.inputs[i])

    def n_out(self) -> int:
        return len(self.op._outputs)


# -- constant folding for shape purposes -----------------------------------------------------------


def constant_value(t: Tensor) -> np.ndarray | None:
    """The value of `t` if it is known while building (Const, Shape of a known shape...)."""
    op = t.op
    kind = op.type
    if kind == "Const":
        return tensors.make_ndarray(op._attrs["value"].tensor)
    if kind == "Shape":
        shape = op.inputs[0].shape
        if shape.is_fully_defined():
            return np.array(shape.as_list(), dtype=t.dtype.as_numpy_dtype)
        return None
    if kind == "Size":
        n = op.inputs[0].shape.num_elements()
        return None if n is None else np.array(n, dtype=t.dtype.as_numpy_dtype)
    if kind == "Rank":
        r = op.inputs[0].shape.rank
        return None if r is None else np.array(r, dtype=np.int32)
    if kind in ("Identity", "StopGradient", "Snapshot"):
        return constant_value(op.inputs[0])
    if kind == "Cast":
        v = constant_value(op.inputs[0])
        return None if v is None else v.astype(t.dtype.as_numpy_dtype)
    if kind == "Pack":
        values = [constant_value(i) for i in op.inputs]
        if any(v is None for v in values):
            return None
        return np.stack(values, axis=op.get_attr("axis"))
    if kind == "ConcatV2":
        values = [constant_value(i) for i in op.inputs]
        if any(v is None for v in values):
            return None
        return np.concatenate(values[:-1], axis=int(values[-1]))
    if kind == "Fill":
        dims, value = constant_value(op.inputs[0]), constant_value(op.inputs[1])
        if dims is None or value is None:
            return None
        return np.full(dims, value)
    return None


def constant_value_as_shape(t: Tensor) -> TensorShape:
    """A 1-D int tensor read as a (partial) shape, as TF's MakeShapeFromShapeTensor does."""
    if t.shape.rank == 0:
        value = constant_value(t)
        if value is not None and value == -1:
            return UNKNOWN
        return UNKNOWN
    op = t.op
    if op.type == "Shape":
        return op.inputs[0].shape
    if op.type == "Pack":
        dims: list[int | None] = []
        for i in op.inputs:
            v = constant_value(i)
            dims.append(None if v is None or int(v) < 0 else int(v))
        return TensorShape(dims)
    if op.type == "ConcatV2":
        result = TensorShape([])
        for i in op.inputs[:-1]:
            result = result.concatenate(constant_value_as_shape(i))
        return result
    if op.type == "StridedSlice" and op.inputs[0].op.type == "Shape":
        full = op.inputs[0].op.inputs[0].shape
        begin, end, strides = (constant_value(i) for i in op.inputs[1:4])
        if (
            full.rank is not None
            and begin is not None
            and end is not None
            and strides is not None
            and begin.size == 1
            and not op.get_attr("shrink_axis_mask")
            and not op.get_attr("ellipsis_mask")
            and not op.get_attr("new_axis_mask")
        ):
            b = None if op.get_attr("begin_mask") & 1 else int(begin[0])
            e = None if op.get_attr("end_mask") & 1 else int(end[0])
            return TensorShape(list(full.dims)[slice(b, e, int(strides[0]))])  # type: ignore
    value = constant_value(t)
    if value is not None:
        return TensorShape([None if d < 0 else int(d) for d in value.reshape(-1)])
    n = t.shape[0] if t.shape.rank == 1 else None
    return TensorShape(None if n is None else [None] * n)


# -- helpers ---------------------------------------------------------------------------------------


def broadcast(a: TensorShape, b: TensorShape) -> TensorShape:
    if a.rank is None or b.rank is None:
        return UNKNOWN
    x, y = list(a.dims), list(b.dims)  # type: ignore[arg-type]
    n = max(len(x), len(y))
    x = [1] * (n - len(x)) + x
    y = [1] * (n - len(y)) + y
    out: list[int | None] = []
    for p, q in zip(x, y, strict=True):
        if p == 1:
            out.append(q)
        elif q == 1:
            out.append(p)
        elif p is None:
            out.append(q if q is not None and q != 1 else None)
        elif q is None:
            out.append(p)
        elif p == q:
            out.append(p)
        else:
            raise ValueError(f"Dimensions must be equal, but are {p} and {q}: shapes {a} and {b}")
    return TensorShape(out)


def reduction_axes(value: np.ndarray | None, rank: int | None) -> list[int] | None:
    if value is None or rank is None:
        return None
    axes = [int(a) for a in np.reshape(value, -1)]
    for a in axes:
        if a < -rank or a >= max(rank, 1):
            raise ValueError(f"Invalid reduction dimension {a} for input with {rank} dimensions.")
    return [a % rank if rank else 0 for a in axes]


# -- entry points ----------------------------------------------------------------------------------


def handle_shape(t: Tensor) -> TensorShape:
    data = getattr(t, "_handle_data", None)
    return data[0] if data is not None else UNKNOWN


def _handle_data(op: Operation) -> list[tuple[TensorShape, dtypes.DType] | None]:
    if op.type == "VarHandleOp":
        return [
            (
                TensorShape(attr_codec.decode(op._attrs["shape"])),
                dtypes.DType(op._attrs["dtype"].type),
            )
        ]
    if op.type in ("Identity", "Snapshot") and op._inputs:
        return [getattr(op._inputs[0], "_handle_data", None)]
    return [None] * len(op._outputs)


def set_output_shapes(op: Operation) -> None:
    if not op._outputs:
        return
    fn = _FNS.get(op.type)
    shapes: list[TensorShape]
    if fn is None:
        shapes = [UNKNOWN] * len(op._outputs)
    else:
        shapes = fn(ShapeContext(op))
        if len(shapes) != len(op._outputs):
            shapes = [UNKNOWN] * len(op._outputs)
    for t, s in zip(op._outputs, shapes, strict=True):
        t._shape = s if isinstance(s, TensorShape) else TensorShape(s)
    if any(t.dtype == dtypes.resource for t in op._outputs):
        for t, data in zip(op._outputs, _handle_data(op), strict=False):
            if data is not None:
                t._handle_data = data  # type: ignore[attr-defined]


def output_shapes_attr(op: Operation) -> Any:
    value = protos.AttrValue()
    value.list.SetInParent()
    for t in op._outputs:
        value.list.shape.append(t.shape.to_proto())
    return value


# The per-op shape functions register themselves on import.
from savedmodel.framework import shape_fns as _shape_fns  # noqa: E402, F401
from savedmodel.framework import shape_fns_array as _shape_fns_array  # noqa: E402, F401
