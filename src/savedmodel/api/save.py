"""`tf.saved_model.save(obj, export_dir, signatures=None, options=None)` (FORMAT.md §4).

1. trace the signature wrappers (`signatures`, else the root's only tf.function with an input
   signature) and walk the object graph from `obj`, with the wrappers as its `signatures` child;
2. build the MetaGraph's graph with the framework: a `VarHandleOp` per variable, a path
   placeholder + string variable per asset, a `Const` per captured constant, per signature its
   input placeholders and a call of the wrapper (inputs, then the captured handles), the init
   `NoOp`, the serialized object graph and the `_traced_save` / `_traced_restore` calls of the
   `saver_def`; its library holds every function;
3. write `saved_model.pb`, the object-based checkpoint (variables under their object-path keys
   plus `_CHECKPOINTABLE_OBJECT_GRAPH`), `assets/` and `fingerprint.pb`, atomically.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from savedmodel import dtypes, protos
from savedmodel.api import signatures as signature_lib
from savedmodel.api.concrete_function import ConcreteFunction
from savedmodel.api.object_graph import ObjectGraph, children_of
from savedmodel.api.restored import SignatureMap
from savedmodel.api.save_functions import OBJECT_GRAPH_KEY, traced_restore, traced_save
from savedmodel.api.saved_object_graph import SavedObjects
from savedmodel.api.tracking import Asset
from savedmodel.checkpoint import BundleWriter
from savedmodel.errors import InvalidArgumentError
from savedmodel.formats import saved_model_writer as writer
from savedmodel.framework import versions
from savedmodel.framework.constant_op import constant
from savedmodel.framework.graph import Graph
from savedmodel.framework.meta_graph import stripped_op_list_for_graph
from savedmodel.framework.op_builder import apply_op
from savedmodel.framework.operation import Tensor
from savedmodel.framework.tensor_shape import TensorShape

INIT_OP_KEY = "__saved_model_init_op"
MAIN_OP_KEY = "saved_model_main_op"
PREDICT_METHOD = "tensorflow/serving/predict"
TF_VERSION = "2.21.0"  # the TensorFlow release whose format these files follow


class SaveOptions:
    """`tf.saved_model.SaveOptions`: accepted for compatibility; no option changes the files."""

    def __init__(self, namespace_whitelist: Any = None, save_debug_info: bool = False,
                 function_aliases: Any = None, experimental_io_device: Any = None,
                 experimental_variable_policy: Any = None, **kwargs: Any) -> None:  # fmt: skip
        self.namespace_whitelist = namespace_whitelist
        self.save_debug_info = save_debug_info
        self.function_aliases = function_aliases or {}
        self.experimental_io_device = experimental_io_device
        self.experimental_variable_policy = experimental_variable_policy
        self.extra = kwargs


def _asset_files(graph: ObjectGraph) -> tuple[dict[int, int], list[tuple[str, str]]]:
    """{asset node id: asset_file_def index}, [(filename in assets/, source path)]."""
    index: dict[int, int] = {}
    files: list[tuple[str, str]] = []
    names: dict[str, str] = {}
    for i, obj in enumerate(graph.nodes):
        if not isinstance(obj, Asset):
            continue
        source = os.path.abspath(obj.asset_path.item().decode("utf-8"))
        if not os.path.isfile(source):
            raise InvalidArgumentError(f"asset file {source!r} does not exist")
        base = Path(source).name
        name, n = base, 0
        while name in names and names[name] != source:
            n += 1
            name = f"{Path(base).stem}_{n}{Path(base).suffix}"
        names[name] = source
        index[i] = len(files)
        files.append((name, source))
    return index, files


class _MetaGraphBuilder:
    def __init__(self, graph: ObjectGraph, saved: SavedObjects) -> None:
        self.graph = graph
        self.saved = saved
        self.g = Graph()
        self.capture_tensor: dict[int, Tensor] = {}  # node id -> tensor fed for the capture
        self.init_deps: list[Any] = []
        self.const_names: dict[int, str] = {}

    def _unique(self, name: str) -> str:
        return self.g.unique_name(name, mark_as_used=False)

    def variables(self) -> list[tuple[int, Any]]:
        out = []
        for i, var in self.graph.variables():
            name = self._unique(var.name[:-2] if var.name.endswith(":0") else var.name)
            handle = apply_op(
                "VarHandleOp", dtype=var.dtype.base_dtype, shape=TensorShape(var.shape.dims),
                shared_name=name, debug_name=name + "/", container="", name=name,
            )  # fmt: skip
            apply_op("ReadVariableOp", resource=handle, dtype=var.dtype.base_dtype,
                     name=f"{handle.op.name}/Read/ReadVariableOp")  # fmt: skip
            self.capture_tensor[i] = handle
            out.append((i, handle))
        return out

    def assets(self, asset_index: dict[int, int], files: list[tuple[str, str]]) -> list[Any]:
        defs = []
        for node_id, index in sorted(asset_index.items(), key=lambda kv: kv[1]):
            init = apply_op("Placeholder", dtype=dtypes.string, shape=TensorShape([]),
                            name="asset_path_initializer")  # fmt: skip
            name = self._unique("Variable")
            var = apply_op(
                "VarHandleOp",
                dtype=dtypes.string,
                shape=TensorShape([]),
                shared_name=name,
                debug_name=name + "/",
                container="",
                name=name,
            )
            assign = apply_op("AssignVariableOp", resource=var, value=init,
                              name=f"{name}/Assign")  # fmt: skip
            read = apply_op("ReadVariableOp", resource=var, dtype=dtypes.string)
            read.op._add_control_input(assign)
            self.capture_tensor[node_id] = read
            self.init_deps.append(assign)
            afd = protos.AssetFileDef(filename=files[index][0])
            afd.tensor_info.name = init.name
            defs.append(afd)
        return defs

    def constants(self) -> None:
        for node_id, value in self.saved.constants:
            t = constant(value, name="Const")
            self.capture_tensor[node_id] = t
            self.const_names[node_id] = t.op.name

    def signature(self, key: str, wrapper: ConcreteFunction) -> Any:
        sig = protos.SignatureDef(method_name=PREDICT_METHOD)
        _, specs = wrapper.structured_input_signature
        args = []
        for name in sorted(specs):
            spec = specs[name]
            ph = apply_op("Placeholder", dtype=spec.dtype, shape=TensorShape(spec.shape.dims),
                          name=f"{key}_{name}")  # fmt: skip
            args.append(ph)
            _tensor_info(sig.inputs[name], ph.name, spec)
        for value in wrapper.captured_inputs:
            args.append(self.capture_tensor[self.saved.captured_node(value, wrapper)])
        outputs = self._call(wrapper, args)
        out_specs = wrapper.structured_outputs
        for i, name in enumerate(sorted(out_specs)):
            _tensor_info(sig.outputs[name], outputs[i].name, out_specs[name])
        return sig

    def add_functions(self, function: ConcreteFunction) -> None:
        for name, fdef in function.function_defs.items():
            if not self.g._is_function(name):
                self.g._add_function(fdef)

    def _call(self, function: ConcreteFunction, args: list[Tensor]) -> list[Tensor]:
        self.add_functions(function)
        fsig = function.function_def.signature
        op_type = "StatefulPartitionedCall" if fsig.is_stateful else "PartitionedCall"
        out = apply_op(op_type, args=args, Tout=[a.type for a in fsig.output_arg],
                       f=function.name)  # fmt: skip
        return [] if not isinstance(out, list) else out

    def saver(self, variables: list[tuple[int, Any]], object_graph: bytes) -> Any:
        keys = [self.graph.checkpoint_key(i) for i, _ in variables]
        objs = [self.graph.nodes[i] for i, _ in variables]
        handles = [h for _, h in variables]
        with self.g.device("/device:CPU:0"):
            graph_const = constant(object_graph, name="Const")
        filename = apply_op("Placeholder", dtype=dtypes.string, shape=TensorShape([]),
                            name="saver_filename")  # fmt: skip
        save_fdef = traced_save(keys, objs)
        restore_fdef = traced_restore(keys, objs)
        for fdef in (save_fdef, restore_fdef):
            self.g._add_function(fdef)
        save = apply_op("StatefulPartitionedCall", args=[filename, *handles, graph_const],
                        Tout=[dtypes.string], f=save_fdef.signature.name)  # fmt: skip
        restore = apply_op("StatefulPartitionedCall", args=[filename, *handles],
                           Tout=[dtypes.string], f=restore_fdef.signature.name)  # fmt: skip
        return protos.SaverDef(
            filename_tensor_name=filename.name, save_tensor_name=save[0].name,
            restore_op_name=restore[0].op.name, version=protos.SaverDef.V2,
        )  # fmt: skip


def _tensor_info(info: Any, name: str, spec: Any) -> None:
    info.name = name
    info.dtype = spec.dtype.as_datatype_enum
    spec.shape.to_proto(info.tensor_shape)


def save(obj: Any, export_dir: str | os.PathLike[str], signatures: Any = None,
         options: Any = None) -> None:  # fmt: skip
    """Write `obj` and everything reachable from it as a TF2 SavedModel at `export_dir`."""
    functions = signature_lib.canonicalize(signatures)
    if signatures is None:
        default = signature_lib.find_default(dict(children_of(obj)))
        if default is not None:
            functions = {signature_lib.DEFAULT_SIGNATURE_KEY: default}
    wrappers = {key: signature_lib.wrap(fn, key) for key, fn in sorted(functions.items())}
    graph = ObjectGraph(obj, {"signatures": SignatureMap(wrappers)})
    asset_index, files = _asset_files(graph)
    saved = SavedObjects(graph, asset_index)
    for function in saved.concrete_functions():
        for value in function.captured_inputs:
            saved.captured_node(value, function)

    mg = protos.MetaGraphDef()
    builder = _MetaGraphBuilder(graph, saved)
    with builder.g.as_default():
        variables = builder.variables()
        mg.asset_file_def.extend(builder.assets(asset_index, files))
        builder.constants()
        for function in saved.concrete_functions():
            builder.add_functions(function)
        for key, wrapper in wrappers.items():
            mg.signature_def[key].CopyFrom(builder.signature(key, wrapper))
        init = apply_op("NoOp")
        init._add_control_inputs(builder.init_deps)
        checkpoint_graph = graph.trackable_object_graph()
        mg.saver_def.CopyFrom(builder.saver(variables, checkpoint_graph.SerializeToString()))
    init_info = mg.signature_def[INIT_OP_KEY].outputs[INIT_OP_KEY]
    init_info.name = init.name
    init_info.tensor_shape.unknown_rank = True
    mg.collection_def[MAIN_OP_KEY].node_list.value.append(init.name)
    mg.graph_def.CopyFrom(builder.g.as_graph_def(add_shapes=True))
    mg.graph_def.versions.producer = versions.GRAPH_DEF_VERSION
    mg.graph_def.versions.min_consumer = 12
    mg.object_graph_def.CopyFrom(saved.build(lambda node_id: builder.const_names[node_id]))
    info = mg.meta_info_def
    info.tags.append("serve")
    info.tensorflow_version = TF_VERSION
    info.tensorflow_git_version = "savedmodel"
    info.stripped_op_list.CopyFrom(stripped_op_list_for_graph(mg.graph_def))
    saved_model = protos.SavedModel(saved_model_schema_version=1)
    saved_model.meta_graphs.append(mg)

    def write_checkpoint(prefix: str) -> None:
        with BundleWriter(prefix) as bundle:
            for i, _ in variables:
                var = graph.nodes[i]
                bundle.add(graph.checkpoint_key(i), var.numpy(), var.dtype.base_dtype)
            bundle.add(OBJECT_GRAPH_KEY, checkpoint_graph.SerializeToString(), dtypes.string)

    writer.write_saved_model(
        export_dir, saved_model, variables=write_checkpoint,
        assets={name: source for name, source in files}, fingerprint=True, overwrite=True,
    )  # fmt: skip
