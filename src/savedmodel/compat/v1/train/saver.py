"""`tf.compat.v1.train.Saver`: name-based V2 checkpoints, with TensorFlow's save/restore subgraph.

Building a Saver adds the same `save/...` nodes TensorFlow adds (sharded: the `_temp/part` +
ShardedFilename + MergeV2Checkpoints form; otherwise a single SaveV2), with the same names, so
`saver_def` works for TensorFlow and `saved_model_cli` as well as for us. Saving writes the
tensor bundle directly from the variables' values (the bytes TensorFlow's SaveV2 writes);
restoring runs the graph's restore op. A `checkpoint` state file is kept next to the checkpoints,
as TF1 does. Executing eagerly (`Saver(var_list).restore(None, path)`), values are read and
assigned directly.
"""

from __future__ import annotations

import os
import time
from typing import Any

import numpy as np

from savedmodel import dtypes, protos
from savedmodel.checkpoint import BundleReader, BundleWriter, index_path
from savedmodel.compat.v1.train.checkpoint_management import (
    checkpoint_exists,
    export_meta_graph,
    update_checkpoint_state,
)
from savedmodel.errors import NotFoundError
from savedmodel.framework import array_ops, constant_op, context, control_flow_ops
from savedmodel.framework import device as device_lib
from savedmodel.framework import meta_graph as mg
from savedmodel.framework.graph import get_default_graph
from savedmodel.framework.op_builder import apply_op
from savedmodel.framework.operation import Tensor
from savedmodel.framework.ref_variables import RefVariable
from savedmodel.framework.resource_variables import ResourceVariable
from savedmodel.framework.scopes import name_scope
from savedmodel.framework.variables import GraphKeys, all_saveable_objects, prepend_name_scope

V1, V2 = 1, 2


class _Saveable:
    """One variable to checkpoint: key, the tensor holding its value, and how to restore it."""

    def __init__(self, name: str, tensor: Any, variable: Any) -> None:
        self.name = name
        self.tensor = tensor
        self.variable = variable

    @property
    def dtype(self) -> dtypes.DType:
        if isinstance(self.tensor, Tensor):
            return self.tensor.dtype.base_dtype
        return self.variable.dtype.base_dtype

    @property
    def is_resource(self) -> bool:
        return isinstance(self.tensor, Tensor) and self.tensor.op.type == "ReadVariableOp"

    def restore(self, restored: Tensor, shape: Any) -> Any:
        if shape is not None:
            restored = array_ops.reshape(restored, shape)
        if self.is_resource:
            restored = array_ops.identity(restored)
            handle = self.tensor.op.inputs[0]
            return apply_op("AssignVariableOp", resource=handle, value=restored)
        ref = self.tensor
        return apply_op(
            "Assign",
            ref=ref,
            value=restored,
            validate_shape=shape is None and ref.shape.is_fully_defined(),
        ).op


def _name_of(var: Any) -> tuple[str, Any]:
    """(checkpoint key, tensor) of a variable, as TF's op_list_to_dict names it."""
    if isinstance(var, ResourceVariable):
        if not var._in_graph_mode:
            return var._shared_name, var
        tensor = var._graph_element
    elif isinstance(var, RefVariable):
        tensor = var._ref()
    elif isinstance(var, Tensor):
        tensor = var
    else:
        raise TypeError(f"Variable to save is not a Variable: {var!r}")
    if tensor.op.type == "ReadVariableOp":
        return tensor.op.inputs[0].op.name, tensor
    if tensor.op.type not in ("VariableV2", "Variable", "VarHandleOp", "AutoReloadVariable"):
        raise TypeError(f"Variable to save is not a Variable: {var!r}")
    return tensor.op.name, tensor


def op_list_to_saveables(var_list: Any) -> list[_Saveable]:
    if isinstance(var_list, dict):
        items = []
        for name, var in var_list.items():
            _, tensor = _name_of(var)
            items.append((name, tensor, var))
    else:
        if not isinstance(var_list, (list, tuple, set)):
            raise TypeError(f"Variables to save should be passed in a dict or a list: {var_list}")
        items = []
        seen: set[str] = set()
        for var in sorted(var_list, key=lambda v: v.name):
            name, tensor = _name_of(var)
            if name in seen:
                raise ValueError(f"At least two variables have the same name: {name}")
            seen.add(name)
            items.append((name, tensor, var))
    return [_Saveable(n, t, v) for n, t, v in sorted(items, key=lambda x: x[0])]


