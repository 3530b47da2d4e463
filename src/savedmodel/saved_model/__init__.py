"""TF-style `savedmodel.saved_model` namespace (`tf.saved_model` without TensorFlow).

import savedmodel as tf
model = tf.saved_model.load("/path/to/export")      # a live object (TF2) or a TF1 model
model.signatures["serving_default"](x=[1.0, 2.0])
tf.saved_model.save(module, "/path/to/export", signatures=module.serve)
"""

from __future__ import annotations

from typing import Any

# `load`, `save` and their options are imported on first use: `tf.compat.v1.saved_model` reads
# this module's constants without the loader, the executor and the kernels.
_LAZY = {
    "load": "savedmodel.api.load",
    "LoadOptions": "savedmodel.api.load",
    "save": "savedmodel.api.save",
    "SaveOptions": "savedmodel.api.save",
    "Asset": "savedmodel.api.tracking",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'savedmodel.saved_model' has no attribute {name!r}")
    import importlib

    value = globals()[name] = getattr(importlib.import_module(module), name)
    return value


# TF2's `tf.saved_model` constants (the TF1 API also exposes them under
# `tf.compat.v1.saved_model.signature_constants` / `.tag_constants`).
from savedmodel.saved_model import constants as constants  # noqa: E402
from savedmodel.saved_model import signature_constants as signature_constants  # noqa: E402
from savedmodel.saved_model import tag_constants as tag_constants  # noqa: E402
from savedmodel.saved_model.constants import ASSETS_DIRECTORY as ASSETS_DIRECTORY  # noqa: E402
from savedmodel.saved_model.constants import ASSETS_KEY as ASSETS_KEY  # noqa: E402
from savedmodel.saved_model.constants import DEBUG_DIRECTORY as DEBUG_DIRECTORY  # noqa: E402
from savedmodel.saved_model.constants import (  # noqa: E402
    DEBUG_INFO_FILENAME_PB as DEBUG_INFO_FILENAME_PB,
)
from savedmodel.saved_model.constants import (  # noqa: E402
    SAVED_MODEL_FILENAME_PB as SAVED_MODEL_FILENAME_PB,
)
from savedmodel.saved_model.constants import (  # noqa: E402
    SAVED_MODEL_FILENAME_PBTXT as SAVED_MODEL_FILENAME_PBTXT,
)
from savedmodel.saved_model.constants import (  # noqa: E402
    SAVED_MODEL_SCHEMA_VERSION as SAVED_MODEL_SCHEMA_VERSION,
)
from savedmodel.saved_model.constants import VARIABLES_DIRECTORY as VARIABLES_DIRECTORY  # noqa: E402
from savedmodel.saved_model.constants import VARIABLES_FILENAME as VARIABLES_FILENAME  # noqa: E402
from savedmodel.saved_model.signature_constants import *  # noqa: E402, F403
from savedmodel.saved_model.tag_constants import *  # noqa: E402, F403
