"""`tf.function`: tracing, polymorphism, signatures, captures; eager calls give numpy arrays.

`_programs` runs with `tf` bound to TensorFlow or to savedmodel; the interop test compares the
two, the other tests check savedmodel against the values TensorFlow 2.21 gives (stored inline).
"""

from __future__ import annotations

import numpy as np
import pytest

import savedmodel as tf
from savedmodel.api.concrete_function import ConcreteFunction


def _value(x):  # noqa: ANN001, ANN202 - tensors of either library as plain Python data
    if isinstance(x, dict):
        return {k: _value(v) for k, v in sorted(x.items())}
    if isinstance(x, (list, tuple)):
        return [_value(v) for v in x]
    arr = np.asarray(x.numpy() if hasattr(x, "numpy") else x)
    return [str(arr.dtype), arr.tolist()]


def _programs(tf):  # noqa: ANN001, ANN202, C901 - the same code for TensorFlow and savedmodel
    out = {}

    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32, name="x")])
    def scaled(x):
        return x * 2.0 + 1.0

    out["signature"] = [_value(scaled(np.ones(n, np.float32))) for n in (1, 3)]
    out["signature_traces"] = scaled.experimental_get_tracing_count()

    @tf.function
    def poly(x, power=2):
        return x**power

    results = [poly(np.float32(3.0)), poly(np.int32(3)), poly(np.float32(4.0)),
               poly(np.float32(2.0), power=3), poly(np.ones((2, 2), np.float32))]  # fmt: skip
    out["poly"] = [_value(r) for r in results]
    out["poly_traces"] = poly.experimental_get_tracing_count()

    @tf.function
    def nested(inputs, scale=1.0):
        a = inputs["a"]
        b0, b1 = inputs["pair"]
        return {"sum": (a + b0) * scale, "parts": (b0, b1 - 1.0), "n": 3}

    x = {"a": np.array([1.0, 2.0], np.float32),
         "pair": (np.array([3.0, 4.0], np.float32), np.array([5.0, 6.0], np.float32))}  # fmt: skip
    out["nested"] = _value(nested(x))
    out["nested_scaled"] = _value(nested(x, scale=0.5))

    class Counter(tf.Module):
        def __init__(self):
            super().__init__()
            self.count = tf.Variable(0, dtype=tf.int64, name="count")
            self.w = tf.Variable([[1.0, 2.0], [3.0, 4.0]], name="w")

        @tf.function
        def step(self, x):
            self.count.assign_add(1)
            return tf.matmul(x, self.w), self.count.read_value()

    c = Counter()
    first = c.step(np.ones((1, 2), np.float32))
    c.w.assign([[0.0, 1.0], [1.0, 0.0]])
    second = c.step(np.ones((1, 2), np.float32))
    out["captures"] = [_value(first), _value(second), int(c.count.numpy())]
    out["captures_traces"] = c.step.experimental_get_tracing_count()

    concrete = poly.get_concrete_function(tf.TensorSpec([None, 2], tf.float32))
    out["concrete"] = _value(concrete(np.full((3, 2), 2.0, np.float32), power=2))
    out["concrete_from_value"] = _value(
        poly.get_concrete_function(np.float32(1.0), power=4)(np.float32(2.0), power=4)
    )
    out["strings"] = _value(tf.function(lambda s: s)(np.array([b"a", b"bc"])))
    return out


EXPECTED = {
    "signature": [["float32", [3.0]], ["float32", [3.0, 3.0, 3.0]]],
    "signature_traces": 1,
    "poly": [
        ["float32", 9.0],
        ["int32", 9],
        ["float32", 16.0],
        ["float32", 8.0],
        ["float32", [[1.0, 1.0], [1.0, 1.0]]],
    ],  # fmt: skip
    "poly_traces": 4,
    "nested": {
        "n": ["int32", 3],
        "parts": [["float32", [3.0, 4.0]], ["float32", [4.0, 5.0]]],
        "sum": ["float32", [4.0, 6.0]],
    },  # fmt: skip
    "nested_scaled": {
        "n": ["int32", 3],
        "parts": [["float32", [3.0, 4.0]], ["float32", [4.0, 5.0]]],
        "sum": ["float32", [2.0, 3.0]],
    },  # fmt: skip
    "captures": [
        [["float32", [[4.0, 6.0]]], ["int64", 1]],
        [["float32", [[1.0, 1.0]]], ["int64", 2]],
        2,
    ],  # fmt: skip
    "captures_traces": 1,
    "concrete": ["float32", [[4.0, 4.0], [4.0, 4.0], [4.0, 4.0]]],
    "concrete_from_value": ["float32", 16.0],
    "strings": ["object", [b"a", b"bc"]],
}


def test_programs_give_tensorflows_results() -> None:
    assert _programs(tf) == EXPECTED


def test_eager_results_are_numpy_arrays() -> None:
    f = tf.function(lambda x: {"y": x + 1})
    out = f(np.arange(3, dtype=np.int64))
    assert type(out["y"]) is np.ndarray and out["y"].dtype == np.int64


def test_concrete_function_signature_and_graph() -> None:
    @tf.function
    def f(x, y):
        return x + y

    cf = f.get_concrete_function(tf.TensorSpec([None], tf.float32), tf.TensorSpec([], tf.float32))
    assert isinstance(cf, ConcreteFunction)
    args, kwargs = cf.structured_input_signature
    assert [repr(a) for a in args] == [
        "TensorSpec(shape=(None,), dtype=tf.float32, name='x')",
        "TensorSpec(shape=(), dtype=tf.float32, name='y')",
    ]
    assert kwargs == {}
    assert [a.name for a in cf.function_def.signature.input_arg] == ["x", "y"]
    assert cf(np.ones(2, np.float32), np.float32(1.0)).tolist() == [2.0, 2.0]
    assert cf(x=np.ones(1, np.float32), y=np.float32(2.0)).tolist() == [3.0]
    with pytest.raises(Exception, match="shape"):
        cf(np.ones((2, 2), np.float32), np.float32(1.0))


def test_a_traced_function_calls_another_through_a_call_op() -> None:
    @tf.function
    def inner(x):
        return x * 3.0

    @tf.function
    def outer(x):
        return inner(x) + 1.0

    cf = outer.get_concrete_function(tf.TensorSpec([], tf.float32))
    ops = [n.op for n in cf.function_def.node_def]
    assert "PartitionedCall" in ops or "StatefulPartitionedCall" in ops
    assert len(cf.function_defs) == 2
    assert outer(np.float32(2.0)) == np.float32(7.0)


@pytest.mark.interop
def test_programs_agree_with_tensorflow() -> None:
    tf_real = pytest.importorskip("tensorflow")
    assert _programs(tf_real) == _programs(tf) == EXPECTED
