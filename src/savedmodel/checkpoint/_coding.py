"""Varint and fixed-width integer coding shared by the table and bundle codecs.

Decoders are bounds-checked and raise DataLossError (without a location: callers add the file
and key) so that a corrupt file never surfaces as IndexError or struct.error.
"""

from __future__ import annotations

import struct

from savedmodel.errors import DataLossError

_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")


def encode_varint(value: int) -> bytes:
    """Protobuf base-128 varint of a non-negative integer."""
    if value < 0:
        raise ValueError(f"varint of negative value {value}")
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def decode_varint(buf: bytes | memoryview, pos: int, limit: int, bits: int = 64) -> tuple[int, int]:
    """Decode a varint of at most `bits` bits from buf[pos:limit]; returns (value, new_pos)."""
    result = 0
    shift = 0
    while True:
        if pos >= limit:
            raise DataLossError("truncated varint")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            break
        shift += 7
        if shift >= bits:
            raise DataLossError(f"varint{bits} too long")
    if result >> bits:
        raise DataLossError(f"varint{bits} overflows")
    return result, pos


def pack_u32(value: int) -> bytes:
    return _U32.pack(value)


def unpack_u32(buf: bytes | memoryview, pos: int) -> int:
    if pos < 0 or pos + 4 > len(buf):
        raise DataLossError("truncated fixed32")
    return _U32.unpack_from(buf, pos)[0]


def pack_u64(value: int) -> bytes:
    return _U64.pack(value)
