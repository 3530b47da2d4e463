"""The "Concrete Functions:" section of `saved_model_cli show --all`, rebuilt without TensorFlow.

TensorFlow loads the model and lists the functions attached to the root object: each child of
the root that is a `tf.function` (SavedObject `function`) or a concrete function
(`bare_concrete_function`), sorted by attribute name; for a `tf.function`, its concrete functions
sorted by the name the loader gave them (see `savedmodel.cli._tf_load`). Each concrete function
is shown through its `structured_input_signature`, which is the decoded
`SavedConcreteFunction.canonicalized_input_signature`: an `(args, kwargs)` pair printed as
"Argument #i" / "Named Argument #i" entries.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple, TextIO

from savedmodel import errors
from savedmodel.cli import _tf_load
from savedmodel.formats import nested_structure as ns
from savedmodel.formats.saved_model_dir import is_tf2_saved_model

_FULL_ARG_SPEC_FIELDS = (
    "args",
    "varargs",
    "varkw",
    "defaults",
    "kwonlyargs",
    "kwonlydefaults",
    "annotations",
)


class Option(NamedTuple):
    """One concrete function as saved_model_cli sees it."""

    sort_name: str  # the name TF's loader gives it
    signature: Any  # decoded canonicalized_input_signature, None if the model has none
    arg_keywords: list[str] | None  # SavedBareConcreteFunction.argument_keywords, if any


def _fail(detail: str) -> _tf_load.LoadFailure:
    return _tf_load.LoadFailure(_tf_load.UNKNOWN_REASONS, detail)


def _check_function_spec(spec: Any, where: str) -> None:
    # TF's loader rebuilds a FunctionSpec from `fullargspec`; if that fails, so does the load.
    try:
        fullargspec = ns.decode(spec.fullargspec)
        ns.decode(spec.input_signature)
    except errors.OpError as e:
        raise _fail(f"{where}: bad function_spec: {e}") from e
    if not ns.is_namedtuple(fullargspec) or not set(_FULL_ARG_SPEC_FIELDS) <= set(
        type(fullargspec)._fields
    ):
        raise _fail(f"{where}: function_spec.fullargspec is not a FullArgSpec")
    if spec.is_method and not fullargspec.args:
        raise _fail(f"{where}: a method function_spec without a 'self' argument")


def _check_object_graph(object_graph: Any, library_names: set[str]) -> None:
    """Raise LoadFailure where TF's loader would fail on the object graph's functions."""
    nodes = object_graph.nodes
    if not nodes:
        raise _fail("the object graph has no nodes")
    for name in object_graph.concrete_functions:
        if name not in library_names:
            raise _fail(f"concrete function {name!r} is not in the function library")
    for node_id, node in enumerate(nodes):
        for ref in node.children:
            if not 0 <= ref.node_id < len(nodes):
                raise _fail(f"node {node_id} child {ref.local_name!r} -> bad id {ref.node_id}")
        kind = node.WhichOneof("kind")
        if kind == "function":
            for name in node.function.concrete_functions:
                if name not in library_names:
                    raise _fail(f"node {node_id}: unknown concrete function {name!r}")
            if not node.function.HasField("function_spec"):
                raise _fail(f"node {node_id}: function without function_spec")
            _check_function_spec(node.function.function_spec, f"node {node_id}")
        elif kind == "bare_concrete_function":
            bare = node.bare_concrete_function
            if bare.concrete_function_name not in library_names:
                raise _fail(f"node {node_id}: unknown function {bare.concrete_function_name!r}")
            if bare.HasField("function_spec"):
                _check_function_spec(bare.function_spec, f"node {node_id}")


def root_functions(saved_model: Any) -> list[tuple[str, list[Option]]]:
    """[(attribute name, options sorted like TF)] for the function attributes of the root."""
    if not is_tf2_saved_model(saved_model):
        # NOTE: TF falls back to its TF1 loader, which needs tags for several MetaGraphs.
        raise _fail("not a single-MetaGraph TF2 SavedModel")
    meta_graph = saved_model.meta_graphs[0]
    object_graph = meta_graph.object_graph_def
    loaded_names, signatures = _tf_load.load_library(meta_graph)
    _check_object_graph(object_graph, set(loaded_names))

    nodes = object_graph.nodes
    # The loader sets argument_keywords on the (shared) concrete function of every bare node.
    keywords: dict[str, list[str]] = {}
    for node in nodes:
        if node.WhichOneof("kind") == "bare_concrete_function":
            bare = node.bare_concrete_function
            keywords[bare.concrete_function_name] = list(bare.argument_keywords)

    def option(fn_name: str) -> Option:
        return Option(loaded_names[fn_name], signatures.get(fn_name), keywords.get(fn_name))

    children: dict[str, list[Option]] = {}
    for ref in nodes[0].children:
        child = nodes[ref.node_id]
        kind = child.WhichOneof("kind")
        if kind == "function":
            options = [option(n) for n in child.function.concrete_functions]
            children[ref.local_name] = sorted(options, key=lambda o: o.sort_name)
        elif kind == "bare_concrete_function":
            children[ref.local_name] = [option(child.bare_concrete_function.concrete_function_name)]
        else:
            children.pop(ref.local_name, None)  # a later attribute of that name wins
    return sorted(children.items())


# ---------------------------------------------------------------------------------------------
# Printing


def _quoted(value: Any) -> str:
    return f"'{value}'" if isinstance(value, str) else str(value)


def _type_name(value: Any) -> str:
    if isinstance(value, ns.TypeSpec):
        return value.type_name
    return type(value).__name__


def _is_iterable(value: Any) -> bool:
    return isinstance(value, Iterable) or isinstance(value, ns.TensorValue)


def _elements(value: Any) -> list[Any]:
    if isinstance(value, ns.TensorValue):
        raise errors.InvalidArgumentError(
            "a concrete function argument is a constant tensor, which saved_model_cli cannot list"
        )
    try:
        return list(value)
    except (TypeError, ValueError) as e:
        raise errors.InvalidArgumentError(
            f"cannot list concrete function argument {value!r}: {e}"
        ) from None


def _print_args(arguments: Iterable[Any], kind: str, out: TextIO) -> None:
    pad = " " * 8
    for index, element in enumerate(arguments, 1):
        out.write(f"{pad}{kind} #{index}\n")
        if isinstance(element, str):
            out.write(f"{pad}  {element}\n")
        elif isinstance(element, ns.TensorSpec):
            out.write(f"{pad}  {element.name}: {element!r}\n")
        elif _is_iterable(element) and not isinstance(element, dict):
            # NOTE: TF ends the list with ", " and two backspaces, which we print as-is.
            values = "".join(f"{_quoted(v)}, " for v in _elements(element))
            out.write(f"{pad}  DType: {_type_name(element)}\n{pad}  Value: [{values}\b\b]\n")
        elif isinstance(element, dict):
            items = "".join(f"'{k}': {_quoted(v)}, " for k, v in element.items())
            out.write(f"{pad}  DType: dict\n{pad}  Value: {{{items}\b\b}}\n")
        else:
            out.write(f"{pad}  DType: {_type_name(element)}\n{pad}  Value: {str(element)}\n")


def print_concrete_functions(saved_model: Any, out: TextIO) -> None:
    """The "Concrete Functions:" section (the caller checks that there is an object graph)."""
    out.write("\nConcrete Functions:")
    try:
        listing = root_functions(saved_model)
    except _tf_load.LoadFailure as failure:
        out.write(f" N/A (could not be listed due to {failure.reason})\n")
        return
    for name, options in listing:
        out.write(f"\n  Function Name: '{name}'\n")
        for index, opt in enumerate(options, 1):
            args, kwargs = None, None
            if opt.signature:
                try:
                    args, kwargs = opt.signature
                except (TypeError, ValueError):
                    raise errors.InvalidArgumentError(
                        f"concrete function of {name!r}: canonicalized_input_signature is not "
                        f"an (args, kwargs) pair: {opt.signature!r}"
                    ) from None
            elif opt.arg_keywords:
                args = opt.arg_keywords
            if args:
                out.write(f"    Option #{index}\n      Callable with:\n")
                _print_args(args, "Argument", out)
            if kwargs:
                _print_args(kwargs, "Named Argument", out)
