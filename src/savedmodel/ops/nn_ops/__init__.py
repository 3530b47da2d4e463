"""Neural-network kernels: activations and softmax, bias, convolutions, pooling, batch norm, top-k.

Importing the package registers every kernel of the family.
"""

from __future__ import annotations

from savedmodel.ops.nn_ops import activations, conv, normalization, pooling

__all__ = ["activations", "conv", "normalization", "pooling"]
