"""TF1 reference variables (`VariableV2`): `v/initial_value`, `v`, `v/Assign` and `v/read`."""

from __future__ import annotations

from typing import Any

from savedmodel import dtypes, protos
from savedmodel.framework import constant_op, context
from savedmodel.framework.graph import Graph, get_default_graph, name_from_scope_name
from savedmodel.framework.op_builder import apply_op
from savedmodel.framework.operation import Operation, Tensor
from savedmodel.framework.scopes import init_scope, name_scope
from savedmodel.framework.tensor_shape import TensorShape
from savedmodel.framework.variables import (
    GraphKeys,
    Variable,
    VariableAggregation,
    VariableSynchronization,
    prepend_name_scope,
    strip_name_scope,
)


class RefVariable(Variable):
    """A TF1 reference variable (`VariableV2`)."""

    _in_graph_mode = True

    def __init__(
        self,
        initial_value: Any = None,
        trainable: bool | None = None,
        collections: Any = None,
        validate_shape: bool = True,
        caching_device: Any = None,
        name: str | None = None,
        variable_def: Any = None,
        dtype: Any = None,
        expected_shape: Any = None,
        import_scope: str | None = None,
        constraint: Any = None,
        synchronization: Any = VariableSynchronization.AUTO,
        aggregation: Any = VariableAggregation.NONE,
        shape: Any = None,
        **unused: Any,
    ) -> None:
        self._synchronization = VariableSynchronization(synchronization)
        self._aggregation = VariableAggregation(aggregation)
        self._save_slice_info = None
        self._constraint = constraint
        if variable_def is not None:
            self._init_from_proto(variable_def, import_scope)
            return
        if context.executing_eagerly():
            raise RuntimeError(
                "Reference variables are not supported when eager execution is enabled."
            )
        if initial_value is None:
            raise ValueError("The `initial_value` arg (initial_value) must be specified.")
        self._trainable = True if trainable is None else bool(trainable)
        if collections is None:
            collections = [GraphKeys.GLOBAL_VARIABLES]
        collections = list(collections)
        if self._trainable and GraphKeys.TRAINABLE_VARIABLES not in collections:
            collections.append(GraphKeys.TRAINABLE_VARIABLES)
        init_from_fn = callable(initial_value)
        with init_scope():
            graph = get_default_graph()
            with name_scope(name, "Variable", [] if init_from_fn else [initial_value]) as scope:
                if init_from_fn:
                    true_name = name_from_scope_name(scope)
                    attr = protos.AttrValue(
                        list=protos.AttrValue.ListValue(s=[f"loc:@{true_name}".encode()])
                    )
                    with graph._attr_scope_ctx({"_class": attr}):
                        with name_scope("Initializer"), graph.device(None):
                            self._initial_value = constant_op.convert_to_tensor(
                                initial_value(), name="initial_value", dtype=dtype
                            )
                            shape = (
                                TensorShape(shape)
                                if shape is not None
                                else (self._initial_value.shape)
                            )
                            self._variable = apply_op(
                                "VariableV2", shape=shape,
                                dtype=self._initial_value.dtype.base_dtype, name=scope,
                            )  # fmt: skip
                else:
                    self._initial_value = constant_op.convert_to_tensor(
                        initial_value, name="initial_value", dtype=dtype
                    )
                    shape = self._initial_value.shape if validate_shape else TensorShape(None)
                    self._variable = apply_op(
                        "VariableV2", shape=shape, dtype=self._initial_value.dtype.base_dtype,
                        name=scope,
                    )  # fmt: skip
                self._name = self._variable.name
                if validate_shape and not self._initial_value.shape.is_fully_defined():
                    raise ValueError(
                        f"initial_value must have a shape specified: {self._initial_value}"
                    )
                self._initializer_op = apply_op(
                    "Assign", ref=self._variable, value=self._initial_value,
                    validate_shape=validate_shape,
                ).op  # fmt: skip
                with graph.colocate_with(self._variable.op):
                    from savedmodel.framework.array_ops import identity

                    self._snapshot = identity(self._variable, name="read")
            graph.add_to_collections(collections, self)

    def _init_from_proto(self, variable_def: Any, import_scope: str | None) -> None:
        g = get_default_graph()
        self._variable = g.as_graph_element(
            prepend_name_scope(variable_def.variable_name, import_scope)
        )
        self._name = self._variable.name
        self._initializer_op = g.as_graph_element(
            prepend_name_scope(variable_def.initializer_name, import_scope)
        )
        self._initial_value = (
            g.as_graph_element(prepend_name_scope(variable_def.initial_value_name, import_scope))
            if variable_def.initial_value_name else None
        )  # fmt: skip
        self._trainable = variable_def.trainable
        self._snapshot = g.as_graph_element(
            prepend_name_scope(variable_def.snapshot_name, import_scope)
        )

    @property
    def dtype(self) -> dtypes.DType:
        return self._variable.dtype

    @property
    def shape(self) -> TensorShape:
        return self._variable.shape

    @property
    def op(self) -> Operation:
        return self._variable.op

    @property
    def graph(self) -> Graph:
        return self._variable.graph

    def _ref(self) -> Tensor:
        return self._variable

    def _as_graph_element(self) -> Tensor:
        return self._variable

    def value(self) -> Tensor:
        return self._snapshot

    def read_value(self) -> Tensor:
        from savedmodel.framework.array_ops import identity

        return identity(self._variable, name="read")

    def assign(self, value: Any, use_locking: bool = False, name: str | None = None,
               read_value: bool = True) -> Any:  # fmt: skip
        out = apply_op("Assign", ref=self._variable, value=value, use_locking=use_locking,
                       name=name)  # fmt: skip
        return out if read_value else out.op

    def assign_add(self, delta: Any, use_locking: bool = False, name: str | None = None,
                   read_value: bool = True) -> Any:  # fmt: skip
        out = apply_op("AssignAdd", ref=self._variable, value=delta, use_locking=use_locking,
                       name=name)  # fmt: skip
        return out if read_value else out.op

    def assign_sub(self, delta: Any, use_locking: bool = False, name: str | None = None,
                   read_value: bool = True) -> Any:  # fmt: skip
        out = apply_op("AssignSub", ref=self._variable, value=delta, use_locking=use_locking,
                       name=name)  # fmt: skip
        return out if read_value else out.op

    def is_initialized(self, name: str | None = None) -> Any:
        return apply_op("IsVariableInitialized", ref=self._variable, name=name)

    def to_proto(self, export_scope: str | None = None) -> Any:
        if export_scope is not None and not self._variable.name.startswith(export_scope):
            return None
        var_def = protos.VariableDef()
        var_def.variable_name = strip_name_scope(self._variable.name, export_scope)
        if self._initial_value is not None:
            var_def.initial_value_name = strip_name_scope(self._initial_value.name, export_scope)
        var_def.trainable = self._trainable
        var_def.synchronization = int(self._synchronization)
        var_def.aggregation = int(self._aggregation)
        var_def.initializer_name = strip_name_scope(self._initializer_op.name, export_scope)
        var_def.snapshot_name = strip_name_scope(self._snapshot.name, export_scope)
        return var_def

    @staticmethod
    def from_proto(variable_def: Any, import_scope: str | None = None) -> RefVariable:
        return RefVariable(variable_def=variable_def, import_scope=import_scope)
