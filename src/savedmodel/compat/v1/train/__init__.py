"""`tf.compat.v1.train`: Saver, checkpoint state, MetaGraph import/export, global step."""

from __future__ import annotations

from typing import Any

from savedmodel import protos
from savedmodel.compat.v1.train.checkpoint_management import (
    checkpoint_exists as checkpoint_exists,
)
from savedmodel.compat.v1.train.checkpoint_management import (
    export_meta_graph as export_meta_graph,
)
from savedmodel.compat.v1.train.checkpoint_management import (
    get_checkpoint_state as get_checkpoint_state,
)
from savedmodel.compat.v1.train.checkpoint_management import (
    import_meta_graph as import_meta_graph,
)
from savedmodel.compat.v1.train.checkpoint_management import (
    latest_checkpoint as latest_checkpoint,
)
from savedmodel.compat.v1.train.checkpoint_management import (
    update_checkpoint_state as update_checkpoint_state,
)
from savedmodel.compat.v1.train.saver import Saver as Saver
from savedmodel.framework.meta_graph import write_graph as _write_graph
from savedmodel.train import CheckpointReader as CheckpointReader
from savedmodel.train import list_variables as list_variables
from savedmodel.train import load_checkpoint as load_checkpoint
from savedmodel.train import load_variable as load_variable

SaverDef = protos.SaverDef
NewCheckpointReader = load_checkpoint


def write_graph(graph_or_graph_def: Any, logdir: str, name: str, as_text: bool = True) -> str:
    import os

    proto = graph_or_graph_def
    if hasattr(proto, "as_graph_def"):
        proto = proto.as_graph_def()
    return _write_graph(proto, os.path.join(logdir, name), as_text=as_text)


def get_global_step(graph: Any = None) -> Any:
    from savedmodel.framework.graph import get_default_graph
    from savedmodel.framework.variables import GraphKeys

    graph = graph or get_default_graph()
    steps = graph.get_collection(GraphKeys.GLOBAL_STEP)
    if len(steps) == 1:
        return steps[0]
    if len(steps) > 1:
        raise TypeError("Multiple tensors in global_step collection.")
    try:
        return graph.get_tensor_by_name("global_step:0")
    except (KeyError, ValueError):
        return None


def create_global_step(graph: Any = None) -> Any:
    from savedmodel import dtypes
    from savedmodel.framework.graph import get_default_graph
    from savedmodel.framework.variables import GraphKeys, make_v1_variable

    graph = graph or get_default_graph()
    if get_global_step(graph) is not None:
        raise ValueError('"global_step" already exists.')
    with graph.as_default():
        return make_v1_variable(
            0, dtype=dtypes.int64, name="global_step", trainable=False,
            collections=[GraphKeys.GLOBAL_VARIABLES, GraphKeys.GLOBAL_STEP],
        )  # fmt: skip


def get_or_create_global_step(graph: Any = None) -> Any:
    step = get_global_step(graph)
    return step if step is not None else create_global_step(graph)
