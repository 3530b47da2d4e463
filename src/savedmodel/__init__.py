"""savedmodel: TensorFlow SavedModels without TensorFlow.

Read, inspect, run and write SavedModels and checkpoints, byte-compatible with TensorFlow.
Importing this package is cheap: submodules load on first use.
"""

from __future__ import annotations

# Not `from typing import TYPE_CHECKING`: importing typing would double this package's import time.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import os
    from collections.abc import Iterable
    from typing import Any

__version__ = "0.1.0"

_LAZY_SUBMODULES = frozenset(
    {"saved_model", "compat", "export", "nn", "math", "raw_ops", "io", "train", "dtypes", "errors"}
)
# Every other public name (`tf.constant`, `tf.float32`, `tf.Variable`...) is looked up in this
# module, imported on first use.
_TF_API_MODULE = "savedmodel.tf_api"
# TF2 object API names (tf.Module, tf.function...), each from its module in savedmodel.api.
_OBJECT_API = {
    "Module": "savedmodel.api.module",
    "function": "savedmodel.api.function",
}


def load(
    export_dir: str | os.PathLike[str], tags: Iterable[str] | str | None = None, options: Any = None
) -> Any:
    """Load a SavedModel as a live object: `savedmodel.load(path).signatures[...](x=...)`.

    Same as `savedmodel.saved_model.load` (`savedmodel.api.load.load`): TF2 models come back
    as their saved object tree, TF1 models with `.signatures`, `.variables` and `.prune`. The
    executor and the kernels are imported on the first call, not with the package.
    """
    from savedmodel.api.load import load as _load

    return _load(export_dir, tags, options)


def __getattr__(name: str) -> Any:
    # `import savedmodel as tf; tf.saved_model.load(...)` without importing the submodule first.
    if name in _LAZY_SUBMODULES:
        import importlib

        return importlib.import_module(f"savedmodel.{name}")
    if not name.startswith("_"):
        import importlib
        import importlib.util

        # `from savedmodel import tensors` asks for the attribute before importing the
        # submodule: a submodule must win over the API table (and not import it).
        if importlib.util.find_spec(f"savedmodel.{name}") is not None:
            return importlib.import_module(f"savedmodel.{name}")
        if name in _OBJECT_API:
            value = globals()[name] = getattr(importlib.import_module(_OBJECT_API[name]), name)
            return value
        api = importlib.import_module(_TF_API_MODULE)
        if name in api.__all__:
            value = globals()[name] = getattr(api, name)  # later lookups skip __getattr__
            return value
    raise AttributeError(f"module 'savedmodel' has no attribute {name!r}")
