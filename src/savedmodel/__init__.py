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

_LAZY_SUBMODULES = frozenset({"saved_model"})


def load(export_dir: str | os.PathLike[str], tags: Iterable[str] | str | None = None) -> Any:
    """Load a SavedModel: `savedmodel.load(path).signatures["serving_default"](x=...)`.

    Same as `savedmodel.saved_model.load` (`savedmodel.api.loader.load`); the executor and the
    kernels are imported on the first call, not with the package.
    """
    from savedmodel.api.loader import load as _load

    return _load(export_dir, tags)


def __getattr__(name: str) -> Any:
    # `import savedmodel as tf; tf.saved_model.load(...)` without importing the submodule first.
    if name in _LAZY_SUBMODULES:
        import importlib

        return importlib.import_module(f"savedmodel.{name}")
    raise AttributeError(f"module 'savedmodel' has no attribute {name!r}")
