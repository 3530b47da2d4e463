"""Partitioned (sliced) tensors in bundles: slice keys and slice geometry.

A TF1 partitioned variable `pv` is stored as one metadata entry `pv` (full dtype and shape, one
`TensorSliceProto` per partition, no data) plus one data entry per partition under an
OrderedCode key: NumIncreasing(0) · String(name) · NumIncreasing(rank) ·
(SignedNumIncreasing(start) · SignedNumIncreasing(length)) per dimension, where a dimension
taken whole is encoded as start 0, length -1.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

Extent = tuple[int, int]  # (start, length); length -1 = the whole dimension

# Header bits XORed into the first two bytes of a SignedNumIncreasing of n bytes.
_SIGNED_HEADERS = (
    (0x00, 0x00),
    (0x80, 0x00),
    (0xC0, 0x00),
    (0xE0, 0x00),
    (0xF0, 0x00),
    (0xF8, 0x00),
    (0xFC, 0x00),
    (0xFE, 0x00),
    (0xFF, 0x00),
    (0xFF, 0x80),
    (0xFF, 0xC0),
)


def num_increasing(value: int) -> bytes:
    """OrderedCode NumIncreasing: a length byte, then the big-endian significant bytes."""
    body = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return bytes([len(body)]) + body


def string_increasing(value: bytes) -> bytes:
    """OrderedCode String: 00 -> 00 ff, ff -> ff 00, terminated by 00 01."""
    return value.replace(b"\xff", b"\xff\x00").replace(b"\x00", b"\x00\xff") + b"\x00\x01"


def signed_num_increasing(value: int) -> bytes:
    """OrderedCode SignedNumIncreasing (order-preserving variable-length signed integer)."""
    magnitude = ~value if value < 0 else value
    if magnitude < 64:
        return bytes([0x80 ^ (value & 0xFF)])
    n = (magnitude.bit_length() + 1 + 6) // 7  # smallest n with |v| < 2**(7n - 1)
    raw = bytearray((value & ((1 << 80) - 1)).to_bytes(10, "big")[10 - n :])
    raw[0] ^= _SIGNED_HEADERS[n][0]
    raw[1] ^= _SIGNED_HEADERS[n][1]
    return bytes(raw)


def slice_key(name: str, extents: Sequence[Extent]) -> bytes:
    """The bundle key of one slice of tensor `name`."""
    out = num_increasing(0) + string_increasing(name.encode("utf-8")) + num_increasing(len(extents))
    for start, length in extents:
        out += signed_num_increasing(start) + signed_num_increasing(length)
    return out


def extents_from_proto(proto: Any) -> list[Extent]:
    """(start, length) per dimension of a TensorSliceProto; -1 length = whole dimension."""
    return [(e.start, e.length if e.HasField("length") else -1) for e in proto.extent]


def extents_to_proto(extents: Sequence[Extent], proto: Any) -> None:
    """Fill a TensorSliceProto (an empty Extent means the whole dimension, as TF writes it)."""
    for start, length in extents:
        extent = proto.extent.add()
        if length >= 0:
            extent.start = start
            extent.length = length


def index_of(extents: Sequence[Extent], shape: Sequence[int]) -> tuple[slice, ...] | None:
    """numpy index of the slice inside a tensor of `shape`; None if it does not fit."""
    if len(extents) != len(shape):
        return None
    out = []
    for (start, length), dim in zip(extents, shape, strict=True):
        if length < 0:
            start, length = 0, dim
        if start < 0 or start + length > dim:
            return None
        out.append(slice(start, start + length))
    return tuple(out)
