"""random_ops kernels against TensorFlow's own outputs (tests/fixtures/op_cases/random_ops.*).

Every case must match exactly: the kernels reproduce TensorFlow's Philox streams and its float
conversions bit for bit (stateful ops: the first run of a fresh kernel). Normal samples go through
the C library's logf/sincosf, as TensorFlow's do: the fixtures were made on Linux (glibc).
"""

from __future__ import annotations

import ml_dtypes
import numpy as np
import pytest
from op_cases import load, run

import savedmodel.ops.all  # noqa: F401  (the executor test below runs other families too)
import savedmodel.ops.random_ops  # noqa: F401  (registers the family)
from savedmodel import protos
from savedmodel.executor import Session
from savedmodel.graph import Graph
from savedmodel.ops import registry

TOLERANCES: dict = {}

CASES = load("random_ops")


@pytest.mark.parametrize("case", CASES)
def test_random_op_matches_tensorflow(case):
    run(case, TOLERANCES)


# -- live against TensorFlow: long streams and repeated runs ----------------------------------


@pytest.fixture(scope="module")
def tf():
    return pytest.importorskip("tensorflow")


def _bits(a):
    a = np.asarray(a)
    return a.dtype.name, a.shape, a.tobytes()


@pytest.mark.interop
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_long_normal_streams_match_tensorflow(tf, dtype):
    # Long enough to meet many of the C library's misrounded logf/sincosf (log/sin/cos) values.
    n = 60_000 if dtype == "float64" else 40_000
    shape, seed = np.array([n], np.int32), np.array([20260, -3], np.int64)
    for op in ["StatelessRandomNormal", "StatelessTruncatedNormal", "StatelessRandomUniform"]:
        theirs = getattr(tf.raw_ops, op)(shape=shape, seed=seed, dtype=dtype).numpy()
        ours = registry.lookup(op).fn(shape, seed, dtype=_dtype(dtype))
        assert _bits(ours) == _bits(theirs), op


def _dtype(name):
    return np.dtype(ml_dtypes.bfloat16) if name == "bfloat16" else np.dtype(name)


@pytest.mark.interop
def test_graph_runs_match_tensorflow_run_after_run(tf):
    # Stateful kernels move on between runs; stateless ones repeat (through our executor).
    graph = tf.Graph()
    with graph.as_default():
        shape = tf.compat.v1.placeholder(tf.int32, [None], name="shape")
        fetches = [
            tf.raw_ops.RandomUniform(shape=shape, dtype=tf.float32, seed=1, seed2=2),
            tf.raw_ops.RandomUniform(shape=shape, dtype=tf.float64, seed=1, seed2=3),
            tf.raw_ops.RandomStandardNormal(shape=shape, dtype=tf.float32, seed=4, seed2=5),
            tf.raw_ops.TruncatedNormal(shape=shape, dtype=tf.float16, seed=-6, seed2=7),
            tf.raw_ops.RandomUniformInt(shape=shape, minval=-9, maxval=99, seed=8, seed2=9),
            tf.random.stateless_normal(shape, seed=[10, 11]),
            tf.random.stateless_uniform(shape, seed=[12, 13], minval=0, maxval=7, dtype=tf.int64),
            tf.random.stateless_truncated_normal(shape, seed=[14, 15], dtype=tf.float64),
        ]
    feeds = [[5], [3, 4], [1]]
    with tf.compat.v1.Session(graph=graph) as sess:
        theirs = [sess.run(fetches, {shape: f}) for f in feeds]
    ours_graph = Graph.from_graph_def(
        protos.GraphDef.FromString(graph.as_graph_def().SerializeToString())
    )
    session = Session(ours_graph)
    names = [t.name for t in fetches]
    for feed, expected in zip(feeds, theirs, strict=True):
        got = session.run(names, {"shape:0": np.array(feed, np.int32)})
        for name, a, b in zip(names, got, expected, strict=True):
            assert _bits(a) == _bits(b), (name, feed)
