"""`tensorflow.StructuredValue` codec: nested Python structures <-> protobuf (FORMAT.md §2.4/2.5).

TF2 SavedModels describe function inputs and outputs (`canonicalized_input_signature`,
`output_signature`, `FunctionSpec.fullargspec`, `input_signature`) as StructuredValue trees.
`decode` turns one into plain Python values plus the small value classes below; `encode` is its
inverse, so `decode(encode(x)) == x`.

    None, bool, int, float, str, list, tuple, dict  <->  the matching StructuredValue kind
    namedtuple (type rebuilt from name + fields)    <->  named_tuple_value
    TensorShape / savedmodel.dtypes.DType           <->  tensor_shape_value / tensor_dtype_value
    TensorSpec / BoundedTensorSpec                  <->  tensor_spec_value / bounded_..._value
    TypeSpec (SparseTensorSpec, RaggedTensorSpec..) <->  type_spec_value (class, state, components)
    TensorValue (a constant tensor) / numpy array   <->  tensor_value / numpy_value

The value classes print exactly like TensorFlow's (`repr(TensorSpec(...))`,
`str(TensorShape(...))`, `repr(TypeSpec)`), because `saved_model_cli` output shows them.
Dicts decode with their keys sorted (TensorFlow's order is the protobuf map's, i.e. arbitrary).
"""

from __future__ import annotations

import collections
import functools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from savedmodel import dtypes, protos, tensors
from savedmodel.dtypes import DType
from savedmodel.errors import InvalidArgumentError

__all__ = [
    "BoundedTensorSpec",
    "DType",
    "TensorShape",
    "TensorSpec",
    "TensorValue",
    "TypeSpec",
    "decode",
    "encode",
    "is_namedtuple",
]

# TypeSpecProto.TypeSpecClass values (FORMAT.md §2.5).
UNKNOWN = 0
SPARSE_TENSOR_SPEC = 1
INDEXED_SLICES_SPEC = 2
RAGGED_TENSOR_SPEC = 3
TENSOR_ARRAY_SPEC = 4
DATA_DATASET_SPEC = 5
DATA_ITERATOR_SPEC = 6
OPTIONAL_SPEC = 7
PER_REPLICA_SPEC = 8
VARIABLE_SPEC = 9
ROW_PARTITION_SPEC = 10
REGISTERED_TYPE_SPEC = 12
EXTENSION_TYPE_SPEC = 13

# Python class names of the built-in specs, keyed by TypeSpecClass (TF picks the class by enum).
BUILTIN_TYPE_SPECS: dict[int, str] = {
    SPARSE_TENSOR_SPEC: "SparseTensorSpec",
    INDEXED_SLICES_SPEC: "IndexedSlicesSpec",
    RAGGED_TENSOR_SPEC: "RaggedTensorSpec",
    TENSOR_ARRAY_SPEC: "TensorArraySpec",
    DATA_DATASET_SPEC: "DatasetSpec",
    DATA_ITERATOR_SPEC: "IteratorSpec",
    OPTIONAL_SPEC: "OptionalSpec",
    PER_REPLICA_SPEC: "PerReplicaSpec",
    VARIABLE_SPEC: "VariableSpec",
    ROW_PARTITION_SPEC: "RowPartitionSpec",
}


