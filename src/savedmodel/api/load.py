"""`tf.saved_model.load(export_dir, tags=None, options=None)`: a SavedModel as a live object.

As in TensorFlow, a model with exactly one MetaGraph that has an object graph (written by TF2's
`tf.saved_model.save`, Keras' `model.save(save_format="tf")` or Keras 3 `model.export`) is
rebuilt object by object (`savedmodel.api.load_v2`): the saved attribute tree, variables holding
the restored values, restored functions and `.signatures`. Any other model loads the TF1 way
(`savedmodel.api.load_v1`): `.signatures`, `.variables` and `.prune(feeds, fetches)`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from savedmodel.api import load_v1, load_v2, loader
from savedmodel.errors import NotFoundError
from savedmodel.formats import saved_model_dir as smdir


class LoadOptions:
    """`tf.saved_model.LoadOptions`: accepted for compatibility; no option changes loading."""

    def __init__(self, allow_partial_checkpoint: bool = False, experimental_io_device: Any = None,
                 experimental_skip_checkpoint: bool = False, **kwargs: Any) -> None:  # fmt: skip
        self.allow_partial_checkpoint = allow_partial_checkpoint
        self.experimental_io_device = experimental_io_device
        self.experimental_skip_checkpoint = experimental_skip_checkpoint
        self.extra = kwargs


def _tag_set(tags: Iterable[str] | str | None) -> set[str] | None:
    if tags is None:
        return None
    return {tags} if isinstance(tags, str) else set(tags)


def load(
    export_dir: str | os.PathLike[str], tags: Iterable[str] | str | None = None, options: Any = None
) -> Any:
    """Load the SavedModel at `export_dir`; see the module docstring."""
    model = smdir.read_saved_model_dir(export_dir)
    if (
        smdir.is_tf2_saved_model(model.saved_model)
        and model.saved_model.meta_graphs[0].object_graph_def.nodes
    ):
        meta_graph = model.saved_model.meta_graphs[0]
        wanted = _tag_set(tags)
        have = set(meta_graph.meta_info_def.tags)
        if wanted is not None and wanted != have:
            raise NotFoundError(
                f"MetaGraphDef associated with tags {sorted(wanted)} could not be found in"
                f" SavedModel, with available tags '{[sorted(have)]}'"
            )
        return load_v2.load_object_graph(model, meta_graph)
    return load_v1.LoadedV1(loader.load(export_dir, tags))
