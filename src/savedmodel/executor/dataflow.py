"""The dataflow executor: graphs with TF1 control flow (Switch, Merge, Enter, Exit, NextIteration).

TF1 expresses `tf.cond` and `tf.while_loop` as dataflow: a node runs when its inputs arrive, and
a value can be *dead* (the untaken output of a Switch). This module follows TensorFlow's executor
semantics, one node at a time, in a FIFO of ready nodes:

* Every value is tagged with a frame instance and an iteration. The root frame has one iteration.
  `Enter` moves a value into the child frame `frame_name` (one instance per parent frame instance
  and parent iteration), at iteration 0, or into every iteration when `is_constant` (a loop
  invariant); `NextIteration` moves it to the next iteration (starting it); `Exit` moves it back
  to the parent frame.
* A node other than Merge runs once all its inputs (data and control) arrived in its iteration;
  if any was dead it does not run and all its outputs are dead. `Switch` sends its data to output
  `pred` and a dead value to the other; `Merge` runs on its first live data input (after all its
  control inputs), outputting the value and its index, or dead once every data input is dead.
  `ControlTrigger` runs live even with dead inputs.
* NOTE (TF's executor): a dead NextIteration is dropped (the loop ends); a dead Exit is dropped
  too, unless it comes from the last iteration started so far; such dead exits reach the parent
  frame when the frame instance is done (no queued work, all its Enter inputs arrived), so a
  loop on an untaken branch makes its consumers dead.

This module compiles the plan (node kinds, bindings, edges, a static check that every edge stays
in its frame); `executor.frames` runs it. A node's gathered inputs are released as soon as it
runs. Fetched tensors must be in the root frame; fetching a dead tensor is an error.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from savedmodel.errors import InvalidArgumentError
from savedmodel.executor import binding
from savedmodel.executor.frames import ENTER, EXIT, KINDS, MERGE, NORMAL, NodeInfo, Run
from savedmodel.graph import Edge, FuncAttr, Graph, Node


def compile_dataflow(
    graph: Graph,
    nodes: Sequence[Node],
    feeds: Sequence[Edge],
    fetches: Sequence[Edge],
    ctx: Any,
    *,
    call_function: Callable[[FuncAttr], Callable],
) -> Any:
    """A Plan running `nodes` (the graph pruned to the fetches and targets, in definition order)
    as dataflow."""
    from savedmodel.executor.plan import Plan, const_value

    ids = {node.name: i for i, node in enumerate(nodes)}
    fed = set(feeds)
    out_info = {node.name: binding.output_info(graph, node) for node in nodes}
    infos: list[NodeInfo] = []
    enters: dict[str, int] = {}
    for i, node in enumerate(nodes):
        info = NodeInfo(i, node, KINDS.get(node.op, NORMAL))
        dts, refs = out_info[node.name]
        info.outs = [[] for _ in dts]
        from_ref = [e not in fed and out_info[e[0]][1][e[1]] for e in node.inputs]
        if info.kind == NORMAL:
            const = const_value(graph, node, dts)
            if const is not None:  # runs (to reach its frame) but computes nothing
                info.binding = binding.Binding(_constant(const), {}, [], set(), True, (None,))
            elif node.op == "LoopCond":  # marks a loop's predicate; passes it through
                info.binding = binding.Binding(_identity, {}, [0], set(), True, (None,))
            else:
                info.binding = binding.bind_node(
                    graph, node, ctx, call_function, from_ref, out_info[node.name]
                )
            info.deref = tuple(sorted(info.binding.deref))
            info.direct = info.binding.spec == list(range(info.ndata))
        else:
            info.deref = tuple(sorted(binding.deref_positions(graph, node, from_ref)))
        if info.kind == ENTER:
            info.frame_name = node.attrs.get("frame_name", "")
            info.is_constant = bool(node.attrs.get("is_constant", False))
            enters[info.frame_name] = enters.get(info.frame_name, 0) + 1
        infos.append(info)

    feed_consumers: list[list[tuple[int, int]]] = [[] for _ in feeds]
    feed_index = {e: k for k, e in enumerate(feeds)}
    for info in infos:
        node, i = info.node, ids[info.node.name]
        controls = [ids[c] for c in node.control_inputs if c in ids]
        for c in controls:
            infos[c].ctrl_outs.append(i)
        for pos, edge in enumerate(node.inputs):
            if edge in fed:
                feed_consumers[feed_index[edge]].append((i, pos))
                continue
            producer = ids[edge[0]]
            if edge[1] >= len(infos[producer].outs):
                from savedmodel.executor.plan import missing_input

                raise missing_input(edge, node, out_info)
            infos[producer].outs[edge[1]].append((i, pos))
        # NOTE (TF's executor): a Merge waits for all its control inputs plus one live data
        # input; bit 0 of its pending count says "no live input yet".
        info.initial = 1 + 2 * len(controls) if info.kind == MERGE else info.ndata + len(controls)
    for info in infos:
        info.edges = [
            (dst, pos, out, infos[dst]) for out, edges in enumerate(info.outs) for dst, pos in edges
        ]
        info.edges += [(dst, -1, -1, infos[dst]) for dst in info.ctrl_outs]

    fed_fetches: list[tuple[int, int]] = []  # (fetch position, feed position)
    for k, edge in enumerate(fetches):
        if edge in fed:
            fed_fetches.append((k, feed_index[edge]))
            continue
        producer = ids[edge[0]]  # fetched nodes are needed (pruning started from them)
        if edge[1] >= len(infos[producer].outs):
            from savedmodel.executor.plan import missing_input

            raise missing_input(edge, graph.nodes[edge[0]], out_info)
        infos[producer].fetch.append((edge[1], k))
    fetch_refs = [e not in fed and out_info[e[0]][1][e[1]] for e in fetches]
    frames, parents = _static_frames(infos, feed_consumers)
    for info in infos:
        where = frames.get(info.id, "")
        if info.kind == EXIT:
            where = parents.get(where, "")
        if info.fetch and where:
            raise InvalidArgumentError(
                f"cannot fetch {info.node.name}:{info.fetch[0][0]}: it is inside the while loop"
                f" frame {where!r} (fetch the loop's Exit instead)"
            )
    program = Program(infos, enters, feed_consumers, fetches, fetch_refs, fed_fetches)
    feed_dtypes = [binding.feed_dtype(graph, e) for e in feeds]
    return Plan(program.run, feed_dtypes, list(nodes), len(fetches))


def _static_frames(
    infos: list[NodeInfo], feed_consumers: list[list[tuple[int, int]]]
) -> tuple[dict[int, str], dict[str, str]]:
    """The frame name of every node reachable from the roots (and each frame's parent frame);
    an edge across frames is an error.

    NOTE (TF's executor, BuildControlFlowInfo): a node is in its inputs' frame; an Enter's
    consumers are in the Enter's `frame_name`, an Exit's in the parent of the Exit's frame.
    """
    frame: dict[int, str] = {}
    parent: dict[str, str] = {}
    queue = deque(i for i, info in enumerate(infos) if info.initial == 0)
    for consumers in feed_consumers:
        queue.extend(dst for dst, _ in consumers)
    for i in queue:
        frame[i] = ""
    while queue:
        i = queue.popleft()
        info = infos[i]
        if info.kind == ENTER:
            out_frame = info.frame_name
            parent.setdefault(out_frame, frame[i])
        elif info.kind == EXIT:
            out_frame = parent.get(frame[i], "")
        else:
            out_frame = frame[i]
        for dst in [d for edges in info.outs for d, _ in edges] + info.ctrl_outs:
            seen = frame.get(dst)
            if seen is None:
                frame[dst] = out_frame
                queue.append(dst)
            elif seen != out_frame:
                raise InvalidArgumentError(
                    f"node {infos[dst].node.name!r} has inputs from different frames: input"
                    f" {info.node.name!r} is in frame {out_frame!r}, another in frame {seen!r}"
                    " (a tensor from outside a while loop must enter it through Enter)",
                    node_name=infos[dst].node.name,
                    op_type=infos[dst].node.op,
                )
    return frame, parent


def _constant(value: np.ndarray) -> Callable[[], np.ndarray]:
    return lambda: value


def _identity(value: Any) -> Any:
    return value


class Program:
    """The compiled dataflow graph; `run(feeds)` executes it once."""

    def __init__(
        self,
        infos: list[NodeInfo],
        enters: dict[str, int],
        feed_consumers: list[list[tuple[int, int]]],
        fetches: Sequence[Edge],
        fetch_refs: list[bool],
        fed_fetches: list[tuple[int, int]],
    ) -> None:
        self.infos = infos
        self.fed_fetches = fed_fetches
        self.enters = enters
        self.feed_consumers = feed_consumers
        self.fetches = list(fetches)
        self.fetch_refs = fetch_refs
        self.roots = [i for i, info in enumerate(infos) if info.initial == 0]
        self.nodes = [info.node for info in infos]

    def run(self, feeds: Sequence[Any]) -> list[Any]:
        return Run(self).run(feeds)
