"""Neural-network kernels: activations and softmax, bias, convolutions, pooling, batch norm, top-k,
cross-entropy losses and LRN.

Importing the package registers every kernel of the family.
"""

from __future__ import annotations

from savedmodel.ops.nn_ops import activations, conv, losses, normalization, pooling

__all__ = ["activations", "conv", "losses", "normalization", "pooling"]