class TensorShape:
    """A static shape: a tuple of dims (int, None if unknown), or unknown rank (`dims` None)."""

    __slots__ = ("_dims",)

    def __init__(self, dims: Iterable[int | None] | None) -> None:
        if dims is None:
            self._dims: tuple[int | None, ...] | None = None
            return
        out = []
        for d in dims:
            if d is not None:
                d = int(d)
                if d < 0:
                    raise InvalidArgumentError(f"Dimension {d} must be >= 0")
            out.append(d)
        self._dims = tuple(out)

    @classmethod
    def from_proto(cls, proto: Any) -> TensorShape:
        if proto.unknown_rank:
            return cls(None)
        dims = []
        for dim in proto.dim:
            if dim.size < -1:
                raise InvalidArgumentError(f"Dimension {dim.size} must be >= 0 (or -1 for unknown)")
            dims.append(None if dim.size == -1 else dim.size)
        return cls(dims)

    def to_proto(self, proto: Any = None) -> Any:
        return tensors.shape_to_proto(self._dims, proto)

    @property
    def dims(self) -> tuple[int | None, ...] | None:
        return self._dims

    @property
    def rank(self) -> int | None:
        return None if self._dims is None else len(self._dims)

    def as_list(self) -> list[int | None]:
        if self._dims is None:
            raise ValueError("as_list() is not defined on an unknown TensorShape.")
        return list(self._dims)

    def __iter__(self) -> Iterator[int | None]:
        if self._dims is None:
            raise ValueError("Cannot iterate over a shape with unknown rank.")
        return iter(self._dims)

    def __len__(self) -> int:
        if self._dims is None:
            raise ValueError("Cannot take the length of shape with unknown rank.")
        return len(self._dims)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TensorShape) and self._dims == other._dims

    def __hash__(self) -> int:
        return hash(("TensorShape", self._dims))

    def __repr__(self) -> str:
        if self._dims is None:
            return "TensorShape(None)"
        return f"TensorShape({list(self._dims)!r})"

    def __str__(self) -> str:
        # NOTE: TF prints a shape as a tuple: "<unknown>", "()", "(3,)", "(None, 2)".
        if self._dims is None:
            return "<unknown>"
        if len(self._dims) == 1:
            return f"({self._dims[0]},)"
        return "(" + ", ".join(str(d) for d in self._dims) + ")"


def _as_shape(shape: Any) -> TensorShape:
    return shape if isinstance(shape, TensorShape) else TensorShape(shape)


class TensorSpec:
    """Type of a dense tensor: shape, dtype and an optional name (`tf.TensorSpec`)."""

    __slots__ = ("_shape", "_dtype", "_name")

    def __init__(self, shape: Any, dtype: Any = dtypes.float32, name: str | None = None) -> None:
        self._shape = _as_shape(shape)
        self._dtype = dtypes.as_dtype(dtype)
        self._name = name

    @property
    def shape(self) -> TensorShape:
        return self._shape

    @property
    def dtype(self) -> DType:
        return self._dtype

    @property
    def name(self) -> str | None:
        return self._name

    def _key(self) -> tuple[Any, ...]:
        return (type(self), self._shape, self._dtype, self._name)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TensorSpec) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(shape={self._shape}, dtype={self._dtype!r}, "
            f"name={self._name!r})"
        )


class BoundedTensorSpec(TensorSpec):
    """A TensorSpec with inclusive `minimum` / `maximum` arrays (`tf.BoundedTensorSpec`)."""

    __slots__ = ("_minimum", "_maximum")

    def __init__(
        self, shape: Any, dtype: Any, minimum: Any, maximum: Any, name: str | None = None
    ) -> None:
        super().__init__(shape, dtype, name)
        np_type = self._dtype.as_numpy_dtype
        self._minimum = np.array(minimum, dtype=np_type)
        self._maximum = np.array(maximum, dtype=np_type)

    @property
    def minimum(self) -> np.ndarray:
        return self._minimum

    @property
    def maximum(self) -> np.ndarray:
        return self._maximum

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, BoundedTensorSpec)
            and self._key() == other._key()
            and _array_equal(self._minimum, other._minimum)
            and _array_equal(self._maximum, other._maximum)
        )

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"BoundedTensorSpec(shape={self._shape}, dtype={self._dtype!r}, name={self._name!r}, "
            f"minimum={self._minimum!r}, maximum={self._maximum!r})"
        )


