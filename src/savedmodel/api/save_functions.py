"""The `_traced_save` / `_traced_restore` functions of a TF2 SavedModel (FORMAT.md §4.4).

TF Serving and the C++/TF1 loaders restore a TF2 SavedModel through its `saver_def`, which calls
these two library functions: `_traced_save(file_prefix, <variable handles...>, object_graph)`
writes every variable under its object-based checkpoint key plus the serialized
TrackableObjectGraph (`SaveV2` to a temporary shard, then `MergeV2Checkpoints`), and
`_traced_restore(file_prefix, <variable handles...>)` reads them all with one `RestoreV2` and
assigns each variable. Both return `file_prefix`.
"""

from __future__ import annotations

from typing import Any

from savedmodel import dtypes
from savedmodel.api import library
from savedmodel.api.func_graph import FuncGraph
from savedmodel.api.graph_to_function import arg_name, to_function_def
from savedmodel.framework.constant_op import constant
from savedmodel.framework.op_builder import apply_op
from savedmodel.framework.operation import Operation, Tensor
from savedmodel.framework.tensor_shape import TensorShape

OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"


def _placeholder(graph: FuncGraph, dtype: Any, name: str, shape: Any = ()) -> Tensor:
    t = apply_op("Placeholder", dtype=dtype, shape=TensorShape(shape), name=name)
    graph.inputs.append(t)
    return t


def _finish(graph: FuncGraph, name: str, result: Tensor, must_run: list[Operation]) -> Any:
    noop = apply_op("NoOp")
    noop._add_control_inputs(must_run)
    out = apply_op("Identity", input=result)
    out.op._add_control_input(noop)
    user_names = [t.op.name for t in graph.inputs]
    return to_function_def(graph, name, graph.inputs, [out], user_names, must_run)


def traced_save(keys: list[str], variables: list[Any]) -> Any:
    """FunctionDef `__inference__traced_save_<uid>`."""
    name = f"__inference__traced_save_{library.uid()}"
    graph = FuncGraph(name)
    with graph.as_default():
        prefix = _placeholder(graph, dtypes.string, "file_prefix")
        handles = [
            _placeholder(graph, dtypes.resource, f"read_disablecopyonread_{arg_name(v.name)}")
            for v in variables
        ]
        object_graph = _placeholder(graph, dtypes.string, "savev2_const")
        is_s3 = apply_op("StaticRegexFullMatch", input=prefix, pattern="^s3://.*")
        part = apply_op("Select", condition=is_s3, t=constant(".part"), e=constant("_temp/part"))
        temp = apply_op("StringJoin", inputs=[prefix, part])
        shard = apply_op(
            "ShardedFilename", basename=temp, shard=constant(0, name="ShardedFilename/shard"),
            num_shards=constant(1, name="num_shards"),
        )  # fmt: skip
        must_run: list[Operation] = []
        values = []
        for handle, var in zip(handles, variables, strict=True):
            with graph.name_scope("Read"):
                disable = apply_op("DisableCopyOnRead", resource=handle)
                read = apply_op("ReadVariableOp", resource=handle, dtype=var.dtype.base_dtype)
                read.op._add_control_input(disable)
            must_run += [disable, read.op]
            values.append(apply_op("Identity", input=apply_op("Identity", input=read)))
        names = constant(keys + [OBJECT_GRAPH_KEY], name="SaveV2/tensor_names")
        slices = constant([""] * (len(keys) + 1), name="SaveV2/shape_and_slices")
        save = apply_op(
            "SaveV2", prefix=shard, tensor_names=names, shape_and_slices=slices,
            tensors=values + [object_graph],
        )  # fmt: skip
        prefixes = apply_op("Pack", values=[shard], name="MergeV2Checkpoints/checkpoint_prefixes")
        prefixes.op._add_control_input(save)
        merge = apply_op("MergeV2Checkpoints", checkpoint_prefixes=prefixes,
                         destination_prefix=prefix)  # fmt: skip
        done = apply_op("Identity", input=prefix)
        done.op._add_control_input(merge)
        must_run += [save, merge]
        return _finish(graph, name, done, must_run)


def traced_restore(keys: list[str], variables: list[Any]) -> Any:
    """FunctionDef `__inference__traced_restore_<uid>`."""
    name = f"__inference__traced_restore_{library.uid()}"
    graph = FuncGraph(name)
    with graph.as_default():
        prefix = _placeholder(graph, dtypes.string, "file_prefix")
        handles = [
            _placeholder(graph, dtypes.resource, f"assignvariableop_{arg_name(v.name)}")
            for v in variables
        ]
        names = constant(keys + [OBJECT_GRAPH_KEY], name="RestoreV2/tensor_names")
        slices = constant([""] * (len(keys) + 1), name="RestoreV2/shape_and_slices")
        restored = apply_op(
            "RestoreV2", prefix=prefix, tensor_names=names, shape_and_slices=slices,
            dtypes=[v.dtype.base_dtype for v in variables] + [dtypes.string],
        )  # fmt: skip
        tensors = restored if isinstance(restored, list) else [restored]
        assigns: list[Operation] = []
        for handle, tensor in zip(handles, tensors, strict=False):
            value = apply_op("Identity", input=tensor)
            assigns.append(apply_op("AssignVariableOp", resource=handle, value=value))
        done = apply_op("Identity", input=prefix)
        done.op._add_control_inputs(assigns)
        return _finish(graph, name, done, assigns)
