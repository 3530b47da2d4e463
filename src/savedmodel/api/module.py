"""`tf.Module`: a named container of variables, submodules and functions.

    class Dense(tf.Module):
        def __init__(self, n_in, n_out, name=None):
            super().__init__(name=name)
            self.w = tf.Variable(np.ones([n_in, n_out], np.float32), name="w")

`variables`, `trainable_variables`, `non_trainable_variables` and `submodules` are found by
reflection, as TensorFlow does: the module's attributes in name order, each flattened like
`tf.nest` (lists, tuples, dicts sorted by key), each object once, then the submodules' own leaves
breadth first. `name_scope` is the scope opened once at construction (`with self.name_scope:`
puts variable names under it).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from typing import Any

from savedmodel.api import nest
from savedmodel.api.tracking import AutoTrackable
from savedmodel.framework.scopes import NameScope
from savedmodel.framework.variables import Variable

_CAMEL_TO_SNAKE = re.compile(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))")
_VALID_IDENTIFIER = re.compile(r"^[a-zA-Z_]([a-zA-Z0-9_])*$")


def camel_to_snake(value: str) -> str:
    return _CAMEL_TO_SNAKE.sub(r"_\1", value).lower()


def valid_identifier(name: str) -> bool:
    return bool(_VALID_IDENTIFIER.match(name))


class Module(AutoTrackable):
    """Base class of models and layers (`tf.Module`)."""

    def __init__(self, name: str | None = None) -> None:
        if name is None:
            name = camel_to_snake(type(self).__name__)
        elif not valid_identifier(name):
            raise ValueError(
                f"{name!r} is not a valid module name. Module names must be valid Python"
                " identifiers (e.g. a valid class name)."
            )
        self._name = name
        with NameScope(name) as scope_name:
            self._name_scope = NameScope(scope_name)
        self._scope_name = scope_name

    @property
    def name(self) -> str:
        return self._name

    @property
    def name_scope(self) -> NameScope:
        return self._name_scope

    @property
    def variables(self) -> tuple[Variable, ...]:
        return tuple(self._flatten(predicate=_is_variable))

    @property
    def trainable_variables(self) -> tuple[Variable, ...]:
        return tuple(self._flatten(predicate=lambda v: _is_variable(v) and v.trainable))

    @property
    def non_trainable_variables(self) -> tuple[Variable, ...]:
        return tuple(self._flatten(predicate=lambda v: _is_variable(v) and not v.trainable))

    @property
    def submodules(self) -> tuple[Module, ...]:
        return tuple(self._flatten(predicate=lambda m: isinstance(m, Module)))

    def _flatten(
        self,
        recursive: bool = True,
        predicate: Callable[[Any], bool] | None = None,
        attribute_traversal_key: Callable[[str], Any] | None = None,
        with_path: bool = False,
    ) -> Iterator[Any]:
        """Leaves of this module's attributes (and its submodules'), see the module docstring."""
        return _flatten_module(
            self, recursive, predicate or (lambda _: True), attribute_traversal_key, with_path,
            (), {id(self)}, [],
        )  # fmt: skip

    @classmethod
    def with_name_scope(cls, method: Callable) -> Callable:
        """Decorate a method so that it runs inside the module's name scope."""

        @functools.wraps(method)
        def method_with_name_scope(self: Module, *args: Any, **kwargs: Any) -> Any:
            with self.name_scope:
                return method(self, *args, **kwargs)

        return method_with_name_scope

    def __repr__(self) -> str:
        return f"<{type(self).__module__}.{type(self).__name__} object at 0x{id(self):x}>"


def _is_variable(value: Any) -> bool:
    return isinstance(value, Variable)


def _flatten_module(
    module: Module,
    recursive: bool,
    predicate: Callable[[Any], bool],
    key: Callable[[str], Any] | None,
    with_path: bool,
    path: tuple,
    seen: set[int],
    stack: list[int],
) -> Iterator[Any]:
    attributes = vars(module)
    submodules: list[tuple[tuple, Module]] = []
    if id(module) in stack:
        recursive = False
    for name in sorted(attributes, key=key):
        if name.startswith("_self_"):
            continue
        for leaf_path, leaf in nest.flatten_with_paths(attributes[name]):
            full_path = (name, *leaf_path)
            if not with_path:
                if id(leaf) in seen:
                    continue
                seen.add(id(leaf))
            if predicate(leaf):
                yield (path + full_path, leaf) if with_path else leaf
            if recursive and isinstance(leaf, Module):
                submodules.append((path + full_path, leaf))
    stack.append(id(module))
    for sub_path, sub in submodules:
        yield from _flatten_module(sub, recursive, predicate, key, with_path, sub_path, seen, stack)
    stack.pop()
