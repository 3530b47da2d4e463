"""Stateful random kernels (RandomUniform, RandomStandardNormal, TruncatedNormal,
RandomUniformInt): what tf.random.uniform/normal with an op seed, tf.nn.dropout and tf_keras's
Dropout emit.

A kernel's generator starts at key = seed, counter = seed2 << 64 (both as uint64) and every run
reserves 256 blocks per output value, so run k (from 0) of an op making n values draws from
counter + k * 256 * n: TensorFlow's values, run after run.

NOTE: with seed == seed2 == 0 TensorFlow seeds the kernel from a nondeterministic source; so do
we (a fresh random 128-bit seed per stream), and its values then match no particular TF run.

The generator state lives in the session's resources. TensorFlow keeps it in the kernel object,
one per node; a kernel here does not know its node, so nodes with the same op type, dtype and
(seed, seed2) in one session share one stream (in TensorFlow each would start afresh). TF's
graph-level seeding gives distinct ops distinct seed2 values, which keeps them apart.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import numpy as np

from savedmodel.ops.random_ops import distributions as dist
from savedmodel.ops.random_ops.args import int_range, output_shape, size
from savedmodel.ops.random_ops.philox import advance, from_stateful_seeds
from savedmodel.ops.registry import register

# Blocks a kernel run reserves per output value, whatever the distribution.
_RESERVED_PER_VALUE = 256


def _reserve(ctx: Any, op: str, dtype: np.dtype, seed: int, seed2: int, n: int) -> tuple[int, int]:
    """The generator state for this run of an `op` with attrs (dtype, seed, seed2); moves it on."""
    name = ("random_ops.stream", op, dtype.name, seed, seed2)
    stream = ctx.resources.get(name)
    if stream is None:
        if seed == 0 and seed2 == 0:
            seed, seed2 = secrets.randbits(64), secrets.randbits(64)
        stream = ctx.resources[name] = list(from_stateful_seeds(seed, seed2))
    key, counter = stream
    stream[1] = advance(counter, n * _RESERVED_PER_VALUE)
    return key, counter


def _run(
    ctx: Any,
    op: str,
    make: dist.Distribution,
    dims: tuple[int, ...],
    dtype: np.dtype,
    seed: int,
    seed2: int,
) -> np.ndarray:
    n = size(dims)
    return make(*_reserve(ctx, op, dtype, seed, seed2, n), n).reshape(dims)


def _float_kernel(op: str, make: Callable[[np.dtype], dist.Distribution]) -> None:
    def kernel(
        shape: np.ndarray, *, dtype: np.dtype, seed: int = 0, seed2: int = 0, ctx: Any
    ) -> np.ndarray:
        dims = output_shape(shape, dtype, op)
        return _run(ctx, op, make(dtype), dims, dtype, seed, seed2)

    kernel.__name__ = kernel.__qualname__ = op
    register(op, kernel)


def random_uniform_int(
    shape: np.ndarray,
    minval: np.ndarray,
    maxval: np.ndarray,
    *,
    seed: int = 0,
    seed2: int = 0,
    ctx: Any,
) -> np.ndarray:
    dtype = minval.dtype
    dims = output_shape(shape, dtype, "RandomUniformInt")
    lo, hi = int_range(minval, maxval, size(dims))
    if not size(dims):
        return np.zeros(dims, dtype)
    return _run(ctx, "RandomUniformInt", dist.uniform_int(dtype, lo, hi), dims, dtype, seed, seed2)


_float_kernel("RandomUniform", dist.uniform)
_float_kernel("RandomStandardNormal", dist.normal)
_float_kernel("TruncatedNormal", dist.truncated_normal)
register("RandomUniformInt", random_uniform_int)
