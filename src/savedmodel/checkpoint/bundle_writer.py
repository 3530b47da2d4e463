"""Writes tensor bundles byte-identical to TensorFlow's BundleWriter.

Tensors are appended to the data shard(s) in the order they are added (no alignment padding);
the `.index` table is written at `finish()`, sorted by key, with the header under key "".
Files are written under temporary names and renamed into place at `finish()`, so an aborted
write never leaves a readable but incomplete bundle.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, BinaryIO

import numpy as np

from savedmodel import dtypes, protos, tensors
from savedmodel.checkpoint import crc32c, sstable
from savedmodel.checkpoint import slices as slice_keys
from savedmodel.checkpoint.bundle import (
    BUNDLE_VERSION,
    HEADER_KEY,
    _as_bytes_list,
    _strings_payload,
    _variants_payload,
    data_path,
    index_path,
)
from savedmodel.errors import InvalidArgumentError


def _to_array(value: Any, dtype: Any) -> tuple[np.ndarray, dtypes.DTypeInfo]:
    if dtype is not None:
        row = dtypes.as_dtype(dtype).base_dtype.info
        if row.kind in "sv":
            arr = np.asarray(value, dtype=object)
        elif row.numpy is None:
            raise InvalidArgumentError(f"Cannot write {row.name} tensors to a checkpoint")
        else:
            arr = np.asarray(value, dtype=row.numpy)
        return arr, row
    arr = np.asarray(value)
    if arr.dtype.kind in "SU":
        arr = arr.astype(object)
    return arr, dtypes.info_from_numpy(arr.dtype)


class BundleWriter:
    """`add()` tensors, then `finish()`; usable as a context manager (finishes on success)."""

    def __init__(self, prefix: str | os.PathLike[str], *, num_shards: int = 1) -> None:
        if num_shards < 1:
            raise InvalidArgumentError(f"num_shards must be >= 1, got {num_shards}")
        self.prefix = os.fspath(prefix)
        self.num_shards = num_shards
        self._suffix = f".tempstate{os.getpid()}_{id(self)}"
        self._files: dict[int, BinaryIO] = {}
        self._offsets = [0] * num_shards
        self._entries: dict[bytes, Any] = {}
        self._done = False

    def _shard_file(self, shard: int) -> BinaryIO:
        if not 0 <= shard < self.num_shards:
            raise InvalidArgumentError(f"shard {shard} out of range [0, {self.num_shards})")
        if shard not in self._files:
            directory = os.path.dirname(self.prefix)
            if directory:
                os.makedirs(directory, exist_ok=True)
            path = data_path(self.prefix, shard, self.num_shards) + self._suffix
            self._files[shard] = open(path, "wb")  # noqa: SIM115 - closed in finish/abort
        return self._files[shard]

    def _append(self, key: bytes, arr: np.ndarray, row: dtypes.DTypeInfo, shard: int) -> Any:
        f = self._shard_file(shard)
        entry = protos.BundleEntryProto(dtype=row.enum)
        tensors.shape_to_proto(arr.shape, entry.shape)
        entry.shard_id = shard
        entry.offset = self._offsets[shard]
        if row.size is None:
            payload = _strings_payload if row.kind == "s" else _variants_payload
            chunks, crc = payload(_as_bytes_list(arr))
            for chunk in chunks:
                f.write(chunk)
            size = sum(len(c) for c in chunks)
        else:
            if arr.dtype.byteorder == ">":
                arr = arr.astype(arr.dtype.newbyteorder("<"))
            raw = np.ascontiguousarray(arr).reshape(-1).view(np.uint8)
            f.write(memoryview(raw))
            crc = crc32c.value(raw)
            size = raw.size
        entry.size = size
        entry.crc32c = crc32c.mask(crc)
        self._offsets[shard] += size
        return entry

    def _check_key(self, key: bytes) -> None:
        if self._done:
            raise InvalidArgumentError("BundleWriter used after finish()")
        if key == HEADER_KEY:
            raise InvalidArgumentError("The empty key is reserved for the bundle header")
        if key in self._entries:
            raise InvalidArgumentError(f"Adding duplicate key: {key!r}")

    def add(self, key: str, value: Any, dtype: Any = None, *, shard: int = 0) -> None:
        """Append one tensor under `key` (numpy array, scalar, or nested list of str/bytes).

        Without `dtype`, the value's numpy dtype decides (Python floats are float64 here,
        unlike make_tensor_proto); DT_VARIANT values need `dtype="variant"`.
        """
        bkey = key.encode("utf-8")
        self._check_key(bkey)
        arr, row = _to_array(value, dtype)
        self._entries[bkey] = self._append(bkey, arr, row, shard)

    def add_slice(
        self,
        name: str,
        full_shape: Sequence[int],
        extents: Sequence[tuple[int, int]],
        value: Any,
        dtype: Any = None,
        *,
        shard: int = 0,
    ) -> None:
        """Append one partition of a TF1 partitioned tensor; extents are (start, length|-1)."""
        arr, row = _to_array(value, dtype)
        full_shape = tuple(int(d) for d in full_shape)
        index = slice_keys.index_of(extents, full_shape)
        if index is None or np.empty(full_shape, dtype=bool)[index].shape != arr.shape:
            raise InvalidArgumentError(
                f"Slice {list(extents)} of {name}{list(full_shape)} does not match a value of "
                f"shape {arr.shape}"
            )
        bkey = name.encode("utf-8")
        full = self._entries.get(bkey)
        if full is None:
            self._check_key(bkey)
            # NOTE: TF's merged index gives the metadata entry the shard of its first slice.
            full = protos.BundleEntryProto(dtype=row.enum, shard_id=shard)
            tensors.shape_to_proto(full_shape, full.shape)
            self._entries[bkey] = full
        elif (
            not full.slices
            or full.dtype != row.enum
            or tensors.shape_from_proto(full.shape) != full_shape
        ):
            raise InvalidArgumentError(f"Slice of {name} conflicts with its existing entry")
        skey = slice_keys.slice_key(name, extents)
        self._check_key(skey)
        slice_keys.extents_to_proto(extents, full.slices.add())
        self._entries[skey] = self._append(skey, arr, row, shard)

    def finish(self) -> None:
        """Write the index and move every file into place."""
        if self._done:
            return
        for shard in range(self.num_shards):
            self._shard_file(shard)  # TF creates every shard, even an empty one
        for f in self._files.values():
            f.close()
        header = protos.BundleHeaderProto(num_shards=self.num_shards)
        header.version.producer = BUNDLE_VERSION
        final_index = index_path(self.prefix)
        items = [(HEADER_KEY, header.SerializeToString())]
        items += [(k, self._entries[k].SerializeToString()) for k in sorted(self._entries)]
        sstable.write_table(final_index + self._suffix, items)
        for shard in range(self.num_shards):
            path = data_path(self.prefix, shard, self.num_shards)
            os.replace(path + self._suffix, path)
        os.replace(final_index + self._suffix, final_index)
        self._done = True

    def abort(self) -> None:
        """Discard everything written so far."""
        for shard, f in self._files.items():
            f.close()
            path = data_path(self.prefix, shard, self.num_shards) + self._suffix
            if os.path.exists(path):
                os.remove(path)
        self._files.clear()
        self._done = True

    def __enter__(self) -> BundleWriter:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is None:
            self.finish()
        else:
            self.abort()


def write_bundle(prefix: str | os.PathLike[str], tensors_by_key: dict[str, Any]) -> None:
    """Write a single-shard bundle of `tensors_by_key`, data in the dict's order."""
    with BundleWriter(prefix) as writer:
        for key, value in tensors_by_key.items():
            writer.add(key, value)
