"""Graph building without TensorFlow: names, scopes, shapes, attrs, control deps, collections.

Expected names and shapes are TensorFlow 2.21's (checked live against TF by
tests/test_framework_interop.py); here they are written out so the core suite needs no TF.
"""

from __future__ import annotations

import numpy as np
import pytest

import savedmodel as tf
import savedmodel.compat.v1 as tf1
from savedmodel import protos
from savedmodel.framework import Graph


def _names(g: Graph) -> list[str]:
    return [op.name for op in g.get_operations()]


def test_operators_name_and_shape_like_tensorflow():
    with tf.Graph().as_default():
        x = tf1.placeholder(tf.float32, [None, 3], name="x")
        cases = {
            "add": (x + 2, "AddV2", ["x:0", "add/y:0"]),
            "add_1": (2 + x, "AddV2", ["add_1/x:0", "x:0"]),
            "mul": (x * 2, "Mul", ["x:0", "mul/y:0"]),
            "truediv": (x / 2, "RealDiv", ["x:0", "truediv/y:0"]),
            "floordiv": (x // 2, "FloorDiv", ["x:0", "floordiv/y:0"]),
            "mod": (x % 2, "FloorMod", ["x:0", "mod/y:0"]),
            "pow": (x**2, "Pow", ["x:0", "pow/y:0"]),
            "Neg": (-x, "Neg", ["x:0"]),
            "Abs": (abs(x), "Abs", ["x:0"]),
            "Less": (x < 1, "Less", ["x:0", "Less/y:0"]),
        }
        for name, (t, op_type, inputs) in cases.items():
            assert t.op.name == name
            assert t.op.type == op_type
            assert [i.name for i in t.op.inputs] == inputs
            assert t.shape.as_list() == [None, 3]
        assert (x < 1).dtype == tf.bool
        s0 = x[0]
        assert s0.shape.as_list() == [3]
        assert x[:, 1:2].shape.as_list() == [None, 1]
        assert x[..., None, 0].shape.as_list() == [None, 1]
        ss = s0.op
        assert ss.get_attr("shrink_axis_mask") == 1
        assert [i.op.name for i in ss.inputs[1:]] == [
            "strided_slice/stack",
            "strided_slice/stack_1",
            "strided_slice/stack_2",
        ]


def test_tensor_equality_is_identity_and_iteration_is_an_error():
    with tf.Graph().as_default():
        x = tf1.placeholder(tf.float32, [2])
        assert (x == x) is True
        assert {x: 1}[x] == 1
        with pytest.raises(TypeError):
            iter(x)
        with pytest.raises(TypeError):
            bool(x)


def test_unique_names_scopes_and_explicit_names():
    with tf.Graph().as_default() as g:
        tf.constant(1.0)
        tf.constant(1.0)
        tf.constant(1.0, name="Const")
        with tf.name_scope("a"):
            with tf.name_scope("b"):
                tf.add(tf.constant(1), 2)
        with tf.name_scope("a"):
            tf.identity(tf.constant(2))
        tf.constant(1.0, name="CONST")  # case-insensitive: Const is taken
        assert _names(g) == [
            "Const", "Const_1", "Const_2",
            "a/b/Const", "a/b/Add/y", "a/b/Add",
            "a_1/Const", "a_1/Identity", "CONST_3",
        ]  # fmt: skip
        assert g.unique_name("a/b", mark_as_used=False) == "a/b_1"


def test_builders_fold_static_shapes_like_tensorflow():
    with tf.Graph().as_default() as g:
        x = tf1.placeholder(tf.float32, [None, 3], name="x")
        r = tf.reshape(x, [tf.shape(x)[0], -1, 1])
        assert r.shape.as_list() == [None, None, 1]
        assert r.op.inputs[1].op.type == "Pack"
        assert tf.ones([2, tf.shape(x)[0]]).shape.as_list() == [2, None]
        assert tf.zeros([2, 3]).op.type == "Const"
        assert tf.concat([x, [[1.0, 2.0, 3.0]]], axis=0).shape.as_list() == [None, 3]
        assert tf.stack([x[0], [1.0, 2.0, 3.0]]).shape.as_list() == [2, 3]
        assert tf.reduce_mean(x, axis=1, keepdims=True).shape.as_list() == [None, 1]
        assert tf.reduce_max(x).shape.as_list() == []
        assert tf.matmul(x, x, transpose_b=True).shape.as_list() == [None, None]
        assert tf.transpose(x).shape.as_list() == [3, None]
        assert tf.split(x, 3, axis=1)[2].shape.as_list() == [None, 1]
        assert tf.shape(tf.zeros([2, 3])).op.type == "Const"
        conv = tf.nn.conv2d(tf.zeros([1, 5, 5, 3]), tf.zeros([3, 3, 3, 4]), 1, "SAME")
        assert conv.shape.as_list() == [1, 5, 5, 4]
        pool = tf.nn.max_pool2d(tf.zeros([1, 5, 5, 3]), 2, 2, "VALID")
        assert pool.op.name == "MaxPool2d" and pool.shape.as_list() == [1, 2, 2, 3]
        assert "stack/1_1" in _names(g)  # TF's autopacking names, quirks included


def test_default_attrs_are_in_the_node_def_and_type_attrs_are_inferred():
    with tf.Graph().as_default():
        y = tf.raw_ops.MatMul(a=tf.zeros([2, 2]), b=tf.zeros([2, 2]))
        nd = y.op.node_def
        assert sorted(nd.attr) == ["T", "grad_a", "grad_b", "transpose_a", "transpose_b"]
        assert nd.attr["T"].type == protos.DT_FLOAT
        assert y.op.get_attr("transpose_a") is False
        assert tf.raw_ops.Cast(x=tf.constant([1, 2]), DstT=tf.float64).dtype == tf.float64
        with pytest.raises(TypeError, match="float32"):
            tf.raw_ops.AddV2(x=tf.constant(1.0), y=tf.constant(1))


def test_control_dependencies_and_manual_control_attr():
    with tf.Graph().as_default():
        a = tf.constant(1.0, name="a")
        b = tf.constant(2.0, name="b")
        with tf.control_dependencies([a]):
            c = tf.identity(b, name="c")
            d = tf.identity(c, name="d")  # its input is from inside the block: no extra dep
        assert [op.name for op in c.op.control_inputs] == ["a"]
        assert d.op.control_inputs == []
        assert a.op.get_attr("_has_manual_control_dependencies") is True
        assert list(c.op.node_def.input) == ["b", "^a"]


def test_get_by_name_errors_match_tensorflow():
    with tf.Graph().as_default() as g:
        tf.constant(1.0, name="c")
        assert g.get_tensor_by_name("c:0").name == "c:0"
        assert g.get_operation_by_name("c").type == "Const"
        with pytest.raises(ValueError, match="refers to an Operation, not a Tensor"):
            g.get_tensor_by_name("c")
        with pytest.raises(KeyError, match="only has 1 outputs"):
            g.get_tensor_by_name("c:1")
        with pytest.raises(KeyError, match="does not exist"):
            g.get_tensor_by_name("nope:0")


def test_collections():
    with tf.Graph().as_default() as g:
        tf1.add_to_collection("things", 1)
        tf1.add_to_collections(["a", "b"], "x")
        v = tf.Variable(1.0, name="scope/v")
        assert tf1.get_collection("things") == [1]
        assert g.get_collection("a") == ["x"] and g.get_collection("b") == ["x"]
        assert tf1.global_variables() == [v] and tf1.trainable_variables() == [v]
        assert tf1.get_collection("variables", scope="scope") == [v]
        assert tf1.get_collection("variables", scope="other") == []


def test_import_graph_def_uniquifies_and_maps_inputs():
    with tf.Graph().as_default() as g:
        x = tf1.placeholder(tf.float32, [None], name="x")
        y = tf.identity(x, name="y")
        tf.add(y, 1.0, name="add")
    gd = g.as_graph_def(add_shapes=True)
    with tf.Graph().as_default() as g2:
        x = tf1.placeholder(tf.float32, [None], name="x")
        out = tf.import_graph_def(gd, name="", return_elements=["y:0", "add"])
        assert out[0].name == "y:0" and out[1].name == "add"
        tf.import_graph_def(gd)
        tf.import_graph_def(gd, input_map={"x:0": x}, name="m")
        assert _names(g2) == [
            "x", "x_1", "y", "add/y", "add",
            "import/x", "import/y", "import/add/y", "import/add",
            "m/x", "m/y", "m/add/y", "m/add",
        ]  # fmt: skip
        assert [i.name for i in g2.get_operation_by_name("m/y").inputs] == ["x:0"]
        assert "_output_shapes" not in g2.get_operation_by_name("y").node_def.attr
        assert tf.identity(x, name="x").name == "x_2:0"


def test_session_runs_nested_fetches_and_feeds_by_name():
    with tf.Graph().as_default():
        x = tf1.placeholder(tf.float32, [None], name="x")
        y = x * 2.0
        z = tf.reduce_sum(y, name="z")
        with tf1.Session() as sess:
            out = sess.run({"y": y, "pair": (z, [y.op])}, feed_dict={"x:0": [1.0, 2.0]})
            np.testing.assert_array_equal(out["y"], [2.0, 4.0])
            assert out["pair"][0] == 6.0 and isinstance(out["pair"][0], np.float32)
            assert out["pair"][1] == [None]
            assert sess.run("z:0", {x: [1.0]}) == 2.0
            with pytest.raises(ValueError, match="Cannot feed value of shape"):
                sess.run(z, {x: [[1.0]]})


def test_eager_ops_return_numpy():
    assert tf.executing_eagerly()
    c = tf.constant([1.0, 2.0])
    assert isinstance(c, np.ndarray) and c.dtype == np.float32
    out = tf.add(c, 1)
    np.testing.assert_array_equal(out, [2.0, 3.0])
    assert tf.raw_ops.AddV2(x=np.int32(1), y=np.int32(2)) == 3
    v = tf.Variable([1.0, 2.0])
    v.assign_add([1.0, 1.0])
    np.testing.assert_array_equal(v.numpy(), [2.0, 3.0])
    np.testing.assert_array_equal(v * 2, [4.0, 6.0])


def test_eval_and_run_use_the_default_session():
    with tf.Graph().as_default() as g:
        v = tf.Variable(2.0, name="v")
        y = v * 3.0
        with pytest.raises(ValueError, match="No default session"):
            y.eval()
        with tf1.Session() as sess:
            assert tf1.get_default_session() is sess
            v.initializer.run()
            assert y.eval() == 6.0 and v.eval() == 2.0
        assert tf1.get_default_session() is None
        sess = tf1.InteractiveSession(graph=g)
        try:
            v.initializer.run()
            assert y.eval() == 6.0
        finally:
            sess.close()
        assert tf1.get_default_session() is None


def test_ref_variables_and_v1_variable_default():
    with tf.Graph().as_default() as g:
        r = tf1.Variable(1.0, name="r", use_resource=False)
        v = tf1.Variable(1.0, name="v")
        assert r.dtype.name == "float32_ref" and v.dtype == tf.float32
        assert [op.name for op in g.get_operations()][:4] == [
            "r/initial_value", "r", "r/Assign", "r/read",
        ]  # fmt: skip
        assert g.get_operation_by_name("r/Assign").get_attr("_class") == [b"loc:@r"]
        with tf1.Session() as sess:
            sess.run(tf1.global_variables_initializer())
            sess.run(r.assign_add(2.0))
            assert sess.run(r) == 3.0
            assert sess.run(r.value()) == 3.0
