"""Function libraries: unique function names, renaming on import, call dependencies.

Every function traced or loaded in this process is registered in one eager context, so names must
be unique: traced functions are named `__inference_<python name>_<uid>` from a process-wide
counter, and a loaded library is renamed the same way, as TensorFlow's loader does (two loads of
one model, or two models with equal function names, never collide). Loading also makes the
`shared_name` of resource-creating ops inside functions unique per load (TF's `fix_node_def`), so
tables of two loaded models are separate.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from typing import Any

from savedmodel import protos
from savedmodel.graph import op_def_table

_UIDS = itertools.count(1)
_INFERENCE_NAME = re.compile(r"^__inference_(.*)_\d+$")


def uid() -> int:
    """A process-wide unique number (function names, shared-name suffixes)."""
    return next(_UIDS)


def clean_name(name: str) -> str:
    m = _INFERENCE_NAME.match(name)
    return m.group(1) if m else name


def called_functions(fdef: Any, names: Iterable[str] | set[str]) -> set[str]:
    """Names (among `names`) of the functions a FunctionDef calls or references in attrs."""
    names = set(names)
    out: set[str] = set()
    for node in fdef.node_def:
        if node.op in names:
            out.add(node.op)
        for value in node.attr.values():
            kind = value.WhichOneof("value")
            if kind == "func" and value.func.name in names:
                out.add(value.func.name)
            elif kind == "list":
                out.update(f.name for f in value.list.func if f.name in names)
    return out


def closure(name: str, fdefs: dict[str, Any]) -> dict[str, Any]:
    """`name` and every function it (transitively) calls, as {name: FunctionDef}."""
    out: dict[str, Any] = {}
    todo = [name]
    while todo:
        current = todo.pop()
        if current in out:
            continue
        fdef = fdefs[current]
        out[current] = fdef
        todo.extend(called_functions(fdef, fdefs))
    return out


def _rename_attrs(node: Any, mapping: dict[str, str]) -> None:
    if node.op in mapping:
        node.op = mapping[node.op]
    for value in node.attr.values():
        kind = value.WhichOneof("value")
        if kind == "func" and value.func.name in mapping:
            value.func.name = mapping[value.func.name]
        elif kind == "list":
            for f in value.list.func:
                if f.name in mapping:
                    f.name = mapping[f.name]


def _uniquify_shared_name(node: Any, suffix: str) -> None:
    op_def = op_def_table.lookup(node.op)
    if op_def is None or "shared_name" not in op_def.attrs:
        return
    # NOTE: TF's loader turns on node-name sharing for HashTableV2 with its own uid suffix.
    if node.op == "HashTableV2" and not (
        "use_node_name_sharing" in node.attr and node.attr["use_node_name_sharing"].b
    ):
        node.attr["use_node_name_sharing"].b = True
        suffix += f"_{uid()}"
    shared = node.attr["shared_name"].s if "shared_name" in node.attr else b""
    if not shared:
        default = op_def.attrs["shared_name"].default
        shared = default.encode() if isinstance(default, str) and default else b""
    if not shared:
        shared = node.name.encode()
    node.attr["shared_name"].s = shared + suffix.encode()


def import_library(function_defs: Iterable[Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Copies of `function_defs` with fresh unique names; ({new name: fdef}, {old: new})."""
    originals = list(function_defs)
    mapping = {f.signature.name: f"__inference_{clean_name(f.signature.name)}_{uid()}"
               for f in originals}  # fmt: skip
    suffix = f"_load_{uid()}"
    out: dict[str, Any] = {}
    for original in originals:
        fdef = protos.FunctionDef()
        fdef.CopyFrom(original)
        fdef.signature.name = mapping[original.signature.name]
        for node in fdef.node_def:
            _rename_attrs(node, mapping)
            _uniquify_shared_name(node, suffix)
        out[fdef.signature.name] = fdef
    return out, mapping
