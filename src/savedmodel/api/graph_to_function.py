"""A traced FuncGraph as a `FunctionDef`, following TensorFlow's conventions (FORMAT.md §4.5).

* input args: the graph's input placeholders in order (traced inputs, then captures), named
  after the placeholder, lower-cased, other characters than [a-z0-9_] replaced by `_`;
* output args `identity`, `identity_1`, ... (the Identity ops the tracer adds), `ret` mapping
  each to `Identity:output:0`;
* node inputs `<node>:<output arg name>:<index in that arg>`, or the input arg's name, control
  inputs `^<node>`;
* `is_stateful` when any op is stateful; `control_output` / `control_ret` list the stateful ops
  that must run; resource args carry `handle_data`; `_user_specified_name` and `_output_shapes`
  arg attrs and `_construction_context: "kEagerRuntime"`, as TF writes them.
"""

from __future__ import annotations

import re
from typing import Any

from savedmodel import protos
from savedmodel.framework.operation import Operation, Tensor
from savedmodel.graph.op_def_table import OpDef

_ARG_CHARS = re.compile(r"[^a-z0-9_]")


def arg_name(name: str) -> str:
    out = _ARG_CHARS.sub("_", name.lower())
    return out if out and not out[0].isdigit() else f"arg_{out}"


def _unique(name: str, taken: set[str]) -> str:
    candidate, i = name, 0
    while candidate in taken:
        i += 1
        candidate = f"{name}_{i}"
    taken.add(candidate)
    return candidate


def _output_arg_names(op: Operation, graph: Any) -> list[tuple[str, int]]:
    """(output arg name, index within the arg) for each output of `op`."""
    fdef = graph._get_function(op.type)
    if fdef is not None:
        return [(a.name, 0) for a in fdef.signature.output_arg]
    op_def: OpDef | None = op.op_def
    if op_def is None:
        return [("output", i) for i in range(len(op.outputs))]
    counts = op_def.output_counts(op._ir_node().attrs)
    out: list[tuple[str, int]] = []
    for arg, n in zip(op_def.outputs, counts, strict=True):
        out.extend((arg.name, i) for i in range(n))
    return out


def _shape_attr(shapes: list[Any]) -> Any:
    value = protos.AttrValue()
    value.list.SetInParent()
    for shape in shapes:
        shape.to_proto(value.list.shape.add())
    return value


def is_stateful(op: Operation, graph: Any) -> bool:
    fdef = graph._get_function(op.type)
    if fdef is not None:
        return fdef.signature.is_stateful
    return op.op_def is not None and op.op_def.is_stateful


def to_function_def(
    graph: Any,
    name: str,
    inputs: list[Tensor],
    outputs: list[Tensor],
    user_names: list[str],
    must_run: list[Operation],
) -> Any:
    """The FunctionDef of `graph` from `inputs` (placeholders) to `outputs` (Identity tensors)."""
    fdef = protos.FunctionDef()
    sig = fdef.signature
    sig.name = name
    taken: set[str] = set()
    arg_of: dict[int, str] = {}
    for i, (t, user_name) in enumerate(zip(inputs, user_names, strict=True)):
        arg = sig.input_arg.add()
        arg.name = _unique(arg_name(t.op.name), taken)
        arg.type = t.dtype.as_datatype_enum
        handle_data = getattr(t, "_handle_data", None)
        if handle_data is not None:
            shape, dtype = handle_data
            entry = arg.handle_data.add()
            entry.dtype = dtype.as_datatype_enum
            shape.to_proto(entry.shape)
        arg_of[id(t.op)] = arg.name
        attrs = fdef.arg_attr[i].attr
        if t.dtype.as_datatype_enum != protos.DT_RESOURCE:
            attrs["_output_shapes"].CopyFrom(_shape_attr([t.shape]))
        attrs["_user_specified_name"].s = user_name.encode()
    input_ops = {id(t.op) for t in inputs}
    names: dict[int, list[tuple[str, int]]] = {}
    stateful = False
    for op in graph.get_operations():
        if id(op) in input_ops:
            continue
        stateful = stateful or is_stateful(op, graph)
        node = fdef.node_def.add()
        node.name = op.name
        node.op = op.type
        if op.device:
            node.device = op.device
        for t in op.inputs:
            if id(t.op) in arg_of:
                node.input.append(arg_of[id(t.op)])
                continue
            producer = names.get(id(t.op))
            if producer is None:
                producer = names[id(t.op)] = _output_arg_names(t.op, graph)
            out_name, index = producer[t.value_index]
            node.input.append(f"{t.op.name}:{out_name}:{index}")
        node.input.extend(
            "^" + c.name for c in sorted(op.control_inputs, key=lambda c: c.name)
            if id(c) not in input_ops
        )  # fmt: skip
        for key, value in op._attrs.items():
            node.attr[key].CopyFrom(value)
        if op.outputs:
            node.attr["_output_shapes"].CopyFrom(_shape_attr([o.shape for o in op.outputs]))
    out_taken: set[str] = set()
    for t in outputs:
        arg = sig.output_arg.add()
        arg.name = _unique(arg_name(t.op.name), out_taken | taken)
        out_taken.add(arg.name)
        arg.type = t.dtype.as_datatype_enum
        if id(t.op) in arg_of:  # an input passed through (a loop body's captured values)
            fdef.ret[arg.name] = arg_of[id(t.op)]
            continue
        producer = _output_arg_names(t.op, graph)
        out_name, index = producer[t.value_index]
        fdef.ret[arg.name] = f"{t.op.name}:{out_name}:{index}"
    sig.is_stateful = stateful
    for op in must_run:
        sig.control_output.append(op.name)
        fdef.control_ret[op.name] = op.name
    fdef.attr["_construction_context"].s = b"kEagerRuntime"
    shapes = [t.shape if t.dtype.as_datatype_enum != protos.DT_RESOURCE else None for t in inputs]
    input_shapes = protos.AttrValue()
    input_shapes.list.SetInParent()
    for shape in shapes:
        proto = input_shapes.list.shape.add()
        if shape is not None:
            shape.to_proto(proto)
    fdef.attr["_input_shapes"].CopyFrom(input_shapes)
    return fdef
