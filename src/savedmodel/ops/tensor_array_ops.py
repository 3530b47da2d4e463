"""TF1 TensorArrays: TensorArrayV3 and its Read/Write/Gather/Scatter/Concat/Split/Size/Close ops.

TF1 `tf.TensorArray` (and so TF1 `dynamic_rnn`, `map_fn`, `scan`, `while_loop` accumulators)
builds these ops. TensorArrayV3 makes a new array each time it runs and outputs a resource handle
plus a float "flow" scalar that the other ops thread through to order themselves; we keep the
flow only as a data dependency (always 0.0).

An array is a per-run resource: in TF it lives in the step's container and disappears with the
step. Here the handle itself (`TensorArrayHandle`, a ResourceHandle of kind "tensor_array")
holds the array, and `ctx.resources` maps its key to a weak reference only: the array goes away
with the last tensor that holds its handle, however the graph ends (dynamic_rnn never closes its
arrays). TensorArrayCloseV3 drops it early.

Stored elements are read-only (kernels never mutate their inputs, and a written value may be a
Const or a variable's value), so elements are kept without copies.
"""

from __future__ import annotations

import itertools
import weakref
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from savedmodel.errors import InvalidArgumentError, NotFoundError
from savedmodel.ops._common import check_allocation, scalar, shape_str, vector
from savedmodel.ops.registry import kernel
from savedmodel.ops.resource_variable_ops import ResourceHandle, handle_of, stored

Shape = tuple | None  # tuple of int|None per dim, None for unknown rank (attr decoding)

_FLOW = np.zeros((), np.float32)
_FLOW.flags.writeable = False
_names = itertools.count()


class TensorArray:
    """One array's state; `elements[i]` is None while unwritten (or after a clearing read)."""

    __slots__ = ("name", "dtype", "element_shape", "dynamic_size", "clear_after_read",
                 "identical_shapes", "elements", "read", "closed", "__weakref__")  # fmt: skip

    def __init__(
        self,
        name: str,
        dtype: np.dtype,
        size: int,
        element_shape: Shape,
        dynamic_size: bool,
        clear_after_read: bool,
        identical_shapes: bool,
    ) -> None:
        self.name = name
        self.dtype = dtype
        self.element_shape = element_shape
        self.dynamic_size = dynamic_size
        self.clear_after_read = clear_after_read
        self.identical_shapes = identical_shapes
        self.elements: list[np.ndarray | None] = [None] * size
        self.read = [False] * size
        self.closed = False

    def error(self, message: str) -> InvalidArgumentError:
        return InvalidArgumentError(f"TensorArray {self.name}: {message}")

    def write(self, index: int, value: np.ndarray) -> None:
        if value.dtype != self.dtype:
            raise InvalidArgumentError(
                f"TensorArray dtype is {self.dtype.name} but Op is trying to write dtype"
                f" {value.dtype.name}."
            )
        size = len(self.elements)
        if index < 0 or (index >= size and not self.dynamic_size):
            raise self.error(
                f"Tried to write to index {index} but array is not resizeable and size is: {size}"
            )
        if index >= size:
            check_allocation((index + 1,), np.dtype(object), "TensorArray")
            grow = index + 1 - size
            self.elements.extend([None] * grow)
            self.read.extend([False] * grow)
        if not _compatible(self.element_shape, value.shape):
            raise self.error(
                f"Could not write to TensorArray index {index} because the value shape is"
                f" {shape_str(value.shape)} which is incompatible with the TensorArray's inferred"
                f" element shape: {_shape_text(self.element_shape)} (consider setting"
                " infer_shape=False)."
            )
        if self.read[index]:
            raise self.error(
                f"Could not write to TensorArray index {index} because it has already been read."
            )
        if self.elements[index] is not None:
            raise self.error(
                f"Could not write to TensorArray index {index} because it has already been"
                " written to."
            )
        if self.identical_shapes:
            self.element_shape = value.shape
        self.elements[index] = stored(value)

    def read_at(self, index: int) -> np.ndarray:
        size = len(self.elements)
        if index < 0 or index >= size:
            raise InvalidArgumentError(
                f"Tried to read from index {index} but array size is: {size}"
            )
        value = self.elements[index]
        if value is None:
            if self.read[index]:
                raise self.error(
                    f"Could not read index {index} twice because it was cleared after a previous"
                    " read (perhaps try setting clear_after_read = false?)."
                )
            if not _fully_defined(self.element_shape):
                raise self.error(
                    f"Could not read from TensorArray index {index}.  Furthermore, the element"
                    f" shape is not fully defined: {_shape_text(self.element_shape)}.  It is"
                    " possible you are working with a resizeable TensorArray and stop_gradients"
                    " is not allowing the gradients to be written.  If you set the full"
                    " element_shape property on the forward TensorArray, the proper all-zeros"
                    " tensor will be returned instead of incurring this error."
                )
            # NOTE: TF reads an unwritten element of a fully defined shape as zeros.
            check_allocation(self.element_shape, self.dtype, "TensorArrayRead")
            return np.zeros(self.element_shape, self.dtype)
        if self.clear_after_read:
            self.elements[index] = None
            self.read[index] = True
        return value

    def read_many(self, indices: list[int], element_shape: Shape) -> np.ndarray:
        if not indices:
            shape = _merge(self.element_shape, element_shape)
            if not _fully_defined(shape):
                raise self.error(
                    f"TensorArray has size zero, but element shape {_shape_text(shape)} is not"
                    " fully defined. Currently only static shapes are supported when packing"
                    " zero-size TensorArrays."
                )
            return np.zeros((0, *shape), self.dtype)
        values = [self.read_at(i) for i in indices]
        first = values[0].shape
        for i, v in zip(indices, values, strict=True):
            if v.shape != first:
                raise self.error(
                    f"TensorArray has inconsistent shapes.  Index 0 has (element_shape) shape:"
                    f" {shape_str(first)} but index {i} has (element_shape) shape:"
                    f" {shape_str(v.shape)}"
                )
        check_allocation((len(values), *first), self.dtype, "TensorArrayGather")
        return np.stack(values)


