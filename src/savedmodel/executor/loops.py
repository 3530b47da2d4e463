"""TF2 While loops: a body's loop-invariant work hoisted out of the per-iteration plan.

A While body often recomputes the same values every iteration: Keras RNN cells read their
weights (ReadVariableOp on handles the body passes through unchanged) and split their bias
every step. `loop_body` finds, once per body function and cond, the nodes whose value cannot
change from one iteration to the next, and compiles two plans:

* `hoist`: loop variables -> the invariant values the rest of the body reads, run once, at the
  first iteration (so a loop that runs zero times runs none of it, and an error names the same
  node it would have in the first iteration);
* `step`: loop variables + those values -> the next loop variables, with the hoisted nodes
  skipped.

A node is loop-invariant when its op is stateless (or a ReadVariableOp in a loop whose body and
cond write no resource: no stateful op other than ReadVariableOp, no function calls), it calls no
function, and every input is a Const, an invariant node or a loop variable the body returns
unchanged (directly or through Identity). Stateless ops are deterministic functions of their
inputs, so computing them once gives exactly what every iteration would have.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from savedmodel.graph import ARG_OP, Edge, FuncAttr, FunctionBody, Graph

_PURE_READS = frozenset({"ReadVariableOp"})


@dataclass
class LoopBody:
    """A While body split for running: `hoist` may be None (nothing to hoist)."""

    hoist: Any  # Plan: loop variables -> hoisted values, or None
    step: Any  # Plan: loop variables (+ hoisted values) -> next loop variables


def loop_body(
    body: FunctionBody, cond: FunctionBody, compile_graph: Callable[..., Any]
) -> LoopBody:
    """Split `body` (run with `cond`); `compile_graph(graph, feeds, fetches, targets, **kw)`."""
    hoisted, frontier = _invariant_nodes(body, cond)
    if not hoisted:
        return LoopBody(None, compile_graph(body, body.args, body.rets, ()))
    hoist = compile_graph(body, body.args, frontier, sorted(hoisted), keep_stateful=False)
    step = compile_graph(body, [*body.args, *frontier], body.rets, (), skip=frozenset(hoisted))
    return LoopBody(hoist, step)


def _invariant_args(body: FunctionBody) -> set[Edge]:
    """Argument tensors the body returns unchanged at their own position."""
    invariant = set()
    for arg, ret in zip(body.args, body.rets, strict=False):
        edge = ret
        while edge != arg:
            node = body.nodes[edge[0]]
            if node.op != "Identity" or len(node.inputs) != 1:
                break
            edge = node.inputs[0]
        if edge == arg:
            invariant.add(arg)
    return invariant


def _writes_nothing(graphs: list[Graph]) -> bool:
    """No op that may write a resource (or call a function that could) in these bodies."""
    for graph in graphs:
        for node in graph.nodes.values():
            if node.op == ARG_OP or node.op in _PURE_READS:
                continue
            if node.op in graph.library or _calls_function(node.attrs):
                return False
            op_def = graph.op_def(node)
            if op_def is None or op_def.is_stateful:
                return False
    return True


def _calls_function(attrs: dict[str, Any]) -> bool:
    return any(
        isinstance(v, FuncAttr) or (isinstance(v, list) and v and isinstance(v[0], FuncAttr))
        for v in attrs.values()
    )


def _invariant_nodes(body: FunctionBody, cond: FunctionBody) -> tuple[set[str], list[Edge]]:
    """The nodes to hoist, and their outputs the rest of the body reads (the frontier)."""
    from savedmodel.executor import support

    invariant_args = _invariant_args(body)
    if not invariant_args:
        return set(), []
    reads_ok = _writes_nothing([body, cond])
    invariant: set[str] = set()  # hoistable nodes and Consts
    changed = True
    while changed:  # bodies are small: iterate to a fixed point instead of sorting
        changed = False
        for node in body.nodes.values():
            if node.name in invariant or node.op == ARG_OP:
                continue
            if node.op in support.TF1_CONTROL_FLOW or node.op in body.library:
                continue
            if _calls_function(node.attrs):
                continue
            op_def = body.op_def(node)
            if op_def is None:
                continue
            if op_def.is_stateful and not (reads_ok and node.op in _PURE_READS):
                continue
            if any(e not in invariant_args and e[0] not in invariant for e in node.inputs) or any(
                c not in invariant and body.nodes[c].op != ARG_OP for c in node.control_inputs
            ):
                continue
            invariant.add(node.name)
            changed = True
    hoisted = {n for n in invariant if body.nodes[n].op not in ("Const", "HostConst")}
    if not hoisted:
        return set(), []
    frontier: list[Edge] = []
    seen: set[Edge] = set()
    readers = [n for n in body.nodes.values() if n.name not in invariant]
    for edge in [e for n in readers for e in n.inputs] + list(body.rets):
        if edge[0] in hoisted and edge not in seen:
            seen.add(edge)
            frontier.append(edge)
    return hoisted, frontier
