"""AttrValue -> plain Python values, decoded once when a graph or function is read.

The decoded forms are what kernels receive (see `savedmodel.ops.registry`):

    i -> int        f -> float      b -> bool      s -> str (UTF-8, "surrogateescape")
    type -> numpy dtype (object for string/resource/variant)
    shape -> tuple of int|None, or None for unknown rank
    tensor -> numpy array           func -> FuncAttr(name, attrs)
    list -> list of the element forms
    placeholder -> AttrPlaceholder(name): only inside function bodies, replaced when the function
    is instantiated with concrete attrs (`substitute`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from savedmodel import dtypes, tensors

_OBJECT = np.dtype(object)


@dataclass(frozen=True)
class FuncAttr:
    """A `func` attr: a function name plus the attrs it is instantiated with."""

    name: str
    attrs: Mapping[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, tuple]:
        """Hashable identity of this instantiation (name plus frozen attrs)."""
        cached = self.__dict__.get("_key")
        if cached is None:
            cached = (self.name, freeze_attrs(self.attrs))
            object.__setattr__(self, "_key", cached)
        return cached

    def __hash__(self) -> int:
        # Cached: executors look callers up by FuncAttr on every functional-op call.
        cached = self.__dict__.get("_hash")
        if cached is None:
            cached = hash(self.key)
            object.__setattr__(self, "_hash", cached)
        return cached

    def __eq__(self, other: object) -> bool:
        return self is other or (isinstance(other, FuncAttr) and other.key == self.key)


@dataclass(frozen=True)
class AttrPlaceholder:
    """`$name` inside a function body: the value of the function's own attr `name`."""

    name: str


def numpy_dtype(enum: int) -> np.dtype:
    """The numpy dtype kernels see for a DataType value (object for string/resource/variant)."""
    row = dtypes.info(enum)
    return row.numpy if row.numpy is not None else _OBJECT


def decode_string(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def decode(value: Any) -> Any:
    """Decode one AttrValue message; an AttrValue with no field set decodes to None."""
    kind = value.WhichOneof("value")
    if kind is None:
        return None
    if kind == "list":
        return _decode_list(value.list)
    if kind == "s":
        return decode_string(value.s)
    if kind == "i" or kind == "f" or kind == "b":
        return getattr(value, kind)
    if kind == "type":
        return numpy_dtype(value.type)
    if kind == "shape":
        return tensors.shape_from_proto(value.shape)
    if kind == "tensor":
        return tensors.make_ndarray(value.tensor)
    if kind == "func":
        return decode_func(value.func)
    return AttrPlaceholder(value.placeholder)


def decode_func(proto: Any) -> FuncAttr:
    return FuncAttr(proto.name, decode_map(proto.attr))


def decode_map(attr_map: Mapping[str, Any]) -> dict[str, Any]:
    """Decode a `map<string, AttrValue>` into a plain dict (keys sorted, for stable order)."""
    return {name: decode(attr_map[name]) for name in sorted(attr_map)}


def _decode_list(lst: Any) -> list[Any]:
    # NOTE: a ListValue does not say which kind it holds; TF takes the one non-empty field, and an
    # empty list is just empty whatever its declared type.
    if lst.s:
        return [decode_string(s) for s in lst.s]
    if lst.i:
        return list(lst.i)
    if lst.f:
        return list(lst.f)
    if lst.b:
        return list(lst.b)
    if lst.type:
        return [numpy_dtype(t) for t in lst.type]
    if lst.shape:
        return [tensors.shape_from_proto(s) for s in lst.shape]
    if lst.tensor:
        return [tensors.make_ndarray(t) for t in lst.tensor]
    if lst.func:
        return [decode_func(f) for f in lst.func]
    return []


def has_placeholder(value: Any) -> bool:
    if isinstance(value, AttrPlaceholder):
        return True
    if isinstance(value, FuncAttr):
        return any(has_placeholder(v) for v in value.attrs.values())
    return False


def substitute(value: Any, bindings: Mapping[str, Any]) -> Any:
    """`value` with every AttrPlaceholder replaced by its binding (KeyError if unbound)."""
    if isinstance(value, AttrPlaceholder):
        return bindings[value.name]
    if isinstance(value, FuncAttr) and has_placeholder(value):
        return FuncAttr(value.name, {k: substitute(v, bindings) for k, v in value.attrs.items()})
    return value


def freeze(value: Any) -> Any:
    """A hashable stand-in for a decoded attr value (used in cache keys)."""
    if isinstance(value, np.ndarray):
        if value.dtype == _OBJECT:
            return ("ndarray", value.shape, tuple(value.ravel().tolist()))
        return ("ndarray", value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, list):
        return tuple(freeze(v) for v in value)
    if isinstance(value, FuncAttr):
        return value.key
    return value


def freeze_attrs(attrs: Mapping[str, Any]) -> tuple:
    return tuple(sorted((k, freeze(v)) for k, v in attrs.items()))


def equal(a: Any, b: Any) -> bool:
    """Whether two decoded attr values are the same value (arrays compared by content)."""
    return freeze(a) == freeze(b)
