"""MetaGraphDefs: export a Graph (with saver_def and collections) and import one back.

Export follows TensorFlow's `export_scoped_meta_graph` / `create_meta_graph_def`: the graph with
`_output_shapes`, `meta_info_def` (TF version strings, `stripped_op_list` of every op used,
functions included), optional default-attr stripping and device clearing, the saver_def and one
CollectionDef per graph collection (VariableDefs for variable collections, node names for ops
and tensors, plain lists for numbers/strings, `Any` protos as any_list).

Import rebuilds the graph (`import_graph_def`) and its collections, turning VariableDefs back into
variable objects.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from savedmodel import protos
from savedmodel.framework import op_defs, versions
from savedmodel.framework.attr_values import attr_value_equal
from savedmodel.framework.graph import Graph, get_default_graph
from savedmodel.framework.importer import import_graph_def
from savedmodel.framework.operation import Operation, Tensor
from savedmodel.framework.variables import GraphKeys, strip_name_scope, variable_from_proto

# key -> (proto class, to_proto(value, export_scope) -> proto|None, from_proto(proto, scope))
_PROTO_FUNCTIONS: dict[str, tuple[Any, Callable[..., Any], Callable[..., Any]]] = {}


def register_proto_function(key: str, proto_type: Any, to_proto: Callable[..., Any],
                            from_proto: Callable[..., Any]) -> None:  # fmt: skip
    _PROTO_FUNCTIONS[key] = (proto_type, to_proto, from_proto)


def _variable_to_proto(v: Any, export_scope: str | None = None) -> Any:
    return v.to_proto(export_scope=export_scope)


for _key in GraphKeys._VARIABLE_COLLECTIONS + (GraphKeys.GLOBAL_STEP,):
    register_proto_function(_key, protos.VariableDef, _variable_to_proto, variable_from_proto)


# -- export ----------------------------------------------------------------------------------------


def ops_used_by_graph_def(graph_def: Any) -> list[str]:
    functions = {f.signature.name: f for f in graph_def.library.function}
    used: set[str] = set()
    todo: list[Any] = []

    def mark(op: str) -> None:
        if op not in used and op in functions:
            todo.append(functions[op])
        used.add(op)

    def process(node: Any) -> None:
        mark(node.op)
        if node.op in ("PartitionedCall", "StatefulPartitionedCall"):
            mark(node.attr["f"].func.name)

    for node in graph_def.node:
        process(node)
    while todo:
        for node in todo.pop().node_def:
            process(node)
    return [op for op in used if op not in functions]


def stripped_op_list_for_graph(graph_def: Any) -> Any:
    op_list = protos.OpList()
    for op in sorted(ops_used_by_graph_def(graph_def)):
        full = op_defs.full_proto(op)
        if full is not None:
            op_list.op.append(full)
    return op_list


def _is_default(op_def_proto: Any, name: str, value: Any) -> bool:
    for attr in op_def_proto.attr:
        if attr.name == name:
            return attr.HasField("default_value") and attr_value_equal(attr.default_value, value)
    return False


def strip_graph_default_valued_attrs(meta_graph_def: Any) -> None:
    functions = {f.signature.name for f in meta_graph_def.graph_def.library.function}

    def strip(node: Any) -> None:
        if node.op in functions:
            return
        proto = op_defs.full_proto(node.op)
        if proto is None:
            return
        for name in [k for k in node.attr if _is_default(proto, k, node.attr[k])]:
            del node.attr[name]

    for node in meta_graph_def.graph_def.node:
        strip(node)
    for fdef in meta_graph_def.graph_def.library.function:
        for node in fdef.node_def:
            strip(node)
    meta_graph_def.meta_info_def.stripped_default_attrs = True


def _kind_name(item: Any) -> str:
    if isinstance(item, (str, bytes)):
        return "bytes_list"
    if isinstance(item, bool) or isinstance(item, int):
        return "int64_list"
    if isinstance(item, float):
        return "float_list"
    if isinstance(item, protos.Any):
        return "any_list"
    return "node_list"


def _should_include(item: Any, export_scope: str | None, exclude: set[str] | None) -> bool:
    name = item if isinstance(item, str) else getattr(item, "name", None)
    if exclude and isinstance(name, str) and name in exclude:
        return False
    if not export_scope or not isinstance(name, str):
        return True
    return name.startswith(export_scope)


def add_collection_def(meta_graph_def: Any, key: str, graph: Graph | None = None,
                       export_scope: str | None = None,
                       exclude_nodes: set[str] | None = None,
                       override_contents: list[Any] | None = None) -> None:  # fmt: skip
    graph = graph or get_default_graph()
    items = override_contents if override_contents is not None else graph.get_collection(key)
    items = [x for x in items if _should_include(x, export_scope, exclude_nodes)]
    if not items:
        return
    col_def = meta_graph_def.collection_def[key]
    try:
        funcs = _PROTO_FUNCTIONS.get(key)
        if funcs is not None:
            proto_type, to_proto, _ = funcs
            for x in items:
                proto = to_proto(x, export_scope=export_scope)
                if proto is not None:
                    col_def.bytes_list.value.append(proto.SerializeToString(deterministic=True))
            if not col_def.bytes_list.value:
                col_def.bytes_list.SetInParent()
            return
        kind = _kind_name(items[0])
        if kind == "node_list":
            for x in items:
                if not export_scope or x.name.startswith(export_scope):
                    col_def.node_list.value.append(strip_name_scope(x.name, export_scope))
        elif kind == "bytes_list":
            col_def.bytes_list.value.extend(
                x.encode("utf-8") if isinstance(x, str) else x for x in items
            )
        elif kind == "any_list":
            col_def.any_list.value.extend(items)
        else:
            getattr(col_def, kind).value.extend(items)
    except Exception:
        # NOTE: TF logs and drops a collection it cannot serialize.
        del meta_graph_def.collection_def[key]


def _strip_node(node_def: Any, export_scope: str | None, clear_devices: bool) -> Any:
    out = protos.NodeDef()
    out.CopyFrom(node_def)
    if export_scope:
        out.name = strip_name_scope(node_def.name, export_scope)
        del out.input[:]
        out.input.extend(strip_name_scope(i, export_scope) for i in node_def.input)
    if clear_devices:
        out.device = ""
    return out


def create_meta_graph_def(
    meta_info_def: Any = None,
    graph_def: Any = None,
    saver_def: Any = None,
    collection_list: list[str] | None = None,
    graph: Graph | None = None,
    export_scope: str | None = None,
    exclude_nodes: set[str] | None = None,
    clear_extraneous_savers: bool = False,
    strip_default_attrs: bool = False,
) -> Any:
    graph = graph or get_default_graph()
    mgd = protos.MetaGraphDef()
    info = meta_info_def if meta_info_def is not None else protos.MetaGraphDef.MetaInfoDef()
    info.tensorflow_version = versions.TF_VERSION
    info.tensorflow_git_version = versions.TF_GIT_VERSION
    mgd.meta_info_def.MergeFrom(info)
    mgd.graph_def.MergeFrom(graph_def if graph_def is not None
                            else graph.as_graph_def(add_shapes=True))  # fmt: skip
    if not mgd.meta_info_def.stripped_op_list.op:
        mgd.meta_info_def.stripped_op_list.MergeFrom(stripped_op_list_for_graph(mgd.graph_def))
    if strip_default_attrs:
        strip_graph_default_valued_attrs(mgd)
    if saver_def is not None:
        mgd.saver_def.MergeFrom(saver_def)
    keys = collection_list if collection_list is not None else graph.get_all_collection_keys()
    for key in keys:
        if clear_extraneous_savers and key == GraphKeys.SAVERS:
            funcs = _PROTO_FUNCTIONS.get(key)
            if funcs is not None and saver_def is not None:
                add_collection_def(mgd, key, graph, export_scope, exclude_nodes,
                                   override_contents=[funcs[2](saver_def)])  # fmt: skip
        else:
            add_collection_def(mgd, key, graph, export_scope, exclude_nodes)
    return mgd


def _extraneous_saver_nodes(graph_def: Any, saver_def: Any) -> set[str]:
    import re

    nodes = {n.name for n in graph_def.node}
    savers = {re.sub(r"/.*", "", n) for n in nodes if re.match(r"^(save(_\d+)?)/", n)}
    keep = re.sub(r"/.*", "", saver_def.save_tensor_name) if saver_def is not None else None
    return {n for n in nodes if re.sub(r"/.*", "", n) in savers - {keep}}


def export_scoped_meta_graph(
    filename: str | os.PathLike[str] | None = None,
    graph_def: Any = None,
    graph: Graph | None = None,
    export_scope: str | None = None,
    as_text: bool = False,
    unbound_inputs_col_name: str = "unbound_inputs",
    clear_devices: bool = False,
    saver_def: Any = None,
    clear_extraneous_savers: bool = False,
    strip_default_attrs: bool = False,
    save_debug_info: bool = False,
    meta_info_def: Any = None,
    collection_list: list[str] | None = None,
    **kwargs: Any,
) -> tuple[Any, dict[str, Any]]:
    graph = graph or get_default_graph()
    exclude_nodes = None
    if export_scope or clear_extraneous_savers or clear_devices:
        source = graph_def if graph_def is not None else graph.as_graph_def(add_shapes=True)
        new_graph_def = protos.GraphDef()
        new_graph_def.versions.CopyFrom(source.versions)
        new_graph_def.library.CopyFrom(source.library)
        if clear_extraneous_savers:
            exclude_nodes = _extraneous_saver_nodes(source, saver_def)
        for node in source.node:
            if _should_include(node.name, export_scope, exclude_nodes):
                new_graph_def.node.append(_strip_node(node, export_scope, clear_devices))
        graph_def = new_graph_def
    mgd = create_meta_graph_def(
        meta_info_def=meta_info_def, graph_def=graph_def, saver_def=saver_def,
        collection_list=collection_list, graph=graph, export_scope=export_scope,
        exclude_nodes=exclude_nodes, clear_extraneous_savers=clear_extraneous_savers,
        strip_default_attrs=strip_default_attrs,
    )  # fmt: skip
    if filename:
        write_graph(mgd, os.fspath(filename), as_text=as_text)
    var_list = {}
    for v in graph.get_collection(GraphKeys.GLOBAL_VARIABLES, scope=export_scope):
        if _should_include(v, export_scope, exclude_nodes):
            var_list[strip_name_scope(v.name, export_scope)] = v
    return mgd, var_list


def write_graph(proto: Any, path: str, as_text: bool = False) -> str:
    """Write a GraphDef/MetaGraphDef like `tf.io.write_graph` (binary, or `text_format`)."""
    parent = os.path.dirname(path)
    if parent:
        os.makedirs(parent, exist_ok=True)
    if as_text:
        data = protos.to_text(proto).encode("utf-8")
    else:
        data = proto.SerializeToString(deterministic=True)
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    return path


def read_meta_graph_file(filename: str | os.PathLike[str]) -> Any:
    """A MetaGraphDef from a binary or text file (TF tries binary first, then text)."""
    from google.protobuf.message import DecodeError

    path = os.fspath(filename)
    if not os.path.exists(path):
        raise OSError(f"File {path} does not exist.")
    data = open(path, "rb").read()
    mgd = protos.MetaGraphDef()
    try:
        mgd.ParseFromString(data)
        return mgd
    except DecodeError:
        pass
    mgd = protos.MetaGraphDef()
    try:
        protos.parse_text(data.decode("utf-8"), mgd)
    except Exception as e:
        raise OSError(f"Cannot parse file {path}: {e}.") from None
    return mgd


# -- import ----------------------------------------------------------------------------------------


def import_scoped_meta_graph_with_return_elements(
    meta_graph_or_file: Any,
    clear_devices: bool = False,
    graph: Graph | None = None,
    import_scope: str | None = None,
    input_map: dict[str, Any] | None = None,
    return_elements: list[str] | None = None,
) -> tuple[dict[str, Any], list[Any] | None]:
    if isinstance(meta_graph_or_file, protos.MetaGraphDef):
        mgd = meta_graph_or_file
    else:
        mgd = read_meta_graph_file(meta_graph_or_file)
    graph = graph or get_default_graph()
    graph_def = mgd.graph_def
    if clear_devices:
        graph_def = protos.GraphDef()
        graph_def.CopyFrom(mgd.graph_def)
        for node in graph_def.node:
            node.device = ""
    with graph.as_default():
        returned = import_graph_def(graph_def, name=import_scope or "", input_map=input_map,
                                    return_elements=return_elements)  # fmt: skip
        scope = f"{import_scope}/" if import_scope else ""
        variable_objects: dict[bytes, Any] = {}
        trainable_given = _version_at_least(mgd.meta_info_def.tensorflow_version, (1, 9))
        for key in sorted(mgd.collection_def):
            if key == "unbound_inputs":
                continue
            col = mgd.collection_def[key]
            kind = col.WhichOneof("kind")
            if kind is None:
                continue
            funcs = _PROTO_FUNCTIONS.get(key)
            if funcs is not None and kind == "bytes_list":
                proto_type, _, from_proto = funcs
                for value in col.bytes_list.value:
                    if key in GraphKeys._VARIABLE_COLLECTIONS:
                        obj = variable_objects.get(value)
                        if obj is None:
                            proto = proto_type.FromString(value)
                            if not trainable_given:
                                proto.trainable = key == GraphKeys.TRAINABLE_VARIABLES
                            obj = from_proto(proto, import_scope)
                            variable_objects[value] = obj
                        graph.add_to_collection(key, obj)
                    else:
                        graph.add_to_collection(key, from_proto(proto_type.FromString(value),
                                                                import_scope))  # fmt: skip
            elif kind == "node_list":
                for value in col.node_list.value:
                    graph.add_to_collection(key, graph.as_graph_element(scope + value))
            elif kind == "int64_list":
                for value in col.int64_list.value:
                    graph.add_to_collection(key, int(value))
            elif kind == "float_list":
                for value in col.float_list.value:
                    graph.add_to_collection(key, value)
            elif kind == "bytes_list":
                for value in col.bytes_list.value:
                    graph.add_to_collection(key, value)
            else:
                for value in col.any_list.value:
                    graph.add_to_collection(key, value)
    var_list = {}
    for v in graph.get_collection(GraphKeys.GLOBAL_VARIABLES, scope=import_scope):
        var_list[strip_name_scope(v.name, import_scope)] = v
    return var_list, returned


def _version_at_least(version: str, minimum: tuple[int, int]) -> bool:
    """Whether a `tensorflow_version` string is >= minimum (an empty version counts as new)."""
    if not version:
        return True
    parts = []
    for piece in version.split(".")[:2]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts) >= minimum


def element_name(item: Any) -> str:
    if isinstance(item, (Tensor, Operation)):
        return item.name
    return str(item)
