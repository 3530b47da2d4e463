"""Python values <-> `AttrValue` protos, by OpDef attr type ("int", "list(type)", "shape"...).

`to_attr_value(value, "list(int)")` is what graph building stores in a NodeDef; `from_attr_value`
is `Operation.get_attr`'s view of it (TensorFlow's: bytes for strings, DType for types,
TensorShapeProto for shapes, TensorProto for tensors, NameAttrList for functions).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from savedmodel import dtypes, protos, tensors
from savedmodel.framework.tensor_shape import as_shape


def _as_bytes(value: Any, name: str) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    raise TypeError(f"Expected string for argument '{name}' not {value!r}.")


def _as_int(value: Any, name: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        if hasattr(value, "__index__") and not isinstance(value, (bool, np.bool_, float)):
            return int(value.__index__())
        raise TypeError(f"Expected int for argument '{name}' not {value!r}.")
    return int(value)


def _as_float(value: Any, name: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"Expected float for argument '{name}' not {value!r}.")
    return float(value)


def _as_bool(value: Any, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"Expected bool for argument '{name}' not {value!r}.")
    return bool(value)


def _as_type(value: Any, name: str) -> int:
    try:
        dt = dtypes.as_dtype(value)
    except Exception:
        raise TypeError(f"Expected DataType for argument '{name}' not {value!r}.") from None
    return dt.as_datatype_enum


def _as_shape_proto(value: Any, name: str) -> Any:
    if isinstance(value, protos.TensorShapeProto):
        return value
    try:
        shape = as_shape(value)
    except (TypeError, ValueError) as e:
        raise TypeError(f"Error converting {name!r} to a TensorShape: {e}.") from None
    return shape.to_proto()


def _as_tensor_proto(value: Any, name: str) -> Any:
    if isinstance(value, protos.TensorProto):
        return value
    return tensors.make_tensor_proto(value)


def _as_func(value: Any, name: str) -> Any:
    if isinstance(value, protos.NameAttrList):
        return value
    if isinstance(value, (str, bytes)):
        return protos.NameAttrList(name=value.decode() if isinstance(value, bytes) else value)
    fname = getattr(value, "name", None)
    if isinstance(fname, str):
        return protos.NameAttrList(name=fname)
    raise TypeError(f"Don't know how to convert {value!r} to a func for argument {name}")


_SCALAR = {
    "string": ("s", _as_bytes),
    "int": ("i", _as_int),
    "float": ("f", _as_float),
    "bool": ("b", _as_bool),
    "type": ("type", _as_type),
}
_MESSAGE = {"shape": ("shape", _as_shape_proto), "tensor": ("tensor", _as_tensor_proto),
            "func": ("func", _as_func)}  # fmt: skip


def to_attr_value(value: Any, attr_type: str, name: str = "attr") -> Any:
    """An AttrValue holding `value` as OpDef attr type `attr_type`."""
    if isinstance(value, protos.AttrValue):
        return value
    out = protos.AttrValue()
    if attr_type.startswith("list("):
        inner = attr_type[5:-1]
        if not isinstance(value, (list, tuple)):
            raise TypeError(f"Expected list for attr {name}, obtained {type(value).__name__}.")
        field, conv = _SCALAR.get(inner) or _MESSAGE[inner]
        out.list.SetInParent()
        target = getattr(out.list, field)
        if inner in _MESSAGE:
            target.extend(conv(v, name) for v in value)
        else:
            target.extend(conv(v, name) for v in value)
        return out
    if attr_type in _SCALAR:
        field, conv = _SCALAR[attr_type]
        setattr(out, field, conv(value, name))
        return out
    if attr_type in _MESSAGE:
        field, conv = _MESSAGE[attr_type]
        getattr(out, field).CopyFrom(conv(value, name))
        return out
    raise TypeError(f"Unrecognized Attr type {attr_type} for {name}.")


def guess_attr_value(value: Any) -> Any:
    """An AttrValue for a value with no declared type (private `_`-prefixed attrs)."""
    if isinstance(value, protos.AttrValue):
        return value
    if isinstance(value, (bool, np.bool_)):
        return to_attr_value(value, "bool")
    if isinstance(value, (int, np.integer)):
        return to_attr_value(value, "int")
    if isinstance(value, float):
        return to_attr_value(value, "float")
    if isinstance(value, (str, bytes)):
        return to_attr_value(value, "string")
    if isinstance(value, dtypes.DType):
        return to_attr_value(value, "type")
    if isinstance(value, (list, tuple)):
        if value and all(isinstance(v, (str, bytes)) for v in value):
            return to_attr_value(list(value), "list(string)")
        if value and all(isinstance(v, (int, np.integer)) for v in value):
            return to_attr_value(list(value), "list(int)")
    raise TypeError(f"Cannot store {value!r} as an attr value")


def from_attr_value(value: Any) -> Any:
    """TensorFlow's `Operation.get_attr` view of an AttrValue."""
    kind = value.WhichOneof("value")
    if kind == "list":
        lst = value.list
        for field in ("s", "i", "f", "b"):
            if getattr(lst, field):
                return list(getattr(lst, field))
        if lst.type:
            return [dtypes.DType(t) for t in lst.type]
        for field in ("shape", "tensor", "func"):
            if getattr(lst, field):
                return list(getattr(lst, field))
        return []
    if kind == "type":
        return dtypes.DType(value.type)
    if kind is None:
        return None
    return getattr(value, kind)


def attr_value_equal(a: Any, b: Any) -> bool:
    return a.SerializeToString(deterministic=True) == b.SerializeToString(deterministic=True)
