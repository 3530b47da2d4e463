"""TF1 control flow (Switch/Merge/Enter/Exit/NextIteration/LoopCond...) in the dataflow executor.

Interop tests build graphs with TensorFlow itself (`tf.compat.v1`, control flow v2 disabled: the
graphs `tf.cond` / `tf.while_loop` made before TF2) and compare TensorFlow's Session with ours on
the same GraphDef. The tests without TensorFlow use small hand-made GraphDefs for what TensorFlow's
Python API does not build by itself (ref variants, ControlTrigger, dead fetches, errors).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from _executor_graphs import F32, I32, Shape, const, node, placeholder, session

import savedmodel
from savedmodel import errors, protos
from savedmodel.executor import Session
from savedmodel.graph import Graph

BOOL = np.dtype(bool)
FIXTURE = Path(__file__).parent / "fixtures" / "tf1_control_flow"


def const_after(name: str, value, dtype, control: str) -> object:
    """A Const with a control input (how TF1 puts constants inside a branch or loop body)."""
    nd = const(name, value, dtype)
    nd.input.append(f"^{control}")
    return nd


# -- graphs made by TensorFlow ------------------------------------------------------------------


def _compare(tf, build, feed_sets, fetches, init=None):
    """Build a graph with `build(tf)`, run it in TF and in our executor, compare every fetch."""
    graph = tf.Graph()
    with graph.as_default():
        build(tf)
        init_op = tf.compat.v1.global_variables_initializer() if init else None
    graph_def = protos.GraphDef.FromString(graph.as_graph_def().SerializeToString())
    ops = {n.op for n in graph_def.node}
    assert ops & {"Switch", "Merge"}, "the graph should use TF1 control flow"
    ours = Session(Graph.from_graph_def(graph_def))
    with tf.compat.v1.Session(graph=graph) as sess:
        for feeds in feed_sets:
            if init_op is not None:
                sess.run(init_op)
                ours.run(targets=[init_op.name])
            want = sess.run(fetches, feeds)
            if init_op is not None:  # fresh variables for our run too
                sess.run(init_op)
            got = ours.run(fetches, feeds)
            for name, w, g in zip(fetches, want, got, strict=True):
                w = np.asarray(w)
                assert g.dtype == w.dtype and g.shape == w.shape, (name, feeds)
                np.testing.assert_array_equal(g, w, err_msg=f"{name} with {feeds}")
    return ops


@pytest.mark.interop
def test_cond_both_branches(tf1):
    def build(tf):
        x = tf.compat.v1.placeholder(tf.float32, [None], name="x")
        pred = tf.reduce_sum(x) > 0
        # A branch output with a Const inside the branch (it hangs off the branch's pivot).
        y = tf.cond(pred, lambda: x * 2.0 + 1.0, lambda: tf.zeros_like(x) - 5.0)
        tf.identity(y, name="y")

    feeds = [{"x:0": [1.0, 2.0]}, {"x:0": [-3.0, 1.0]}, {"x:0": np.zeros(0, np.float32)}]
    _compare(tf1, build, feeds, ["y:0"])


@pytest.mark.interop
def test_nested_conds_and_case(tf1):
    def build(tf):
        x = tf.compat.v1.placeholder(tf.int32, [], name="x")
        inner = lambda: tf.cond(x > 10, lambda: x * 100, lambda: x * 10)  # noqa: E731
        tf.identity(tf.cond(x > 0, inner, lambda: -x), name="nested")
        branches = [(tf.equal(x, 1), lambda: tf.constant(11)), (tf.equal(x, 2), lambda: x + 20)]
        tf.identity(tf.case(branches, default=lambda: tf.constant(-1)), name="case_out")

    feeds = [{"x:0": v} for v in (-4, 1, 2, 11, 5)]
    _compare(tf1, build, feeds, ["nested:0", "case_out:0"])


@pytest.mark.interop
def test_while_loop_with_invariant_and_zero_iterations(tf1):
    def build(tf):
        n = tf.compat.v1.placeholder(tf.int32, [], name="n")
        factor = tf.constant(3.0, name="factor")  # captured: enters as a loop invariant

        def body(i, acc, history):
            return i + 1, acc * factor, tf.concat([history, [acc]], 0)

        i, acc, history = tf.while_loop(
            lambda i, acc, h: i < n,
            body,
            [tf.constant(0), tf.constant(1.0), tf.zeros([0])],
            shape_invariants=[tf.TensorShape([]), tf.TensorShape([]), tf.TensorShape([None])],
        )
        tf.identity(i, name="i")
        tf.identity(acc, name="acc")
        tf.identity(history, name="history")

    ops = _compare(tf1, build, [{"n:0": 4}, {"n:0": 0}, {"n:0": 1}], ["i:0", "acc:0", "history:0"])
    assert {"Enter", "Exit", "NextIteration", "LoopCond"} <= ops


@pytest.mark.interop
def test_nested_loops_with_a_cond_inside(tf1):
    def build(tf):
        n = tf.compat.v1.placeholder(tf.int32, [], name="n")

        def outer_body(i, total):
            # The inner loop's trip count depends on the outer loop variable.
            _, s = tf.while_loop(lambda j, s: j < i, lambda j, s: (j + 1, s + j), [0, 0])
            return i + 1, total + tf.cond(s > 3, lambda: s * 10, lambda: s)

        _, total = tf.while_loop(lambda i, t: i < n, outer_body, [0, 0])
        tf.identity(total, name="total")

    _compare(tf1, build, [{"n:0": v} for v in (0, 1, 3, 7)], ["total:0"])


@pytest.mark.interop
def test_loop_inside_an_untaken_cond_branch(tf1):
    def build(tf):
        x = tf.compat.v1.placeholder(tf.float32, [], name="x")

        def loop():
            return tf.while_loop(lambda v: v < 100.0, lambda v: [v * 2.0], [tf.abs(x) + 1.0])[0]

        # Not taken, the loop's Exit is dead: its frame ends and the Merge sees the dead value.
        tf.identity(tf.cond(x > 0, loop, lambda: x - 1.0), name="y")
        tf.identity(tf.cond(x > 0, lambda: x, loop), name="z")

    _compare(tf1, build, [{"x:0": 3.0}, {"x:0": -3.0}, {"x:0": 0.0}], ["y:0", "z:0"])


@pytest.mark.interop
@pytest.mark.parametrize("use_resource", [True, False])
def test_loop_reading_and_updating_variables(tf1, use_resource):
    def build(tf):
        n = tf.compat.v1.placeholder(tf.int32, [], name="n")
        w = tf.compat.v1.Variable([1.0, 2.0], name="w", use_resource=use_resource)
        counter = tf.compat.v1.Variable(0.0, name="counter", use_resource=use_resource)

        def body(i, acc):
            with tf.control_dependencies([counter.assign_add(1.0)]):
                return i + 1, acc + w * tf.cast(i, tf.float32)

        _, acc = tf.while_loop(lambda i, acc: i < n, body, [0, tf.zeros([2])])
        with tf.control_dependencies([acc]):
            tf.identity(counter.read_value(), name="count")
        tf.identity(acc, name="acc")

    feeds = [{"n:0": 4}, {"n:0": 0}]
    _compare(tf1, build, feeds, ["acc:0", "count:0"], init=True)


@pytest.mark.interop
def test_while_loop_with_maximum_iterations_and_parallel_iterations_1(tf1):
    def build(tf):
        x = tf.compat.v1.placeholder(tf.float32, [2], name="x")
        r = tf.while_loop(
            lambda v: tf.reduce_sum(v) < 1e6,
            lambda v: [v * 3.0 + 1.0],
            [x],
            maximum_iterations=5,
            parallel_iterations=1,
        )
        tf.identity(r[0], name="r")

    _compare(tf1, build, [{"x:0": [1.0, 2.0]}, {"x:0": [1e7, 0.0]}], ["r:0"])


@pytest.mark.interop
def test_fetching_a_dead_tensor_is_an_error_in_both(tf1):
    tf = tf1
    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [], name="x")
        tf.raw_ops.Switch(data=x, pred=x > 0, name="sw")
    graph_def = protos.GraphDef.FromString(graph.as_graph_def().SerializeToString())
    with tf.compat.v1.Session(graph=graph) as sess:
        assert sess.run("sw:1", {"x:0": 1.0}) == 1.0
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run("sw:0", {"x:0": 1.0})
    ours = Session(Graph.from_graph_def(graph_def))
    assert ours.run("sw:1", {"x:0": 1.0}) == 1.0
    with pytest.raises(errors.InvalidArgumentError, match="sw:0 is dead"):
        ours.run("sw:0", {"x:0": 1.0})


# -- hand-made graphs (no TensorFlow) -----------------------------------------------------------


def _cond_graph(extra=()):
    """y = Merge(Switch(x, p):1 * 2, Switch(x, p):0 - 1)."""
    return [
        placeholder("x"),
        placeholder("p", BOOL),
        node("sw", "Switch", "x", "p", T=F32),
        const("two", 2.0, np.float32),
        const("one", 1.0, np.float32),
        node("t", "Mul", "sw:1", "two", T=F32),
        node("f", "Sub", "sw:0", "one", T=F32),
        node("y", "Merge", "f", "t", T=F32, N=2),
        *extra,
    ]


def test_switch_and_merge_forward_the_live_value_and_its_index():
    sess = session(_cond_graph())
    assert sess.run(["y:0", "y:1"], {"x:0": 5.0, "p:0": True}) == [10.0, 1]
    y, index = sess.run(["y:0", "y:1"], {"x:0": 5.0, "p:0": False})
    assert y == 4.0 and index == 0 and index.dtype == np.int32
    with pytest.raises(errors.InvalidArgumentError, match="must be a scalar"):
        sess.run("y:0", {"x:0": 5.0, "p:0": [True]})


def test_dead_values_skip_nodes_and_control_trigger_runs_anyway():
    sess = session(
        [
            node("v", "VarHandleOp", dtype=F32, shape=Shape(()), shared_name="v"),
            node("w", "VarHandleOp", dtype=F32, shape=Shape(()), shared_name="w"),
            *_cond_graph(),
            # Assigns on the untaken branch must not run: their inputs are dead.
            node("assign_t", "AssignVariableOp", "v", "t", dtype=F32),
            node("assign_f", "AssignVariableOp", "v", "f", dtype=F32),
            node("trigger", "ControlTrigger", "^assign_t", "^assign_f"),
            const("seven", 7.0, np.float32),
            node("after", "AssignVariableOp", "w", "seven", "^trigger", dtype=F32),
            node("read_v", "ReadVariableOp", "v", dtype=F32),
            node("read_w", "ReadVariableOp", "w", dtype=F32),
        ]
    )
    sess.run(targets=["trigger", "after"], feed_dict={"x:0": 5.0, "p:0": True})
    assert sess.run(["read_v:0", "read_w:0"]) == [10.0, 7.0]
    sess.run(targets=["assign_f"], feed_dict={"x:0": 5.0, "p:0": True})  # dead: does nothing
    assert sess.run("read_v:0") == 10.0
    sess.run(targets=["assign_f"], feed_dict={"x:0": 5.0, "p:0": False})
    assert sess.run("read_v:0") == 4.0


def _ref_loop():
    """for i in range(3): v += 1.5, the ref to the TF1 variable v carried as a loop variable."""
    return [
        node("v", "VariableV2", shape=Shape(()), dtype=F32),
        const("init", 1.5, np.float32),
        node("v/Assign", "Assign", "v", "init", T=F32),
        node("enter", "RefEnter", "v", T=F32, frame_name="loop"),
        node("ref_merge", "RefMerge", "enter", "ref_next", T=F32, N=2),
        const("start", 0, np.int32),
        node("i_enter", "Enter", "start", T=I32, frame_name="loop"),
        node("merge", "Merge", "i_enter", "next", T=I32, N=2),
        const_after("three", 3, np.int32, control="merge"),
        node("less", "Less", "merge", "three", T=I32),
        node("cond", "LoopCond", "less"),
        node("switch", "Switch", "merge", "cond", T=I32),
        node("ref_switch", "RefSwitch", "ref_merge", "cond", T=F32),
        node("pivot", "Identity", "switch:1", T=I32),
        const_after("step", 1.5, np.float32, control="pivot"),
        node("update", "AssignAdd", "ref_switch:1", "step", T=F32),  # writes through the ref
        node("ref_next", "RefNextIteration", "update", T=F32),
        const_after("one", 1, np.int32, control="pivot"),
        node("add", "AddV2", "switch:1", "one", T=I32),
        node("next", "NextIteration", "add", T=I32),
        node("exit", "Exit", "switch", T=I32),
        node("ref_exit", "RefExit", "ref_switch", T=F32),
        node("last", "Identity", "ref_exit", T=F32),  # reads the ref
        placeholder("p", BOOL),
        node("sw", "RefSwitch", "v", "p", T=F32),
        node("picked", "RefMerge", "sw:0", "sw:1", T=F32, N=2),
    ]


def test_ref_variants_pass_the_variable_through():
    sess = session(_ref_loop())
    sess.run(targets=["v/Assign"])
    assert sess.run(["exit:0", "last:0"]) == [3, 6.0]
    assert sess.run("ref_exit:0") == 10.5  # a fetched ref edge is read (after 3 more adds)
    assert sess.run(["picked:0", "picked:1"], {"p:0": True}) == [10.5, 1]


def _loop(body_op: str, frame_input: str = "limit", **body_attrs) -> list:
    """i = 0; while i < x: i = body_op(i, x)."""
    return [
        placeholder("x", I32),
        const("start", 0, np.int32),
        node("enter", "Enter", "start", T=I32, frame_name="loop"),
        node("limit", "Enter", "x", T=I32, frame_name="loop", is_constant=True),
        node("merge", "Merge", "enter", "next", T=I32, N=2),
        node("ok", "Less", "merge", frame_input, T=I32),
        node("cond", "LoopCond", "ok"),
        node("switch", "Switch", "merge", "cond", T=I32),
        node("body", body_op, "switch:1", "limit", T=I32, **body_attrs),
        node("next", "NextIteration", "body", T=I32),
        node("exit", "Exit", "switch", T=I32),
    ]


def test_loop_errors_name_the_node_and_bad_frames_are_reported():
    sess = session(_loop("AddV2"))
    assert sess.run("exit:0", {"x:0": 3}) == 3
    assert sess.run("exit:0", {"x:0": -1}) == 0
    with pytest.raises(errors.InvalidArgumentError, match="inside the while loop frame 'loop'"):
        sess.run("body:0", {"x:0": 3})
    sess = session(_loop("Fill", index_type=I32))  # Fill(dims=i) fails: i is not a vector
    assert sess.run("exit:0", {"x:0": 0}) == 0  # no iteration, no error
    with pytest.raises(errors.InvalidArgumentError) as info:
        sess.run("exit:0", {"x:0": 2})
    assert info.value.node_name == "body" and info.value.op_type == "Fill"
    # The loop reads x without an Enter: TF rejects such a graph, and so do we.
    sess = session(_loop("AddV2", frame_input="x"))
    with pytest.raises(errors.InvalidArgumentError, match="inputs from different frames"):
        sess.run("exit:0", {"x:0": 3})


def test_plans_with_control_flow_run_many_times_and_feed_inside_cuts():
    sess = session(_cond_graph())
    for x, p, want in [(1.0, True, 2.0), (1.0, False, 0.0), (3.0, True, 6.0)]:
        assert sess.run("y:0", {"x:0": x, "p:0": p}) == want
    # A fed Switch output replaces it: Mul gets 8.0 while the other output stays dead.
    assert sess.run("y:0", {"x:0": 1.0, "p:0": True, "sw:1": 8.0}) == 16.0


# -- a TF1 SavedModel with v1 cond and while_loop (committed fixture) -------------------------


def test_tf1_control_flow_saved_model_runs_like_tensorflow():
    meta = json.loads((FIXTURE / "expected.json").read_text())
    assert {"Switch", "Merge", "Enter", "Exit", "NextIteration", "LoopCond"} <= set(meta["ops"])
    signature = savedmodel.load(FIXTURE / "model").signatures[meta["signature"]]

    def array(stored: dict) -> np.ndarray:
        return np.array(stored["value"], dtype=stored["dtype"]).reshape(stored["shape"])

    for case, io in meta["cases"].items():
        got = signature(**{k: array(v) for k, v in io["inputs"].items()})
        assert sorted(got) == sorted(io["outputs"])
        for name, stored in io["outputs"].items():
            want = array(stored)
            assert got[name].dtype == want.dtype and got[name].shape == want.shape
            np.testing.assert_array_equal(got[name], want, err_msg=f"{case}: {name}")
