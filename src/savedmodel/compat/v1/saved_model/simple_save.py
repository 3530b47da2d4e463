"""`tf.compat.v1.saved_model.simple_save`: one serving MetaGraph with a predict signature."""

from __future__ import annotations

import os
from typing import Any

from savedmodel.compat.v1.saved_model.builder import SavedModelBuilder
from savedmodel.compat.v1.saved_model.signature_def_utils import predict_signature_def
from savedmodel.framework.graph import get_default_graph
from savedmodel.framework.variables import GraphKeys
from savedmodel.saved_model import signature_constants, tag_constants


def simple_save(session: Any, export_dir: str | os.PathLike[str], inputs: Any, outputs: Any,
                legacy_init_op: Any = None) -> None:  # fmt: skip
    signature_def_map = {
        signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY: predict_signature_def(inputs,
                                                                                     outputs)
    }  # fmt: skip
    builder = SavedModelBuilder(export_dir)
    builder.add_meta_graph_and_variables(
        session, tags=[tag_constants.SERVING], signature_def_map=signature_def_map,
        assets_collection=get_default_graph().get_collection(GraphKeys.ASSET_FILEPATHS),
        main_op=legacy_init_op, clear_devices=True,
    )  # fmt: skip
    builder.save()
