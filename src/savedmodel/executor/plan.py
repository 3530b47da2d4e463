"""Compile a graph (or function body) into a Plan, and run the plan.

`compile_plan` does all per-graph work once: pruning to what the fetches and targets need (as
`Session.run` prunes; a fed tensor cuts the edge to its producer), a stable topological order,
kernel binding (only the attrs a kernel names, defaults filled in), input grouping per OpDef
argument, the expected dtype of every output, and the step after which each value is dead.

`Plan.run` then calls one generated Python function (`executor.codegen`): straight-line code with
values in local variables, Const values pre-computed, dead values dropped as soon as their last
consumer ran. An error raised by a kernel is re-raised as a `savedmodel.errors.OpError` carrying
the node name and op type.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from savedmodel.errors import (
    InvalidArgumentError,
    NotFoundError,
    OpError,
)
from savedmodel.executor import binding, codegen, support
from savedmodel.graph import ARG_OP, Edge, FuncAttr, FunctionBody, Graph, Node

_ndarray = np.ndarray
_OBJECT = np.dtype(object)
# Ops a plan can pre-compute: their value depends on attrs only.
_CONST_OPS = frozenset({"Const", "HostConst"})


class Plan:
    """A compiled (graph, feeds, fetches, targets): call `run(feed_values)` many times."""

    def __init__(
        self,
        runner: Callable[[Sequence[Any]], list[Any]],
        feed_dtypes: list[np.dtype | None],
        nodes: list[Node],
        num_fetches: int,
    ) -> None:
        self._runner = runner
        self.feed_dtypes = feed_dtypes
        self.nodes = nodes  # the nodes that run (for inspection and tests)
        self.num_feeds = len(feed_dtypes)
        self.num_fetches = num_fetches

    @property
    def runner(self) -> Callable[[Sequence[Any]], list[Any]]:
        """`runner(feed_values) -> fetched values`: `run_nested` without the argument check."""
        return self._runner

    @property
    def source(self) -> str | None:
        """The generated Python code of a linear plan (None for other plans), for debugging."""
        return getattr(self._runner, "source", None)

    def run(self, feed_values: Sequence[Any]) -> list[Any]:
        """Run with user feed values; the fetched values are the caller's own arrays.

        One `np.errstate` covers the whole run (kernels follow TF: overflow gives inf, 0/0 gives
        NaN, silently). Feeds enter as read-only views, so nothing inside can write to the
        caller's arrays, and a fetch that might alias anything else (a Const, a variable's value,
        a feed, another fetch) is handed out as a copy: see `detach`.
        """
        self._check_count(feed_values)
        feeds = [_read_only(v) for v in feed_values]
        with np.errstate(all="ignore"):
            result = self._runner(feeds)
        return detach_all(result)

    def run_nested(self, feed_values: Sequence[Any]) -> list[Any]:
        """Run inside an executing plan (function bodies): no errstate, no copies of fetches."""
        self._check_count(feed_values)
        return self._runner(feed_values)

    def _check_count(self, feed_values: Sequence[Any]) -> None:
        if len(feed_values) != self.num_feeds:
            raise InvalidArgumentError(
                f"this plan takes {self.num_feeds} feed values, got {len(feed_values)}"
            )


def fail(nodes: Sequence[Node], e: Exception, index: int) -> None:
    """Attach node `index` to an error escaping a step; a non-OpError becomes one (raised)."""
    node = nodes[index]
    if isinstance(e, OpError):
        if e.node_name is None:
            e.node_name, e.op_type = node.name, node.op
        elif e.node_name != node.name:
            e.add_note(f"\t called from node {node.name} ({node.op})")
        return
    raise InvalidArgumentError(
        f"{type(e).__name__}: {e}", node_name=node.name, op_type=node.op
    ) from e


def _read_only(value: Any) -> Any:
    """A fed array as a read-only view: kernels, and views they make of it, cannot write to it."""
    if type(value) is _ndarray and value.flags.writeable:
        value = value.view()
        value.flags.writeable = False
    return value


def detach(value: Any) -> Any:
    """`value` safe to hand to a user: the array itself when it is a fresh kernel result, else a
    copy.

    Executor invariant: every array that outlives a run or belongs to someone else (Const values,
    variable values, feeds) is read-only, and so is every view of it. So an array is the run's
    own exactly when it is writeable and no view (`base is None`); anything else may share memory
    with state a user must not be able to change, and is copied.
    """
    if type(value) is _ndarray and (value.base is not None or not value.flags.writeable):
        return value.copy()
    return value


def detach_all(values: list[Any]) -> list[Any]:
    """`detach` for each value; the same array fetched twice is handed out as two arrays."""
    seen: set[int] = set()
    for k, v in enumerate(values):
        if type(v) is _ndarray:
            v = detach(v)
            if id(v) in seen:
                v = v.copy()
            seen.add(id(v))
            values[k] = v
    return values


def _prune(
    graph: Graph, seeds: Iterable[str], fed: set[Edge], skip: frozenset[str] = frozenset()
) -> set[str]:
    needed: set[str] = set()
    stack = list(seeds)
    while stack:
        name = stack.pop()
        if name in needed:
            continue
        node = graph.nodes.get(name)
        if node is None:
            raise NotFoundError(f"node {name!r} is needed but not in the graph")
        needed.add(name)
        for edge in node.inputs:
            if edge not in fed:
                _require(graph, edge[0], node)
                stack.append(edge[0])
        for ctrl in node.control_inputs:
            _require(graph, ctrl, node)
            # A control edge from a function argument orders nothing: arguments exist up front
            # (and so do the values of skipped nodes).
            if graph.nodes[ctrl].op != ARG_OP and ctrl not in skip:
                stack.append(ctrl)
    return needed


def _require(graph: Graph, name: str, consumer: Node) -> None:
    if name not in graph.nodes:
        raise NotFoundError(
            f"node {consumer.name!r} ({consumer.op}) has input {name!r}, which is not in the graph"
        )


def _toposort(graph: Graph, needed: set[str], fed: set[Edge]) -> list[Node]:
    """Kahn's algorithm; ties broken by definition order so runs are deterministic."""
    order = {name: i for i, name in enumerate(graph.nodes)}
    pending: dict[str, int] = {}
    consumers: dict[str, list[str]] = {name: [] for name in needed}
    for name in needed:
        node = graph.nodes[name]
        deps = {e[0] for e in node.inputs if e not in fed}
        deps.update(c for c in node.control_inputs if c in needed)
        pending[name] = len(deps)
        for dep in deps:
            consumers[dep].append(name)
    ready = [(order[n], n) for n, count in pending.items() if count == 0]
    heapq.heapify(ready)
    result = []
    while ready:
        _, name = heapq.heappop(ready)
        result.append(graph.nodes[name])
        for consumer in consumers[name]:
            pending[consumer] -= 1
            if pending[consumer] == 0:
                heapq.heappush(ready, (order[consumer], consumer))
    if len(result) != len(needed):
        stuck = sorted(n for n, c in pending.items() if c > 0)
        raise InvalidArgumentError(
            f"the graph has a cycle through {len(stuck)} node(s) (e.g. {stuck[:5]}); only TF1"
            " control flow (through NextIteration) may form cycles"
        )
    return result


