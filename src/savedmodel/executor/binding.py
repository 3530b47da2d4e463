"""Per-node binding, shared by the linear and the dataflow executor, and kernel-output checks.

`bind_node` does once, at plan time, everything a node needs to run: its kernel (or the caller of
the library function it names), the keyword arguments (attrs the kernel names, `ctx`), how its
inputs group into OpDef arguments, which inputs are TF1 ref edges to read, and the dtype each
output must have. `output_info` gives a node's output dtypes and which outputs are refs.

`check_one` / `coerce_many` check a kernel's result against the OpDef (numpy scalars and Python
values are accepted and converted; an array of another dtype is an InternalError).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from savedmodel.errors import InternalError, InvalidArgumentError, OpError
from savedmodel.graph import ARG_OP, Edge, FuncAttr, FunctionBody, Graph, Node
from savedmodel.ops import registry

_ndarray = np.ndarray
_OBJECT = np.dtype(object)


@dataclass
class Binding:
    """How to run one node; inputs are referred to by their position in `node.inputs`."""

    fn: Callable
    kw: dict[str, Any]
    spec: list[int | tuple[int, ...]]  # per OpDef input argument: a position, or a tuple of them
    deref: set[int]  # positions of ref edges read by a non-ref argument (TF1 variables)
    single: bool  # the kernel returns one bare value (see ops/registry.py)
    dtypes: tuple  # expected dtype per output (None: a ref output, passed through)


def output_info(graph: Graph, node: Node) -> tuple[list[np.dtype], list[bool]]:
    """A node's output dtypes and, per output, whether it is a ref edge."""
    op_def = graph.op_def(node)
    attrs = op_def.with_defaults(node.attrs)
    try:
        return op_def.output_dtypes(attrs), op_def.output_is_ref(attrs)
    except OpError as e:
        raise InvalidArgumentError(e.message, node_name=node.name, op_type=node.op) from None


def bind_node(
    graph: Graph,
    node: Node,
    ctx: Any,
    call_function: Callable[[FuncAttr], Callable],
    input_is_ref: list[bool],
    outputs: tuple[list[np.dtype], list[bool]],
) -> Binding:
    """The binding of `node`; `input_is_ref[k]`: whether input k comes from a ref output."""
    op_def = graph.op_def(node)
    attrs = op_def.with_defaults(node.attrs)
    deref = deref_positions(graph, node, input_is_ref)
    positions = list(range(len(node.inputs)))
    if node.op in graph.library:
        fn = call_function(FuncAttr(node.op, node.attrs))
        kw: dict[str, Any] = {}
        spec: list[int | tuple[int, ...]] = list(positions)
    else:
        scope = f"{graph.name}/" if isinstance(graph, FunctionBody) else ""
        fn, kw = _bind_kernel(node, attrs, ctx, scope)
        spec = _group_inputs(op_def, attrs, positions, node)
    dts, refs = outputs
    # A bare value comes back only from ops with one plain (non-list) output argument;
    # list outputs and function calls return sequences (see ops/registry.py).
    single = node.op not in graph.library and _plain_single_output(op_def)
    expected = tuple(None if ref else dt for dt, ref in zip(dts, refs, strict=True))
    return Binding(fn, kw, spec, deref, single, expected)


def deref_positions(graph: Graph, node: Node, input_is_ref: list[bool]) -> set[int]:
    """Inputs that come from ref edges but feed a non-ref argument: the executor reads them."""
    # Reading a ref edge with a non-ref input argument dereferences it (TF1 variables).
    if node.op in graph.library:
        wants_ref: list[bool] = []
    else:
        op_def = graph.op_def(node)
        try:
            wants_ref = op_def.input_is_ref(op_def.with_defaults(node.attrs))
        except OpError as e:
            raise InvalidArgumentError(e.message, node_name=node.name, op_type=node.op) from None
    return {
        k
        for k, is_ref in enumerate(input_is_ref)
        if is_ref and not (k < len(wants_ref) and wants_ref[k])
    }


