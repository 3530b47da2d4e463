"""Random kernels, bit-exact with TensorFlow's CPU kernels: Philox4x32-10 in numpy and the
distributions TensorFlow builds on it (uniform floats and integers, normals, truncated normals),
for the stateful ops (RandomUniform, RandomStandardNormal, TruncatedNormal, RandomUniformInt)
and the stateless ones (StatelessRandom*, V1 and V2, and StatelessRandomGetKeyCounter[Alg]).

Importing the package registers every kernel of the family.
"""

from __future__ import annotations

from savedmodel.ops.random_ops import stateful, stateless

__all__ = ["stateful", "stateless"]
