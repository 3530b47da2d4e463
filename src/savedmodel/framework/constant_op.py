"""Turning Python and numpy values into tensors: `constant`, `convert_to_tensor`, conversion hooks.

Python values follow TensorFlow's rules: with no dtype, floats become float32 and ints int32
(int64 if they do not fit), strings become DT_STRING; with a dtype, the values must be
compatible (no float for an int dtype, only bools for bool). numpy values keep their dtype, or are
cast to a requested one. In graph mode a value becomes a `Const` op; executing eagerly it becomes
a numpy array. Other types (variables) register a conversion function.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from savedmodel import dtypes, tensors
from savedmodel.framework import context
from savedmodel.framework.operation import Operation, Tensor
from savedmodel.framework.tensor_shape import Dimension, TensorShape

_OBJECT = np.dtype(object)
_INT32 = np.iinfo(np.int32)
_INT64 = np.iinfo(np.int64)

# (type, function(value, dtype, name, as_ref) -> Tensor | ndarray), most recently added last.
_CONVERTERS: list[tuple[type, Callable[..., Any]]] = []


def register_tensor_conversion_function(
    base_type: type | tuple[type, ...], conversion_func: Callable[..., Any], priority: int = 100
) -> None:
    types = base_type if isinstance(base_type, tuple) else (base_type,)
    for t in types:
        _CONVERTERS.append((t, conversion_func))


def _converter_for(value: Any) -> Callable[..., Any] | None:
    for base, fn in reversed(_CONVERTERS):
        if isinstance(value, base):
            return fn
    return None


# -- Python/numpy values -> numpy arrays ----------------------------------------------------------


def _flatten(values: Any) -> list[Any]:
    if isinstance(values, (list, tuple)):
        return [leaf for v in values for leaf in _flatten(v)]
    return [values]


def _check_compatible(values: Any, dtype: dtypes.DType) -> None:
    """TF's `_AssertCompatible`: a Python value must suit the requested dtype."""
    if dtype.is_bool:
        ok: Any = bool
    elif dtype.is_integer:
        ok = (int, np.integer, Dimension)
    elif dtype.is_floating:
        ok = (numbers.Real, np.integer, np.floating)
    elif dtype.is_complex:
        ok = (numbers.Complex, np.number)
    elif dtype == dtypes.string:
        ok = (bytes, str)
    else:
        return
    for v in _flatten(values):
        if isinstance(v, np.ndarray) and issubclass(
            v.dtype.type, ok if isinstance(ok, tuple) else (ok,)
        ):
            continue
        if not isinstance(v, ok):
            raise TypeError(f"Expected {dtype.name}, but got {v!r} of type '{type(v).__name__}'.")


def _bytes(x: Any) -> bytes:
    if isinstance(x, bytes):
        return x
    if isinstance(x, str):
        return x.encode("utf-8")
    if isinstance(x, np.bytes_):
        return bytes(x)
    if isinstance(x, np.str_):
        return str(x).encode("utf-8")
    raise TypeError(f"Expected string, but got {x!r} of type '{type(x).__name__}'.")


def _string_array(values: Any) -> np.ndarray:
    arr = np.asarray(values, dtype=object)
    out = np.empty(arr.shape, dtype=object)
    flat = out.reshape(-1)
    for i, v in enumerate(arr.reshape(-1)):
        flat[i] = _bytes(v)
    return out


def _unwrap_dims(values: Any) -> Any:
    if isinstance(values, Dimension):
        return values.value
    if isinstance(values, TensorShape):
        return values.as_list()
    if isinstance(values, (list, tuple)):
        return [_unwrap_dims(v) for v in values]
    return values


def to_numpy(values: Any, dtype: Any = None) -> np.ndarray:
    """The numpy array a Python/numpy value becomes as a tensor of `dtype` (or TF's default)."""
    dt = dtypes.as_dtype(dtype).base_dtype if dtype is not None else None
    if isinstance(values, (np.ndarray, np.generic)):
        arr = np.asarray(values)
        if dt is None:
            if arr.dtype.kind in "US":
                return _string_array(arr)
            dtypes.info_from_numpy(arr.dtype)  # raises for dtypes TF has no DataType for
            return arr
        if dt == dtypes.string:
            return _string_array(arr)
        target = dt.info.numpy
        return arr if target is None or arr.dtype == target else arr.astype(target)
    if values is None:
        raise ValueError("None values not supported.")
    values = _unwrap_dims(values)
    if dt is not None:
        _check_compatible(values, dt)
        if dt == dtypes.string:
            return _string_array(values)
        if dt.info.numpy is None:
            raise TypeError(f"Cannot convert {values!r} to a tensor of dtype {dt.name}")
        try:
            return np.array(values, dtype=dt.info.numpy)
        except (OverflowError, ValueError) as e:
            raise ValueError(
                f"Cannot convert {values!r} to EagerTensor of dtype {dt.name}: {e}"
            ) from None
    flat = _flatten(values)
    if flat and all(isinstance(v, (bytes, str, np.bytes_, np.str_)) for v in flat):
        return _string_array(values)
    try:
        arr = np.array(values)
    except (ValueError, OverflowError) as e:
        raise ValueError(f"Can't convert non-rectangular Python sequence to Tensor: {e}") from None
    if arr.dtype == _OBJECT:
        if any(isinstance(v, (Tensor, Operation)) for v in flat):
            raise TypeError("Expected any non-tensor type, but got a tensor instead.")
        raise ValueError(
            f"Can't convert Python sequence with mixed or unsupported types: {values!r}"
        )
    # NOTE: TF prefers float32 for Python floats and int32 for Python ints that fit.
    if arr.dtype == np.float64:
        arr = arr.astype(np.float32)
    elif arr.dtype.kind in "iu":
        if arr.size and (arr.max() > _INT64.max or arr.min() < _INT64.min):
            raise ValueError(f"Can't convert Python int {values!r} to a TensorFlow integer")
        if arr.size == 0 or (arr.max() <= _INT32.max and arr.min() >= _INT32.min):
            arr = arr.astype(np.int32)
        else:
            arr = arr.astype(np.int64)
    elif arr.dtype.kind in "US":
        return _string_array(arr)
    return arr


