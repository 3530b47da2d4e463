"""`savedmodel show` / `scan`: saved_model_cli's text, byte for byte, without TensorFlow.

Everything here prints what TensorFlow 2.21's `saved_model_cli show` prints: tag sets, the
SignatureDef keys of a MetaGraph, one SignatureDef's inputs/outputs, the ops of a MetaGraph, and
`--all` (every MetaGraph and signature, then the "Concrete Functions" of a TF2 model, see
`savedmodel.cli.concrete_functions`). Where TensorFlow prints a Python set or a protobuf map in
arbitrary order we print it sorted.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TextIO

from savedmodel import errors, protos
from savedmodel.formats import saved_model_dir

# NOTE: saved_model_cli's default `scan` denylist.
DEFAULT_OP_DENYLIST = frozenset({"WriteFile", "ReadFile", "PrintV2"})


def read_saved_model(directory: str) -> Any:
    try:
        return saved_model_dir.read_saved_model(directory)
    except errors.NotFoundError:
        # NOTE: saved_model_cli's wording (saved_model_utils.read_saved_model).
        raise errors.NotFoundError(f"SavedModel file does not exist at: {directory}") from None


def sanitize_tag_set(tag_set: str) -> str:
    """saved_model_cli's cleanup of --tag_set: strip each tag, drop empty ones, need one."""
    tags = [t.strip() for t in tag_set.split(",") if t.strip()]
    if not tags:
        raise errors.InvalidArgumentError("tag_set must contain at least one non-empty item.")
    return ",".join(tags)


def get_meta_graph(saved_model: Any, tag_set: str) -> Any:
    """The MetaGraph whose tag set equals the comma-separated `tag_set` ("" = no tags)."""
    try:
        return saved_model_dir.get_meta_graph(saved_model, tag_set)
    except errors.NotFoundError:
        valid = [",".join(sorted(set(mg.meta_info_def.tags))) for mg in saved_model.meta_graphs]
        raise errors.NotFoundError(
            f"MetaGraphDef associated with tag-set {tag_set} could not be found in the "
            f"SavedModel. Please use one of the following tag-sets: {valid}"
        ) from None


def get_signature_def(meta_graph: Any, key: str) -> Any:
    if key not in meta_graph.signature_def:
        raise errors.NotFoundError(
            f'Could not find signature "{key}". Please choose from: '
            f"{', '.join(sorted(meta_graph.signature_def))}"
        )
    return meta_graph.signature_def[key]


def python_set_repr(items: Iterable[str]) -> str:
    """`str(set(items))`, sorted so the output is deterministic."""
    items = sorted(set(items))
    if not items:
        return "set()"
    return "{" + ", ".join(repr(i) for i in items) + "}"


def ops_used_by_graph_def(graph_def: Any) -> set[str]:
    """Op types used by a graph and by the library functions its call ops reach."""
    # NOTE: like TF's meta_graph.ops_used_by_graph_def, only PartitionedCall/
    # StatefulPartitionedCall `f` attrs and direct function calls are followed (not If/While
    # branches), and function names themselves are not ops.
    functions = {f.signature.name: f for f in graph_def.library.function}
    used: set[str] = set()
    pending: list[Any] = []

    def mark(op: str) -> None:
        if op not in used and op in functions:
            pending.append(functions[op])
        used.add(op)

    def visit(node: Any) -> None:
        mark(node.op)
        if node.op in ("PartitionedCall", "StatefulPartitionedCall"):
            mark(node.attr["f"].func.name if "f" in node.attr else "")

    for node in graph_def.node:
        visit(node)
    while pending:
        for node in pending.pop().node_def:
            visit(node)
    return {op for op in used if op not in functions}


def _tags_repr(meta_graph: Any) -> str:
    return repr(list(meta_graph.meta_info_def.tags))


# ---------------------------------------------------------------------------------------------
# Printers (each writes saved_model_cli's exact lines to `out`)


def print_tag_sets(saved_model: Any, out: TextIO) -> None:
    out.write("The given SavedModel contains the following tag-sets:\n")
    for tags in sorted(list(mg.meta_info_def.tags) for mg in saved_model.meta_graphs):
        out.write(f"{', '.join(sorted(tags))!r}\n")


def print_ops(meta_graph: Any, out: TextIO) -> None:
    ops = python_set_repr(ops_used_by_graph_def(meta_graph.graph_def))
    out.write(
        f"The MetaGraph with tag set {_tags_repr(meta_graph)} contains the following ops: {ops}\n"
    )


def print_signature_keys(meta_graph: Any, out: TextIO) -> None:
    out.write("The given SavedModel MetaGraphDef contains SignatureDefs with the following keys:\n")
    for key in sorted(meta_graph.signature_def):
        out.write(f'SignatureDef key: "{key}"\n')


