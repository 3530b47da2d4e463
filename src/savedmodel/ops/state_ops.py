"""TF1 reference variables: VariableV2 and the ops that assign through a ref edge.

A `VariableV2` output is a ref edge: the slot holds the `RefVariable` itself. Ops whose OpDef
input is a ref (`Assign`, `AssignAdd`, `IsVariableInitialized`) receive it as is; every other
consumer gets `RefVariable.read()` (the executor dereferences the edge), i.e. the current value.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from savedmodel.errors import FailedPreconditionError, InvalidArgumentError
from savedmodel.ops.registry import kernel
from savedmodel.ops.resource_variable_ops import fresh, stored


class RefVariable:
    """A TF1 variable: name, dtype, declared shape and current value (None: uninitialized)."""

    __slots__ = ("name", "dtype", "shape", "value")

    def __init__(self, name: str, dtype: np.dtype, shape: tuple | None) -> None:
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.value: np.ndarray | None = None

    def read(self) -> np.ndarray:
        if self.value is None:
            raise FailedPreconditionError(f"Attempting to use uninitialized value {self.name}")
        return self.value

    def __repr__(self) -> str:
        return f"RefVariable({self.name!r}, {self.dtype}, {self.shape})"


@kernel("VariableV2", "Variable")
def variable_v2(
    *, shape: tuple | None, dtype: np.dtype, container: str = "", shared_name: str = "", ctx: Any
) -> RefVariable:
    key = ("ref_variable", container, shared_name)
    var = ctx.resources.get(key)
    if var is None:
        var = ctx.resources[key] = RefVariable(shared_name, dtype, shape)
    return var


def _as_ref(ref: Any) -> RefVariable:
    if not isinstance(ref, RefVariable):
        raise InvalidArgumentError(f"expected a reference to a variable, got {type(ref).__name__}")
    return ref


@kernel("Assign")
def assign(
    ref: RefVariable, value: np.ndarray, *, validate_shape: bool = True, use_locking: bool = True
) -> RefVariable:
    var = _as_ref(ref)
    # NOTE: TF compares against the current value's shape; an uninitialized variable takes any.
    if validate_shape and var.value is not None and var.value.shape != value.shape:
        raise InvalidArgumentError(
            f"Assign requires shapes of both tensors to match. lhs shape= {list(var.value.shape)}"
            f" rhs shape= {list(value.shape)}"
        )
    var.value = stored(value)
    return var


def _update(ref: Any, value: np.ndarray, sign: int) -> RefVariable:
    var = _as_ref(ref)
    old = var.read()
    if old.shape != value.shape:
        raise InvalidArgumentError(
            f"Must have the same shape: {list(old.shape)} vs {list(value.shape)} ({var.name})"
        )
    var.value = fresh((old + value if sign > 0 else old - value).astype(old.dtype, copy=False))
    return var


@kernel("AssignAdd")
def assign_add(ref: RefVariable, value: np.ndarray, *, use_locking: bool = False) -> RefVariable:
    return _update(ref, value, +1)


@kernel("AssignSub")
def assign_sub(ref: RefVariable, value: np.ndarray, *, use_locking: bool = False) -> RefVariable:
    return _update(ref, value, -1)


@kernel("IsVariableInitialized")
def is_variable_initialized(ref: RefVariable) -> np.ndarray:
    return np.asarray(_as_ref(ref).value is not None)
