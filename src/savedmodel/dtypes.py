"""The one dtype table: TensorFlow DataType enum <-> names <-> numpy dtype <-> storage facts.

Every module that needs to know about a dtype (TensorProto conversion, checkpoints, op kernels,
signatures) looks it up here. The table (`TABLE`) is plain data, one `DTypeInfo` row per base
DataType of `tensorflow/core/framework/types.proto`; `*_REF` values are the base value + 100 and
map back to the base row. `DType` is a small TF-like wrapper (`savedmodel.dtypes.float32`) whose
instances are interned, one per enum value (reference types included).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ml_dtypes
import numpy as np

from savedmodel.errors import InvalidArgumentError

REF_OFFSET = 100  # DT_X_REF == DT_X + 100


@dataclass(frozen=True)
class DTypeInfo:
    """One row of the dtype table (facts about a base, non-reference DataType)."""

    enum: int  # DataType enum value
    name: str  # enum name, "DT_FLOAT"
    short: str  # TensorFlow's DType.name, "float32"
    numpy: np.dtype | None  # storage dtype; object for strings; None where numpy has no type
    size: int | None  # bytes per element in tensor_content / bundle data; None if variable
    field: str | None  # TensorProto typed repeated field used when tensor_content is empty
    content: bool  # TF's make_tensor_proto uses tensor_content for 2+ elements
    kind: str  # f float, i signed int, u unsigned int, c complex, b bool, s string,
    # q quantized, r resource, v variant, x invalid


def _ml(name: str) -> np.dtype | None:
    # Older ml_dtypes releases lack the newest narrow types (int2, float4...).
    t = getattr(ml_dtypes, name, None)
    return None if t is None else np.dtype(t)


_OBJ = np.dtype(object)
_ = np.dtype

# fmt: off
TABLE: tuple[DTypeInfo, ...] = (
    DTypeInfo(0, "DT_INVALID", "invalid", None, None, None, False, "x"),
    DTypeInfo(1, "DT_FLOAT", "float32", _(np.float32), 4, "float_val", True, "f"),
    DTypeInfo(2, "DT_DOUBLE", "float64", _(np.float64), 8, "double_val", True, "f"),
    DTypeInfo(3, "DT_INT32", "int32", _(np.int32), 4, "int_val", True, "i"),
    DTypeInfo(4, "DT_UINT8", "uint8", _(np.uint8), 1, "int_val", True, "u"),
    DTypeInfo(5, "DT_INT16", "int16", _(np.int16), 2, "int_val", True, "i"),
    DTypeInfo(6, "DT_INT8", "int8", _(np.int8), 1, "int_val", True, "i"),
    DTypeInfo(7, "DT_STRING", "string", _OBJ, None, "string_val", False, "s"),
    DTypeInfo(8, "DT_COMPLEX64", "complex64", _(np.complex64), 8, "scomplex_val", False, "c"),
    DTypeInfo(9, "DT_INT64", "int64", _(np.int64), 8, "int64_val", True, "i"),
    DTypeInfo(10, "DT_BOOL", "bool", _(np.bool_), 1, "bool_val", False, "b"),
    DTypeInfo(11, "DT_QINT8", "qint8", _(np.int8), 1, "int_val", True, "q"),
    DTypeInfo(12, "DT_QUINT8", "quint8", _(np.uint8), 1, "int_val", True, "q"),
    DTypeInfo(13, "DT_QINT32", "qint32", _(np.int32), 4, "int_val", True, "q"),
    DTypeInfo(14, "DT_BFLOAT16", "bfloat16", _ml("bfloat16"), 2, "half_val", True, "f"),
    DTypeInfo(15, "DT_QINT16", "qint16", _(np.int16), 2, "int_val", True, "q"),
    DTypeInfo(16, "DT_QUINT16", "quint16", _(np.uint16), 2, "int_val", True, "q"),
    DTypeInfo(17, "DT_UINT16", "uint16", _(np.uint16), 2, "int_val", False, "u"),
    DTypeInfo(18, "DT_COMPLEX128", "complex128", _(np.complex128), 16, "dcomplex_val", False, "c"),
    DTypeInfo(19, "DT_HALF", "float16", _(np.float16), 2, "half_val", True, "f"),
    DTypeInfo(20, "DT_RESOURCE", "resource", None, None, "resource_handle_val", False, "r"),
    DTypeInfo(21, "DT_VARIANT", "variant", None, None, "variant_val", False, "v"),
    DTypeInfo(22, "DT_UINT32", "uint32", _(np.uint32), 4, "uint32_val", True, "u"),
    DTypeInfo(23, "DT_UINT64", "uint64", _(np.uint64), 8, "uint64_val", True, "u"),
    DTypeInfo(24, "DT_FLOAT8_E5M2", "float8_e5m2", _ml("float8_e5m2"), 1, "float8_val", True, "f"),
    DTypeInfo(25, "DT_FLOAT8_E4M3FN", "float8_e4m3fn", _ml("float8_e4m3fn"), 1, "float8_val", True,
              "f"),
    DTypeInfo(26, "DT_FLOAT8_E4M3FNUZ", "float8_e4m3fnuz", _ml("float8_e4m3fnuz"), 1, "float8_val",
              True, "f"),
    DTypeInfo(27, "DT_FLOAT8_E4M3B11FNUZ", "float8_e4m3b11fnuz", _ml("float8_e4m3b11fnuz"), 1,
              "float8_val", True, "f"),
    DTypeInfo(28, "DT_FLOAT8_E5M2FNUZ", "float8_e5m2fnuz", _ml("float8_e5m2fnuz"), 1, "float8_val",
              True, "f"),
    # NOTE: TF stores 4- and 2-bit integers unpacked, one element per byte, and its
    # make_tensor_proto never puts them in tensor_content (their bit layout is unspecified).
    DTypeInfo(29, "DT_INT4", "int4", _ml("int4"), 1, "int_val", False, "i"),
    DTypeInfo(30, "DT_UINT4", "uint4", _ml("uint4"), 1, "int_val", False, "u"),
    DTypeInfo(31, "DT_INT2", "int2", _ml("int2"), 1, "int_val", False, "i"),
    DTypeInfo(32, "DT_UINT2", "uint2", _ml("uint2"), 1, "int_val", False, "u"),
    DTypeInfo(33, "DT_FLOAT4_E2M1FN", "float4_e2m1fn", _ml("float4_e2m1fn"), 1, "float8_val", True,
              "f"),
)
# fmt: on
del _

_BY_ENUM: dict[int, DTypeInfo] = {row.enum: row for row in TABLE}
_BY_NAME: dict[str, DTypeInfo] = {row.name: row for row in TABLE}
_BY_SHORT: dict[str, DTypeInfo] = {row.short: row for row in TABLE}
# TF's non-canonical aliases (tf.as_dtype("half") etc.).
_BY_SHORT.update(half=_BY_ENUM[19], float=_BY_ENUM[1], double=_BY_ENUM[2])
# Reverse numpy lookup: only the canonical (non-quantized, non-handle) rows.
_BY_NUMPY: dict[np.dtype, DTypeInfo] = {
    row.numpy: row for row in TABLE if row.numpy is not None and row.kind not in "qrvsx"
}

# Enum constants, mirroring the names of a generated types_pb2 module.
DT_INVALID, DT_FLOAT, DT_DOUBLE, DT_INT32, DT_UINT8, DT_INT16, DT_INT8, DT_STRING = range(8)
DT_COMPLEX64, DT_INT64, DT_BOOL, DT_QINT8, DT_QUINT8, DT_QINT32, DT_BFLOAT16 = range(8, 15)
DT_QINT16, DT_QUINT16, DT_UINT16, DT_COMPLEX128, DT_HALF, DT_RESOURCE = range(15, 21)
DT_VARIANT, DT_UINT32, DT_UINT64, DT_FLOAT8_E5M2, DT_FLOAT8_E4M3FN = range(21, 26)
DT_FLOAT8_E4M3FNUZ, DT_FLOAT8_E4M3B11FNUZ, DT_FLOAT8_E5M2FNUZ = range(26, 29)
DT_INT4, DT_UINT4, DT_INT2, DT_UINT2, DT_FLOAT4_E2M1FN = range(29, 34)


def is_ref(enum: int) -> bool:
    """True for a `*_REF` DataType value (TF1 reference edges)."""
    return enum > REF_OFFSET and (enum - REF_OFFSET) in _BY_ENUM


def base_enum(enum: int) -> int:
    """The non-reference DataType value for `enum` (identity for base types)."""
    return enum - REF_OFFSET if is_ref(enum) else enum


def ref_enum(enum: int) -> int:
    """The `*_REF` DataType value for a base `enum`."""
    return base_enum(enum) + REF_OFFSET


def enum_name(enum: int) -> str:
    """The DataType enum name, "DT_FLOAT" / "DT_FLOAT_REF"; "DT_<n>" for an unknown value."""
    row = _BY_ENUM.get(base_enum(enum))
    if row is None:
        return f"DT_{enum}"
    return row.name + ("_REF" if is_ref(enum) else "")


def info(enum: int) -> DTypeInfo:
    """Table row for a DataType value (a `_REF` value gives its base row)."""
    row = _BY_ENUM.get(base_enum(int(enum)))
    if row is None:
        raise InvalidArgumentError(f"Unknown DataType enum value {enum}")
    return row


def info_from_name(name: str) -> DTypeInfo:
    """Table row for "DT_FLOAT" or "float32" (also the aliases "half", "float", "double")."""
    base = name.removesuffix("_REF").removesuffix("_ref")
    row = _BY_NAME.get(base) or _BY_SHORT.get(base)
    if row is None:
        raise InvalidArgumentError(f"Unknown dtype name {name!r}")
    return row


def info_from_numpy(dtype: Any) -> DTypeInfo:
    """Table row for a numpy dtype (or anything np.dtype accepts); strings map to DT_STRING."""
    try:
        dt = np.dtype(dtype)
    except TypeError as e:
        raise InvalidArgumentError(f"Not a numpy dtype: {dtype!r}") from e
    if dt.kind in "OSU":
        return _BY_ENUM[DT_STRING]
    row = _BY_NUMPY.get(dt.newbyteorder("=") if dt.byteorder == ">" else dt)
    if row is None:
        raise InvalidArgumentError(f"numpy dtype {dt} has no TensorFlow DataType")
    return row


class DType:
    """A TensorFlow-like dtype object (`tf.float32`); interned, one per DataType value."""

    __slots__ = ("_enum", "_info")
    _interned: dict[int, DType] = {}

    def __new__(cls, enum: int) -> DType:
        enum = int(enum)
        inst = cls._interned.get(enum)
        if inst is None:
            row = info(enum)
            inst = super().__new__(cls)
            inst._enum = enum
            inst._info = row
            cls._interned[enum] = inst
        return inst

    @property
    def as_datatype_enum(self) -> int:
        return self._enum

    @property
    def name(self) -> str:
        return self._info.short + ("_ref" if self.is_ref_dtype else "")

    @property
    def info(self) -> DTypeInfo:
        return self._info

    @property
    def is_ref_dtype(self) -> bool:
        return is_ref(self._enum)

    @property
    def base_dtype(self) -> DType:
        return DType(base_enum(self._enum))

    @property
    def as_numpy_dtype(self) -> type:
        """The numpy scalar type (np.float32, ml_dtypes.bfloat16, np.object_ for strings)."""
        if self._info.numpy is None:
            raise InvalidArgumentError(f"dtype {self.name} has no numpy equivalent")
        return self._info.numpy.type

    @property
    def size(self) -> int:
        """Bytes per element; 0 for variable-size types (string, resource, variant), like TF."""
        return self._info.size or 0

    @property
    def is_floating(self) -> bool:
        return self._info.kind == "f"

    @property
    def is_integer(self) -> bool:
        return self._info.kind in "iu"

    @property
    def is_unsigned(self) -> bool:
        return self._info.kind == "u"

    @property
    def is_complex(self) -> bool:
        return self._info.kind == "c"

    @property
    def is_bool(self) -> bool:
        return self._info.kind == "b"

    @property
    def is_quantized(self) -> bool:
        return self._info.kind == "q"

    def __repr__(self) -> str:
        return f"tf.{self.name}"

    def __str__(self) -> str:
        # NOTE: TF's str() of a DType, e.g. "<dtype: 'float32'>" (its repr is "tf.float32").
        return f"<dtype: {self.name!r}>"

    def __reduce__(self) -> tuple[Any, ...]:
        return (DType, (self._enum,))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DType):
            return other._enum == self._enum
        if other is None:
            return False
        try:
            return as_dtype(other)._enum == self._enum  # type: ignore[arg-type]
        except (InvalidArgumentError, TypeError):
            return False

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return self._enum


def as_dtype(value: DType | int | str | Any) -> DType:
    """A DType from a DType, DataType value, name ("float32", "DT_FLOAT") or numpy dtype/type."""
    if isinstance(value, DType):
        return value
    if isinstance(value, (bool, np.bool_)):
        raise InvalidArgumentError(f"Cannot convert {value!r} to a dtype")
    if isinstance(value, (int, np.integer)):
        return DType(int(value))
    enum = getattr(value, "as_datatype_enum", None)
    if isinstance(enum, int):  # a TensorFlow DType, or anything that quacks like one
        return DType(enum)
    if isinstance(value, str):
        row = info_from_name(value)
        ref = value.endswith(("_REF", "_ref"))
        return DType(row.enum + REF_OFFSET if ref else row.enum)
    return DType(info_from_numpy(value).enum)


float16 = half = DType(DT_HALF)
float32 = DType(DT_FLOAT)
float64 = double = DType(DT_DOUBLE)
bfloat16 = DType(DT_BFLOAT16)
complex64 = DType(DT_COMPLEX64)
complex128 = DType(DT_COMPLEX128)
int8 = DType(DT_INT8)
int16 = DType(DT_INT16)
int32 = DType(DT_INT32)
int64 = DType(DT_INT64)
uint8 = DType(DT_UINT8)
uint16 = DType(DT_UINT16)
uint32 = DType(DT_UINT32)
uint64 = DType(DT_UINT64)
# The TF-style API layer exports this one as `bool`; here it would shadow the builtin.
bool_ = DType(DT_BOOL)
string = DType(DT_STRING)
qint8 = DType(DT_QINT8)
quint8 = DType(DT_QUINT8)
qint16 = DType(DT_QINT16)
quint16 = DType(DT_QUINT16)
qint32 = DType(DT_QINT32)
resource = DType(DT_RESOURCE)
variant = DType(DT_VARIANT)
float8_e5m2 = DType(DT_FLOAT8_E5M2)
float8_e4m3fn = DType(DT_FLOAT8_E4M3FN)
float8_e4m3fnuz = DType(DT_FLOAT8_E4M3FNUZ)
float8_e4m3b11fnuz = DType(DT_FLOAT8_E4M3B11FNUZ)
float8_e5m2fnuz = DType(DT_FLOAT8_E5M2FNUZ)
int4 = DType(DT_INT4)
uint4 = DType(DT_UINT4)
int2 = DType(DT_INT2)
uint2 = DType(DT_UINT2)
float4_e2m1fn = DType(DT_FLOAT4_E2M1FN)
