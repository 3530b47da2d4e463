"""Variables: TF2-style resource variables (graph or eager) and TF1 reference variables.

Graph mode builds exactly TensorFlow's nodes: for a resource variable `v`, `v/Initializer/...`
and the `VarHandleOp` `v` (both colocated, `_class: loc:@v`), `v/IsInitialized/
VarIsInitializedOp`, `v/Assign` and `v/Read/ReadVariableOp`; for a reference variable
`v/initial_value`, the `VariableV2` `v`, `v/Assign` and `v/read`. Variables join the
`variables` (and `trainable_variables`) collections and serialize to `VariableDef`s.

Executing eagerly, a resource variable lives in the eager context's resources; reading it gives
a numpy array.
"""

from __future__ import annotations

import enum
from typing import Any

import numpy as np

from savedmodel import dtypes
from savedmodel.framework import constant_op, context
from savedmodel.framework.operation import Operation
from savedmodel.framework.printing import numpy_text
from savedmodel.framework.tensor_shape import TensorShape

TYPE_CHECKING = False
if TYPE_CHECKING:
    from savedmodel.framework.graph import Graph


def get_default_graph() -> Graph:
    # Imported on use: restored (eager) variables of a loaded model need no graph code.
    from savedmodel.framework.graph import get_default_graph as default_graph

    return default_graph()


class GraphKeys:
    GLOBAL_VARIABLES = "variables"
    LOCAL_VARIABLES = "local_variables"
    METRIC_VARIABLES = "metric_variables"
    MODEL_VARIABLES = "model_variables"
    TRAINABLE_VARIABLES = "trainable_variables"
    SUMMARIES = "summaries"
    QUEUE_RUNNERS = "queue_runners"
    TABLE_INITIALIZERS = "table_initializer"
    ASSET_FILEPATHS = "asset_filepaths"
    MOVING_AVERAGE_VARIABLES = "moving_average_variables"
    REGULARIZATION_LOSSES = "regularization_losses"
    CONCATENATED_VARIABLES = "concatenated_variables"
    SAVERS = "savers"
    WEIGHTS = "weights"
    BIASES = "biases"
    ACTIVATIONS = "activations"
    UPDATE_OPS = "update_ops"
    LOSSES = "losses"
    SAVEABLE_OBJECTS = "saveable_objects"
    RESOURCES = "resources"
    LOCAL_RESOURCES = "local_resources"
    TRAINABLE_RESOURCE_VARIABLES = "trainable_resource_variables"
    INIT_OP = "init_op"
    LOCAL_INIT_OP = "local_init_op"
    READY_OP = "ready_op"
    READY_FOR_LOCAL_INIT_OP = "ready_for_local_init_op"
    SUMMARY_OP = "summary_op"
    GLOBAL_STEP = "global_step"
    EVAL_STEP = "eval_step"
    TRAIN_OP = "train_op"
    COND_CONTEXT = "cond_context"
    WHILE_CONTEXT = "while_context"
    _VARIABLE_COLLECTIONS = (
        "variables", "local_variables", "metric_variables", "model_variables",
        "trainable_variables", "moving_average_variables", "concatenated_variables",
        "trainable_resource_variables",
    )  # fmt: skip


class VariableSynchronization(enum.IntEnum):
    AUTO = 0
    NONE = 1
    ON_WRITE = 2
    ON_READ = 3


class VariableAggregation(enum.IntEnum):
    NONE = 0
    SUM = 1
    MEAN = 2
    ONLY_FIRST_REPLICA = 3


class Variable:
    """Base of both kinds; `tf.Variable(...)` itself builds a ResourceVariable."""

    _is_resource_variable = False

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        # `tf.Variable(...)` is a ResourceVariable; Python then runs its __init__ once.
        if cls is Variable:
            from savedmodel.framework.resource_variables import ResourceVariable

            cls = ResourceVariable
        return super().__new__(cls)

    # -- common properties ---------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self._name  # type: ignore[attr-defined]

    @property
    def dtype(self) -> dtypes.DType:
        return self._dtype  # type: ignore[attr-defined]

    @property
    def shape(self) -> TensorShape:
        return self._shape  # type: ignore[attr-defined]

    def get_shape(self) -> TensorShape:
        return self.shape

    @property
    def trainable(self) -> bool:
        return self._trainable  # type: ignore[attr-defined]

    @property
    def synchronization(self) -> VariableSynchronization:
        return self._synchronization  # type: ignore[attr-defined]

    @property
    def aggregation(self) -> VariableAggregation:
        return self._aggregation  # type: ignore[attr-defined]

    @property
    def initial_value(self) -> Any:
        return self._initial_value  # type: ignore[attr-defined]

    @property
    def initializer(self) -> Operation | None:
        return self._initializer_op  # type: ignore[attr-defined]

    @property
    def graph(self) -> Graph:
        return self.op.graph  # type: ignore[attr-defined]

    @property
    def device(self) -> str:
        return ""

    def _graph_element_graph(self) -> Graph | None:
        return self.graph if getattr(self, "_in_graph_mode", True) else None

    def eval(self, session: Any = None) -> Any:
        from savedmodel.framework.session_registry import default_session_for

        return default_session_for(self.graph, session).run(self)

    def initialized_value(self) -> Any:
        return self.value()  # type: ignore[attr-defined]

    def set_shape(self, shape: Any) -> None:
        self._shape = self._shape.merge_with(shape)  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        if context.executing_eagerly() and not getattr(self, "_in_graph_mode", True):
            try:
                text = "numpy=" + numpy_text(self.numpy())  # type: ignore[attr-defined]
            except Exception:  # noqa: BLE001 - a repr never fails (TF: "<unavailable>")
                text = "numpy=<unavailable>"
            return f"<tf.Variable '{self.name}' shape={self.shape} dtype={self.dtype.name}, {text}>"
        return f"<tf.Variable '{self.name}' shape={self.shape} dtype={self.dtype.name}>"

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other

    def __bool__(self) -> bool:
        if getattr(self, "_in_graph_mode", True) or not context.executing_eagerly():
            return bool(self.value())  # type: ignore[attr-defined]  (a Tensor: raises)
        return bool(self.numpy())  # type: ignore[attr-defined]

    def __iter__(self) -> Any:
        raise TypeError("'Variable' object is not iterable.")

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        value = np.asarray(self.numpy())  # type: ignore[attr-defined]
        return value if dtype is None else value.astype(dtype)

    # -- operators: read, then apply the Tensor (or numpy) operator -----------------------------

    def _op(name: str) -> Any:  # type: ignore[misc]
        def method(self: Any, *args: Any) -> Any:
            value = self.value()
            return getattr(value, name)(*args)

        method.__name__ = name
        return method

    for _n in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
               "__truediv__", "__rtruediv__", "__floordiv__", "__rfloordiv__", "__mod__",
               "__rmod__", "__pow__", "__rpow__", "__matmul__", "__rmatmul__", "__neg__",
               "__abs__", "__lt__", "__le__", "__gt__", "__ge__", "__getitem__", "__and__",
               "__or__", "__xor__", "__invert__"):  # fmt: skip
        locals()[_n] = _op(_n)
    del _n, _op


