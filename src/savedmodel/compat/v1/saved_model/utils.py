"""TensorInfo helpers: `build_tensor_info`, `get_tensor_from_tensor_info`."""

from __future__ import annotations

from typing import Any

from savedmodel import protos
from savedmodel.framework import context
from savedmodel.framework.graph import get_default_graph
from savedmodel.framework.tensor_shape import TensorShape
from savedmodel.framework.variables import prepend_name_scope


def build_tensor_info(tensor: Any) -> Any:
    """A TensorInfo naming a graph tensor, with its dtype and static shape."""
    if context.executing_eagerly():
        raise RuntimeError("`build_tensor_info` is not supported in eager execution.")
    return build_tensor_info_internal(tensor)


def build_tensor_info_internal(tensor: Any) -> Any:
    if hasattr(tensor, "indices") and hasattr(tensor, "dense_shape"):
        info = protos.TensorInfo(dtype=tensor.dtype.as_datatype_enum)
        info.tensor_shape.CopyFrom(TensorShape(tensor.shape).to_proto())
        info.coo_sparse.values_tensor_name = tensor.values.name
        info.coo_sparse.indices_tensor_name = tensor.indices.name
        info.coo_sparse.dense_shape_tensor_name = tensor.dense_shape.name
        return info
    shape = tensor.get_shape()
    info = protos.TensorInfo(dtype=tensor.dtype.as_datatype_enum)
    info.tensor_shape.CopyFrom(TensorShape(shape).to_proto())
    info.name = tensor.name
    return info


def build_tensor_info_from_op(op: Any) -> Any:
    if context.executing_eagerly():
        raise RuntimeError("`build_tensor_info_from_op` is not supported in eager execution.")
    info = protos.TensorInfo(dtype=0, name=op.name)
    info.tensor_shape.CopyFrom(TensorShape(None).to_proto())
    return info


def get_tensor_from_tensor_info(tensor_info: Any, graph: Any = None,
                                import_scope: str | None = None) -> Any:  # fmt: skip
    graph = graph or get_default_graph()

    def get(name: str) -> Any:
        return graph.get_tensor_by_name(prepend_name_scope(name, import_scope))

    encoding = tensor_info.WhichOneof("encoding")
    if encoding == "name":
        return get(tensor_info.name)
    if encoding == "coo_sparse":
        raise NotImplementedError("SparseTensor signature inputs/outputs are not supported yet")
    raise ValueError(
        f"Invalid TensorInfo.encoding: {encoding}. Expected `coo_sparse`, `composite_tensor`, or"
        " `name` for a dense tensor."
    )


def get_element_from_tensor_info(tensor_info: Any, graph: Any = None,
                                 import_scope: str | None = None) -> Any:  # fmt: skip
    graph = graph or get_default_graph()
    return graph.as_graph_element(prepend_name_scope(tensor_info.name, import_scope))
