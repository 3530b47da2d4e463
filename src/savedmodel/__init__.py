"""savedmodel: TensorFlow SavedModels without TensorFlow.

Read, inspect, run and write SavedModels and checkpoints, byte-compatible with TensorFlow.
Importing this package is cheap: submodules load on first use.
"""

from __future__ import annotations

__version__ = "0.1.0"
