"""`tf.function`: trace Python functions into graph functions, call them with numpy values.

    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def f(x):
        return {"y": x * 2.0}
    f(np.ones(3, np.float32))              # {"y": array([2., 2., 2.], dtype=float32)}
    f.get_concrete_function()              # the ConcreteFunction traced for the signature

A call is canonicalized with the function's FunctionSpec; each distinct input signature (tensor
dtypes and shapes, Python values, structure) gets its own trace, unless an earlier trace accepts
the inputs (a `[None]` trace serves any length). Tracing builds a `FuncGraph` with the framework
(placeholders for tensors, Python values passed as they are), converts every output to a tensor,
adds TensorFlow's automatic control dependencies (ops on one resource run in program order; every
stateful op runs), and turns the graph into a FunctionDef (`graph_to_function`). Variables and
other resources used by the traced code become captured inputs (`func_graph`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from savedmodel import dtypes
from savedmodel.api import concrete_function as cf_lib
from savedmodel.api import library, nest, values
from savedmodel.api.concrete_function import ConcreteFunction
from savedmodel.api.func_graph import FuncGraph
from savedmodel.api.function_spec import FunctionSpec
from savedmodel.api.graph_to_function import arg_name, is_stateful, to_function_def
from savedmodel.formats.nested_structure import TensorSpec
from savedmodel.framework import constant_op
from savedmodel.framework.graph import get_default_graph
from savedmodel.framework.op_builder import apply_op
from savedmodel.framework.operation import Operation, Tensor
from savedmodel.framework.tensor_shape import TensorShape
from savedmodel.framework.variables import Variable


def _leaf_key(leaf: Any) -> Any:
    if type(leaf) is np.ndarray and leaf.dtype.kind != "O":
        return ("T", dtypes.as_dtype(leaf.dtype).as_datatype_enum, leaf.shape)
    if isinstance(leaf, TensorSpec) or values.is_tensor_like(leaf):
        spec = leaf if isinstance(leaf, TensorSpec) else values.spec_of(leaf)
        return ("T", spec.dtype.as_datatype_enum, spec.shape.dims)
    try:
        hash(leaf)
    except TypeError:
        return ("O", id(leaf))
    return ("V", type(leaf).__name__, leaf)


def _structure_key(value: Any) -> Any:
    if not nest.is_nested(value):
        return _leaf_key(value)
    if isinstance(value, dict) or (nest.is_nested(value) and hasattr(value, "keys")):
        return ("D", tuple((k, _structure_key(v)) for k, v in nest.children(value)))
    if nest.is_nested(value):
        return (type(value).__name__, tuple(_structure_key(v) for _, v in nest.children(value)))
    return _leaf_key(value)


def _path_name(path: tuple, arg_names: list[str]) -> str:
    head, *rest = path
    parts = [arg_names[head] if isinstance(head, int) and head < len(arg_names) else str(head)]
    parts += [str(p) for p in rest]
    return "_".join(parts)


def _signature_for(inputs: tuple[tuple, dict], arg_names: list[str]) -> tuple[tuple, dict]:
    """Canonical inputs with every tensor (or spec) replaced by a named TensorSpec."""
    args, kwargs = inputs
    names = list(arg_names) + [f"args_{i}" for i in range(len(arg_names), len(args))]

    def spec_for(path: tuple, leaf: Any) -> Any:
        if isinstance(leaf, TensorSpec):
            return TensorSpec(leaf.shape, leaf.dtype, leaf.name or _path_name(path, names))
        if values.is_tensor_like(leaf):
            return values.spec_of(leaf, _path_name(path, names))
        return leaf

    def build(structure: Any, prefix: tuple) -> Any:
        flat = [spec_for((*prefix, *p), leaf) for p, leaf in nest.flatten_with_paths(structure)]
        return nest.pack_sequence_as(structure, flat)

    return tuple(build(a, (i,)) for i, a in enumerate(args)), {
        k: build(v, (k,)) for k, v in kwargs.items()
    }


def _output_name(path: tuple) -> str:
    if not path:
        return "unknown"
    head = f"tensor_{path[0]}" if isinstance(path[0], int) else str(path[0])
    return "_".join([head, *(str(p) for p in path[1:])])


class Function:
    """The callable `tf.function` returns (polymorphic: one trace per input signature)."""

    _is_polymorphic_function = True

    def __init__(
        self,
        python_function: Callable,
        name: str | None = None,
        input_signature: Any = None,
        jit_compile: bool | None = None,
        *,
        instance: Any = None,
        spec: FunctionSpec | None = None,
    ) -> None:
        self._python_function = python_function
        self._name = name or getattr(python_function, "__name__", "function")
        self._input_signature = tuple(input_signature) if input_signature is not None else None
        if spec is None:
            spec = FunctionSpec.from_function(python_function, self._input_signature, jit_compile)
        self._function_spec = spec
        self._instance = instance
        self._traces: list[ConcreteFunction] = []
        self._cache: dict[Any, ConcreteFunction] = {}
        functools.update_wrapper(self, python_function)

    # -- binding to instances (methods) ------------------------------------------------------------

    def __get__(self, instance: Any, owner: Any = None) -> Function:
        if instance is None:
            return self
        key = f"_self_tf_function_{id(self)}"
        bound = instance.__dict__.get(key) if hasattr(instance, "__dict__") else None
        if bound is None:
            spec = self._function_spec
            method_spec = FunctionSpec(
                spec.args[1:], spec.varargs, spec.varkw, spec.defaults, spec.kwonlyargs,
                spec.kwonlydefaults, spec.input_signature, spec.jit_compile,
            )  # fmt: skip
            bound = Function(
                self._python_function, self._name, self._input_signature, instance=instance,
                spec=method_spec,
            )  # fmt: skip
            if hasattr(instance, "__dict__"):
                instance.__dict__[key] = bound
        return bound

    # -- introspection -----------------------------------------------------------------------------

    @property
    def python_function(self) -> Callable:
        return self._python_function

    @property
    def input_signature(self) -> tuple | None:
        return self._input_signature

    @property
    def function_spec(self) -> FunctionSpec:
        return self._function_spec

    @property
    def name(self) -> str:
        return self._name

    def _list_all_concrete_functions(self) -> list[ConcreteFunction]:
        """Every trace; a function with an input signature is traced for it first (as TF does
        when saving)."""
        if self._input_signature is not None and not self._traces:
            self.get_concrete_function()
        return list(self._traces)

    @property
    def concrete_functions(self) -> list[ConcreteFunction]:
        return list(self._traces)

    def experimental_get_tracing_count(self) -> int:
        return len(self._traces)

    def __repr__(self) -> str:
        return f"<savedmodel.function {self._name} ({len(self._traces)} trace(s))>"

    # -- calling and tracing -----------------------------------------------------------------------

    def _canonical(self, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
        return self._function_spec.canonicalize(args, kwargs)

    def _concrete_for(self, inputs: tuple[tuple, dict]) -> ConcreteFunction:
        if self._input_signature is not None:
            if not self._traces:
                self._trace((self._input_signature, {}))
            return self._traces[0]
        key = _structure_key(inputs)
        function = self._cache.get(key)
        if function is not None:
            return function
        for trace in self._traces:
            if trace.callable_with(inputs, allow_conversion=False):
                self._cache[key] = trace
                return trace
        function = self._cache[key] = self._trace(inputs)
        return function

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        inputs = self._canonical(args, kwargs)
        function = self._concrete_for(inputs)
        try:
            flat = nest.flatten_up_to(function.structured_input_signature, inputs)
        except (TypeError, ValueError) as e:
            raise TypeError(
                f"{self._name}: the inputs do not match the input signature"
                f" {function.structured_input_signature!r}: {e}"
            ) from None
        matched = function._match_flat(flat, allow_conversion=True)
        if matched is not None and matched[1]:  # numpy arrays matching the trace exactly
            return function._call_matched(*matched)
        return function._call_structured(flat)

    def get_concrete_function(self, *args: Any, **kwargs: Any) -> ConcreteFunction:
        """The trace for these inputs (TensorSpecs or example values), tracing if needed."""
        if self._input_signature is not None and not args and not kwargs:
            return self._concrete_for(((), {}))
        return self._concrete_for(self._canonical(args, kwargs))

    def _trace(self, inputs: tuple[tuple, dict]) -> ConcreteFunction:
        function = trace_function(
            self._python_function, self._name, inputs, self._function_spec, self._instance
        )
        self._traces.append(function)
        return function


def trace_function(
    python_function: Callable,
    name: str,
    inputs: tuple[tuple, dict],
    spec: FunctionSpec | None,
    instance: Any = None,
    library_name: str | None = None,
) -> ConcreteFunction:
    """Trace `python_function` for canonical `inputs` into a ConcreteFunction."""
    arg_names = list(spec.args) if spec is not None else []
    signature = _signature_for(inputs, arg_names)
    fname = library_name or f"__inference_{name}_{library.uid()}"
    graph = FuncGraph(fname)
    user_names: list[str] = []
    with graph.as_default():
        placeholders = []
        for leaf in nest.flatten(signature):
            if isinstance(leaf, TensorSpec):
                t = apply_op(
                    "Placeholder", dtype=leaf.dtype, shape=TensorShape(leaf.shape.dims),
                    name=arg_name(leaf.name) if leaf.name else "input",
                )  # fmt: skip
                placeholders.append(t)
                user_names.append(leaf.name or t.op.name)
                graph.inputs.append(t)
            else:
                placeholders.append(leaf)
        call_args, call_kwargs = nest.pack_sequence_as(signature, placeholders)
        if instance is not None:
            call_args = (instance, *call_args)
        result = python_function(*call_args, **call_kwargs)
        outputs, structure = _outputs(result)
        must_run = _add_control_dependencies(graph)
        identities = _identities(outputs, must_run)
    n_user = len(user_names)
    user_names += [t.op.name.rsplit("/", 1)[-1] for t in graph.inputs[n_user:]]
    fdef = to_function_def(graph, fname, graph.inputs, identities, user_names, must_run)
    fdefs = {fname: fdef}
    for lib_name in graph._functions:
        fdefs[lib_name] = graph._get_function(lib_name)
    graph.structured_input_signature = signature
    graph.structured_outputs = structure
    graph.outputs = identities
    return ConcreteFunction(
        fname, fdefs, signature, structure, graph.captured_values, function_spec=spec,
        arg_keywords=[arg_name(n) for n in user_names[:n_user]], graph=graph,
    )  # fmt: skip


def _outputs(result: Any) -> tuple[list[Tensor], Any]:
    """Output tensors (Python values converted, None kept) and the structure of their specs."""
    tensors: list[Tensor] = []
    specs: list[Any] = []
    for path, leaf in nest.flatten_with_paths(result):
        if leaf is None or isinstance(leaf, Operation):
            specs.append(None)
            continue
        if isinstance(leaf, Variable):
            leaf = leaf.value()
        if not isinstance(leaf, Tensor):
            leaf = constant_op.convert_to_tensor(leaf)
        tensors.append(leaf)
        specs.append(TensorSpec(TensorShape(leaf.shape.dims), leaf.dtype, _output_name(path)))
    return tensors, nest.pack_sequence_as(result, specs)


def _resource_inputs(op: Operation) -> list[int]:
    return [id(t) for t in op.inputs if t.dtype.as_datatype_enum == 20]  # DT_RESOURCE


def _add_control_dependencies(graph: FuncGraph) -> list[Operation]:
    """TF's automatic control dependencies; returns the stateful ops that must run."""
    input_ops = {id(t.op) for t in graph.inputs}
    last_use: dict[int, Operation] = {}
    last_stateful: Operation | None = None
    must_run: list[Operation] = []
    for op in graph.get_operations():
        if id(op) in input_ops or not is_stateful(op, graph):
            continue
        must_run.append(op)
        resources = _resource_inputs(op)
        for key in resources:
            previous = last_use.get(key)
            if previous is not None and previous is not op:
                _depend(op, previous)
            last_use[key] = op
        if not resources:
            if last_stateful is not None:
                _depend(op, last_stateful)
            last_stateful = op
    return must_run


