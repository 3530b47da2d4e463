"""Graph plumbing ops: constants, placeholders, identities, NoOp.

Const nodes without control inputs never reach these kernels (plans pre-fill their values);
reading a TF1 ref edge through Identity is a dereference done by the executor before the call.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from savedmodel.errors import InvalidArgumentError
from savedmodel.ops.registry import kernel


@kernel("Const", "HostConst")
def const(*, value: np.ndarray) -> np.ndarray:
    return value


@kernel("Placeholder")
def placeholder(*, dtype: np.dtype, shape: tuple | None = None) -> np.ndarray:
    dims = "<unknown>" if shape is None else [-1 if d is None else d for d in shape]
    raise InvalidArgumentError(
        f"You must feed a value for placeholder tensor with dtype {dtype} and shape {dims}"
    )


@kernel("PlaceholderWithDefault")
def placeholder_with_default(input: np.ndarray, *, shape: tuple | None = None) -> np.ndarray:
    return input


@kernel("Identity", "StopGradient", "Snapshot")
def identity(input: np.ndarray) -> np.ndarray:
    # Snapshot's copy only matters for TF's in-place buffer reuse; values here are immutable.
    return input


@kernel("PreventGradient")
def prevent_gradient(input: np.ndarray, *, message: str = "") -> np.ndarray:
    return input


@kernel("IdentityN")
def identity_n(input: Sequence[np.ndarray]) -> np.ndarray | list[np.ndarray]:
    return input[0] if len(input) == 1 else list(input)


@kernel("NoOp")
def no_op() -> None:
    return None