@dataclass(frozen=True, eq=False)
class TypeSpec:
    """A composite-tensor spec kept as TF serializes it: class enum and name, and its state.

    `state` is the decoded `type_state` (TF's `TypeSpec._serialize()` tuple), so `repr` gives
    TensorFlow's generic form `RaggedTensorSpec(TensorShape([None, None]), tf.int32, 1, tf.int64)`.
    """

    type_spec_class: int
    class_name: str
    state: Any
    num_flat_components: int = 0

    @property
    def type_name(self) -> str:
        """The Python class name TensorFlow would rebuild (`type(spec).__name__`)."""
        builtin = BUILTIN_TYPE_SPECS.get(self.type_spec_class)
        if builtin is not None:
            return builtin
        return self.class_name.rsplit(".", 1)[-1] or "TypeSpec"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, TypeSpec)
            and self.type_spec_class == other.type_spec_class
            and self.class_name == other.class_name
            and self.num_flat_components == other.num_flat_components
            and _values_equal(self.state, other.state)
        )

    def __hash__(self) -> int:
        return hash((self.type_spec_class, self.class_name, self.num_flat_components))

    def __repr__(self) -> str:
        name = self.type_name
        state = self.state
        if self.type_spec_class == VARIABLE_SPEC and _is_tuple_of(state, 4):
            shape, dtype, trainable, alias_id = state
            return (
                f"VariableSpec(shape={shape}, dtype={dtype!r}, trainable={trainable!r}, "
                f"alias_id={alias_id!r})"
            )
        if self.type_spec_class == ROW_PARTITION_SPEC and _is_tuple_of(state, 4):
            nrows, nvals, uniform_row_length = (_first_dim(s) for s in state[:3])
            dtype = state[3]
            return (
                f"RowPartitionSpec(nrows={nrows}, nvals={nvals}, "
                f"uniform_row_length={uniform_row_length}, dtype={dtype!r})"
            )
        if isinstance(state, tuple):
            return f"{name}{state!r}"
        return f"{name}({state!r})"


def _is_tuple_of(value: Any, n: int) -> bool:
    return isinstance(value, tuple) and len(value) == n


def _first_dim(value: Any) -> Any:
    # RowPartitionSpec stores each dimension as a one-element TensorShape.
    if isinstance(value, TensorShape):
        return value.dims[0] if value.dims else None
    return value