# -- helpers ---------------------------------------------------------------------------------------


class _null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        return None


_shape_of = constant_op.shape_of
_dtype_of = constant_op.dtype_of


def prepend_name_scope(name: str, import_scope: str | None) -> str:
    if not import_scope:
        return name
    if import_scope.endswith("/"):
        import_scope = import_scope[:-1]
    if name.startswith("^"):
        return f"^{import_scope}/{name[1:]}"
    if name.startswith("loc:@"):
        return f"loc:@{import_scope}/{name[5:]}"
    return f"{import_scope}/{name}"


def strip_name_scope(name: str, export_scope: str | None) -> str:
    if not export_scope:
        return name
    if export_scope.endswith("/"):
        export_scope = export_scope[:-1]
    import re

    return re.sub(r"([\^]|loc:@|^)" + re.escape(export_scope) + r"[\/]+(.*)", r"\1\2", name,
                  count=1)  # fmt: skip


def variable_from_proto(variable_def: Any, import_scope: str | None = None) -> Variable:
    from savedmodel.framework.ref_variables import RefVariable
    from savedmodel.framework.resource_variables import ResourceVariable

    if variable_def.is_resource:
        return ResourceVariable.from_proto(variable_def, import_scope)
    return RefVariable.from_proto(variable_def, import_scope)


def _dense_var_to_tensor(var: Any, dtype: Any = None, name: Any = None, as_ref: bool = False):
    if as_ref and hasattr(var, "_ref"):
        return var._ref()
    value = var.value()
    if dtype is not None and dtypes.as_dtype(dtype).base_dtype != var.dtype.base_dtype:
        raise ValueError(
            f"Incompatible type conversion requested to type '{dtypes.as_dtype(dtype).name}' for"
            f" variable of type '{var.dtype.name}' (Variable: {var!r})."
        )
    return value


constant_op.register_tensor_conversion_function(Variable, _dense_var_to_tensor)


def make_v1_variable(*args: Any, use_resource: bool | None = None, **kwargs: Any) -> Variable:
    """`tf.compat.v1.Variable`: a resource variable unless resource variables are disabled."""
    if use_resource is None:
        use_resource = context.FLAGS.resource_variables or context.executing_eagerly()
    from savedmodel.framework.ref_variables import RefVariable
    from savedmodel.framework.resource_variables import ResourceVariable

    if use_resource:
        return ResourceVariable(*args, **kwargs)
    return RefVariable(*args, **kwargs)


# -- collections helpers ---------------------------------------------------------------------------


def global_variables(scope: str | None = None) -> list[Any]:
    return get_default_graph().get_collection(GraphKeys.GLOBAL_VARIABLES, scope)


def all_variables() -> list[Any]:
    return global_variables()


def trainable_variables(scope: str | None = None) -> list[Any]:
    return get_default_graph().get_collection(GraphKeys.TRAINABLE_VARIABLES, scope)


def local_variables(scope: str | None = None) -> list[Any]:
    return get_default_graph().get_collection(GraphKeys.LOCAL_VARIABLES, scope)


def model_variables(scope: str | None = None) -> list[Any]:
    return get_default_graph().get_collection(GraphKeys.MODEL_VARIABLES, scope)


def all_saveable_objects(scope: str | None = None) -> list[Any]:
    g = get_default_graph()
    return g.get_collection(GraphKeys.GLOBAL_VARIABLES, scope) + g.get_collection(
        GraphKeys.SAVEABLE_OBJECTS, scope
    )


def variables_initializer(var_list: Any, name: str = "init") -> Any:
    from savedmodel.framework import control_flow_ops

    if var_list and not context.executing_eagerly():
        return control_flow_ops.group(*[v.initializer for v in var_list], name=name)
    return control_flow_ops.no_op(name=name)


def global_variables_initializer() -> Any:
    if context.executing_eagerly():
        return None
    return variables_initializer(global_variables())


def local_variables_initializer() -> Any:
    if context.executing_eagerly():
        return None
    return variables_initializer(local_variables())
