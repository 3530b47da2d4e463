"""The kernel registry: TensorFlow op name -> numpy kernel.

A kernel is a plain function. Inputs arrive positionally in OpDef order (a list input such as
ConcatV2's `values` arrives as one sequence); attrs arrive keyword-only under their OpDef names,
already decoded from protobuf into Python values (see `savedmodel.graph.attrs`):

    int -> int, float -> float, bool -> bool, string -> str (UTF-8; undecodable bytes kept via
    "surrogateescape", so `.encode("utf-8", "surrogateescape")` gives the exact bytes back),
    type -> numpy dtype (np.dtype(object) for string, resource and variant),
    shape -> tuple of int|None per dim (None = unknown dim), or None for unknown rank,
    tensor -> numpy array, func -> savedmodel.graph.attrs.FuncAttr(name, attrs),
    list(...) -> list of the above.

Attrs missing from the NodeDef get their OpDef default. A kernel declares which attrs it reads
simply by naming them as keyword-only parameters; the executor passes only those. Type and number
attrs (T, N, Tidx, ...) need not be named: they are implied by the inputs.

Tensor values are numpy arrays: strings are object arrays of `bytes`; a DT_RESOURCE or DT_VARIANT
tensor is a 0-d object array holding a Python object (a ResourceHandle, a TensorList). Kernels
never modify their inputs in place: Const values and variable values are shared between runs.

A kernel returns a numpy array for an op whose OpDef has a single plain output argument (no
`number_attr` / `type_list_attr`), or else a tuple/list of arrays (all output tensors flattened,
in OpDef order), even when that makes one tensor (Split with num_split=1, IdentityN of one input);
there a bare array is accepted as well. Output count and dtypes are checked
centrally against the OpDef by the executor, not by each kernel; numpy scalars and Python values
are accepted and converted there (a non-array returned for an object-typed output is wrapped as a
0-d object array), but an array of another dtype is an InternalError naming the node.

Kernels that need the execution context declare a keyword-only parameter named `ctx`: the
executor's Session, with `ctx.resources` (a dict, the resource manager) and `ctx.function(func)` /
`ctx.call(func, args)` to run library functions.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass

from savedmodel.errors import InternalError


@dataclass(frozen=True)
class Kernel:
    op_type: str
    fn: Callable
    # Keyword-only parameter names of `fn` other than `ctx`: the attrs this kernel understands.
    attr_names: frozenset[str]
    wants_context: bool


_REGISTRY: dict[str, Kernel] = {}


def _keyword_only(fn: Callable) -> tuple[frozenset[str], bool]:
    params = inspect.signature(fn).parameters.values()
    names = {p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY}
    wants_context = "ctx" in names
    names.discard("ctx")
    return frozenset(names), wants_context


def register(op_type: str, fn: Callable) -> Kernel:
    """Register `fn` as the kernel of `op_type`; registering an op twice is an error."""
    if op_type in _REGISTRY:
        existing = _REGISTRY[op_type].fn
        raise InternalError(
            f"duplicate kernel for op {op_type!r}: {existing.__module__}.{existing.__qualname__}"
            f" and {fn.__module__}.{fn.__qualname__}"
        )
    attr_names, wants_context = _keyword_only(fn)
    entry = Kernel(op_type, fn, attr_names, wants_context)
    _REGISTRY[op_type] = entry
    return entry


def kernel(*op_types: str) -> Callable[[Callable], Callable]:
    """Decorator: `@kernel("Add", "AddV2")` registers the function under each op name."""

    def decorate(fn: Callable) -> Callable:
        for op_type in op_types:
            register(op_type, fn)
        return fn

    return decorate


def lookup(op_type: str) -> Kernel | None:
    """The kernel of `op_type`, or None if no family implements it.

    Families load on first use: the generated index (ops/_kernel_index.py) names the module that
    registers each op, so a model pays the import time of the families it uses only.
    """
    found = _REGISTRY.get(op_type)
    if found is None:
        from savedmodel.ops._kernel_index import KERNEL_MODULES

        module = KERNEL_MODULES.get(op_type)
        if module is not None:
            importlib.import_module(module)
            found = _REGISTRY.get(op_type)
    return found


def registered_op_types() -> frozenset[str]:
    """Every op that has a kernel (this loads every family)."""
    import savedmodel.ops.all  # noqa: F401

    return frozenset(_REGISTRY)
