"""`tf.compat.v1.variable_scope` and `get_variable` (graph mode).

Variable names depend only on the variable scope (`scope/w`); the name scope is reset while the
variable is created, as in TensorFlow. Re-using a scope (`reuse=True` or `tf1.AUTO_REUSE`)
returns the existing variable. The default initializer is `glorot_uniform_initializer()`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from savedmodel import dtypes
from savedmodel.framework import context, init_ops
from savedmodel.framework.graph import get_default_graph
from savedmodel.framework.scopes import name_scope
from savedmodel.framework.tensor_shape import TensorShape
from savedmodel.framework.variables import GraphKeys, make_v1_variable

AUTO_REUSE = "AUTO_REUSE"


class VariableScope:
    def __init__(
        self,
        name: str,
        reuse: Any = None,
        initializer: Any = None,
        use_resource: bool | None = None,
        dtype: Any = dtypes.float32,
    ) -> None:
        self.name = name
        self.original_name_scope = name + "/" if name else ""
        self.reuse = reuse
        self.initializer = initializer
        self.use_resource = use_resource
        self.dtype = dtype

    def reuse_variables(self) -> None:
        self.reuse = True


def _store(graph: Any) -> dict[str, Any]:
    store = getattr(graph, "_variable_store", None)
    if store is None:
        store = {}
        graph._variable_store = store
    return store


def _stack(graph: Any) -> list[VariableScope]:
    stack = getattr(graph, "_variable_scope_stack", None)
    if stack is None:
        stack = [VariableScope("")]
        graph._variable_scope_stack = stack
    return stack


def get_variable_scope() -> VariableScope:
    return _stack(get_default_graph())[-1]


@contextlib.contextmanager
def variable_scope(name_or_scope: Any, default_name: str | None = None, values: Any = None,
                   initializer: Any = None, reuse: Any = None, dtype: Any = None,
                   use_resource: bool | None = None, auxiliary_name_scope: bool = True,
                   **unused: Any) -> Iterator[VariableScope]:  # fmt: skip
    graph = get_default_graph()
    stack = _stack(graph)
    parent = stack[-1]
    if isinstance(name_or_scope, VariableScope):
        full = name_or_scope.name
        base = full.rsplit("/", 1)[-1]
    else:
        base = name_or_scope if name_or_scope is not None else default_name
        if base is None:
            raise TypeError("If default_name is None then name_or_scope is required")
        if name_or_scope is None:
            used = getattr(graph, "_var_scope_counts", {})
            graph._var_scope_counts = used
            key = f"{parent.name}/{base}" if parent.name else base
            n = used.get(key, 0)
            used[key] = n + 1
            if n:
                base = f"{base}_{n}"
        full = f"{parent.name}/{base}" if parent.name else base
    scope = VariableScope(
        full,
        reuse=True if parent.reuse is True else (reuse if reuse is not None else parent.reuse),
        initializer=initializer if initializer is not None else parent.initializer,
        use_resource=use_resource if use_resource is not None else parent.use_resource,
        dtype=dtype if dtype is not None else parent.dtype,
    )
    stack.append(scope)
    try:
        if auxiliary_name_scope:
            with name_scope(base) as ns:
                scope.original_name_scope = ns
                yield scope
        else:
            yield scope
    finally:
        stack.pop()


def get_variable(name: str, shape: Any = None, dtype: Any = None, initializer: Any = None,
                 regularizer: Any = None, trainable: bool | None = None, collections: Any = None,
                 caching_device: Any = None, partitioner: Any = None, validate_shape: bool = True,
                 use_resource: bool | None = None, custom_getter: Any = None,
                 constraint: Any = None, synchronization: Any = None,
                 aggregation: Any = None) -> Any:  # fmt: skip
    if context.executing_eagerly():
        raise RuntimeError("get_variable is only supported in graph mode here (TF1 code).")
    graph = get_default_graph()
    scope = get_variable_scope()
    full_name = f"{scope.name}/{name}" if scope.name else name
    store = _store(graph)
    if full_name in store:
        if scope.reuse is None or scope.reuse is False:
            raise ValueError(
                f"Variable {full_name} already exists, disallowed. Did you mean to set reuse=True"
                " or reuse=tf.AUTO_REUSE in VarScope?"
            )
        return store[full_name]
    if scope.reuse is True:
        raise ValueError(
            f"Variable {full_name} does not exist, or was not created with"
            " tf.get_variable(). Did you mean to set reuse=tf.AUTO_REUSE in"
            " VarScope?"
        )
    dtype = dtypes.as_dtype(dtype if dtype is not None else scope.dtype)
    initializer = initializer if initializer is not None else scope.initializer
    if use_resource is None:
        use_resource = scope.use_resource
    with name_scope(None):
        if initializer is None:
            initializer = (
                init_ops.GlorotUniform()
                if (dtype.is_floating or dtype.is_complex)
                else init_ops.Zeros()
            )
        if isinstance(initializer, type):
            initializer = initializer()
        if callable(initializer):
            static = TensorShape(shape)
            if not static.is_fully_defined():
                raise ValueError(
                    f"Shape of a new variable ({full_name}) must be fully defined,"
                    f" but instead was {static}."
                )
            dims = static.as_list()

            def init_val() -> Any:
                return initializer(dims, dtype=dtype)

            value: Any = init_val
            var_dtype = dtype.base_dtype
        else:
            value = initializer
            var_dtype = None
        if collections is None:
            collections = [GraphKeys.GLOBAL_VARIABLES]
        var = make_v1_variable(
            initial_value=value, name=full_name, trainable=trainable, collections=collections,
            validate_shape=validate_shape, dtype=var_dtype, use_resource=use_resource,
        )  # fmt: skip
    store[full_name] = var
    return var
