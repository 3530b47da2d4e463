"""Eager execution: with no graph in scope an op runs at once, through the kernel registry.

Values are numpy arrays (resource handles are 0-d object arrays, as in the executor). One
process-wide eager context holds the resources (eager variables' values, tables) and the
functions registered for eager calls; it is an executor `Session` over an empty graph, so
kernels see the same `ctx` interface as inside a graph.

Kernels run with numpy's floating-point warnings off (TF gives inf/nan silently), and what they
return goes through `executor.detach`: an eager result is the caller's own writable array, never
a read-only value or a view of state a kernel keeps (a variable's value, a constant).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from savedmodel import dtypes
from savedmodel.errors import InternalError, UnimplementedError
from savedmodel.graph import attrs as attr_codec
from savedmodel.graph.op_def_table import OpDef

_OBJECT = np.dtype(object)


class EagerContext:
    """Resources and functions shared by everything that runs eagerly in this process."""

    def __init__(self) -> None:
        self.resources: dict[Any, Any] = {}
        self._functions: dict[str, Any] = {}
        self._session: Any = None
        self._session_version = -1
        self._version = 0

    def add_function(self, function_def: Any) -> None:
        self._functions[function_def.signature.name] = function_def
        self._version += 1

    @property
    def version(self) -> int:
        """Bumped by every function added (an earlier session's callers may then be stale)."""
        return self._version

    def has_function(self, name: str) -> bool:
        return name in self._functions

    def session(self) -> Any:
        """An executor Session sharing this context's resources (rebuilt when functions change)."""
        if self._session is None or self._session_version != self._version:
            from savedmodel.executor import Session
            from savedmodel.graph import Graph, Library

            session = Session(Graph((), Library(self._functions.values())))
            session.resources = self.resources
            self._session = session
            self._session_version = self._version
        return self._session

    def function(self, func: Any) -> Any:
        return self.session().function(func)

    def call(self, func: Any, args: Any) -> list[Any]:
        return self.session().call(func, args)


_CONTEXT = EagerContext()
_UIDS = itertools.count(1)


def uid() -> int:
    """A process-wide unique number (TF's ops.uid): names eager resources apart."""
    return next(_UIDS)


def context() -> EagerContext:
    return _CONTEXT


def _coerce(value: Any, dtype: np.dtype, op_type: str, index: int) -> np.ndarray:
    if isinstance(value, np.ndarray) and value.dtype == dtype:
        return value
    if dtype == _OBJECT and not isinstance(value, (np.ndarray, list, tuple)):
        wrapped = np.empty((), dtype=_OBJECT)
        wrapped[()] = value
        return wrapped
    arr = np.asarray(value)
    if arr.dtype != dtype:
        raise InternalError(
            f"kernel of {op_type} returned dtype {arr.dtype} for output {index}, expected {dtype}"
        )
    return arr


def run_kernel(op_type: str, *args: Any, **attrs: Any) -> Any:
    """Run one kernel on eager values, its attrs given decoded, as the kernel takes them.

    No conversion or attr inference (`run_op` does that): for callers that already hold exactly
    the kernel's inputs, such as restoring a loaded model's variables.
    """
    from savedmodel.ops import registry

    kernel = registry.lookup(op_type)
    if kernel is None:
        raise UnimplementedError(f"op {op_type} has no kernel in savedmodel (eager execution)")
    if kernel.wants_context:
        attrs["ctx"] = _CONTEXT
    with np.errstate(all="ignore"):
        result = kernel.fn(*args, **attrs)
    return _detached(result)


def _detached(result: Any) -> Any:
    """A kernel's result (one value, or a tuple/list of them) with each array detached."""
    if isinstance(result, np.ndarray):
        from savedmodel.executor import detach

        return detach(result)
    if isinstance(result, (tuple, list)):
        return _detach_all(list(result))
    return result


def _detach_all(values: list[Any]) -> list[Any]:
    """`executor.detach` for each value; an array returned twice is handed out as two arrays."""
    from savedmodel.executor.plan import detach_all

    return detach_all(values)


def run_op(op_type: str, op_def: OpDef, keywords: dict[str, Any]) -> Any:
    """Convert inputs, infer attrs and run one op eagerly; outputs structured like graph mode."""
    from savedmodel.framework import op_builder
    from savedmodel.ops import registry

    inputs, attr_protos = op_builder.prepare(op_type, op_def, keywords)
    for name, spec in op_def.attrs.items():
        if name not in attr_protos and spec.has_default:
            attr_protos[name] = op_builder.default_attr_proto(op_type, name)
    kernel = registry.lookup(op_type)
    if kernel is None:
        raise UnimplementedError(f"op {op_type} has no kernel in savedmodel (eager execution)")
    decoded = {k: attr_codec.decode(v) for k, v in attr_protos.items()}
    args: list[Any] = []
    pos = 0
    for arg in op_def.inputs:
        n = op_builder._arg_count(arg, attr_protos)
        if arg.number_attr or arg.type_list_attr:
            args.append(list(inputs.values[pos : pos + n]))
        else:
            args.append(inputs.values[pos])
        pos += n
    kw = {name: decoded[name] for name in kernel.attr_names if name in decoded}
    if kernel.wants_context:
        kw["ctx"] = _CONTEXT
    if kw.get("shared_name") == "":
        # NOTE: eager resources with no shared name are anonymous: one per op call.
        kw["shared_name"] = f"_AnonymousVar{id(args)}"
    with np.errstate(all="ignore"):
        result = kernel.fn(*args, **kw)
    out_types = op_builder.output_types(op_def, attr_protos)
    expected = [attr_codec.numpy_dtype(t.base_dtype.as_datatype_enum) for t in out_types]
    if not expected:
        return None
    if len(expected) == 1:
        flat = _detach_all([_coerce(result, expected[0], op_type, 0)])
    else:
        values = list(result)
        if len(values) != len(expected):
            raise InternalError(
                f"kernel of {op_type} returned {len(values)} outputs, the op has {len(expected)}"
            )
        flat = _detach_all(
            [
                _coerce(v, dt, op_type, i)
                for i, (v, dt) in enumerate(zip(values, expected, strict=True))
            ]
        )
    return op_builder.structure(op_type, op_def, attr_protos, flat)


def dtype_of(value: Any) -> dtypes.DType:
    from savedmodel.framework.constant_op import eager_dtype

    return eager_dtype(np.asarray(value) if not isinstance(value, np.ndarray) else value)
