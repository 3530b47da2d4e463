"""What `tf.saved_model.load` would do to a TF2 SavedModel, as far as `saved_model_cli` shows it.

`saved_model_cli show --all` loads the model with TensorFlow and sorts each function's concrete
functions by the *name the loader gives them*: every library function is re-imported as
`__inference_<python name>_<uid>`, where `<uid>` comes from TensorFlow's process-wide counter
(`ops.uid()`). The counter advances once per graph built, once per symbolic tensor created and
once per function name, so the names depend on the load order and on how many tensors each
imported function has. Names are compared as strings, so "__inference_f_100" sorts before
"__inference_f_99". This module replays that bookkeeping without TensorFlow:

* `load_library` returns {library name: name after loading} for a fresh `saved_model_cli`
  process, and the decoded input signatures;
* it raises `LoadFailure` where TensorFlow's load fails, with the reason saved_model_cli prints
  (an op TensorFlow does not know, a dependency cycle, an undecodable signature).
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any, NamedTuple

from savedmodel.formats import nested_structure
from savedmodel.graph import op_def_table

# NOTE: in saved_model_cli, `ops.uid()` hands out 0 to the Graph the CLI loads into and 1 to the
# loader's shared-name suffix; the first function graph gets 2.
_FIRST_FUNCTION_UID = 2

_INFERENCE_NAME = re.compile(r"^__inference_(.*)_\d+$")
# Ops the OpDef table leaves out (internal and TPU ops); TensorFlow knows them all.
_UNTABLED_OPS = re.compile(r"^_|TPU|Tpu")
_CALL_OPS = ("PartitionedCall", "StatefulPartitionedCall")

CUSTOM_OPS = "the existence of custom ops in the SavedModel"
UNKNOWN_REASONS = "unknown reasons"


class LoadFailure(Exception):
    """TensorFlow's load of this model would fail; `reason` is what saved_model_cli says."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


def clean_function_name(name: str) -> str:
    """The Python-level name TF's loader keeps of a library function name."""
    m = _INFERENCE_NAME.search(name)
    return m.group(1) if m else name


def _gradient_op_type(node: Any) -> bytes | None:
    if "_gradient_op_type" in node.attr and node.op not in _CALL_OPS:
        return node.attr["_gradient_op_type"].s
    return None


def _function_deps(fdef: Any, names: set[str], gradient_funcs: dict[bytes, str]) -> set[str]:
    deps: set[str] = set()
    for node in fdef.node_def:
        grad_type = _gradient_op_type(node)
        if node.op in names:
            deps.add(node.op)
        elif grad_type and grad_type in gradient_funcs:
            deps.add(gradient_funcs[grad_type])
        else:
            for value in node.attr.values():
                which = value.WhichOneof("value")
                if which == "func":
                    deps.add(value.func.name)
                elif which == "list":
                    deps.update(f.name for f in value.list.func)
    return deps


def load_order(library: Any) -> list[Any]:
    """FunctionDefs in the order TF's loader imports them (a stack-based topological sort)."""
    names = {f.signature.name for f in library.function}
    gradient_funcs = {
        g.registered_op_type.encode(): g.gradient_func
        for g in library.registered_gradients
        if g.registered_op_type
    }
    deps = {f.signature.name: _function_deps(f, names, gradient_funcs) for f in library.function}
    edges: dict[str, list[str]] = defaultdict(list)
    in_count: dict[str, int] = defaultdict(int)
    for fname, fdeps in deps.items():
        for dep in fdeps:
            edges[dep].append(fname)
            in_count[fname] += 1
    ready = [f.signature.name for f in library.function if in_count[f.signature.name] == 0]
    order: list[str] = []
    while ready:
        name = ready.pop()
        order.append(name)
        for dest in edges[name]:
            in_count[dest] -= 1
            if not in_count[dest]:
                ready.append(dest)
    if len(order) != len(library.function):
        stuck = sorted(set(in_count) - set(order))
        raise LoadFailure(UNKNOWN_REASONS, f"cyclic dependency between functions: {stuck}")
    by_name = {f.signature.name: f for f in library.function}
    return [by_name[n] for n in order]


