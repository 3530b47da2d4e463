"""A function's Python calling convention (`FunctionSpec`): binding calls to canonical inputs.

A tf.function call `f(*args, **kwargs)` is canonicalized before it is matched against traces:
every positional-or-keyword parameter becomes positional (defaults filled in), keyword-only
parameters go to the kwargs dict. The canonical `(args, kwargs)` pair is what a concrete
function's `structured_input_signature` describes. `FunctionSpec` is also stored in SavedModels
(`tensorflow.FunctionSpec`, its `fullargspec` a FullArgSpec namedtuple; FORMAT.md §4.3).
"""

from __future__ import annotations

import collections
import inspect
from collections.abc import Callable
from typing import Any

from savedmodel import protos
from savedmodel.formats import nested_structure

FullArgSpec = collections.namedtuple(
    "FullArgSpec",
    ["args", "varargs", "varkw", "defaults", "kwonlyargs", "kwonlydefaults", "annotations"],
)

_JIT = {None: 0, True: 1, False: 2}


class FunctionSpec:
    """Parameter names, defaults and optional input signature of a (traced) Python function."""

    def __init__(
        self,
        args: list[str],
        varargs: str | None = None,
        varkw: str | None = None,
        defaults: tuple | None = None,
        kwonlyargs: list[str] | None = None,
        kwonlydefaults: dict[str, Any] | None = None,
        input_signature: tuple | None = None,
        jit_compile: bool | None = None,
    ) -> None:
        self.args = list(args)
        self.varargs = varargs
        self.varkw = varkw
        self.defaults = tuple(defaults) if defaults else None
        self.kwonlyargs = list(kwonlyargs or [])
        self.kwonlydefaults = dict(kwonlydefaults) if kwonlydefaults else None
        self.input_signature = tuple(input_signature) if input_signature is not None else None
        self.jit_compile = jit_compile

    @classmethod
    def from_function(
        cls, fn: Callable, input_signature: Any = None, jit_compile: bool | None = None
    ) -> FunctionSpec:
        """The spec of a Python function (`self` of a bound method left out, as TF 2.21 does)."""
        spec = inspect.getfullargspec(fn)
        args = list(spec.args)
        if inspect.ismethod(fn) and args:
            args = args[1:]
        return cls(
            args, spec.varargs, spec.varkw, spec.defaults, spec.kwonlyargs, spec.kwonlydefaults,
            input_signature, jit_compile,
        )  # fmt: skip

    @classmethod
    def from_proto(cls, proto: Any) -> FunctionSpec:
        full = nested_structure.decode(proto.fullargspec)
        args = list(full.args or [])
        # NOTE: older TF stored methods with `self` (and is_method); TF's loader drops it.
        if proto.is_method or (args and args[0] == "self"):
            args = args[1:]
        signature = nested_structure.decode(proto.input_signature)
        jit = {0: None, 1: True, 2: False}.get(proto.jit_compile)
        return cls(
            args, full.varargs, full.varkw, full.defaults, full.kwonlyargs, full.kwonlydefaults,
            signature, jit,
        )  # fmt: skip

    def fullargspec(self) -> FullArgSpec:
        return FullArgSpec(
            list(self.args), self.varargs, self.varkw, self.defaults, list(self.kwonlyargs),
            self.kwonlydefaults, {},
        )  # fmt: skip

    def to_proto(self, *, with_signature: bool = True) -> Any:
        proto = protos.FunctionSpec()
        proto.fullargspec.CopyFrom(nested_structure.encode(self.fullargspec()))
        signature = self.input_signature if with_signature else None
        proto.input_signature.CopyFrom(nested_structure.encode(signature))
        proto.jit_compile = _JIT[self.jit_compile]
        return proto

    @property
    def default_values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.defaults:
            for name, value in zip(self.args[-len(self.defaults) :], self.defaults, strict=True):
                out[name] = value
        out.update(self.kwonlydefaults or {})
        return out

    def canonicalize(self, args: tuple, kwargs: dict[str, Any]) -> tuple[tuple, dict[str, Any]]:
        """Bind a call to (positional args with defaults filled in, keyword-only args)."""
        kwargs = dict(kwargs)
        n = len(self.args)
        if len(args) > n and self.varargs is None:
            raise TypeError(
                f"too many positional arguments: the function takes {n}, got {len(args)}"
            )
        defaults = self.default_values
        positional = list(args[:n])
        for name in self.args[: len(positional)]:
            if name in kwargs:
                raise TypeError(f"got multiple values for argument {name!r}")
        for name in self.args[len(positional) :]:
            if name in kwargs:
                positional.append(kwargs.pop(name))
            elif name in defaults:
                positional.append(defaults[name])
            else:
                raise TypeError(f"missing required argument {name!r}")
        positional.extend(args[n:])
        out_kwargs: dict[str, Any] = {}
        for name in self.kwonlyargs:
            if name in kwargs:
                out_kwargs[name] = kwargs.pop(name)
            elif name in defaults:
                out_kwargs[name] = defaults[name]
            else:
                raise TypeError(f"missing required keyword-only argument {name!r}")
        if kwargs:
            if self.varkw is None:
                raise TypeError(f"got unexpected keyword argument(s) {sorted(kwargs)}")
            out_kwargs.update(kwargs)
        return tuple(positional), out_kwargs
