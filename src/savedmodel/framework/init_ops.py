"""TF1 initializers (`tf.compat.v1.zeros_initializer()`, `glorot_uniform_initializer()`...).

Each is a callable `init(shape, dtype=None, partition_info=None)` building the same ops as
TensorFlow's (e.g. `random_uniform/shape`, `/min`, `/max`, RandomUniform, sub, mul and the final
AddV2 named `random_uniform`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from savedmodel import dtypes
from savedmodel.framework import array_ops, constant_op, math_ops
from savedmodel.framework.op_builder import apply_op
from savedmodel.framework.scopes import name_scope


class Initializer:
    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Any:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return {}


class Zeros(Initializer):
    def __init__(self, dtype: Any = dtypes.float32) -> None:
        self.dtype = dtypes.as_dtype(dtype)

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Any:
        return array_ops.zeros(shape, dtype or self.dtype)


class Ones(Initializer):
    def __init__(self, dtype: Any = dtypes.float32) -> None:
        self.dtype = dtypes.as_dtype(dtype)

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Any:
        return array_ops.ones(shape, dtype or self.dtype)


class Constant(Initializer):
    def __init__(self, value: Any = 0, dtype: Any = dtypes.float32,
                 verify_shape: bool = False) -> None:  # fmt: skip
        self.value = value
        self.dtype = dtypes.as_dtype(dtype)

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Any:
        return constant_op.constant(self.value, dtype=dtype or self.dtype, shape=shape)


def _shape_tensor(shape: Any) -> Any:
    return constant_op.convert_to_tensor(shape, dtype=None if hasattr(shape, "dtype") else
                                         dtypes.int32, name="shape")  # fmt: skip


def random_uniform(shape: Any, minval: Any = 0, maxval: Any = None, dtype: Any = dtypes.float32,
                   seed: Any = None, name: str | None = None) -> Any:  # fmt: skip
    dtype = dtypes.as_dtype(dtype)
    if maxval is None:
        if dtype.is_integer:
            raise ValueError("Must specify maxval for integer dtype")
        maxval = 1
    with name_scope(name, "random_uniform", [shape, minval, maxval]) as scope:
        shape_t = _shape_tensor(shape)
        min_zero = isinstance(minval, int) and minval == 0
        max_one = isinstance(maxval, int) and maxval == 1
        if not min_zero or not max_one or dtype.is_integer:
            minval = constant_op.convert_to_tensor(minval, dtype=dtype, name="min")
            maxval = constant_op.convert_to_tensor(maxval, dtype=dtype, name="max")
        seed1, seed2 = (0, 0) if seed is None else (0, int(seed))
        if dtype.is_integer:
            return apply_op("RandomUniformInt", shape=shape_t, minval=minval, maxval=maxval,
                            seed=seed1, seed2=seed2, name=scope)  # fmt: skip
        result = apply_op("RandomUniform", shape=shape_t, dtype=dtype, seed=seed1, seed2=seed2)
        if min_zero:
            if not max_one:
                result = math_ops.multiply(result, maxval)
        else:
            result = math_ops.add(result * (maxval - minval), minval, name=scope)
        return result


def _normal(op_type: str, default: str, shape: Any, mean: Any, stddev: Any, dtype: Any,
            seed: Any, name: str | None) -> Any:  # fmt: skip
    with name_scope(name, default, [shape, mean, stddev]) as scope:
        shape_t = _shape_tensor(shape)
        mean_t = constant_op.convert_to_tensor(mean, dtype=dtype, name="mean")
        std_t = constant_op.convert_to_tensor(stddev, dtype=dtype, name="stddev")
        seed1, seed2 = (0, 0) if seed is None else (0, int(seed))
        rnd = apply_op(op_type, shape=shape_t, dtype=dtype, seed=seed1, seed2=seed2)
        mul = rnd * std_t
        return math_ops.add(mul, mean_t, name=scope)


def random_normal(shape: Any, mean: Any = 0.0, stddev: Any = 1.0, dtype: Any = dtypes.float32,
                  seed: Any = None, name: str | None = None) -> Any:  # fmt: skip
    return _normal("RandomStandardNormal", "random_normal", shape, mean, stddev, dtype, seed,
                   name)  # fmt: skip


def truncated_normal(shape: Any, mean: Any = 0.0, stddev: Any = 1.0, dtype: Any = dtypes.float32,
                     seed: Any = None, name: str | None = None) -> Any:  # fmt: skip
    return _normal("TruncatedNormal", "truncated_normal", shape, mean, stddev, dtype, seed, name)


class RandomUniform(Initializer):
    def __init__(self, minval: Any = 0.0, maxval: Any = None, seed: Any = None,
                 dtype: Any = dtypes.float32) -> None:  # fmt: skip
        self.minval, self.maxval, self.seed = minval, maxval, seed
        self.dtype = dtypes.as_dtype(dtype)

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Any:
        return random_uniform(shape, self.minval, self.maxval, dtype or self.dtype, self.seed)


class RandomNormal(Initializer):
    def __init__(self, mean: Any = 0.0, stddev: Any = 1.0, seed: Any = None,
                 dtype: Any = dtypes.float32) -> None:  # fmt: skip
        self.mean, self.stddev, self.seed = mean, stddev, seed
        self.dtype = dtypes.as_dtype(dtype)

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Any:
        return random_normal(shape, self.mean, self.stddev, dtype or self.dtype, self.seed)


class TruncatedNormal(RandomNormal):
    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Any:
        return truncated_normal(shape, self.mean, self.stddev, dtype or self.dtype, self.seed)


def _fans(shape: list[int]) -> tuple[float, float]:
    if len(shape) < 1:
        return 1.0, 1.0
    if len(shape) == 1:
        return float(shape[0]), float(shape[0])
    if len(shape) == 2:
        return float(shape[0]), float(shape[1])
    receptive = float(np.prod(shape[:-2]))
    return shape[-2] * receptive, shape[-1] * receptive


class VarianceScaling(Initializer):
    def __init__(self, scale: float = 1.0, mode: str = "fan_in",
                 distribution: str = "truncated_normal", seed: Any = None,
                 dtype: Any = dtypes.float32) -> None:  # fmt: skip
        self.scale, self.mode, self.distribution, self.seed = scale, mode, distribution, seed
        self.dtype = dtypes.as_dtype(dtype)

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Any:
        dtype = dtypes.as_dtype(dtype or self.dtype)
        fan_in, fan_out = _fans(list(shape))
        scale = self.scale
        if self.mode == "fan_in":
            scale /= max(1.0, fan_in)
        elif self.mode == "fan_out":
            scale /= max(1.0, fan_out)
        else:
            scale /= max(1.0, (fan_in + fan_out) / 2.0)
        if self.distribution in ("normal", "truncated_normal"):
            stddev = math.sqrt(scale) / 0.87962566103423978
            return truncated_normal(shape, 0.0, stddev, dtype, seed=self.seed)
        if self.distribution == "untruncated_normal":
            return random_normal(shape, 0.0, math.sqrt(scale), dtype, seed=self.seed)
        limit = math.sqrt(3.0 * scale)
        return random_uniform(shape, -limit, limit, dtype, seed=self.seed)


class GlorotUniform(VarianceScaling):
    def __init__(self, seed: Any = None, dtype: Any = dtypes.float32) -> None:
        super().__init__(1.0, "fan_avg", "uniform", seed, dtype)


class GlorotNormal(VarianceScaling):
    def __init__(self, seed: Any = None, dtype: Any = dtypes.float32) -> None:
        super().__init__(1.0, "fan_avg", "truncated_normal", seed, dtype)


zeros_initializer = Zeros
ones_initializer = Ones
constant_initializer = Constant
random_uniform_initializer = RandomUniform
random_normal_initializer = RandomNormal
truncated_normal_initializer = TruncatedNormal
variance_scaling_initializer = VarianceScaling
glorot_uniform_initializer = GlorotUniform
glorot_normal_initializer = GlorotNormal
