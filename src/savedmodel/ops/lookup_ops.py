"""Lookup tables: HashTableV2 / MutableHashTableV2 resources and the ops that fill and query them.

A table lives in the session's resource manager like a variable (see resource_variable_ops);
keys are stored as Python values (`bytes` for strings, ints, floats) so a lookup is a dict get
per element.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from savedmodel.errors import FailedPreconditionError, InvalidArgumentError, NotFoundError
from savedmodel.ops.registry import kernel
from savedmodel.ops.resource_variable_ops import ResourceHandle, lookup_resource

# NOTE: TF's TextFileIndex: -2 = the whole line, -1 = the line number.
WHOLE_LINE = -2
LINE_NUMBER = -1


class HashTable:
    """A key -> value table; `mutable` tables accept re-insertion, static ones are set once."""

    __slots__ = ("key_dtype", "value_dtype", "data", "initialized", "mutable")

    def __init__(self, key_dtype: np.dtype, value_dtype: np.dtype, mutable: bool) -> None:
        self.key_dtype = key_dtype
        self.value_dtype = value_dtype
        self.data: dict[Any, Any] = {}
        self.initialized = mutable
        self.mutable = mutable

    def insert(self, keys: list, values: list) -> None:
        if self.mutable:
            self.data.update(zip(keys, values, strict=True))
            return
        for k, v in zip(keys, values, strict=True):
            old = self.data.setdefault(k, v)
            # NOTE: a static table rejects a second, different value for a key.
            if old != v:
                raise FailedPreconditionError(
                    f"HashTable has different value for same key. Key {_show(k)} has {old} and"
                    f" trying to add value {v}"
                )
        self.initialized = True


def _show(key: Any) -> str:
    return key.decode("utf-8", "replace") if isinstance(key, bytes) else str(key)


def _create(ctx: Any, container: str, shared_name: str, key_dtype, value_dtype, mutable: bool):
    handle = ResourceHandle("table", container, shared_name)
    if handle.key not in ctx.resources:
        ctx.resources[handle.key] = HashTable(key_dtype, value_dtype, mutable)
    return handle


@kernel("HashTableV2")
def hash_table_v2(
    *, container: str = "", shared_name: str = "", use_node_name_sharing: bool = False,
    key_dtype: np.dtype, value_dtype: np.dtype, ctx: Any,
) -> ResourceHandle:  # fmt: skip
    return _create(ctx, container, shared_name, key_dtype, value_dtype, mutable=False)


@kernel("MutableHashTableV2")
def mutable_hash_table_v2(
    *, container: str = "", shared_name: str = "", use_node_name_sharing: bool = False,
    key_dtype: np.dtype, value_dtype: np.dtype, ctx: Any,
) -> ResourceHandle:  # fmt: skip
    return _create(ctx, container, shared_name, key_dtype, value_dtype, mutable=True)


def _table(ctx: Any, handle: Any) -> HashTable:
    return lookup_resource(ctx, handle, "table")


def _insert(table: HashTable, keys: np.ndarray, values: np.ndarray) -> None:
    if keys.dtype != table.key_dtype or values.dtype != table.value_dtype:
        raise InvalidArgumentError(
            f"Conflicting key/value types: table has {table.key_dtype}/{table.value_dtype}, got"
            f" {keys.dtype}/{values.dtype}"
        )
    if keys.shape != values.shape[: keys.ndim]:
        raise InvalidArgumentError(
            f"keys shape {list(keys.shape)} does not match values shape {list(values.shape)}"
        )
    value_rows = values.reshape(keys.size, -1) if values.ndim > keys.ndim else values.reshape(-1)
    table.insert(keys.reshape(-1).tolist(), value_rows.tolist())


@kernel("InitializeTableV2")
def initialize_table_v2(table_handle: np.ndarray, keys: np.ndarray, values: np.ndarray, *, ctx):
    _insert(_table(ctx, table_handle), keys, values)


@kernel("LookupTableImportV2")
def lookup_table_import_v2(table_handle: np.ndarray, keys: np.ndarray, values: np.ndarray, *, ctx):
    table = _table(ctx, table_handle)
    if table.mutable:
        table.data.clear()
    _insert(table, keys, values)


@kernel("LookupTableInsertV2")
def lookup_table_insert_v2(table_handle: np.ndarray, keys: np.ndarray, values: np.ndarray, *, ctx):
    _insert(_table(ctx, table_handle), keys, values)


def _parse(field: bytes, dtype: np.dtype, where: str) -> Any:
    try:
        if dtype == np.dtype(object):
            return field
        if dtype.kind in "iu":
            return int(field)
        if dtype.kind == "f":
            return float(field)
    except ValueError:
        raise InvalidArgumentError(f"{where}: field {field!r} is not a valid {dtype}") from None
    raise InvalidArgumentError(f"{where}: unsupported table dtype {dtype}")


def _column(line: bytes, parts: list[bytes], index: int, line_no: int, dtype, where: str):
    if index == LINE_NUMBER:
        return line_no
    if index == WHOLE_LINE:
        return _parse(line, dtype, where)
    if index >= len(parts):
        raise InvalidArgumentError(
            f"Invalid number of columns in {where} line {line_no} ({line!r}): expected more"
            f" than {index}"
        )
    return _parse(parts[index], dtype, where)


@kernel("InitializeTableFromTextFileV2")
def initialize_table_from_text_file_v2(
    table_handle: np.ndarray,
    filename: np.ndarray,
    *,
    key_index: int,
    value_index: int,
    vocab_size: int = -1,
    delimiter: str = "\t",
    offset: int = 0,
    ctx: Any,
) -> None:
    table = _table(ctx, table_handle)
    path = filename.item()
    path = path.decode("utf-8", "surrogateescape") if isinstance(path, bytes) else str(path)
    try:
        with open(path, "rb") as f:
            lines = f.read().split(b"\n")
    except OSError as e:
        raise NotFoundError(f"{path}: {e.strerror or e}") from None
    if lines and lines[-1] == b"":
        lines.pop()  # the newline ending the last line
    sep = delimiter.encode("utf-8", "surrogateescape")
    keys, values = [], []
    for number, raw in enumerate(lines):
        if vocab_size != -1 and number >= vocab_size:
            break
        line = raw[:-1] if raw.endswith(b"\r") else raw
        if not line:
            raise InvalidArgumentError(
                f"Invalid content in {path}: empty line found at line {number + 1}."
            )
        parts = line.split(sep)
        keys.append(_column(line, parts, key_index, number + offset, table.key_dtype, path))
        values.append(_column(line, parts, value_index, number + offset, table.value_dtype, path))
    if vocab_size != -1 and len(keys) != vocab_size:
        raise InvalidArgumentError(
            f"Invalid vocab_size in {path}: expected {vocab_size} but got {len(keys)}"
        )
    table.insert(keys, values)


@kernel("LookupTableFindV2")
def lookup_table_find_v2(
    table_handle: np.ndarray, keys: np.ndarray, default_value: np.ndarray, *, ctx: Any
) -> np.ndarray:
    table = _table(ctx, table_handle)
    if not table.initialized:
        raise FailedPreconditionError("Table not initialized.")
    if keys.dtype != table.key_dtype:
        raise InvalidArgumentError(f"Expected keys of type {table.key_dtype}, got {keys.dtype}")
    default = default_value.item() if default_value.size == 1 else default_value.tolist()
    get = table.data.get
    found = [get(k, default) for k in keys.reshape(-1).tolist()]
    out = np.asarray(found, dtype=table.value_dtype)
    return out.reshape(keys.shape + out.shape[1:])


@kernel("LookupTableSizeV2")
def lookup_table_size_v2(table_handle: np.ndarray, *, ctx: Any) -> np.ndarray:
    return np.asarray(len(_table(ctx, table_handle).data), dtype=np.int64)


@kernel("LookupTableExportV2")
def lookup_table_export_v2(table_handle: np.ndarray, *, ctx: Any) -> tuple[np.ndarray, np.ndarray]:
    table = _table(ctx, table_handle)
    keys = np.asarray(list(table.data), dtype=table.key_dtype)
    values = np.asarray(list(table.data.values()), dtype=table.value_dtype)
    return keys, values
