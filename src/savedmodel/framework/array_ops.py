"""Array builders with TensorFlow's Python-level behaviour and node names.

Each function mirrors its TensorFlow counterpart: the same name scope (`zeros`, `strided_slice`,
`concat`...), the same constant folding of static shapes (a fully known `tf.shape(x)` is a Const)
and the same argument conversion order, so graphs match TensorFlow's node for node.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from savedmodel import dtypes
from savedmodel.framework import constant_op, context
from savedmodel.framework.constant_op import constant, convert_to_tensor
from savedmodel.framework.op_builder import apply_op
from savedmodel.framework.operation import Tensor
from savedmodel.framework.scopes import name_scope
from savedmodel.framework.tensor_shape import Dimension, TensorShape

newaxis = None


def _is_tensor(x: Any) -> bool:
    return isinstance(x, Tensor)


def _shape_of(x: Any) -> TensorShape:
    return constant_op.shape_of(x)


# -- autopacking (lists containing tensors) --------------------------------------------------------


def autopack(values: Any, dtype: Any, name: str) -> Any:
    """A list holding tensors as one Pack op (TF's `_autopacking_helper`), names included."""
    if dtype is None:
        dtype = _dtype_from_nested(values)
    return _autopacking_helper(values, dtype, name)


def _dtype_from_nested(values: Any) -> Any:
    for v in values:
        if isinstance(v, Tensor):
            return v.dtype.base_dtype
        if isinstance(v, (list, tuple)):
            d = _dtype_from_nested(v)
            if d is not None:
                return d
    return None


def _autopacking_helper(values: Any, dtype: Any, name: str) -> Any:
    must_pack = False
    converted: list[Any] = []
    with name_scope(name) as scope:
        for i, elem in enumerate(values):
            if isinstance(elem, Tensor):
                if dtype is not None and elem.dtype.base_dtype != dtype:
                    raise TypeError(
                        f"Cannot convert a list containing a tensor of dtype {elem.dtype} to"
                        f" {dtype} (Tensor is: {elem!r})"
                    )
                converted.append(elem)
                must_pack = True
            elif isinstance(elem, (list, tuple)):
                sub = _autopacking_helper(elem, dtype, str(i))
                if isinstance(sub, Tensor):
                    must_pack = True
                converted.append(sub)
            else:
                converted.append(elem)
        if must_pack:
            elems = [
                e if isinstance(e, Tensor) else constant(e, dtype=dtype, name=str(i))
                for i, e in enumerate(converted)
            ]
            return apply_op("Pack", values=elems, name=scope)
        return converted


# -- basic builders --------------------------------------------------------------------------------


def placeholder(dtype: Any, shape: Any = None, name: str | None = None) -> Tensor:
    if context.executing_eagerly():
        raise RuntimeError("tf.placeholder() is not compatible with eager execution.")
    return apply_op("Placeholder", dtype=dtype, shape=TensorShape(shape), name=name)


def placeholder_with_default(input: Any, shape: Any, name: str | None = None) -> Any:  # noqa: A002
    return apply_op("PlaceholderWithDefault", input=input, shape=TensorShape(shape), name=name)


def identity(input: Any, name: str | None = None) -> Any:  # noqa: A002
    result = apply_op("Identity", input=input, name=name)
    if isinstance(input, Tensor) and isinstance(result, Tensor) and input._handle_data is not None:
        result._handle_data = input._handle_data
    return result


def identity_n(input: Any, name: str | None = None) -> Any:  # noqa: A002
    return apply_op("IdentityN", input=list(input), name=name)


def stop_gradient(input: Any, name: str | None = None) -> Any:  # noqa: A002
    return apply_op("StopGradient", input=input, name=name)


def reshape(tensor: Any, shape: Any, name: str | None = None) -> Any:
    return apply_op("Reshape", tensor=tensor, shape=shape, name=name)


def expand_dims(input: Any, axis: Any, name: str | None = None) -> Any:  # noqa: A002
    return apply_op("ExpandDims", input=input, dim=axis, name=name)


def squeeze(input: Any, axis: Any = None, name: str | None = None) -> Any:  # noqa: A002
    if np.isscalar(axis):
        axis = [axis]
    return apply_op("Squeeze", input=input, squeeze_dims=list(axis or []), name=name)


def transpose(a: Any, perm: Any = None, name: str = "transpose", conjugate: bool = False) -> Any:
    with name_scope(name, "transpose", [a]) as scope:
        if not _is_tensor(a):
            a = convert_to_tensor(a, name="a")
        op_type = "ConjugateTranspose" if conjugate and _dtype(a).is_complex else "Transpose"
        if perm is None:
            rank = _shape_of(a).rank
            if rank is None:
                from savedmodel.framework import math_ops

                perm = math_ops.range_op(rank_op(a) - 1, -1, -1)
            else:
                perm = np.arange(rank - 1, -1, -1, dtype=np.int32)
        return apply_op(op_type, x=a, perm=perm, name=scope)


def _dtype(x: Any) -> dtypes.DType:
    return constant_op.dtype_of(x)


def shape(input: Any, out_type: Any = None, name: str | None = None) -> Any:  # noqa: A002
    out_type = dtypes.int32 if out_type is None else dtypes.as_dtype(out_type)
    with name_scope(name, "Shape", [input]) as scope:
        if context.executing_eagerly() and not _is_tensor(input):
            return np.array(np.shape(_eager_value(input)), dtype=out_type.as_numpy_dtype)
        input = convert_to_tensor(input)  # noqa: A001
        s = input.shape
        if s.is_fully_defined():
            return constant(s.as_list(), out_type, name=scope)
        return apply_op("Shape", input=input, out_type=out_type, name=scope)


def _eager_value(x: Any) -> Any:
    return convert_to_tensor(x)


def shape_n(input: Any, out_type: Any = dtypes.int32, name: str | None = None) -> Any:  # noqa: A002
    return apply_op("ShapeN", input=list(input), out_type=out_type, name=name)


def size(input: Any, out_type: Any = None, name: str | None = None) -> Any:  # noqa: A002
    out_type = dtypes.int32 if out_type is None else dtypes.as_dtype(out_type)
    with name_scope(name, "Size", [input]) as scope:
        if context.executing_eagerly() and not _is_tensor(input):
            return np.array(np.size(_eager_value(input)), dtype=out_type.as_numpy_dtype)
        input = convert_to_tensor(input)  # noqa: A001
        s = input.shape
        if s.is_fully_defined():
            return constant(s.num_elements(), out_type, name=scope)
        if s.rank is not None and any(d == 0 for d in s.dims):  # type: ignore[union-attr]
            return constant(0, out_type, name=scope)
        return apply_op("Size", input=input, out_type=out_type, name=scope)


def rank_op(input: Any, name: str | None = None) -> Any:  # noqa: A002
    with name_scope(name, "Rank", [input]) as scope:
        if context.executing_eagerly() and not _is_tensor(input):
            return np.array(np.ndim(_eager_value(input)), dtype=np.int32)
        input = convert_to_tensor(input)  # noqa: A001
        if input.shape.rank is not None:
            return constant(input.shape.rank, dtypes.int32, name=scope)
        return apply_op("Rank", input=input, name=scope)


def fill(dims: Any, value: Any, name: str | None = None) -> Any:
    return apply_op("Fill", dims=dims, value=value, name=name)


def _shape_as_tensor(shape_value: Any) -> Any:
    s = TensorShape(shape_value)
    if not s.is_fully_defined():
        raise ValueError(f"Cannot convert a partially known TensorShape {s} to a Tensor.")
    dims = s.as_list()
    dt = dtypes.int64 if any(d > 2**31 - 1 for d in dims) else dtypes.int32
    return constant(dims, dt, name="shape_as_tensor")


def _filled(shape_value: Any, dtype: Any, value: Any, name: str | None, default: str) -> Any:
    dtype = dtypes.as_dtype(dtype).base_dtype
    if dtype == dtypes.bool_:
        value = bool(value)
    elif dtype == dtypes.string:
        value = "" if value == 0 else value
    with name_scope(name, default, [shape_value]) as scope:
        if isinstance(shape_value, Tensor):
            shape_t = shape_value
        else:
            try:
                static = [int(Dimension(d).value) for d in _static_dims(shape_value)]
                if int(np.prod(static, dtype=np.int64)) < 1000 or context.executing_eagerly():
                    return constant(value, dtype=dtype, shape=static, name=scope)
                shape_t = _shape_as_tensor(static)
            except (TypeError, ValueError, NotImplementedError):
                shape_t = convert_to_tensor(shape_value, dtype=dtypes.int32)
        if _shape_of(shape_t).rank == 0:
            shape_t = reshape(shape_t, [-1])
        return fill(shape_t, constant(value, dtype=dtype), name=scope)


def _static_dims(shape_value: Any) -> list[Any]:
    if isinstance(shape_value, TensorShape):
        return shape_value.as_list()
    if isinstance(shape_value, (int, np.integer)):
        return [shape_value]
    arr = (
        np.asarray(shape_value, dtype=object)
        if not isinstance(shape_value, np.ndarray)
        else (shape_value)
    )
    flat = list(np.reshape(arr, -1))
    for d in flat:
        if isinstance(d, Tensor) or d is None:
            raise TypeError("shape has tensor or unknown elements")
    return flat


def zeros(shape: Any, dtype: Any = dtypes.float32, name: str | None = None) -> Any:
    return _filled(shape, dtype, 0, name, "zeros")


def ones(shape: Any, dtype: Any = dtypes.float32, name: str | None = None) -> Any:
    return _filled(shape, dtype, 1, name, "ones")


def _array_like(array_fn: Any, op_type: str, tensor: Any, dtype: Any, scope: str) -> Any:
    """TF's array_like_impl: a constant when the shape is static, else ZerosLike/OnesLike."""
    if not _is_tensor(tensor):
        tensor = convert_to_tensor(tensor, name="tensor")
    want = None if dtype is None else dtypes.as_dtype(dtype)
    if context.executing_eagerly() and not _is_tensor(tensor):
        if want is not None and want != _dtype(tensor):
            return array_fn(np.shape(tensor), dtype=want, name=scope)
        return apply_op(op_type, x=tensor, name=scope)
    if tensor.shape.is_fully_defined() and tensor.dtype != dtypes.variant:
        return array_fn(tensor.shape, dtype=want or tensor.dtype, name=scope)
    if want is not None and want != tensor.dtype and want != dtypes.variant:
        return array_fn(shape(tensor), dtype=want, name=scope)
    return apply_op(op_type, x=tensor, name=scope)


def zeros_like(input: Any, dtype: Any = None, name: str | None = None) -> Any:  # noqa: A002
    with name_scope(name, "zeros_like", [input]) as scope:
        return _array_like(zeros, "ZerosLike", input, dtype, scope)


def ones_like(input: Any, dtype: Any = None, name: str | None = None) -> Any:  # noqa: A002
    with name_scope(name, "ones_like", [input]) as scope:
        return _array_like(ones, "OnesLike", input, dtype, scope)


def ones_like_v1(tensor: Any, dtype: Any = None, name: str | None = None,
                 optimize: bool = True) -> Any:  # fmt: skip
    """`tf.compat.v1.ones_like`: ones of `shape(tensor)` (a Fill unless the shape is static)."""
    with name_scope(name, "ones_like", [tensor]) as scope:
        tensor = convert_to_tensor(tensor, name="tensor")
        if context.executing_eagerly() and not _is_tensor(tensor):
            return np.ones_like(tensor, dtype=None if dtype is None else
                                dtypes.as_dtype(dtype).as_numpy_dtype)  # fmt: skip
        result = ones(shape(tensor), dtype=dtype or tensor.dtype, name=scope)
        result.set_shape(tensor.shape)
        return result


def concat(values: Any, axis: Any, name: str = "concat") -> Any:
    if not isinstance(values, (list, tuple)):
        values = [values]
    if len(values) == 1:
        with name_scope(name) as scope:
            convert_to_tensor(axis, name="concat_dim", dtype=dtypes.int32)
        del scope
        return identity(values[0], name=name)
    return apply_op("ConcatV2", values=list(values), axis=axis, name=name)


def stack(values: Any, axis: int = 0, name: str = "stack") -> Any:
    if axis == 0:
        try:
            return convert_to_tensor(values, name=name)
        except (TypeError, ValueError, NotImplementedError):
            pass
    value_shape = _shape_of(convert_to_tensor(values[0], name=name))
    if value_shape.rank is not None:
        expanded = value_shape.rank + 1
        if axis < -expanded or axis >= expanded:
            raise ValueError(f"Argument `axis` = {axis} not in range [{-expanded}, {expanded})")
    return apply_op("Pack", values=list(values), axis=axis, name=name)


def unstack(value: Any, num: int | None = None, axis: int = 0, name: str = "unstack") -> Any:
    if num is None:
        value = convert_to_tensor(value)
        s = _shape_of(value)
        if s.rank is not None:
            if axis < -s.rank or axis >= s.rank:
                raise ValueError(f"Argument `axis` = {axis} not in range [{-s.rank}, {s.rank})")
            num = s[axis]
        if num is None:
            raise ValueError(f"Cannot infer argument `num` from shape {s}")
    return apply_op("Unpack", value=value, num=num, axis=axis, name=name)


def split(value: Any, num_or_size_splits: Any, axis: Any = 0, num: int | None = None,
          name: str = "split") -> Any:  # fmt: skip
    if isinstance(num_or_size_splits, (numbers.Integral, Dimension)):
        return apply_op("Split", split_dim=axis, value=value, num_split=int(num_or_size_splits),
                        name=name)  # fmt: skip
    size_splits = convert_to_tensor(num_or_size_splits)
    if _shape_of(size_splits).rank == 0:
        raise ValueError("Rank-0 tensors are not supported as the num_or_size_splits argument")
    if num is None:
        s = _shape_of(size_splits)
        num = s[0] if s.rank else None
        if num is None:
            raise ValueError(f"Cannot infer argument `num` from shape {num_or_size_splits}")
    return apply_op("SplitV", value=value, size_splits=size_splits, split_dim=axis, num_split=num,
                    name=name)  # fmt: skip


def tile(input: Any, multiples: Any, name: str | None = None) -> Any:  # noqa: A002
    return apply_op("Tile", input=input, multiples=multiples, name=name)


def pad(tensor: Any, paddings: Any, mode: str = "CONSTANT", name: str | None = None,
        constant_values: Any = 0) -> Any:  # fmt: skip
    mode = mode.upper()
    if mode == "CONSTANT":
        if (
            not _is_tensor(constant_values)
            and np.ndim(constant_values) == 0
            and (constant_values == 0)
        ):
            return apply_op("Pad", input=tensor, paddings=paddings, name=name)
        return apply_op("PadV2", input=tensor, paddings=paddings,
                        constant_values=constant_values, name=name)  # fmt: skip
    if mode in ("REFLECT", "SYMMETRIC"):
        return apply_op("MirrorPad", input=tensor, paddings=paddings, mode=mode, name=name)
    raise ValueError(
        f'Value of argument `mode` expected to be one of "CONSTANT", "REFLECT",'
        f' or "SYMMETRIC". Received `mode` = {mode}'
    )


def gather(params: Any, indices: Any, validate_indices: Any = None, axis: Any = None,
           batch_dims: int = 0, name: str | None = None) -> Any:  # fmt: skip
    if axis is None:
        axis = batch_dims
    axis_value = axis if not _is_tensor(axis) else None
    if axis_value is None or int(axis_value) != 0:
        return apply_op("GatherV2", params=params, indices=indices, axis=axis,
                        batch_dims=batch_dims, name=name)  # fmt: skip
    sparse_read = getattr(params, "sparse_read", None)
    if sparse_read is not None:
        return sparse_read(indices, name=name)
    return apply_op("GatherV2", params=params, indices=indices, axis=axis, name=name)


def slice_op(input_: Any, begin: Any, size_: Any, name: str | None = None) -> Any:
    return apply_op("Slice", input=input_, begin=begin, size=size_, name=name)


def strided_slice(
    input_: Any,
    begin: Any,
    end: Any,
    strides: Any = None,
    begin_mask: int = 0,
    end_mask: int = 0,
    ellipsis_mask: int = 0,
    new_axis_mask: int = 0,
    shrink_axis_mask: int = 0,
    var: Any = None,
    name: str | None = None,
) -> Any:
    if strides is None:
        strides = ones_like(begin)
    return apply_op(
        "StridedSlice",
        input=input_,
        begin=begin,
        end=end,
        strides=strides,
        begin_mask=begin_mask,
        end_mask=end_mask,
        ellipsis_mask=ellipsis_mask,
        new_axis_mask=new_axis_mask,
        shrink_axis_mask=shrink_axis_mask,
        name=name,
    )


def slice_helper(tensor: Any, slice_spec: Any, var: Any = None) -> Any:
    """`tensor[slice_spec]` lowered to one StridedSlice, as TensorFlow's `__getitem__`."""
    from savedmodel.framework.strided_slice import slice_spec_to_args

    if (
        isinstance(slice_spec, bool)
        or (isinstance(slice_spec, Tensor) and slice_spec.dtype == dtypes.bool_)
        or (isinstance(slice_spec, np.ndarray) and slice_spec.dtype == bool)
    ):
        return boolean_mask(tensor, slice_spec)
    args = slice_spec_to_args(slice_spec)
    values = [tensor, *args.begin, *args.end, *args.strides]
    with name_scope(None, "strided_slice", values) as scope:
        if args.begin:
            begin, end, strides = stack(args.begin), stack(args.end), stack(args.strides)
            if dtypes.int64 in (_dtype(begin), _dtype(end), _dtype(strides)):
                from savedmodel.framework.math_ops import raw_cast

                begin, end, strides = (
                    t if _dtype(t) == dtypes.int64 else raw_cast(t, dtypes.int64)
                    for t in (begin, end, strides)
                )
        else:
            begin = end = strides = constant([], dtype=dtypes.int32)
        return strided_slice(
            tensor,
            begin,
            end,
            strides,
            begin_mask=args.begin_mask,
            end_mask=args.end_mask,
            ellipsis_mask=args.ellipsis_mask,
            new_axis_mask=args.new_axis_mask,
            shrink_axis_mask=args.shrink_axis_mask,
            var=var,
            name=scope,
        )


def boolean_mask(tensor: Any, mask: Any, axis: Any = None, name: str = "boolean_mask") -> Any:
    from savedmodel.framework import math_ops

    with name_scope(name, values=[tensor, mask]):
        tensor = convert_to_tensor(tensor, name="tensor")
        mask = convert_to_tensor(mask, name="mask")
        mask_shape = _shape_of(mask)
        ndims_mask = mask_shape.rank
        if ndims_mask is None:
            raise ValueError(
                "Number of mask dimensions must be specified, even if some"
                " dimensions are None. E.g. shape=[None] is ok, but shape=None"
                " is not."
            )
        axis = 0 if axis is None else axis
        leading = math_ops.reduce_prod(shape(tensor)[axis : axis + ndims_mask], [0])
        tensor = reshape(
            tensor, concat([shape(tensor)[:axis], [leading], shape(tensor)[axis + ndims_mask :]], 0)
        )
        mask = reshape(mask, [-1])
        indices = squeeze(where(mask), axis=[1])
        return gather(tensor, indices, axis=axis)


def where(condition: Any, x: Any = None, y: Any = None, name: str | None = None) -> Any:
    if x is None and y is None:
        with name_scope(name, "Where", [condition]) as scope:
            condition = convert_to_tensor(condition, preferred_dtype=dtypes.bool_,
                                          name="condition")  # fmt: skip
            return apply_op("Where", input=condition, name=scope)
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    return apply_op("SelectV2", condition=condition, t=x, e=y, name=name)


def one_hot(indices: Any, depth: Any, on_value: Any = None, off_value: Any = None,
            axis: Any = None, dtype: Any = None, name: str | None = None) -> Any:  # fmt: skip
    with name_scope(name, "one_hot", [indices, depth, on_value, off_value, axis, dtype]) as scope:
        if on_value is not None:
            on_value = convert_to_tensor(on_value, dtype_hint=dtype)
        if off_value is not None:
            off_value = convert_to_tensor(off_value, dtype_hint=dtype)
        if on_value is not None or off_value is not None:
            if dtype is None:
                dtype = _dtype(on_value if on_value is not None else off_value).base_dtype
        elif dtype is None:
            dtype = dtypes.float32
        if on_value is None:
            on_value = convert_to_tensor(1, dtype, name="on_value")
        if off_value is None:
            off_value = convert_to_tensor(0, dtype, name="off_value")
        return apply_op(
            "OneHot",
            indices=indices,
            depth=depth,
            on_value=on_value,
            off_value=off_value,
            axis=-1 if axis is None else axis,
            name=scope,
        )


def broadcast_to(input: Any, shape: Any, name: str | None = None) -> Any:  # noqa: A002
    return apply_op("BroadcastTo", input=input, shape=shape, name=name)


def reverse(tensor: Any, axis: Any, name: str | None = None) -> Any:
    return apply_op("ReverseV2", tensor=tensor, axis=axis, name=name)


def ensure_shape(x: Any, shape: Any, name: str | None = None) -> Any:
    return apply_op("EnsureShape", input=x, shape=TensorShape(shape), name=name)
