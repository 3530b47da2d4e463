"""tf.Example parsing: ParseExample, ParseExampleV2 and ParseSingleExample.

Each serialized `tensorflow.Example` is decoded with our protobuf classes; features are then read
into dense tensors (fixed shape, or variable length padded with the default), sparse tensors
(indices, values, dense shape) and, for V2, ragged tensors (values, row splits). Feature kinds are
checked against the requested dtype, and a required dense feature (empty default) that is missing
is an error, as in TensorFlow.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from google.protobuf.message import DecodeError

from savedmodel import protos
from savedmodel.errors import InvalidArgumentError
from savedmodel.ops._common import FLOAT32, INT64, OBJECT, shape_str, text
from savedmodel.ops.registry import register

_KIND = {FLOAT32: "float_list", INT64: "int64_list", OBJECT: "bytes_list"}
_TYPE_NAME = {FLOAT32: "float", INT64: "int64", OBJECT: "string"}


@dataclass(frozen=True)
class _Dense:
    key: str
    dtype: np.dtype
    shape: tuple[int | None, ...]
    default: np.ndarray

    @property
    def variable(self) -> bool:
        return bool(self.shape) and self.shape[0] in (None, -1)


def _key_list(keys: np.ndarray | Sequence, what: str) -> list[str]:
    out = []
    for k in np.ravel(np.asarray(keys, dtype=object)).tolist():
        out.append(k.decode("utf-8", "surrogateescape") if isinstance(k, bytes) else str(k))
    return out


def _decode_examples(serialized: np.ndarray) -> list:
    examples = []
    for i, blob in enumerate(np.ravel(serialized).tolist()):
        try:
            examples.append(protos.Example.FromString(bytes(blob)))
        except (DecodeError, TypeError, ValueError):
            shown = bytes(blob)[:64]
            raise InvalidArgumentError(
                f"Could not parse example input, value: '{shown!r}' (example {i})"
            ) from None
    return examples


def _values(example, key: str, dtype: np.dtype, where: str) -> list | None:
    """The value list of feature `key` (None if absent), checked against `dtype`."""
    fmap = example.features.feature
    if key not in fmap:
        return None
    feature = fmap[key]
    kind = feature.WhichOneof("kind")
    if kind is None:
        return []
    if kind != _KIND[dtype]:
        got = {"float_list": "float", "int64_list": "int64", "bytes_list": "string"}[kind]
        raise InvalidArgumentError(
            f"{where}, Key: {key}.  Data types don't match. Data type: {got} but expected type:"
            f" {_TYPE_NAME[dtype]}"
        )
    return list(getattr(feature, kind).value)


def _as_array(values: list, dtype: np.dtype) -> np.ndarray:
    if dtype == OBJECT:
        out = np.empty(len(values), dtype=object)
        out[:] = values
        return out
    return np.asarray(values, dtype=dtype)


def _dense(examples: list, spec: _Dense, batch_shape: tuple[int, ...]) -> np.ndarray:
    rows = []
    row_size = math.prod(d for d in spec.shape[1:]) if spec.variable else math.prod(spec.shape)
    for i, ex in enumerate(examples):
        where = f"Name: <unknown>, Index: {i}"
        vals = _values(ex, spec.key, spec.dtype, where)
        if vals is None:
            if spec.default.size == 0:
                raise InvalidArgumentError(
                    f"{where}.  Feature: {spec.key} (data type: {_TYPE_NAME[spec.dtype]}) is"
                    " required but could not be found."
                )
            rows.append(None)
            continue
        if spec.variable:
            if row_size == 0 or len(vals) % row_size:
                raise InvalidArgumentError(
                    f"{where}, Key: {spec.key}.  Number of {_TYPE_NAME[spec.dtype]} values is not a"
                    f" multiple of {row_size}: {len(vals)}"
                )
        elif len(vals) != row_size:
            raise InvalidArgumentError(
                f"{where}, Key: {spec.key}, Index: 0.  Number of {_TYPE_NAME[spec.dtype]} values"
                f" != expected.  Values size: {len(vals)} but output shape:"
                f" {shape_str(spec.shape)}"
            )
        rows.append(_as_array(vals, spec.dtype))
    if not spec.variable:
        default = spec.default.reshape(spec.shape) if spec.default.size else None
        out = np.empty((len(examples), *spec.shape), dtype=spec.dtype)
        for i, row in enumerate(rows):
            out[i] = default if row is None else row.reshape(spec.shape)
        return out.reshape(batch_shape + tuple(spec.shape))
    rest = tuple(spec.shape[1:])
    lengths = [0 if r is None else len(r) // max(row_size, 1) for r in rows]
    longest = max(lengths, default=0)
    pad = spec.default.reshape(-1)[0] if spec.default.size else (b"" if spec.dtype == OBJECT else 0)
    out = np.full((len(examples), longest, *rest), pad, dtype=spec.dtype)
    for i, row in enumerate(rows):
        if row is not None and lengths[i]:
            out[i, : lengths[i]] = row.reshape((lengths[i], *rest))
    return out.reshape(batch_shape + (longest, *rest))


def _sparse(examples: list, key: str, dtype: np.dtype, scalar: bool) -> list[np.ndarray]:
    indices, values, longest = [], [], 0
    for i, ex in enumerate(examples):
        vals = _values(ex, key, dtype, f"Name: <unknown>, Index: {i}") or []
        longest = max(longest, len(vals))
        for j in range(len(vals)):
            indices.append((j,) if scalar else (i, j))
        values += vals
    width = 1 if scalar else 2
    idx = np.array(indices, dtype=np.int64).reshape(len(indices), width)
    shape = [longest] if scalar else [len(examples), longest]
    return [idx, _as_array(values, dtype), np.array(shape, dtype=np.int64)]


def _ragged(examples: list, key: str, dtype: np.dtype, split: np.dtype) -> list[np.ndarray]:
    values, splits = [], [0]
    for i, ex in enumerate(examples):
        vals = _values(ex, key, dtype, f"Name: <unknown>, Index: {i}") or []
        values += vals
        splits.append(len(values))
    return [_as_array(values, dtype), np.array(splits, dtype=split)]


def _parse(
    serialized: np.ndarray,
    sparse_keys: list[str],
    sparse_types: list[np.dtype],
    dense: list[_Dense],
    ragged_keys: list[str] = (),
    ragged_value_types: list[np.dtype] = (),
    ragged_split_types: list[np.dtype] = (),
) -> list[np.ndarray]:
    if serialized.ndim > 1:
        raise InvalidArgumentError(
            "Expected serialized to be a scalar or vector, got shape:"
            f" {shape_str(serialized.shape)}"
        )
    scalar = serialized.ndim == 0
    examples = _decode_examples(serialized)
    batch_shape = () if scalar else (len(examples),)
    sparse = [
        _sparse(examples, k, t, scalar) for k, t in zip(sparse_keys, sparse_types, strict=True)
    ]
    dense_out = [_dense(examples, spec, batch_shape) for spec in dense]
    ragged = [
        _ragged(examples, k, vt, st)
        for k, vt, st in zip(ragged_keys, ragged_value_types, ragged_split_types, strict=True)
    ]
    if scalar and ragged:
        raise InvalidArgumentError("Ragged features need a vector of serialized examples")
    return (
        [s[0] for s in sparse]
        + [s[1] for s in sparse]
        + [s[2] for s in sparse]
        + dense_out
        + [r[0] for r in ragged]
        + [r[1] for r in ragged]
    )


def _dense_specs(keys: list[str], defaults: Sequence[np.ndarray], types, shapes) -> list[_Dense]:
    if not len(keys) == len(defaults) == len(types) == len(shapes):
        raise InvalidArgumentError(
            f"Expected len(dense_keys) == len(dense_defaults) == len(Tdense) =="
            f" len(dense_shapes): {len(keys)} {len(defaults)} {len(types)} {len(shapes)}"
        )
    specs = []
    for key, default, dtype, shape in zip(keys, defaults, types, shapes, strict=True):
        if shape is None:
            raise InvalidArgumentError(f"dense_shapes[{key}] must have a known rank")
        shape = tuple(None if d is None or d < 0 else d for d in shape)
        if any(d is None for d in shape[1:]):
            raise InvalidArgumentError(
                f"dense_shapes[{key}]: only the first dimension may be unknown"
            )
        spec = _Dense(key, np.dtype(dtype), shape, np.asarray(default))
        n = len(specs)
        if spec.variable and spec.default.size != 1:
            raise InvalidArgumentError(
                f"dense_shape[{n}] is a variable length shape: {_shape_text(shape)}, therefore"
                f" def_value[{n}] must contain a single element (the padding element).  But its"
                f" shape is: {shape_str(spec.default.shape)}"
            )
        if spec.default.size and not spec.variable and spec.default.shape != shape:
            raise InvalidArgumentError(
                f"def_value[{n}].shape() == {shape_str(spec.default.shape)} is not compatible"
                f" with dense_shapes_[{n}] == {shape_str(shape)}"
            )
        specs.append(spec)
    return specs


def _shape_text(shape: tuple[int | None, ...]) -> str:
    return "[" + ",".join("?" if d is None else str(d) for d in shape) + "]"


def parse_example(
    serialized: np.ndarray,
    names: np.ndarray,
    sparse_keys: list[np.ndarray],
    dense_keys: list[np.ndarray],
    dense_defaults: list[np.ndarray],
    *,
    sparse_types: list[np.dtype],
    Tdense: list[np.dtype],  # noqa: N803 (OpDef name)
    dense_shapes: list[tuple],
) -> list[np.ndarray]:
    if serialized.ndim != 1:
        raise InvalidArgumentError(
            f"Expected serialized to be a vector, got shape: {shape_str(serialized.shape)}"
        )
    skeys = [_key_list(k, "sparse_keys")[0] for k in sparse_keys]
    dkeys = [_key_list(k, "dense_keys")[0] for k in dense_keys]
    dense = _dense_specs(dkeys, dense_defaults, Tdense, dense_shapes)
    return _parse(serialized, skeys, sparse_types, dense)


def parse_example_v2(
    serialized: np.ndarray,
    names: np.ndarray,
    sparse_keys: np.ndarray,
    dense_keys: np.ndarray,
    ragged_keys: np.ndarray,
    dense_defaults: list[np.ndarray],
    *,
    Tdense: list[np.dtype],  # noqa: N803 (OpDef name)
    num_sparse: int,
    sparse_types: list[np.dtype],
    ragged_value_types: list[np.dtype],
    ragged_split_types: list[np.dtype],
    dense_shapes: list[tuple],
) -> list[np.ndarray]:
    dense = _dense_specs(_key_list(dense_keys, "dense_keys"), dense_defaults, Tdense, dense_shapes)
    skeys = _key_list(sparse_keys, "sparse_keys")
    if len(skeys) != num_sparse or len(sparse_types) != num_sparse:
        raise InvalidArgumentError(
            f"Expected len(sparse_keys) == len(sparse_types) == num_sparse: {len(skeys)}"
            f" {len(sparse_types)} {num_sparse}"
        )
    return _parse(
        serialized,
        skeys,
        sparse_types,
        dense,
        _key_list(ragged_keys, "ragged_keys"),
        ragged_value_types,
        ragged_split_types,
    )


def parse_single_example(
    serialized: np.ndarray,
    dense_defaults: list[np.ndarray],
    *,
    num_sparse: int,
    sparse_keys: list[str],
    dense_keys: list[str],
    sparse_types: list[np.dtype],
    Tdense: list[np.dtype],  # noqa: N803 (OpDef name)
    dense_shapes: list[tuple],
) -> list[np.ndarray]:
    if len(sparse_keys) != num_sparse:
        raise InvalidArgumentError(
            f"len(sparse_keys) != num_sparse: {len(sparse_keys)} {num_sparse}"
        )
    if serialized.ndim != 0:
        raise InvalidArgumentError(
            f"Expected serialized to be a scalar, got shape: {shape_str(serialized.shape)}"
        )
    dense = _dense_specs([text(k) for k in dense_keys], dense_defaults, Tdense, dense_shapes)
    return _parse(serialized, [text(k) for k in sparse_keys], sparse_types, dense)


register("ParseExample", parse_example)
register("ParseExampleV2", parse_example_v2)
register("ParseSingleExample", parse_single_example)
