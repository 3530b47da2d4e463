"""TF1 TensorArray ops (ops/tensor_array_ops.py).

Kernel-level tests of the TensorArray semantics (dynamic size, clear_after_read, element shapes,
errors), and live interop tests: TF1 graphs (v1 control flow) holding tf.TensorArray loops,
dynamic_rnn, map_fn and scan, run in TensorFlow and in our executor on the same GraphDef.
"""

from __future__ import annotations

import gc
import re

import numpy as np
import pytest

from savedmodel import errors, protos
from savedmodel.executor import Session
from savedmodel.graph import Graph
from savedmodel.ops import tensor_array_ops as ta_ops


class Ctx:
    def __init__(self) -> None:
        self.resources: dict = {}


F32 = np.dtype(np.float32)


def _new(ctx, size, **attrs):
    handle, flow = ta_ops.tensor_array_v3(np.array(size, np.int32), dtype=F32, ctx=ctx, **attrs)
    return handle, flow


def _i(v: int) -> np.ndarray:
    return np.array(v, np.int32)


def test_write_read_stack_and_clear_after_read():
    ctx = Ctx()
    h, flow = _new(ctx, 2)
    for i in range(2):
        flow = ta_ops.tensor_array_write_v3(h, _i(i), np.full(3, i, np.float32), flow, ctx=ctx)
    got = ta_ops.tensor_array_gather_v3(h, np.arange(2, dtype=np.int32), flow, dtype=F32, ctx=ctx)
    np.testing.assert_array_equal(got, [[0, 0, 0], [1, 1, 1]])
    with pytest.raises(errors.InvalidArgumentError, match="cleared after a previous read"):
        ta_ops.tensor_array_read_v3(h, _i(0), flow, dtype=F32, ctx=ctx)
    with pytest.raises(errors.InvalidArgumentError, match="already been read"):
        ta_ops.tensor_array_write_v3(h, _i(0), np.zeros(3, np.float32), flow, ctx=ctx)


def test_fixed_size_errors_and_dynamic_growth():
    ctx = Ctx()
    h, flow = _new(ctx, 1)
    with pytest.raises(errors.InvalidArgumentError, match="not resizeable and size is: 1"):
        ta_ops.tensor_array_write_v3(h, _i(1), np.zeros(2, np.float32), flow, ctx=ctx)
    ta_ops.tensor_array_write_v3(h, _i(0), np.zeros(2, np.float32), flow, ctx=ctx)
    with pytest.raises(errors.InvalidArgumentError, match="already been written"):
        ta_ops.tensor_array_write_v3(h, _i(0), np.zeros(2, np.float32), flow, ctx=ctx)
    with pytest.raises(errors.InvalidArgumentError, match="dtype"):
        ta_ops.tensor_array_write_v3(h, _i(0), np.zeros(2, np.int32), flow, ctx=ctx)
    d, flow = _new(ctx, 0, dynamic_size=True)
    ta_ops.tensor_array_write_v3(d, _i(4), np.ones(2, np.float32), flow, ctx=ctx)
    assert int(ta_ops.tensor_array_size_v3(d, flow, ctx=ctx)) == 5


def test_element_shape_and_unwritten_reads():
    ctx = Ctx()
    h, flow = _new(ctx, 2, element_shape=(2,))
    with pytest.raises(errors.InvalidArgumentError, match="incompatible"):
        ta_ops.tensor_array_write_v3(h, _i(0), np.zeros(3, np.float32), flow, ctx=ctx)
    # Unwritten with a fully defined element shape: zeros, as in TF.
    got = ta_ops.tensor_array_read_v3(h, _i(1), flow, dtype=F32, ctx=ctx)
    np.testing.assert_array_equal(got, np.zeros(2, np.float32))
    u, flow = _new(ctx, 1)
    with pytest.raises(errors.InvalidArgumentError, match="not fully defined"):
        ta_ops.tensor_array_read_v3(u, _i(0), flow, dtype=F32, ctx=ctx)
    with pytest.raises(errors.InvalidArgumentError, match="array size is: 1"):
        ta_ops.tensor_array_read_v3(u, _i(3), flow, dtype=F32, ctx=ctx)


def test_scatter_split_concat_close_and_release():
    ctx = Ctx()
    h, flow = _new(ctx, 2, clear_after_read=False)
    value = np.arange(6, dtype=np.float32).reshape(3, 2)
    ta_ops.tensor_array_split_v3(h, value, np.array([1, 2], np.int64), flow, ctx=ctx)
    out, lengths = ta_ops.tensor_array_concat_v3(h, flow, dtype=F32, ctx=ctx)
    np.testing.assert_array_equal(out, value)
    np.testing.assert_array_equal(lengths, [1, 2])
    s, flow = _new(ctx, 3)
    ta_ops.tensor_array_scatter_v3(s, np.array([2, 0], np.int32), value[:2], flow, ctx=ctx)
    np.testing.assert_array_equal(
        ta_ops.tensor_array_read_v3(s, _i(2), flow, dtype=F32, ctx=ctx), value[0]
    )
    ta_ops.tensor_array_close_v3(s, ctx=ctx)
    with pytest.raises(errors.NotFoundError):
        ta_ops.tensor_array_size_v3(s, flow, ctx=ctx)
    # An array lives as long as its handle: nothing accumulates in the resources.
    del h, s, out
    gc.collect()
    assert not ctx.resources


