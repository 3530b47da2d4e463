"""TensorFlow-style checkpoint API (`savedmodel.train` mirrors the reading half of `tf.train`).

>>> from savedmodel import train
>>> reader = train.load_checkpoint("/path/to/ckpt_dir_or_prefix")
>>> reader.get_variable_to_shape_map()
>>> reader.get_tensor("v/.ATTRIBUTES/VARIABLE_VALUE")
>>> train.list_variables(path), train.latest_checkpoint(ckpt_dir)
"""

from __future__ import annotations

from savedmodel.train.checkpoint_utils import (
    CheckpointReader,
    CheckpointState,
    get_checkpoint_state,
    latest_checkpoint,
    list_variables,
    load_checkpoint,
    load_variable,
)

__all__ = [
    "CheckpointReader",
    "CheckpointState",
    "get_checkpoint_state",
    "latest_checkpoint",
    "list_variables",
    "load_checkpoint",
    "load_variable",
]
