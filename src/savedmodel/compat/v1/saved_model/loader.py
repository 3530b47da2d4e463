"""`tf.compat.v1.saved_model.load(sess, tags, export_dir)`: import a SavedModel into a session.

As TensorFlow's SavedModelLoader: pick the MetaGraph whose tag set equals `tags`, import its graph
(functions included) and collections into the session's graph, restore the variables through the
Saver (`saver_def`) from `variables/variables`, then run the init op (signature
`__saved_model_init_op`, else collection `saved_model_main_op` / `legacy_init_op`) feeding asset
tensors with their paths under `assets/`. Returns the MetaGraphDef.
"""

from __future__ import annotations

import os
from typing import Any

from savedmodel import protos
from savedmodel.compat.v1.saved_model.signature_def_utils import load_op_from_signature_def
from savedmodel.compat.v1.train.checkpoint_management import (
    import_meta_graph_with_return_elements,
)
from savedmodel.compat.v1.train.saver import Saver
from savedmodel.formats import saved_model_dir as smdir
from savedmodel.framework.graph import get_default_graph
from savedmodel.framework.variables import all_saveable_objects
from savedmodel.saved_model import constants


def _tag_list(tags: Any) -> list[str]:
    return [tags] if isinstance(tags, str) else list(tags)


class SavedModelLoader:
    def __init__(self, export_dir: str | os.PathLike[str]) -> None:
        self._export_dir = os.fspath(export_dir)
        self._variables_path = os.path.join(self._export_dir, constants.VARIABLES_DIRECTORY,
                                            constants.VARIABLES_FILENAME)  # fmt: skip
        self._saved_model = smdir.read_saved_model(self._export_dir)

    @property
    def export_dir(self) -> str:
        return self._export_dir

    @property
    def variables_path(self) -> str:
        return self._variables_path

    @property
    def saved_model(self) -> Any:
        return self._saved_model

    def get_meta_graph_def_from_tags(self, tags: Any) -> Any:
        wanted = set(_tag_list(tags))
        available = []
        for mg in self._saved_model.meta_graphs:
            if set(mg.meta_info_def.tags) == wanted:
                return mg
            available.append(list(mg.meta_info_def.tags))
        raise RuntimeError(
            f"MetaGraphDef associated with tags {_tag_list(tags)} could not be found in"
            f" SavedModel, with available tags '{available}'. To inspect available tag-sets in"
            " the SavedModel, please use the SavedModel CLI: `saved_model_cli`."
        )

    def load_graph(self, graph: Any, tags: Any, import_scope: str | None = None,
                   **saver_kwargs: Any) -> tuple[Any, Any]:  # fmt: skip
        mgd = self.get_meta_graph_def_from_tags(tags)
        with graph.as_default():
            return import_meta_graph_with_return_elements(mgd, import_scope=import_scope,
                                                          **saver_kwargs)  # fmt: skip

    def restore_variables(self, sess: Any, saver: Any, import_scope: str | None = None) -> None:
        with sess.graph.as_default():
            if saver is None and not all_saveable_objects(scope=import_scope):
                return
            if isinstance(saver, Saver):
                saver.restore(sess, self._variables_path)
            else:
                raise ValueError(
                    "No tf.train.Saver object was passed to the function"
                    " `SavedModelLoader.restore_variables`. Since there are"
                    " variables in the graph, a saver is required."
                )

    def run_init_ops(self, sess: Any, tags: Any, import_scope: str | None = None) -> None:
        mgd = self.get_meta_graph_def_from_tags(tags)
        with sess.graph.as_default():
            feeds = get_asset_tensors(self._export_dir, mgd, import_scope)
            init_op = get_init_op(mgd, import_scope)
            if init_op is not None:
                sess.run(fetches=[init_op], feed_dict=feeds)

    def load(self, sess: Any, tags: Any, import_scope: str | None = None,
             **saver_kwargs: Any) -> Any:  # fmt: skip
        with sess.graph.as_default():
            saver, _ = self.load_graph(sess.graph, tags, import_scope, **saver_kwargs)
            self.restore_variables(sess, saver, import_scope)
            self.run_init_ops(sess, tags, import_scope)
        return self.get_meta_graph_def_from_tags(tags)


def get_asset_tensors(export_dir: str, meta_graph_def: Any,
                      import_scope: str | None = None) -> dict[str, str]:  # fmt: skip
    asset_defs = list(meta_graph_def.asset_file_def)
    if not asset_defs and constants.ASSETS_KEY in meta_graph_def.collection_def:
        for packed in meta_graph_def.collection_def[constants.ASSETS_KEY].any_list.value:
            info = protos.AssetFileDef()
            packed.Unpack(info)
            asset_defs.append(info)
    assets_dir = os.path.join(export_dir, constants.ASSETS_DIRECTORY)
    feeds = {}
    for info in asset_defs:
        name = info.tensor_info.name
        if import_scope:
            name = f"{import_scope}/{name}"
        feeds[name] = os.path.join(assets_dir, info.filename)
    return feeds


def get_init_op(meta_graph_def: Any, import_scope: str | None = None) -> Any:
    if constants.INIT_OP_SIGNATURE_KEY in meta_graph_def.signature_def:
        return load_op_from_signature_def(
            meta_graph_def.signature_def[constants.INIT_OP_SIGNATURE_KEY],
            constants.INIT_OP_SIGNATURE_KEY, import_scope,
        )  # fmt: skip
    for key in (constants.MAIN_OP_KEY, constants.LEGACY_INIT_OP_KEY):
        if key in meta_graph_def.collection_def:
            ops = meta_graph_def.collection_def[key].node_list.value
            if len(ops) != 1:
                raise RuntimeError(f"Expected exactly one SavedModel init op. Found: {list(ops)}")
            return get_default_graph().get_collection(key)[0]
    return None


def load(sess: Any, tags: Any, export_dir: str | os.PathLike[str],
         import_scope: str | None = None, **saver_kwargs: Any) -> Any:  # fmt: skip
    """Load a SavedModel's MetaGraph into `sess` and return the MetaGraphDef."""
    return SavedModelLoader(export_dir).load(sess, tags, import_scope, **saver_kwargs)


def maybe_saved_model_directory(export_dir: str | os.PathLike[str]) -> bool:
    return smdir.contains_saved_model(export_dir)


contains_saved_model = maybe_saved_model_directory