@dataclass(frozen=True)
class TensorArrayHandle(ResourceHandle):
    """A handle that holds its array (see the module docstring)."""

    array: TensorArray | None = field(default=None, compare=False, repr=False)


def _shape_text(shape: Shape) -> str:
    if shape is None:
        return "<unknown>"
    return "[" + ",".join("?" if d is None else str(d) for d in shape) + "]"


def _fully_defined(shape: Shape) -> bool:
    return shape is not None and all(d is not None and d >= 0 for d in shape)


def _known(shape: Shape) -> Shape:
    # Attr shapes may spell an unknown dim as -1.
    if shape is None:
        return None
    return tuple(None if d is None or d < 0 else d for d in shape)


def _compatible(partial: Shape, shape: tuple[int, ...]) -> bool:
    partial = _known(partial)
    if partial is None:
        return True
    if len(partial) != len(shape):
        return False
    return all(p is None or p == d for p, d in zip(partial, shape, strict=True))


def _merge(a: Shape, b: Shape) -> Shape:
    a, b = _known(a), _known(b)
    if a is None:
        return b
    if b is None or len(a) != len(b):
        return a
    return tuple(x if x is not None else y for x, y in zip(a, b, strict=True))


def _array(handle: Any, ctx: Any) -> TensorArray:
    h = handle_of(handle)
    ta = h.array if isinstance(h, TensorArrayHandle) else None
    if ta is None:
        ref = ctx.resources.get(h.key)
        ta = ref() if isinstance(ref, weakref.ref) else None
    if ta is None or ta.closed:
        raise NotFoundError(
            f"Container per-step does not exist. (Could not find resource: {h.name})"
        )
    return ta


@kernel("TensorArrayV3")
def tensor_array_v3(
    size: np.ndarray,
    *,
    dtype: np.dtype,
    element_shape: Shape = None,
    dynamic_size: bool = False,
    clear_after_read: bool = True,
    identical_element_shapes: bool = False,
    tensor_array_name: str = "",
    ctx: Any,
) -> list[Any]:
    n = scalar(size, "size")
    if n < 0:
        raise InvalidArgumentError(f"Size should be >= 0, but saw: {n}")
    check_allocation((n,), np.dtype(object), "TensorArrayV3")
    # A fresh name per run, as TF's per-step arrays are distinct.
    name = f"{tensor_array_name or 'TensorArray'}_{next(_names)}"
    ta = TensorArray(name, dtype, n, _known(element_shape), dynamic_size, clear_after_read,
                     identical_element_shapes)  # fmt: skip
    handle = TensorArrayHandle("tensor_array", "_tensor_arrays", name, ta)
    resources = ctx.resources
    resources[handle.key] = weakref.ref(ta, lambda _, key=handle.key: resources.pop(key, None))
    out = np.empty((), object)
    out[()] = handle
    return [out, _FLOW]


@kernel("TensorArrayWriteV3")
def tensor_array_write_v3(
    handle: np.ndarray, index: np.ndarray, value: np.ndarray, flow_in: np.ndarray, *, ctx: Any
) -> np.ndarray:
    _array(handle, ctx).write(scalar(index, "index"), value)
    return _FLOW


