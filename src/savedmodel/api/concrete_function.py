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
        # Per-call constants, computed on first use (see _fast_plan, _eager_caller, _outputs_plan)
        self._fast: Any = _UNSET
        self._out_plan: Any = _UNSET
        self._caller: tuple[int, Any] | None = None
        self._captured_cache: list[Any] | None = None
        self._checks: list[tuple[Any, Any, int | None, tuple]] | None = None

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
        fast = self._fast if self._fast is not _UNSET else self._fast_plan()
        if fast is not None and not args and context.executing_eagerly():
            flat = _fast_inputs(fast, kwargs)
            if flat is not None:
                return self._pack_outputs(self._run_eager(flat))
        if self._function_spec is not None:
            try:
                inputs = self._function_spec.canonicalize(args, kwargs)
                flat = nest.flatten_up_to(self._input_signature, inputs)
            except (TypeError, ValueError) as e:
                if not self._arg_keywords:
                    raise TypeError(f"{self.name}: {e}") from None
            else:
                matched = self._match_flat(flat, allow_conversion=True)
                if matched is not None:
                    return self._call_matched(*matched)
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
        return self._match(inputs, allow_conversion) is not None

    def _leaf_checks(self) -> list[tuple[Any, Any, int | None, tuple]]:
        """Per flat signature leaf: (leaf, numpy dtype of an exact array match or None, rank,
        known dims); computed once."""
        checks = self._checks
        if checks is None:
            checks = []
            for leaf in nest.flatten(self._input_signature):
                np_dtype, rank, known = None, None, ()
                if isinstance(leaf, TensorSpec):
                    info = leaf.dtype.info
                    if info.numpy is not None and np.dtype(info.numpy).kind != "O":
                        np_dtype = np.dtype(info.numpy)
                    dims = leaf.shape.dims
                    if dims is not None:
                        rank = len(dims)
                        known = tuple((i, int(d)) for i, d in enumerate(dims) if d is not None)
                checks.append((leaf, np_dtype, rank, known))
            self._checks = checks
        return checks

    def _match(self, inputs: tuple[tuple, dict], allow_conversion: bool) -> Any:
        """(tensor inputs, whether all are exact numpy matches) if canonical `inputs` fit the
        signature, else None. Arrays of the spec's dtype and shape pass as they are."""
        try:
            flat = nest.flatten_up_to(self._input_signature, inputs)
        except (TypeError, ValueError):
            return None
        return self._match_flat(flat, allow_conversion)

    def _match_flat(self, flat: list[Any], allow_conversion: bool) -> Any:
        tensors: list[Any] = []
        exact = True
        for arg, (expected, np_dtype, rank, known) in zip(flat, self._leaf_checks(), strict=True):
            if np_dtype is not None and type(arg) is not np.ndarray:
                if isinstance(arg, np.generic):
                    arg = np.asarray(arg)
                elif allow_conversion and not values.is_tensor_like(arg):
                    # A Python value: converted once, then checked like an array.
                    try:
                        arg = values.to_array(arg, expected.dtype)
                    except (TypeError, ValueError):
                        return None
            if type(arg) is np.ndarray and np_dtype is not None:
                if not _fits(arg, np_dtype, rank, known):
                    return None
                tensors.append(arg)
                continue
            if isinstance(expected, TensorSpec):
                if values.is_tensor_like(arg):
                    spec = values.spec_of(arg)
                elif allow_conversion:
                    spec = values.try_spec_after_conversion(arg, expected.dtype)
                    if spec is None:
                        return None
                else:
                    return None
                if spec.dtype != expected.dtype:
                    return None
                if not values.shape_compatible(expected.shape, spec.shape):
                    return None
                exact = False
                tensors.append(arg if values.is_tensor_like(arg) else
                               values.to_array(arg, expected.dtype))  # fmt: skip
            elif values.is_tensor_like(arg) or isinstance(expected, np.ndarray):
                if arg is not expected:
                    return None
            elif arg != expected:
                return None
        return tensors, exact

    def _call_matched(self, tensors: list[Any], exact: bool) -> Any:
        if exact and context.executing_eagerly():
            return self._pack_outputs(self._run_eager(tensors))
        return self._call_converted(tensors)

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
        if not context.executing_eagerly() or any(isinstance(t, Tensor) for t in flat):
            if GRAPH_CALL is None:
                raise InvalidArgumentError(f"{self.name} cannot be called while building a graph")
            return GRAPH_CALL(self, flat + self.captured_inputs)
        return self._run_eager(flat)

    def _run_eager(self, flat: list[Any]) -> list[Any]:
        ctx = eager.context()
        cached = self._caller
        if cached is None or cached[0] != ctx.version:
            for name, fdef in self._function_defs.items():
                if not ctx.has_function(name):
                    ctx.add_function(fdef)
            cached = self._caller = (ctx.version, ctx.function(self._func))
        captured = self._captured_cache
        if captured is None:
            # Handles of variables and resources, asset paths, constants: fixed once made.
            captured = self._captured_cache = self.captured_inputs
        return cached[1](*flat, *captured)

    def _pack_outputs(self, outputs: list[Any]) -> Any:
        plan = self._out_plan if self._out_plan is not _UNSET else self._outputs_plan()
        if plan is not None:  # a dict of tensors: no generic nest walk
            return {key: outputs[i] for key, i in plan}
        structure = self._output_signature
        leaves = nest.flatten(structure)
        it = iter(outputs)
        filled = [next(it) if isinstance(leaf, TensorSpec) else leaf for leaf in leaves]
        return nest.pack_sequence_as(structure, filled)

    # -- per-function constants of the fast paths ---------------------------------------------

    def _fast_plan(self) -> Any:
        """For a signature of keyword tensors only (`((), {name: TensorSpec})`, as signature
        functions have): (key set, [(key, numpy dtype, rank, known dims)] in flat order)."""
        args, kwargs = self._input_signature
        plan = None
        if not args and kwargs and type(kwargs) is dict:
            keys = sorted(kwargs)
            specs = [kwargs[k] for k in keys]
            by_keyword = self._function_spec is not None or self._arg_keywords == keys
            if by_keyword and all(type(spec) is TensorSpec for spec in specs):
                checks = []
                for key, spec in zip(keys, specs, strict=True):
                    np_dtype = spec.dtype.as_numpy_dtype if spec.dtype.info.numpy else None
                    dims = spec.shape.dims
                    if np_dtype is None or dims is None or np.dtype(np_dtype).kind == "O":
                        checks = None
                        break
                    known = tuple((i, int(d)) for i, d in enumerate(dims) if d is not None)
                    checks.append((key, np.dtype(np_dtype), len(dims), known))
                if checks is not None:
                    plan = (frozenset(keys), checks)
        self._fast = plan
        return plan

    def _outputs_plan(self) -> Any:
        structure = self._output_signature
        plan = None
        if type(structure) is dict and all(type(v) is TensorSpec for v in structure.values()):
            index = {key: i for i, key in enumerate(sorted(structure))}
            plan = [(key, index[key]) for key in structure]
        self._out_plan = plan
        return plan


_UNSET = object()


def _fast_inputs(plan: Any, kwargs: dict[str, Any]) -> list[Any] | None:
    """The flat inputs when every keyword is a numpy array (or scalar) of exactly the spec's
    dtype and a fitting shape; None sends the call down the general path (conversions, errors)."""
    keys, checks = plan
    if len(kwargs) != len(keys) or not keys.issuperset(kwargs):
        return None
    flat = []
    for key, dtype, rank, known in checks:
        value = kwargs[key]
        if type(value) is not np.ndarray:
            if not isinstance(value, np.generic):
                return None
            value = np.asarray(value)
        if not _fits(value, dtype, rank, known):
            return None
        flat.append(value)
    return flat


def _fits(arr: np.ndarray, dtype: np.dtype, rank: int | None, known: tuple) -> bool:
    """Whether an array has exactly `dtype`, and `rank` (None: any) with the `known` dims."""
    if arr.dtype != dtype or (rank is not None and arr.ndim != rank):
        return False
    shape = arr.shape
    return all(shape[i] == d for i, d in known)