def eager_dtype(value: np.ndarray) -> dtypes.DType:
    """The DType of an eager value (object arrays: string, or resource/variant by content)."""
    if value.dtype == _OBJECT:
        sample = value.reshape(-1)[0] if value.size else b""
        if isinstance(sample, (bytes, str)):
            return dtypes.string
        if type(sample).__name__ == "ResourceHandle":
            return dtypes.resource
        return dtypes.variant
    return dtypes.as_dtype(value.dtype)


def dtype_of(value: Any) -> dtypes.DType:
    """The dtype `value` has as a tensor, found without converting or reading it.

    Graph tensors and variables give their own dtype (a variable is never read through numpy:
    while a graph is built its value is a ReadVariableOp); other values that of their array.
    """
    if type(value) is np.ndarray:
        return eager_dtype(value)
    if isinstance(value, Tensor) or hasattr(value, "_is_resource_variable"):
        return value.dtype
    return eager_dtype(np.asarray(value))


def shape_of(value: Any) -> TensorShape:
    """The static shape of `value` as a tensor (graph tensors and variables: their own)."""
    if type(value) is np.ndarray:
        return TensorShape(value.shape)
    if isinstance(value, Tensor) or hasattr(value, "_is_resource_variable"):
        return TensorShape(value.shape)
    return TensorShape(np.shape(value))


# -- constants ------------------------------------------------------------------------------------


def constant(value: Any, dtype: Any = None, shape: Any = None, name: str = "Const") -> Any:
    """`tf.constant`: a Const op in graph mode, a numpy array when executing eagerly."""
    from savedmodel.framework.graph import get_default_graph

    if context.executing_eagerly():
        arr = to_numpy(value, dtype)
        if shape is not None:
            shape = [int(d) for d in TensorShape(shape).as_list()]
            if arr.size == int(np.prod(shape)):
                arr = arr.reshape(shape)
            elif arr.size == 1:
                arr = np.broadcast_to(arr.reshape(()), shape).copy()
            else:
                raise TypeError(
                    f"Eager execution of tf.constant with unsupported shape. Tensor {value!r}"
                    f" (converted from {value!r}) has {arr.size} elements, but got `shape`"
                    f" {tuple(shape)} with {int(np.prod(shape))} elements)."
                )
        return arr
    return _graph_constant(get_default_graph(), value, dtype, shape, name)


def _graph_constant(graph: Any, value: Any, dtype: Any, shape: Any, name: str) -> Tensor:
    from savedmodel import protos

    if isinstance(value, Tensor):
        raise TypeError("Expected any non-tensor type, but got a tensor instead.")
    arr = to_numpy(value, dtype)
    dt = dtypes.as_dtype(dtype).base_dtype if dtype is not None else eager_dtype(arr)
    shape_list = None if shape is None else [int(d) for d in TensorShape(shape).as_list()]
    if shape_list is not None and arr.size != int(np.prod(shape_list)) and arr.size != 1:
        raise TypeError(f"Expected Tensor's shape: {tuple(shape_list)}, but got {arr.shape}.")
    proto = tensors.make_tensor_proto(arr, dt, shape=shape_list, allow_broadcast=True)
    attrs = {
        "value": protos.AttrValue(tensor=proto),
        "dtype": protos.AttrValue(type=dt.as_datatype_enum),
    }
    op = graph.create_op("Const", [], attrs=attrs, name=name, output_types=[dt])
    return op.outputs[0]


# -- convert_to_tensor ----------------------------------------------------------------------------


def _tensor_conversion(value: Tensor, dtype: Any, name: Any, as_ref: bool) -> Tensor:
    if dtype is not None and dtypes.as_dtype(dtype).base_dtype != value.dtype.base_dtype:
        raise ValueError(
            f"Tensor conversion requested dtype {dtypes.as_dtype(dtype).name} for Tensor with"
            f" dtype {value.dtype.name}: {value!r}"
        )
    return value


