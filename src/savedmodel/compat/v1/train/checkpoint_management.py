"""Checkpoint state and MetaGraph files for the TF1 API (`tf.compat.v1.train` functions).

The `checkpoint` state file is written exactly as TF1 writes it (text CheckpointState, paths
relative to a relative save directory); `export_meta_graph` / `import_meta_graph` wrap
`savedmodel.framework.meta_graph` with TF1's eager-mode checks and Saver re-creation.
"""

from __future__ import annotations

import os
from typing import Any

from savedmodel import protos
from savedmodel.checkpoint import index_path
from savedmodel.framework import context
from savedmodel.framework import meta_graph as mg
from savedmodel.framework.variables import all_saveable_objects
from savedmodel.train import checkpoint_utils


def checkpoint_exists(prefix: str | os.PathLike[str]) -> bool:
    prefix = os.fspath(prefix)
    return os.path.exists(index_path(prefix)) or os.path.exists(prefix)


def update_checkpoint_state(save_dir: str, model_checkpoint_path: str,
                            all_model_checkpoint_paths: list[str] | None = None,
                            latest_filename: str | None = None,
                            save_relative_paths: bool = False) -> None:  # fmt: skip
    """Write the `checkpoint` state file as TF's `update_checkpoint_state_internal` does."""
    paths = list(all_model_checkpoint_paths or [])
    if save_relative_paths:
        if os.path.isabs(model_checkpoint_path):
            model_checkpoint_path = os.path.relpath(model_checkpoint_path, save_dir)
        paths = [os.path.relpath(p, save_dir) if os.path.isabs(p) else p for p in paths]
    if not paths or paths[-1] != model_checkpoint_path:
        paths.append(model_checkpoint_path)
    # NOTE: TF stores paths relative to a relative save_dir (absolute ones stay absolute).
    if not os.path.isabs(save_dir):
        if not os.path.isabs(model_checkpoint_path):
            model_checkpoint_path = os.path.relpath(model_checkpoint_path, save_dir or ".")
        paths = [p if os.path.isabs(p) else os.path.relpath(p, save_dir or ".") for p in paths]
    state_path = os.path.join(save_dir, latest_filename or "checkpoint")
    if state_path == model_checkpoint_path:
        raise RuntimeError(
            f"Save path '{model_checkpoint_path}' conflicts with path used for"
            " checkpoint state.  Please use a different save path."
        )
    lines = [f"model_checkpoint_path: {_quote(model_checkpoint_path)}"]
    lines += [f"all_model_checkpoint_paths: {_quote(p)}" for p in paths]
    tmp = f"{state_path}.tmp{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, state_path)


def _quote(text: str) -> str:
    out = []
    for ch in text.encode("utf-8"):
        c = chr(ch)
        if c == '"':
            out.append('\\"')
        elif c == "\\":
            out.append("\\\\")
        elif c == "\n":
            out.append("\\n")
        elif 0x20 <= ch < 0x7F:
            out.append(c)
        else:
            out.append(f"\\{ch:03o}")
    return '"' + "".join(out) + '"'


def latest_checkpoint(checkpoint_dir: str, latest_filename: str | None = None) -> str | None:
    return checkpoint_utils.latest_checkpoint(checkpoint_dir, latest_filename)


def get_checkpoint_state(checkpoint_dir: str, latest_filename: str | None = None) -> Any:
    return checkpoint_utils.get_checkpoint_state(checkpoint_dir, latest_filename)


def export_meta_graph(filename: Any = None, meta_info_def: Any = None, graph_def: Any = None,
                      saver_def: Any = None, collection_list: Any = None, as_text: bool = False,
                      graph: Any = None, export_scope: str | None = None,
                      clear_devices: bool = False, clear_extraneous_savers: bool = False,
                      strip_default_attrs: bool = False, save_debug_info: bool = False,
                      **kwargs: Any) -> Any:  # fmt: skip
    if context.executing_eagerly() and not (graph_def is not None and graph is not None):
        raise RuntimeError(
            "Exporting/importing meta graphs is not supported when eager execution"
            " is enabled. No graph exists when eager execution is enabled."
        )
    mgd, _ = mg.export_scoped_meta_graph(
        filename=filename, meta_info_def=meta_info_def, graph_def=graph_def,
        saver_def=saver_def, collection_list=collection_list, as_text=as_text, graph=graph,
        export_scope=export_scope, clear_devices=clear_devices,
        clear_extraneous_savers=clear_extraneous_savers, strip_default_attrs=strip_default_attrs,
    )  # fmt: skip
    return mgd


def import_meta_graph_with_return_elements(meta_graph_or_file: Any, clear_devices: bool = False,
                                           import_scope: str | None = None,
                                           return_elements: Any = None,
                                           **kwargs: Any) -> tuple[Any, Any]:  # fmt: skip
    if context.executing_eagerly():
        raise RuntimeError(
            "Exporting/importing meta graphs is not supported when eager execution"
            " is enabled. No graph exists when eager execution is enabled."
        )
    if isinstance(meta_graph_or_file, protos.MetaGraphDef):
        mgd = meta_graph_or_file
    else:
        mgd = mg.read_meta_graph_file(meta_graph_or_file)
    imported_vars, returned = mg.import_scoped_meta_graph_with_return_elements(
        mgd, clear_devices=clear_devices, import_scope=import_scope,
        return_elements=return_elements, input_map=kwargs.get("input_map"),
    )  # fmt: skip
    from savedmodel.compat.v1.train.saver import Saver

    if mgd.HasField("saver_def"):
        scope = import_scope
        names = list(imported_vars)
        if names:
            sample = imported_vars[names[0]]
            scope = sample.name[: -len(names[0])]
        return Saver(saver_def=_copy(mgd.saver_def), name=scope or None), returned
    if all_saveable_objects(scope=import_scope):
        return Saver(), returned
    return None, returned


def _copy(msg: Any) -> Any:
    out = type(msg)()
    out.CopyFrom(msg)
    return out


def import_meta_graph(meta_graph_or_file: Any, clear_devices: bool = False,
                      import_scope: str | None = None, **kwargs: Any) -> Any:  # fmt: skip
    return import_meta_graph_with_return_elements(meta_graph_or_file, clear_devices,
                                                  import_scope, **kwargs)[0]  # fmt: skip
