"""Saver, checkpoint state, MetaGraph export/import and wrap_function, with savedmodel alone."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import savedmodel as tf
import savedmodel.compat.v1 as tf1
from savedmodel import protos


def _program() -> tuple[object, list]:
    g = tf.Graph()
    with g.as_default():
        a = tf.Variable([1.0, 2.0], name="a")
        b = tf1.Variable(3, name="b", use_resource=False)
    return g, [a, b]


def test_save_restore_state_file_and_max_to_keep(tmp_path: Path) -> None:
    g, (a, b) = _program()
    with g.as_default(), tf1.Session() as sess:
        sess.run(tf1.global_variables_initializer())
        saver = tf1.train.Saver(max_to_keep=2)
        paths = []
        for step in range(3):
            sess.run(a.assign_add([1.0, 1.0]))
            paths.append(saver.save(sess, str(tmp_path / "ck" / "model"), global_step=step))
        assert paths[-1] == str(tmp_path / "ck" / "model-2")
        assert saver.last_checkpoints == paths[1:]
        assert not (tmp_path / "ck" / "model-0.index").exists()
        assert (tmp_path / "ck" / "model-1.meta").exists()
        state = (tmp_path / "ck" / "checkpoint").read_text()
        assert state.splitlines()[0] == f'model_checkpoint_path: "{paths[-1]}"'
        assert tf1.train.latest_checkpoint(str(tmp_path / "ck")) == paths[-1]
        sess.run([a.assign([0.0, 0.0]), b.assign(0)])
        saver.restore(sess, paths[1])
        np.testing.assert_array_equal(sess.run(a), [3.0, 4.0])
        assert sess.run(b) == 3
        with pytest.raises(ValueError, match="not a valid checkpoint"):
            saver.restore(sess, str(tmp_path / "nope"))


def test_saver_graph_names_and_saver_def() -> None:
    g, _ = _program()
    with g.as_default():
        s1 = tf1.train.Saver(sharded=True)
        s2 = tf1.train.Saver()
    assert s1.saver_def.save_tensor_name == "save/Identity:0"
    assert s1.saver_def.sharded and s1.saver_def.version == protos.SaverDef.V2
    assert s2.saver_def.save_tensor_name == "save_1/control_dependency:0"
    restore = g.get_operation_by_name("save/RestoreV2")
    assert restore.device == "/device:CPU:0"
    assert g.get_operation_by_name("save/Select").device == "/device:CPU:*"
    assert [op.name for op in g.get_operation_by_name("save/restore_shard").control_inputs] == [
        "save/AssignVariableOp", "save/Assign",
    ]  # fmt: skip
    assert tf1.train.Saver(allow_empty=True, var_list=[]).saver_def is None


def test_saver_from_imported_meta_graph_runs_the_graph_save_op(tmp_path: Path) -> None:
    g, (a, _) = _program()
    with g.as_default(), tf1.Session() as sess:
        sess.run(tf1.global_variables_initializer())
        tf1.train.Saver().save(sess, str(tmp_path / "m"))
    with tf.Graph().as_default() as g2:
        saver = tf1.train.import_meta_graph(str(tmp_path / "m.meta"), import_scope="imp")
        assert saver.saver_def.restore_op_name == "imp/save/restore_all"
        assert [v.name for v in tf1.global_variables()] == ["imp/a:0", "imp/b:0"]
        with tf1.Session() as sess:
            saver.restore(sess, str(tmp_path / "m"))
            np.testing.assert_array_equal(
                sess.run("imp/a:0" if False else "imp/a/Read/ReadVariableOp:0"), [1.0, 2.0]
            )
            sess.run(g2.get_operation_by_name("imp/a/Assign"))
            saver.save(sess, str(tmp_path / "again"), write_meta_graph=False)
    from savedmodel.train import load_checkpoint

    reader = load_checkpoint(str(tmp_path / "again"))
    assert sorted(reader.get_variable_to_shape_map()) == ["a", "b"]


def test_export_meta_graph_options(tmp_path: Path) -> None:
    g, _ = _program()
    with g.as_default():
        with g.device("/cpu:0"):
            tf.constant(1.0, name="c")
        mgd = tf1.train.export_meta_graph(
            str(tmp_path / "m.pbtxt"), as_text=True, clear_devices=True, strip_default_attrs=True
        )
    assert all(not n.device for n in mgd.graph_def.node)
    assert mgd.meta_info_def.stripped_default_attrs
    assert "container" not in next(n for n in mgd.graph_def.node if n.name == "a").attr
    assert [op.name for op in mgd.meta_info_def.stripped_op_list.op] == [
        "Assign", "AssignVariableOp", "Const", "Identity", "ReadVariableOp", "VarHandleOp",
        "VarIsInitializedOp", "VariableV2",
    ]  # fmt: skip
    text = (tmp_path / "m.pbtxt").read_text()
    assert protos.parse_text(text, protos.MetaGraphDef()) == mgd
    with pytest.raises(RuntimeError, match="eager"):
        tf1.train.export_meta_graph()


def test_wrap_function_lifts_variables_and_prunes(tmp_path: Path) -> None:
    def build(x):
        v = tf.Variable(2.0, name="v")
        return {"y": x * v}

    wrapped = tf1.wrap_function(build, [tf.TensorSpec([], tf.float32)])
    assert [v.name for v in wrapped.variables] == ["v:0"]
    wrapped.variables[0].assign(4.0)
    assert wrapped(np.float32(3.0)) == {"y": 12.0}
    fn = wrapped.prune(feeds=wrapped.inputs[0], fetches=wrapped.structured_outputs["y"])
    assert fn(np.float32(0.5)) == 2.0
    saver = tf1.train.Saver(wrapped.variables)
    path = saver.save(None, str(tmp_path / "w"))
    wrapped.variables[0].assign(0.0)
    tf1.train.Saver(wrapped.variables).restore(None, path)
    assert wrapped(np.float32(1.0))["y"] == 4.0
