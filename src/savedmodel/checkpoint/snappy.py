"""A small raw-Snappy decompressor for table blocks written with Snappy compression.

TensorFlow never compresses checkpoint indexes, but its table reader accepts compressed blocks,
so ours does too. Bounds-checked: corrupt input raises DataLossError, and the declared output
size is capped by what the input could possibly expand to.
"""

from __future__ import annotations

from savedmodel.checkpoint._coding import decode_varint
from savedmodel.errors import DataLossError

# One 3-byte copy element can produce at most 64 bytes.
_MAX_EXPANSION = 22


def decompress(data: bytes) -> bytes:
    """Decompress one raw Snappy buffer (no framing format)."""
    n = len(data)
    length, pos = decode_varint(data, 0, n, 32)
    if length > _MAX_EXPANSION * n + 64:
        raise DataLossError(f"snappy: declared length {length} is impossible for {n} input bytes")
    out = bytearray()
    while pos < n:
        tag = data[pos]
        pos += 1
        kind = tag & 3
        if kind == 0:
            size = (tag >> 2) + 1
            if size > 60:
                extra = size - 60
                if pos + extra > n:
                    raise DataLossError("snappy: truncated literal length")
                size = int.from_bytes(data[pos : pos + extra], "little") + 1
                pos += extra
            if pos + size > n:
                raise DataLossError("snappy: truncated literal")
            out += data[pos : pos + size]
            pos += size
        else:
            if kind == 1:
                if pos + 1 > n:
                    raise DataLossError("snappy: truncated copy")
                size = 4 + ((tag >> 2) & 7)
                offset = ((tag >> 5) << 8) | data[pos]
                pos += 1
            else:
                width = 2 if kind == 2 else 4
                if pos + width > n:
                    raise DataLossError("snappy: truncated copy")
                size = (tag >> 2) + 1
                offset = int.from_bytes(data[pos : pos + width], "little")
                pos += width
            if offset == 0 or offset > len(out):
                raise DataLossError(f"snappy: bad copy offset {offset}")
            start = len(out) - offset
            if size <= offset:
                out += out[start : start + size]
            else:  # overlapping copy repeats the last `offset` bytes
                pattern = bytes(out[start:])
                out += (pattern * (size // offset + 1))[:size]
        if len(out) > length:
            raise DataLossError("snappy: output longer than declared")
    if len(out) != length:
        raise DataLossError(f"snappy: output is {len(out)} bytes, declared {length}")
    return bytes(out)
