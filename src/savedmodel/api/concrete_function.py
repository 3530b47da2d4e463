"""`ConcreteFunction`: one traced (or restored) graph function, callable with numpy values.

A concrete function is a library function (`FunctionDef`, plus the functions it calls) with:

* `structured_input_signature`: the canonical `(args, kwargs)` structure it was traced for,
  TensorSpecs where tensors go, Python values baked in elsewhere;
* `structured_outputs`: the output structure, TensorSpecs where the function's flat outputs go;
* `captured_inputs`: the objects feeding its extra trailing inputs (variables give their resource
  handle, resources theirs, assets their path, constants their value).

Called eagerly it runs through the process-wide eager context (the functions are registered
there once), so it shares resources (variables, tables) with eager ops. Called while a function
is being traced, it adds a call op to that graph instead (see `savedmodel.api.function`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from savedmodel.api import nest, values
from savedmodel.api.function_spec import FunctionSpec
from savedmodel.errors import InvalidArgumentError
from savedmodel.formats.nested_structure import TensorSpec
from savedmodel.framework import context, eager
from savedmodel.framework.operation import Tensor
from savedmodel.framework.variables import Variable
from savedmodel.graph import FuncAttr

# Set by savedmodel.api.function: builds a call op when a concrete function is called while
# another function is traced (kept as a hook so restored functions need no tracing machinery).
GRAPH_CALL: Callable[[ConcreteFunction, list[Any]], list[Any]] | None = None


def capture_value(obj: Any) -> Any:
    """The value an object contributes as a captured input (handles, asset paths, constants)."""
    if isinstance(obj, Variable):
        return obj.handle
    handle = getattr(obj, "_capture_value", None)
    if handle is not None:
        return handle()
    return obj


class ConcreteFunction:
    """A graph function with a fixed input signature; see the module docstring."""

    def __init__(
        self,
        name: str,
        function_defs: dict[str, Any],
        input_signature: tuple[tuple, dict[str, Any]],
        output_signature: Any,
        captures: list[Any],
        *,
        function_spec: FunctionSpec | None = None,
        arg_keywords: list[str] | None = None,
        num_positional: int | None = None,
        graph: Any = None,
    ) -> None:
        self.name = name
        self._function_defs = function_defs  # this function and every function it calls
        self._input_signature = input_signature
        self._output_signature = output_signature
        self._captures = list(captures)
        self._function_spec = function_spec
        self._flat_specs = [s for s in nest.flatten(input_signature) if isinstance(s, TensorSpec)]
        if arg_keywords is None:
            arg_keywords = [s.name or f"arg_{i}" for i, s in enumerate(self._flat_specs)]
        self._arg_keywords = list(arg_keywords)
        self._num_positional = len(arg_keywords) if num_positional is None else num_positional
        self.graph = graph
        self._func = FuncAttr(name)

    # -- introspection -----------------------------------------------------------------------------

    @property
    def function_def(self) -> Any:
        return self._function_defs[self.name]

    @property
    def function_defs(self) -> dict[str, Any]:
        return dict(self._function_defs)

    @property
    def structured_input_signature(self) -> tuple[tuple, dict[str, Any]]:
        return self._input_signature

    @property
    def structured_outputs(self) -> Any:
        return self._output_signature

    @property
    def output_structure(self) -> Any:
        return self._output_signature

    @property
    def captured_inputs(self) -> list[Any]:
        return [capture_value(c) for c in self._captures]

    @property
    def function_spec(self) -> FunctionSpec | None:
        return self._function_spec

    @property
    def inputs(self) -> list[TensorSpec]:
        return list(self._flat_specs)

    def __repr__(self) -> str:
        args, kwargs = self._input_signature
        parts = [repr(a) for a in args]
        parts += [f"{k}={v!r}" for k, v in kwargs.items()]
        return f"<ConcreteFunction {self.name}({', '.join(parts)}) at 0x{id(self):X}>"

    # -- calling -----------------------------------------------------------------------------------

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._function_spec is not None:
            try:
                inputs = self._function_spec.canonicalize(args, kwargs)
                flat = nest.flatten_up_to(self._input_signature, inputs)
            except (TypeError, ValueError) as e:
                if not self._arg_keywords:
                    raise TypeError(f"{self.name}: {e}") from None
            else:
                if self.callable_with(inputs, allow_conversion=True):
                    return self._call_structured(flat)
                raise InvalidArgumentError(
                    f"{self.name} was traced for {self._input_signature!r}; the call's inputs"
                    " do not match it"
                )
        return self._call_keywords(args, kwargs)

    def _call_keywords(self, args: tuple, kwargs: dict[str, Any]) -> Any:
        """Flat call: positional args (up to the allowed count), then keywords by name."""
        if len(args) > self._num_positional:
            raise TypeError(
                f"{self.name} takes at most {self._num_positional} positional argument(s)"
                f" ({', '.join(self._arg_keywords)} by keyword), got {len(args)}"
            )
        bound = dict(zip(self._arg_keywords, args, strict=False))
        for key, value in kwargs.items():
            if key not in self._arg_keywords:
                raise TypeError(
                    f"{self.name} got an unexpected keyword argument {key!r}; it takes"
                    f" {self._arg_keywords}"
                )
            if key in bound:
                raise TypeError(f"{self.name} got two values for argument {key!r}")
            bound[key] = value
        missing = [k for k in self._arg_keywords if k not in bound]
        if missing:
            raise TypeError(f"{self.name} is missing required argument(s) {missing}")
        return self._call_converted([bound[k] for k in self._arg_keywords])

    def callable_with(self, inputs: tuple[tuple, dict], allow_conversion: bool) -> bool:
        """Whether canonical `inputs` match the signature (TF's restored-function dispatch)."""
        try:
            flat = nest.flatten_up_to(self._input_signature, inputs)
        except (TypeError, ValueError):
            return False
        for arg, expected in zip(flat, nest.flatten(self._input_signature), strict=True):
            if isinstance(expected, TensorSpec):
                if values.is_tensor_like(arg):
                    spec = values.spec_of(arg)
                elif allow_conversion:
                    spec = values.try_spec_after_conversion(arg, expected.dtype)
                    if spec is None:
                        return False
                else:
                    return False
                if spec.dtype != expected.dtype:
                    return False
                if not values.shape_compatible(expected.shape, spec.shape):
                    return False
            elif values.is_tensor_like(arg) or isinstance(expected, np.ndarray):
                if arg is not expected:
                    return False
            elif arg != expected:
                return False
        return True

    def _call_structured(self, flat_inputs: list[Any]) -> Any:
        specs = nest.flatten(self._input_signature)
        tensors = [
            values.to_array(arg, spec.dtype) if not values.is_tensor_like(arg) else arg
            for arg, spec in zip(flat_inputs, specs, strict=True)
            if isinstance(spec, TensorSpec)
        ]
        return self._call_converted(tensors)

    def _call_converted(self, tensors: list[Any]) -> Any:
        if len(tensors) != len(self._flat_specs):
            raise InvalidArgumentError(
                f"{self.name} takes {len(self._flat_specs)} tensor inputs, got {len(tensors)}"
            )
        flat = []
        for i, (value, spec) in enumerate(zip(tensors, self._flat_specs, strict=True)):
            where = f"{self.name} input {i} ({spec.name or self._arg_keywords[i]!r})"
            if isinstance(value, Variable) and not context.executing_eagerly():
                value = value.value()  # a ReadVariableOp in the graph being built
            if isinstance(value, Tensor):
                if value.dtype.base_dtype != spec.dtype:
                    raise InvalidArgumentError(
                        f"{where}: expected {spec.dtype.name}, got a {value.dtype.name} tensor"
                    )
            else:
                value = values.as_dtype_array(value, spec.dtype, where)
            values.check_shape(value, spec.shape, where)
            flat.append(value)
        return self._pack_outputs(self.call_flat(flat))

    def call_flat(self, flat: list[Any]) -> list[Any]:
        """Run on converted flat inputs (captured inputs appended); the flat outputs."""
        captured = self.captured_inputs
        if not context.executing_eagerly() or any(isinstance(t, Tensor) for t in flat):
            if GRAPH_CALL is None:
                raise InvalidArgumentError(f"{self.name} cannot be called while building a graph")
            return GRAPH_CALL(self, flat + captured)
        ctx = eager.context()
        for name, fdef in self._function_defs.items():
            if not ctx.has_function(name):
                ctx.add_function(fdef)
        return ctx.call(self._func, flat + captured)

    def _pack_outputs(self, outputs: list[Any]) -> Any:
        structure = self._output_signature
        leaves = nest.flatten(structure)
        it = iter(outputs)
        filled = [next(it) if isinstance(leaf, TensorSpec) else leaf for leaf in leaves]
        return nest.pack_sequence_as(structure, filled)
