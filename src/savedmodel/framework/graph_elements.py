"""Resolving names and objects to a graph's Tensors and Operations (`Graph.as_graph_element`).

"y:0" is a tensor, "y" an operation; objects with `_as_graph_element()` (variables) stand for
what that returns. Errors and their messages are TensorFlow's.
"""

from __future__ import annotations

from typing import Any

from savedmodel.framework.operation import Operation, Tensor


def as_graph_element(
    graph: Any, obj: Any, allow_tensor: bool = True, allow_operation: bool = True
) -> Any:
    """The Tensor or Operation `obj` names or is, in this graph (TF's rules and errors)."""
    if allow_tensor and allow_operation:
        types_str = "Tensor or Operation"
    elif allow_tensor:
        types_str = "Tensor"
    else:
        types_str = "Operation"
    graph_element = getattr(obj, "_as_graph_element", None)
    if graph_element is not None:
        obj = graph_element()
    if isinstance(obj, str):
        name = obj
        if ":" in name and allow_tensor:
            op_name, _, out_s = name.rpartition(":")
            try:
                out_n = int(out_s)
            except ValueError:
                raise ValueError(
                    f"The name {name!r} looks a like a Tensor name, but is not a valid one."
                    ' Tensor names must be of the form "<op_name>:<output_index>".'
                ) from None
            op = graph._by_name.get(op_name)
            if op is None:
                raise KeyError(
                    f"The name {name!r} refers to a Tensor which does not exist. The"
                    f" operation, {op_name!r}, does not exist in the graph."
                )
            if out_n >= len(op._outputs):
                raise KeyError(
                    f"The name {name!r} refers to a Tensor which does not exist. The"
                    f" operation, {op_name!r}, exists but only has {len(op._outputs)}"
                    " outputs."
                )
            return op._outputs[out_n]
        if ":" in name and not allow_tensor:
            raise ValueError(f"Name {name!r} appears to refer to a Tensor, not a {types_str}.")
        if ":" not in name and allow_operation:
            op = graph._by_name.get(name)
            if op is None:
                raise KeyError(f"The name {name!r} refers to an Operation not in the graph.")
            return op
        if name in graph._by_name:
            raise ValueError(
                f"The name {name!r} refers to an Operation, not a {types_str}. Tensor names"
                ' must be of the form "<op_name>:<output_index>".'
            )
        raise ValueError(
            f"The name {name!r} looks like an (invalid) Operation name, not a {types_str}."
            ' Tensor names must be of the form "<op_name>:<output_index>".'
        )
    if isinstance(obj, Tensor) and allow_tensor:
        if obj.graph is not graph:
            raise ValueError(f"Tensor {obj} is not an element of this graph.")
        return obj
    if isinstance(obj, Operation) and allow_operation:
        if obj.graph is not graph:
            raise ValueError(f"Operation {obj} is not an element of this graph.")
        return obj
    raise TypeError(f"Can not convert a {type(obj).__name__} into a {types_str}.")
