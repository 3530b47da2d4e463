"""`tf.while_loop`: TF2 loops (while_v2): a Python loop eagerly, a While op in a graph.

Building a graph, `cond` and `body` are traced into library functions over the loop state
`[loop_counter, maximum_iterations, *flat loop_vars, *captured values]`: the cond returns one
bool (`counter < maximum_iterations and cond(*vars)` when a maximum is given), the body returns
the next state (counter + 1, the maximum and the captured values passed through unchanged).
The op is `While`, or `StatelessWhile` when neither function has a stateful op, named `while`,
with `T`, `cond`, `body`, `output_shapes`, `parallel_iterations`, `_num_original_outputs`,
`_lower_using_switch_merge` and `_read_only_resource_inputs`, as TF's while_v2 builds it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from savedmodel import dtypes, protos
from savedmodel.api import branches as branch_lib
from savedmodel.api import nest
from savedmodel.framework import context
from savedmodel.framework.constant_op import constant, convert_to_tensor
from savedmodel.framework.op_builder import apply_op, graph_from_inputs
from savedmodel.framework.operation import Tensor
from savedmodel.framework.scopes import name_scope
from savedmodel.framework.tensor_shape import TensorShape


def _as_list(values: Any) -> list[Any]:
    return list(values) if isinstance(values, (list, tuple)) else [values]


def _eager_loop(cond: Callable, body: Callable, loop_vars: Any, maximum_iterations: Any) -> Any:
    limit = None if maximum_iterations is None else int(_numpy(maximum_iterations))
    count = 0
    while (limit is None or count < limit) and bool(_numpy(cond(*loop_vars))):
        result = body(*loop_vars)
        if not isinstance(result, (list, tuple)):
            result = [result]
        nest.assert_same_structure(list(loop_vars), list(result))
        loop_vars = type(loop_vars)(result) if type(loop_vars) is tuple else list(result)
        count += 1
    # NOTE: TF converts the final loop variables to tensors (Python numbers become arrays).
    return nest.map_structure(convert_to_tensor, loop_vars)


def _numpy(value: Any) -> Any:
    numpy = getattr(value, "numpy", None)
    return numpy() if callable(numpy) else value


def while_loop(
    cond: Callable[..., Any],
    body: Callable[..., Any],
    loop_vars: Any,
    shape_invariants: Any = None,
    parallel_iterations: int = 10,
    back_prop: bool = True,
    swap_memory: bool = False,
    name: str | None = None,
    maximum_iterations: Any = None,
    return_same_structure: bool = False,
) -> Any:
    """`tf.compat.v1.while_loop` (TF2's `tf.while_loop` has return_same_structure=True)."""
    if not callable(cond):
        raise TypeError("'cond' must be callable.")
    if not callable(body):
        raise TypeError("'body' must be callable.")
    if parallel_iterations < 1:
        raise TypeError("'parallel_iterations' must be a positive integer.")
    if loop_vars is None or (nest.is_nested(loop_vars) and not nest.flatten(loop_vars)):
        raise ValueError("'loop_vars' must be provided.")
    if not isinstance(loop_vars, (list, tuple)):
        loop_vars = [loop_vars]
    # NOTE: TF1's while_loop returns a lone loop variable unwrapped.
    single = not return_same_structure and len(nest.flatten(loop_vars)) == 1
    if context.executing_eagerly():
        result = _eager_loop(cond, body, loop_vars, maximum_iterations)
    else:
        outer = graph_from_inputs(nest.flatten(loop_vars))
        with outer.as_default():
            result = _graph_loop(cond, body, loop_vars, shape_invariants, parallel_iterations,
                                 maximum_iterations, name, outer)  # fmt: skip
    return nest.flatten(result)[0] if single else result


def _graph_loop(cond: Callable, body: Callable, loop_vars: Any, shape_invariants: Any,
                parallel_iterations: int, maximum_iterations: Any, name: str | None,
                outer: Any) -> Any:  # fmt: skip
    flat_vars = [convert_to_tensor(v) for v in nest.flatten(loop_vars)]
    if shape_invariants is not None:
        flat_shapes = [TensorShape(s) for s in nest.flatten_up_to(loop_vars, shape_invariants)]
    else:
        flat_shapes = [t.shape for t in flat_vars]
    with name_scope(name, "while", flat_vars) as scope:
        max_iter = constant(-1 if maximum_iterations is None else maximum_iterations,
                            dtypes.int32, name="maximum_iterations")  # fmt: skip
        if isinstance(maximum_iterations, Tensor):
            max_iter = convert_to_tensor(maximum_iterations, dtypes.int32)
        counter = constant(0, dtypes.int32, name="loop_counter")
        state = [counter, max_iter, *flat_vars]
        shapes = [TensorShape([]), TensorShape([]), *flat_shapes]

        bounded = maximum_iterations is not None
        cond_fn = _trace_part(scope, "cond", outer, state, shapes,
                              _cond_wrapper(cond, bounded, loop_vars))  # fmt: skip
        body_fn = _trace_part(scope, "body", outer, state, shapes, _body_wrapper(body, loop_vars))
        _check_body_outputs(body_fn, state, shapes)
        captured = branch_lib.match_captures([cond_fn, body_fn])
        body_outputs = body_fn.outputs + body_fn.all_inputs[len(state) :]
        branch_lib.finish(cond_fn, outer)
        branch_lib.finish(body_fn, outer, body_outputs)
        inputs = state + captured
        all_shapes = shapes + [TensorShape(t.shape) for t in body_fn.all_inputs[len(state) :]]
        stateful = cond_fn.is_stateful() or body_fn.is_stateful()
        outputs = apply_op(
            "While" if stateful else "StatelessWhile",
            input=inputs, cond=cond_fn.name, body=body_fn.name, output_shapes=all_shapes,
            parallel_iterations=parallel_iterations, name=scope,
        )  # fmt: skip
        outputs = list(outputs) if isinstance(outputs, (list, tuple)) else []
        op = outputs[0].op
        op._set_attr("_num_original_outputs", protos.AttrValue(i=len(inputs)))
        op._set_attr("_lower_using_switch_merge", protos.AttrValue(b=True))
        read_only = protos.AttrValue()
        read_only.list.i.extend(branch_lib.read_only_resource_inputs([cond_fn, body_fn], 0))
        op._set_attr("_read_only_resource_inputs", read_only)
        for t, shape in zip(outputs, all_shapes, strict=True):
            t.set_shape(shape)
    flat = outputs[2 : 2 + len(flat_vars)]
    return nest.pack_sequence_as(loop_vars, flat)


def _trace_part(scope: str, kind: str, outer: Any, state: list[Tensor], shapes: list[Any],
                fn: Callable) -> branch_lib.Branch:  # fmt: skip
    graph = branch_lib.new_graph(branch_lib.function_name(scope, kind), scope, outer)
    names = ["loop_counter", "maximum_iterations"] + ["Placeholder"] * (len(state) - 2)
    placeholders = [
        branch_lib.add_placeholder(graph, t.dtype.base_dtype, shape, n)
        for t, shape, n in zip(state, shapes, names, strict=True)
    ]
    for t, p in zip(state, placeholders, strict=True):
        p._handle_data = t._handle_data
    return branch_lib.trace(fn, graph, placeholders, (placeholders,))


def _cond_wrapper(cond: Callable, bounded: bool, loop_vars: Any) -> Callable:
    def run(state: list[Tensor]) -> Any:
        counter, max_iter, *flat = state
        pred = cond(*_pack(loop_vars, flat))
        pred = convert_to_tensor(pred)
        if pred.shape.rank != 0:
            from savedmodel.framework.array_ops import squeeze

            pred = squeeze(pred)
        if not bounded:
            return pred
        from savedmodel.framework.math_ops import less, logical_and

        return logical_and(less(counter, max_iter), pred)

    return run


def _body_wrapper(body: Callable, loop_vars: Any) -> Callable:
    def run(state: list[Tensor]) -> Any:
        counter, max_iter, *flat = state
        result = body(*_pack(loop_vars, flat))
        if not isinstance(result, (list, tuple)):
            result = [result]
        try:
            nest.assert_same_structure(list(loop_vars), _as_list(result))
        except (TypeError, ValueError) as e:
            raise ValueError(
                f"The two structures don't have the same nested structure (loop_vars and the"
                f" body's outputs): {e}"
            ) from None
        flat_out = [convert_to_tensor(v) for v in nest.flatten(_as_list(result))]
        return [counter + 1, max_iter, *flat_out]

    return run


def _pack(loop_vars: Any, flat: list[Tensor]) -> list[Any]:
    return _as_list(nest.pack_sequence_as(list(loop_vars), flat))


def _check_body_outputs(body_fn: branch_lib.Branch, state: list[Tensor], shapes: list) -> None:
    for i, (out, before, shape) in enumerate(zip(body_fn.outputs, state, shapes, strict=True)):
        if out.dtype.base_dtype != before.dtype.base_dtype:
            raise TypeError(
                f"Loop variable {i - 2} enters the loop with type {before.dtype.name}, but has"
                f" type {out.dtype.name} after one iteration."
            )
        if not TensorShape(shape).is_compatible_with(out.shape) or (
            TensorShape(shape).is_fully_defined() and not out.shape.is_fully_defined()
        ):
            raise ValueError(
                f"Input tensor '{before.name}' enters the loop with shape {shape}, but has"
                f" shape {out.shape} after one iteration. To allow the shape to vary across"
                " iterations, use the `shape_invariants` argument of tf.while_loop to specify"
                " a less-specific shape."
            )
