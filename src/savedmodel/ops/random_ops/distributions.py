"""TensorFlow's distributions over Philox samples: n values from one generator state.

Every distribution turns whole blocks (four uint32 words) into a fixed group of values, and value
group g comes from block g, so the first n values never depend on n. How the words become values:

- uniform floats: the word's low mantissa bits (23 for float32, 10 for float16, 7 for bfloat16)
  under the exponent of 1.0, minus 1; float64 takes 20 bits of one word and 32 of the next;
- normals: Box-Muller on pairs of those uniforms, u1 clamped below at 1e-7,
  (sin(2 pi u2), cos(2 pi u2)) * sqrt(-2 log u1), evaluated in float32 (float64 for float64)
  with the C library's functions (see libm.py); float16/bfloat16 round the float32 values;
- truncated normals: value group g restarts the generator at block g * 256 (float64: g * 128)
  and reads words one at a time, keeping Box-Muller values with |x| < 2, in order;
- integers in [lo, hi): lo + word % (hi - lo) in unsigned arithmetic (int64: a 64-bit word built
  from two samples, low one first); full-range integers: the words themselves.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from savedmodel.ops import _libm as libm
from savedmodel.ops._common import FLOAT16, FLOAT32, FLOAT64
from savedmodel.ops.random_ops.philox import blocks, blocks_at, samples

Distribution = Callable[[int, int, int], np.ndarray]

_TWO_PI = np.float64(2 * math.pi)
_EPSILON32 = np.float32(1e-7)
_EPSILON64 = np.float64(1e-7)
_TRUNCATE = 2.0
# Blocks a truncated-normal value group may use before the next group's start.
_TRUNCATED_STRIDE = {4: 256, 2: 128}


def _n_blocks(n: int, per_block: int) -> int:
    return -(-n // per_block)


# -- uniform floats ---------------------------------------------------------------------------


def _unit32(words: np.ndarray) -> np.ndarray:
    bits = (words & np.uint32(0x7FFFFF)) | np.uint32(0x3F800000)
    return bits.view(np.float32) - np.float32(1)


def _unit64(high: np.ndarray, low: np.ndarray) -> np.ndarray:
    bits = (high.astype(np.uint64) & np.uint64(0xFFFFF)) << np.uint64(32)
    bits |= low.astype(np.uint64) | np.uint64(0x3FF0000000000000)
    return bits.view(np.float64) - np.float64(1)


def _unit16(words: np.ndarray, dtype: np.dtype) -> np.ndarray:
    if dtype == FLOAT16:
        bits = (words & np.uint32(0x3FF)) | np.uint32(0x3C00)
    else:
        bits = (words & np.uint32(0x7F)) | np.uint32(0x3F80)
    # [1, 2) - 1 is exact in every float type.
    return bits.astype(np.uint16).view(dtype) - np.ones((), dtype)


def uniform(dtype: np.dtype) -> Distribution:
    def draw(key: int, counter: int, n: int) -> np.ndarray:
        if dtype == FLOAT64:
            words = samples(key, counter, _n_blocks(n, 2))
            return _unit64(words[0::2], words[1::2])[:n]
        words = samples(key, counter, _n_blocks(n, 4))[:n]
        return _unit32(words) if dtype == FLOAT32 else _unit16(words, dtype)

    return draw


# -- normals ----------------------------------------------------------------------------------


def _box_muller32(x0: np.ndarray, x1: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    u1 = np.maximum(_unit32(x0), _EPSILON32)
    # NOTE: 2 * pi is a double, so the angle is rounded to float once, from a double product.
    angle = (_TWO_PI * _unit32(x1).astype(np.float64)).astype(np.float32)
    radius = np.sqrt(np.float32(-2) * libm.logf(u1))
    sin, cos = libm.sincosf(angle)
    return sin * radius, cos * radius


def _box_muller64(
    x0: np.ndarray, x1: np.ndarray, x2: np.ndarray, x3: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    u1 = np.maximum(_unit64(x0, x1), _EPSILON64)
    radius = np.sqrt(np.float64(-2) * libm.log(u1))
    sin, cos = libm.sincos(_TWO_PI * _unit64(x2, x3))
    return sin * radius, cos * radius


def _interleave(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    out = np.empty(first.shape[:-1] + (2 * first.shape[-1],), dtype=first.dtype)
    out[..., 0::2] = first
    out[..., 1::2] = second
    return out


def normal(dtype: np.dtype) -> Distribution:
    def draw(key: int, counter: int, n: int) -> np.ndarray:
        if dtype == FLOAT64:
            w = blocks(key, counter, _n_blocks(n, 2))
            return _interleave(*_box_muller64(w[:, 0], w[:, 1], w[:, 2], w[:, 3]))[:n]
        words = samples(key, counter, _n_blocks(n, 4))
        values = _interleave(*_box_muller32(words[0::2], words[1::2]))[:n]
        return values if dtype == FLOAT32 else values.astype(dtype)

    return draw


def truncated_normal(dtype: np.dtype) -> Distribution:
    per_group = 2 if dtype == FLOAT64 else 4
    stride = _TRUNCATED_STRIDE[per_group]

    def candidates(key: int, counter: int, groups: np.ndarray, first: int, count: int):
        """Box-Muller values of blocks first .. first + count - 1 of each of `groups`, in the
        order a group reads them: (len(groups), 4 * count), float64: (len(groups), 2 * count)."""
        offsets = groups.astype(np.uint64)[:, None] * np.uint64(stride)
        offsets = offsets + np.arange(first, first + count, dtype=np.uint64)
        w = blocks_at(key, counter, offsets.reshape(-1)).reshape(groups.size, count, 4)
        if dtype == FLOAT64:
            return _interleave(*_box_muller64(w[..., 0], w[..., 1], w[..., 2], w[..., 3]))
        flat = w.reshape(groups.size, 4 * count)
        return _interleave(*_box_muller32(flat[:, 0::2], flat[:, 1::2])).reshape(groups.size, -1)

    def draw(key: int, counter: int, n: int) -> np.ndarray:
        groups = _n_blocks(n, per_group)
        out = np.empty((groups, per_group), dtype=FLOAT64 if dtype == FLOAT64 else FLOAT32)
        filled = np.zeros(groups, dtype=np.int64)
        todo = np.arange(groups)
        # One block fills 83% of the groups (0.9545 ** 4), the next one most of the rest.
        first, count = 0, 1
        while todo.size:
            values = candidates(key, counter, todo, first, count)
            keep = np.abs(values) < _TRUNCATE
            slot = np.cumsum(keep, axis=1) - 1 + filled[todo, None]
            take = keep & (slot < per_group)
            rows = np.broadcast_to(todo[:, None], take.shape)[take]
            out[rows, slot[take]] = values[take]
            filled[todo] += take.sum(axis=1)
            todo = todo[filled[todo] < per_group]
            first += count
        values = out.reshape(-1)[:n]
        return values if dtype in (FLOAT32, FLOAT64) else values.astype(dtype)

    return draw


# -- integers ---------------------------------------------------------------------------------


def _words64(key: int, counter: int, n: int) -> np.ndarray:
    words = samples(key, counter, _n_blocks(n, 2)).astype(np.uint64)
    return (words[0::2] | words[1::2] << np.uint64(32))[:n]


def uniform_int(dtype: np.dtype, lo: int, hi: int) -> Distribution:
    """Integers in [lo, hi) (lo < hi), by modulo: TensorFlow's slightly biased choice."""
    wide = dtype.itemsize == 8
    unsigned = np.dtype(np.uint64 if wide else np.uint32)
    span = unsigned.type((hi - lo) % (1 << (8 * unsigned.itemsize)))
    base = unsigned.type(lo % (1 << (8 * unsigned.itemsize)))

    def draw(key: int, counter: int, n: int) -> np.ndarray:
        words = _words64(key, counter, n) if wide else samples(key, counter, _n_blocks(n, 4))[:n]
        return (base + words % span).view(dtype)

    return draw


def full_int(dtype: np.dtype) -> Distribution:
    """Integers over the whole range of `dtype` (the sample words themselves)."""

    def draw(key: int, counter: int, n: int) -> np.ndarray:
        if dtype.itemsize == 8:
            return _words64(key, counter, n).view(dtype)
        return samples(key, counter, _n_blocks(n, 4))[:n].view(dtype)

    return draw
