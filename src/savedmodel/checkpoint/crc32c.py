"""CRC-32C (Castagnoli) and the LevelDB/TensorFlow "masked" CRC used in checkpoints.

Backed by google-crc32c (hardware-accelerated). Its C functions take only `bytes`, so large
buffers (numpy arrays, memoryviews) are fed in bounded chunks rather than copied whole.
"""

from __future__ import annotations

from typing import Any

import google_crc32c

_MASK_DELTA = 0xA282EAD8
_CHUNK = 1 << 20  # bytes copied at a time when checksumming a non-bytes buffer


def extend(crc: int, data: Any) -> int:
    """CRC-32C of (whatever gave `crc`) followed by `data` (bytes-like or numpy array)."""
    if isinstance(data, bytes):
        return google_crc32c.extend(crc, data)
    view = memoryview(data)
    if not view.c_contiguous:
        raise ValueError("crc32c.extend needs a C-contiguous buffer")
    view = view.cast("B")
    for start in range(0, len(view), _CHUNK):
        crc = google_crc32c.extend(crc, bytes(view[start : start + _CHUNK]))
    return crc


def value(data: Any) -> int:
    """CRC-32C of `data` (`value(b"123456789") == 0xE3069283`)."""
    return extend(0, data)


def mask(crc: int) -> int:
    """Masked CRC as stored in tables and bundles: rotate right by 15 bits, add a constant."""
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def unmask(masked: int) -> int:
    """Inverse of `mask`."""
    rot = (masked - _MASK_DELTA) & 0xFFFFFFFF
    return ((rot >> 17) | (rot << 15)) & 0xFFFFFFFF


def masked_value(data: Any) -> int:
    """`mask(value(data))`."""
    return mask(value(data))
