"""Math builders (`tf.add`, `tf.matmul`, `tf.reduce_sum`, `tf.cast`...) with TF's node names.

Like `array_ops`, each function follows its TensorFlow counterpart's scoping and conversions
(`tf.add(x, 2)` is an AddV2 named "Add" with the constant "Add/y"; reductions without an axis
get a Const of all axes when the rank is known...). The Python operators of `Tensor` are
installed from here by `tensor_operators`.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from savedmodel import dtypes
from savedmodel.framework import array_ops, context
from savedmodel.framework.constant_op import constant, convert_to_tensor
from savedmodel.framework.op_builder import apply_op
from savedmodel.framework.operation import Tensor
from savedmodel.framework.scopes import name_scope


def _dtype(x: Any) -> dtypes.DType:
    return array_ops._dtype(x)


def _gen(op_type: str, **kw: Any) -> Any:
    return apply_op(op_type, **kw)


# -- arithmetic ------------------------------------------------------------------------------------


def add(x: Any, y: Any, name: str | None = None) -> Any:
    with name_scope(name, "Add", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, dtype_hint=_dtype(x).base_dtype, name="y")
        op = "Add" if _dtype(x) == dtypes.string else "AddV2"
        return apply_op(op, x=x, y=y, name=scope)


def add_dispatch(x: Any, y: Any, name: str | None = None) -> Any:
    """`x + y` (TF's _add_dispatch): strings use Add, everything else AddV2."""
    if isinstance(y, Tensor) and y.dtype == dtypes.string or _dtype(x) == dtypes.string:
        return apply_op("Add", x=x, y=y, name=name)
    return apply_op("AddV2", x=x, y=y, name=name)


def subtract(x: Any, y: Any, name: str | None = None) -> Any:
    return apply_op("Sub", x=x, y=y, name=name)


def multiply(x: Any, y: Any, name: str | None = None) -> Any:
    return apply_op("Mul", x=x, y=y, name=name)


def truediv(x: Any, y: Any, name: str | None = None) -> Any:
    with name_scope(name, "truediv", [x, y]) as scope:
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, dtype_hint=_dtype(x).base_dtype, name="y")
        x_dtype, y_dtype = _dtype(x).base_dtype, _dtype(y).base_dtype
        if x_dtype != y_dtype:
            raise TypeError(
                f"`x` and `y` must have the same dtype, got {x_dtype!r} != {y_dtype!r}."
            )
        # NOTE: TF casts integer division operands to a float type first.
        cast_to = {
            dtypes.uint8: dtypes.float32,
            dtypes.int8: dtypes.float32,
            dtypes.uint16: dtypes.float32,
            dtypes.int16: dtypes.float32,
            dtypes.uint32: dtypes.float64,
            dtypes.int32: dtypes.float64,
            dtypes.uint64: dtypes.float64,
            dtypes.int64: dtypes.float64,
        }.get(x_dtype)
        if cast_to is not None:
            x = cast(x, cast_to)
            y = cast(y, cast_to)
        return apply_op("RealDiv", x=x, y=y, name=scope)


class _DivideDelegateWithName:
    def __init__(self, x: Any, name: str) -> None:
        self.x, self.name = x, name

    def __truediv__(self, y: Any) -> Any:
        return truediv(self.x, y, self.name)


def divide(x: Any, y: Any, name: str | None = None) -> Any:
    if name is not None:
        return _DivideDelegateWithName(x, name) / y
    if not isinstance(x, Tensor):
        dt = _dtype(y).base_dtype if isinstance(y, Tensor) else None
        x = convert_to_tensor(x, dtype=dt)
    if isinstance(x, Tensor):
        return x / y
    return truediv(x, y)


def floordiv(x: Any, y: Any, name: str | None = None) -> Any:
    with name_scope(name, "floordiv", [x, y]) as scope:
        return apply_op("FloorDiv", x=x, y=y, name=scope)


def floormod(x: Any, y: Any, name: str | None = None) -> Any:
    return apply_op("FloorMod", x=x, y=y, name=name)


def pow(x: Any, y: Any, name: str | None = None) -> Any:  # noqa: A001
    with name_scope(name, "Pow", [x]) as scope:
        return apply_op("Pow", x=x, y=y, name=scope)


def negative(x: Any, name: str | None = None) -> Any:
    return apply_op("Neg", x=x, name=name)