def _depend(op: Operation, on: Operation) -> None:
    if on in op.control_inputs or any(t.op is on for t in op.inputs):
        return
    op._add_control_input(on)


def _identities(outputs: list[Tensor], must_run: list[Operation]) -> list[Tensor]:
    noop = None
    if must_run:
        noop = apply_op("NoOp")
        noop._add_control_inputs(must_run)
    identities = []
    for t in outputs:
        ident = apply_op("Identity", input=t)
        if noop is not None:
            ident.op._add_control_input(noop)
        ident.set_shape(t.shape)
        identities.append(ident)
    return identities


# -- calling a concrete function while tracing another --------------------------------------------


def _graph_call(function: ConcreteFunction, flat: list[Any]) -> list[Any]:
    graph = get_default_graph()
    for lib_name, fdef in function.function_defs.items():
        if not graph._is_function(lib_name):
            graph._add_function(fdef)
    args = [t if isinstance(t, Tensor) else constant_op.convert_to_tensor(t) for t in flat]
    sig = function.function_def.signature
    op_type = "StatefulPartitionedCall" if sig.is_stateful else "PartitionedCall"
    outputs = apply_op(op_type, args=args, Tout=[a.type for a in sig.output_arg], f=function.name)
    if isinstance(outputs, Operation):
        return []
    specs = [s for s in nest.flatten(function.structured_outputs) if isinstance(s, TensorSpec)]
    for t, spec in zip(outputs, specs, strict=False):
        t.set_shape(TensorShape(spec.shape.dims))
    return list(outputs)


cf_lib.GRAPH_CALL = _graph_call


def function(
    func: Callable | None = None,
    input_signature: Any = None,
    autograph: bool = True,
    jit_compile: bool | None = None,
    reduce_retracing: bool = False,
    experimental_implements: Any = None,
    experimental_autograph_options: Any = None,
    experimental_attributes: Any = None,
    experimental_relax_shapes: Any = None,
    experimental_compile: Any = None,
    experimental_follow_type_hints: Any = None,
) -> Any:
    """`tf.function`: as a decorator (with or without arguments) or called on a function."""

    def decorate(fn: Callable) -> Function:
        return Function(fn, input_signature=input_signature, jit_compile=jit_compile)

    if func is None:
        return decorate
    return decorate(func)
