"""Eager execution (no graph in scope): the same builders run at once and return numpy arrays,
with TensorFlow's dtype rules for Python values (checked live against TF eager)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import savedmodel as smtf

pytestmark = pytest.mark.interop


def program(tf: Any) -> dict[str, Any]:
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    v = tf.Variable([1, 2], name="v")
    v.assign_add([10, 20])
    return {
        "const_int": tf.constant([1, 2, 3]), "const_big": tf.constant(2**40),
        "const_float": tf.constant(1.5), "const_str": tf.constant(["a", "bc"]),
        "add_py": tf.add(x, 1), "mul": tf.multiply(x, x), "matmul": tf.matmul(x, x),
        "sum": tf.reduce_sum(x, axis=0), "mean": tf.reduce_mean(x), "cast": tf.cast(x, tf.int64),
        "range": tf.range(5), "zeros": tf.zeros([2, 2], tf.int32), "ones_like": tf.ones_like(x),
        "concat": tf.concat([x, x], 1), "stack": tf.stack([x, x]), "reshape": tf.reshape(x, [4]),
        "shape": tf.shape(x), "relu": tf.nn.relu(x - 2), "softmax": tf.nn.softmax(x),
        "where": tf.where(x > 2, x, 0.0), "var": v.read_value(), "raw": tf.raw_ops.Square(x=x),
    }  # fmt: skip


def test_eager_values_are_numpy_and_match_tensorflow() -> None:
    tf = pytest.importorskip("tensorflow")
    ours = program(smtf)
    theirs = {k: v.numpy() for k, v in program(tf).items()}
    for key, value in theirs.items():
        mine = ours[key]
        assert isinstance(mine, np.ndarray), key
        assert mine.dtype == value.dtype, key
        if value.dtype.kind == "f":
            np.testing.assert_allclose(mine, value, rtol=1e-6, err_msg=key)
        else:
            np.testing.assert_array_equal(mine, value, err_msg=key)