def _is_eager_handle(value: Any) -> bool:
    """Whether `value` is an eager resource handle (a 0-d object array holding one)."""
    if type(value) is not np.ndarray or value.dtype != _OBJECT or value.ndim != 0:
        return False
    return type(value[()]).__name__ == "ResourceHandle"


def _contains_tensor(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return any(_contains_tensor(v) for v in value)
    return isinstance(value, Tensor) or _converter_for(value) is not None


def _convert_once(value: Any, dtype: Any, name: str | None, as_ref: bool, graph: Any) -> Any:
    if isinstance(value, Tensor):
        return _tensor_conversion(value, dtype, name, as_ref)
    fn = _converter_for(value)
    if fn is not None:
        result = fn(value, dtype=dtype, name=name, as_ref=as_ref)
        if result is NotImplemented:
            raise TypeError(f"Cannot convert {value!r} to a Tensor")
        if dtype is not None and isinstance(result, Tensor):
            _tensor_conversion(result, dtype, name, as_ref)
        return result
    if graph is None:
        return to_numpy(value, dtype)
    if _is_eager_handle(value):
        capture = getattr(graph, "capture", None)
        if capture is None:
            # NOTE: TF's error for an eager tensor used in a graph that is not a function's.
            prefix = f"{name}: " if name else ""
            raise RuntimeError(
                f"{prefix}Attempting to capture an EagerTensor without building a function."
            )
        # A function graph takes an outside resource as an input (TF's FuncGraph.capture).
        return capture(value, name)
    if isinstance(value, (list, tuple)) and _contains_tensor(value):
        from savedmodel.framework import array_ops

        return array_ops.autopack(value, dtype, name or "packed")
    if isinstance(value, Operation):
        raise TypeError(
            f"Can't convert Operation '{value.name}' to Tensor (target dtype={dtype},"
            f" name={name}, as_ref={as_ref})"
        )
    return _graph_constant(graph, value, dtype, None, name or "Const")


def convert_to_tensor(
    value: Any,
    dtype: Any = None,
    name: str | None = None,
    as_ref: bool = False,
    preferred_dtype: Any = None,
    dtype_hint: Any = None,
) -> Any:
    """A Tensor (graph mode) or numpy array (eager) for `value`; TF's conversion rules."""
    from savedmodel.framework.graph import graph_mode_graph

    preferred_dtype = preferred_dtype if preferred_dtype is not None else dtype_hint
    graph = None
    if not isinstance(value, Tensor):
        graph = graph_mode_graph()
        if graph is None and _converter_for(value) is None and isinstance(value, (list, tuple)):
            graph = _graph_of_nested(value)
    else:
        graph = value.graph
        stack = context.graph_stack()
        if stack and stack[-1] is not graph and stack[-1].building_function:
            # A tensor of an enclosing graph used in a function body: captured as an input.
            _tensor_conversion(value, dtype, name, as_ref)
            # NOTE: TF names the placeholder after the captured tensor's op.
            return stack[-1].capture(value, value.op.name)
    if dtype is None and preferred_dtype is not None:
        try:
            result = _convert_once(value, preferred_dtype, name, as_ref, graph)
        except (TypeError, ValueError, OverflowError):
            result = None
        if result is not None:
            return result
    return _convert_once(value, dtype, name, as_ref, graph)


def _graph_of_nested(value: Any) -> Any:
    for v in _flatten(value):
        if isinstance(v, Tensor):
            return v.graph
    return None


def convert_n_to_tensor(
    values: Any, dtype: Any = None, name: str | None = None, preferred_dtype: Any = None,
    as_ref: bool = False,
) -> list[Any]:  # fmt: skip
    if not isinstance(values, (list, tuple)):
        raise TypeError("values must be a sequence.")
    return [
        convert_to_tensor(v, dtype, None if name is None else f"{name}_{i}", as_ref,
                          preferred_dtype)
        for i, v in enumerate(values)
    ]  # fmt: skip


def _tensor_shape_to_tensor(s: TensorShape, dtype: Any = None, name: Any = None,
                            as_ref: bool = False) -> Any:  # fmt: skip
    """A fully defined TensorShape as an int32 vector (int64 if a dim needs it), as TF does."""
    if not s.is_fully_defined():
        raise ValueError(f"Cannot convert a partially known TensorShape {s} to a Tensor.")
    dims = s.as_list()
    if dtype is None:
        dtype = dtypes.int64 if any(d > _INT32.max for d in dims) else dtypes.int32
    elif dtypes.as_dtype(dtype) not in (dtypes.int32, dtypes.int64):
        raise TypeError(f"Cannot convert {s} to {dtypes.as_dtype(dtype).name}")
    return constant(dims, dtype, name=name or "shape_as_tensor")


register_tensor_conversion_function(TensorShape, _tensor_shape_to_tensor)


def is_tensor(value: Any) -> bool:
    return isinstance(value, Tensor)


def is_symbolic(value: Any) -> bool:
    return isinstance(value, Tensor)
