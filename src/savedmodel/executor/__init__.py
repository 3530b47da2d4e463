"""The executor: compile (graph or function, feeds, fetches) into cached plans and run them.

    from savedmodel.executor import Session
    sess = Session(graph)                 # graph: savedmodel.graph.Graph
    sess.run(["y:0"], {"x:0": x})

Kernel families load on first use (`savedmodel.ops.registry.lookup`).
"""

from __future__ import annotations

from savedmodel.executor.plan import Plan as Plan
from savedmodel.executor.plan import detach as detach
from savedmodel.executor.session import FunctionCaller as FunctionCaller
from savedmodel.executor.session import Session as Session
from savedmodel.executor.support import check_graph as check_graph
from savedmodel.executor.support import check_nodes as check_nodes
from savedmodel.executor.support import find_unsupported as find_unsupported