def _dtype_name(enum: int) -> str:
    try:
        return protos.DataType.Name(enum)
    except ValueError:
        raise errors.InvalidArgumentError(f"TensorInfo has an unknown dtype {enum}") from None


def print_tensor_info(info: Any, indent: int, out: TextIO) -> None:
    pad = "  " * indent
    if info.tensor_shape.unknown_rank:
        shape = "unknown_rank"
    else:
        shape = "(" + ", ".join(str(d.size) for d in info.tensor_shape.dim) + ")"
    out.write(f"{pad}    dtype: {_dtype_name(info.dtype)}\n")
    out.write(f"{pad}    shape: {shape}\n")
    out.write(f"{pad}    name: {info.name}\n")


def print_signature(meta_graph: Any, key: str, indent: int, out: TextIO) -> None:
    signature = get_signature_def(meta_graph, key)
    pad = "  " * indent
    out.write(f"{pad}The given SavedModel SignatureDef contains the following input(s):\n")
    for name in sorted(signature.inputs):
        out.write(f"{pad}  inputs['{name}'] tensor_info:\n")
        print_tensor_info(signature.inputs[name], indent + 1, out)
    out.write(f"{pad}The given SavedModel SignatureDef contains the following output(s):\n")
    for name in sorted(signature.outputs):
        out.write(f"{pad}  outputs['{name}'] tensor_info:\n")
        print_tensor_info(signature.outputs[name], indent + 1, out)
    out.write(f"{pad}Method name is: {signature.method_name}\n")


def print_all(saved_model: Any, out: TextIO) -> None:
    for mg in sorted(saved_model.meta_graphs, key=lambda m: list(m.meta_info_def.tags)):
        tags = ", ".join(mg.meta_info_def.tags)
        out.write(f"\nMetaGraphDef with tag-set: '{tags}' contains the following SignatureDefs:\n")
        for key in sorted(mg.signature_def):
            out.write(f"\nsignature_def['{key}']:\n")
            print_signature(mg, key, 1, out)
        print_ops(mg, out)
    if any(mg.HasField("object_graph_def") for mg in saved_model.meta_graphs):
        from savedmodel.cli import concrete_functions  # numpy & co. only when needed

        concrete_functions.print_concrete_functions(saved_model, out)


# ---------------------------------------------------------------------------------------------
# Commands


def show(
    directory: str,
    *,
    all: bool = False,  # noqa: A002 - the flag's name
    tag_set: str | None = None,
    signature_def: str | None = None,
    list_ops: bool = False,
    out: TextIO,
) -> None:
    """What `saved_model_cli show` prints for these flags."""
    cache: list[Any] = []

    def saved_model() -> Any:
        if not cache:
            cache.append(read_saved_model(directory))
        return cache[0]

    if all:
        print_all(saved_model(), out)
    elif tag_set is None:
        if list_ops:
            out.write("--list_ops must be paired with a tag-set or with --all.\n")
        print_tag_sets(saved_model(), out)
    else:
        if list_ops:
            tags = sanitize_tag_set(tag_set)
            print_ops(get_meta_graph(saved_model(), tags), out)
        if signature_def is None:
            # NOTE: saved_model_cli uses --tag_set unsanitized here ("" selects no tags).
            print_signature_keys(get_meta_graph(saved_model(), tag_set), out)
        else:
            tags = sanitize_tag_set(tag_set)
            print_signature(get_meta_graph(saved_model(), tags), signature_def, 0, out)


def _scan_meta_graph(meta_graph: Any, denylist: frozenset[str], out: TextIO) -> None:
    found = denylist & ops_used_by_graph_def(meta_graph.graph_def)
    tags = _tags_repr(meta_graph)
    if found:
        out.write(
            f"MetaGraph with tag set {tags} contains the following denylisted ops: "
            f"{python_set_repr(found)}\n"
        )
    else:
        out.write(
            f"MetaGraph with tag set {tags} does not contain the default denylisted ops: "
            f"{python_set_repr(denylist)}\n"
        )


def scan(directory: str, *, tag_set: str | None, op_denylist: str | None, out: TextIO) -> None:
    """What `saved_model_cli scan` prints: denylisted ops found in the MetaGraph(s)."""
    if op_denylist:
        denylist = frozenset(op.strip() for op in op_denylist.split(",") if op and op.strip())
    else:
        denylist = DEFAULT_OP_DENYLIST
    saved_model = read_saved_model(directory)
    if tag_set:
        _scan_meta_graph(get_meta_graph(saved_model, sanitize_tag_set(tag_set)), denylist, out)
    else:
        for mg in saved_model.meta_graphs:
            _scan_meta_graph(mg, denylist, out)
