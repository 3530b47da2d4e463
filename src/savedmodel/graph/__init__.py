"""Protobuf-free graph IR, the OpDef table and attr decoding.

from savedmodel.graph import Graph
g = Graph.from_graph_def(meta_graph.graph_def)
g.nodes["y"].inputs            # [("x", 0), ("two/read", 0)]
g.library.instantiate("__inference_f_12")   # a FunctionBody
"""

from __future__ import annotations

from savedmodel.graph.attrs import AttrPlaceholder as AttrPlaceholder
from savedmodel.graph.attrs import FuncAttr as FuncAttr
from savedmodel.graph.ir import ARG_OP as ARG_OP
from savedmodel.graph.ir import Edge as Edge
from savedmodel.graph.ir import FunctionBody as FunctionBody
from savedmodel.graph.ir import Graph as Graph
from savedmodel.graph.ir import Library as Library
from savedmodel.graph.ir import Node as Node
from savedmodel.graph.ir import parse_tensor_name as parse_tensor_name
from savedmodel.graph.ir import tensor_name as tensor_name
from savedmodel.graph.op_def_table import OpDef as OpDef
