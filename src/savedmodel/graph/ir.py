"""Protobuf-free graph IR: nodes with resolved edges, graphs, function libraries.

A `Graph` is a top-level GraphDef or an instantiated function body. Every node has its data inputs
as `(producer node name, flat output index)` edges, its control inputs as node names, and its
attrs decoded once into Python values (`savedmodel.graph.attrs`); devices are ignored.

Function bodies name tensors differently from GraphDefs (FORMAT.md §4.5): an argument is `x` (or
`x:i` for one element of a list argument), a node output is `node:out_arg:i` where `out_arg` is
the name of an output argument of the producing op, and `node:out_arg` alone stands for the whole
argument. Turning those into flat indices needs the producing op's OpDef and its attrs, which can
hold `$placeholders` bound only when the function is instantiated; `Library.instantiate` does that
(and caches by the instantiation attrs). Arguments become pseudo-nodes of op `_Arg` whose outputs
are the argument tensors.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from savedmodel.errors import InvalidArgumentError, NotFoundError, OpError
from savedmodel.graph import attrs as attr_codec
from savedmodel.graph import op_def_table
from savedmodel.graph.op_def_table import OpDef

Edge = tuple[str, int]
ARG_OP = "_Arg"


@dataclass(slots=True, eq=False)
class Node:
    name: str
    op: str
    inputs: list[Edge] = field(default_factory=list)
    control_inputs: list[str] = field(default_factory=list)
    attrs: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"Node({self.name!r}, op={self.op!r})"


def _decode_attrs(node_def: Any, function: str = "") -> dict[str, Any]:
    """A NodeDef's attrs decoded; a bad value (e.g. a corrupt tensor) names the node."""
    try:
        return attr_codec.decode_map(node_def.attr)
    except OpError as e:
        e.node_name, e.op_type = node_def.name, node_def.op
        if function:
            e.add_note(f"\t in function {function}")
        raise


def parse_tensor_name(name: str) -> Edge:
    """ "x:1" -> ("x", 1); "x" -> ("x", 0). A control name ("^x") is an error."""
    if not name or name.startswith("^"):
        raise InvalidArgumentError(f"{name!r} is not a tensor name")
    node, sep, index = name.rpartition(":")
    if not sep:
        return name, 0
    if not index.isdigit() or not node:
        raise InvalidArgumentError(f"{name!r} is not a tensor name (expected 'node:index')")
    return node, int(index)


def tensor_name(edge: Edge) -> str:
    return f"{edge[0]}:{edge[1]}"


class Graph:
    """Nodes by name (in definition order) plus the function library they may call."""

    def __init__(self, nodes: Iterable[Node], library: Library | None = None) -> None:
        self.nodes: dict[str, Node] = {}
        for node in nodes:
            if node.name in self.nodes:
                raise InvalidArgumentError(f"duplicate node name {node.name!r} in graph")
            self.nodes[node.name] = node
        self.library = library if library is not None else Library(())

    @classmethod
    def from_graph_def(cls, graph_def: Any) -> Graph:
        """Build the IR of a `tensorflow.GraphDef` message (its `library` included)."""
        nodes = []
        for nd in graph_def.node:
            node = Node(nd.name, nd.op, attrs=_decode_attrs(nd))
            for name in nd.input:
                if name.startswith("^"):
                    node.control_inputs.append(name[1:])
                else:
                    node.inputs.append(parse_tensor_name(name))
            nodes.append(node)
        return cls(nodes, Library(graph_def.library.function))

    def node(self, name: str) -> Node:
        try:
            return self.nodes[name]
        except KeyError:
            raise NotFoundError(f"node {name!r} is not in the graph") from None

    def op_def(self, node: Node) -> OpDef | None:
        """OpDef of a node's op (a library function's signature if the op is a function)."""
        return self.library.op_def(node.op)


class FunctionBody(Graph):
    """An instantiated FunctionDef: a graph plus argument tensors, return tensors, control rets."""

    def __init__(
        self,
        name: str,
        signature: OpDef,
        nodes: Iterable[Node],
        library: Library,
        args: list[Edge],
        rets: list[Edge],
        control_rets: list[str],
    ) -> None:
        super().__init__(nodes, library)
        self.name = name
        self.signature = signature
        self.args = args
        self.rets = rets
        self.control_rets = control_rets


@dataclass(frozen=True, slots=True)
class _RawNode:
    name: str
    op: str
    inputs: tuple[str, ...]
    attrs: dict[str, Any]


class _Template:
    """A FunctionDef decoded once; instantiated per attr binding."""

    def __init__(self, fdef: Any) -> None:
        self.name: str = fdef.signature.name
        self.signature = OpDef.from_proto(fdef.signature)
        self.nodes = [
            _RawNode(nd.name, nd.op, tuple(nd.input), _decode_attrs(nd, self.name))
            for nd in fdef.node_def
        ]
        self.ret = dict(fdef.ret)
        self.control_ret = dict(fdef.control_ret)


