"""`tf.compat.v1.saved_model.Builder`: write TF1 SavedModels from a session.

The MetaGraphs are what TensorFlow's builder writes: a sharded `save/` Saver over every variable
(allow_empty), `saver.export_meta_graph(...)` with the graph's collections, assets recorded in
the `saved_model_assets` collection (packed AssetFileDefs) and copied to `assets/`, the main op
in `saved_model_main_op`, tags and signatures. Variables are checkpointed when the first
MetaGraph is added; `save()` writes the directory atomically.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import tempfile
from typing import Any

from savedmodel import dtypes, protos
from savedmodel.compat.v1.train.saver import Saver
from savedmodel.formats import saved_model_writer
from savedmodel.framework.graph import get_default_graph
from savedmodel.framework.operation import Operation, Tensor
from savedmodel.saved_model import constants


class SavedModelBuilder:
    """Build a SavedModel with one or more MetaGraphs sharing variables and assets."""

    def __init__(self, export_dir: str | os.PathLike[str]) -> None:
        self._saved_model = protos.SavedModel(
            saved_model_schema_version=constants.SAVED_MODEL_SCHEMA_VERSION
        )
        self._export_dir = os.fspath(export_dir)
        if os.path.exists(self._export_dir):
            if os.listdir(self._export_dir):
                raise AssertionError(
                    f"Export directory {self._export_dir} already exists, and isn't empty. Please"
                    " choose a different export directory, or delete all the contents of the"
                    " specified directory."
                )
        else:
            os.makedirs(self._export_dir)
        self._has_saved_variables = False
        self._assets: dict[str, str] = {}  # name in assets/ -> source path
        self._staging = tempfile.mkdtemp(prefix="savedmodel-builder-")
        self._variables_prefix: str | None = None
        self._written = False

    # -- validation ----------------------------------------------------------------------------

    def _validate_tensor_info(self, info: Any) -> None:
        if info is None:
            raise AssertionError(
                "All TensorInfo protos used in the SignatureDefs must have the"
                " name and dtype fields set."
            )
        kind = info.WhichOneof("encoding")
        if kind is None:
            raise AssertionError(
                f"Invalid `tensor_info`: {info}. All TensorInfo protos used in"
                " the SignatureDefs must have one of the 'encoding' fields"
                " (e.g., name or coo_sparse) set."
            )
        if kind == "composite_tensor":
            for component in info.composite_tensor.components:
                self._validate_tensor_info(component)
        elif info.dtype == 0:
            raise AssertionError(
                f"Invalid `tensor_info`: {info}. All TensorInfo protos used in"
                " the SignatureDefs must have the dtype field set."
            )

    def _validate_signature_def_map(self, signature_def_map: dict[str, Any]) -> None:
        for sig in signature_def_map.values():
            for key in sig.inputs:
                self._validate_tensor_info(sig.inputs[key])
            for key in sig.outputs:
                self._validate_tensor_info(sig.outputs[key])
        for reserved, what in (
            (constants.INIT_OP_SIGNATURE_KEY, "initialization"),
            (constants.TRAIN_OP_SIGNATURE_KEY, "the train op"),
        ):
            if reserved in signature_def_map:
                raise KeyError(
                    f'SignatureDef map key "{reserved}" is reserved for {what}.'
                    " Please use a different key."
                )

    # -- collections: assets, main op, train op ------------------------------------------------

    def _save_and_write_assets(self, assets_collection: Any) -> None:
        if assets_collection is None:
            return
        names: dict[str, str] = {}
        graph = get_default_graph()
        for tensor in assets_collection:
            source = _asset_path(tensor)
            name = _asset_filename(source, names)
            info = protos.AssetFileDef(filename=name)
            info.tensor_info.name = tensor.name
            packed = protos.Any()
            packed.Pack(info)
            graph.add_to_collection(constants.ASSETS_KEY, packed)
            names[name] = source
        for name, source in names.items():
            if name not in self._assets and os.path.exists(source):
                self._assets[name] = source

    def _maybe_add_main_op(self, main_op: Any) -> None:
        if main_op is None:
            return
        if not isinstance(main_op, Operation):
            raise TypeError(
                f"Expected {main_op} to be an Operation but got type {type(main_op)} instead."
            )
        graph = get_default_graph()
        for key in (constants.MAIN_OP_KEY, constants.LEGACY_INIT_OP_KEY):
            if graph.get_collection(key):
                raise ValueError(
                    f"Graph already contains one or more main ops under the collection {key}."
                )
        graph.add_to_collection(constants.MAIN_OP_KEY, main_op)

    def _add_train_op(self, train_op: Any) -> None:
        if train_op is not None:
            if not isinstance(train_op, (Tensor, Operation)):
                raise TypeError(f"`train_op` {train_op} needs to be a Tensor or Op.")
            get_default_graph().add_to_collection(constants.TRAIN_OP_KEY, train_op)

    def _add_collections(self, assets_collection: Any, main_op: Any, train_op: Any) -> None:
        self._save_and_write_assets(assets_collection)
        self._maybe_add_main_op(main_op)
        self._add_train_op(train_op)

    # -- meta graphs ---------------------------------------------------------------------------

    def _maybe_create_saver(self, saver: Any = None) -> Saver:
        if not saver:
            from savedmodel.framework.variables import all_saveable_objects

            saver = Saver(all_saveable_objects(), sharded=True, allow_empty=True)
        return saver

    def _tag_and_add_meta_graph(self, meta_graph_def: Any, tags: Any,
                                signature_def_map: dict[str, Any] | None) -> None:  # fmt: skip
        for tag in tags:
            meta_graph_def.meta_info_def.tags.append(tag)
        for key, sig in (signature_def_map or {}).items():
            meta_graph_def.signature_def[key].CopyFrom(sig)
        self._saved_model.meta_graphs.add().CopyFrom(meta_graph_def)

    def add_meta_graph(
        self,
        tags: Any,
        signature_def_map: Any = None,
        assets_collection: Any = None,
        legacy_init_op: Any = None,
        clear_devices: bool = False,
        main_op: Any = None,
        strip_default_attrs: bool = False,
        saver: Any = None,
    ) -> None:
        if not self._has_saved_variables:
            raise AssertionError(
                "Graph state including variables and assets has not been saved"
                " yet. Please invoke `add_meta_graph_and_variables()` first."
            )
        signature_def_map = signature_def_map or {}
        self._validate_signature_def_map(signature_def_map)
        main_op = main_op if main_op is not None else legacy_init_op
        self._add_collections(assets_collection, main_op, None)
        saver = self._maybe_create_saver(saver)
        mgd = saver.export_meta_graph(clear_devices=clear_devices,
                                      strip_default_attrs=strip_default_attrs)  # fmt: skip
        self._tag_and_add_meta_graph(mgd, tags, signature_def_map)

    def add_meta_graph_and_variables(self, sess: Any, tags: Any, signature_def_map: Any = None,
                                     assets_collection: Any = None, legacy_init_op: Any = None,
                                     clear_devices: bool = False, main_op: Any = None,
                                     strip_default_attrs: bool = False,
                                     saver: Any = None) -> None:  # fmt: skip
        if self._has_saved_variables:
            raise AssertionError(
                "Graph state including variables and assets has already been"
                " saved. Please invoke `add_meta_graph()` instead."
            )
        signature_def_map = signature_def_map or {}
        self._validate_signature_def_map(signature_def_map)
        main_op = main_op or legacy_init_op
        self._add_collections(assets_collection, main_op, None)
        saver = self._maybe_create_saver(saver)
        prefix = os.path.join(self._staging, "variables", "variables")
        os.makedirs(os.path.dirname(prefix), exist_ok=True)
        if saver.save(sess, prefix, write_meta_graph=False, write_state=False) is not None:
            self._variables_prefix = prefix
        mgd = saver.export_meta_graph(clear_devices=clear_devices,
                                      strip_default_attrs=strip_default_attrs)  # fmt: skip
        self._tag_and_add_meta_graph(mgd, tags, signature_def_map)
        self._has_saved_variables = True

    def save(self, as_text: bool = False) -> bytes:
        """Write the SavedModel (atomically) and return the path of its proto file."""
        saved_model_writer.write_saved_model(
            self._export_dir, self._saved_model, as_text=as_text,
            variables=self._variables_prefix, assets=self._assets or None,
            overwrite=self._written or _is_empty_dir(self._export_dir),
        )  # fmt: skip
        self._written = True
        name = (
            constants.SAVED_MODEL_FILENAME_PBTXT if as_text else constants.SAVED_MODEL_FILENAME_PB
        )
        return os.path.join(self._export_dir, name).encode("utf-8")

    def __del__(self) -> None:
        staging = getattr(self, "_staging", None)
        if staging:
            shutil.rmtree(staging, ignore_errors=True)


Builder = SavedModelBuilder


def _is_empty_dir(path: str) -> bool:
    return os.path.isdir(path) and not os.listdir(path)


def _asset_path(tensor: Any) -> str:
    if not isinstance(tensor, Tensor):
        raise TypeError("Asset path tensor must be a Tensor.")
    if tensor.op.type != "Const":
        raise TypeError("Asset path tensor must be of type constant.")
    if tensor.dtype != dtypes.string:
        raise TypeError("Asset path tensor must be of type string.")
    values = tensor.op._attrs["value"].tensor.string_val
    if len(values) != 1:
        raise TypeError("Asset path tensor must be a scalar.")
    return values[0].decode("utf-8", "surrogateescape")


def _asset_filename(path: str, names: dict[str, str]) -> str:
    name = os.path.basename(path)
    other = names.get(name)
    if other is None or other == path:
        return name
    if os.path.exists(path) and os.path.exists(other) and filecmp.cmp(path, other, shallow=False):
        return name
    # NOTE: TF appends "_1", "_2"... to the whole file name ("vocab.txt_1").
    i = 1
    unique = name
    while unique in names:
        unique = f"{name}_{i}"
        i += 1
    return unique
