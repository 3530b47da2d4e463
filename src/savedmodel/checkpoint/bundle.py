"""Tensor bundles (TF2 checkpoints, `variables/variables.*`): reader and writer.

A bundle with prefix P is `P.index` (a table: key "" -> BundleHeaderProto, every other key ->
BundleEntryProto) plus data shards `P.data-SSSSS-of-NNNNN` holding raw tensor bytes at the
entries' offsets. The writer produces the same bytes as TensorFlow's BundleWriter (FORMAT.md §3).
The reader checks every entry's masked CRC32C and bounds against the real file sizes before
allocating anything, and reads numeric tensors straight into their final numpy buffer.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from typing import Any, BinaryIO

import numpy as np
from google.protobuf.message import DecodeError

from savedmodel import dtypes, protos
from savedmodel.checkpoint import crc32c, sstable
from savedmodel.checkpoint import slices as slice_keys
from savedmodel.checkpoint._coding import (
    decode_varint,
    encode_varint,
    pack_u32,
    pack_u64,
    unpack_u32,
)
from savedmodel.errors import DataLossError, InvalidArgumentError, NotFoundError

HEADER_KEY = b""
BUNDLE_VERSION = 1  # kTensorBundleVersion: what we write as producer and accept as consumer
_READ_CHUNK = 1 << 30


def index_path(prefix: str) -> str:
    return f"{prefix}.index"


def data_path(prefix: str, shard: int, num_shards: int) -> str:
    return f"{prefix}.data-{shard:05d}-of-{num_shards:05d}"


# ---------------------------------------------------------------------------------------------
# Encoding of variable-size tensors


def _strings_payload(values: Iterable[bytes]) -> tuple[list[bytes], int]:
    """Data-file chunks of a DT_STRING tensor and its entry CRC (FORMAT.md §3.4)."""
    values = list(values)
    lengths_crc = 0
    for v in values:
        # NOTE: the length checksum runs over fixed-width lengths, not over the varints.
        width = pack_u32(len(v)) if len(v) <= 0xFFFFFFFF else pack_u64(len(v))
        lengths_crc = crc32c.extend(lengths_crc, width)
    masked = pack_u32(crc32c.mask(lengths_crc))
    crc = crc32c.extend(lengths_crc, masked)
    for v in values:
        crc = crc32c.extend(crc, v)
    chunks = [b"".join(encode_varint(len(v)) for v in values), masked, *values]
    return chunks, crc


def _variants_payload(values: Iterable[bytes]) -> tuple[list[bytes], int]:
    """Data-file chunks of a DT_VARIANT tensor (serialized VariantTensorDataProtos)."""
    chunks: list[bytes] = []
    crc = 0
    for v in values:
        crc = crc32c.extend(crc32c.extend(crc, pack_u64(len(v))), v)
        element_crc = pack_u32(crc32c.mask(crc))
        chunks += [encode_varint(len(v)), v, element_crc]
        crc = crc32c.extend(crc, element_crc)
    return chunks, crc


def _decode_strings(buf: bytes, n: int) -> tuple[np.ndarray, int]:
    if n > len(buf):  # each element needs at least one length byte
        raise DataLossError(f"{n} strings cannot fit in {len(buf)} bytes")
    lengths = []
    pos = 0
    lengths_crc = 0
    for _ in range(n):
        length, pos = decode_varint(buf, pos, len(buf))
        lengths.append(length)
        width = pack_u32(length) if length <= 0xFFFFFFFF else pack_u64(length)
        lengths_crc = crc32c.extend(lengths_crc, width)
    if unpack_u32(buf, pos) != crc32c.mask(lengths_crc):
        raise DataLossError("checksum mismatch in string lengths")
    crc = crc32c.extend(lengths_crc, buf[pos : pos + 4])
    pos += 4
    if pos + sum(lengths) != len(buf):
        raise DataLossError("string lengths do not add up to the stored size")
    crc = crc32c.extend(crc, buf[pos:])
    out = np.empty(n, dtype=object)
    for i, length in enumerate(lengths):
        out[i] = buf[pos : pos + length]
        pos += length
    return out, crc


def _decode_variants(buf: bytes, n: int) -> tuple[np.ndarray, int]:
    if n > len(buf) // 5:  # length byte + 4-byte checksum at least
        raise DataLossError(f"{n} variants cannot fit in {len(buf)} bytes")
    out = np.empty(n, dtype=object)
    pos = 0
    crc = 0
    for i in range(n):
        length, pos = decode_varint(buf, pos, len(buf))
        if pos + length + 4 > len(buf):
            raise DataLossError("variant element overruns the stored size")
        out[i] = buf[pos : pos + length]
        crc = crc32c.extend(crc32c.extend(crc, pack_u64(length)), out[i])
        pos += length
        if unpack_u32(buf, pos) != crc32c.mask(crc):
            raise DataLossError(f"checksum mismatch in variant element {i}")
        crc = crc32c.extend(crc, buf[pos : pos + 4])
        pos += 4
    if pos != len(buf):
        raise DataLossError("variant elements do not add up to the stored size")
    return out, crc


def _as_bytes_list(value: np.ndarray) -> list[bytes]:
    out = []
    for v in value.ravel():
        if isinstance(v, (bytes, np.bytes_)):
            out.append(bytes(v))
        elif isinstance(v, str):
            out.append(v.encode("utf-8"))
        elif hasattr(v, "SerializeToString"):  # a VariantTensorDataProto
            out.append(v.SerializeToString())
        else:
            raise InvalidArgumentError(f"Cannot store {type(v).__name__} in a string tensor")
    return out


# ---------------------------------------------------------------------------------------------
# Reader


class BundleReader:
    """Reads a bundle: `reader.get_tensor(key)` -> numpy array (object array for strings)."""

    def __init__(self, prefix: str | os.PathLike[str]) -> None:
        self.prefix = os.fspath(prefix)
        self.index_path = index_path(self.prefix)
        if not os.path.isfile(self.index_path):
            raise NotFoundError(f"Checkpoint index {self.index_path} not found")
        table = sstable.Table.open(self.index_path)
        items = table.items()
        if not items or items[0][0] != HEADER_KEY:
            raise DataLossError(f"{self.index_path}: no bundle header entry")
        self.header = self._parse(protos.BundleHeaderProto, items[0][1], "the bundle header")
        self._check_header()
        self._entries: dict[bytes, Any] = {
            k: self._parse(protos.BundleEntryProto, v, f"entry {k!r}") for k, v in items[1:]
        }
        self._files: dict[int, tuple[BinaryIO, int]] = {}
        self._lock = threading.Lock()

    def _parse(self, cls: Any, data: bytes, what: str) -> Any:
        try:
            return cls.FromString(data)
        except DecodeError:
            raise DataLossError(f"{self.index_path}: cannot parse {what}") from None

    def _check_header(self) -> None:
        h = self.header
        v = h.version
        if h.num_shards < 1 or h.endianness not in (0, 1):
            raise DataLossError(f"{self.index_path}: bad bundle header {h}")
        if v.min_consumer > BUNDLE_VERSION or BUNDLE_VERSION in v.bad_consumers or v.producer < 0:
            raise DataLossError(
                f"{self.index_path}: unsupported bundle version (producer {v.producer}, "
                f"min_consumer {v.min_consumer}, bad_consumers {list(v.bad_consumers)})"
            )

    # -- metadata --------------------------------------------------------------------------

    @property
    def num_shards(self) -> int:
        return self.header.num_shards

    def keys(self) -> list[bytes]:
        """All entry keys in table order (slice keys of partitioned tensors included)."""
        return list(self._entries)

    def __contains__(self, key: str | bytes) -> bool:
        return _key(key) in self._entries

    def entry(self, key: str | bytes) -> Any:
        """The BundleEntryProto of `key` (NotFoundError if absent)."""
        entry = self._entries.get(_key(key))
        if entry is None:
            name = key if isinstance(key, str) else repr(key)
            raise NotFoundError(f"Key {name} not found in checkpoint")
        return entry

    def shape(self, key: str | bytes) -> tuple[int, ...]:
        return tuple(int(d.size) for d in self.entry(key).shape.dim)

    def dtype(self, key: str | bytes) -> int:
        return self.entry(key).dtype

    # -- data ------------------------------------------------------------------------------

    def _file(self, shard: int) -> tuple[BinaryIO, int, str]:
        path = data_path(self.prefix, shard, self.num_shards)
        if shard not in self._files:
            try:
                f = open(path, "rb", buffering=0)  # noqa: SIM115 - kept open until close()
            except FileNotFoundError:
                raise DataLossError(f"{path}: data shard is missing") from None
            self._files[shard] = (f, os.fstat(f.fileno()).st_size)
        f, size = self._files[shard]
        return f, size, path

    def _read_into(self, f: BinaryIO, offset: int, view: memoryview, where: str) -> None:
        f.seek(offset)
        done = 0
        while done < len(view):
            got = f.readinto(view[done : done + _READ_CHUNK])
            if not got:
                raise DataLossError(f"{where}: unexpected end of file")
            done += got

    def get_tensor(self, key: str | bytes) -> np.ndarray:
        """The tensor stored under `key`, CRC-checked (partitioned tensors are reassembled)."""
        entry = self.entry(key)
        if entry.slices:
            return self._assemble(key, entry)
        return self._read_entry(key, entry)

    def _read_entry(self, key: str | bytes, entry: Any) -> np.ndarray:
        name = key if isinstance(key, str) else repr(key)
        if not 0 <= entry.shard_id < self.num_shards:
            raise DataLossError(f"{self.index_path}: tensor {name} has bad shard_id")
        f, file_size, path = self._file(entry.shard_id)
        where = f"{path}: tensor {name}"
        shape = tuple(int(d.size) for d in entry.shape.dim)
        if entry.shape.unknown_rank or any(d < 0 for d in shape):
            raise DataLossError(f"{where} has an invalid shape {shape}")
        if dtypes.is_ref(entry.dtype) or entry.dtype not in _READABLE:
            raise DataLossError(f"{where} has an unsupported dtype {dtypes.enum_name(entry.dtype)}")
        row = dtypes.info(entry.dtype)
        n = 1
        for d in shape:
            n *= d
        if entry.offset < 0 or entry.size < 0 or entry.offset + entry.size > file_size:
            raise DataLossError(
                f"{where}: bytes [{entry.offset}, {entry.offset + entry.size}) are past the end "
                f"of the {file_size}-byte file (truncated?)"
            )
        if row.size is not None:
            if entry.size != n * row.size:
                raise DataLossError(
                    f"{where}: stored size {entry.size} does not match {row.short}{list(shape)} "
                    f"({n * row.size} bytes)"
                )
            out = np.empty(shape, dtype=row.numpy)
            view = memoryview(out.reshape(-1).view(np.uint8))
            with self._lock:
                self._read_into(f, entry.offset, view, where)
            crc = crc32c.value(view)
        else:
            buf = bytearray(entry.size)
            with self._lock:
                self._read_into(f, entry.offset, memoryview(buf), where)
            decode = _decode_strings if row.kind == "s" else _decode_variants
            try:
                out, crc = decode(bytes(buf), n)
            except DataLossError as e:
                raise DataLossError(f"{where}: {e.message}") from None
            out = out.reshape(shape)
        if crc32c.mask(crc) != entry.crc32c:
            raise DataLossError(f"{where}: checksum mismatch (data corrupted)")
        if self.header.endianness == 1 and row.size is not None and row.size > 1:
            out.byteswap(inplace=True)
        return out

    def _assemble(self, key: str | bytes, entry: Any) -> np.ndarray:
        name = key.decode("utf-8", "surrogateescape") if isinstance(key, bytes) else key
        shape = tuple(int(d.size) for d in entry.shape.dim)
        row = dtypes.info(entry.dtype)
        if row.numpy is None or any(d < 0 for d in shape):
            raise DataLossError(f"{self.index_path}: partitioned tensor {name} is invalid")
        out = np.zeros(shape, dtype=row.numpy)
        covered = np.zeros(shape, dtype=bool)
        for proto in entry.slices:
            extents = slice_keys.extents_from_proto(proto)
            index = slice_keys.index_of(extents, shape)
            skey = slice_keys.slice_key(name, extents)
            if index is None or skey not in self._entries:
                raise DataLossError(
                    f"{self.index_path}: slice {extents} of partitioned tensor {name} is missing "
                    "or out of range"
                )
            part = self._read_entry(f"{name} slice {extents}", self._entries[skey])
            if part.shape != out[index].shape or part.dtype != out.dtype:
                raise DataLossError(f"{self.index_path}: slice {extents} of {name} has bad shape")
            out[index] = part
            covered[index] = True
        if not covered.all():
            raise DataLossError(f"{self.index_path}: slices of {name} do not cover the tensor")
        return out

    def close(self) -> None:
        for f, _ in self._files.values():
            f.close()
        self._files.clear()

    def __enter__(self) -> BundleReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        files = getattr(self, "_files", None)
        if files:
            self.close()


_READABLE = {row.enum for row in dtypes.TABLE if row.numpy is not None} | {dtypes.DT_VARIANT}


def _key(key: str | bytes) -> bytes:
    return key if isinstance(key, bytes) else key.encode("utf-8", "surrogateescape")
