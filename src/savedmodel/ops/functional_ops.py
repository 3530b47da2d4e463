"""Function calls and TF2 functional control flow: PartitionedCall, If, While, Case.

These kernels run library functions through the execution context (`ctx.function(func_attr)`
returns a cached caller; `caller.call_nested(*args) -> list of outputs` runs it inside the current
plan run). Nodes whose op *is* a library function are
called by the executor directly. Shape attrs (`output_shapes`, `_output_shapes`) are hints that
TF uses for static shape inference; they do not change results and are accepted as given.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from savedmodel.errors import InvalidArgumentError
from savedmodel.graph.attrs import FuncAttr
from savedmodel.ops.registry import kernel

_ndarray = np.ndarray


def _result(outputs: list[Any]) -> Any:
    # Registry contract: an op with exactly one output tensor returns it bare.
    return outputs[0] if len(outputs) == 1 else outputs


def to_bool(value: Any) -> bool:
    """TF's truth value of a predicate tensor: a scalar's value, else "has elements"."""
    # NOTE: TF's ToBool: a non-scalar tensor is true iff it is non-empty; a scalar string is true
    # iff it is non-empty; other scalars iff non-zero.
    arr = np.asarray(value)
    if arr.ndim:
        return arr.size > 0
    item = arr.item()
    return len(item) > 0 if isinstance(item, (bytes, str)) else bool(item)


@kernel("PartitionedCall", "StatefulPartitionedCall")
def partitioned_call(
    args: Sequence[np.ndarray],
    *,
    f: FuncAttr,
    config: str = "",
    config_proto: str = "",
    executor_type: str = "",
    ctx: Any,
) -> Any:
    return _result(ctx.function(f).call_nested(*args))


@kernel("If", "StatelessIf")
def if_(
    cond: np.ndarray,
    input: Sequence[np.ndarray],
    *,
    then_branch: FuncAttr,
    else_branch: FuncAttr,
    output_shapes: list | None = None,
    ctx: Any,
) -> Any:
    branch = then_branch if to_bool(cond) else else_branch
    return _result(ctx.function(branch).call_nested(*input))


@kernel("Case", "StatelessCase")
def case(
    branch_index: np.ndarray,
    input: Sequence[np.ndarray],
    *,
    branches: list[FuncAttr],
    output_shapes: list | None = None,
    ctx: Any,
) -> Any:
    index = int(branch_index)
    # NOTE: an out-of-range index runs the last branch (TF's default branch).
    if not 0 <= index < len(branches):
        index = len(branches) - 1
    return _result(ctx.function(branches[index]).call_nested(*input))


@kernel("While", "StatelessWhile")
def while_(
    input: Sequence[np.ndarray],
    *,
    cond: FuncAttr,
    body: FuncAttr,
    output_shapes: list | None = None,
    parallel_iterations: int = 10,
    ctx: Any,
) -> Any:
    # The per-iteration path calls the compiled plans' runners directly: no caller lookup, no
    # argument checks (done once here), no per-call bookkeeping; the body's loop-invariant
    # values are computed once, at the first iteration (see executor/loops.py).
    cond_plan = ctx.function(cond).plan
    loop = ctx.function(body).loop_body(cond)
    step = loop.step
    values = list(input)
    n = len(values)
    hoisted_count = loop.hoist.num_fetches if loop.hoist is not None else 0
    if cond_plan.num_feeds != n or step.num_feeds - hoisted_count != n or step.num_fetches != n:
        raise InvalidArgumentError(
            f"While loop with {n} loop variables: cond {cond.name!r} takes"
            f" {cond_plan.num_feeds}, body {body.name!r} takes {step.num_feeds - hoisted_count}"
            f" and returns {step.num_fetches}"
        )
    if cond_plan.num_fetches < 1:
        raise InvalidArgumentError(f"While loop cond {cond.name!r} returns no value")
    run_cond, run_step = cond_plan.runner, step.runner
    hoisted: list | None = None if loop.hoist is not None else []
    while True:
        pred = run_cond(values)[0]
        if not (bool(pred) if type(pred) is _ndarray and not pred.ndim else to_bool(pred)):
            return _result(values)
        if hoisted is None:
            hoisted = loop.hoist.runner(values)
        values = run_step(values + hoisted if hoisted else values)
