"""The `SavedObjectGraph` proto of a save: one SavedObject per node (FORMAT.md §4.2-4.3).

* user objects (modules, restored objects, list/dict/tuple wrappers, the signature map) are
  `user_object`s with TF's identifier and version 1/1;
* variables are `variable`s (dtype, shape, trainable, synchronization, aggregation, name);
* assets are `asset`s indexing the MetaGraph's asset_file_def;
* polymorphic functions are `function`s (their traces, FunctionSpec with the input signature);
  concrete functions are `bare_concrete_function`s (keywords, positional count, FunctionSpec);
* values captured by functions that are no object of the graph (constants of restored
  functions) become `constant` nodes appended at the end, pointing at a Const of the graph;
* `concrete_functions` maps each function name to its `bound_inputs` (node ids of the captured
  objects) and its encoded input and output structures.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from savedmodel import protos
from savedmodel.api.concrete_function import ConcreteFunction
from savedmodel.api.function_spec import FunctionSpec
from savedmodel.api.object_graph import ObjectGraph, _bare_name
from savedmodel.api.restored import RestoredResource
from savedmodel.api.tracking import Asset, Trackable
from savedmodel.errors import InvalidArgumentError
from savedmodel.formats import nested_structure
from savedmodel.framework.variables import Variable
from savedmodel.ops.resource_variable_ops import ResourceHandle


def capture_key(obj: Any) -> int | None:
    """id() of the value an object contributes when a function captures it."""
    if isinstance(obj, Variable):
        return id(obj.handle)
    if isinstance(obj, Asset):
        return id(obj.asset_path)
    if hasattr(obj, "resource_handle"):
        return id(obj.resource_handle)
    return None


def _is_handle(value: np.ndarray) -> bool:
    return value.dtype == object and value.size > 0 and isinstance(value.flat[0], ResourceHandle)


class SavedObjects:
    """Builds the SavedObjectGraph; `bound_inputs` are resolved through `captured_node`."""

    def __init__(self, graph: ObjectGraph, asset_index: dict[int, int]) -> None:
        self.graph = graph
        self.asset_index = asset_index  # node id -> asset_file_def index
        self.by_capture: dict[int, int] = {}
        for i, obj in enumerate(graph.nodes):
            key = capture_key(obj)
            if key is not None:
                self.by_capture[key] = i
        self.constants: list[tuple[int, np.ndarray]] = []  # (node id, value), appended nodes

    def concrete_functions(self) -> list[ConcreteFunction]:
        seen: dict[str, ConcreteFunction] = {}
        for obj in self.graph.nodes:
            if isinstance(obj, ConcreteFunction):
                seen.setdefault(obj.name, obj)
        return list(seen.values())

    def captured_node(self, value: Any, function: ConcreteFunction) -> int:
        node = self.by_capture.get(id(value))
        if node is not None:
            return node
        if isinstance(value, np.ndarray) and not _is_handle(value):
            node = len(self.graph.nodes) + len(self.constants)
            self.constants.append((node, value))
            self.by_capture[id(value)] = node
            return node
        raise InvalidArgumentError(
            f"Tried to export a function ({function.name}) which references an 'untracked'"
            f" resource {value!r}. Objects captured by functions (e.g. tf.Variable) must be"
            " tracked by assigning them to an attribute of a tracked object."
        )

    def build(self, const_name: Callable[[int], str]) -> Any:
        """The SavedObjectGraph (call after `captured_node` saw every capture)."""
        proto = protos.SavedObjectGraph()
        for i, obj in enumerate(self.graph.nodes):
            node = proto.nodes.add()
            for name, child in self.graph.children[i]:
                node.children.add(node_id=child, local_name=name)
            self._fill(node, i, obj)
        for node_id, _ in self.constants:
            node = proto.nodes.add()
            node.constant.operation = const_name(node_id)
            node.registered_name = "tf.TrackableConstant"
        for function in self.concrete_functions():
            saved = proto.concrete_functions[function.name]
            saved.bound_inputs.extend(
                self.captured_node(v, function) for v in function.captured_inputs
            )
            saved.canonicalized_input_signature.CopyFrom(
                nested_structure.encode(function.structured_input_signature)
            )
            saved.output_signature.CopyFrom(nested_structure.encode(function.structured_outputs))
        return proto

    def _fill(self, node: Any, i: int, obj: Any) -> None:
        if isinstance(obj, Variable):
            v = node.variable
            v.dtype = obj.dtype.base_dtype.as_datatype_enum
            obj.shape.to_proto(v.shape)
            v.trainable = obj.trainable
            v.synchronization = int(obj.synchronization)
            v.aggregation = int(obj.aggregation)
            v.name = _bare_name(obj.name)
        elif isinstance(obj, Asset):
            node.asset.asset_file_def_index = self.asset_index[i]
        elif isinstance(obj, ConcreteFunction):
            bare = node.bare_concrete_function
            bare.concrete_function_name = obj.name
            bare.argument_keywords.extend(obj._arg_keywords)
            bare.allowed_positional_arguments = obj._num_positional
            spec = obj.function_spec or FunctionSpec([])
            bare.function_spec.CopyFrom(spec.to_proto(with_signature=False))
        elif getattr(obj, "_is_polymorphic_function", False):
            fn = node.function
            traces = obj._list_all_concrete_functions()
            fn.concrete_functions.extend(f.name for f in traces)
            fn.function_spec.CopyFrom(obj.function_spec.to_proto())
            for name, child in self.graph.children[i]:
                node.dependencies.add(node_id=child, local_name=name)
        elif isinstance(obj, RestoredResource):
            raise InvalidArgumentError(
                f"saving resources ({obj.registered_name or 'a restored resource'}) is not"
                " supported"
            )
        elif isinstance(obj, Trackable):
            user = node.user_object
            user.identifier = obj._object_identifier
            user.version.producer = 1
            user.version.min_consumer = 1
        else:
            raise InvalidArgumentError(f"cannot save object {obj!r} of type {type(obj).__name__}")
