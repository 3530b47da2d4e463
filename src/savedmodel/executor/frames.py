"""Running a dataflow plan: frame instances, iterations, dead values and the ready queue.

See `executor.dataflow` for the semantics (TensorFlow's executor, one node at a time). `Run`
holds one execution's state; `NodeInfo` is what the compiled plan knows about each node.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from typing import Any

import numpy as np

from savedmodel.errors import InvalidArgumentError
from savedmodel.executor import binding
from savedmodel.graph import Node

# Node kinds.
NORMAL, SWITCH, MERGE, ENTER, EXIT, NEXT, TRIGGER = range(7)
KINDS = {
    "Switch": SWITCH,
    "RefSwitch": SWITCH,
    "Merge": MERGE,
    "RefMerge": MERGE,
    "Enter": ENTER,
    "RefEnter": ENTER,
    "Exit": EXIT,
    "RefExit": EXIT,
    "NextIteration": NEXT,
    "RefNextIteration": NEXT,
    "ControlTrigger": TRIGGER,
}


class _Dead:
    """The value of a dead tensor."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "DEAD"


DEAD = _Dead()


class NodeInfo:
    """What the executor knows about one node, computed once per plan."""

    __slots__ = (
        "id", "node", "kind", "ndata", "initial", "binding", "deref", "outs", "ctrl_outs",
        "edges", "frame_name", "is_constant", "fetch", "direct",
    )  # fmt: skip

    def __init__(self, i: int, node: Node, kind: int) -> None:
        self.id = i
        self.node = node
        self.kind = kind
        self.ndata = len(node.inputs)
        self.initial = 0  # pending count when the node's state is created in an iteration
        self.binding: binding.Binding | None = None
        self.deref: tuple[int, ...] = ()  # input positions holding ref edges to read
        self.outs: list[list[tuple[int, int]]] = []  # per output: (consumer id, input position)
        self.ctrl_outs: list[int] = []
        # Every out edge as (consumer id, input position or -1, output index or -1), and the
        # consumer's NodeInfo: what propagating a node's outputs walks.
        self.edges: list[tuple[int, int, int, NodeInfo]] = []
        self.frame_name = ""
        self.is_constant = False
        self.fetch: list[tuple[int, int]] = []  # (output index, fetch position)
        self.direct = False  # the kernel takes the inputs as they are (no list arguments)


class Frame:
    """One instance of a frame: a loop's execution in one iteration of its parent frame."""

    __slots__ = (
        "name", "parent", "parent_iter", "iters", "iteration", "pending_enters", "outstanding",
        "dead_exits", "invariants", "children", "done",
    )  # fmt: skip

    def __init__(self, name: str, parent: Frame | None, parent_iter: int, enters: int) -> None:
        self.name = name
        self.parent = parent
        self.parent_iter = parent_iter
        self.iters: dict[int, dict[int, list]] = {0: {}}  # iteration -> node id -> state
        self.iteration = 0  # the last iteration started
        self.pending_enters = enters  # Enter nodes that have not delivered yet
        self.outstanding = 0  # queued nodes of this frame + live child frames
        self.dead_exits: list[int] = []
        self.invariants: list[tuple[int, Any, bool]] = []  # (Enter id, value, dead)
        self.children: dict[tuple[str, int], Frame] = {}
        self.done = False


