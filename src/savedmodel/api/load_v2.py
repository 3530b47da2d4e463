"""Rebuilding a TF2 SavedModel's object graph as live objects (TF's `tf.saved_model.load`).

Steps, following FORMAT.md §4:

1. import the function library under fresh unique names (`savedmodel.api.library`);
2. read the object-based checkpoint: walk the checkpoint's TrackableObjectGraph from the root,
   matching children by local name to SavedObjectGraph nodes, and read each variable's
   `VARIABLE_VALUE` tensor by its recorded checkpoint key;
3. create one object per SavedObjectGraph node: user objects (list/dict/tuple wrappers become
   Python containers), eager variables holding their restored values, assets (paths inside
   `assets/`), constants (the graph's Const values), resources, and functions (concrete
   functions with their captured objects from `bound_inputs`, polymorphic functions);
4. set every node's children as attributes (items for containers), in the saved order;
5. create and initialize resources (`_create_resource`, then `_initialize`).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from savedmodel import protos, tensors
from savedmodel.api import library as library_lib
from savedmodel.api import restored
from savedmodel.api.concrete_function import ConcreteFunction
from savedmodel.api.function_spec import FunctionSpec
from savedmodel.api.tracking import DICT_WRAPPER, LIST_WRAPPER, TUPLE_WRAPPER, Asset
from savedmodel.checkpoint import BundleReader
from savedmodel.errors import DataLossError, InvalidArgumentError, UnimplementedError
from savedmodel.formats import nested_structure
from savedmodel.formats import saved_model_dir as smdir
from savedmodel.framework.resource_variables import ResourceVariable
from savedmodel.framework.tensor_shape import TensorShape

OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"
VARIABLE_VALUE = "VARIABLE_VALUE"
_CONTAINERS = (LIST_WRAPPER, DICT_WRAPPER, TUPLE_WRAPPER)


def _checkpoint_values(model: smdir.SavedModelDir, object_graph: Any) -> dict[int, np.ndarray]:
    """{SavedObjectGraph node id: restored VARIABLE_VALUE} from the object-based checkpoint."""
    if not model.has_checkpoint:
        return {}
    with BundleReader(model.variables_prefix) as reader:
        if OBJECT_GRAPH_KEY not in reader:
            raise DataLossError(
                f"{model.variables_prefix}: checkpoint has no {OBJECT_GRAPH_KEY} entry"
            )
        ckpt = protos.TrackableObjectGraph()
        try:
            ckpt.ParseFromString(reader.get_tensor(OBJECT_GRAPH_KEY).item())
        except Exception as e:  # noqa: BLE001 - any parse failure is data loss
            raise DataLossError(f"{model.variables_prefix}: bad {OBJECT_GRAPH_KEY}: {e}") from e
        saved_nodes = object_graph.nodes
        matched = {0: 0} if ckpt.nodes else {}
        queue = [0] if ckpt.nodes else []
        while queue:
            ckpt_id = queue.pop(0)
            saved_id = matched[ckpt_id]
            saved_children = {c.local_name: c.node_id for c in saved_nodes[saved_id].children}
            for child in ckpt.nodes[ckpt_id].children:
                target = saved_children.get(child.local_name)
                if target is None or child.node_id in matched:
                    continue
                if not 0 <= child.node_id < len(ckpt.nodes):
                    raise DataLossError(f"{OBJECT_GRAPH_KEY}: bad node id {child.node_id}")
                matched[child.node_id] = target
                queue.append(child.node_id)
        out: dict[int, np.ndarray] = {}
        for ckpt_id, saved_id in matched.items():
            for attribute in ckpt.nodes[ckpt_id].attributes:
                if attribute.name == VARIABLE_VALUE and attribute.checkpoint_key in reader:
                    out[saved_id] = reader.get_tensor(attribute.checkpoint_key)
        return out


class _Loader:
    def __init__(self, model: smdir.SavedModelDir, meta_graph: Any) -> None:
        self.model = model
        self.meta_graph = meta_graph
        self.graph = meta_graph.object_graph_def
        self.nodes = list(self.graph.nodes)
        if not self.nodes:
            raise InvalidArgumentError(f"{model.path}: the SavedObjectGraph has no nodes")
        for node_id, node in enumerate(self.nodes):
            for ref in node.children:
                if not 0 <= ref.node_id < len(self.nodes):
                    raise DataLossError(
                        f"{model.path}: SavedObjectGraph node {node_id} child"
                        f" {ref.local_name!r} refers to node {ref.node_id}, which does not exist"
                    )
        fdefs, self.renamed = library_lib.import_library(meta_graph.graph_def.library.function)
        self.fdefs = fdefs
        self.objects: list[Any] = [None] * len(self.nodes)
        self.concrete: dict[str, ConcreteFunction] = {}
        self.asset_files = smdir.asset_file_defs(meta_graph)
        self.values = _checkpoint_values(model, self.graph)

    # -- objects -----------------------------------------------------------------------------------

    def check_ops(self) -> None:
        """Report every unsupported op of the saved functions at once, before any call."""
        from savedmodel.executor import check_nodes
        from savedmodel.graph import Graph, Library, Node

        names = [self.renamed[n] for n in self.graph.concrete_functions if n in self.renamed]
        graph = Graph(
            [Node(f"call_{i}", name) for i, name in enumerate(names)],
            Library(self.fdefs.values()),
        )
        check_nodes(graph, graph.nodes.values())

    def load(self) -> Any:
        self.check_ops()
        kinds = [n.WhichOneof("kind") for n in self.nodes]
        for node_id, kind in enumerate(kinds):
            if kind not in ("function", "bare_concrete_function"):
                self.objects[node_id] = self._create(node_id, kind)
        for node_id, kind in enumerate(kinds):
            if kind == "bare_concrete_function":
                self.objects[node_id] = self._bare(self.nodes[node_id].bare_concrete_function)
        for node_id, kind in enumerate(kinds):
            if kind == "function":
                self.objects[node_id] = self._function(node_id)
        for node_id in range(len(self.nodes)):
            self._attach_children(node_id)
        for node_id, kind in enumerate(kinds):
            if kind == "user_object" and self.nodes[node_id].user_object.identifier in _CONTAINERS:
                self._fill_container(node_id)
        for obj in self.objects:
            if isinstance(obj, restored.RestoredResource):
                obj.resource_handle  # noqa: B018 - creates the resource
        for obj in self.objects:
            if isinstance(obj, restored.RestoredResource):
                obj._initialize_resource()
        root = self.objects[0]
        info = self.meta_graph.meta_info_def
        if isinstance(root, restored.UserObject):
            if not isinstance(getattr(root, "signatures", None), restored.SignatureMap):
                root.signatures = restored.SignatureMap()
            root.tensorflow_version = info.tensorflow_version
            root.tensorflow_git_version = info.tensorflow_git_version
        return root

    def _create(self, node_id: int, kind: str | None) -> Any:
        node = self.nodes[node_id]
        if kind == "user_object":
            identifier = node.user_object.identifier
            if identifier == "signature_map":
                return restored.SignatureMap()
            if identifier == LIST_WRAPPER or identifier == TUPLE_WRAPPER:
                return []
            if identifier == DICT_WRAPPER:
                return {}
            return restored.UserObject(identifier)
        if kind == "variable":
            return self._variable(node_id, node.variable)
        if kind == "asset":
            index = node.asset.asset_file_def_index
            if not 0 <= index < len(self.asset_files):
                raise InvalidArgumentError(f"node {node_id}: bad asset_file_def_index {index}")
            filename = self.asset_files[index].filename
            return Asset(os.path.join(self.model.assets_dir, filename))
        if kind == "constant":
            return self._constant(node_id, node.constant.operation)
        if kind == "resource":
            return restored.RestoredResource(node.registered_name, node.resource.device)
        raise UnimplementedError(f"node {node_id}: SavedObject kind {kind!r} is not supported")

    def _variable(self, node_id: int, proto: Any) -> ResourceVariable:
        shape = TensorShape(nested_structure.TensorShape.from_proto(proto.shape).dims)
        value = self.values.get(node_id)
        if value is None:
            if not shape.is_fully_defined():
                raise DataLossError(f"variable node {node_id} ({proto.name!r}) has no value")
            from savedmodel import dtypes

            value = np.zeros(shape.as_list(), dtypes.DType(proto.dtype).as_numpy_dtype)
        return ResourceVariable.restored(
            value, proto.name or None, proto.dtype, shape, trainable=proto.trainable,
            synchronization=proto.synchronization, aggregation=proto.aggregation,
        )  # fmt: skip

    def _constant(self, node_id: int, operation: str) -> np.ndarray:
        for node in self.meta_graph.graph_def.node:
            if node.name == operation and node.op == "Const":
                return tensors.make_ndarray(node.attr["value"].tensor)
        raise InvalidArgumentError(f"node {node_id}: constant {operation!r} not in the graph")

    # -- functions ---------------------------------------------------------------------------------

    def _concrete_function(self, name: str) -> ConcreteFunction:
        function = self.concrete.get(name)
        if function is not None:
            return function
        saved = self.graph.concrete_functions.get(name)
        new_name = self.renamed.get(name)
        if saved is None or new_name is None:
            raise InvalidArgumentError(f"concrete function {name!r} is not in the SavedModel")
        inputs = nested_structure.decode(saved.canonicalized_input_signature)
        outputs = nested_structure.decode(saved.output_signature)
        if not (isinstance(inputs, tuple) and len(inputs) == 2):
            raise InvalidArgumentError(f"{name}: canonicalized_input_signature is not (args, kw)")
        captures = []
        for ref in saved.bound_inputs:
            if not 0 <= ref < len(self.nodes):
                raise InvalidArgumentError(f"{name}: bound input {ref} is not a node")
            captures.append(_LazyCapture(self.objects, ref))
        function = ConcreteFunction(
            new_name, library_lib.closure(new_name, self.fdefs), inputs, outputs, captures
        )
        self.concrete[name] = function
        return function

    def _bare(self, proto: Any) -> ConcreteFunction:
        function = self._concrete_function(proto.concrete_function_name)
        function._arg_keywords = list(proto.argument_keywords)
        function._num_positional = proto.allowed_positional_arguments
        if proto.HasField("function_spec"):
            function._function_spec = FunctionSpec.from_proto(proto.function_spec)
        return function

    def _function(self, node_id: int) -> restored.RestoredFunction:
        proto = self.nodes[node_id].function
        spec = FunctionSpec.from_proto(proto.function_spec)
        functions = [self._concrete_function(n) for n in proto.concrete_functions]
        for f in functions:
            if f._function_spec is None:
                f._function_spec = spec
        name = _function_name(self.graph, node_id, proto)
        return restored.RestoredFunction(name, spec, functions)

    # -- structure ---------------------------------------------------------------------------------

    def _attach_children(self, node_id: int) -> None:
        obj = self.objects[node_id]
        if isinstance(obj, (list, dict)):
            return
        for ref in self.nodes[node_id].children:
            child = self.objects[ref.node_id]
            if isinstance(obj, restored.SignatureMap):
                obj._add(ref.local_name, child)
            else:
                if ref.local_name == "__call__" and not callable(obj):
                    # NOTE: Python looks `__call__` up on the type: like TF, give this object
                    # its own subclass whose __call__ forwards to the restored attribute.
                    obj.__class__ = type(type(obj).__name__, (type(obj),), {"__call__": _call})
                try:
                    setattr(obj, ref.local_name, child)
                except (AttributeError, TypeError):
                    pass  # e.g. a read-only property of a restored variable

    def _fill_container(self, node_id: int) -> None:
        obj = self.objects[node_id]
        refs = self.nodes[node_id].children
        if isinstance(obj, dict):
            for ref in refs:
                obj[ref.local_name] = self.objects[ref.node_id]
            return
        items = sorted((int(r.local_name), r.node_id) for r in refs if r.local_name.isdigit())
        obj.extend(self.objects[i] for _, i in items)


def _function_name(graph: Any, node_id: int, proto: Any) -> str:
    for node in graph.nodes:
        for ref in node.children:
            if ref.node_id == node_id:
                return ref.local_name
    names = list(proto.concrete_functions)
    return library_lib.clean_name(names[0]) if names else "function"


def _call(self: Any, *args: Any, **kwargs: Any) -> Any:
    return self.__dict__["__call__"](*args, **kwargs)


class _LazyCapture:
    """A captured input resolved when the function runs (objects are built in several passes)."""

    __slots__ = ("_objects", "_index")

    def __init__(self, objects: list[Any], index: int) -> None:
        self._objects = objects
        self._index = index

    @property
    def target(self) -> Any:
        return self._objects[self._index]

    def _capture_value(self) -> Any:
        from savedmodel.api.concrete_function import capture_value

        return capture_value(self._objects[self._index])


def load_object_graph(model: smdir.SavedModelDir, meta_graph: Any) -> Any:
    """The root object of a TF2 SavedModel, with everything reachable from it."""
    return _Loader(model, meta_graph).load()