class _Builder:
    """BulkSaverBuilder: the save/restore subgraph (TF's node layout and names)."""

    def build(self, saveables: list[_Saveable], *, sharded: bool, max_to_keep: int,
              keep_checkpoint_every_n_hours: float, name: str | None, filename: str,
              reshape: bool) -> Any:  # fmt: skip
        with name_scope(name, "save", [s.tensor for s in saveables]):
            filename_tensor = array_ops.placeholder_with_default(filename or "model", shape=(),
                                                                 name="filename")  # fmt: skip
            filename_tensor = array_ops.placeholder_with_default(filename_tensor, shape=(),
                                                                 name="Const")  # fmt: skip
            if sharded:
                save_tensor = self._sharded_save(filename_tensor, saveables)
                restore_op = self._sharded_restore(filename_tensor, saveables, reshape)
            else:
                save_tensor = self._save(filename_tensor, saveables)
                restore_op = self._restore(filename_tensor, saveables, reshape, "restore_all")
        return protos.SaverDef(
            filename_tensor_name=filename_tensor.name,
            save_tensor_name=save_tensor.name,
            restore_op_name=restore_op.name,
            max_to_keep=max_to_keep,
            sharded=sharded,
            keep_checkpoint_every_n_hours=keep_checkpoint_every_n_hours,
            version=V2,
        )

    def _save_op(self, filename_tensor: Any, saveables: list[_Saveable]) -> Any:
        return apply_op(
            "SaveV2", prefix=filename_tensor, tensor_names=[s.name for s in saveables],
            shape_and_slices=[""] * len(saveables), tensors=[s.tensor for s in saveables],
        )  # fmt: skip

    def _save(self, filename_tensor: Any, saveables: list[_Saveable]) -> Any:
        save = self._save_op(filename_tensor, saveables)
        return control_flow_ops.with_dependencies([save], filename_tensor)

    def _sharded_save(self, prefix: Any, saveables: list[_Saveable]) -> Any:
        graph = get_default_graph()
        with graph.device("CPU"):
            suffix = apply_op(
                "Select",
                condition=apply_op("StaticRegexFullMatch", input=prefix, pattern="^s3://.*"),
                t=constant_op.constant(".part"),
                e=constant_op.constant(os.path.normpath("_temp/part")),
            )  # fmt: skip
            tmp_prefix = apply_op("StringJoin", inputs=[prefix, suffix])
        num_shards = constant_op.constant(1, name="num_shards")
        # NOTE: one shard (no devices to group by); TF pins each shard's ops to its CPU:0.
        with graph.device(device_lib.set_cpu0("")):
            sharded_filename = apply_op("ShardedFilename", basename=tmp_prefix, shard=0,
                                        num_shards=num_shards)  # fmt: skip
            saved = self._save(sharded_filename, saveables)
        with graph.control_dependencies([saved.op]):
            with graph.device(device_lib.set_cpu0("")):
                merge = apply_op("MergeV2Checkpoints", checkpoint_prefixes=[sharded_filename],
                                 destination_prefix=prefix, delete_old_dirs=True)  # fmt: skip
                with graph.control_dependencies([merge]):
                    return array_ops.identity(prefix)

    def _restore(self, filename_tensor: Any, saveables: list[_Saveable], reshape: bool,
                 name: str) -> Any:  # fmt: skip
        with get_default_graph().device("cpu:0"):
            restored = apply_op(
                "RestoreV2", prefix=filename_tensor, tensor_names=[s.name for s in saveables],
                shape_and_slices=[""] * len(saveables), dtypes=[s.dtype for s in saveables],
            )  # fmt: skip
        if isinstance(restored, Tensor):
            restored = [restored]
        assign_ops = []
        for saveable, tensor in zip(saveables, restored, strict=True):
            shape = None
            if reshape:
                shape = saveable.tensor.shape
                if not shape.is_fully_defined():
                    shape = array_ops.shape(saveable.tensor)
            assign_ops.append(saveable.restore(tensor, shape))
        return control_flow_ops.group(*assign_ops, name=name)

    def _sharded_restore(self, filename_tensor: Any, saveables: list[_Saveable],
                         reshape: bool) -> Any:  # fmt: skip
        shard = self._restore(filename_tensor, saveables, reshape, "restore_shard")
        return control_flow_ops.group(shard, name="restore_all")


