"""Variables seen by graph builders: reads while tracing, `numpy()` and repr, resource captures.

`_programs` runs with `tf` bound to TensorFlow or to savedmodel; the interop test compares the
two, the other tests check savedmodel against the values TensorFlow 2.21 gives (stored inline).
"""

from __future__ import annotations

import numpy as np
import pytest

import savedmodel as tf
from savedmodel.framework import array_ops
from savedmodel.framework.graph import Graph

REPR_VALUES = [
    3.0, [1.0, 2.0], [[1, 2], [3, 4]], True, [True, False], "abc", ["a", "b"],
    np.zeros((3, 4), np.float32), np.arange(2000, dtype=np.int64), 7, np.float64(2.5),
    np.zeros((), np.float16), 1e-8, [1.5, 1e10],
]  # fmt: skip


def _reprs(tf):  # noqa: ANN001, ANN202
    return [repr(tf.Variable(v, name="v")) for v in REPR_VALUES]


def _programs(tf):  # noqa: ANN001, ANN202 - the same code for TensorFlow and savedmodel
    out = {}
    w = tf.Variable(2.5, name="w")
    seen = []

    @tf.function
    def traced():
        try:
            w.numpy()
        except NotImplementedError as e:
            seen.append(str(e))
        seen.append(repr(w))
        as_int = tf.cast(w, tf.int32)
        same = tf.cast(w, tf.float32)
        return {
            "int": as_int,
            "same": same + 0.0,
            "shape": tf.shape(w),
            "zeros": tf.zeros_like(w),
            "mul": tf.multiply(w, 2.0),
            "where": tf.where(w > 1.0, w, 0.0),
        }

    result = traced()
    out["traced"] = {k: [str(np.asarray(v).dtype), np.asarray(v).tolist()]
                     for k, v in sorted(result.items())}  # fmt: skip
    out["seen"] = seen
    out["eager_cast"] = np.asarray(tf.cast(w, tf.int32)).tolist()
    return out


def test_repr_matches_tensorflow() -> None:
    got = _reprs(tf)
    assert got[0] == "<tf.Variable 'v:0' shape=() dtype=float32, numpy=3.0>"
    assert got[3] == "<tf.Variable 'v:0' shape=() dtype=bool, numpy=True>"
    assert got[5] == "<tf.Variable 'v:0' shape=() dtype=string, numpy=b'abc'>"
    assert got[6] == (
        "<tf.Variable 'v:0' shape=(2,) dtype=string, numpy=array([b'a', b'b'], dtype=object)>"
    )
    assert got[2] == (
        "<tf.Variable 'v:0' shape=(2, 2) dtype=int32, numpy=\narray([[1, 2],\n       [3, 4]],"
        " dtype=int32)>"
    )
    assert got[12] == "<tf.Variable 'v:0' shape=() dtype=float32, numpy=9.99999993922529e-09>"


def test_variables_read_while_tracing() -> None:
    out = _programs(tf)
    assert out["seen"] == [
        "numpy() is only available when eager execution is enabled.",
        "<tf.Variable 'w:0' shape=() dtype=float32>",
    ]
    assert out["traced"] == {
        "int": ["int32", 2],
        "mul": ["float32", 5.0],
        "same": ["float32", 2.5],
        "shape": ["int32", []],
        "where": ["float32", 2.5],
        "zeros": ["float32", 0.0],
    }
    assert out["eager_cast"] == 2


def test_cast_of_variable_reads_it_in_the_trace() -> None:
    v = tf.Variable([1.5, -2.5], name="v")

    @tf.function
    def f():
        return tf.cast(v, tf.int32)

    graph = f.get_concrete_function().graph
    ops = [(op.type, [t.op.type for t in op.inputs]) for op in graph.get_operations()]
    assert ("Cast", ["ReadVariableOp"]) in ops
    assert ("ReadVariableOp", ["Placeholder"]) in ops
    np.testing.assert_array_equal(f(), np.array([1, -2], np.int32))


def test_graph_mode_variable_has_no_numpy() -> None:
    with Graph().as_default():
        v = tf.Variable(1.0, name="gv")
        assert repr(v) == "<tf.Variable 'gv:0' shape=() dtype=float32>"
        with pytest.raises(NotImplementedError, match="only available when eager"):
            v.numpy()
        with pytest.raises(NotImplementedError):
            np.asarray(v)
        assert tf.cast(v, tf.int32).op.inputs[0].op.type == "ReadVariableOp"


class _CapturingGraph(Graph):
    """A graph with a `capture` method: the framework hands it outside resource handles."""

    def __init__(self) -> None:
        super().__init__()
        self.captured: list[tuple[object, str | None]] = []

    def capture(self, value: object, name: str | None = None):  # noqa: ANN201
        self.captured.append((value, name))
        with self.as_default():
            return array_ops.placeholder(tf.resource, [], name=name or "capture")


def test_capture_hook_receives_eager_handles() -> None:
    v = tf.Variable(4.0, name="hooked")
    graph = _CapturingGraph()
    with graph.as_default():
        read = tf.raw_ops.ReadVariableOp(resource=v.handle, dtype=tf.float32)
        plain = tf.constant(np.float32(1.0))  # a numpy value is a Const, never a capture
    assert [value for value, _ in graph.captured] == [v.handle]
    assert read.op.inputs[0].op.type == "Placeholder"
    assert plain.op.type == "Const"


def test_plain_graph_has_no_capture_hook() -> None:
    v = tf.Variable(4.0, name="nohook")
    with Graph().as_default():
        with pytest.raises(RuntimeError, match="^h: Attempting to capture an EagerTensor"):
            tf.convert_to_tensor(v.handle, name="h")


def test_function_captures_each_handle_once() -> None:
    v = tf.Variable(3.0, name="once")

    @tf.function
    def f(x):
        return v * x + v

    cf = f.get_concrete_function(tf.TensorSpec([], tf.float32))
    assert len(cf.captured_inputs) == 1
    assert cf.captured_inputs[0] is v.handle
    assert float(f(np.float32(2.0))) == 9.0


@pytest.mark.interop
def test_interop_same_as_tensorflow() -> None:
    real_tf = pytest.importorskip("tensorflow")
    assert _reprs(tf) == _reprs(real_tf)
    assert _programs(tf) == _programs(real_tf)
