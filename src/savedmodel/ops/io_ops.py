"""File I/O ops: checkpoints (RestoreV2, SaveV2, MergeV2Checkpoints), the file-name ops around
them (ShardedFilename, ShardedFilespec, StringJoin) and ReadFile.

These are what a SavedModel's saver subgraph (TF1 `save/...`) or its `_traced_save` /
`_traced_restore` functions (TF2) run; the bundle format itself is `savedmodel.checkpoint`.
Strings are object arrays of bytes.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from savedmodel import checkpoint, protos
from savedmodel.checkpoint import slices as slice_keys
from savedmodel.checkpoint import sstable
from savedmodel.checkpoint.bundle import BUNDLE_VERSION, HEADER_KEY
from savedmodel.errors import InvalidArgumentError, NotFoundError
from savedmodel.ops.registry import kernel


def _text(value: object) -> str:
    item = value.item() if isinstance(value, np.ndarray) else value
    return item.decode("utf-8", "surrogateescape") if isinstance(item, bytes) else str(item)


def _texts(values: np.ndarray) -> list[str]:
    return [_text(v) for v in np.asarray(values, dtype=object).reshape(-1)]


def parse_shape_and_slice(spec: str) -> tuple[tuple[int, ...], list[tuple[int, int]]] | None:
    """TF's "dim0 dim1 start,len:start,len" form ("-" = whole dim); None for the empty spec."""
    if not spec:
        return None
    parts = spec.split(" ")
    try:
        shape = tuple(int(d) for d in parts[:-1])
        extents = []
        for item in parts[-1].split(":"):
            if item == "-":
                extents.append((0, -1))
            else:
                start, length = item.split(",")
                extents.append((int(start), int(length)))
    except ValueError:
        raise InvalidArgumentError(f"invalid shape_and_slice spec {spec!r}") from None
    if len(extents) != len(shape):
        raise InvalidArgumentError(f"shape_and_slice spec {spec!r}: rank mismatch")
    return shape, extents


def _names_and_specs(
    op: str, tensor_names: np.ndarray, shape_and_slices: np.ndarray, per_tensor: Sequence, what: str
) -> tuple[list[str], list[str]]:
    names = _texts(tensor_names)
    specs = _texts(shape_and_slices)
    if not (len(names) == len(specs) == len(per_tensor)):
        raise InvalidArgumentError(
            f"{op}: {len(names)} tensor names, {len(specs)} shape_and_slices and"
            f" {len(per_tensor)} {what}"
        )
    return names, specs


@kernel("RestoreV2")
def restore_v2(
    prefix: np.ndarray,
    tensor_names: np.ndarray,
    shape_and_slices: np.ndarray,
    *,
    dtypes: list[np.dtype],
) -> np.ndarray | list[np.ndarray]:
    names, specs = _names_and_specs("RestoreV2", tensor_names, shape_and_slices, dtypes, "dtypes")
    with checkpoint.BundleReader(_text(prefix)) as reader:
        out = []
        for name, spec, dtype in zip(names, specs, dtypes, strict=True):
            if name not in reader:
                raise NotFoundError(f"Key {name} not found in checkpoint {reader.prefix}")
            value = reader.get_tensor(name)
            if value.dtype != dtype:
                raise InvalidArgumentError(
                    f"tensor_name = {name}; expected dtype {dtype} does not equal original dtype"
                    f" {value.dtype}"
                )
            sliced = parse_shape_and_slice(spec)
            if sliced is not None:
                index = slice_keys.index_of(sliced[1], sliced[0])
                if index is None or tuple(sliced[0]) != value.shape:
                    raise InvalidArgumentError(f"tensor {name}: slice {spec!r} does not fit")
                value = value[index]
            out.append(value)
    return out[0] if len(out) == 1 else out


@kernel("SaveV2")
def save_v2(
    prefix: np.ndarray,
    tensor_names: np.ndarray,
    shape_and_slices: np.ndarray,
    tensors: Sequence[np.ndarray],
) -> None:
    names, specs = _names_and_specs("SaveV2", tensor_names, shape_and_slices, tensors, "tensors")
    path = _text(prefix)
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with checkpoint.BundleWriter(path) as writer:
        for name, spec, value in zip(names, specs, tensors, strict=True):
            sliced = parse_shape_and_slice(spec)
            if sliced is None:
                writer.add(name, value, value.dtype)
            else:
                writer.add_slice(name, sliced[0], sliced[1], value, value.dtype)


