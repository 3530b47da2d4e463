"""Array kernels: shapes, reshaping, joining/splitting, slicing, gathers/scatters, padding and
layout changes, diagonals, quantisation simulation. Importing the package registers every kernel
of the family.

Kernels here may return views of their inputs (numpy slicing and transposition do); no kernel
writes into an input, and callers must not write into a kernel's output in place either.
"""

from __future__ import annotations

from savedmodel.ops.array_ops import (
    diagonal,
    indexing,
    join,
    quantize,
    shape,
    slicing,
    transform,
)
from savedmodel.ops.array_ops.indexing import gather

__all__ = [
    "diagonal", "gather", "indexing", "join", "quantize", "shape", "slicing", "transform",
]  # fmt: skip