class Run:
    """The state of one execution: frames, iterations, the ready queue, fetched values."""

    def __init__(self, program: Any) -> None:  # a dataflow.Program
        self.p = program
        self.infos = program.infos
        self.ready: deque[tuple[int, Frame, int, bool, list | None]] = deque()
        self.root = Frame("", None, 0, 0)
        self.results: list[Any] = [DEAD] * len(program.fetches)
        self.computed = [False] * len(program.fetches)

    def run(self, feeds: Sequence[Any]) -> list[Any]:
        root = self.root
        for i in self.p.roots:
            self._enqueue(i, root, 0, False, [])
        for k, value in enumerate(feeds):
            for dst, pos in self.p.feed_consumers[k]:
                self._deliver(dst, pos, value, False, root, 0)
        for k, f in self.p.fed_fetches:
            self.results[k] = feeds[f]
            self.computed[k] = True
        ready = self.ready
        while ready:
            task = ready.popleft()
            self._process(*task)
        return self._fetched(feeds)

    # -- scheduling ----------------------------------------------------------------------------

    def _enqueue(self, i: int, frame: Frame, it: int, dead: bool, inputs: list | None) -> None:
        if self.infos[i].kind == TRIGGER:
            dead = False  # NOTE: a ControlTrigger runs even when its inputs are dead
        frame.outstanding += 1
        self.ready.append((i, frame, it, dead, inputs))

    def _deliver(self, i: int, pos: int, value: Any, dead: bool, frame: Frame, it: int) -> None:
        """Input `pos` of node `i` (-1: a control input) arrives in (frame, iteration)."""
        info = self.infos[i]
        states = frame.iters[it]
        state = states.get(i)
        if state is None:
            # [pending count, dead inputs, inputs (a Merge: its chosen (position, value))]
            inputs = None if info.kind == MERGE else [DEAD] * info.ndata
            state = states[i] = [info.initial, 0, inputs]
        if info.kind == MERGE:
            if pos < 0:
                state[0] -= 2
                all_dead = state[1] == info.ndata
                if state[0] == 0 or (state[0] == 1 and all_dead):
                    self._fire_merge(i, state, frame, it, all_dead)
            elif not dead and value is not DEAD:
                count = state[0]
                if count & 1:  # the first live input is the one the Merge forwards
                    state[0] = count - 1
                    state[2] = (pos, value)
                    if count == 1:
                        self._fire_merge(i, state, frame, it, False)
            else:
                state[1] += 1
                if state[0] == 1 and state[1] == info.ndata:
                    self._fire_merge(i, state, frame, it, True)
            return
        if pos >= 0:
            state[2][pos] = value
            if value is DEAD:
                dead = True
        state[0] -= 1
        if dead:
            state[1] += 1
        if state[0] == 0:
            del states[i]  # nothing else can arrive for this node in this iteration
            self._enqueue(i, frame, it, state[1] > 0, state[2])

    def _fire_merge(self, i: int, state: list, frame: Frame, it: int, dead: bool) -> None:
        chosen = state[2]
        state[2] = None  # the state stays (late inputs are ignored), the value is released
        self._enqueue(i, frame, it, dead, None if dead else [chosen])

    # -- running a node ------------------------------------------------------------------------

    def _process(self, i: int, frame: Frame, it: int, dead: bool, inputs: list | None) -> None:
        info = self.infos[i]
        kind = info.kind
        if not dead and info.deref:
            if kind == MERGE:
                if inputs[0][0] in info.deref:
                    inputs[0] = (inputs[0][0], self._read_ref(i, inputs[0][1]))
            else:
                for pos in info.deref:
                    if inputs[pos] is not DEAD:
                        inputs[pos] = self._read_ref(i, inputs[pos])
        if kind == NORMAL:
            outputs = [DEAD] * len(info.outs) if dead else self._call(i, inputs)
            self._propagate(info, outputs, dead, frame, it)
        elif kind == SWITCH:
            if dead:
                outputs = [DEAD, DEAD]
            else:
                taken = self._predicate(i, inputs[1])
                outputs = [DEAD, inputs[0]] if taken else [inputs[0], DEAD]
            self._propagate(info, outputs, dead, frame, it)
        elif kind == MERGE:
            if dead:
                outputs = [DEAD, DEAD]
            else:
                pos, value = inputs[0]
                outputs = [value, np.asarray(pos, dtype=np.int32)]
            self._propagate(info, outputs, dead, frame, it)
        elif kind == TRIGGER:
            self._propagate(info, [], False, frame, it)
        elif kind == ENTER:
            self._enter(info, DEAD if dead else inputs[0], dead, frame, it)
        elif kind == EXIT:
            if dead:
                if it == frame.iteration:
                    frame.dead_exits.append(i)
            elif frame.parent is not None:
                self._propagate(info, [inputs[0]], False, frame.parent, frame.parent_iter)
        else:  # NextIteration: a dead one ends the loop (nothing propagates)
            if not dead:
                if it == frame.iteration:
                    self._start_iteration(frame)
                self._propagate(info, [inputs[0]], False, frame, it + 1)
        frame.outstanding -= 1
        if frame.parent is not None:
            self._check_done(frame)

    def _call(self, i: int, inputs: list) -> list[Any]:
        info = self.infos[i]
        b = info.binding
        if info.direct:  # one plain argument per input, in order (most ops)
            args = inputs
        else:
            args = [
                [inputs[k] for k in item] if isinstance(item, tuple) else inputs[item]
                for item in b.spec
            ]
        try:
            result = b.fn(*args, **b.kw)
            if b.single:
                dtype = b.dtypes[0]
                return [result if dtype is None else binding.check_one(result, dtype)]
            return binding.coerce_many(result, b.dtypes) if b.dtypes else []
        except Exception as e:
            self._fail(e, i)
            raise

    def _fail(self, e: Exception, i: int) -> None:
        from savedmodel.executor.plan import fail

        fail(self.p.nodes, e, i)

    def _read_ref(self, i: int, ref: Any) -> Any:
        try:
            return ref.read()
        except Exception as e:
            self._fail(e, i)
            raise

    def _predicate(self, i: int, pred: Any) -> bool:
        arr = np.asarray(pred)
        if arr.shape != ():
            e = InvalidArgumentError(
                f"The second input must be a scalar, but it has shape {list(arr.shape)}"
            )
            self._fail(e, i)
            raise e
        return bool(arr)

    def _propagate(self, info: NodeInfo, outputs: list, dead: bool, frame: Frame, it: int) -> None:
        """Send a node's outputs (all dead when `dead`) along its edges in (frame, iteration)."""
        if info.fetch and frame is self.root:
            for out, k in info.fetch:
                self.results[k] = outputs[out]
                self.computed[k] = True
        states = frame.iters[it]
        for dst, pos, out, d in info.edges:
            if d.kind == MERGE:
                value = None if out < 0 else outputs[out]
                self._deliver(dst, pos, value, dead, frame, it)
                continue
            # The common case, written out (this loop is the executor's innermost work).
            state = states.get(dst)
            if state is None:
                state = states[dst] = [d.initial, 0, [DEAD] * d.ndata]
            if out >= 0:
                value = outputs[out]
                state[2][pos] = value
                if dead or value is DEAD:
                    state[1] += 1
            elif dead:
                state[1] += 1
            state[0] -= 1
            if state[0] == 0:
                del states[dst]  # nothing else can arrive for this node in this iteration
                frame.outstanding += 1
                # NOTE: a ControlTrigger runs even when its inputs are dead.
                self.ready.append((dst, frame, it, state[1] > 0 and d.kind != TRIGGER, state[2]))

    # -- frames --------------------------------------------------------------------------------

    def _enter(self, info: NodeInfo, value: Any, dead: bool, frame: Frame, it: int) -> None:
        key = (info.frame_name, it)
        child = frame.children.get(key)
        if child is None:
            child = Frame(info.frame_name, frame, it, self.p.enters[info.frame_name])
            frame.children[key] = child
            frame.outstanding += 1  # a live child keeps its parent's iteration going
        if info.is_constant:
            child.invariants.append((info.id, value, dead))
            for child_it in child.iters:
                self._propagate(info, [value], dead, child, child_it)
        else:
            self._propagate(info, [value], dead, child, 0)
        child.pending_enters -= 1
        self._check_done(child)

    def _start_iteration(self, frame: Frame) -> None:
        frame.iteration += 1
        frame.iters[frame.iteration] = {}
        frame.dead_exits.clear()  # NOTE: only the last iteration's dead exits count
        for i, value, dead in frame.invariants:
            self._propagate(self.infos[i], [value], dead, frame, frame.iteration)

    def _check_done(self, frame: Frame) -> None:
        while (
            frame.parent is not None
            and not frame.done
            and frame.outstanding == 0
            and frame.pending_enters == 0
        ):
            frame.done = True
            parent = frame.parent
            for i in frame.dead_exits:
                info = self.infos[i]
                self._propagate(info, [DEAD], True, parent, frame.parent_iter)
            del parent.children[(frame.name, frame.parent_iter)]
            parent.outstanding -= 1
            frame = parent

    # -- results -------------------------------------------------------------------------------

    def _fetched(self, feeds: Sequence[Any]) -> list[Any]:
        results = []
        for k, edge in enumerate(self.p.fetches):
            name = f"{edge[0]}:{edge[1]}"
            value = self.results[k]
            if not self.computed[k]:
                raise InvalidArgumentError(
                    f"fetched tensor {name} was not computed: its node never became ready (is"
                    " it inside a while loop, or is the graph's control flow malformed?)"
                )
            if value is DEAD:
                raise InvalidArgumentError(
                    f"Retval[{k}] does not have value: fetched tensor {name} is dead (it is on a"
                    " branch of a conditional that was not taken)"
                )
            if self.p.fetch_refs[k]:
                value = value.read()
            results.append(value)
        return results
