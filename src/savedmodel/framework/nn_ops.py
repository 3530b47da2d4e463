"""Neural-network builders (`tf.nn.*`) with TensorFlow's node names and attr normalisation."""

from __future__ import annotations

from collections.abc import Sized
from typing import Any

import numpy as np

from savedmodel import dtypes
from savedmodel.framework import array_ops, math_ops
from savedmodel.framework.constant_op import convert_to_tensor
from savedmodel.framework.op_builder import apply_op
from savedmodel.framework.scopes import name_scope


def relu(features: Any, name: str | None = None) -> Any:
    return apply_op("Relu", features=features, name=name)


def relu6(features: Any, name: str | None = None) -> Any:
    with name_scope(name, "Relu6", [features]) as scope:
        features = convert_to_tensor(features, name="features")
        return apply_op("Relu6", features=features, name=scope)


def elu(features: Any, name: str | None = None) -> Any:
    return apply_op("Elu", features=features, name=name)


def selu(features: Any, name: str | None = None) -> Any:
    return apply_op("Selu", features=features, name=name)


def leaky_relu(features: Any, alpha: float = 0.2, name: str | None = None) -> Any:
    with name_scope(name, "LeakyRelu", [features, alpha]) as scope:
        features = convert_to_tensor(features, name="features")
        if array_ops._dtype(features).is_integer:
            features = math_ops.cast(features, dtypes.float32)
        if isinstance(alpha, np.ndarray):
            alpha = alpha.item()
        return apply_op("LeakyRelu", features=features, alpha=alpha, name=scope)


def _wrap_2d(op_type: str, logits: Any, axis: int, name: str | None) -> Any:
    logits = convert_to_tensor(logits)
    rank = array_ops._shape_of(logits).rank
    if axis == -1 or (rank is not None and axis == rank - 1):
        return apply_op(op_type, logits=logits, name=name)
    raise NotImplementedError(f"{op_type} over axis {axis} other than the last is not supported")


def softmax(logits: Any, axis: int | None = None, name: str | None = None) -> Any:
    return _wrap_2d("Softmax", logits, -1 if axis is None else axis, name)


def log_softmax(logits: Any, axis: int | None = None, name: str | None = None) -> Any:
    return _wrap_2d("LogSoftmax", logits, -1 if axis is None else axis, name)


def bias_add(value: Any, bias: Any, data_format: str | None = None,
             name: str | None = None) -> Any:  # fmt: skip
    with name_scope(name, "BiasAdd", [value, bias]) as scope:
        if data_format is not None:
            if data_format.startswith("NC"):
                data_format = "NCHW"
            elif data_format.startswith("N") and data_format.endswith("C"):
                data_format = "NHWC"
            else:
                raise ValueError("`data_format` must be of the form `N...C` or `NC...`")
        value = convert_to_tensor(value, name="input")
        bias = convert_to_tensor(bias, dtype=array_ops._dtype(value), name="bias")
        kw = {} if data_format is None else {"data_format": data_format}
        return apply_op("BiasAdd", value=value, bias=bias, name=scope, **kw)


def _get_sequence(value: Any, n: int, channel_index: int, name: str) -> list[int]:
    if value is None:
        value = [1]
    elif not isinstance(value, Sized):
        value = [value]
    current = len(value)
    if current == n + 2:
        return list(value)
    if current == 1:
        value = [value[0]] * n
    elif current == n:
        value = list(value)
    else:
        raise ValueError(
            f"{name} should be of length 1, {n} or {n + 2}. Received: {name}={value}"
            f" of length {current}"
        )
    return [1, 1, *value] if channel_index == 1 else [1, *value, 1]


def _convert_padding(padding: Any) -> tuple[str, list[int]]:
    if isinstance(padding, (list, tuple)):
        flat = [int(p) for pair in padding for p in pair]
        return "EXPLICIT", flat
    return padding, []


def conv2d(
    input: Any,
    filters: Any,
    strides: Any,
    padding: Any,  # noqa: A002
    data_format: str = "NHWC",
    dilations: Any = None,
    name: str | None = None,
) -> Any:
    padding, explicit = _convert_padding(padding)
    if data_format is None:
        data_format = "NHWC"
    channel_index = 1 if data_format.startswith("NC") else 3
    strides = _get_sequence(strides, 2, channel_index, "strides")
    dilations = _get_sequence(dilations, 2, channel_index, "dilations")
    return apply_op(
        "Conv2D",
        input=input,
        filter=filters,
        strides=strides,
        padding=padding,
        use_cudnn_on_gpu=True,
        explicit_paddings=explicit,
        data_format=data_format,
        dilations=dilations,
        name=name,
    )


def _pool2d(op_type: str, default: str, input: Any, ksize: Any, strides: Any,  # noqa: A002
            padding: Any, data_format: str | None, name: str | None) -> Any:  # fmt: skip
    with name_scope(name, default, [input]) as scope:
        data_format = data_format or "NHWC"
        channel_index = 1 if data_format.startswith("NC") else 3
        ksize = _get_sequence(ksize, 2, channel_index, "ksize")
        strides = _get_sequence(strides, 2, channel_index, "strides")
        if op_type == "MaxPool":
            padding, explicit = _convert_padding(padding)
            return apply_op(
                "MaxPool",
                input=input,
                ksize=ksize,
                strides=strides,
                padding=padding,
                explicit_paddings=explicit,
                data_format=data_format,
                name=scope,
            )
        return apply_op(
            "AvgPool",
            value=input,
            ksize=ksize,
            strides=strides,
            padding=padding,
            data_format=data_format,
            name=scope,
        )


def max_pool2d(input: Any, ksize: Any, strides: Any, padding: Any,  # noqa: A002
               data_format: str = "NHWC", name: str | None = None) -> Any:  # fmt: skip
    return _pool2d("MaxPool", "MaxPool2d", input, ksize, strides, padding, data_format, name)


def avg_pool2d(input: Any, ksize: Any, strides: Any, padding: Any,  # noqa: A002
               data_format: str = "NHWC", name: str | None = None) -> Any:  # fmt: skip
    return _pool2d("AvgPool", "AvgPool2D", input, ksize, strides, padding, data_format, name)


def max_pool(input: Any, ksize: Any, strides: Any, padding: Any,  # noqa: A002
             data_format: str | None = None, name: str | None = None) -> Any:  # fmt: skip
    return max_pool2d(input, ksize, strides, padding, data_format or "NHWC", name)


def avg_pool(input: Any, ksize: Any, strides: Any, padding: Any,  # noqa: A002
             data_format: str | None = None, name: str | None = None) -> Any:  # fmt: skip
    return avg_pool2d(input, ksize, strides, padding, data_format or "NHWC", name)


sigmoid = math_ops.sigmoid
tanh = math_ops.tanh
softplus = math_ops.softplus
softsign = math_ops.softsign
top_k = math_ops.top_k
