"""Resource handles and TF2 resource variables (VarHandleOp, ReadVariableOp, Assign*VariableOp...).

A resource lives in the session's resource manager (`ctx.resources`, a dict) under the key
(kind, container, shared_name); a DT_RESOURCE tensor is a 0-d object array holding the
`ResourceHandle` that names it. Variable values are never mutated in place: an assignment stores
a new array, so a value read earlier stays a valid snapshot. A stored value is read-only and
shares memory with nothing else (`stored`): kernels may return views of their inputs, and the
executor hands out copies of read-only arrays, so no user can reach into a variable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from savedmodel.errors import FailedPreconditionError, InvalidArgumentError, NotFoundError
from savedmodel.ops.array_ops import gather
from savedmodel.ops.registry import kernel

_ndarray = np.ndarray


@dataclass(frozen=True)
class ResourceHandle:
    """Names one resource of the session: `kind` ("variable", "table"...), container, name."""

    kind: str
    container: str
    name: str
    # (kind, container, name): the resource manager's key, built once (read in every loop step).
    key: tuple[str, str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", (self.kind, self.container, self.name))


class Variable:
    """A resource variable: its dtype, declared shape and current value (None: uninitialized)."""

    __slots__ = ("dtype", "shape", "value")

    def __init__(self, dtype: np.dtype, shape: tuple | None, value: np.ndarray | None = None):
        self.dtype = dtype
        self.shape = shape
        self.value = value


def stored(value: np.ndarray) -> np.ndarray:
    """`value` fit to be kept as a variable's value: read-only, aliasing nothing writeable.

    A read-only array with no base (a Const, another variable's value) is already immutable and
    is kept as is; anything else (a fed array, a view, a kernel result another consumer also
    holds) is copied once.
    """
    if value.base is None and not value.flags.writeable:
        return value
    value = value.copy()
    value.flags.writeable = False
    return value


def fresh(value: np.ndarray) -> np.ndarray:
    """`value`, a result the caller just computed and holds alone, made read-only to be kept."""
    value = np.asarray(value)  # 0-d arithmetic gives numpy scalars
    value.flags.writeable = False
    return value


def handle_of(tensor: Any) -> ResourceHandle:
    """The ResourceHandle inside a DT_RESOURCE tensor (a 0-d object array)."""
    handle = tensor[()] if isinstance(tensor, _ndarray) and not tensor.ndim else tensor
    if type(handle) is not ResourceHandle and not isinstance(handle, ResourceHandle):
        raise InvalidArgumentError(f"expected a resource handle, got {type(handle).__name__}")
    return handle


def lookup_resource(ctx: Any, tensor: Any, kind: str) -> Any:
    """The resource a handle tensor names; NotFoundError if it does not exist (yet)."""
    handle = handle_of(tensor)
    if handle.kind != kind:
        raise InvalidArgumentError(f"resource {handle.name!r} is a {handle.kind}, not a {kind}")
    resource = ctx.resources.get(handle.key)
    if resource is None:
        raise NotFoundError(
            f"Resource {handle.container or 'localhost'}/{handle.name} ({kind}) does not exist."
        )
    return resource


def _read(ctx: Any, resource: Any) -> tuple[Variable, np.ndarray]:
    handle = handle_of(resource)
    var = ctx.resources.get(handle.key)
    if var is None or var.value is None:
        raise FailedPreconditionError(
            f"Could not find variable {handle.name}. This could mean that the variable has been"
            " deleted or was never initialized (restored)."
        )
    return var, var.value


def _check_dtype(var: Variable, dtype: np.dtype, what: str, name: str) -> None:
    if var.dtype is not dtype and var.dtype != dtype:
        raise InvalidArgumentError(
            f"Trying to {what} variable {name} with wrong dtype. Expected {var.dtype} got {dtype}"
        )


@kernel("VarHandleOp")
def var_handle_op(
    *,
    dtype: np.dtype,
    shape: tuple | None,
    container: str = "",
    shared_name: str = "",
    debug_name: str = "",
    allowed_devices: list | None = None,
    ctx: Any,
) -> ResourceHandle:
    return ResourceHandle("variable", container, shared_name)


@kernel("ReadVariableOp")
def read_variable_op(resource: np.ndarray, *, dtype: np.dtype, ctx: Any) -> np.ndarray:
    # (run once per step of every RNN loop: the common case is written out)
    handle = handle_of(resource)
    var = ctx.resources.get(handle.key)
    value = None if var is None else var.value
    if value is None:
        _read(ctx, resource)  # raises the error
    _check_dtype(var, dtype, "read", handle.name)
    return value


@kernel("AssignVariableOp")
def assign_variable_op(
    resource: np.ndarray, value: np.ndarray, *, dtype: np.dtype, validate_shape: bool = False,
    ctx: Any,
) -> None:  # fmt: skip
    handle = handle_of(resource)
    var = ctx.resources.get(handle.key)
    if var is None:
        # NOTE: TF's AssignVariableOp creates the variable when the handle names none yet.
        ctx.resources[handle.key] = Variable(dtype, value.shape, stored(value))
        return
    _check_dtype(var, dtype, "assign", handle.name)
    if validate_shape and var.value is not None and var.value.shape != value.shape:
        raise InvalidArgumentError(
            f"Trying to assign to variable {handle.name} with a value of shape {value.shape};"
            f" the variable's shape is {var.value.shape}"
        )
    var.value = stored(value)


def _update(resource: np.ndarray, delta: np.ndarray, ctx: Any, sign: int) -> None:
    var, old = _read(ctx, resource)
    if old.shape != delta.shape:
        raise InvalidArgumentError(
            f"Cannot update variable with shape {list(old.shape)} using a value of shape"
            f" {list(delta.shape)}"
        )
    var.value = fresh((old + delta if sign > 0 else old - delta).astype(old.dtype, copy=False))


@kernel("AssignAddVariableOp")
def assign_add_variable_op(resource: np.ndarray, value: np.ndarray, *, ctx: Any) -> None:
    _update(resource, value, ctx, +1)


@kernel("AssignSubVariableOp")
def assign_sub_variable_op(resource: np.ndarray, value: np.ndarray, *, ctx: Any) -> None:
    _update(resource, value, ctx, -1)


@kernel("VarIsInitializedOp")
def var_is_initialized_op(resource: np.ndarray, *, ctx: Any) -> np.ndarray:
    var = ctx.resources.get(handle_of(resource).key)
    return np.asarray(var is not None and getattr(var, "value", True) is not None)


@kernel("DestroyResourceOp")
def destroy_resource_op(resource: np.ndarray, *, ignore_lookup_error: bool = True, ctx: Any):
    handle = handle_of(resource)
    if ctx.resources.pop(handle.key, None) is None and not ignore_lookup_error:
        raise NotFoundError(f"Resource {handle.name} does not exist.")


@kernel("DisableCopyOnRead")
def disable_copy_on_read(resource: np.ndarray) -> None:
    # Copy-on-read is a TF memory optimisation; values here are never mutated in place.
    return None


@kernel("VariableShape")
def variable_shape(input: np.ndarray, *, out_type: np.dtype, ctx: Any) -> np.ndarray:
    _, value = _read(ctx, input)
    return np.asarray(value.shape, dtype=out_type)


@kernel("ResourceGather")
def resource_gather(
    resource: np.ndarray, indices: np.ndarray, *, dtype: np.dtype, batch_dims: int = 0,
    validate_indices: bool = True, ctx: Any,
) -> np.ndarray:  # fmt: skip
    var, params = _read(ctx, resource)
    _check_dtype(var, dtype, "read", handle_of(resource).name)
    # NOTE: TF's ResourceGather gathers along axis `batch_dims` (the first non-batch axis) and,
    # unlike GatherV2, takes no negative batch_dims (tf.gather normalizes it before the op).
    if batch_dims < 0:
        raise InvalidArgumentError(f"batch_dims is negative ({batch_dims})")
    return gather(params, indices, batch_dims, batch_dims)
