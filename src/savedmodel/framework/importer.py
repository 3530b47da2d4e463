"""`import_graph_def`: add the nodes of a GraphDef to a Graph, as TensorFlow's importer does.

Nodes are prefixed with the import scope (`import/` when `name` is None, nothing for ""),
renamed `x_1`, `x_2`... when the name is taken (references follow), created in a topological
order that keeps the GraphDef's order where it can, and get their OpDef's default attrs;
`_output_shapes` attrs are dropped (shapes are re-inferred, the recorded ones refine them).
`input_map` replaces inputs by existing tensors; the library's functions are added to the graph.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from typing import Any

from savedmodel import dtypes
from savedmodel.framework import op_defs
from savedmodel.framework.graph import Graph, get_default_graph
from savedmodel.framework.operation import Operation, Tensor
from savedmodel.framework.scopes import name_scope
from savedmodel.framework.tensor_shape import TensorShape
from savedmodel.graph.op_def_table import OpDef


def _parse_input(name: str) -> tuple[str, int, bool]:
    if name.startswith("^"):
        return name[1:], -1, True
    op, sep, idx = name.rpartition(":")
    if sep and idx.isdigit():
        return op, int(idx), False
    return name, 0, False


def _op_def(graph: Graph, op_type: str) -> OpDef:
    op_def = graph._op_def_for(op_type)
    if op_def is None:
        raise ValueError(f"Op type not registered '{op_type}' in binary")
    return op_def


def _unique(graph: Graph, name: str, taken: set[str]) -> str:
    if name not in graph._by_name and name not in taken:
        return name
    i = 1
    while f"{name}_{i}" in graph._by_name or f"{name}_{i}" in taken:
        i += 1
    return f"{name}_{i}"


def import_graph_def(
    graph_def: Any,
    input_map: Mapping[str, Any] | None = None,
    return_elements: Sequence[str] | None = None,
    name: str | None = None,
    op_dict: Any = None,
    producer_op_list: Any = None,
) -> list[Any] | None:
    """Import `graph_def` into the default graph; returns the `return_elements` if given."""
    graph = get_default_graph()
    input_map = dict(input_map or {})
    for key, value in input_map.items():
        if not isinstance(value, Tensor):
            raise TypeError(f"input_map values must be Tensors, got {value!r} for {key!r}")
    with name_scope(name, "import", list(input_map.values())) as scope:
        return _import(graph, graph_def, input_map, return_elements, scope)


def _import(
    graph: Graph,
    graph_def: Any,
    input_map: dict[str, Any],
    return_elements: Sequence[str] | None,
    scope: str,
) -> list[Any] | None:
    for fdef in graph_def.library.function:
        if not graph._is_function(fdef.signature.name):
            graph._add_function(fdef)
    nodes = list(graph_def.node)
    by_name = {nd.name: i for i, nd in enumerate(nodes)}
    if len(by_name) != len(nodes):
        raise ValueError("GraphDef has duplicate node names")
    order = _creation_order(nodes, by_name, input_map)
    prefix = scope
    taken: set[str] = set()
    final_names: dict[str, str] = {}
    for nd in nodes:
        new = _unique(graph, prefix + nd.name, taken)
        taken.add(new)
        final_names[nd.name] = new
    created: dict[str, Operation] = {}
    # (Merge op, input index, source node, output index) for each back edge, wired last
    back_edges: list[tuple[Operation, int, str, int]] = []
    for i in order:
        nd = nodes[i]
        op_def = _op_def(graph, nd.op)
        inputs: list[Tensor] = []
        control: list[Operation] = []
        pending_back: list[tuple[int, str, int]] = []
        for inp in nd.input:
            src, idx, ctrl = _parse_input(inp)
            if ctrl:
                control.append(created[src])
                continue
            mapped = input_map.get(f"{src}:{idx}")
            if mapped is not None:
                inputs.append(mapped)
                continue
            if src not in created:
                # A Merge's back edge (from NextIteration): the first input stands in for now.
                pending_back.append((len(inputs), src, idx))
                inputs.append(None)  # type: ignore[arg-type]
                continue
            op = created[src]
            if idx >= len(op._outputs):
                raise ValueError(
                    f"Node '{nd.name}': Connecting to invalid output {idx} of source"
                    f" node {src} which has {len(op._outputs)} outputs."
                )
            inputs.append(op._outputs[idx])
        if pending_back:
            stand_in = next(t for t in inputs if t is not None)
            inputs = [stand_in if t is None else t for t in inputs]
        attrs = {k: nd.attr[k] for k in sorted(nd.attr) if k != "_output_shapes"}
        for attr_name, spec in op_def.attrs.items():
            if attr_name not in attrs and not spec.has_default:
                raise ValueError(
                    f"NodeDef missing attr '{attr_name}' from Op<name={nd.op}>; NodeDef:"
                    f" {{{{node {nd.name}}}}}"
                )
        if "_class" in attrs and prefix:
            attrs["_class"] = _prefixed_class(attrs["_class"], prefix, final_names)
        input_types = [_input_type(t, a) for t, a in zip(inputs, _flat_input_refs(op_def, attrs),
                                                          strict=False)]  # fmt: skip
        with graph.control_dependencies(None):
            op = graph.create_op(
                nd.op, inputs, attrs=dict(attrs), name=final_names[nd.name] + "/",
                input_types=input_types, op_def=op_def,
            )  # fmt: skip
        for c in control:
            op._add_control_input(c)
        if nd.device:
            op._set_device(nd.device)
        key = op.name.lower()
        graph._names_in_use.setdefault(key, 1)
        if pending_back:
            # NOTE: like TF's shape refiner, a Merge with an input not yet known (the loop's
            # back edge) has an unknown output shape; the recorded shapes refine it below.
            op._outputs[0]._shape = TensorShape(None)
            back_edges.extend((op, k, src, idx) for k, src, idx in pending_back)
        _refine_shapes(op, nd)
        created[nd.name] = op
    for merge, k, src, idx in back_edges:
        source = created[src]
        if idx >= len(source._outputs):
            raise ValueError(
                f"Node '{merge.name}': Connecting to invalid output {idx} of source"
                f" node {src} which has {len(source._outputs)} outputs."
            )
        merge._update_input(k, source._outputs[idx])
    if return_elements is None:
        return None
    results: list[Any] = []
    for element in return_elements:
        src, idx, _ = _parse_input(element)
        if ":" in element:
            if src not in created:
                raise ValueError(f"Requested return tensor '{element}' not found in graph def")
            results.append(created[src]._outputs[idx])
        else:
            if element not in created:
                raise ValueError(f"Requested return node '{element}' not found in graph def")
            results.append(created[element])
    return results


def _creation_order(
    nodes: list[Any], by_name: Mapping[str, int], input_map: Mapping[str, Any]
) -> list[int]:
    """Indices of `nodes` in an order where each node comes after its inputs, GraphDef order
    where there is a choice.

    NOTE: as TF's importer does, a Merge with an input from a NextIteration (a while loop's
    back edge) waits for its control inputs and only ONE data input; the inputs not created by
    then are wired once every node exists. Any other cycle is an error.
    """
    pending: list[int] = []
    consumers: list[list[int]] = [[] for _ in nodes]
    # for a Merge, the data inputs after the first ready one must not count again
    merge_waiting: list[bool] = []
    for i, nd in enumerate(nodes):
        is_merge = nd.op in _MERGE_OPS and any(
            not inp.startswith("^")
            and _parse_input(inp)[0] in by_name
            and nodes[by_name[_parse_input(inp)[0]]].op in _NEXT_ITERATION_OPS
            for inp in nd.input
        )
        count = 0
        has_data = False
        for inp in nd.input:
            src, idx, ctrl = _parse_input(inp)
            if not ctrl and f"{src}:{idx}" in input_map:
                has_data = True
                continue
            if src not in by_name:
                raise ValueError(f"Node '{nd.name}': Unknown input node '{inp}'")
            consumers[by_name[src]].append(i if ctrl or not is_merge else ~i)
            if ctrl or not is_merge:
                count += 1
        data = [inp for inp in nd.input if not inp.startswith("^")]
        if is_merge and data and not has_data:
            count += 1
        pending.append(count)
        merge_waiting.append(is_merge and bool(data) and not has_data)
    ready = [i for i, n in enumerate(pending) if n == 0]
    heapq.heapify(ready)
    order: list[int] = []
    while ready:
        i = heapq.heappop(ready)
        order.append(i)
        for c in consumers[i]:
            if c < 0:  # a Merge's data input: only the first one counts
                c = ~c
                if not merge_waiting[c]:
                    continue
                merge_waiting[c] = False
            pending[c] -= 1
            if pending[c] == 0:
                heapq.heappush(ready, c)
    if len(order) != len(nodes):
        stuck = sorted(nodes[i].name for i in set(range(len(nodes))) - set(order))
        raise ValueError(
            f"GraphDef has a cycle that is not a while loop's back edge into a Merge; nodes"
            f" in or after it: {stuck[:10]}"
        )
    return order


_MERGE_OPS = frozenset({"Merge", "RefMerge"})
_NEXT_ITERATION_OPS = frozenset({"NextIteration", "RefNextIteration"})


def _flat_input_refs(op_def: OpDef, attrs: Mapping[str, Any]) -> list[bool]:
    flags: list[bool] = []
    for arg in op_def.inputs:
        if arg.number_attr:
            n = attrs[arg.number_attr].i if arg.number_attr in attrs else 1
        elif arg.type_list_attr:
            n = len(attrs[arg.type_list_attr].list.type) if arg.type_list_attr in attrs else 1
        else:
            n = 1
        flags.extend([arg.is_ref] * n)
    return flags


def _input_type(t: Tensor, is_ref: bool) -> dtypes.DType:
    return t.dtype if is_ref else t.dtype.base_dtype


def _prefixed_class(value: Any, prefix: str, final_names: Mapping[str, str]) -> Any:
    from savedmodel import protos

    groups = []
    for s in value.list.s:
        text = s.decode("utf-8", "surrogateescape")
        if text.startswith("loc:@"):
            target = text[5:]
            text = "loc:@" + final_names.get(target, prefix + target)
        groups.append(text.encode("utf-8", "surrogateescape"))
    return protos.AttrValue(list=protos.AttrValue.ListValue(s=groups))


def _refine_shapes(op: Operation, nd: Any) -> None:
    recorded = nd.attr.get("_output_shapes") if "_output_shapes" in nd.attr else None
    if recorded is None:
        return
    for t, shape_proto in zip(op._outputs, recorded.list.shape, strict=False):
        declared = TensorShape(shape_proto)
        if t.shape.is_compatible_with(declared):
            t._shape = t.shape.merge_with(declared)


def op_def_exists(op_type: str) -> bool:
    try:
        op_defs.get(op_type)
        return True
    except Exception:
        return False