class Library:
    """The functions of a `FunctionDefLibrary`, decoded on first use."""

    def __init__(self, function_defs: Iterable[Any]) -> None:
        self._fdefs: dict[str, Any] = {}
        for fdef in function_defs:
            name = fdef.signature.name
            if name in self._fdefs:
                raise InvalidArgumentError(f"duplicate function {name!r} in library")
            self._fdefs[name] = fdef
        self._templates: dict[str, _Template] = {}
        self._bodies: dict[tuple, FunctionBody] = {}

    def __contains__(self, name: object) -> bool:
        return name in self._fdefs

    def names(self) -> list[str]:
        return list(self._fdefs)

    def _template(self, name: str) -> _Template:
        template = self._templates.get(name)
        if template is None:
            fdef = self._fdefs.get(name)
            if fdef is None:
                raise NotFoundError(f"function {name!r} is not in the graph's function library")
            template = self._templates[name] = _Template(fdef)
        return template

    def signature(self, name: str) -> OpDef:
        return self._template(name).signature

    def op_def(self, op: str) -> OpDef | None:
        if op in self._fdefs:
            return self._template(op).signature
        return op_def_table.lookup(op)

    def instantiate(self, name: str, attrs: Mapping[str, Any] | None = None) -> FunctionBody:
        """The body of function `name` with its attr placeholders bound to `attrs`."""
        attrs = {k: v for k, v in (attrs or {}).items() if not k.startswith("_")}
        key = (name, attr_codec.freeze_attrs(attrs))
        body = self._bodies.get(key)
        if body is None:
            body = self._bodies[key] = _instantiate(self, self._template(name), attrs)
        return body


def _instantiate(lib: Library, template: _Template, attrs: Mapping[str, Any]) -> FunctionBody:
    fname = template.name
    bindings = template.signature.with_defaults(attrs)
    nodes: dict[str, Node] = {}
    arg_sizes: dict[str, int] = {}
    args: list[Edge] = []
    for arg in template.signature.inputs:
        n = arg.count(bindings)
        arg_sizes[arg.name] = n
        nodes[arg.name] = Node(arg.name, ARG_OP, attrs={"count": n})
        args.extend((arg.name, i) for i in range(n))

    for raw in template.nodes:
        if raw.name in nodes:
            raise InvalidArgumentError(
                f"function {fname!r}: duplicate node or arg name {raw.name!r}"
            )
        node_attrs = raw.attrs
        if any(attr_codec.has_placeholder(v) for v in node_attrs.values()):
            try:
                node_attrs = {k: attr_codec.substitute(v, bindings) for k, v in node_attrs.items()}
            except KeyError as e:
                raise InvalidArgumentError(
                    f"function {fname!r}, node {raw.name!r}: attr placeholder ${e.args[0]} is not"
                    " bound by the function's attrs"
                ) from None
        nodes[raw.name] = Node(raw.name, raw.op, attrs=node_attrs)

    resolver = _Resolver(lib, fname, nodes, arg_sizes)
    for raw in template.nodes:
        node = nodes[raw.name]
        for name in raw.inputs:
            if name.startswith("^"):
                node.control_inputs.append(name[1:])
            else:
                node.inputs.extend(resolver.resolve(name, raw.name))

    rets: list[Edge] = []
    for arg in template.signature.outputs:
        if arg.name not in template.ret:
            raise InvalidArgumentError(f"function {fname!r}: output {arg.name!r} has no ret")
        rets.extend(resolver.resolve(template.ret[arg.name], f"ret {arg.name}"))
    control_rets = [template.control_ret[k] for k in sorted(template.control_ret)]
    return FunctionBody(fname, template.signature, nodes.values(), lib, args, rets, control_rets)


class _Resolver:
    """Turns function-body tensor names into edges, using the producers' output structure."""

    def __init__(
        self, lib: Library, fname: str, nodes: dict[str, Node], arg_sizes: dict[str, int]
    ) -> None:
        self.lib = lib
        self.fname = fname
        self.nodes = nodes
        self.arg_sizes = arg_sizes

    def _error(self, name: str, where: str, why: str) -> InvalidArgumentError:
        return InvalidArgumentError(f"function {self.fname!r}, {where}: input {name!r} {why}")

    def resolve(self, name: str, where: str) -> list[Edge]:
        parts = name.split(":")
        head = parts[0]
        if head in self.arg_sizes:
            n = self.arg_sizes[head]
            if len(parts) == 1:
                return [(head, i) for i in range(n)]
            if len(parts) == 2 and parts[1].isdigit() and int(parts[1]) < n:
                return [(head, int(parts[1]))]
            raise self._error(name, where, "is not a valid argument reference")
        node = self.nodes.get(head)
        if node is None:
            raise self._error(name, where, "names no node or argument")
        if len(parts) == 1:
            return [(head, 0)]
        if len(parts) == 2 and parts[1].isdigit():  # GraphDef-style "node:k"; TF tolerates it
            return [(head, int(parts[1]))]
        op_def = self.lib.op_def(node.op)
        if op_def is None:
            # Unknown op: the support check reports it; keep the index so the IR still builds.
            return [(head, int(parts[2]) if len(parts) == 3 and parts[2].isdigit() else 0)]
        span = op_def.output_range(parts[1], op_def.with_defaults(node.attrs))
        if span is None:
            raise self._error(name, where, f"names no output argument of op {node.op!r}")
        start, stop = span
        if len(parts) == 2:
            return [(head, i) for i in range(start, stop)]
        if len(parts) == 3 and parts[2].isdigit() and start + int(parts[2]) < stop:
            return [(head, start + int(parts[2]))]
        raise self._error(name, where, "is out of range or malformed")
