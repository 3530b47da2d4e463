"""Stateless random kernels: the same (shape, seed) or (shape, key, counter, alg) always gives
the same values, TensorFlow's bit for bit.

V1 ops take a seed pair, scrambled into a generator state (philox.from_seed); V2 ops take that
state as tensors, made by StatelessRandomGetKeyCounter (what tf.random.stateless_* and Keras 3's
initializers and dropout emit), and an algorithm id: on CPU TensorFlow runs Philox (1), which the
auto-select id (3) also picks; ThreeFry (2) has no CPU kernel.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from savedmodel.errors import InvalidArgumentError
from savedmodel.ops._common import INT32, shape_str
from savedmodel.ops.random_ops import distributions as dist
from savedmodel.ops.random_ops.args import int_range, output_shape, size
from savedmodel.ops.random_ops.philox import from_seed, key_counter_arrays
from savedmodel.ops.registry import register

PHILOX = 1
AUTO_SELECT = 3
_MASK64 = (1 << 64) - 1


def _seed_state(seed: np.ndarray) -> tuple[int, int]:
    if seed.shape != (2,):
        raise InvalidArgumentError(f"seed must have shape [2], not {shape_str(seed.shape)}")
    s0, s1 = (int(v) for v in seed.tolist())
    return from_seed(s0, s1)


def _v2_state(key: np.ndarray, counter: np.ndarray, alg: np.ndarray) -> tuple[int, int]:
    if alg.ndim != 0:
        raise InvalidArgumentError(f"alg must be a scalar, got shape {shape_str(alg.shape)}")
    alg_id = int(alg)
    if alg_id == AUTO_SELECT:
        alg_id = PHILOX
    if alg_id != PHILOX:
        raise InvalidArgumentError(f"Unsupported algorithm id: {alg_id}")
    if key.shape != (1,):
        raise InvalidArgumentError(
            f"key must have shape [1], not {shape_str(key.shape)}."
            " (Note that batched keys are not supported yet.)"
        )
    # NOTE: TensorFlow reads past a shorter counter tensor; we refuse it instead.
    if counter.ndim != 1 or counter.shape[0] < 2:
        raise InvalidArgumentError(
            f"counter must be a vector with length at least 2; got shape: "
            f"{shape_str(counter.shape)}."
        )
    lo, hi = (int(v) & _MASK64 for v in counter[:2].tolist())
    return int(key[0]) & _MASK64, lo | hi << 64


def _draw(make: dist.Distribution, state: tuple[int, int], dims: tuple[int, ...]) -> np.ndarray:
    return make(*state, size(dims)).reshape(dims)


# -- the kernels ------------------------------------------------------------------------------


def _with_seed(op: str, make: Callable[[np.dtype], dist.Distribution]) -> None:
    def kernel(shape: np.ndarray, seed: np.ndarray, *, dtype: np.dtype) -> np.ndarray:
        return _draw(make(dtype), _seed_state(seed), output_shape(shape, dtype, op))

    kernel.__name__ = kernel.__qualname__ = op
    register(op, kernel)


def _with_key(op: str, make: Callable[[np.dtype], dist.Distribution]) -> None:
    def kernel(
        shape: np.ndarray, key: np.ndarray, counter: np.ndarray, alg: np.ndarray, *, dtype: np.dtype
    ) -> np.ndarray:
        return _draw(make(dtype), _v2_state(key, counter, alg), output_shape(shape, dtype, op))

    kernel.__name__ = kernel.__qualname__ = op
    register(op, kernel)


def _bounded(
    state: tuple[int, int], dims: tuple[int, ...], minval: np.ndarray, maxval: np.ndarray
) -> np.ndarray:
    lo, hi = int_range(minval, maxval, size(dims))
    if not size(dims):
        return np.zeros(dims, minval.dtype)
    return _draw(dist.uniform_int(minval.dtype, lo, hi), state, dims)


def stateless_random_uniform_int(
    shape: np.ndarray, seed: np.ndarray, minval: np.ndarray, maxval: np.ndarray, *, dtype: np.dtype
) -> np.ndarray:
    dims = output_shape(shape, dtype, "StatelessRandomUniformInt")
    return _bounded(_seed_state(seed), dims, minval, maxval)


def stateless_random_uniform_int_v2(
    shape: np.ndarray,
    key: np.ndarray,
    counter: np.ndarray,
    alg: np.ndarray,
    minval: np.ndarray,
    maxval: np.ndarray,
    *,
    dtype: np.dtype,
) -> np.ndarray:
    dims = output_shape(shape, dtype, "StatelessRandomUniformIntV2")
    return _bounded(_v2_state(key, counter, alg), dims, minval, maxval)


# -- generator states -------------------------------------------------------------------------


def stateless_random_get_key_counter(seed: np.ndarray) -> list[np.ndarray]:
    return list(key_counter_arrays(*_seed_state(seed)))


def stateless_random_get_key_counter_alg(seed: np.ndarray) -> list[np.ndarray]:
    return [*key_counter_arrays(*_seed_state(seed)), np.asarray(PHILOX, INT32)]


def stateless_random_get_alg() -> np.ndarray:
    return np.asarray(PHILOX, INT32)


for _op, _make in [
    ("StatelessRandomUniform", dist.uniform),
    ("StatelessRandomNormal", dist.normal),
    ("StatelessTruncatedNormal", dist.truncated_normal),
    ("StatelessRandomUniformFullInt", dist.full_int),
]:
    _with_seed(_op, _make)
    _with_key(_op + "V2", _make)
register("StatelessRandomUniformInt", stateless_random_uniform_int)
register("StatelessRandomUniformIntV2", stateless_random_uniform_int_v2)
register("StatelessRandomGetKeyCounter", stateless_random_get_key_counter)
register("StatelessRandomGetKeyCounterAlg", stateless_random_get_key_counter_alg)
register("StatelessRandomGetAlg", stateless_random_get_alg)
