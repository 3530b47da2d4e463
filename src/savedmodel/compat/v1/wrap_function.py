"""`tf.compat.v1.wrap_function`: run TF1 graph-building code once, call the graph eagerly.

    def import_multiply():
        tf1.train.import_meta_graph("multiply.pb")
    wrapped = tf1.wrap_function(import_multiply, [])
    x = wrapped.graph.get_tensor_by_name("x:0")
    tf1.train.Saver(wrapped.variables).restore(sess=None, save_path="multiply_values.ckpt")
    multiply_fn = wrapped.prune(feeds=x, fetches=y)
    multiply_fn(np.float32(5.0))            # -> numpy array 15.0

`fn` is traced into a function graph (placeholders for the `signature` specs). Its variables are
"lifted" out of the graph, as TensorFlow does: each becomes an eager variable (a resource in the
eager context) that the graph's VarHandleOp resolves to when the function runs, so restoring
or assigning the eager variable is what the graph reads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from savedmodel import dtypes, protos
from savedmodel.errors import InvalidArgumentError
from savedmodel.framework import array_ops, eager
from savedmodel.framework.graph import Graph
from savedmodel.framework.operation import Operation, Tensor
from savedmodel.framework.resource_variables import ResourceVariable
from savedmodel.framework.variables import (
    GraphKeys,
    VariableAggregation,
    VariableSynchronization,
)


class FuncGraph(Graph):
    """The graph a wrapped function is traced into.

    Unlike a tf.function graph it keeps the variables `fn` creates as graph nodes (init_scope
    does not leave it); they are lifted to eager variables once tracing is done.
    """

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.inputs: list[Tensor] = []
        self.outputs: list[Any] = []
        self.structured_outputs: Any = None


class LiftedVariable(ResourceVariable):
    """An eager variable standing for a graph VarHandleOp of a wrapped function."""

    def __init__(self, graph_variable: Any, shared_name: str) -> None:  # noqa: D107
        self._in_graph_mode = False
        self._graph_variable = graph_variable
        self._dtype = graph_variable.dtype.base_dtype
        self._shape = graph_variable.shape
        self._trainable = graph_variable.trainable
        self._synchronization = VariableSynchronization.AUTO
        self._aggregation = VariableAggregation.NONE
        self._handle_name = graph_variable.name
        self._name = graph_variable.name
        self._unique_id = shared_name
        self._cached_value = None
        self._constraint = None
        self._validate_shape = True
        self._save_slice_info = None
        self._initial_value = None
        self._initializer_op = None
        self._graph_element = None
        self._is_initialized_op = None
        from savedmodel.ops.resource_variable_ops import ResourceHandle

        handle = np.empty((), dtype=object)
        handle[()] = ResourceHandle("variable", "", shared_name)
        self._handle = handle


def _placeholder_for(spec: Any, name: str) -> Tensor:
    dtype = getattr(spec, "dtype", None)
    shape = getattr(spec, "shape", None)
    if dtype is None:
        raise TypeError(f"wrap_function signature entries must be TensorSpecs, got {spec!r}")
    spec_name = getattr(spec, "name", None) or name
    return array_ops.placeholder(dtype, shape=shape, name=spec_name)


class WrappedFunction:
    """The result of `wrap_function`: a traced graph callable eagerly with numpy values."""

    def __init__(self, fn: Callable, graph: FuncGraph, variables: list[Any]) -> None:
        self._fn = fn
        self.graph = graph
        self._variables = variables
        self._prunes: dict[tuple, PrunedFunction] = {}

    @property
    def variables(self) -> list[Any]:
        return list(self._variables)

    @property
    def trainable_variables(self) -> list[Any]:
        return [v for v in self._variables if v.trainable]

    @property
    def inputs(self) -> list[Tensor]:
        return list(self.graph.inputs)

    @property
    def outputs(self) -> list[Any]:
        return list(self.graph.outputs)

    @property
    def structured_outputs(self) -> Any:
        return self.graph.structured_outputs

    def prune(self, feeds: Any, fetches: Any, name: str | None = None,
              input_signature: Any = None) -> PrunedFunction:  # fmt: skip
        """A function from the `feeds` tensors to the `fetches` (tensors, ops or names)."""
        feed_list = list(feeds) if isinstance(feeds, (list, tuple)) else [feeds]
        feed_tensors = [self.graph.as_graph_element(f, allow_tensor=True, allow_operation=False)
                        for f in feed_list]  # fmt: skip
        return PrunedFunction(self, feed_tensors, fetches)

    def __call__(self, *args: Any) -> Any:
        fn = self.prune(self.graph.inputs, self.graph.structured_outputs
                        if self.graph.structured_outputs is not None else [])  # fmt: skip
        return fn(*args)


class PrunedFunction:
    """A pruned wrapped function: `f(*feed_values)` -> fetches (numpy), same structure."""

    def __init__(self, wrapped: WrappedFunction, feeds: list[Tensor], fetches: Any) -> None:
        self._wrapped = wrapped
        self._feeds = feeds
        self._fetches = fetches
        self._session: Any = None
        self.graph = wrapped.graph
        self.inputs = feeds

    def _run(self, feed_values: Sequence[Any]) -> Any:
        from savedmodel.compat.v1.session import BaseSession

        if self._session is None:
            session = BaseSession(graph=self._wrapped.graph)
            session._resources = eager.context().resources
            self._session = session
        if len(feed_values) != len(self._feeds):
            raise InvalidArgumentError(
                f"The function takes {len(self._feeds)} inputs, got {len(feed_values)}"
            )
        feed_dict = dict(zip(self._feeds, feed_values, strict=True))
        if self._fetches is None:
            return None
        return self._session.run(self._fetches, feed_dict)

    def __call__(self, *args: Any) -> Any:
        result = self._run(args)
        return _as_arrays(result)


def _as_arrays(value: Any) -> Any:
    if isinstance(value, list):
        return [_as_arrays(v) for v in value]
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(_as_arrays(v) for v in value)
    if isinstance(value, dict):
        return {k: _as_arrays(v) for k, v in value.items()}
    if value is None or isinstance(value, np.ndarray):
        return value
    if isinstance(value, bytes):
        arr = np.empty((), dtype=object)
        arr[()] = value
        return arr
    return np.asarray(value)


def _lift_variables(graph: FuncGraph) -> list[Any]:
    lifted = []
    seen: set[int] = set()
    for var in graph.get_collection(GraphKeys.GLOBAL_VARIABLES) + graph.get_collection(
        GraphKeys.LOCAL_VARIABLES
    ):
        if id(var) in seen:
            continue
        seen.add(id(var))
        if not isinstance(var, ResourceVariable):
            raise NotImplementedError(
                "wrap_function: reference variables cannot be lifted; create resource variables"
                " (the default) instead"
            )
        op = var.handle.op
        base = op.get_attr("shared_name").decode() or op.name
        shared = f"{base}_{eager.uid()}"
        # The graph's handle op now names the lifted (eager) resource.
        op._set_attr("shared_name", protos.AttrValue(s=shared.encode()))
        graph._bump_version()
        lifted.append(LiftedVariable(var, shared))
        if not getattr(var, "_from_proto", False) and var.initializer is not None:
            # A variable `fn` created (not one imported from a MetaGraph): initialize its
            # lifted copy now, as TensorFlow creates lifted variables initialized.
            _run_in_eager_context(graph, var.initializer)
    return lifted


def _run_in_eager_context(graph: FuncGraph, fetch: Any) -> Any:
    from savedmodel.compat.v1.session import BaseSession

    session = BaseSession(graph=graph)
    session._resources = eager.context().resources
    return session.run(fetch)


def wrap_function(fn: Callable, signature: Any, name: str | None = None) -> WrappedFunction:
    """Trace `fn(*placeholders)` into a graph and return a WrappedFunction."""
    graph = FuncGraph(name or getattr(fn, "__name__", "wrapped_function"))
    with graph.as_default():
        inputs = [_placeholder_for(spec, f"input_{i}") for i, spec in enumerate(signature or [])]
        graph.inputs = inputs
        outputs = fn(*inputs)
        graph.structured_outputs = outputs
        graph.outputs = _flat_tensors(outputs)
    variables = _lift_variables(graph)
    return WrappedFunction(fn, graph, variables)


def _flat_tensors(value: Any) -> list[Any]:
    if isinstance(value, (Tensor, Operation)):
        return [value]
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in _flat_tensors(v)]
    if isinstance(value, dict):
        return [t for k in sorted(value) for t in _flat_tensors(value[k])]
    return []


def _dtype_name(t: Tensor) -> str:
    return dtypes.as_dtype(t.dtype).name