def abs(x: Any, name: str | None = None) -> Any:  # noqa: A001
    with name_scope(name, "Abs", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        if _dtype(x).is_complex:
            real = dtypes.float32 if _dtype(x) == dtypes.complex64 else dtypes.float64
            return apply_op("ComplexAbs", x=x, Tout=real, name=scope)
        return apply_op("Abs", x=x, name=scope)


def maximum(x: Any, y: Any, name: str | None = None) -> Any:
    return apply_op("Maximum", x=x, y=y, name=name)


def minimum(x: Any, y: Any, name: str | None = None) -> Any:
    return apply_op("Minimum", x=x, y=y, name=name)


def squared_difference(x: Any, y: Any, name: str | None = None) -> Any:
    return apply_op("SquaredDifference", x=x, y=y, name=name)


def add_n(inputs: Any, name: str | None = None) -> Any:
    if not inputs or not isinstance(inputs, (list, tuple)):
        raise ValueError(
            "Inputs must be an iterable of at least one Tensor/IndexedSlices with"
            " the same dtype and shape."
        )
    inputs = [convert_to_tensor(i) for i in inputs]
    if len(inputs) == 1:
        return array_ops.identity(inputs[0], name=name) if name else inputs[0]
    return apply_op("AddN", inputs=inputs, name=name)


def _unary(op_type: str, scoped: bool = False, arg: str = "x") -> Any:
    def fn(x: Any, name: str | None = None) -> Any:
        if scoped:
            with name_scope(name, op_type, [x]) as scope:
                x = convert_to_tensor(x, name="x")
                return apply_op(op_type, name=scope, **{arg: x})
        return apply_op(op_type, name=name, **{arg: x})

    fn.__name__ = op_type.lower()
    return fn


sqrt = _unary("Sqrt")
rsqrt = _unary("Rsqrt")
exp = _unary("Exp")
expm1 = _unary("Expm1")
log = _unary("Log")
log1p = _unary("Log1p")
square = _unary("Square")
reciprocal = _unary("Reciprocal")
sin = _unary("Sin")
cos = _unary("Cos")
tan = _unary("Tan")
floor = _unary("Floor")
ceil = _unary("Ceil")
erf = _unary("Erf")
is_nan = _unary("IsNan")
is_inf = _unary("IsInf")
is_finite = _unary("IsFinite")
logical_not = _unary("LogicalNot")
sigmoid = _unary("Sigmoid", scoped=True)
tanh = _unary("Tanh", scoped=True)
softplus = _unary("Softplus", arg="features")
softsign = _unary("Softsign", arg="features")


def sign(x: Any, name: str | None = None) -> Any:
    x = convert_to_tensor(x)
    return apply_op("Sign", x=x, name=name)


def round(x: Any, name: str | None = None) -> Any:  # noqa: A001
    x = convert_to_tensor(x, name="x")
    if _dtype(x).is_integer:
        return x
    return apply_op("Round", x=x, name=name)


def _binary(op_type: str) -> Any:
    def fn(x: Any, y: Any, name: str | None = None) -> Any:
        return apply_op(op_type, x=x, y=y, name=name)

    fn.__name__ = op_type.lower()
    return fn


less = _binary("Less")
less_equal = _binary("LessEqual")
greater = _binary("Greater")
greater_equal = _binary("GreaterEqual")
logical_and = _binary("LogicalAnd")
logical_or = _binary("LogicalOr")
atan2 = _binary("Atan2")
divide_no_nan = _binary("DivNoNan")
truncatediv = _binary("TruncateDiv")
truncatemod = _binary("TruncateMod")
xdivy = _binary("Xdivy")
xlogy = _binary("Xlogy")


def equal(x: Any, y: Any, name: str | None = None) -> Any:
    return apply_op("Equal", x=x, y=y, name=name)


def not_equal(x: Any, y: Any, name: str | None = None) -> Any:
    return apply_op("NotEqual", x=x, y=y, name=name)


def logical_xor(x: Any, y: Any, name: str = "LogicalXor") -> Any:
    return logical_and(logical_or(x, y), logical_not(logical_and(x, y)), name=name)


# -- casts -----------------------------------------------------------------------------------------


def raw_cast(x: Any, dtype: Any, name: str | None = None) -> Any:
    return apply_op("Cast", x=x, DstT=dtypes.as_dtype(dtype).base_dtype, name=name)


def cast(x: Any, dtype: Any, name: str | None = None) -> Any:
    base = dtypes.as_dtype(dtype).base_dtype
    if (isinstance(x, Tensor) or getattr(x, "_is_resource_variable", False)) and x.dtype == base:
        return x
    with name_scope(name, "Cast", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        if _dtype(x) != base:
            x = apply_op("Cast", x=x, DstT=base, name=scope)
        return x


def to_float(x: Any, name: str = "ToFloat") -> Any:
    return cast(x, dtypes.float32, name=name)


def saturate_cast(value: Any, dtype: Any, name: str | None = None) -> Any:
    return cast(value, dtype, name=name)


# -- matmul ----------------------------------------------------------------------------------------


def matmul(a: Any, b: Any, transpose_a: bool = False, transpose_b: bool = False,
           adjoint_a: bool = False, adjoint_b: bool = False, a_is_sparse: bool = False,
           b_is_sparse: bool = False, output_type: Any = None, grad_a: bool = False,
           grad_b: bool = False, name: str | None = None) -> Any:  # fmt: skip
    with name_scope(name, "MatMul", [a, b]) as scope:
        if adjoint_a and transpose_a:
            raise ValueError("Only one of transpose_a and adjoint_a can be True.")
        if adjoint_b and transpose_b:
            raise ValueError("Only one of transpose_b and adjoint_b can be True.")
        a = convert_to_tensor(a, name="a")
        b = convert_to_tensor(b, dtype_hint=_dtype(a).base_dtype, name="b")
        a_rank = array_ops._shape_of(a).rank
        b_rank = array_ops._shape_of(b).rank
        batch = a_rank is None or a_rank > 2 or b_rank is None or b_rank > 2
        use_v3 = output_type is not None and (
            dtypes.as_dtype(output_type) != _dtype(a) or dtypes.as_dtype(output_type) != _dtype(b)
        )
        if not a_is_sparse and not b_is_sparse and batch:
            if transpose_a:
                a, adjoint_a = conj(a), True
            if transpose_b:
                b, adjoint_b = conj(b), True
            if use_v3:
                return apply_op(
                    "BatchMatMulV3",
                    x=a,
                    y=b,
                    adj_x=adjoint_a,
                    adj_y=adjoint_b,
                    Tout=output_type,
                    grad_x=grad_a,
                    grad_y=grad_b,
                    name=scope,
                )
            return apply_op(
                "BatchMatMulV2",
                x=a,
                y=b,
                adj_x=adjoint_a,
                adj_y=adjoint_b,
                grad_x=grad_a,
                grad_y=grad_b,
                name=scope,
            )
        if adjoint_a:
            a, transpose_a = conj(a), True
        if adjoint_b:
            b, transpose_b = conj(b), True
        if use_v3:
            return apply_op(
                "BatchMatMulV3",
                x=a,
                y=b,
                adj_x=transpose_a,
                adj_y=transpose_b,
                Tout=output_type,
                grad_x=grad_a,
                grad_y=grad_b,
                name=scope,
            )
        return apply_op(
            "MatMul",
            a=a,
            b=b,
            transpose_a=transpose_a,
            transpose_b=transpose_b,
            grad_a=grad_a,
            grad_b=grad_b,
            name=scope,
        )


def conj(x: Any, name: str | None = None) -> Any:
    if isinstance(x, Tensor) and x.dtype.is_complex:
        return apply_op("Conj", input=x, name=name)
    with name_scope(name, "Conj", [x]):
        x = convert_to_tensor(x, name="x")
        if _dtype(x).is_complex:
            return apply_op("Conj", input=x, name=name)
        return x


# -- reductions ------------------------------------------------------------------------------------


def _reduction_dims(x: Any, axis: Any) -> Any:
    if axis is not None:
        return axis
    rank = x.shape.rank if isinstance(x, Tensor) else None
    if context.executing_eagerly() and not isinstance(x, Tensor):
        rank = np.ndim(convert_to_tensor(x))
        return np.arange(rank, dtype=np.int32)
    if rank:
        return constant(np.arange(rank, dtype=np.int32))
    return range_op(0, array_ops.rank_op(x))


def _reduce(op_type: str, input_tensor: Any, axis: Any, keepdims: Any, name: str | None) -> Any:
    keep = False if keepdims is None else builtins.bool(keepdims)
    dims = _reduction_dims(input_tensor, axis)
    out = apply_op(op_type, input=input_tensor, reduction_indices=dims, keep_dims=keep, name=name)
    if isinstance(out, Tensor) and not out.shape.is_fully_defined() and not keep and axis is None:
        out.set_shape(())
    return out


def reduce_sum(input_tensor: Any, axis: Any = None, keepdims: bool = False,
               name: str | None = None) -> Any:  # fmt: skip
    return _reduce("Sum", input_tensor, axis, keepdims, name)


def reduce_mean(input_tensor: Any, axis: Any = None, keepdims: bool = False,
                name: str | None = None) -> Any:  # fmt: skip
    return _reduce("Mean", input_tensor, axis, keepdims, name)


def reduce_max(input_tensor: Any, axis: Any = None, keepdims: bool = False,
               name: str | None = None) -> Any:  # fmt: skip
    return _reduce("Max", input_tensor, axis, keepdims, name)


def reduce_min(input_tensor: Any, axis: Any = None, keepdims: bool = False,
               name: str | None = None) -> Any:  # fmt: skip
    return _reduce("Min", input_tensor, axis, keepdims, name)


def reduce_prod(input_tensor: Any, axis: Any = None, keepdims: bool = False,
                name: str | None = None) -> Any:  # fmt: skip
    return _reduce("Prod", input_tensor, axis, keepdims, name)


def reduce_all(input_tensor: Any, axis: Any = None, keepdims: bool = False,
               name: str | None = None) -> Any:  # fmt: skip
    return _reduce("All", input_tensor, axis, keepdims, name)


def reduce_any(input_tensor: Any, axis: Any = None, keepdims: bool = False,
               name: str | None = None) -> Any:  # fmt: skip
    return _reduce("Any", input_tensor, axis, keepdims, name)


def argmax(input: Any, axis: Any = None, output_type: Any = dtypes.int64,  # noqa: A002
           name: str | None = None) -> Any:  # fmt: skip
    return apply_op("ArgMax", input=input, dimension=0 if axis is None else axis,
                    output_type=output_type, name=name)  # fmt: skip


def argmin(input: Any, axis: Any = None, output_type: Any = dtypes.int64,  # noqa: A002
           name: str | None = None) -> Any:  # fmt: skip
    return apply_op("ArgMin", input=input, dimension=0 if axis is None else axis,
                    output_type=output_type, name=name)  # fmt: skip


def cumsum(x: Any, axis: Any = 0, exclusive: bool = False, reverse: bool = False,
           name: str | None = None) -> Any:  # fmt: skip
    with name_scope(name, "Cumsum", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        return apply_op("Cumsum", x=x, axis=axis, exclusive=exclusive, reverse=reverse,
                        name=scope)  # fmt: skip


_RANGE_ORDER = [dtypes.int32, dtypes.int64, dtypes.float16, dtypes.bfloat16, dtypes.float32,
                dtypes.float64]  # fmt: skip


def range_op(start: Any, limit: Any = None, delta: Any = 1, dtype: Any = None,
             name: str = "range") -> Any:  # fmt: skip
    if limit is None:
        start, limit = 0, start
    with name_scope(name, "Range", [start, limit, delta]) as scope:
        if not isinstance(start, Tensor):
            start = convert_to_tensor(start, dtype=dtype, name="start")
        if not isinstance(limit, Tensor):
            limit = convert_to_tensor(limit, dtype=dtype, name="limit")
        if not isinstance(delta, Tensor):
            delta = convert_to_tensor(delta, dtype=dtype, name="delta")
        if dtype is None:
            inferred = builtins.max((_dtype(a) for a in (start, limit, delta)),
                                    key=_RANGE_ORDER.index)  # fmt: skip
        else:
            inferred = dtypes.as_dtype(dtype)
        start, limit, delta = (cast(a, inferred) for a in (start, limit, delta))
        return apply_op("Range", start=start, limit=limit, delta=delta, name=scope)


def clip_by_value(t: Any, clip_value_min: Any, clip_value_max: Any,
                  name: str | None = None) -> Any:  # fmt: skip
    with name_scope(name, "clip_by_value", [t, clip_value_min, clip_value_max]) as scope:
        values = convert_to_tensor(t, name="t")
        t_min = minimum(values, clip_value_max)
        return maximum(t_min, clip_value_min, name=scope)


def top_k(input: Any, k: Any = 1, sorted: bool = True, index_type: Any = dtypes.int32,  # noqa: A002
          name: str | None = None) -> Any:  # fmt: skip
    return apply_op("TopKV2", input=input, k=k, sorted=sorted, index_type=index_type, name=name)
