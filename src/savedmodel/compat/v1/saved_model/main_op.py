"""`tf.compat.v1.saved_model.main_op`: the usual init op of a TF1 SavedModel."""

from __future__ import annotations

from typing import Any

from savedmodel.framework import control_flow_ops
from savedmodel.framework.graph import get_default_graph
from savedmodel.framework.variables import (
    GraphKeys,
    global_variables_initializer,
    local_variables_initializer,
)


def tables_initializer(name: str = "init_all_tables") -> Any:
    initializers = get_default_graph().get_collection(GraphKeys.TABLE_INITIALIZERS)
    if initializers:
        return control_flow_ops.group(*initializers, name=name)
    return control_flow_ops.no_op(name=name)


def main_op() -> Any:
    init = global_variables_initializer()
    init_local = local_variables_initializer()
    init_tables = tables_initializer()
    return control_flow_ops.group(init, init_local, init_tables)


def main_op_with_restore(restore_op_name: Any) -> Any:
    with get_default_graph().control_dependencies([main_op()]):
        return control_flow_ops.group(restore_op_name)
