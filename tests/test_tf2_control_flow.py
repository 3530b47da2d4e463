"""`tf.cond`, `tf.while_loop`, `tf.case`, `tf.switch_case`: eager, traced (If/While/Case ops with
branch FunctionDefs) and in TF1 graphs run by a Session.

`_programs` runs with `tf` bound to TensorFlow or to savedmodel; the interop tests compare the
two and check that TensorFlow imports and runs our graphs and loads what we save. The other tests
check savedmodel against the values TensorFlow 2.21 gives (stored inline).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import savedmodel as tf
import savedmodel.compat.v1 as tf1


def _plain(x):  # noqa: ANN001, ANN202 - either library's values as plain Python data
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in sorted(x.items())}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    arr = np.asarray(x.numpy() if hasattr(x, "numpy") else x)
    return [str(arr.dtype), arr.tolist()]


def _module(tf):  # noqa: ANN001, ANN202 - the same module in TensorFlow and savedmodel
    class Flow(tf.Module):
        def __init__(self) -> None:
            super().__init__()
            self.v = tf.Variable(1.5, name="v")
            self.count = tf.Variable(0, name="count")

        @tf.function(input_signature=[tf.TensorSpec([], tf.float32), tf.TensorSpec([], tf.int32)])
        def __call__(self, x, n):
            y = tf.cond(x > 0, lambda: x * 2.0, lambda: x - self.v)
            i, acc = tf.while_loop(lambda i, a: i < n, lambda i, a: (i + 1, a + y), [0, 0.0])
            z = tf.switch_case(n, [lambda: x, lambda: x + 1.0, lambda: x * self.v])
            return {"y": y, "acc": acc, "i": i, "z": z}

        @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
        def nested(self, xs):
            def body(i, total):
                xi = xs[i]
                step = tf.cond(xi > 0, lambda: tf.where(xi > 2.0, xi * xi, xi), lambda: -xi)
                return i + 1, total + step

            _, total = tf.while_loop(lambda i, t: i < tf.shape(xs)[0], body, (0, 0.0))
            bounded = tf.while_loop(lambda k: k < 100, lambda k: k * 2 + 1, [1],
                                    maximum_iterations=3)  # fmt: skip
            picked = tf.case([(total > 10.0, lambda: total - 10.0), (total > 5.0, lambda: total)],
                             default=lambda: tf.constant(-1.0))  # fmt: skip
            return total, bounded, picked

        @tf.function(input_signature=[tf.TensorSpec([], tf.bool)])
        def bump(self, flag):
            def yes():
                self.count.assign_add(1)
                return self.count.read_value()

            return tf.cond(flag, yes, lambda: self.count.read_value())

    return Flow()


CALL_INPUTS = [(3.0, 2), (-3.0, 1), (-3.0, 7), (0.5, 0)]
NESTED_INPUTS = [[1.0, -2.0, 3.0], [4.0, 4.0], [], [0.5]]


def _programs(tf):  # noqa: ANN001, ANN202
    m = _module(tf)
    out = {}
    out["call"] = [_plain(m(np.float32(x), np.int32(n))) for x, n in CALL_INPUTS]
    out["nested"] = [_plain(m.nested(np.asarray(xs, np.float32))) for xs in NESTED_INPUTS]
    out["bump"] = [_plain(m.bump(flag)) for flag in (True, True, False, True)]
    # executing eagerly: Python control flow, same results
    out["eager"] = _plain([
        tf.cond(tf.constant(2.0) > 1.0, lambda: tf.constant(1), lambda: tf.constant(2)),
        tf.while_loop(lambda i, s: i < 5, lambda i, s: (i + 1, s + i), [0, 0]),
        tf.while_loop(lambda i: i < 50, lambda i: [i + 7], [1], maximum_iterations=3),
        tf.switch_case(tf.constant(1), [lambda: 10, lambda: 11, lambda: 12]),
        tf.switch_case(tf.constant(9), {0: lambda: 10, 1: lambda: 11}, default=lambda: 99),
        tf.case([(tf.constant(False), lambda: 1), (tf.constant(True), lambda: 2)],
                default=lambda: 3),
    ])  # fmt: skip
    return out


EXPECTED = {
    "call": [
        {"acc": ["float32", 12.0], "i": ["int32", 2], "y": ["float32", 6.0],
         "z": ["float32", 4.5]},
        {"acc": ["float32", -4.5], "i": ["int32", 1], "y": ["float32", -4.5],
         "z": ["float32", -2.0]},
        {"acc": ["float32", -31.5], "i": ["int32", 7], "y": ["float32", -4.5],
         "z": ["float32", -4.5]},
        {"acc": ["float32", 0.0], "i": ["int32", 0], "y": ["float32", 1.0],
         "z": ["float32", 0.5]},
    ],
    "nested": [
        [["float32", 12.0], [["int32", 15]], ["float32", 2.0]],
        [["float32", 32.0], [["int32", 15]], ["float32", 22.0]],
        [["float32", 0.0], [["int32", 15]], ["float32", -1.0]],
        [["float32", 0.5], [["int32", 15]], ["float32", -1.0]],
    ],
    "bump": [["int32", 1], ["int32", 2], ["int32", 2], ["int32", 3]],
    "eager": [["int32", 1], [["int32", 5], ["int32", 10]], [["int32", 22]], ["int64", 11],
              ["int64", 99], ["int64", 2]],
}  # fmt: skip


def test_programs_give_tensorflows_values() -> None:
    assert _programs(tf) == EXPECTED


def _op_types(fdef) -> list[str]:  # noqa: ANN001
    return [n.op for n in fdef.node_def]


def test_traced_ops_and_branch_functions() -> None:
    m = _module(tf)
    cf = m.__call__.get_concrete_function()
    ops = _op_types(cf.function_def)
    assert "If" in ops  # the false branch reads a variable: stateful
    assert "StatelessWhile" in ops and "Case" in ops
    fdefs = cf.function_defs
    node = {n.name: n for n in cf.function_def.node_def}
    if_node, while_node = node["cond"], node["while"]
    then_name = if_node.attr["then_branch"].func.name
    else_name = if_node.attr["else_branch"].func.name
    assert then_name.startswith("cond_true_") and else_name.startswith("cond_false_")
    # both branches take the same inputs: x and the variable's handle (unused by the true one)
    for name in (then_name, else_name):
        assert [a.type for a in fdefs[name].signature.input_arg] == [1, 20]
    assert not fdefs[then_name].signature.is_stateful
    assert fdefs[else_name].signature.is_stateful
    assert list(if_node.attr["_read_only_resource_inputs"].list.i) == [2]
    assert if_node.attr["_lower_using_switch_merge"].b
    # While state: counter, maximum, the two loop variables, then the captured n and y
    assert len(while_node.input) == 6
    body = fdefs[while_node.attr["body"].func.name]
    cond_fn = fdefs[while_node.attr["cond"].func.name]
    assert len(body.signature.input_arg) == len(body.signature.output_arg) == 6
    assert len(cond_fn.signature.input_arg) == 6 and len(cond_fn.signature.output_arg) == 1
    # the captured values pass through the body unchanged
    passed = [body.ret[a.name] for a in body.signature.output_arg[4:]]
    assert passed == [a.name for a in body.signature.input_arg[4:]]
    assert while_node.attr["_num_original_outputs"].i == 6
    case_node = node["switch_case/indexed_case"]
    assert len(case_node.attr["branches"].list.func) == 3


def test_stateless_cond_and_nested_functions() -> None:
    @tf.function(input_signature=[tf.TensorSpec([], tf.float32)])
    def f(x):
        def outer_true():
            return tf.cond(x > 5.0, lambda: x * 10.0, lambda: x + 100.0)

        return tf.cond(x > 0, outer_true, lambda: -x)

    ops = _op_types(f.get_concrete_function().function_def)
    assert ops.count("StatelessIf") == 1
    assert [float(f(np.float32(v))) for v in (6.0, 1.0, -2.0)] == [60.0, 101.0, 2.0]


def test_tf1_graph_and_session() -> None:
    with tf.Graph().as_default() as g:
        x = tf1.placeholder(tf.float32, [], name="x")
        n = tf1.placeholder(tf.int32, [], name="n")
        y = tf1.cond(x > 0, lambda: x * 2.0, lambda: -x)
        one = tf1.cond(x > 0, lambda: [x], lambda: [x + 1.0])  # unpacked (not strict)
        total = tf1.while_loop(lambda i, s: i < n, lambda i, s: (i + 1, s + y), [0, 0.0])
        lone = tf1.while_loop(lambda i: i < n, lambda i: i + 2, [0])  # a lone variable
        pick = tf.switch_case(n, [lambda: x, lambda: x * x])
        assert isinstance(one, tf.Tensor) and isinstance(lone, tf.Tensor)
        assert {op.type for op in g.get_operations()} >= {"StatelessIf", "StatelessWhile",
                                                           "StatelessCase"}  # fmt: skip
        with tf1.Session(graph=g) as sess:
            got = sess.run([y, one, total, lone, pick], {x: 3.0, n: 1})
    assert _plain(got) == [["float32", 6.0], ["float32", 3.0], [["int32", 1], ["float32", 6.0]],
                           ["int32", 2], ["float32", 9.0]]  # fmt: skip


def test_errors() -> None:
    @tf.function(input_signature=[tf.TensorSpec([], tf.float32)])
    def mismatch(x):
        return tf.cond(x > 0, lambda: (x, x), lambda: x)

    with pytest.raises(ValueError, match="same number, type, and overall structure"):
        mismatch.get_concrete_function()

    @tf.function(input_signature=[tf.TensorSpec([], tf.float32)])
    def dtypes_differ(x):
        return tf.cond(x > 0, lambda: x, lambda: tf.constant(1))

    with pytest.raises(TypeError, match="same dtypes"):
        dtypes_differ.get_concrete_function()

    @tf.function(input_signature=[tf.TensorSpec([2], tf.float32)])
    def grows(x):
        return tf.while_loop(lambda v: tf.shape(v)[0] < 8, lambda v: tf.concat([v, v], 0), [x])

    with pytest.raises(ValueError, match="enters the loop with shape"):
        grows.get_concrete_function()

    @tf.function(input_signature=[tf.TensorSpec([2], tf.float32)])
    def grows_ok(x):
        return tf.while_loop(lambda v: tf.shape(v)[0] < 8, lambda v: tf.concat([v, v], 0), [x],
                             shape_invariants=[tf.TensorShape([None])])  # fmt: skip

    assert grows_ok(np.ones(2, np.float32))[0].shape == (8,)
    with tf.Graph().as_default(), pytest.raises(TypeError, match="Python bool"):
        tf.cond(True, lambda: 1, lambda: 2)


def test_saved_and_loaded_back(tmp_path: Path) -> None:
    m = _module(tf)
    tf.saved_model.save(m, str(tmp_path / "flow"))
    loaded = tf.saved_model.load(tmp_path / "flow")
    for x, n in CALL_INPUTS:
        assert _plain(loaded(np.float32(x), np.int32(n))) == _plain(m(np.float32(x), np.int32(n)))
    for xs in NESTED_INPUTS:
        arr = np.asarray(xs, np.float32)
        assert _plain(loaded.nested(arr)) == _plain(m.nested(arr))


# -- interop ---------------------------------------------------------------------------------------


@pytest.mark.interop
def test_programs_agree_with_tensorflow() -> None:
    tf_real = pytest.importorskip("tensorflow")
    assert _programs(tf_real) == _programs(tf) == EXPECTED


@pytest.mark.interop
def test_tensorflow_imports_and_runs_our_graph() -> None:
    tf_real = pytest.importorskip("tensorflow")
    with tf.Graph().as_default() as g:
        x = tf1.placeholder(tf.float32, [None], name="x")
        v = tf1.get_variable("v", initializer=np.float32(0.5))
        total = tf.while_loop(
            lambda i, s: i < tf.shape(x)[0],
            lambda i, s: (i + 1, s + tf.cond(x[i] > 0, lambda: x[i] * v, lambda: -x[i])),
            [0, 0.0],
        )[1]
        pick = tf.switch_case(tf.cast(tf.reduce_sum(x), tf.int32), [lambda: x * 2.0, lambda: x])
        init = tf1.global_variables_initializer()
        graph_def = g.as_graph_def()
        with tf1.Session(graph=g) as sess:
            sess.run(init)
            feed = np.asarray([1.0, -2.0, 4.0], np.float32)
            ours = sess.run([total, pick], {x: feed})
    with tf_real.Graph().as_default() as tg:
        their_def = tf_real.compat.v1.GraphDef.FromString(graph_def.SerializeToString())
        tf_real.graph_util.import_graph_def(their_def, name="")
        with tf_real.compat.v1.Session(graph=tg) as sess:
            sess.run(init.name)
            theirs = sess.run([total.name, pick.name], {"x:0": feed})
    assert _plain(ours) == _plain(theirs) == [["float32", 4.5], ["float32", [1.0, -2.0, 4.0]]]


@pytest.mark.interop
def test_tensorflow_loads_what_we_saved(tmp_path: Path) -> None:
    tf_real = pytest.importorskip("tensorflow")
    m = _module(tf)
    tf.saved_model.save(m, str(tmp_path / "flow"))
    theirs = tf_real.saved_model.load(str(tmp_path / "flow"))
    ours = tf.saved_model.load(tmp_path / "flow")
    for x, n in CALL_INPUTS:
        want = _plain(theirs(tf_real.constant(x), tf_real.constant(n)))
        assert _plain(ours(np.float32(x), np.int32(n))) == want
        assert want == EXPECTED["call"][CALL_INPUTS.index((x, n))]
    for xs in NESTED_INPUTS:
        arr = np.asarray(xs, np.float32)
        assert _plain(ours.nested(arr)) == _plain(theirs.nested(tf_real.constant(arr)))
    assert _plain(theirs.bump(True)) == _plain(ours.bump(True)) == ["int32", 1]
