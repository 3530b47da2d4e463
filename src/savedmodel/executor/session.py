"""A Session: one graph, its resources (variables, tables), and its cached compiled plans.

    sess = Session(Graph.from_graph_def(graph_def))
    sess.run("y:0", {"x:0": np.float32(3)})          # like tf.compat.v1.Session.run
    f = sess.make_callable(["x:0"], ["y:0"])         # compile once, call many: f(x) -> [y]

The session is also the `ctx` that kernels declaring a `ctx` parameter receive: `ctx.resources`
is the resource manager (a dict keyed by the resource's (kind, container, shared_name)), and
`ctx.function(func_attr)` / `ctx.call(func_attr, args)` run library functions (If, While,
PartitionedCall...). Plans of function bodies are compiled on first call and cached.

Values handed out (fetches, a FunctionCaller's outputs) are the caller's own: see `plan.detach`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from savedmodel.errors import InvalidArgumentError
from savedmodel.executor import loops
from savedmodel.executor.loops import LoopBody
from savedmodel.executor.plan import Plan, compile_plan
from savedmodel.graph import Edge, FuncAttr, Graph, parse_tensor_name

_OBJECT = np.dtype(object)


class FunctionCaller:
    """Calls one instantiated library function: `caller(*args) -> list of outputs`.

    Calling the caller is the user-facing entry (errstate, read-only args, detached outputs, as
    `Plan.run`); kernels running inside a plan use `call_nested`, which skips all three.
    """

    __slots__ = ("_session", "func", "_plan", "_nargs", "_loops")

    def __init__(self, session: Session, func: FuncAttr) -> None:
        self._session = session
        self.func = func
        self._plan: Plan | None = None
        self._nargs = -1
        self._loops: dict[FuncAttr, LoopBody] = {}

    def _compile(self) -> Plan:
        body = self._session.graph.library.instantiate(self.func.name, self.func.attrs)
        self._nargs = len(body.args)
        self._plan = self._session.compile_graph(body, body.args, body.rets, ())
        return self._plan

    @property
    def plan(self) -> Plan:
        """The compiled plan of the function body (compiled on first use)."""
        return self._plan or self._compile()

    def loop_body(self, cond: FuncAttr) -> LoopBody:
        """This function as the body of a While loop with `cond`: loop invariants hoisted."""
        loop = self._loops.get(cond)
        if loop is None:
            library = self._session.graph.library
            body = library.instantiate(self.func.name, self.func.attrs)
            cond_body = library.instantiate(cond.name, cond.attrs)
            loop = self._loops[cond] = loops.loop_body(body, cond_body, self._session.compile_graph)
        return loop

    def _check(self, args: Sequence[Any]) -> Plan:
        plan = self._plan or self._compile()
        if len(args) != self._nargs:
            raise InvalidArgumentError(
                f"function {self.func.name!r} takes {self._nargs} inputs, got {len(args)}"
            )
        return plan

    def __call__(self, *args: Any) -> list[Any]:
        return self._check(args).run(args)

    def call_nested(self, *args: Any) -> list[Any]:
        return self._check(args).run_nested(args)


class Session:
    """Runs one graph; holds its resources and plan caches (compile once, run many)."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.resources: dict[Any, Any] = {}
        self._plans: dict[tuple, Plan] = {}
        self._callers: dict[FuncAttr, FunctionCaller] = {}
        self._by_id: dict[int, tuple[FuncAttr, FunctionCaller]] = {}

    # -- kernel context -------------------------------------------------------------------------

    def function(self, func: FuncAttr) -> FunctionCaller:
        """The (cached) caller of a library function instantiated with `func.attrs`."""
        # Functional kernels ask for their FuncAttr on every call: look the object up by id
        # first (an int hash in C), by value only the first time.
        entry = self._by_id.get(id(func))
        if entry is not None and entry[0] is func:
            return entry[1]
        caller = self._callers.get(func)
        if caller is None:
            caller = self._callers[func] = FunctionCaller(self, func)
        self._by_id[id(func)] = (func, caller)
        return caller

    def call(self, func: FuncAttr, args: Sequence[Any]) -> list[Any]:
        return self.function(func)(*args)

    # -- compiling and running ------------------------------------------------------------------

    def compile_graph(
        self,
        graph: Graph,
        feeds: Sequence[Edge],
        fetches: Sequence[Edge],
        targets: Sequence[str],
        **options: Any,
    ) -> Plan:
        """A plan of `graph` (this session's or a function body); options: see compile_plan."""
        return compile_plan(
            graph,
            feeds,
            fetches,
            targets,
            self,
            call_function=lambda f: self.function(f).call_nested,
            **options,
        )

    def compile(
        self, feeds: Sequence[str], fetches: Sequence[str], targets: Sequence[str] = ()
    ) -> Plan:
        """The cached plan of this session's graph for tensor names `feeds`/`fetches`."""
        key = (tuple(feeds), tuple(fetches), tuple(targets))
        plan = self._plans.get(key)
        if plan is None:
            plan = self.compile_graph(
                self.graph,
                [parse_tensor_name(n) for n in feeds],
                [parse_tensor_name(n) for n in fetches],
                [_op_name(n) for n in targets],
            )
            self._plans[key] = plan
        return plan

    def make_callable(
        self, feeds: Sequence[str], fetches: Sequence[str], targets: Sequence[str] = ()
    ) -> Callable[..., list[Any]]:
        """`f(*feed_values) -> list of fetched values`, feeds converted to the graph's dtypes."""
        plan = self.compile(feeds, fetches, targets)
        dtypes = plan.feed_dtypes

        def call(*values: Any) -> list[Any]:
            if len(values) != len(dtypes):
                raise InvalidArgumentError(f"expected {len(dtypes)} feed values, got {len(values)}")
            return plan.run([convert(v, dt) for v, dt in zip(values, dtypes, strict=True)])

        return call

    def run(
        self,
        fetches: str | Sequence[str] = (),
        feed_dict: Mapping[str, Any] | None = None,
        targets: Sequence[str] = (),
    ) -> Any:
        """Like TF1 `Session.run` with tensor-name fetches/feeds and op-name targets."""
        single = isinstance(fetches, str)
        fetch_list = [fetches] if single else list(fetches)
        feed_dict = dict(feed_dict or {})
        feeds = list(feed_dict)
        values = self.make_callable(feeds, fetch_list, targets)(*(feed_dict[k] for k in feeds))
        return values[0] if single else values


def _op_name(name: str) -> str:
    return name[1:] if name.startswith("^") else name


def convert(value: Any, dtype: np.dtype | None) -> Any:
    """A fed value as an array of `dtype` (for object dtypes: str items become bytes)."""
    if dtype is None:
        return value
    if isinstance(value, np.ndarray) and value.dtype == dtype:
        return value
    if dtype == _OBJECT:
        return encode_strings(value)
    return np.asarray(value, dtype=dtype)


def encode_strings(value: Any) -> np.ndarray:
    """`value` as a new object array whose str items are UTF-8 bytes (other items kept)."""
    arr = np.array(value, dtype=object)  # a copy: the caller's array is never rewritten
    flat = arr.reshape(-1)
    for i, item in enumerate(flat):
        if isinstance(item, str):
            flat[i] = item.encode("utf-8")
    return arr