def _attr_count(node: Any, op_def: op_def_table.OpDef, attr: str, kind: str) -> int:
    if attr in node.attr:
        value = node.attr[attr]
        return value.i if kind == "number" else len(value.list.type)
    spec = op_def.attrs.get(attr)
    default = spec.default if spec is not None and spec.has_default else None
    if default is None:
        return 0
    return int(default) if kind == "number" else len(default)


def _num_outputs(node: Any, functions: dict[str, Any]) -> int:
    fdef = functions.get(node.op)
    if fdef is not None:
        return len(fdef.signature.output_arg)
    op_def = op_def_table.lookup(node.op)
    if op_def is None:
        if not _UNTABLED_OPS.search(node.op):
            raise LoadFailure(CUSTOM_OPS, f"Op type not registered '{node.op}'")
        if "_output_shapes" in node.attr:
            return len(node.attr["_output_shapes"].list.shape)
        return 1
    total = 0
    for arg in op_def.outputs:
        if arg.number_attr:
            total += _attr_count(node, op_def, arg.number_attr, "number")
        elif arg.type_list_attr:
            total += _attr_count(node, op_def, arg.type_list_attr, "list")
        else:
            total += 1
    return total


def _count_tensor_values(value: Any) -> int:
    # A `tensor_value` in a signature becomes a constant tensor when TF decodes it (one uid).
    which = value.WhichOneof("kind")
    if which == "tensor_value":
        return 1
    if which in ("list_value", "tuple_value"):
        return sum(_count_tensor_values(v) for v in getattr(value, which).values)
    if which == "dict_value":
        return sum(_count_tensor_values(v) for v in value.dict_value.fields.values())
    if which == "named_tuple_value":
        return sum(_count_tensor_values(p.value) for p in value.named_tuple_value.values)
    if which == "type_spec_value":
        return _count_tensor_values(value.type_spec_value.type_state)
    return 0


def _decode_signature(value: Any, where: str) -> Any:
    try:
        return nested_structure.decode(value)
    except Exception as e:  # noqa: BLE001 - any decode failure means TF's load fails too
        raise LoadFailure(UNKNOWN_REASONS, f"cannot decode the signature of {where}: {e}") from e


class LoadedLibrary(NamedTuple):
    names: dict[str, str]  # library function name -> name after loading, in load order
    signatures: dict[str, Any]  # library function name -> decoded canonicalized_input_signature


def load_library(meta_graph: Any) -> LoadedLibrary:
    """Replay TF's import of the function library in a fresh saved_model_cli process."""
    library = meta_graph.graph_def.library
    object_graph = meta_graph.object_graph_def
    functions = {f.signature.name: f for f in library.function}
    uid = _FIRST_FUNCTION_UID
    uid += sum(1 for g in library.registered_gradients if g.registered_op_type)
    names: dict[str, str] = {}
    signatures: dict[str, Any] = {}
    for fdef in load_order(library):
        orig = fdef.signature.name
        for node in fdef.node_def:
            if node.op == "HashTableV2" and not (
                "use_node_name_sharing" in node.attr and node.attr["use_node_name_sharing"].b
            ):
                uid += 1  # the loader uniquifies the table's shared_name with a uid
        saved = object_graph.concrete_functions.get(orig)
        if saved is not None:
            signatures[orig] = _decode_signature(saved.canonicalized_input_signature, orig)
            _decode_signature(saved.output_signature, orig)
            uid += _count_tensor_values(saved.canonicalized_input_signature)
            uid += _count_tensor_values(saved.output_signature)
        uid += 1  # the FuncGraph
        uid += len(fdef.signature.input_arg)  # one Placeholder tensor per argument
        uid += sum(_num_outputs(node, functions) for node in fdef.node_def)
        names[orig] = f"__inference_{clean_function_name(orig)}_{uid}"
        uid += 1
    return LoadedLibrary(names, signatures)
