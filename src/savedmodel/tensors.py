"""TensorProto <-> numpy, and TensorShapeProto <-> Python shapes.

`make_tensor_proto` writes what TensorFlow's `tf.make_tensor_proto` writes (byte for byte, see
FORMAT.md §2.3): raw `tensor_content` for numeric arrays of two or more elements, the typed
repeated field otherwise. `make_ndarray` reads both encodings for every data-holding dtype, with
the C++ rule for short typed fields (the last value repeats; no values means zeros).

Shapes on the Python side are tuples; `None` marks an unknown dimension, and a shape of unknown
rank is `None` itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from savedmodel import dtypes, protos
from savedmodel.errors import InvalidArgumentError, UnimplementedError

Shape = tuple[int | None, ...] | None

# Typed fields whose proto values are plain Python numbers numpy can take as-is.
_NUMERIC_FIELDS = {
    "float_val": np.float32,
    "double_val": np.float64,
    "int_val": np.int64,
    "int64_val": np.int64,
    "uint32_val": np.uint64,
    "uint64_val": np.uint64,
    "bool_val": np.bool_,
}


# ---------------------------------------------------------------------------------------------
# Shapes


def shape_from_proto(proto: Any) -> Shape:
    """A TensorShapeProto as a tuple (None for unknown dims, -1 in the proto), or None."""
    if proto.unknown_rank:
        return None
    return tuple(None if d.size < 0 else int(d.size) for d in proto.dim)


def shape_to_proto(shape: Iterable[int | None] | None, proto: Any = None) -> Any:
    """Fill (or create) a TensorShapeProto from a shape; None = unknown rank / unknown dim."""
    if proto is None:
        proto = protos.TensorShapeProto()
    else:
        proto.Clear()
        proto.SetInParent()
    if shape is None:
        proto.unknown_rank = True
        return proto
    for dim in shape:
        size = -1 if dim is None else int(dim)
        if size < -1:
            raise InvalidArgumentError(f"Invalid dimension {dim} in shape {tuple(shape)}")
        proto.dim.add(size=size)
    return proto


def _static_shape(proto: Any) -> tuple[int, ...]:
    """The fully known shape of a TensorProto; rejects unknown dims and unknown rank."""
    shape = shape_from_proto(proto.tensor_shape)
    if shape is None or any(d is None for d in shape):
        raise InvalidArgumentError(
            f"TensorProto of dtype {dtypes.enum_name(proto.dtype)} has a partial shape {shape}"
        )
    return shape  # type: ignore[return-value]


# ---------------------------------------------------------------------------------------------
# TensorProto -> numpy


def _string_content(content: bytes, n: int, where: str) -> np.ndarray:
    # NOTE: C++ decodes DT_STRING tensor_content as n varint32 lengths followed by the bytes.
    lengths = []
    pos = 0
    for _ in range(n):
        length = shift = 0
        while True:
            if pos >= len(content) or shift > 28:
                raise InvalidArgumentError(f"{where}: bad string length in tensor_content")
            byte = content[pos]
            pos += 1
            length |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                break
        lengths.append(length)
    if pos + sum(lengths) != len(content):
        raise InvalidArgumentError(f"{where}: string tensor_content lengths do not add up")
    out = np.empty(n, dtype=object)
    for i, length in enumerate(lengths):
        out[i] = content[pos : pos + length]
        pos += length
    return out


def _typed_values(proto: Any, row: dtypes.DTypeInfo, where: str) -> np.ndarray:
    """The typed repeated field's values as a flat array of the tensor's numpy dtype."""
    field = getattr(proto, row.field)  # type: ignore[arg-type]
    dt = row.numpy
    assert dt is not None
    if row.field == "string_val":
        out = np.empty(len(field), dtype=object)
        out[:] = list(field)
        return out
    if row.field == "half_val":
        # NOTE: half_val holds the 16-bit pattern of float16/bfloat16 in an int32.
        return np.array(field, dtype=np.int64).astype(np.uint16).view(dt)
    if row.field == "float8_val":
        return np.frombuffer(field, dtype=np.uint8).view(dt)
    if row.field in ("scomplex_val", "dcomplex_val"):
        parts = np.array(field, dtype=np.float32 if dt == np.complex64 else np.float64)
        if parts.size % 2:
            raise InvalidArgumentError(f"{where}: {row.field} has an odd number of values")
        return parts.view(dt)
    values = np.array(field, dtype=_NUMERIC_FIELDS[row.field])
    if row.kind in "iu" and dt.itemsize == 1 and dt.kind == "V":
        # ml_dtypes int4/uint4/int2/uint2 convert from a native integer type.
        return values.astype(np.int8 if row.kind == "i" else np.uint8).astype(dt)
    # NOTE: C++ static_casts int_val to narrower types (wrap-around), like astype.
    return values.astype(dt)


def make_ndarray(proto: Any) -> np.ndarray:
    """The value of a TensorProto as a numpy array (object array of bytes for strings)."""
    row = dtypes.info(proto.dtype)
    shape = _static_shape(proto)
    n = int(np.prod(shape, dtype=np.int64)) if shape else 1
    where = f"TensorProto {row.short}{list(shape)}"
    if row.numpy is None or row.field is None:
        raise UnimplementedError(f"Cannot convert a {row.name} TensorProto to a numpy array")
    if proto.tensor_content:
        content = proto.tensor_content
        if row.size is None:
            return _string_content(content, n, where).reshape(shape)
        if len(content) != n * row.size:
            raise InvalidArgumentError(
                f"{where}: tensor_content has {len(content)} bytes, expected {n * row.size} "
                f"({n} elements of {row.size} bytes)"
            )
        return np.frombuffer(content, dtype=row.numpy).reshape(shape).copy()
    values = _typed_values(proto, row, where)
    if values.size == 0:
        if row.kind == "s":
            out = np.empty(shape, dtype=object)
            out.fill(b"")
            return out
        return np.zeros(shape, dtype=row.numpy)
    if values.size < n:
        # NOTE: C++ Tensor::FromProto repeats the last given value to fill the tensor.
        values = np.concatenate([values, np.full(n - values.size, values[-1], dtype=values.dtype)])
    # NOTE: C++ ignores values beyond the element count.
    return values[:n].reshape(shape).copy()


# ---------------------------------------------------------------------------------------------
# numpy / Python values -> TensorProto


def _to_bytes(x: Any) -> bytes:
    if isinstance(x, bytes):
        return x
    if isinstance(x, str):
        return x.encode("utf-8")
    if isinstance(x, (bytearray, memoryview, np.bytes_)):
        return bytes(x)
    raise InvalidArgumentError(f"Cannot convert {x!r} of type {type(x).__name__} to a string")


def _flatten(values: Any) -> list[Any]:
    if isinstance(values, (list, tuple)):
        return [leaf for v in values for leaf in _flatten(v)]
    if isinstance(values, np.ndarray):
        return list(values.ravel())
    return [values]


def _infer_array(values: Any, dt: dtypes.DType | None) -> np.ndarray:
    """numpy array for `values`, with TF's preferences for Python values (float32, int32)."""
    if isinstance(values, (np.ndarray, np.generic)):
        arr = np.asarray(values)
        if dt is not None and dt.info.numpy is not None:
            arr = arr.astype(dt.info.numpy)
        return arr
    if values is None:
        raise InvalidArgumentError("None values not supported")
    np_dt = dt.info.numpy if dt is not None else None
    try:
        arr = np.array(values, dtype=np_dt)
    except (TypeError, ValueError, OverflowError) as e:
        raise InvalidArgumentError(f"Cannot convert {values!r} to a tensor: {e}") from None
    if (
        arr.dtype == object
        and dt is None
        and not all(isinstance(v, (bytes, str)) for v in _flatten(values))
    ):
        raise InvalidArgumentError(f"Cannot convert {values!r} to a dense tensor")
    if dt is None:
        # NOTE: TF prefers float32 over numpy's float64 and int32 over int64 (when lossless).
        if arr.dtype == np.float64:
            arr = arr.astype(np.float32)
        elif arr.dtype == np.int64:
            narrow = arr.astype(np.int32)
            if np.array_equal(narrow, arr):
                arr = narrow
    return arr


