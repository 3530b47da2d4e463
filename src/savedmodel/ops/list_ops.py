"""TensorList ops (the DT_VARIANT lists TF2 loops accumulate into) and the TensorList value.

A DT_VARIANT tensor holding a list is a 0-d object array whose item is a `TensorList`. Lists are
values: every op that "modifies" one returns a new TensorList (a shallow copy of the item list),
so a list seen by another consumer never changes under it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from savedmodel.errors import InvalidArgumentError
from savedmodel.ops.registry import kernel

Shape = tuple[int | None, ...] | None


class TensorList:
    """Items (arrays, or None where a reserved slot was never set), element dtype and shape.

    `checked_shape` remembers the last item shape found compatible with `element_shape`, so a
    loop adding same-shaped items checks the shape once, not once per iteration.
    """

    __slots__ = ("items", "element_dtype", "element_shape", "checked_shape")

    def __init__(self, items: list, element_dtype: np.dtype, element_shape: Shape) -> None:
        self.items = items
        self.element_dtype = element_dtype
        self.element_shape = element_shape
        self.checked_shape: tuple[int, ...] | None = None

    def copy(self, items: list | None = None) -> TensorList:
        new = TensorList(list(self.items) if items is None else items,
                         self.element_dtype, self.element_shape)  # fmt: skip
        new.checked_shape = self.checked_shape
        return new

    def __repr__(self) -> str:
        return f"TensorList(len={len(self.items)}, {self.element_dtype}, {self.element_shape})"


def _list(handle: Any) -> TensorList:
    value = handle[()] if isinstance(handle, np.ndarray) and not handle.ndim else handle
    if type(value) is not TensorList and not isinstance(value, TensorList):
        raise InvalidArgumentError(f"expected a TensorList, got {type(value).__name__}")
    return value


def shape_from_tensor(shape: np.ndarray) -> Shape:
    """An `element_shape` input: -1 scalar = unknown rank, -1 entries = unknown dims."""
    arr = np.asarray(shape)
    if arr.ndim == 0:
        if int(arr) != -1:
            raise InvalidArgumentError(f"element_shape must be -1 or a vector, got {int(arr)}")
        return None
    return tuple(None if d < 0 else int(d) for d in arr.tolist())


def _merge(a: Shape, b: Shape) -> Shape:
    if a is None:
        return b
    if b is None:
        return a
    if len(a) != len(b):
        raise InvalidArgumentError(f"incompatible element shapes {a} and {b}")
    merged = []
    for x, y in zip(a, b, strict=True):
        if x is not None and y is not None and x != y:
            raise InvalidArgumentError(f"incompatible element shapes {a} and {b}")
        merged.append(x if x is not None else y)
    return tuple(merged)


def _check_item(lst: TensorList, item: np.ndarray) -> None:
    if item.dtype is not lst.element_dtype and item.dtype != lst.element_dtype:
        raise InvalidArgumentError(
            f"Invalid data types; list elements {lst.element_dtype} but tried to add {item.dtype}"
        )
    if lst.element_shape is not None and item.shape != lst.checked_shape:
        _merge(lst.element_shape, item.shape)
        lst.checked_shape = item.shape


def _zeros(lst: TensorList, shape: Shape, what: str) -> np.ndarray:
    """The value of a never-set element: zeros, which needs a fully known shape."""
    full = _merge(lst.element_shape, shape)
    if full is None or any(d is None for d in full):
        raise InvalidArgumentError(
            f"Trying to read an uninitialized tensor from a list ({what}) but the element shape"
            f" {full} is not fully defined"
        )
    return np.zeros(full, dtype=lst.element_dtype)


def _index(index: Any, size: int) -> int:
    i = int(index)
    if not 0 <= i < size:
        raise InvalidArgumentError(f"Trying to access element {i} in a list with {size} elements.")
    return i


@kernel("EmptyTensorList")
def empty_tensor_list(
    element_shape: np.ndarray, max_num_elements: np.ndarray, *, element_dtype: np.dtype
) -> TensorList:
    return TensorList([], element_dtype, shape_from_tensor(element_shape))


@kernel("TensorListReserve")
def tensor_list_reserve(
    element_shape: np.ndarray, num_elements: np.ndarray, *, element_dtype: np.dtype
) -> TensorList:
    n = int(num_elements)
    if n < 0:
        raise InvalidArgumentError(f"The num_elements to reserve must be >= 0, got {n}")
    return TensorList([None] * n, element_dtype, shape_from_tensor(element_shape))


@kernel("TensorListFromTensor")
def tensor_list_from_tensor(
    tensor: np.ndarray, element_shape: np.ndarray, *, element_dtype: np.dtype
) -> TensorList:
    if tensor.ndim == 0:
        raise InvalidArgumentError("Tensor must be at least a vector, but saw shape: []")
    shape = _merge(shape_from_tensor(element_shape), tensor.shape[1:])
    return TensorList(list(tensor), tensor.dtype, shape)


@kernel("TensorListSetItem")
def tensor_list_set_item(
    input_handle: np.ndarray,
    index: np.ndarray,
    item: np.ndarray,
    *,
    element_dtype: np.dtype,
    resize_if_index_out_of_bounds: bool = False,
) -> TensorList:
    lst = _list(input_handle)
    _check_item(lst, item)
    items = list(lst.items)
    i = int(index)
    if resize_if_index_out_of_bounds and i >= len(items):
        items.extend([None] * (i + 1 - len(items)))
    items[_index(i, len(items))] = item
    return lst.copy(items)


@kernel("TensorListGetItem")
def tensor_list_get_item(
    input_handle: np.ndarray, index: np.ndarray, element_shape: np.ndarray, *,
    element_dtype: np.dtype,
) -> np.ndarray:  # fmt: skip
    lst = _list(input_handle)
    item = lst.items[_index(index, len(lst.items))]
    if item is None:
        return _zeros(lst, shape_from_tensor(element_shape), "TensorListGetItem")
    return item


@kernel("TensorListPushBack")
def tensor_list_push_back(
    input_handle: np.ndarray, tensor: np.ndarray, *, element_dtype: np.dtype
) -> TensorList:
    lst = _list(input_handle)
    _check_item(lst, tensor)
    return lst.copy([*lst.items, tensor])


@kernel("TensorListPopBack")
def tensor_list_pop_back(
    input_handle: np.ndarray, element_shape: np.ndarray, *, element_dtype: np.dtype
) -> tuple[TensorList, np.ndarray]:
    lst = _list(input_handle)
    if not lst.items:
        raise InvalidArgumentError("Trying to pop from an empty list.")
    item = lst.items[-1]
    if item is None:
        item = _zeros(lst, shape_from_tensor(element_shape), "TensorListPopBack")
    return lst.copy(lst.items[:-1]), item


def _stacked(lst: TensorList, items: list, element_shape: np.ndarray, what: str) -> np.ndarray:
    shape = _merge(lst.element_shape, shape_from_tensor(element_shape))
    known = [x for x in items if x is not None]
    if known:
        shape = _merge(shape, known[0].shape)
    if not items and (shape is None or any(d is None for d in shape)):
        shown = "<unknown>" if shape is None else [-1 if d is None else d for d in shape]
        raise InvalidArgumentError(
            f"Tried to stack elements of an empty list with non-fully-defined element_shape:"
            f" {shown}"
        )
    if len(known) < len(items) or not items:
        fill = _zeros(lst, shape, what)
        items = [fill if x is None else x for x in items]
        if not items:
            return np.zeros((0, *fill.shape), dtype=lst.element_dtype)
    for x in items:
        if x.shape != items[0].shape:
            raise InvalidArgumentError(
                f"{what}: list elements have different shapes {items[0].shape} and {x.shape}"
            )
    return np.stack(items)


@kernel("TensorListStack")
def tensor_list_stack(
    input_handle: np.ndarray, element_shape: np.ndarray, *, element_dtype: np.dtype,
    num_elements: int = -1,
) -> np.ndarray:  # fmt: skip
    lst = _list(input_handle)
    if num_elements != -1 and num_elements != len(lst.items):
        raise InvalidArgumentError(
            f"Operation expected a list with {num_elements} elements but got a list with"
            f" {len(lst.items)} elements."
        )
    return _stacked(lst, lst.items, element_shape, "TensorListStack")


@kernel("TensorListGather")
def tensor_list_gather(
    input_handle: np.ndarray, indices: np.ndarray, element_shape: np.ndarray, *,
    element_dtype: np.dtype,
) -> np.ndarray:  # fmt: skip
    lst = _list(input_handle)
    items = [lst.items[_index(i, len(lst.items))] for i in np.asarray(indices).reshape(-1)]
    return _stacked(lst, items, element_shape, "TensorListGather")


@kernel("TensorListLength")
def tensor_list_length(input_handle: np.ndarray) -> np.ndarray:
    return np.asarray(len(_list(input_handle).items), dtype=np.int32)


@kernel("TensorListElementShape")
def tensor_list_element_shape(input_handle: np.ndarray, *, shape_type: np.dtype) -> np.ndarray:
    shape = _list(input_handle).element_shape
    if shape is None:
        return np.asarray(-1, dtype=shape_type)
    return np.asarray([-1 if d is None else d for d in shape], dtype=shape_type)
