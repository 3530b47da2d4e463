"""Branch functions of TF2 control flow: a Python callable traced into a library FunctionDef.

`tf.cond`, `tf.switch_case` and `tf.while_loop` (control_flow_v2) trace each branch (or the loop's
cond and body) into its own `FuncGraph`, named inside the op's name scope (`cond/mul`), which
captures the outside tensors and resource handles it uses. The branches of one op must take the
same inputs: `match_captures` lines their captures up (a branch gets a placeholder, unused, for
what only another branch captured), and the op gets the outside values as its inputs. The
FunctionDefs (and whatever they call) join the enclosing graph's library.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from savedmodel import dtypes
from savedmodel.api import library
from savedmodel.api.func_graph import FuncGraph
from savedmodel.api.function import _add_control_dependencies, _identities, _outputs
from savedmodel.api.graph_to_function import arg_name, to_function_def
from savedmodel.framework.graph import Graph, name_from_scope_name
from savedmodel.framework.op_builder import apply_op
from savedmodel.framework.operation import Operation, Tensor
from savedmodel.framework.tensor_shape import TensorShape

# Ops that only read the resource they are given (TF's `_read_only_resource_inputs` analysis).
_READ_ONLY_OPS = frozenset(
    {"ReadVariableOp", "ResourceGather", "ResourceGatherNd", "VariableShape", "VarIsInitializedOp"}
)


class Branch:
    """One traced branch: its graph, leading input placeholders, outputs and output structure."""

    def __init__(self, graph: FuncGraph, inputs: list[Tensor]) -> None:
        self.graph = graph
        self.inputs = inputs  # the branch's own arguments (loop variables); captures follow
        self.outputs: list[Tensor] = []
        self.structure: Any = None
        self.must_run: list[Operation] = []
        self.all_inputs: list[Tensor] = []

    @property
    def name(self) -> str:
        return self.graph.name

    def is_stateful(self) -> bool:
        return bool(self.must_run)


def function_name(scope: str, kind: str) -> str:
    """`cond_true_12`, `while_body_7`...: the op's scope with `/` as `_`, a kind, a unique id."""
    base = name_from_scope_name(scope).replace("/", "_") or "branch"
    return f"{base}_{kind}_{library.uid()}"


def new_graph(fname: str, scope: str, outer: Graph) -> FuncGraph:
    graph = FuncGraph(fname)
    graph._name_stack = name_from_scope_name(scope)  # branch ops are named inside the op's scope
    graph.seed = outer.seed
    return graph


def add_placeholder(graph: FuncGraph, dtype: Any, shape: Any, name: str) -> Tensor:
    with graph.as_default():
        t = apply_op("Placeholder", dtype=dtype, shape=TensorShape(shape), name=name)
    graph.inputs.append(t)
    return t


def trace(
    fn: Callable[..., Any], graph: FuncGraph, inputs: list[Tensor], args: tuple = ()
) -> Branch:
    """Call `fn(*args)` with `graph` as the default graph; outputs become Identity tensors."""
    branch = Branch(graph, inputs)
    with graph.as_default():
        result = fn(*args)
        outputs, branch.structure = _outputs(result)
        branch.must_run = _add_control_dependencies(graph)
        branch.outputs = _identities(outputs, branch.must_run)
    return branch


def match_captures(branches: list[Branch]) -> list[Any]:
    """The outside values all branches capture, in order; each branch's `all_inputs` is its own
    inputs followed by one placeholder per such value (made where the branch did not use it)."""
    values: list[Any] = []
    seen: set[int] = set()
    for branch in branches:
        for value, _ in branch.graph.captures:
            if id(value) not in seen:
                seen.add(id(value))
                values.append(value)
    for branch in branches:
        placeholders = []
        for value in values:
            placeholder = branch.graph.capture_placeholder(value)
            if placeholder is None:
                placeholder = branch.graph.capture(value, "Placeholder")
            placeholders.append(placeholder)
        branch.all_inputs = list(branch.inputs) + placeholders
    return values


def finish(branch: Branch, outer: Graph, outputs: list[Tensor] | None = None) -> None:
    """Write the branch's FunctionDef (and what it calls) into `outer`'s library."""
    inputs = branch.all_inputs
    names = [t.op.name.rsplit("/", 1)[-1] for t in inputs]
    fdef = to_function_def(
        branch.graph, branch.name, inputs, branch.outputs if outputs is None else outputs,
        names, branch.must_run,
    )  # fmt: skip
    for lib_name, lib_fdef in branch.graph._functions.items():
        if not outer._is_function(lib_name):
            outer._add_function(lib_fdef)
    outer._add_function(fdef)


def read_only_resource_inputs(branches: list[Branch], offset: int) -> list[int]:
    """Op input indices of resources that every branch only reads (`offset`: inputs before)."""
    out = []
    for i, t in enumerate(branches[0].all_inputs):
        if t.dtype.base_dtype != dtypes.resource:
            continue
        if all(
            all(c.type in _READ_ONLY_OPS for c in b.all_inputs[i].consumers()) for b in branches
        ):
            out.append(i + offset)
    return out


def output_shapes(branches: list[Branch]) -> list[TensorShape]:
    """Per output, the most specific shape compatible with every branch's."""
    shapes = [TensorShape(t.shape) for t in branches[0].outputs]
    for branch in branches[1:]:
        shapes = [
            s.most_specific_compatible_shape(t.shape)
            for s, t in zip(shapes, branch.outputs, strict=True)
        ]
    return shapes


def check_same_outputs(branches: list[Branch], what: str) -> None:
    """Branches must return the same structure and dtypes (TF's errors)."""
    from savedmodel.api import nest

    first = branches[0]
    for other in branches[1:]:
        try:
            nest.assert_same_structure(first.structure, other.structure)
        except (TypeError, ValueError) as e:
            raise ValueError(
                f"{what} must have the same number, type, and overall structure of return"
                f" values.\n\n{e}"
            ) from None
        for a, b in zip(first.outputs, other.outputs, strict=True):
            if a.dtype.base_dtype != b.dtype.base_dtype:
                raise TypeError(
                    f"{what} must have the same dtypes for their outputs: {a.dtype.name} vs"
                    f" {b.dtype.name} ({first.name} / {other.name})"
                )


def placeholder_name(t: Any, default: str) -> str:
    name = getattr(getattr(t, "op", None), "name", None)
    return arg_name(name.rsplit("/", 1)[-1]) if name else default
