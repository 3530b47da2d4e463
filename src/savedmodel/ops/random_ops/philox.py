"""Philox4x32-10, the counter-based generator behind TensorFlow's CPU random kernels, in numpy.

A generator state is a 64-bit key and a 128-bit counter (Python ints here). One *block* is the
Philox function of (key, counter + i): four uint32 words. Blocks are independent of each other, so
`blocks(key, counter, n)` computes n consecutive ones at once, as arrays.

Where the (key, counter) pair comes from:

- stateful ops (RandomUniform, ...): key = seed, counter = seed2 << 64, both taken as uint64;
  each run of the kernel then moves its counter on (see `stateful.py`);
- stateless V1 ops: the seed pair (s0, s1) is scrambled by one Philox block (see `from_seed`);
- stateless V2 ops: the key and counter arrive as uint64 tensors (StatelessRandomGetKeyCounter).
"""

from __future__ import annotations

import numpy as np

_MUL0 = np.uint64(0xD2511F53)
_MUL1 = np.uint64(0xCD9E8D57)
# The key schedule's Weyl increments (golden ratio and sqrt(3) - 1, as 32-bit fractions).
_BUMP0 = 0x9E3779B9
_BUMP1 = 0xBB67AE85
_LOW32 = np.uint64(0xFFFFFFFF)
_SHIFT32 = np.uint64(32)
_MASK64 = (1 << 64) - 1
_MASK128 = (1 << 128) - 1
ROUNDS = 10

# The fixed key that scrambles a stateless seed pair into a generator state.
_SEED_SCRAMBLE_KEY = 0x02461E29_3EC8F720


def blocks(key: int, counter: int, n: int) -> np.ndarray:
    """Blocks counter, counter + 1, ..., counter + n - 1 as a (n, 4) uint32 array (word 0
    first: the order in which TensorFlow hands samples out)."""
    return blocks_at(key, counter, np.arange(n, dtype=np.uint64))


# Blocks per slice of a long computation: its uint64 temporaries then stay in cache (3x faster).
_CHUNK = 16384


def blocks_at(key: int, counter: int, offsets: np.ndarray) -> np.ndarray:
    """The blocks at counter + offsets (a 1-D uint64 array) as a (len(offsets), 4) uint32 array."""
    if offsets.size <= _CHUNK:
        return _blocks_at(key, counter, offsets)
    out = np.empty((offsets.size, 4), dtype=np.uint32)
    for i in range(0, offsets.size, _CHUNK):
        out[i : i + _CHUNK] = _blocks_at(key, counter, offsets[i : i + _CHUNK])
    return out


def _blocks_at(key: int, counter: int, offsets: np.ndarray) -> np.ndarray:
    lo = np.uint64(counter & _MASK64) + offsets  # wraps modulo 2**64, as the low half does
    hi = np.uint64((counter >> 64) & _MASK64) + (lo < offsets).astype(np.uint64)
    # Words are kept in uint64 so that the 32x32 -> 64-bit products need no widening copies.
    c0, c1 = lo & _LOW32, lo >> _SHIFT32
    c2, c3 = hi & _LOW32, hi >> _SHIFT32
    k0, k1 = key & 0xFFFFFFFF, (key >> 32) & 0xFFFFFFFF
    for _ in range(ROUNDS):
        p0 = _MUL0 * c0
        p1 = _MUL1 * c2
        c0, c1, c2, c3 = (
            (p1 >> _SHIFT32) ^ c1 ^ np.uint64(k0),
            p1 & _LOW32,
            (p0 >> _SHIFT32) ^ c3 ^ np.uint64(k1),
            p0 & _LOW32,
        )
        k0 = (k0 + _BUMP0) & 0xFFFFFFFF
        k1 = (k1 + _BUMP1) & 0xFFFFFFFF
    out = np.empty((offsets.size, 4), dtype=np.uint32)
    out[:, 0], out[:, 1], out[:, 2], out[:, 3] = c0, c1, c2, c3
    return out


def samples(key: int, counter: int, n_blocks: int) -> np.ndarray:
    """The uint32 sample stream of `n_blocks` consecutive blocks, flat."""
    return blocks(key, counter, n_blocks).reshape(-1)


def advance(counter: int, n_blocks: int) -> int:
    """The 128-bit counter moved on by `n_blocks` blocks (wrapping like TensorFlow's)."""
    return (counter + n_blocks) & _MASK128


def from_seed(seed0: int, seed1: int) -> tuple[int, int]:
    """The (key, counter) of a stateless op's seed pair: Philox of the pair under a fixed key,
    whose first two words become the key and last two the counter's high half."""
    counter = (seed0 & _MASK64) | (seed1 & _MASK64) << 64
    w = [int(v) for v in blocks(_SEED_SCRAMBLE_KEY, counter, 1)[0]]
    return w[0] | w[1] << 32, (w[2] | w[3] << 32) << 64


def from_stateful_seeds(seed: int, seed2: int) -> tuple[int, int]:
    """The initial (key, counter) of a stateful op's (seed, seed2) attrs."""
    return seed & _MASK64, (seed2 & _MASK64) << 64


def key_counter_arrays(key: int, counter: int) -> tuple[np.ndarray, np.ndarray]:
    """(key, counter) as the uint64 tensors of StatelessRandomGetKeyCounter: [key], [lo, hi]."""
    return (
        np.array([key], dtype=np.uint64),
        np.array([counter & _MASK64, counter >> 64], dtype=np.uint64),
    )
