"""Name scopes and other graph contexts, as TensorFlow's public and internal APIs provide them.

* `name_scope(name, default_name, values)`: what TF's own op wrappers use (the v1 internal form):
  enters the graph of `values` (or the default graph) and opens `name` or, if None, a uniquified
  `default_name`; yields the scope string ("add/") that is then passed as the op name.
* `NameScope` is the public `tf.name_scope(name)` (TF2 form, no values/default).
* `control_dependencies`, `colocate_with`, `device`, `init_scope` act on the default graph (or
  do nothing useful when executing eagerly, as in TF2).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from savedmodel.framework import context
from savedmodel.framework.graph import Graph, get_default_graph


def _graph_for(values: Any) -> Graph | None:
    from savedmodel.framework.op_builder import graph_from_inputs

    return graph_from_inputs(list(values) if values is not None else [])


@contextlib.contextmanager
def name_scope(
    name: str | None, default_name: str | None = None, values: Any = None
) -> Iterator[str]:
    """TF's internal `ops.name_scope(name, default_name, values)`; yields the scope string."""
    scope_name = default_name if name is None else name
    graph = _graph_for(values)
    if graph is None:
        old = context.eager_scope_name()
        if not scope_name:
            new = ""
        elif scope_name.endswith("/"):
            new = scope_name
        else:
            new = f"{old}{scope_name}/"
        context.set_eager_scope_name(new)
        try:
            yield new
        finally:
            context.set_eager_scope_name(old)
        return
    if get_default_graph() is graph:
        with graph.name_scope(scope_name) as scope:
            yield scope
    else:
        with graph.as_default(), graph.name_scope(scope_name) as scope:
            yield scope


class NameScopeV1:
    """`tf.compat.v1.name_scope(name, default_name=None, values=None)` as a reusable object."""

    def __init__(self, name: str | None, default_name: str | None = None, values: Any = None):
        self._args = (name, default_name, values)
        self._exit: list[Any] = []

    @property
    def name(self) -> str | None:
        return self._args[0] if self._args[0] is not None else self._args[1]

    def __enter__(self) -> str:
        cm = name_scope(*self._args)
        scope = cm.__enter__()
        self._exit.append(cm)
        return scope

    def __exit__(self, *exc: Any) -> bool:
        self._exit.pop().__exit__(*exc)
        return False


class NameScope(NameScopeV1):
    """`tf.name_scope(name)`: a scope in the default graph (or the eager name prefix)."""

    def __init__(self, name: str) -> None:
        if not isinstance(name, str):
            raise ValueError("name for name_scope must be a string.")
        super().__init__(name)


def get_current_name_scope() -> str:
    if context.executing_eagerly():
        return context.eager_scope_name().rstrip("/")
    return get_default_graph().get_name_scope()


def control_dependencies(control_inputs: Any) -> Any:
    """`tf.control_dependencies`: in graph mode the default graph's; eagerly a no-op context."""
    if context.executing_eagerly():
        if control_inputs is not None:
            for c in control_inputs:
                if callable(c):
                    c()
        return contextlib.nullcontext()
    return get_default_graph().control_dependencies(control_inputs)


def colocate_with(op: Any, ignore_existing: bool = False) -> Any:
    if context.executing_eagerly():
        return contextlib.nullcontext()
    return get_default_graph().colocate_with(op, ignore_existing)


def device(device_name: str | None) -> Any:
    if context.executing_eagerly():
        return contextlib.nullcontext()
    return get_default_graph().device(device_name)


@contextlib.contextmanager
def init_scope() -> Iterator[None]:
    """Lift out of function-building graphs into the outermost context (TF's init_scope)."""
    stack = context.graph_stack()
    outer = [g for g in stack if not getattr(g, "building_function", False)]
    if len(outer) == len(stack):
        with (
            control_dependencies(None)
            if not context.executing_eagerly()
            else (contextlib.nullcontext())
        ):
            yield
        return
    saved = list(stack)
    stack[:] = outer
    try:
        if outer:
            with outer[-1].control_dependencies(None):
                yield
        else:
            yield
    finally:
        stack[:] = saved