class TensorValue:
    """A constant tensor (StructuredValue `tensor_value`), as opposed to a numpy array."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = np.asarray(value)

    @property
    def dtype(self) -> DType:
        return dtypes.as_dtype(self.value.dtype)

    @property
    def shape(self) -> TensorShape:
        return TensorShape(self.value.shape)

    def numpy(self) -> np.ndarray:
        return self.value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TensorValue) and _array_equal(self.value, other.value)

    def __hash__(self) -> int:
        return hash(("TensorValue", self.value.shape, self.value.dtype.str))

    def __repr__(self) -> str:
        return f"<tf.Tensor: shape={self.shape}, dtype={self.dtype.name}, numpy={self.value!r}>"


def _array_equal(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and bool(np.all(a == b))


def _values_equal(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and _array_equal(a, b)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return (
            (type(a) is type(b) or (is_namedtuple(a) and is_namedtuple(b)))
            and len(a) == len(b)
            and all(_values_equal(x, y) for x, y in zip(a, b, strict=True))
        )
    return bool(a == b)


def is_namedtuple(value: Any) -> bool:
    return isinstance(value, tuple) and hasattr(type(value), "_fields")


@functools.lru_cache(maxsize=256)
def _namedtuple_type(name: str, fields: tuple[str, ...]) -> type:
    # NOTE: TF rebuilds a namedtuple type with the stored name and field names (a new type, not the
    # original one); cached so two decodes of the same structure give equal types.
    try:
        return collections.namedtuple(name, fields)  # type: ignore[misc]
    except ValueError as e:
        raise InvalidArgumentError(f"bad named_tuple_value {name!r} {list(fields)}: {e}") from None


# ---------------------------------------------------------------------------------------------
# Decoding


def decode(proto: Any) -> Any:
    """The Python value a `tensorflow.StructuredValue` message stands for."""
    kind = proto.WhichOneof("kind")
    if kind is None:
        raise InvalidArgumentError("StructuredValue has no value set")
    return _DECODERS[kind](getattr(proto, kind))


def _decode_tensor_spec(p: Any) -> TensorSpec:
    return TensorSpec(TensorShape.from_proto(p.shape), DType(p.dtype), p.name or None)


def _decode_bounded(p: Any) -> BoundedTensorSpec:
    return BoundedTensorSpec(
        TensorShape.from_proto(p.shape),
        DType(p.dtype),
        tensors.make_ndarray(p.minimum),
        tensors.make_ndarray(p.maximum),
        p.name or None,
    )


def _decode_type_spec(p: Any) -> TypeSpec:
    return TypeSpec(
        p.type_spec_class, p.type_spec_class_name, decode(p.type_state), p.num_flat_components
    )


def _decode_named_tuple(p: Any) -> tuple:
    keys = tuple(pair.key for pair in p.values)
    values = [decode(pair.value) for pair in p.values]
    return _namedtuple_type(p.name, keys)(*values)


_DECODERS: dict[str, Any] = {
    "none_value": lambda p: None,
    "float64_value": float,
    "int64_value": int,
    "string_value": str,
    "bool_value": bool,
    "tensor_shape_value": TensorShape.from_proto,
    "tensor_dtype_value": DType,
    "tensor_spec_value": _decode_tensor_spec,
    "type_spec_value": _decode_type_spec,
    "bounded_tensor_spec_value": _decode_bounded,
    "list_value": lambda p: [decode(v) for v in p.values],
    "tuple_value": lambda p: tuple(decode(v) for v in p.values),
    "dict_value": lambda p: {k: decode(p.fields[k]) for k in sorted(p.fields)},
    "named_tuple_value": _decode_named_tuple,
    "tensor_value": lambda p: TensorValue(tensors.make_ndarray(p)),
    "numpy_value": tensors.make_ndarray,
}


# ---------------------------------------------------------------------------------------------
# Encoding


def encode(value: Any) -> Any:
    """A `tensorflow.StructuredValue` message for `value` (the inverse of `decode`)."""
    out = protos.StructuredValue()
    _encode_into(value, out)
    return out


def _encode_into(value: Any, out: Any) -> None:
    if value is None:
        out.none_value.SetInParent()
    elif isinstance(value, bool):
        out.bool_value = value
    elif isinstance(value, int):
        if not -(1 << 63) <= value < 1 << 63:
            raise InvalidArgumentError(f"int {value} does not fit in int64_value")
        out.int64_value = value
    elif isinstance(value, float):
        out.float64_value = value
    elif isinstance(value, str):
        out.string_value = value
    elif isinstance(value, list):
        out.list_value.SetInParent()
        for item in value:
            _encode_into(item, out.list_value.values.add())
    elif is_namedtuple(value):
        out.named_tuple_value.name = type(value).__name__
        for key, item in zip(type(value)._fields, value, strict=True):
            pair = out.named_tuple_value.values.add(key=key)
            _encode_into(item, pair.value)
    elif isinstance(value, tuple):
        out.tuple_value.SetInParent()
        for item in value:
            _encode_into(item, out.tuple_value.values.add())
    elif isinstance(value, Mapping):
        out.dict_value.SetInParent()
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidArgumentError(f"dict key {key!r} is not a string")
            _encode_into(item, out.dict_value.fields[key])
    elif isinstance(value, TensorShape):
        value.to_proto(out.tensor_shape_value)
    elif isinstance(value, DType):
        out.tensor_dtype_value = value.as_datatype_enum
    elif isinstance(value, BoundedTensorSpec):
        p = out.bounded_tensor_spec_value
        _fill_spec(p, value)
        p.minimum.CopyFrom(tensors.make_tensor_proto(value.minimum))
        p.maximum.CopyFrom(tensors.make_tensor_proto(value.maximum))
    elif isinstance(value, TensorSpec):
        _fill_spec(out.tensor_spec_value, value)
    elif isinstance(value, TypeSpec):
        p = out.type_spec_value
        p.type_spec_class = value.type_spec_class
        p.type_spec_class_name = value.class_name
        p.num_flat_components = value.num_flat_components
        _encode_into(value.state, p.type_state)
    elif isinstance(value, TensorValue):
        out.tensor_value.CopyFrom(tensors.make_tensor_proto(value.value))
    elif isinstance(value, np.ndarray):
        out.numpy_value.CopyFrom(tensors.make_tensor_proto(value))
    else:
        raise InvalidArgumentError(
            f"No encoder for object {value!r} of type {type(value).__name__}"
        )


def _fill_spec(p: Any, spec: TensorSpec) -> None:
    p.name = spec.name or ""
    spec.shape.to_proto(p.shape)
    p.dtype = spec.dtype.as_datatype_enum