def _append_typed(proto: Any, row: dtypes.DTypeInfo, flat: np.ndarray) -> None:
    field = row.field
    if field == "half_val":
        proto.half_val.extend(flat.view(np.uint16).tolist())
    elif field == "float8_val":
        proto.float8_val = np.ascontiguousarray(flat).view(np.uint8).tobytes()
    elif field in ("scomplex_val", "dcomplex_val"):
        part = np.float32 if row.numpy == np.complex64 else np.float64
        getattr(proto, field).extend(np.ascontiguousarray(flat).view(part).tolist())
    elif field == "int_val" and flat.dtype.kind == "V":
        # ml_dtypes 4/2-bit integers: go through a native integer type.
        proto.int_val.extend(flat.astype(np.int8 if row.kind == "i" else np.uint8).tolist())
    else:
        getattr(proto, field).extend(flat.tolist())  # type: ignore[arg-type]


def make_tensor_proto(
    values: Any,
    dtype: Any = None,
    shape: Sequence[int] | None = None,
    verify_shape: bool = False,
    allow_broadcast: bool = False,
) -> Any:
    """A TensorProto holding `values`, encoded the way tf.make_tensor_proto encodes it."""
    if isinstance(values, protos.TensorProto):
        return values
    dt = dtypes.as_dtype(dtype).base_dtype if dtype is not None else None
    is_string_input = not isinstance(values, np.ndarray) and (
        dt == dtypes.string
        or (dt is None and any(isinstance(v, (bytes, str)) for v in _flatten(values)))
    )
    if is_string_input:
        flat_values = [_to_bytes(v) for v in _flatten(values)]
        arr = np.empty(np.shape(values) if flat_values else (0,), dtype=object)
        if flat_values:
            arr.ravel()[:] = flat_values
    elif shape is not None and int(np.prod(shape, dtype=np.int64)) == 0:
        arr = np.empty(shape, dtype=dt.info.numpy if dt is not None else np.float32)
    else:
        arr = _infer_array(values, dt)
    row = dt.info if dt is not None else dtypes.info_from_numpy(arr.dtype)
    if row.numpy is None or row.field is None:
        raise InvalidArgumentError(f"Cannot make a TensorProto of dtype {row.name}")
    if row.kind != "q" and dtypes.info_from_numpy(arr.dtype) is not row:
        raise InvalidArgumentError(f"dtype {row.short} is not compatible with {arr.dtype} values")

    if shape is None:
        out_shape = tuple(arr.shape)
    else:
        out_shape = tuple(int(d) for d in shape)
        if verify_shape and arr.shape != out_shape:
            raise InvalidArgumentError(f"Expected shape {out_shape}, got {arr.shape}")
        size = int(np.prod(out_shape, dtype=np.int64))
        if allow_broadcast and arr.shape not in ((1,), ()) and arr.size != size:
            raise InvalidArgumentError(f"Expected shape {out_shape}, got {arr.shape}")
        if arr.size > size:
            raise InvalidArgumentError(
                f"Too many elements provided for shape {list(out_shape)}: takes at most {size}, "
                f"got {arr.size}"
            )
    n = int(np.prod(out_shape, dtype=np.int64))
    proto = protos.TensorProto(dtype=row.enum)
    shape_to_proto(out_shape, proto.tensor_shape)
    flat = np.ascontiguousarray(arr).ravel()
    if row.kind == "s":
        proto.string_val.extend(_to_bytes(v) for v in flat)
    elif row.content and n > 1 and arr.size == n:
        if n * row.size >= 1 << 31:  # type: ignore[operator]
            raise InvalidArgumentError("Cannot create a TensorProto whose content is over 2 GB")
        proto.tensor_content = flat.astype(flat.dtype.newbyteorder("<")).tobytes()
    else:
        _append_typed(proto, row, flat)
    return proto
