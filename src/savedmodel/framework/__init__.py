"""Graph building: the front-end layer TF1 code and function tracing build graphs with.

    from savedmodel.framework import Graph, array_ops, math_ops
    with Graph().as_default() as g:
        x = array_ops.placeholder("float32", [None, 3], name="x")
        y = x * 2 + 1                      # Mul "mul", AddV2 "add", TF's names

`Graph` / `Operation` / `Tensor` mirror TensorFlow's graph objects; `op_builder.apply_op` adds
any op of the OpDef table; executing eagerly (no graph in scope) ops run at once and return numpy
arrays.
"""

from __future__ import annotations

from typing import Any

# Public names, imported on first use: loading and running a SavedModel imports only the parts
# of this package it needs (tensor shapes, eager values), never the graph builders.
_EXPORTS = {
    "constant": "savedmodel.framework.constant_op",
    "convert_to_tensor": "savedmodel.framework.constant_op",
    "executing_eagerly": "savedmodel.framework.context",
    "Graph": "savedmodel.framework.graph",
    "get_default_graph": "savedmodel.framework.graph",
    "reset_default_graph": "savedmodel.framework.graph",
    "apply_op": "savedmodel.framework.op_builder",
    "Operation": "savedmodel.framework.operation",
    "Tensor": "savedmodel.framework.operation",
    "Dimension": "savedmodel.framework.tensor_shape",
    "TensorShape": "savedmodel.framework.tensor_shape",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'savedmodel.framework' has no attribute {name!r}")
    import importlib

    value = globals()[name] = getattr(importlib.import_module(module), name)
    return value
