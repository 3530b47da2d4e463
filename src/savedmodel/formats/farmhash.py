"""FarmHash ``Fingerprint64`` and ``FingerprintCat64`` in pure Python.

TensorFlow fingerprints SavedModels (``fingerprint.pb``) and implements
``tf.fingerprint(..., "farmhash64")`` with FarmHash's ``Fingerprint64`` (the unseeded
``farmhashna`` 64-bit hash) and combines hashes with ``FingerprintCat64``. Both are specified
in FORMAT.md §1.4; all arithmetic is modulo 2**64.

The hash has a serial dependency from one 64-byte block to the next, so it cannot be
vectorised; the long-input loop is written with local variables only, unpacks whole blocks at
once and masks to 64 bits only where a value feeds a multiplication or a rotation.
"""

from __future__ import annotations

import struct

__all__ = ["fingerprint64", "fingerprint_cat64"]

_M = 0xFFFFFFFFFFFFFFFF
_K0 = 0xC3A5C85C97CB3127
_K1 = 0xB492B66FBE98F273
_K2 = 0x9AE16A3B2F90404F
_KMUL = 0xC6A4A7935BD1E995

_U64 = struct.Struct("<Q").unpack_from
_U32 = struct.Struct("<I").unpack_from
_U64X8 = struct.Struct("<8Q").unpack_from


def _rotr(v: int, s: int) -> int:
    # v must already be in [0, 2**64); every caller rotates by a non-zero amount.
    return ((v >> s) | (v << (64 - s))) & _M


def _shift_mix(v: int) -> int:
    return v ^ (v >> 47)


def _mix16(u: int, v: int, mul: int) -> int:
    a = ((u ^ v) * mul) & _M
    a ^= a >> 47
    b = ((v ^ a) * mul) & _M
    b ^= b >> 47
    return (b * mul) & _M


def _load64(s: bytes, i: int) -> int:
    return _U64(s, i)[0]


def _hash_0_to_16(s: bytes, n: int) -> int:
    if n >= 8:
        mul = _K2 + 2 * n
        a = (_load64(s, 0) + _K2) & _M
        b = _load64(s, n - 8)
        c = (_rotr(b, 37) * mul + a) & _M
        d = ((_rotr(a, 25) + b) * mul) & _M
        return _mix16(c, d, mul)
    if n >= 4:
        mul = _K2 + 2 * n
        a = _U32(s, 0)[0]
        return _mix16(n + (a << 3), _U32(s, n - 4)[0], mul)
    if n > 0:
        y = (s[0] + (s[n >> 1] << 8)) & 0xFFFFFFFF
        z = (n + (s[n - 1] << 2)) & 0xFFFFFFFF
        return (_shift_mix(((y * _K2) ^ (z * _K0)) & _M) * _K2) & _M
    return _K2


def _first_mix(s: bytes, n: int, ka: int) -> tuple[int, int, int, int]:
    """Shared start of the 17..32 and 33..64 byte cases: (mul, a, u, v), hashed as mix16(u, v)."""
    mul = _K2 + 2 * n
    a = (_load64(s, 0) * ka) & _M
    b = _load64(s, 8)
    c = (_load64(s, n - 8) * mul) & _M
    d = (_load64(s, n - 16) * _K2) & _M
    u = (_rotr((a + b) & _M, 43) + _rotr(c, 30) + d) & _M
    v = (a + _rotr((b + _K2) & _M, 18) + c) & _M
    return mul, a, u, v


def _hash_17_to_32(s: bytes, n: int) -> int:
    mul, _, u, v = _first_mix(s, n, _K1)
    return _mix16(u, v, mul)


def _hash_33_to_64(s: bytes, n: int) -> int:
    mul, a, y, v = _first_mix(s, n, _K2)
    z = _mix16(y, v, mul)
    e = (_load64(s, 16) * mul) & _M
    f = _load64(s, 24)
    g = ((y + _load64(s, n - 32)) * mul) & _M
    h = ((z + _load64(s, n - 24)) * mul) & _M
    return _mix16(
        (_rotr((e + f) & _M, 43) + _rotr(g, 30) + h) & _M,
        (e + _rotr((f + a) & _M, 18) + g) & _M,
        mul,
    )


