"""Kernels refuse outputs whose size comes from tensor values and cannot fit in memory.

TensorFlow fails such allocations with ResourceExhausted; ours must too, before numpy reserves
(or starts filling) terabytes. No TensorFlow needed.
"""

from __future__ import annotations

import numpy as np
import pytest

import savedmodel.ops.array_ops  # noqa: F401  (registers the families)
import savedmodel.ops.image_ops  # noqa: F401
import savedmodel.ops.nn_ops  # noqa: F401
from savedmodel import errors
from savedmodel.ops import registry

HUGE = 2**40
F32 = np.ones((2, 2), np.float32)


@pytest.mark.parametrize(
    ("op", "args", "attrs"),
    [
        ("Fill", (np.array([HUGE, HUGE], np.int64), np.array(1.0, np.float32)), {}),
        ("Empty", (np.array([2**30, 2**30], np.int32),), {"dtype": np.dtype(np.float32)}),
        ("Tile", (F32, np.array([HUGE, 1], np.int64)), {}),
        ("BroadcastTo", (F32, np.array([HUGE, 2, 2], np.int64)), {}),
        ("Range", (np.array(0, np.int64), np.array(2**62, np.int64), np.array(1, np.int64)), {}),
        ("Pad", (F32, np.array([[HUGE, 0], [0, HUGE]], np.int64)), {}),
        (
            "ScatterNd",
            (np.zeros((0, 2), np.int64), np.zeros(0, np.float32), np.array([HUGE, HUGE], np.int64)),
            {},
        ),
        (
            "OneHot",
            (
                np.zeros(HUGE // 2**20, np.int32),
                np.array(2**30, np.int32),
                np.array(1.0, np.float32),
                np.array(0.0, np.float32),
            ),
            {},
        ),
        (
            "ResizeBilinear",
            (np.ones((1, 2, 2, 1), np.float32), np.array([2**30, 2**30], np.int32)),
            {},
        ),
    ],
)
def test_huge_output_is_resource_exhausted(op, args, attrs):
    with pytest.raises(errors.ResourceExhaustedError):
        registry.lookup(op).fn(*args, **attrs)


def test_negative_fill_dims_are_invalid():
    with pytest.raises(errors.InvalidArgumentError):
        registry.lookup("Fill").fn(np.array([-1, 2], np.int32), np.array(0.0, np.float32))
