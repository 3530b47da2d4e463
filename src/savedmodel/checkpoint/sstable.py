"""LevelDB-format sorted string tables, as used by TensorFlow's checkpoint `.index` files.

`TableWriter` reproduces TensorFlow's table builder byte for byte (same block size, restart
intervals, flush rule, separator/successor keys, empty metaindex, footer). `Table` reads a whole
table and validates everything it can: footer magic and padding, block handles, per-block CRC32C
and compression byte, restart arrays, prefix compression, key order across blocks and the index
keys. Any inconsistency raises DataLossError naming the file.

Layout: data blocks | metaindex block | index block | 48-byte footer; each block is followed by a
5-byte trailer (compression type byte + masked CRC32C of contents and type byte).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

from savedmodel.checkpoint import crc32c, snappy
from savedmodel.checkpoint._coding import decode_varint, encode_varint, pack_u32, unpack_u32
from savedmodel.errors import DataLossError, InvalidArgumentError

MAGIC = 0xDB4775248B80FB57
FOOTER_SIZE = 48
TRAILER_SIZE = 5
BLOCK_SIZE = 262144
RESTART_INTERVAL = 16
NO_COMPRESSION = 0
SNAPPY_COMPRESSION = 1
_MAGIC_BYTES = MAGIC.to_bytes(8, "little")


class _BlockBuilder:
    """Accumulates prefix-compressed entries with a restart point every `interval` entries."""

    def __init__(self, interval: int) -> None:
        self.interval = interval
        self.buf = bytearray()
        self.restarts = [0]
        self.counter = 0
        self.last_key = b""
        self.empty = True

    def add(self, key: bytes, value: bytes) -> None:
        shared = 0
        if self.counter < self.interval:
            limit = min(len(key), len(self.last_key))
            while shared < limit and key[shared] == self.last_key[shared]:
                shared += 1
        else:
            self.restarts.append(len(self.buf))
            self.counter = 0
        self.buf += encode_varint(shared)
        self.buf += encode_varint(len(key) - shared)
        self.buf += encode_varint(len(value))
        self.buf += key[shared:]
        self.buf += value
        self.last_key = key
        self.counter += 1
        self.empty = False

    def size_estimate(self) -> int:
        return len(self.buf) + 4 * len(self.restarts) + 4

    def finish(self) -> bytes:
        tail = b"".join(pack_u32(r) for r in self.restarts) + pack_u32(len(self.restarts))
        return bytes(self.buf) + tail


def _encode_handle(offset: int, size: int) -> bytes:
    return encode_varint(offset) + encode_varint(size)


def shortest_separator(start: bytes, limit: bytes) -> bytes:
    """A short key k with start <= k < limit (LevelDB's bytewise FindShortestSeparator)."""
    n = min(len(start), len(limit))
    i = 0
    while i < n and start[i] == limit[i]:
        i += 1
    if i < n and start[i] < 0xFF and start[i] + 1 < limit[i]:
        return start[:i] + bytes([start[i] + 1])
    return start


def short_successor(key: bytes) -> bytes:
    """A short key >= `key` (LevelDB's bytewise FindShortSuccessor)."""
    for i, byte in enumerate(key):
        if byte != 0xFF:
            return key[:i] + bytes([byte + 1])
    return key


class TableWriter:
    """Writes a table to a binary file object; keys must be added in strictly increasing order."""

    def __init__(self, fileobj, *, block_size: int = BLOCK_SIZE) -> None:
        self._f = fileobj
        self._block_size = block_size
        self._offset = 0
        self._data = _BlockBuilder(RESTART_INTERVAL)
        self._index = _BlockBuilder(1)
        self._last_key: bytes | None = None
        self._pending_handle: bytes | None = None
        self._finished = False

    def _write_block(self, contents: bytes) -> bytes:
        trailer = bytes([NO_COMPRESSION])
        trailer += pack_u32(crc32c.mask(crc32c.extend(crc32c.value(contents), trailer)))
        handle = _encode_handle(self._offset, len(contents))
        self._f.write(contents)
        self._f.write(trailer)
        self._offset += len(contents) + TRAILER_SIZE
        return handle

    def _flush(self) -> None:
        if self._data.empty:
            return
        self._pending_handle = self._write_block(self._data.finish())
        self._data = _BlockBuilder(RESTART_INTERVAL)

    def add(self, key: bytes, value: bytes) -> None:
        if self._finished:
            raise InvalidArgumentError("TableWriter.add after finish")
        if self._last_key is not None and key <= self._last_key:
            raise InvalidArgumentError(
                f"table keys must be strictly increasing: {key!r} after {self._last_key!r}"
            )
        # NOTE: TF's table builder flushes the open block before an entry that alone is at
        # least twice the block size, so a huge value gets a data block of its own.
        if len(key) + len(value) >= 2 * self._block_size:
            self._flush()
        if self._pending_handle is not None:
            assert self._last_key is not None
            self._index.add(shortest_separator(self._last_key, key), self._pending_handle)
            self._pending_handle = None
        self._last_key = key
        self._data.add(key, value)
        if self._data.size_estimate() >= self._block_size:
            self._flush()

    def finish(self) -> None:
        """Write the last data block, the (empty) metaindex, the index and the footer."""
        if self._finished:
            return
        self._flush()
        meta_handle = self._write_block(_BlockBuilder(RESTART_INTERVAL).finish())
        if self._pending_handle is not None:
            assert self._last_key is not None
            self._index.add(short_successor(self._last_key), self._pending_handle)
            self._pending_handle = None
        index_handle = self._write_block(self._index.finish())
        footer = (meta_handle + index_handle).ljust(FOOTER_SIZE - 8, b"\0") + _MAGIC_BYTES
        self._f.write(footer)
        self._offset += len(footer)
        self._finished = True


def write_table(path: str | os.PathLike[str], items: Iterable[tuple[bytes, bytes]]) -> None:
    """Write (key, value) pairs (already sorted by key) as a table file at `path`."""
    with open(path, "wb") as f:
        writer = TableWriter(f)
        for key, value in items:
            writer.add(key, value)
        writer.finish()


def _parse_block(contents: bytes) -> list[tuple[bytes, bytes]]:
    """Entries of one block, validating the restart array and prefix compression."""
    if len(contents) < 4:
        raise DataLossError("block too short for its restart count")
    num_restarts = unpack_u32(contents, len(contents) - 4)
    restarts_at = len(contents) - 4 - 4 * num_restarts
    if num_restarts == 0 or restarts_at < 0:
        raise DataLossError(f"bad restart count {num_restarts} for a {len(contents)}-byte block")
    restarts = [unpack_u32(contents, restarts_at + 4 * i) for i in range(num_restarts)]
    entries: list[tuple[bytes, bytes]] = []
    starts: set[int] = set()
    key = b""
    pos = 0
    while pos < restarts_at:
        entry_start = pos
        shared, pos = decode_varint(contents, pos, restarts_at, 32)
        unshared, pos = decode_varint(contents, pos, restarts_at, 32)
        value_len, pos = decode_varint(contents, pos, restarts_at, 32)
        if shared > len(key) or (not entries and shared):
            raise DataLossError(f"bad shared key length {shared} at block offset {entry_start}")
        end = pos + unshared + value_len
        if end > restarts_at:
            raise DataLossError(f"entry at block offset {entry_start} overruns its block")
        new_key = key[:shared] + contents[pos : pos + unshared]
        if entries and new_key <= key:
            raise DataLossError(f"keys out of order in block at offset {entry_start}")
        if shared == 0:
            starts.add(entry_start)
        key = new_key
        entries.append((key, contents[pos + unshared : end]))
        pos = end
    if restarts[0] != 0 or any(r not in starts for r in restarts if entries):
        raise DataLossError("restart point does not start a full-key entry")
    if not entries and restarts != [0]:
        raise DataLossError("empty block with bad restart array")
    return entries


class Table:
    """A whole table held in memory (checkpoint indexes are small): sorted (key, value) pairs."""

    def __init__(self, data: bytes, name: str = "<table>") -> None:
        self.name = name
        self._data = data
        try:
            self._entries = self._parse()
        except DataLossError as e:
            raise DataLossError(f"{name}: corrupt table: {e.message}") from None

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Table:
        with open(path, "rb") as f:
            return cls(f.read(), os.fspath(path))

    def _read_block(self, offset: int, size: int, what: str) -> bytes:
        end = offset + size
        if end + TRAILER_SIZE > len(self._data) - FOOTER_SIZE:
            raise DataLossError(f"{what} block handle ({offset}, {size}) is past the end of file")
        contents = self._data[offset:end]
        kind = self._data[end]
        stored = unpack_u32(self._data, end + 1)
        actual = crc32c.mask(crc32c.extend(crc32c.value(contents), bytes([kind])))
        if stored != actual:
            raise DataLossError(f"{what} block at offset {offset}: checksum mismatch")
        if kind == NO_COMPRESSION:
            return contents
        if kind == SNAPPY_COMPRESSION:
            return snappy.decompress(contents)
        raise DataLossError(f"{what} block at offset {offset}: unknown compression type {kind}")

    def _parse(self) -> list[tuple[bytes, bytes]]:
        data = self._data
        if len(data) < FOOTER_SIZE:
            raise DataLossError(f"file is {len(data)} bytes, shorter than a table footer")
        footer = data[-FOOTER_SIZE:]
        if footer[-8:] != _MAGIC_BYTES:
            raise DataLossError("bad magic number (not a table file)")
        meta_off, pos = decode_varint(footer, 0, 40)
        meta_size, pos = decode_varint(footer, pos, 40)
        index_off, pos = decode_varint(footer, pos, 40)
        index_size, pos = decode_varint(footer, pos, 40)
        # Padding must be zero and the handles minimally encoded: nothing in the footer is
        # covered by a checksum, so this is how a flipped bit there gets noticed.
        canonical = _encode_handle(meta_off, meta_size) + _encode_handle(index_off, index_size)
        if any(footer[pos:40]) or footer[:pos] != canonical:
            raise DataLossError("malformed footer")
        self._read_block(meta_off, meta_size, "metaindex")
        index = _parse_block(self._read_block(index_off, index_size, "index"))
        entries: list[tuple[bytes, bytes]] = []
        prev_index_key: bytes | None = None
        for index_key, handle in index:
            off, hpos = decode_varint(handle, 0, len(handle))
            size, hpos = decode_varint(handle, hpos, len(handle))
            if hpos != len(handle):
                raise DataLossError(f"index entry {index_key!r} has trailing bytes in its handle")
            block = _parse_block(self._read_block(off, size, "data"))
            if not block:
                raise DataLossError(f"data block at offset {off} is empty")
            # Every key of a block must be <= its index key and > the previous index key.
            if block[-1][0] > index_key or (
                prev_index_key is not None and block[0][0] <= prev_index_key
            ):
                raise DataLossError(f"index key {index_key!r} does not bound its data block")
            entries.extend(block)
            prev_index_key = index_key
        return entries

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[tuple[bytes, bytes]]:
        return iter(self._entries)

    def items(self) -> list[tuple[bytes, bytes]]:
        return list(self._entries)