def _hash_long(s: bytes, n: int) -> int:
    m = _M
    k1 = _K1
    seed = 81
    x = seed
    y = (seed * k1 + 113) & m
    z = (_shift_mix((y * _K2 + 113) & m) * _K2) & m
    v0 = v1 = w0 = w1 = 0
    x = (x * _K2 + _load64(s, 0)) & m
    end = ((n - 1) // 64) * 64
    last64 = end + ((n - 1) & 63) - 63

    # The block step with the two 32-byte "weak" hashes inlined; q0..q7 are the block's
    # eight little-endian words. Masks are deferred where only +, * or ^ follow (all exact
    # modulo 2**64); a value is masked before it is shifted right or rotated. A rotation's
    # unmasked high part only adds multiples of 2**64, so it may feed a product directly.
    for q0, q1, q2, q3, q4, q5, q6, q7 in struct.iter_unpack("<8Q", memoryview(s)[:end]):
        t = (x + y + v0 + q1) & m
        x = (((t >> 37) | (t << 27)) * k1 ^ w1) & m
        t = (y + v1 + q6) & m
        y = (((t >> 42) | (t << 22)) * k1 + v0 + q5) & m
        t = (z + w0) & m
        z = ((t >> 33) | (t << 31)) * k1 & m
        a = v1 * k1 + q0
        t = (x + w0 + a + q3) & m
        a2 = (a + q1 + q2) & m
        v0 = (a2 + q3) & m
        v1 = ((t >> 21) | (t << 43)) + ((a2 >> 44) | (a2 << 20)) + a & m
        a = z + w1 + q4
        t = (y + q2 + a + q7) & m
        a2 = (a + q5 + q6) & m
        w0 = (a2 + q7) & m
        w1 = ((t >> 21) | (t << 43)) + ((a2 >> 44) | (a2 << 20)) + a & m
        x, z = z, x

    mul = k1 + ((z & 0xFF) << 1)
    q0, q1, q2, q3, q4, q5, q6, q7 = _U64X8(s, last64)
    w0 = (w0 + ((n - 1) & 63)) & m
    v0 = (v0 + w0) & m
    w0 = (w0 + v0) & m
    x = (_rotr((x + y + v0 + q1) & m, 37) * mul) & m
    y = (_rotr((y + v1 + q6) & m, 42) * mul) & m
    x ^= (w1 * 9) & m
    y = (y + v0 * 9 + q5) & m
    z = (_rotr((z + w0) & m, 33) * mul) & m
    v0, v1 = _weak32(q0, q1, q2, q3, (v1 * mul) & m, (x + w0) & m)
    w0, w1 = _weak32(q4, q5, q6, q7, (z + w1) & m, (y + q2) & m)
    x, z = z, x
    return _mix16(
        (_mix16(v0, w0, mul) + _shift_mix(y) * _K0 + z) & m,
        (_mix16(v1, w1, mul) + x) & m,
        mul,
    )


def _weak32(w: int, x: int, y: int, z: int, a: int, b: int) -> tuple[int, int]:
    a = (a + w) & _M
    b = _rotr((b + a + z) & _M, 21)
    c = a
    a = (a + x + y) & _M
    b = (b + _rotr(a, 44)) & _M
    return (a + z) & _M, (b + c) & _M


def fingerprint64(data: bytes | bytearray | memoryview | str) -> int:
    """FarmHash ``Fingerprint64`` of ``data`` as an unsigned 64-bit int (str is UTF-8 encoded)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    elif not isinstance(data, bytes):
        data = bytes(data)
    n = len(data)
    if n <= 16:
        return _hash_0_to_16(data, n)
    if n <= 32:
        return _hash_17_to_32(data, n)
    if n <= 64:
        return _hash_33_to_64(data, n)
    return _hash_long(data, n)


def fingerprint_cat64(fp1: int, fp2: int) -> int:
    """FarmHash ``FingerprintCat64``: combine two 64-bit fingerprints (order matters)."""
    r = (fp1 & _M) ^ _KMUL
    r ^= (_shift_mix(((fp2 & _M) * _KMUL) & _M) * _KMUL) & _M
    r = (r * _KMUL) & _M
    r = (_shift_mix(r) * _KMUL) & _M
    return _shift_mix(r)
