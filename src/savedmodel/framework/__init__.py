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

from savedmodel.framework import tensor_operators as _tensor_operators  # noqa: F401
from savedmodel.framework.constant_op import constant as constant
from savedmodel.framework.constant_op import convert_to_tensor as convert_to_tensor
from savedmodel.framework.context import executing_eagerly as executing_eagerly
from savedmodel.framework.graph import Graph as Graph
from savedmodel.framework.graph import get_default_graph as get_default_graph
from savedmodel.framework.graph import reset_default_graph as reset_default_graph
from savedmodel.framework.op_builder import apply_op as apply_op
from savedmodel.framework.operation import Operation as Operation
from savedmodel.framework.operation import Tensor as Tensor
from savedmodel.framework.tensor_shape import Dimension as Dimension
from savedmodel.framework.tensor_shape import TensorShape as TensorShape