def _bind_kernel(node: Node, attrs: dict, ctx: Any, scope: str) -> tuple[Callable, dict]:
    """A node's kernel and the keyword arguments it is called with (attrs it names, ctx)."""
    kernel = registry.lookup(node.op)
    assert kernel is not None  # support.check_nodes guarantees it
    kw = {name: attrs[name] for name in kernel.attr_names if name in attrs}
    for value in kw.values():
        if type(value) is _ndarray:
            value.flags.writeable = False  # tensor attrs are shared by every run
    if kernel.wants_context:
        kw["ctx"] = ctx
    if kw.get("shared_name") == "":
        # NOTE: a resource op with an empty shared_name gets a resource of its own per node
        # (TF uses the node name, or an anonymous per-kernel name).
        kw["shared_name"] = f"{scope}{node.name}"
    return kernel.fn, kw


def _plain_single_output(op_def: Any) -> bool:
    if len(op_def.outputs) != 1:
        return False
    arg = op_def.outputs[0]
    return not (arg.number_attr or arg.type_list_attr)


def _group_inputs(op_def: Any, attrs: dict, in_slots: list[int], node: Node) -> list:
    """Slots grouped per OpDef input argument: a list argument becomes one tuple of slots."""
    try:
        counts = op_def.input_counts(attrs)
    except OpError as e:
        raise InvalidArgumentError(e.message, node_name=node.name, op_type=node.op) from None
    if sum(counts) != len(in_slots):
        raise InvalidArgumentError(
            f"op {node.op} expects {sum(counts)} inputs here, the node has {len(in_slots)}",
            node_name=node.name,
            op_type=node.op,
        )
    spec: list[int | tuple[int, ...]] = []
    pos = 0
    for arg, n in zip(op_def.inputs, counts, strict=True):
        if arg.number_attr or arg.type_list_attr:
            spec.append(tuple(in_slots[pos : pos + n]))
        else:
            spec.append(in_slots[pos])
        pos += n
    return spec


def feed_dtype(graph: Graph, edge: Edge) -> np.dtype | None:
    """The dtype a fed tensor must have (None when the graph does not say)."""
    node = graph.nodes.get(edge[0])
    if node is None or node.op == ARG_OP:
        return None
    op_def = graph.op_def(node)
    if op_def is None:
        return None
    try:
        dts = op_def.output_dtypes(op_def.with_defaults(node.attrs))
    except OpError:
        return None
    return dts[edge[1]] if edge[1] < len(dts) else None


def check_one(value: Any, dtype: np.dtype) -> Any:
    if type(value) is _ndarray and value.dtype is dtype:
        return value
    return coerce(value, dtype, 0)


def coerce(value: Any, dtype: np.dtype | None, index: int) -> Any:
    """Accept numpy scalars / Python values as arrays; reject a dtype other than the OpDef's."""
    if dtype is None:  # a ref output: passed through as is
        return value
    if not isinstance(value, _ndarray):
        if isinstance(value, np.generic):
            value = np.asarray(value)
        elif dtype == _OBJECT and not isinstance(value, (list, tuple, np.ndarray)):
            # A handle, TensorList or bytes object: wrap it as a scalar object tensor.
            wrapped = np.empty((), dtype=_OBJECT)
            wrapped[()] = value
            return wrapped
        else:
            value = np.asarray(value, dtype=dtype)
    if value.dtype != dtype:
        raise InternalError(
            f"kernel returned dtype {value.dtype} for output {index}, but the op's output type"
            f" is {dtype}"
        )
    return value


def coerce_many(values: Any, dtypes: tuple) -> list[Any]:
    # A one-element list output may come back bare (registry contract) or as a sequence.
    values = list(values) if isinstance(values, (list, tuple)) or len(dtypes) != 1 else [values]
    if len(values) != len(dtypes):
        raise InternalError(f"kernel returned {len(values)} outputs, but the op has {len(dtypes)}")
    for i, (v, dt) in enumerate(zip(values, dtypes, strict=True)):
        if type(v) is not _ndarray or v.dtype != dt:
            values[i] = coerce(v, dt, i)
    return values
