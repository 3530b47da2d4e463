"""Whole-graph support check: every unsupported op and attr, reported at once, before running.

Walks the given nodes and every library function reachable from them (called as an op, or named
by a `func` attr such as If's branches or PartitionedCall's `f`), and collects:

* ops with no kernel (with node counts and example node names);
* attrs a kernel does not understand set to a non-default value. Type and number attrs are fine
  (they are implied by the inputs), so is anything starting with "_" (TF-internal annotations).

`check_nodes` raises one `UnimplementedError` listing all of them; the error also carries the
findings as `unsupported_ops` ({op: count}) and `unsupported_attrs` (list of strings).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from savedmodel.errors import UnimplementedError
from savedmodel.graph import ARG_OP, FuncAttr, Graph, Node
from savedmodel.graph import attrs as attr_codec
from savedmodel.ops import registry

# TF1 graphs express loops and conditionals with these dataflow ops; the executor runs them itself
# (executor/dataflow.py), they have no kernels.
TF1_CONTROL_FLOW = frozenset(
    {
        "Switch",
        "RefSwitch",
        "Merge",
        "RefMerge",
        "Enter",
        "RefEnter",
        "Exit",
        "RefExit",
        "NextIteration",
        "RefNextIteration",
        "LoopCond",
        "ControlTrigger",
    }
)
_EXAMPLES = 3


class Findings:
    def __init__(self) -> None:
        self.ops: Counter[str] = Counter()
        self.examples: dict[str, list[str]] = {}
        self.attrs: Counter[tuple[str, str, str]] = Counter()
        self.attr_examples: dict[tuple[str, str, str], str] = {}

    def __bool__(self) -> bool:
        return bool(self.ops or self.attrs)

    def add_op(self, node: Node, where: str) -> None:
        self.ops[node.op] += 1
        examples = self.examples.setdefault(node.op, [])
        if len(examples) < _EXAMPLES:
            examples.append(f"{node.name!r}{where}")

    def add_attr(self, node: Node, name: str, value: Any, where: str) -> None:
        key = (node.op, name, _short_repr(value))
        self.attrs[key] += 1
        self.attr_examples.setdefault(key, f"{node.name!r}{where}")

    def message(self) -> str:
        lines = []
        if self.ops:
            total = sum(self.ops.values())
            lines.append(
                f"{len(self.ops)} op type(s) ({total} node(s)) have no kernel in savedmodel:"
            )
            for op, count in sorted(self.ops.items()):
                lines.append(f"  {op} x{count} (e.g. node {', '.join(self.examples[op])})")
        if self.attrs:
            lines.append("attr values the kernels do not support:")
            for (op, name, value), count in sorted(self.attrs.items()):
                example = self.attr_examples[(op, name, value)]
                lines.append(f"  {op} attr {name}={value} x{count} (e.g. node {example})")
        return "\n".join(lines)

    def error(self) -> UnimplementedError:
        err = UnimplementedError(self.message())
        err.unsupported_ops = dict(self.ops)  # type: ignore[attr-defined]
        err.unsupported_attrs = [  # type: ignore[attr-defined]
            f"{op}.{name}={value}" for op, name, value in sorted(self.attrs)
        ]
        return err


def _short_repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _functions_named(node: Node, graph: Graph) -> list[FuncAttr]:
    funcs = []
    if node.op in graph.library:
        funcs.append(FuncAttr(node.op, node.attrs))
    for value in node.attrs.values():
        if isinstance(value, FuncAttr):
            funcs.append(value)
        elif isinstance(value, list) and value and isinstance(value[0], FuncAttr):
            funcs.extend(value)
    return funcs


def _check_node(node: Node, graph: Graph, findings: Findings, where: str) -> None:
    if node.op == ARG_OP or node.op in graph.library or node.op in TF1_CONTROL_FLOW:
        return
    kernel = registry.lookup(node.op)
    if kernel is None:
        findings.add_op(node, where)
        return
    op_def = graph.op_def(node)
    for name, value in node.attrs.items():
        if name.startswith("_") or name in kernel.attr_names:
            continue
        if isinstance(value, attr_codec.AttrPlaceholder):
            continue
        if op_def is not None:
            if name in op_def.inferable_attrs:
                continue
            spec = op_def.attrs.get(name)
            if spec is not None and spec.has_default and attr_codec.equal(value, spec.default):
                continue
        findings.add_attr(node, name, value, where)


def find_unsupported(graph: Graph, nodes: Iterable[Node]) -> Findings:
    """Findings for `nodes` of `graph` and every function reachable from them."""
    findings = Findings()
    seen: set[tuple] = set()
    work: list[tuple[Graph, list[Node], str]] = [(graph, list(nodes), "")]
    while work:
        g, group, where = work.pop()
        for node in group:
            _check_node(node, g, findings, where)
            for func in _functions_named(node, g):
                if func.key in seen:
                    continue
                seen.add(func.key)
                if func.name not in g.library:
                    findings.add_op(Node(node.name, f"<missing function {func.name}>"), where)
                    continue
                body = g.library.instantiate(func.name, func.attrs)
                work.append((body, list(body.nodes.values()), f" in function {func.name!r}"))
    return findings


def check_nodes(graph: Graph, nodes: Iterable[Node]) -> None:
    """Raise one UnimplementedError listing everything unsupported among `nodes` (and callees)."""
    findings = find_unsupported(graph, nodes)
    if findings:
        raise findings.error()


def check_graph(graph: Graph, roots: Iterable[str] | None = None) -> None:
    """Like `check_nodes` for the nodes `roots` depend on (all nodes when roots is None)."""
    if roots is None:
        check_nodes(graph, graph.nodes.values())
        return
    needed: dict[str, Node] = {}
    stack = list(roots)
    while stack:
        name = stack.pop()
        if name in needed or name not in graph.nodes:
            continue
        node = needed[name] = graph.nodes[name]
        stack.extend(e[0] for e in node.inputs)
        stack.extend(node.control_inputs)
    check_nodes(graph, needed.values())