@kernel("TensorArrayReadV3")
def tensor_array_read_v3(
    handle: np.ndarray, index: np.ndarray, flow_in: np.ndarray, *, dtype: np.dtype, ctx: Any
) -> np.ndarray:
    ta = _array(handle, ctx)
    _check_dtype(ta, dtype)
    return ta.read_at(scalar(index, "index"))


@kernel("TensorArrayGatherV3")
def tensor_array_gather_v3(
    handle: np.ndarray,
    indices: np.ndarray,
    flow_in: np.ndarray,
    *,
    dtype: np.dtype,
    element_shape: Shape = None,
    ctx: Any,
) -> np.ndarray:
    ta = _array(handle, ctx)
    _check_dtype(ta, dtype)
    return ta.read_many(vector(indices, "indices"), element_shape)


@kernel("TensorArrayScatterV3")
def tensor_array_scatter_v3(
    handle: np.ndarray, indices: np.ndarray, value: np.ndarray, flow_in: np.ndarray, *, ctx: Any
) -> np.ndarray:
    ta = _array(handle, ctx)
    where = vector(indices, "indices")
    if value.ndim < 1 or len(where) != value.shape[0]:
        raise InvalidArgumentError(
            f"Expected len(indices) == values.shape[0], but saw: {len(where)} vs."
            f" {value.shape[0] if value.ndim else 0}"
        )
    for i, index in enumerate(where):
        ta.write(index, value[i])
    return _FLOW


@kernel("TensorArrayConcatV3")
def tensor_array_concat_v3(
    handle: np.ndarray,
    flow_in: np.ndarray,
    *,
    dtype: np.dtype,
    element_shape_except0: Shape = None,
    ctx: Any,
) -> list[np.ndarray]:
    ta = _array(handle, ctx)
    _check_dtype(ta, dtype)
    values = [ta.read_at(i) for i in range(len(ta.elements))]
    lengths = np.array([v.shape[0] if v.ndim else 0 for v in values], np.int64)
    if not values:
        rest = _known(element_shape_except0)
        if not _fully_defined(rest):
            raise ta.error(
                f"TensorArray has size zero, but element_shape_except0"
                f" {_shape_text(rest)} is not fully defined. Currently only static shapes are"
                " supported when concatenating zero-size TensorArrays."
            )
        return [np.zeros((0, *rest), dtype), lengths]
    for i, v in enumerate(values):
        if v.ndim == 0:
            raise ta.error("Concat saw a scalar shape at index 0 but requires at least vectors.")
        if v.shape[1:] != values[0].shape[1:]:
            raise ta.error(
                f"Concat saw mismatched shapes.  Index 0 has shape {shape_str(values[0].shape)}"
                f" but index {i} has shape {shape_str(v.shape)}"
            )
    check_allocation((int(lengths.sum()), *values[0].shape[1:]), dtype, "TensorArrayConcat")
    return [np.concatenate(values), lengths]


@kernel("TensorArraySplitV3")
def tensor_array_split_v3(
    handle: np.ndarray, value: np.ndarray, lengths: np.ndarray, flow_in: np.ndarray, *, ctx: Any
) -> np.ndarray:
    ta = _array(handle, ctx)
    sizes = vector(lengths, "lengths")
    if value.ndim < 1:
        raise InvalidArgumentError(
            f"Expected value to be at least a vector, but received shape: {shape_str(value.shape)}"
        )
    if sum(sizes) != value.shape[0] or any(s < 0 for s in sizes):
        raise InvalidArgumentError(
            f"Expected sum of lengths to be equal to values.shape[0], but sum of lengths is:"
            f" {sum(sizes)} and value's shape is: {shape_str(value.shape)}"
        )
    if not ta.dynamic_size and len(sizes) != len(ta.elements):
        raise InvalidArgumentError(
            f"TensorArray's size is not equal to the size of lengths ({len(ta.elements)} vs."
            f" {len(sizes)}), and the TensorArray is not marked as dynamically resizeable"
        )
    start = 0
    for i, n in enumerate(sizes):
        ta.write(i, value[start : start + n])
        start += n
    return _FLOW


@kernel("TensorArraySizeV3")
def tensor_array_size_v3(handle: np.ndarray, flow_in: np.ndarray, *, ctx: Any) -> np.ndarray:
    return np.array(len(_array(handle, ctx).elements), np.int32)


@kernel("TensorArrayCloseV3")
def tensor_array_close_v3(handle: np.ndarray, *, ctx: Any) -> None:
    ta = _array(handle, ctx)
    ta.closed = True
    ta.elements = []
    ctx.resources.pop(handle_of(handle).key, None)


def _check_dtype(ta: TensorArray, dtype: np.dtype) -> None:
    if dtype != ta.dtype:
        raise InvalidArgumentError(
            f"TensorArray dtype is {ta.dtype.name} but Op requested dtype {dtype.name}."
        )