class Saver:
    """`tf.compat.v1.train.Saver` (V2 checkpoints only)."""

    def __init__(self, var_list: Any = None, reshape: bool = False, sharded: bool = False,
                 max_to_keep: int = 5, keep_checkpoint_every_n_hours: float = 10000.0,
                 name: str | None = None, restore_sequentially: bool = False,
                 saver_def: Any = None, builder: Any = None, defer_build: bool = False,
                 allow_empty: bool = False, write_version: int = V2,
                 pad_step_number: bool = False, save_relative_paths: bool = False,
                 filename: str | None = None) -> None:  # fmt: skip
        if defer_build and var_list:
            raise ValueError(
                "If `var_list` is provided then build cannot be deferred. Either"
                " set defer_build=False or var_list=None."
            )
        if write_version != V2:
            raise NotImplementedError("Only V2 checkpoints are supported")
        if context.executing_eagerly() and var_list is None:
            raise RuntimeError(
                "When eager execution is enabled, `var_list` must specify a list or"
                " dict of variables to save"
            )
        self._var_list = var_list
        self._reshape = reshape
        self._sharded = sharded
        self._max_to_keep = max_to_keep
        self._keep_hours = keep_checkpoint_every_n_hours
        self._name = name
        self.saver_def = saver_def
        self._is_built = False
        self._allow_empty = allow_empty
        self._is_empty: bool | None = None
        self._pad_step_number = pad_step_number
        self._save_relative_paths = save_relative_paths
        self._filename = filename
        self._last_checkpoints: list[tuple[str, float]] = []
        self._saveables: list[_Saveable] | None = None
        if not context.executing_eagerly() and not defer_build:
            self.build()
        if self.saver_def is not None and self._is_empty is None:
            self._is_empty = False

    # -- building ------------------------------------------------------------------------------

    def build(self) -> None:
        if context.executing_eagerly():
            raise RuntimeError("Use save/restore instead of build in eager mode.")
        if self._is_built:
            return
        self._is_built = True
        if self.saver_def is None:
            if self._var_list is None:
                self._var_list = all_saveable_objects()
            if not self._var_list:
                if self._allow_empty:
                    self._is_empty = True
                    return
                raise ValueError("No variables to save")
            self._is_empty = False
            self._saveables = op_list_to_saveables(self._var_list)
            self.saver_def = _Builder().build(
                self._saveables, sharded=self._sharded, max_to_keep=self._max_to_keep or 0,
                keep_checkpoint_every_n_hours=self._keep_hours, name=self._name,
                filename=self._filename or "model", reshape=self._reshape,
            )  # fmt: skip
        elif self._name:
            sd = self.saver_def
            sd.filename_tensor_name = prepend_name_scope(sd.filename_tensor_name, self._name)
            sd.save_tensor_name = prepend_name_scope(sd.save_tensor_name, self._name)
            sd.restore_op_name = prepend_name_scope(sd.restore_op_name, self._name)

    def as_saver_def(self) -> Any:
        return self.saver_def

    def to_proto(self, export_scope: str | None = None) -> Any:
        return self.saver_def

    @staticmethod
    def from_proto(saver_def: Any, import_scope: str | None = None) -> Saver:
        return Saver(saver_def=saver_def, name=import_scope)

    @property
    def last_checkpoints(self) -> list[str]:
        return [p for p, _ in self._last_checkpoints]

    def set_last_checkpoints(self, last_checkpoints: list[str]) -> None:
        self._last_checkpoints = [(s, float("inf")) for s in last_checkpoints]

    # -- saving --------------------------------------------------------------------------------

    def save(
        self,
        sess: Any,
        save_path: str | os.PathLike[str],
        global_step: Any = None,
        latest_filename: str | None = None,
        meta_graph_suffix: str = "meta",
        write_meta_graph: bool = True,
        write_state: bool = True,
        strip_default_attrs: bool = False,
        save_debug_info: bool = False,
    ) -> str | None:
        latest_filename = latest_filename or "checkpoint"
        if os.path.split(latest_filename)[0]:
            raise ValueError("'latest_filename' must not contain path components")
        save_path = os.fspath(save_path)
        if global_step is not None:
            if not isinstance(global_step, (int, np.integer)):
                global_step = int(sess.run(global_step))
            step = f"{global_step:08d}" if self._pad_step_number else str(global_step)
            checkpoint_file = f"{save_path}-{step}"
        else:
            checkpoint_file = save_path
            if os.path.basename(save_path) == latest_filename and not self._sharded:
                raise ValueError(
                    f"'latest_filename' collides with 'save_path': '{latest_filename}'"
                    f" and '{save_path}'"
                )
        parent = os.path.dirname(save_path)
        if parent:
            # NOTE: TF's bundle writer creates missing parent directories.
            os.makedirs(parent, exist_ok=True)
        model_checkpoint_path = None
        if not self._is_empty:
            if context.executing_eagerly() or sess is None:
                self._write_values(checkpoint_file, self._eager_values())
            elif self._saveables is not None:
                values = sess.run([s.tensor for s in self._saveables])
                self._write_values(checkpoint_file, values)
            else:
                sess.run(
                    self.saver_def.save_tensor_name,
                    {self.saver_def.filename_tensor_name: checkpoint_file},
                )
            model_checkpoint_path = checkpoint_file
            if write_state:
                self._record(model_checkpoint_path)
                update_checkpoint_state(
                    parent,
                    model_checkpoint_path,
                    self.last_checkpoints,
                    latest_filename,
                    self._save_relative_paths,
                )
        if write_meta_graph and not context.executing_eagerly() and sess is not None:
            with sess.graph.as_default():
                self.export_meta_graph(
                    f"{checkpoint_file}.{meta_graph_suffix}",
                    strip_default_attrs=strip_default_attrs,
                )
        return model_checkpoint_path

    def _eager_values(self) -> list[Any]:
        saveables = op_list_to_saveables(self._var_list)
        self._saveables = saveables
        return [
            np.asarray(s.variable.numpy() if hasattr(s.variable, "numpy") else s.variable)
            for s in saveables
        ]

    def _write_values(self, prefix: str, values: list[Any]) -> None:
        assert self._saveables is not None
        writer = BundleWriter(prefix)
        try:
            for saveable, value in zip(self._saveables, values, strict=True):
                writer.add(saveable.name, np.asarray(value) if not isinstance(value, bytes)
                           else np.array(value, dtype=object),
                           saveable.dtype.as_datatype_enum)  # fmt: skip
            writer.finish()
        except BaseException:
            writer.abort()
            raise

    def _record(self, path: str) -> None:
        self._last_checkpoints = [p for p in self._last_checkpoints if p[0] != path]
        self._last_checkpoints.append((path, time.time()))
        if self._max_to_keep and len(self._last_checkpoints) > self._max_to_keep:
            old, _ = self._last_checkpoints.pop(0)
            for f in (index_path(old), f"{old}.meta"):
                if os.path.exists(f):
                    os.remove(f)
            directory, base = os.path.split(old)
            for f in os.listdir(directory or "."):
                if f.startswith(os.path.basename(base) + ".data-"):
                    os.remove(os.path.join(directory, f))

    # -- restoring -----------------------------------------------------------------------------

    def restore(self, sess: Any, save_path: str | os.PathLike[str] | None) -> None:
        if self._is_empty:
            return
        if save_path is None:
            raise ValueError("Can't load save_path when it is None.")
        prefix = os.fspath(save_path)
        if not checkpoint_exists(prefix):
            raise ValueError(f"The passed save_path is not a valid checkpoint: {prefix}")
        if context.executing_eagerly() or sess is None:
            self._restore_eager(prefix)
            return
        sess.run(self.saver_def.restore_op_name, {self.saver_def.filename_tensor_name: prefix})

    def _restore_eager(self, prefix: str) -> None:
        saveables = op_list_to_saveables(self._var_list)
        with BundleReader(prefix) as reader:
            for s in saveables:
                if s.name not in reader:
                    raise NotFoundError(
                        f"Key {s.name} not found in checkpoint. Restoring from checkpoint failed."
                    )
                s.variable.assign(reader.get_tensor(s.name), read_value=False)

    # -- meta graphs ---------------------------------------------------------------------------

    def export_meta_graph(self, filename: Any = None, collection_list: Any = None,
                          as_text: bool = False, export_scope: str | None = None,
                          clear_devices: bool = False, clear_extraneous_savers: bool = False,
                          strip_default_attrs: bool = False,
                          save_debug_info: bool = False) -> Any:  # fmt: skip
        return export_meta_graph(
            filename=filename, graph_def=get_default_graph().as_graph_def(add_shapes=True),
            saver_def=self.saver_def, collection_list=collection_list, as_text=as_text,
            export_scope=export_scope, clear_devices=clear_devices,
            clear_extraneous_savers=clear_extraneous_savers,
            strip_default_attrs=strip_default_attrs,
        )  # fmt: skip


mg.register_proto_function(GraphKeys.SAVERS, protos.SaverDef, Saver.to_proto, Saver.from_proto)
