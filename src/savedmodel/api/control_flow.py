"""`tf.cond`, `tf.case`, `tf.switch_case`: TF2 control flow (control_flow_v2).

Executing eagerly the predicate is a value and only the chosen branch runs, in Python. Building a
graph (TF1 graph mode, or tracing a `tf.function`), each branch is traced into a library function
(`savedmodel.api.branches`) and one op picks at run time:

* `cond`: `If` (or `StatelessIf` when no branch has a stateful op) named `cond`, inputs
  `[pred, *captured values]`, attrs `Tcond`, `Tin`, `Tout`, `then_branch`, `else_branch`,
  `output_shapes`, `_lower_using_switch_merge` and `_read_only_resource_inputs`, its outputs
  passed through `cond/Identity`, `cond/Identity_1`...;
* `switch_case`: `Case` / `StatelessCase` named `switch_case/indexed_case`, one branch function
  per index (an out-of-range index runs the last one: the default);
* `case`: nested conds over the predicates, in order (as TF2 builds it).

NOTE: TF1 graphs built after `disable_v2_behavior()` get the same functional ops here, where
TensorFlow would build Switch/Merge (control_flow_v1); both run the same.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from savedmodel import dtypes, protos
from savedmodel.api import branches as branch_lib
from savedmodel.api import nest
from savedmodel.framework import context
from savedmodel.framework.constant_op import convert_to_tensor
from savedmodel.framework.graph import get_default_graph
from savedmodel.framework.op_builder import apply_op, graph_from_inputs
from savedmodel.framework.operation import Tensor
from savedmodel.framework.scopes import name_scope


def _unpack_if_singleton(value: Any) -> Any:
    if isinstance(value, (list, tuple)) and len(value) == 1:
        return value[0]
    return value


def _functional_attrs(op: Any, read_only: list[int]) -> None:
    op._set_attr("_lower_using_switch_merge", protos.AttrValue(b=True))
    value = protos.AttrValue()
    value.list.i.extend(read_only)
    op._set_attr("_read_only_resource_inputs", value)


def _outputs_of(op_outputs: Any, shapes: list[Any], structure: Any) -> Any:
    """The op's outputs through Identity ops, packed as the branches' output structure."""
    from savedmodel.framework.array_ops import identity

    tensors = list(op_outputs) if isinstance(op_outputs, (list, tuple)) else []
    for t, shape in zip(tensors, shapes, strict=True):
        t.set_shape(shape)
    identities = [identity(t) for t in tensors]
    leaves = nest.flatten(structure)
    it = iter(identities)
    return nest.pack_sequence_as(structure, [next(it) if x is not None else None for x in leaves])


def cond(
    pred: Any,
    true_fn: Callable[[], Any] | None = None,
    false_fn: Callable[[], Any] | None = None,
    strict: bool = False,
    name: str | None = None,
) -> Any:
    """`tf.compat.v1.cond` (TF2's `tf.cond` is this with strict=True)."""
    if not callable(true_fn):
        raise TypeError("true_fn must be callable.")
    if not callable(false_fn):
        raise TypeError("false_fn must be callable.")
    if context.executing_eagerly():
        result = true_fn() if bool(_eager_value(pred)) else false_fn()
        return result if strict else _unpack_if_singleton(result)
    if isinstance(pred, bool):
        raise TypeError("pred must not be a Python bool")
    outer = graph_from_inputs([pred])
    with outer.as_default(), name_scope(name, "cond", [pred]) as scope:
        pred = convert_to_tensor(pred, name="pred")
        if pred.shape.rank != 0:
            # NOTE: TF squeezes a predicate that is not known to be a scalar.
            from savedmodel.framework.array_ops import squeeze

            pred = squeeze(pred)
        fns = {"true": true_fn, "false": false_fn}
        result = _branch_op(
            ("If", "StatelessIf"), fns, "true_fn and false_fn arguments to tf.cond", scope,
            outer, lambda names: {"cond": pred, "then_branch": names[0],
                                  "else_branch": names[1]},
        )  # fmt: skip
    return result if strict else _unpack_if_singleton(result)


def _branch_op(op_types: tuple[str, str], fns: dict[str, Any], what: str, scope: str,
               outer: Any, op_inputs: Callable[[list[str]], dict[str, Any]]) -> Any:  # fmt: skip
    """Trace the branches, add the op choosing one (stateful type if any branch is), outputs."""
    branch_list = [_trace_branch(fn, scope, kind, outer) for kind, fn in fns.items()]
    branch_lib.check_same_outputs(branch_list, what)
    values = branch_lib.match_captures(branch_list)
    for b in branch_list:
        branch_lib.finish(b, outer)
    shapes = branch_lib.output_shapes(branch_list)
    stateful = any(b.is_stateful() for b in branch_list)
    op_outputs = apply_op(
        op_types[0] if stateful else op_types[1], input=values,
        Tout=[t.dtype.base_dtype for t in branch_list[0].outputs], output_shapes=shapes,
        name=scope, **op_inputs([b.name for b in branch_list]),
    )  # fmt: skip
    op = _op_of(op_outputs, outer)
    _functional_attrs(op, branch_lib.read_only_resource_inputs(branch_list, 1))
    return _outputs_of(op_outputs, shapes, branch_list[0].structure)


def cond_v2(pred: Any, true_fn: Any = None, false_fn: Any = None, name: str | None = None) -> Any:
    """`tf.cond` (TF2): strict structure, no unpacking of one-element outputs."""
    return cond(pred, true_fn, false_fn, strict=True, name=name)


def _trace_branch(fn: Callable[[], Any], scope: str, kind: str, outer: Any) -> branch_lib.Branch:
    fname = branch_lib.function_name(scope, kind)
    graph = branch_lib.new_graph(fname, scope, outer)
    return branch_lib.trace(fn, graph, [])


def _op_of(op_outputs: Any, graph: Any) -> Any:
    if isinstance(op_outputs, (list, tuple)) and op_outputs:
        return op_outputs[0].op
    if isinstance(op_outputs, Tensor):
        return op_outputs.op
    if hasattr(op_outputs, "type"):  # an Operation: the op has no outputs
        return op_outputs
    return graph.get_operations()[-1]


def _eager_value(value: Any) -> Any:
    numpy = getattr(value, "numpy", None)
    return numpy() if callable(numpy) else value


# -- switch_case / case ---------------------------------------------------------------------------


def _indexed_branches(branch_fns: Any, default: Any) -> list[Callable[[], Any]]:
    if isinstance(branch_fns, dict):
        pairs = sorted(branch_fns.items())
    elif branch_fns and all(isinstance(b, (list, tuple)) for b in branch_fns):
        pairs = sorted((int(k), v) for k, v in branch_fns)
    else:
        pairs = list(enumerate(branch_fns))
    if not pairs:
        raise ValueError("Must provide at least one item in `branch_fns`.")
    keys = [k for k, _ in pairs]
    if keys != list(range(len(keys))):
        raise ValueError(
            "branch indices (keys) must form contiguous range of [0 to N) if dict is passed."
        )
    fns = [fn for _, fn in pairs]
    for fn in fns:
        if not callable(fn):
            raise TypeError(f"fn for branch index must be callable, got {fn!r}")
    if default is not None:
        if not callable(default):
            raise TypeError("default must be callable.")
        fns.append(default)
    return fns


def switch_case(
    branch_index: Any, branch_fns: Any, default: Any = None, name: str = "switch_case"
) -> Any:
    """`tf.switch_case`: run `branch_fns[branch_index]` (out of range: `default`, else the last)."""
    fns = _indexed_branches(branch_fns, default)
    if context.executing_eagerly():
        index = int(_eager_value(branch_index))
        if not 0 <= index < len(fns):
            index = len(fns) - 1
        return fns[index]()
    outer = graph_from_inputs([branch_index])
    with outer.as_default(), name_scope(name, "switch_case", [branch_index]):
        branch_index = convert_to_tensor(branch_index, name="branch_index")
        if branch_index.dtype.base_dtype != dtypes.int32:
            raise TypeError("branch_index must be an int32 Tensor")
        with name_scope("indexed_case") as scope:
            return _branch_op(
                ("Case", "StatelessCase"), {f"branch{i}": fn for i, fn in enumerate(fns)},
                "branch_fns arguments to tf.switch_case", scope, outer,
                lambda names: {"branch_index": branch_index, "branches": names},
            )  # fmt: skip


def case(
    pred_fn_pairs: Any,
    default: Any = None,
    exclusive: bool = False,
    strict: bool = False,
    name: str = "case",
) -> Any:
    """`tf.case`: the first `fn` whose `pred` is true, else `default` (nested conds, in order).

    NOTE: with no default, TF uses the last pair's fn as the default; it also adds Assert ops
    (all predicates false, or several true with `exclusive`), which are not built here.
    """
    if isinstance(pred_fn_pairs, dict):
        pairs = list(pred_fn_pairs.items())
    else:
        pairs = list(pred_fn_pairs)
    for pair in pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise TypeError(f"Each entry in pred_fn_pairs must be a 2-tuple. Received {pair}.")
        if not callable(pair[1]):
            raise TypeError("fn for pred must be callable.")
    if not pairs:
        raise ValueError("pred_fn_pairs must not be empty")
    if default is None:
        *pairs, (_, default) = pairs
    if context.executing_eagerly():
        for pred, fn in pairs:
            if bool(_eager_value(pred)):
                result = fn()
                break
        else:
            result = default()
        return result if strict else _unpack_if_singleton(result)
    graph = graph_from_inputs([p for p, _ in pairs]) if pairs else get_default_graph()
    with graph.as_default(), name_scope(name, "case", [p for p, _ in pairs]):
        fn = default
        for i, (pred, action) in reversed(list(enumerate(pairs))):
            fn = _chained(pred, action, fn, f"If_{i}", strict)
        return fn()


def _chained(pred: Any, action: Any, otherwise: Any, name: str, strict: bool) -> Any:
    def run() -> Any:
        return cond(pred, action, otherwise, strict=strict, name=name)

    return run
