"""TF1 SavedModels with savedmodel alone: Builder rules, loading back, signatures, updater.

(That TensorFlow writes the same bytes and loads ours is tests/test_tf1_interop.py.)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from _graph_programs import serialized_examples
from _tf1_models import write_classifier, write_rich

import savedmodel
import savedmodel as tf
import savedmodel.compat.v1 as tf1
from savedmodel import protos
from savedmodel.formats import saved_model_dir


def _simple_graph() -> tuple[object, object, object]:
    g = tf.Graph()
    with g.as_default():
        x = tf1.placeholder(tf.float32, [None], name="x")
        y = tf.multiply(x, 3.0, name="y")
    return g, x, y


def test_builder_refuses_a_non_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(AssertionError, match="already exists, and isn't empty"):
        tf1.saved_model.Builder(str(tmp_path))


def test_builder_order_and_reserved_keys(tmp_path: Path) -> None:
    g, x, y = _simple_graph()
    with g.as_default(), tf1.Session() as sess:
        b = tf1.saved_model.Builder(str(tmp_path / "m"))
        with pytest.raises(AssertionError, match="add_meta_graph_and_variables"):
            b.add_meta_graph(["serve"])
        sig = tf1.saved_model.predict_signature_def({"x": x}, {"y": y})
        with pytest.raises(KeyError, match="reserved"):
            b.add_meta_graph_and_variables(sess, ["serve"], {"__saved_model_init_op": sig})
        bad = protos.SignatureDef()
        bad.inputs["x"].name = "x:0"
        with pytest.raises(AssertionError, match="dtype field set"):
            b.add_meta_graph_and_variables(sess, ["serve"], {"s": bad})
        with pytest.raises(TypeError, match="to be an Operation"):
            b.add_meta_graph_and_variables(sess, ["serve"], legacy_init_op=y)
        b.add_meta_graph_and_variables(sess, ["serve"], {"serving_default": sig})
        with pytest.raises(AssertionError, match="already been saved"):
            b.add_meta_graph_and_variables(sess, ["serve"])
        path = b.save(as_text=True)
    assert path.endswith(b"saved_model.pbtxt")
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == ["saved_model.pbtxt", "variables"]


def test_rich_model_round_trip(tmp_path: Path) -> None:
    calls = write_rich(tmp_path / "rich")
    sm = saved_model_dir.read_saved_model(tmp_path / "rich")
    serve, train = sm.meta_graphs
    assert list(serve.meta_info_def.tags) == ["serve"]
    assert list(train.meta_info_def.tags) == ["train", "gpu"]
    assert train.meta_info_def.stripped_default_attrs
    matmul = next(n for n in train.graph_def.node if n.op == "MatMul")
    assert "transpose_a" not in matmul.attr
    assert serve.saver_def.filename_tensor_name == "save/Const:0"
    assert train.saver_def.restore_op_name == "save_1/restore_all"
    assert list(serve.collection_def["saved_model_main_op"].node_list.value) == ["AssignVariableOp"]
    asset = protos.AssetFileDef()
    serve.collection_def["saved_model_assets"].any_list.value[0].Unpack(asset)
    assert asset.filename == "rich-vocab.txt" and asset.tensor_info.name == "vocab_path:0"
    assert (tmp_path / "rich" / "assets" / "rich-vocab.txt").read_text() == "alpha\nbeta\n"
    with tf.Graph().as_default() as g, tf1.Session() as sess:
        mg = tf1.saved_model.load(sess, ["serve"], str(tmp_path / "rich"))
        assert sorted(v.name for v in tf1.global_variables()) == [
            "counter:0", "dense/bias:0", "r:0", "v:0", "vocab_text:0",
        ]  # fmt: skip
        sig = mg.signature_def["vocab"]
        text = sess.run(sig.outputs["text"].name, {sig.inputs["x"].name: calls[1][2]["x"]})
        assert text == b"alpha\nbeta\n"
        y = tf1.saved_model.get_tensor_from_tensor_info(mg.signature_def["serving_default"]
                                                        .outputs["y"], g)  # fmt: skip
        out = sess.run(y, {"x:0": [[1.0, 0.0]]})
        np.testing.assert_allclose(out, [[0.75, 1.25]])
    loaded = savedmodel.load(str(tmp_path / "rich"), ["train", "gpu"])
    np.testing.assert_allclose(loaded.signatures["train_sig"](x=[[1.0, 0.0]])["y"], [[0.75, 1.25]])


def test_loader_reports_missing_tags(tmp_path: Path) -> None:
    write_classifier(tmp_path / "c")
    with tf.Graph().as_default(), tf1.Session() as sess:
        with pytest.raises(RuntimeError, match="could not be found in SavedModel"):
            tf1.saved_model.load(sess, ["train"], str(tmp_path / "c"))


def test_classifier_signatures_serve_tf_examples(tmp_path: Path) -> None:
    calls = write_classifier(tmp_path / "c")
    model = savedmodel.load(str(tmp_path / "c"))
    out = model.signatures["classify"](inputs=calls[0][2]["inputs"])
    assert out["classes"].tolist() == [[b"neg", b"pos"]] * 2
    np.testing.assert_allclose(out["scores"], [[0.4, 0.6], [2.75 / 6.75, 4.0 / 6.75]], rtol=1e-6)
    reg = model.signatures["regress"](inputs=serialized_examples([{"x": [1.0, 2.0]}]))
    np.testing.assert_allclose(reg["outputs"], [[3.0]])


def test_signature_builders_check_types() -> None:
    with tf.Graph().as_default():
        ser = tf1.placeholder(tf.string, [None], name="ser")
        f = tf1.placeholder(tf.float32, [None], name="f")
        i = tf1.placeholder(tf.int32, [None], name="i")
        s = tf1.placeholder(tf.string, [None], name="s")
        with pytest.raises(ValueError, match="must be of type string"):
            tf1.saved_model.classification_signature_def(f, s, f)
        with pytest.raises(ValueError, match="scores must be a float"):
            tf1.saved_model.classification_signature_def(ser, None, i)
        with pytest.raises(ValueError, match="cannot both be None"):
            tf1.saved_model.classification_signature_def(ser, None, None)
        with pytest.raises(ValueError, match="must be of type float"):
            tf1.saved_model.regression_signature_def(ser, i)
        with pytest.raises(ValueError, match="cannot be None or empty"):
            tf1.saved_model.predict_signature_def({}, {"f": f})
        cls = tf1.saved_model.classification_signature_def(ser, s, None)
        assert cls.method_name == "tensorflow/serving/classify"
        assert tf1.saved_model.is_valid_signature(cls)
        info = tf1.saved_model.build_tensor_info(f)
        assert info.name == "f:0" and info.dtype == protos.DT_FLOAT
        assert [d.size for d in info.tensor_shape.dim] == [-1]
        pred = tf1.saved_model.predict_signature_def({"a": f}, {"b": i})
        assert tf1.saved_model.is_valid_signature(pred)
        pred.method_name = "tensorflow/serving/regress"
        assert not tf1.saved_model.is_valid_signature(pred)
        assert not tf1.saved_model.is_valid_signature(None)
    with pytest.raises(RuntimeError, match="eager"):
        tf1.saved_model.build_tensor_info(np.float32(1))


def test_method_name_updater_in_place_and_copy(tmp_path: Path) -> None:
    write_rich(tmp_path / "rich")
    updater = tf1.saved_model.signature_def_utils.MethodNameUpdater(str(tmp_path / "rich"))
    with pytest.raises(ValueError, match="does not have a signature_def with key"):
        updater.replace_method_name("nope", "tensorflow/serving/classify")
    with pytest.raises(ValueError, match="could not be found in SavedModel"):
        updater.replace_method_name("vocab", "m", tags=["nope"])
    updater.replace_method_name("vocab", "tensorflow/serving/regress", tags="serve")
    updater.save(str(tmp_path / "copy"))
    updater.save()
    for path in (tmp_path / "rich", tmp_path / "copy"):
        sm = saved_model_dir.read_saved_model(path)
        assert sm.meta_graphs[0].signature_def["vocab"].method_name == "tensorflow/serving/regress"
    assert (tmp_path / "copy" / "variables" / "variables.index").exists()
    assert (tmp_path / "copy" / "assets" / "rich-vocab.txt").exists()
    out = savedmodel.load(str(tmp_path / "copy"), ["serve"]).signatures["vocab"](x=[[1.0, 2.0]])
    assert out["text"] == b"alpha\nbeta\n"
