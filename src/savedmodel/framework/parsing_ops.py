"""`tf.io.parse_example` with `FixedLenFeature` / `VarLenFeature`: one ParseExampleV2 op.

Builds TensorFlow's nodes (scope `ParseExample`, defaults `key_<name>` reshaped to the feature
shape, empty defaults as `Const`, the op's list inputs as `ParseExampleV2/names` etc.), with
features sorted by key as TF sorts them. Sparse features come back as `SparseTensor`-like
triples (indices, values, dense_shape).
"""

from __future__ import annotations

import re
from collections import namedtuple
from typing import Any

from savedmodel import dtypes
from savedmodel.framework import array_ops
from savedmodel.framework.constant_op import constant, convert_to_tensor
from savedmodel.framework.op_builder import apply_op
from savedmodel.framework.operation import Tensor
from savedmodel.framework.scopes import name_scope
from savedmodel.framework.tensor_shape import TensorShape


class FixedLenFeature(namedtuple("FixedLenFeature", ["shape", "dtype", "default_value"])):
    """A dense feature of a fixed shape (`tf.io.FixedLenFeature`)."""

    def __new__(cls, shape: Any, dtype: Any, default_value: Any = None) -> FixedLenFeature:
        return super().__new__(cls, shape, dtype, default_value)


class VarLenFeature(namedtuple("VarLenFeature", ["dtype"])):
    """A variable-length feature, parsed to a sparse tensor (`tf.io.VarLenFeature`)."""


class SparseTensor(namedtuple("SparseTensor", ["indices", "values", "dense_shape"])):
    """The (indices, values, dense_shape) triple of a parsed sparse feature."""

    @property
    def dtype(self) -> dtypes.DType:
        return self.values.dtype

    @property
    def shape(self) -> TensorShape:
        return TensorShape(None)


def _key_name(prefix: str, key: str) -> str:
    return prefix + re.sub(r"[^A-Za-z0-9_.\-/]", "_", key)


def _dense_default(key: str, shape: TensorShape, dtype: dtypes.DType, default: Any) -> Any:
    if shape.rank and shape[0] is None:
        if default is None:
            return convert_to_tensor("" if dtype == dtypes.string else 0, dtype=dtype)
        value = convert_to_tensor(default, dtype=dtype, name=_key_name("padding_", key))
        return array_ops.reshape(value, [])
    if default is None:
        return constant([], dtype=dtype)
    if isinstance(default, Tensor):
        return default
    value = convert_to_tensor(default, dtype=dtype, name=_key_name("key_", key))
    return array_ops.reshape(value, shape)


def parse_example(serialized: Any, features: dict[str, Any], example_names: Any = None,
                  name: str | None = None) -> dict[str, Any]:  # fmt: skip
    if not features:
        raise ValueError("Argument `features` cannot be None.")
    sparse_keys, sparse_types, dense_keys, dense_types, dense_shapes, defaults = (
        [],
        [],
        [],
        [],
        [],
        {},
    )
    for key in sorted(features):
        feature = features[key]
        if isinstance(feature, VarLenFeature):
            sparse_keys.append(key)
            sparse_types.append(dtypes.as_dtype(feature.dtype))
        elif isinstance(feature, FixedLenFeature):
            dense_keys.append(key)
            dense_types.append(dtypes.as_dtype(feature.dtype))
            dense_shapes.append(TensorShape(feature.shape))
            if feature.default_value is not None:
                defaults[key] = feature.default_value
        else:
            raise ValueError(f"Unsupported feature type {type(feature).__name__} for {key!r}")
    with name_scope(name, "ParseExample", [serialized, example_names]):
        names = [] if example_names is None else example_names
        serialized = convert_to_tensor(serialized, name="serialized")
        dense_defaults = [
            _dense_default(k, s, t, defaults.get(k))
            for k, s, t in zip(dense_keys, dense_shapes, dense_types, strict=True)
        ]
        outputs = apply_op(
            "ParseExampleV2", serialized=serialized, names=names, sparse_keys=sparse_keys,
            dense_keys=dense_keys, ragged_keys=[], dense_defaults=dense_defaults,
            num_sparse=len(sparse_keys), sparse_types=sparse_types, ragged_value_types=[],
            ragged_split_types=[], dense_shapes=dense_shapes,
        )  # fmt: skip
    indices, values, shapes, dense = outputs[0], outputs[1], outputs[2], outputs[3]
    result: dict[str, Any] = {}
    for key, ix, val, shp in zip(sparse_keys, indices, values, shapes, strict=True):
        result[key] = SparseTensor(ix, val, shp)
    for key, value in zip(dense_keys, dense, strict=True):
        result[key] = value
    return result
