"""Resource variables (`tf.Variable`): a VarHandleOp plus reads and assigns, in a graph or eager.

Graph mode builds TensorFlow's nodes for a variable `v`: `v/Initializer/...` and the
`VarHandleOp` `v` (both colocated, `_class: loc:@v`), `v/IsInitialized/VarIsInitializedOp`,
`v/Assign` and `v/Read/ReadVariableOp`. Executing eagerly the value lives in the eager context's
resources and reads give numpy arrays.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from savedmodel import dtypes, protos
from savedmodel.framework import constant_op, context, eager
from savedmodel.framework.operation import Operation
from savedmodel.framework.tensor_shape import TensorShape
from savedmodel.framework.variables import (
    GraphKeys,
    Variable,
    VariableAggregation,
    VariableSynchronization,
    _dtype_of,
    _null,
    _shape_of,
    get_default_graph,
    prepend_name_scope,
    strip_name_scope,
)
from savedmodel.graph.attrs import numpy_dtype

TYPE_CHECKING = False
if TYPE_CHECKING:
    from savedmodel.framework.graph import Graph

# The graph builders are imported on use: a loaded model's (eager) variables never need them.


def apply_op(op_type: str, name: str | None = None, **keywords: Any) -> Any:
    from savedmodel.framework.op_builder import apply_op as apply

    return apply(op_type, name=name, **keywords)


def init_scope() -> Any:
    from savedmodel.framework.scopes import init_scope as scope

    return scope()


def name_scope(name: Any, default_name: Any = None, values: Any = None) -> Any:
    from savedmodel.framework.scopes import name_scope as scope

    return scope(name, default_name, values)


def name_from_scope_name(name: str) -> str:
    return name[:-1] if name and name[-1] == "/" else name


class ResourceVariable(Variable):
    """A resource variable (TF2's `tf.Variable`), in a graph or eager."""

    _is_resource_variable = True

    def __init__(
        self,
        initial_value: Any = None,
        trainable: bool | None = None,
        collections: Any = None,
        validate_shape: bool = True,
        caching_device: Any = None,
        name: str | None = None,
        dtype: Any = None,
        variable_def: Any = None,
        import_scope: str | None = None,
        constraint: Any = None,
        distribute_strategy: Any = None,
        synchronization: Any = VariableSynchronization.AUTO,
        aggregation: Any = VariableAggregation.NONE,
        shape: Any = None,
        handle: Any = None,
        experimental_enable_variable_lifting: Any = None,
        **unused: Any,
    ) -> None:
        self._constraint = constraint
        self._validate_shape = validate_shape
        self._save_slice_info = None
        self._cached_value = None
        self._synchronization = VariableSynchronization(synchronization)
        self._aggregation = VariableAggregation(aggregation)
        if variable_def is not None:
            if initial_value is not None:
                raise ValueError("variable_def and initial_value are mutually exclusive.")
            self._init_from_proto(variable_def, import_scope)
            return
        if initial_value is None:
            raise ValueError("The `initial_value` arg (initial_value) must be specified.")
        if trainable is None:
            trainable = self._synchronization != VariableSynchronization.ON_READ
        self._trainable = bool(trainable)
        self._init_from_args(initial_value, name, dtype, shape, collections)

    @classmethod
    def restored(cls, value: Any, name: str | None, dtype: Any, shape: Any,
                 trainable: bool = True, synchronization: Any = VariableSynchronization.AUTO,
                 aggregation: Any = VariableAggregation.NONE) -> ResourceVariable:  # fmt: skip
        """An eager variable holding `value` (a loaded model's), made by the kernels directly:
        what `ResourceVariable(value, ...)` makes executing eagerly, without the op builders."""
        self = object.__new__(cls)
        self._constraint = None
        self._validate_shape = True
        self._save_slice_info = None
        self._cached_value = None
        self._synchronization = VariableSynchronization(synchronization)
        self._aggregation = VariableAggregation(aggregation)
        self._trainable = bool(trainable)
        self._in_graph_mode = False
        handle_name = f"{context.eager_scope_name()}{name or 'Variable'}"
        self._unique_id = f"{handle_name}_{eager.uid()}"
        self._dtype = dtypes.as_dtype(dtype).base_dtype
        self._shape = TensorShape(shape)
        self._initial_value = value = constant_op.to_numpy(value, self._dtype)
        np_dtype = numpy_dtype(self._dtype.as_datatype_enum)
        dims = None if self._shape.rank is None else tuple(
            -1 if d is None else int(d) for d in self._shape.as_list()
        )  # fmt: skip
        handle = np.empty((), dtype=object)
        handle[()] = eager.run_kernel(
            "VarHandleOp", dtype=np_dtype, shape=dims, container="", shared_name=self._unique_id,
            debug_name=handle_name,
        )  # fmt: skip
        eager.run_kernel("AssignVariableOp", handle, value, dtype=np_dtype)
        self._handle = handle
        self._handle_name = self._name = handle_name + ":0"
        self._is_initialized_op = self._initializer_op = self._graph_element = None
        return self

    def _init_from_args(self, initial_value: Any, name: Any, dtype: Any, shape: Any,
                        collections: Any) -> None:  # fmt: skip
        init_from_fn = callable(initial_value)
        if collections is None:
            collections = [GraphKeys.GLOBAL_VARIABLES]
        if not isinstance(collections, (list, tuple, set)):
            raise ValueError(
                f"collections argument to Variable constructor must be a list,"
                f" tuple, or set. Got {collections!r} of type {type(collections)}"
            )
        collections = list(collections)
        if self._trainable and GraphKeys.TRAINABLE_VARIABLES not in collections:
            collections.append(GraphKeys.TRAINABLE_VARIABLES)
        with init_scope():
            self._in_graph_mode = not context.executing_eagerly()
            values = [] if init_from_fn else [initial_value]
            with name_scope(name, "Variable", values) as scope:
                handle_name = name_from_scope_name(scope)
                if self._in_graph_mode:
                    shared_name = handle_name
                    self._unique_id = shared_name
                else:
                    self._unique_id = f"{handle_name}_{eager.uid()}"
                    shared_name = self._unique_id
                self._init_value_and_handle(
                    initial_value, init_from_fn, dtype, shape, scope, handle_name, shared_name
                )
                if self._in_graph_mode:
                    handle = self._handle
                    with name_scope("IsInitialized"):
                        self._is_initialized_op = apply_op("VarIsInitializedOp",
                                                           resource=handle)  # fmt: skip
                    graph = get_default_graph()
                    with name_scope("Assign") as n, graph.colocate_with(None, ignore_existing=True):
                        self._initializer_op = apply_op(
                            "AssignVariableOp",
                            resource=handle,
                            value=self._initial_value,
                            name=n,
                        )
                    with name_scope("Read"):
                        self._graph_element = apply_op("ReadVariableOp", resource=handle,
                                                       dtype=self._dtype)  # fmt: skip
                else:
                    apply_op("AssignVariableOp", resource=self._handle, value=self._initial_value)
                    self._is_initialized_op = None
                    self._initializer_op = None
                    self._graph_element = None
            if self._in_graph_mode:
                get_default_graph().add_to_collections(collections, self)

    def _init_value_and_handle(self, initial_value: Any, init_from_fn: bool, dtype: Any,
                               shape: Any, scope: str, handle_name: str,
                               shared_name: str) -> None:  # fmt: skip
        graph = get_default_graph() if self._in_graph_mode else None
        attr = protos.AttrValue(list=protos.AttrValue.ListValue(s=[f"loc:@{handle_name}".encode()]))
        ctx = graph._attr_scope_ctx({"_class": attr}) if graph is not None else _null()
        with ctx:
            with name_scope("Initializer"), graph.device(None) if graph else _null():
                if init_from_fn:
                    initial_value = initial_value()
                initial_value = constant_op.convert_to_tensor(
                    initial_value, name="initial_value", dtype=dtype
                )
            value_shape = _shape_of(initial_value)
            if shape is not None:
                shape = TensorShape(shape)
                if not value_shape.is_compatible_with(shape):
                    raise ValueError(
                        f"In this `tf.Variable` creation, the initial value's shape"
                        f" ({value_shape}) is not compatible with the explicitly supplied"
                        f" `shape` argument ({shape})."
                    )
            else:
                shape = value_shape if self._validate_shape else TensorShape(None)
            self._dtype = _dtype_of(initial_value).base_dtype
            self._shape = shape
            self._initial_value = initial_value
            self._handle = apply_op(
                "VarHandleOp", shape=shape, dtype=self._dtype, shared_name=shared_name,
                debug_name=scope, name=scope, container="",
            )  # fmt: skip
        self._handle_name = handle_name + ":0"
        self._name = self._handle_name

    def _init_from_proto(self, variable_def: Any, import_scope: str | None) -> None:
        self._in_graph_mode = True
        self._from_proto = True
        if not variable_def.is_resource:
            raise ValueError("Trying to restore Variable as ResourceVariable.")
        g = get_default_graph()
        self._handle = g.as_graph_element(
            prepend_name_scope(variable_def.variable_name, import_scope), allow_operation=False
        )
        self._shape = TensorShape(self._handle.op.get_attr("shape"))
        self._handle_name = self._handle.name
        self._name = self._handle_name
        self._unique_id = self._handle_name
        self._initializer_op = g.as_graph_element(
            prepend_name_scope(variable_def.initializer_name, import_scope)
        )
        self._initial_value = (
            g.as_graph_element(prepend_name_scope(variable_def.initial_value_name, import_scope))
            if variable_def.initial_value_name else None
        )  # fmt: skip
        self._trainable = variable_def.trainable
        self._synchronization = VariableSynchronization(variable_def.synchronization)
        self._aggregation = VariableAggregation(variable_def.aggregation)
        if variable_def.snapshot_name:
            snapshot = g.as_graph_element(
                prepend_name_scope(variable_def.snapshot_name, import_scope)
            )
            self._cached_value = snapshot if snapshot.op.type != "ReadVariableOp" else None
            while snapshot.op.type != "ReadVariableOp":
                snapshot = snapshot.op.inputs[0]
            self._graph_element = snapshot
        else:
            self._graph_element = g.get_tensor_by_name(
                self._handle.op.name + "/Read/ReadVariableOp:0"
            )
        self._is_initialized_op = None
        self._dtype = self._handle.op.get_attr("dtype")

    # -- properties ----------------------------------------------------------------------------

    @property
    def handle(self) -> Any:
        return self._handle

    @property
    def op(self) -> Operation:
        if not self._in_graph_mode:
            raise AttributeError("Variable.op is not available when executing eagerly.")
        return self._handle.op

    @property
    def graph(self) -> Graph:
        if not self._in_graph_mode:
            raise AttributeError("Variable.graph is not available when executing eagerly.")
        return self._handle.graph

    @property
    def _shared_name(self) -> str:
        return self._handle_name[: self._handle_name.index(":")]

    def _as_graph_element(self) -> Any:
        return self._graph_element

    # -- reading and writing -------------------------------------------------------------------

    def _read_variable_op(self) -> Any:
        return apply_op("ReadVariableOp", resource=self._handle, dtype=self._dtype)

    def value(self) -> Any:
        if self._cached_value is not None:
            return self._cached_value
        if self._in_graph_mode:
            with self.graph.colocate_with(None, ignore_existing=True):
                return self._read_variable_op()
        return self._read_variable_op()

    def read_value(self) -> Any:
        with name_scope("Read"):
            value = self._read_variable_op()
        from savedmodel.framework.array_ops import identity

        return identity(value)

    def numpy(self) -> np.ndarray:
        # NOTE: TF raises this in graph mode, and for an eager variable while a function traces.
        if self._in_graph_mode or not context.executing_eagerly():
            raise NotImplementedError("numpy() is only available when eager execution is enabled.")
        dtype = numpy_dtype(self._dtype.as_datatype_enum)
        return eager.run_kernel("ReadVariableOp", self._handle, dtype=dtype)

    def _lazy_read(self, op: Any) -> Any:
        if not self._in_graph_mode:
            return self
        with self.graph.control_dependencies([op]):
            return self._read_variable_op()

    def assign(self, value: Any, use_locking: Any = None, name: str | None = None,
               read_value: bool = True) -> Any:  # fmt: skip
        graph = None if not self._in_graph_mode else self.graph
        with graph.as_default() if graph is not None else _null():
            value_tensor = constant_op.convert_to_tensor(value, dtype=self._dtype)
            if not self._shape.is_compatible_with(_shape_of(value_tensor)):
                raise ValueError(
                    f"Cannot assign value to variable ' {self.name}': Shape mismatch.The variable"
                    f" shape {self._shape}, and the assigned value shape {_shape_of(value_tensor)}"
                    " are incompatible."
                )
            validate = self._validate_shape and self._shape.is_fully_defined()
            op = apply_op("AssignVariableOp", resource=self._handle, value=value_tensor,
                          validate_shape=validate, name=name)  # fmt: skip
            return self._lazy_read(op) if read_value else op

    def _update(self, op_type: str, delta: Any, name: str | None, read_value: bool) -> Any:
        graph = None if not self._in_graph_mode else self.graph
        with graph.as_default() if graph is not None else _null():
            delta = constant_op.convert_to_tensor(delta, dtype=self._dtype)
            op = apply_op(op_type, resource=self._handle, value=delta, name=name)
            return self._lazy_read(op) if read_value else op

    def assign_add(self, delta: Any, use_locking: Any = None, name: str | None = None,
                   read_value: bool = True) -> Any:  # fmt: skip
        return self._update("AssignAddVariableOp", delta, name, read_value)

    def assign_sub(self, delta: Any, use_locking: Any = None, name: str | None = None,
                   read_value: bool = True) -> Any:  # fmt: skip
        return self._update("AssignSubVariableOp", delta, name, read_value)

    def sparse_read(self, indices: Any, name: str | None = None) -> Any:
        with name_scope("Gather" if name is None else name) as scope:
            return apply_op("ResourceGather", resource=self._handle, indices=indices,
                            dtype=self._dtype, name=scope)  # fmt: skip

    def is_initialized(self, name: str | None = None) -> Any:
        return apply_op("VarIsInitializedOp", resource=self._handle, name=name)

    # -- serialization -------------------------------------------------------------------------

    def to_proto(self, export_scope: str | None = None) -> Any:
        if not self._in_graph_mode:
            raise RuntimeError("This operation is not supported when eager execution is enabled.")
        if export_scope is not None and not self._handle.name.startswith(export_scope):
            return None
        var_def = protos.VariableDef()
        var_def.variable_name = strip_name_scope(self._handle.name, export_scope)
        if self._initial_value is not None:
            var_def.initial_value_name = strip_name_scope(self._initial_value.name, export_scope)
        var_def.initializer_name = strip_name_scope(self._initializer_op.name, export_scope)
        snapshot = self._cached_value if self._cached_value is not None else self._graph_element
        var_def.snapshot_name = strip_name_scope(snapshot.name, export_scope)
        var_def.is_resource = True
        var_def.trainable = self._trainable
        var_def.synchronization = int(self._synchronization)
        var_def.aggregation = int(self._aggregation)
        return var_def

    @staticmethod
    def from_proto(variable_def: Any, import_scope: str | None = None) -> ResourceVariable:
        return ResourceVariable(variable_def=variable_def, import_scope=import_scope)
