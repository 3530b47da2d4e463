"""Math kernels: element-wise arithmetic, comparison and logic, casts, reductions, segment
reductions, matrix products.

Importing the package registers every kernel of the family.
"""

from __future__ import annotations

from savedmodel.ops.math_ops import binary, cast, matmul, reductions, segments, unary

__all__ = ["binary", "cast", "matmul", "reductions", "segments", "unary"]
