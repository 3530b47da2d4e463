"""The OpDef table: argument and attr structure of every TensorFlow op, without TensorFlow.

The facts come from `op_defs.binpb` next to this module (a serialized `tensorflow.OpList` dumped
from TensorFlow by `tools/gen_op_defs.py`; see that script for what is kept). The file is parsed
on first use and each OpDef is converted to the protobuf-free `OpDef` below on first lookup.

`OpDef.from_proto` also turns a FunctionDef's signature into an `OpDef`, so a call to a library
function is described exactly like a call to a registered op.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from savedmodel import protos
from savedmodel.errors import InvalidArgumentError
from savedmodel.graph import attrs as attr_codec

OP_DEFS_PATH = Path(__file__).with_name("op_defs.binpb")

# Attr types whose value is implied by a node's inputs (TF infers them when building a node).
_INFERABLE_TYPES = frozenset({"type", "list(type)"})


@dataclass(frozen=True, slots=True)
class ArgDef:
    """One input or output argument: a single tensor, N tensors of one type, or a type list."""

    name: str
    type: int  # fixed DataType enum; 0 when the type comes from an attr
    type_attr: str
    number_attr: str
    type_list_attr: str
    is_ref: bool

    def count(self, attrs: Mapping[str, Any]) -> int:
        """Number of tensors this argument stands for, given a node's (defaulted) attrs."""
        if self.number_attr:
            return _need(attrs, self.number_attr, self.name, int)
        if self.type_list_attr:
            return len(_need(attrs, self.type_list_attr, self.name, list))
        return 1

    def dtypes(self, attrs: Mapping[str, Any]) -> list[np.dtype]:
        """Numpy dtypes of the tensors of this argument (object for string/resource/variant)."""
        if self.type_list_attr:
            return list(_need(attrs, self.type_list_attr, self.name, list))
        if self.type_attr:
            dtype = _need(attrs, self.type_attr, self.name, np.dtype)
        else:
            dtype = attr_codec.numpy_dtype(self.type)
        return [dtype] * self.count(attrs)


@dataclass(frozen=True, slots=True)
class AttrDef:
    name: str
    type: str  # "int", "list(type)", "func", ...
    has_default: bool
    default: Any  # decoded default value; None when there is none


@dataclass(frozen=True)
class OpDef:
    """Protobuf-free OpDef: what the executor needs to wire, check and call a node."""

    name: str
    inputs: tuple[ArgDef, ...]
    outputs: tuple[ArgDef, ...]
    attrs: Mapping[str, AttrDef]
    is_stateful: bool
    control_outputs: tuple[str, ...] = ()

    @classmethod
    def from_proto(cls, proto: Any) -> OpDef:
        return cls(
            name=proto.name,
            inputs=tuple(_arg(a) for a in proto.input_arg),
            outputs=tuple(_arg(a) for a in proto.output_arg),
            attrs={a.name: _attr(a) for a in proto.attr},
            is_stateful=proto.is_stateful,
            control_outputs=tuple(proto.control_output),
        )

    def with_defaults(self, attrs: Mapping[str, Any]) -> dict[str, Any]:
        """`attrs` plus the OpDef default of every attr the node does not set."""
        full = dict(attrs)
        for name, spec in self.attrs.items():
            if name not in full and spec.has_default:
                full[name] = spec.default
        return full

    def input_counts(self, attrs: Mapping[str, Any]) -> list[int]:
        return [arg.count(attrs) for arg in self.inputs]

    def output_counts(self, attrs: Mapping[str, Any]) -> list[int]:
        return [arg.count(attrs) for arg in self.outputs]

    def num_outputs(self, attrs: Mapping[str, Any]) -> int:
        return sum(self.output_counts(attrs))

    def output_dtypes(self, attrs: Mapping[str, Any]) -> list[np.dtype]:
        return [dt for arg in self.outputs for dt in arg.dtypes(attrs)]

    def output_is_ref(self, attrs: Mapping[str, Any]) -> list[bool]:
        return [arg.is_ref for arg in self.outputs for _ in range(arg.count(attrs))]

    def input_is_ref(self, attrs: Mapping[str, Any]) -> list[bool]:
        return [arg.is_ref for arg in self.inputs for _ in range(arg.count(attrs))]

    def output_range(self, arg_name: str, attrs: Mapping[str, Any]) -> tuple[int, int] | None:
        """Flat [start, stop) of output argument `arg_name`, or None if there is no such arg."""
        start = 0
        for arg in self.outputs:
            n = arg.count(attrs)
            if arg.name == arg_name:
                return start, start + n
            start += n
        return None

    @cached_property
    def inferable_attrs(self) -> frozenset[str]:
        """Attrs implied by the inputs: type / list(type) attrs and the number attrs of inputs."""
        names = {n for n, a in self.attrs.items() if a.type in _INFERABLE_TYPES}
        names.update(arg.number_attr for arg in self.inputs if arg.number_attr)
        return frozenset(names)


def _need(attrs: Mapping[str, Any], name: str, arg: str, kind: type) -> Any:
    try:
        value = attrs[name]
    except KeyError:
        raise InvalidArgumentError(f"attr {name!r} (for argument {arg!r}) is not set") from None
    if not isinstance(value, kind) or isinstance(value, bool):
        raise InvalidArgumentError(
            f"attr {name!r} (for argument {arg!r}) has a value of the wrong kind: {value!r}"
        )
    return value


def _arg(proto: Any) -> ArgDef:
    return ArgDef(
        proto.name,
        proto.type,
        proto.type_attr,
        proto.number_attr,
        proto.type_list_attr,
        proto.is_ref,
    )


def _attr(proto: Any) -> AttrDef:
    has_default = proto.HasField("default_value")
    default = attr_codec.decode(proto.default_value) if has_default else None
    return AttrDef(proto.name, proto.type, has_default, default)


class _Table:
    """Lazily parsed OpList: protobuf messages by name, converted to OpDef on first lookup."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._protos: dict[str, Any] | None = None
        self._defs: dict[str, OpDef | None] = {}

    def _load(self) -> dict[str, Any]:
        if self._protos is None:
            op_list = protos.OpList()
            op_list.ParseFromString(self._path.read_bytes())
            self._protos = {op.name: op for op in op_list.op}
        return self._protos

    def lookup(self, name: str) -> OpDef | None:
        try:
            return self._defs[name]
        except KeyError:
            proto = self._load().get(name)
            op_def = None if proto is None else OpDef.from_proto(proto)
            self._defs[name] = op_def
            return op_def

    def names(self) -> frozenset[str]:
        return frozenset(self._load())


_TABLE = _Table(OP_DEFS_PATH)


def lookup(op_name: str) -> OpDef | None:
    """The OpDef of a registered TensorFlow op, or None if TensorFlow has no such op."""
    return _TABLE.lookup(op_name)


def op_names() -> frozenset[str]:
    """Names of every op in the table."""
    return _TABLE.names()
