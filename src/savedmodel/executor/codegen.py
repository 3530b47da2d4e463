"""Turn a compiled linear plan into one generated Python function (the per-call fast path).

A plan's steps become straight-line code, one statement per node (plus one to drop values after
their last use), values in local variables instead of a list:

    def run(feeds):
        v0, v1 = feeds
        try:
            v2 = CK(f0(v0, c7, transpose_a=k0_0), d0)  # CK: check the dtype (or coerce)
            v0 = None                       # dead after its last reader; v0 is free for reuse
            v0, v3 = CM(f1([v2, v1]), d1)   # list outputs: checked by CM
            ...
        except Exception as e:
            FAIL(e)                         # names the node, or wraps a non-OpError
            raise
        return [v0, v3.read()]              # a ref edge fetched: its current value

CPython runs this several times faster than a loop that unpacks per-step tuples and indexes a
list: locals are array slots, kernels are called with keyword arguments (no `**kw` dict), and no
per-step bookkeeping runs (the failing step is found from the traceback's line number). Everything
the code refers to (kernels, attr values, Const values, dtypes) lives in the function's own
globals dict; only integers and identifiers are ever formatted into the source.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from savedmodel.errors import InternalError
from savedmodel.graph import Node


@dataclass
class Step:
    """One node to run: its kernel, inputs (slots per OpDef argument), attrs and outputs."""

    node: Node
    fn: Callable
    # Per OpDef input argument: a slot, or a tuple of slots for a list argument.
    spec: list[int | tuple[int, ...]]
    kw: dict[str, Any]
    outs: list[int]  # one slot per output tensor (an unread output gets slot -1)
    single: bool  # the kernel returns one bare value (see ops/registry.py)
    dtypes: tuple  # expected dtype per output (None: a ref output, passed through)
    deref: set[int] = field(default_factory=set)  # input slots holding refs to read
    frees: list[int] = field(default_factory=list)  # slots dead after this step


def build_runner(
    name: str,
    steps: Sequence[Step],
    feed_slots: Sequence[int],
    consts: dict[int, Any],
    fetches: Sequence[tuple[int, bool]],
    helpers: dict[str, Any],
    fail: Callable[[Exception, int], None],
) -> Callable[[Sequence[Any]], list[Any]]:
    """The function `feeds -> list of fetched values` running `steps` in order.

    `consts` maps slots to pre-computed values; `fetches` lists (slot, is a ref edge to read);
    `helpers` supplies CK(value, dtype) and CM(values, dtypes), which check kernel outputs. An
    exception escaping step k calls `fail(e, k)` (which annotates or replaces it) first.
    """
    env: dict[str, Any] = dict(helpers)
    names = _Registers(feed_slots, consts)
    lines = ["def run(feeds):"]
    if feed_slots:
        lines.append(f"    {''.join(names.of(s) + ', ' for s in feed_slots)}= feeds")
    lines.append("    try:")
    first_line = len(lines) + 1
    line_steps: list[int] = []  # step index of each line from first_line on
    for k, step in enumerate(steps):
        lines.append(f"        {_statement(k, step, env, names)}")
        line_steps.append(k)
        if step.frees:
            lines.append(f"        {' = '.join(names.release(s) for s in step.frees)} = None")
            line_steps.append(k)
    if not steps:
        lines.append("        pass")
    lines.append("    except Exception as e:")
    lines.append("        FAIL(e)")
    lines.append("        raise")
    lines.append(f"    return [{', '.join(names.read(s, is_ref) for s, is_ref in fetches)}]")
    source = "\n".join(lines) + "\n"
    code = compile(source, f"<plan {name}>", "exec")
    for slot, value in consts.items():
        env[f"c{slot}"] = value

    def on_error(e: Exception) -> None:
        # Caught in `run`: the traceback's first entry is `run` at the failing step's line.
        tb = e.__traceback__
        if tb is not None and 0 <= tb.tb_lineno - first_line < len(line_steps):
            fail(e, line_steps[tb.tb_lineno - first_line])

    env["FAIL"] = on_error
    exec(code, env)  # noqa: S102
    run = env["run"]
    run.source = source  # for debugging: print(plan.source)
    return run


class _Registers:
    """Local variable names for slots, reused once a slot's value is dead.

    Fewer distinct locals make CPython compile the generated function several times faster;
    Const slots are globals `c<slot>` instead.
    """

    def __init__(self, feed_slots: Sequence[int], consts: dict[int, Any]) -> None:
        self._consts = consts
        self._names: dict[int, str] = {}
        self._free: list[str] = []
        self._count = 0
        for s in feed_slots:
            self.bind(s)

    def bind(self, slot: int) -> str:
        """A name for a slot about to be written (-1: an output nobody reads)."""
        if slot < 0:
            return "_"
        if self._free:
            name = self._free.pop()
        else:
            name = f"v{self._count}"
            self._count += 1
        self._names[slot] = name
        return name

    def of(self, slot: int) -> str:
        return f"c{int(slot)}" if slot in self._consts else self._names[slot]

    def read(self, slot: int, deref: bool) -> str:
        return f"{self.of(slot)}.read()" if deref else self.of(slot)

    def release(self, slot: int) -> str:
        """The name of a slot whose value dies here; it may be reused by later steps."""
        name = self._names.pop(slot)
        self._free.append(name)
        return name


def _statement(k: int, step: Step, env: dict[str, Any], names: _Registers) -> str:
    """The one statement that runs step `k` and binds (and checks) its outputs."""
    env[f"f{k}"] = step.fn
    args = []
    for item in step.spec:
        if isinstance(item, tuple):
            args.append("[" + ", ".join(names.read(s, s in step.deref) for s in item) + "]")
        else:
            args.append(names.read(item, item in step.deref))
    for j, (kw_name, value) in enumerate(step.kw.items()):
        # Keyword names are a kernel's own parameter names, so always identifiers.
        if not kw_name.isidentifier() or keyword.iskeyword(kw_name):
            raise InternalError(f"kernel keyword {kw_name!r} is not an identifier")
        env[f"k{k}_{j}"] = value
        args.append(f"{kw_name}=k{k}_{j}")
    call = f"f{k}({', '.join(args)})"
    # Outputs are named after the inputs are read: a step never writes a name it reads.
    outs = [names.bind(s) for s in step.outs]
    if step.single:
        dtype = step.dtypes[0]
        if dtype is None:  # a ref output: passed through unchecked
            return f"{outs[0]} = {call}"
        env[f"d{k}"] = dtype
        return f"{outs[0]} = CK({call}, d{k})"
    if outs:
        env[f"d{k}"] = step.dtypes
        return f"{''.join(o + ', ' for o in outs)}= CM({call}, d{k})"
    return call
