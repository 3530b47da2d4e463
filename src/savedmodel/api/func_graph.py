"""`FuncGraph`: the graph a `tf.function` is traced into, and how it captures outside values.

A FuncGraph is a framework `Graph` marked `building_function` (so `init_scope` lifts variable
creation out of it). Its inputs are the placeholders made for the traced signature, followed by
one placeholder per *captured* value: an eager resource handle (a variable's, a table's) or an
asset path used by the traced code. Each capture remembers the outside value; calling the
function passes those values after the user inputs (TF's `captured_inputs` / `bound_inputs`).

Captures are made when a value is converted to a tensor inside the graph: the framework's
`convert_to_tensor` calls `capture(value, name)` on a target graph that has one for an eager
resource handle (a 0-d object array holding a `ResourceHandle`), and an `Asset` converts through
a conversion function registered by type.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from savedmodel import dtypes
from savedmodel.api.tracking import Asset
from savedmodel.framework import constant_op, context
from savedmodel.framework.graph import Graph
from savedmodel.framework.op_builder import apply_op
from savedmodel.framework.operation import Tensor
from savedmodel.framework.tensor_shape import TensorShape


class FuncGraph(Graph):
    """A graph being traced for a function; see the module docstring."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.building_function = True
        self.inputs: list[Tensor] = []  # user input placeholders, then capture placeholders
        self.outputs: list[Tensor] = []
        self.structured_input_signature: Any = None
        self.structured_outputs: Any = None
        self._captures: dict[int, tuple[Any, Tensor]] = {}  # id(value) -> (value, placeholder)

    @property
    def captures(self) -> list[tuple[Any, Tensor]]:
        """(outside value, placeholder) pairs in capture order."""
        return list(self._captures.values())

    @property
    def captured_values(self) -> list[Any]:
        return [value for value, _ in self._captures.values()]

    def capture(self, value: Any, name: str | None = None, shape: Any = ()) -> Tensor:
        """The placeholder standing for outside `value` (made on first use).

        `value` is an eager value (a resource handle, an asset path) or a tensor of another
        graph (an enclosing function's, when this graph is a cond branch or a loop body).
        """
        if isinstance(value, Tensor):
            if value.graph is self:
                return value
            dtype, shape, handle_data = value.dtype.base_dtype, value.shape, value._handle_data
        else:
            dtype, handle_data = constant_op.eager_dtype(value), None
        entry = self._captures.get(id(value))
        if entry is not None:
            return entry[1]
        with self.as_default(), self.control_dependencies(None):
            placeholder = apply_op(
                "Placeholder", dtype=dtype, shape=TensorShape(shape), name=name or "capture"
            )
        if dtype == dtypes.resource:
            placeholder._handle_data = handle_data if handle_data else _handle_data(value)
        self._captures[id(value)] = (value, placeholder)
        self.inputs.append(placeholder)
        return placeholder

    def capture_placeholder(self, value: Any) -> Tensor | None:
        """The placeholder already standing for `value`, if it was captured."""
        entry = self._captures.get(id(value))
        return entry[1] if entry is not None else None


def _handle_data(handle: Any) -> Any:
    """(shape, dtype) of the variable an eager handle names (the framework's handle data)."""
    from savedmodel.framework import eager

    if not isinstance(handle, np.ndarray):
        return None
    resource = eager.context().resources.get(handle[()].key)
    dtype = getattr(resource, "dtype", None)
    if dtype is None:
        return None
    return (TensorShape(getattr(resource, "shape", None)), dtypes.as_dtype(dtype))


def current_func_graph() -> FuncGraph | None:
    stack = context.graph_stack()
    if stack and isinstance(stack[-1], FuncGraph):
        return stack[-1]
    return None


def _asset_to_tensor(value: Asset, dtype: Any = None, name: Any = None, as_ref: bool = False):
    graph = current_func_graph()
    if graph is None:
        if context.executing_eagerly():
            return value.asset_path
        return constant_op.constant(value.asset_path.item(), name=name or "asset_path")
    return graph.capture(value.asset_path, name or "asset_path")


constant_op.register_tensor_conversion_function(Asset, _asset_to_tensor)
