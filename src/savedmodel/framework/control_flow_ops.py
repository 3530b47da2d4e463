"""`tf.group`, `tf.no_op`, `tf.tuple`-style helpers and `with_dependencies`, TF's way."""

from __future__ import annotations

from typing import Any

from savedmodel.framework import array_ops, context
from savedmodel.framework.graph import get_default_graph
from savedmodel.framework.op_builder import apply_op
from savedmodel.framework.operation import Operation, Tensor
from savedmodel.framework.scopes import colocate_with, name_scope


def no_op(name: str | None = None) -> Any:
    return apply_op("NoOp", name=name)


def _flatten(values: Any) -> list[Any]:
    out: list[Any] = []
    for v in values:
        if isinstance(v, (list, tuple)):
            out.extend(_flatten(v))
        elif isinstance(v, dict):
            out.extend(_flatten([v[k] for k in sorted(v)]))
        else:
            out.append(v)
    return out


def group(*inputs: Any, name: str | None = None) -> Any:
    """A NoOp depending on every input (TF groups by device; there is only one here)."""
    if context.executing_eagerly():
        return None
    with name_scope(name, "group_deps", list(inputs)) as scope:
        if not inputs:
            return no_op(name=scope)
        deps = _flatten(inputs)
        for d in deps:
            if not hasattr(d, "device"):
                raise TypeError(
                    f"'{d}' does not have a device attribute (expected an Operation or Tensor)."
                )
        with get_default_graph().control_dependencies(deps):
            return no_op(name=scope)


def with_dependencies(dependencies: Any, output_tensor: Any, name: str | None = None) -> Any:
    if context.executing_eagerly():
        return output_tensor
    with name_scope(name, "control_dependency", list(dependencies) + [output_tensor]) as scope:
        with colocate_with(output_tensor):
            with get_default_graph().control_dependencies(dependencies):
                if output_tensor.dtype.is_ref_dtype:
                    return apply_op("RefIdentity", input=output_tensor, name=scope)
                return array_ops.identity(output_tensor, name=scope)


def tuple_op(tensors: Any, name: str | None = None, control_inputs: Any = None) -> list[Any]:
    if context.executing_eagerly():
        return list(tensors)
    with name_scope(name, "tuple", tensors) as scope:
        gating = [t.op if isinstance(t, Tensor) else t for t in tensors if t is not None]
        if control_inputs:
            gating.extend(t.op if isinstance(t, Tensor) else t for t in control_inputs)
        gate = group(*gating)
        out = []
        for t in tensors:
            if isinstance(t, Tensor):
                out.append(with_dependencies([gate], t))
            elif isinstance(t, Operation):
                out.append(gate)
            else:
                out.append(t)
        del scope
        return out