# -- live interop: TF1 graphs ----------------------------------------------------------------


def _compare(tf, build, feeds, rtol=0.0):
    graph = tf.Graph()
    with graph.as_default():
        fetches = build(tf)
        init = tf.compat.v1.global_variables_initializer()
    graph_def = protos.GraphDef.FromString(graph.as_graph_def().SerializeToString())
    ops = {n.op for n in graph_def.node}
    assert "TensorArrayV3" in ops and "Switch" in ops, sorted(ops)
    names = [t.name for t in fetches]
    ours = Session(Graph.from_graph_def(graph_def))
    with tf.compat.v1.Session(graph=graph) as sess:
        sess.run(init)
        want = sess.run(names, feeds)
    ours.run(targets=[init.name])
    for _ in range(2):  # a second run gets fresh arrays
        got = ours.run(names, feeds)
        for name, w, g in zip(names, want, got, strict=True):
            assert g.dtype == w.dtype and g.shape == w.shape, name
            np.testing.assert_allclose(g, w, rtol=rtol, atol=rtol, err_msg=name)
    return ops


@pytest.mark.interop
def test_tensor_array_in_while_loop_stacked(tf1):
    def build(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="x")
        n = tf.shape(x)[0]
        ta = tf.TensorArray(tf.float32, size=n)

        def body(i, ta):
            return i + 1, ta.write(i, x[i] * tf.cast(i, tf.float32))

        _, ta = tf.compat.v1.while_loop(lambda i, _: i < n, body, [0, ta])
        dyn = tf.TensorArray(
            tf.float32, size=0, dynamic_size=True, clear_after_read=False, infer_shape=False
        )
        _, dyn = tf.compat.v1.while_loop(
            lambda i, _: i < 4, lambda i, t: (i + 1, t.write(i, tf.fill([i + 1], 1.0))), [0, dyn]
        )
        un = tf.TensorArray(tf.float32, size=n).unstack(x)
        return [ta.stack(), dyn.concat(), dyn.size(), un.read(1), un.gather([0])]

    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    _compare(tf1, build, {"x:0": x})


class _TinyCell:
    """A duck-typed RNN cell (Keras 3 has no tf.compat.v1 cells): h' = tanh(x W + h U)."""

    def __init__(self, tf, inputs: int, units: int) -> None:
        rng = np.random.default_rng(1)
        self.tf = tf
        self.state_size = self.output_size = units
        self.w = tf.constant(rng.standard_normal((inputs, units)).astype(np.float32))
        self.u = tf.constant(rng.standard_normal((units, units)).astype(np.float32) * 0.5)

    def zero_state(self, batch_size, dtype):
        return self.tf.zeros([batch_size, self.state_size], dtype)

    def __call__(self, x, h, scope=None):
        h = self.tf.tanh(self.tf.matmul(x, self.w) + self.tf.matmul(h, self.u))
        return h, h


@pytest.mark.interop
def test_dynamic_rnn_map_fn_scan(tf1):
    def build(tf):
        tf.compat.v1.set_random_seed(1)
        x = tf.compat.v1.placeholder(tf.float32, [2, 5, 3], name="x")
        lens = tf.compat.v1.placeholder(tf.int32, [2], name="lens")
        cell = _TinyCell(tf, 3, 4)
        out, state = tf.compat.v1.nn.dynamic_rnn(cell, x, sequence_length=lens, dtype=tf.float32)
        mapped = tf.map_fn(lambda r: tf.reduce_sum(r, axis=0), x)
        scanned = tf.scan(lambda acc, r: acc + r, tf.transpose(x, [1, 0, 2]))
        return [out, state, mapped, scanned]

    x = np.random.default_rng(0).standard_normal((2, 5, 3)).astype(np.float32)
    _compare(tf1, build, {"x:0": x, "lens:0": np.array([5, 3], np.int32)}, rtol=1e-6)


@pytest.mark.interop
@pytest.mark.parametrize("case", ["shape", "read_twice", "out_of_range"])
def test_error_messages_match_tf(tf1, case):
    tf = tf1
    graph = tf.Graph()
    with graph.as_default():
        if case == "shape":
            dyn = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
            _, dyn = tf.compat.v1.while_loop(
                lambda i, _: i < 3,
                lambda i, t: (i + 1, t.write(i, tf.fill([i + 1], 1.0))),
                [0, dyn],
            )
            fetch = dyn.stack()
        else:
            ta = tf.TensorArray(tf.float32, size=2).unstack(tf.ones([2, 3]))
            fetch = ta.read(0) + ta.read(0) if case == "read_twice" else ta.read(5)
    graph_def = protos.GraphDef.FromString(graph.as_graph_def().SerializeToString())
    with tf.compat.v1.Session(graph=graph) as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as theirs:
            sess.run(fetch)
    with pytest.raises(errors.InvalidArgumentError) as ours:
        Session(Graph.from_graph_def(graph_def)).run([fetch.name])
    # TF names its arrays after the node and a per-step id, we after a run counter.
    want = re.search(r"\nNode: [^\n]*\n([^\n]*)", theirs.value.message).group(1)
    got = str(ours.value).split("\n")[0]
    prefix = r"^TensorArray \S+: "
    assert re.match(prefix, got) is not None or re.match(prefix, want) is None, got
    assert re.sub(prefix, "", got) == re.sub(prefix, "", want)