def compile_plan(
    graph: Graph,
    feeds: Sequence[Edge],
    fetches: Sequence[Edge],
    targets: Sequence[str],
    ctx: Any,
    *,
    call_function: Callable[[FuncAttr], Callable],
    skip: frozenset[str] = frozenset(),
    keep_stateful: bool = True,
) -> Plan:
    """Compile `graph` for these feeds/fetches/targets.

    `ctx` is passed to kernels that declare a `ctx` parameter; `call_function(FuncAttr)` returns
    the callable used for nodes whose op is a library function. Graphs whose needed part holds
    TF1 control flow (Switch, Merge, Enter...) get a dataflow plan, all others a linear one.

    Nodes named in `skip` do not run: control edges from them are dropped and the outputs the
    plan reads must be fed (loops feed values hoisted out of their body this way).
    `keep_stateful=False` runs only what the fetches and targets need, even in a function body.
    """
    fed = set(feeds)
    if len(fed) != len(feeds):
        raise InvalidArgumentError("the same tensor is fed more than once")
    seeds = [e[0] for e in fetches if e not in fed] + list(targets)
    if isinstance(graph, FunctionBody) and keep_stateful:
        # NOTE: TF keeps every stateful op of a function body even when no output needs it
        # (PruneFunctionBody), and the control outputs.
        seeds += [c for c in graph.control_rets if c not in skip]
        seeds += [
            n.name
            for n in graph.nodes.values()
            if n.op != ARG_OP
            and n.name not in skip
            and (op_def := graph.op_def(n)) is not None
            and op_def.is_stateful
        ]
    needed = _prune(graph, seeds, fed, skip)
    support.check_nodes(graph, [graph.nodes[n] for n in needed])
    if any(graph.nodes[n].op in support.TF1_CONTROL_FLOW for n in needed):
        from savedmodel.executor import dataflow

        nodes = [n for n in graph.nodes.values() if n.name in needed]
        return dataflow.compile_dataflow(
            graph, nodes, feeds, fetches, ctx, call_function=call_function
        )
    nodes = _toposort(graph, needed, fed)

    slots: dict[Edge, int] = {}
    template: list[Any] = []

    def new_slot(value: Any = None) -> int:
        template.append(value)
        return len(template) - 1

    feed_slots = [slots.setdefault(e, new_slot()) for e in feeds]
    out_info: dict[str, tuple[list, list[bool]]] = {}
    for node in nodes:
        dts, refs = out_info[node.name] = binding.output_info(graph, node)
        value = const_value(graph, node, dts)
        for i in range(len(dts)):
            edge = (node.name, i)
            if edge not in slots:
                slots[edge] = new_slot(value)

    def slot_of(edge: Edge, consumer: Node) -> int:
        slot = slots.get(edge)
        if slot is None:
            raise missing_input(edge, consumer, out_info)
        return slot

    fetch_slots = [slot_of(e, graph.nodes[e[0]]) if e not in fed else slots[e] for e in fetches]
    last_use: dict[int, int] = {}
    steps: list[codegen.Step] = []
    for node in nodes:
        if node.op in _CONST_OPS and not node.control_inputs:
            continue
        in_slots = [slot_of(e, node) for e in node.inputs]
        for s in in_slots:
            last_use[s] = len(steps)
        from_ref = [e not in fed and out_info[e[0]][1][e[1]] for e in node.inputs]
        b = binding.bind_node(graph, node, ctx, call_function, from_ref, out_info[node.name])
        spec = [
            tuple(in_slots[k] for k in item) if isinstance(item, tuple) else in_slots[item]
            for item in b.spec
        ]
        deref = {in_slots[k] for k in b.deref}
        outs = [slots[(node.name, i)] for i in range(len(b.dtypes))]
        steps.append(codegen.Step(node, b.fn, spec, b.kw, outs, b.single, b.dtypes, deref))

    # A value dies after its last reader; values nobody reads are never bound.
    keep = set(fetch_slots)
    for step in steps:
        step.outs = [s if s in keep or s in last_use else -1 for s in step.outs]
    for s, step_index in last_use.items():
        if s not in keep and template[s] is None:
            steps[step_index].frees.append(s)
    consts = {s: v for s, v in enumerate(template) if v is not None}
    fetch_refs = [e not in fed and out_info[e[0]][1][e[1]] for e in fetches]
    run_nodes = [step.node for step in steps]
    runner = codegen.build_runner(
        getattr(graph, "name", "graph"),
        steps,
        feed_slots,
        consts,
        list(zip(fetch_slots, fetch_refs, strict=True)),
        {"CK": binding.check_one, "CM": binding.coerce_many},
        lambda e, i: fail(run_nodes, e, i),
    )
    feed_dtypes = [binding.feed_dtype(graph, e) for e in feeds]
    return Plan(runner, feed_dtypes, nodes, len(fetches))


def const_value(graph: Graph, node: Node, dts: list[np.dtype]) -> np.ndarray | None:
    """The value of a Const node a plan can pre-compute (read-only), else None."""
    if node.op not in _CONST_OPS or node.control_inputs:
        return None
    value = node.attrs.get("value")
    if not (isinstance(value, np.ndarray) and value.dtype == dts[0]):
        raise InvalidArgumentError(
            f"Const value has dtype {getattr(value, 'dtype', type(value).__name__)}, the node"
            f" says {dts[0]}",
            node_name=node.name,
            op_type=node.op,
        )
    value.flags.writeable = False  # shared by every run: see `detach`
    return value


def missing_input(edge: Edge, consumer: Node, out_info: dict) -> InvalidArgumentError:
    return InvalidArgumentError(
        f"input {edge[0]}:{edge[1]} does not exist (node {edge[0]!r} has"
        f" {len(out_info.get(edge[0], ((),))[0])} outputs)",
        node_name=consumer.name,
        op_type=consumer.op,
    )