@kernel("MergeV2Checkpoints")
def merge_v2_checkpoints(
    checkpoint_prefixes: np.ndarray,
    destination_prefix: np.ndarray,
    *,
    delete_old_dirs: bool = True,
    allow_missing_files: bool = False,
) -> None:
    # NOTE: like TF, merging never re-encodes tensors: the sources' data files are renamed to
    # shards of the destination and their index entries are merged, shard ids shifted.
    sources = _texts(checkpoint_prefixes)
    dest = _text(destination_prefix)
    readers = []
    for src in sources:
        if not os.path.exists(checkpoint.index_path(src)):
            if allow_missing_files:
                continue
            raise NotFoundError(f"Checkpoint {src} (to merge into {dest}) not found")
        readers.append(checkpoint.BundleReader(src))
    total = sum(r.num_shards for r in readers)
    entries: dict[bytes, bytes] = {}
    renames: list[tuple[str, str]] = []
    base = 0
    for reader in readers:
        with reader:
            for key in reader.keys():
                if key in entries:
                    raise InvalidArgumentError(f"Duplicate tensor key {key!r} while merging {dest}")
                entry = protos.BundleEntryProto()
                entry.CopyFrom(reader.entry(key))
                entry.shard_id += base
                entries[key] = entry.SerializeToString()
            for shard in range(reader.num_shards):
                renames.append(
                    (
                        checkpoint.data_path(reader.prefix, shard, reader.num_shards),
                        checkpoint.data_path(dest, base + shard, max(total, 1)),
                    )
                )
            base += reader.num_shards
    os.makedirs(os.path.dirname(dest) or ".", exist_ok=True)
    for src_path, dest_path in renames:
        os.replace(src_path, dest_path)
    header = protos.BundleHeaderProto(num_shards=max(total, 1))
    header.version.producer = BUNDLE_VERSION
    items = [(HEADER_KEY, header.SerializeToString())]
    items += sorted(entries.items())
    sstable.write_table(checkpoint.index_path(dest), items)
    for reader in readers:
        os.remove(checkpoint.index_path(reader.prefix))
        if delete_old_dirs:
            try:
                os.rmdir(os.path.dirname(reader.prefix))
            except OSError:
                pass  # not empty (or gone): TF leaves such directories too


@kernel("ReadFile")
def read_file(filename: np.ndarray) -> bytes:
    path = _text(filename)
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise NotFoundError(f"{path}; {e.strerror or e}") from None


@kernel("ShardedFilename")
def sharded_filename(basename: np.ndarray, shard: np.ndarray, num_shards: np.ndarray) -> bytes:
    return f"{_text(basename)}-{int(shard):05d}-of-{int(num_shards):05d}".encode(
        "utf-8", "surrogateescape"
    )


@kernel("ShardedFilespec")
def sharded_filespec(basename: np.ndarray, num_shards: np.ndarray) -> bytes:
    return f"{_text(basename)}-?????-of-{int(num_shards):05d}".encode("utf-8", "surrogateescape")


@kernel("StringJoin")
def string_join(inputs: Sequence[np.ndarray], *, separator: str = "") -> np.ndarray:
    sep = separator.encode("utf-8", "surrogateescape")
    arrays = [np.asarray(x, dtype=object) for x in inputs]
    shapes = {a.shape for a in arrays if a.ndim}
    if len(shapes) > 1:
        raise InvalidArgumentError(
            f"StringJoin: input shapes must be equal or scalar, got {sorted(shapes)}"
        )
    shape = shapes.pop() if shapes else ()
    flat = [np.broadcast_to(a, shape).reshape(-1) for a in arrays]
    out = np.empty(len(flat[0]) if flat else 1, dtype=object)
    for i in range(out.size):
        out[i] = sep.join(_bytes(col[i]) for col in flat)
    return out.reshape(shape)


def _bytes(value: object) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode("utf-8")
