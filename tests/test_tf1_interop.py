"""What savedmodel's TF1 API writes, TensorFlow reads, runs and agrees with.

* SavedModels (the seed guide's, and richer ones: resource/reference variables, assets, main op,
  several MetaGraphs, text format, classify/regress signatures over tf.Example) load with
  `tf.compat.v1.saved_model.load` and `tf.saved_model.load`, and every signature gives the
  values our `tf1.saved_model.load` + Session and `savedmodel.load` give;
* `saved_model_cli run` prints what `savedmodel run` prints;
* Saver checkpoints (sharded or not) restore in TensorFlow, and TF's restore in ours;
* a MethodNameUpdater copy loads in TensorFlow with the new method name.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from _guide_cells import run_cells
from _tf1_models import WRITERS

import savedmodel
import savedmodel as smtf
import savedmodel.compat.v1 as smtf1

pytestmark = pytest.mark.interop


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, list]]:
    root = tmp_path_factory.mktemp("tf1_models")
    out: dict[str, tuple[Path, list]] = {}
    for name, writer in WRITERS.items():
        out[name] = (root / name, writer(root / name))
    guide = tmp_path_factory.mktemp("guide")
    run_cells("savedmodel", guide)
    for name in ("saved-model-builder", "simple-save"):
        out[name] = (guide / name, [(["serve"], "serving_default", {"input": np.float32(5.0)})])
    return out


def _cases() -> list[tuple[str, int]]:
    counts = {"rich": 3, "rich_text": 3, "classifier": 3, "saved-model-builder": 1,
              "simple-save": 1}  # fmt: skip
    return [(name, i) for name, n in counts.items() for i in range(n)]


def _ours_tf1(path: Path, tags: list[str], key: str, inputs: dict[str, Any]) -> dict[str, Any]:
    with smtf.Graph().as_default():
        with smtf1.Session() as sess:
            mg = smtf1.saved_model.load(sess, tags, str(path))
            sig = mg.signature_def[key]
            fetches = {k: sig.outputs[k].name for k in sig.outputs}
            return sess.run(fetches, {sig.inputs[k].name: v for k, v in inputs.items()})


def _tf_tf1(tf: Any, path: Path, tags: list[str], key: str, inputs: dict) -> dict[str, Any]:
    with tf.Graph().as_default():
        with tf.compat.v1.Session() as sess:
            mg = tf.compat.v1.saved_model.load(sess, tags, str(path))
            sig = mg.signature_def[key]
            fetches = {k: sig.outputs[k].name for k in sig.outputs}
            return sess.run(fetches, {sig.inputs[k].name: v for k, v in inputs.items()})


def _assert_same(ours: dict[str, Any], theirs: dict[str, Any]) -> None:
    assert sorted(ours) == sorted(theirs)
    for k in theirs:
        a, b = np.asarray(ours[k]), np.asarray(theirs[k])
        assert a.shape == b.shape, k
        if a.dtype.kind in "fc":
            np.testing.assert_allclose(a, b, rtol=1e-6, err_msg=k)
        else:
            np.testing.assert_array_equal(a, b, err_msg=k)


@pytest.mark.parametrize(("name", "index"), _cases())
def test_tf1_loader_runs_our_saved_model(models: dict, name: str, index: int) -> None:
    tf = pytest.importorskip("tensorflow")
    path, calls = models[name]
    tags, key, inputs = calls[index]
    _assert_same(_ours_tf1(path, tags, key, inputs), _tf_tf1(tf, path, tags, key, inputs))


@pytest.mark.parametrize(("name", "index"), _cases())
def test_tf2_loader_and_savedmodel_load_agree(models: dict, name: str, index: int) -> None:
    tf = pytest.importorskip("tensorflow")
    path, calls = models[name]
    tags, key, inputs = calls[index]
    theirs = tf.saved_model.load(str(path), tags=tags).signatures[key](
        **{k: tf.constant(v) for k, v in inputs.items()}
    )
    theirs = {k: v.numpy() for k, v in theirs.items()}
    ours = savedmodel.load(str(path), tags).signatures[key](**inputs)
    _assert_same(ours, theirs)


@pytest.mark.parametrize("name", ["rich", "rich_text", "classifier"])
def test_saved_model_is_the_one_tensorflow_writes(tmp_path: Path, name: str) -> None:
    tf = pytest.importorskip("tensorflow")
    writer = WRITERS[name]
    kwargs = {"vocab": tmp_path / "vocab.txt"} if name.startswith("rich") else {}
    if kwargs:
        kwargs["vocab"].write_text("unused")
    writer(tmp_path / "ours" / "model", **kwargs)
    if kwargs:
        kwargs["vocab"].write_text("unused")
    writer(tmp_path / "tf" / "model", tf=tf, tf1=tf.compat.v1, **kwargs)
    ours, theirs = tmp_path / "ours" / "model", tmp_path / "tf" / "model"
    files = sorted(p.relative_to(theirs) for p in theirs.rglob("*") if p.is_file())
    assert sorted(p.relative_to(ours) for p in ours.rglob("*") if p.is_file()) == files
    for rel in files:
        assert (ours / rel).read_bytes() == (theirs / rel).read_bytes(), rel


def _cli(cmd: list[str], cwd: Path) -> str:
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.mark.parametrize("name", ["saved-model-builder", "simple-save", "rich"])
def test_saved_model_cli_run_prints_what_savedmodel_run_prints(models: dict, name: str) -> None:
    pytest.importorskip("tensorflow")
    path, _ = models[name]
    expr = "input=10" if name != "rich" else "x=[[1.0,2.0]]"
    args = ["run", "--dir", str(path), "--tag_set", "serve", "--signature_def",
            "serving_default", "--input_exprs", expr]  # fmt: skip
    cli = Path(sys.executable).with_name("saved_model_cli")
    theirs = _cli([str(cli), *args], path.parent)
    ours = _cli([sys.executable, "-m", "savedmodel", *args], path.parent)
    assert ours == theirs


def test_saved_model_cli_classifies_tf_examples(models: dict) -> None:
    pytest.importorskip("tensorflow")
    path, _ = models["classifier"]
    args = ["run", "--dir", str(path), "--tag_set", "serve", "--signature_def", "classify",
            "--input_examples", 'inputs=[{"x":[1.0,2.0]},{"x":[-3.0,0.5]}]']  # fmt: skip
    cli = Path(sys.executable).with_name("saved_model_cli")
    theirs = _cli([str(cli), *args], path.parent)
    ours = _cli([sys.executable, "-m", "savedmodel", *args], path.parent)
    assert "Result for output key classes" in theirs
    assert ours == theirs


def test_method_name_updater_copy_loads_in_tensorflow(models: dict, tmp_path: Path) -> None:
    tf = pytest.importorskip("tensorflow")
    path, calls = models["rich"]
    updater = smtf1.saved_model.signature_def_utils.MethodNameUpdater(str(path))
    updater.replace_method_name("vocab", "tensorflow/serving/regress", tags="serve")
    updater.save(tmp_path / "updated")
    loaded = tf.saved_model.load(str(tmp_path / "updated"), tags=["serve"])
    out = loaded.signatures["vocab"](x=tf.constant(calls[1][2]["x"]))
    assert out["text"].numpy() == b"alpha\nbeta\n"
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        mg = tf.compat.v1.saved_model.load(sess, ["serve"], str(tmp_path / "updated"))
        assert mg.signature_def["vocab"].method_name == "tensorflow/serving/regress"


def _checkpoint_program(tf: Any, tf1: Any) -> tuple[Any, list[Any]]:
    g = tf.Graph()
    with g.as_default():
        a = tf.Variable([1.0, 2.0], name="a")
        b = tf1.Variable(3, name="b", use_resource=False)
        with tf1.variable_scope("s"):
            c = tf1.get_variable("c", [2, 2], initializer=tf1.zeros_initializer())
    return g, [a, b, c]


@pytest.mark.parametrize("sharded", [False, True])
def test_our_checkpoints_restore_in_tensorflow_and_back(tmp_path: Path, sharded: bool) -> None:
    tf = pytest.importorskip("tensorflow")
    values = [np.array([5.0, 6.0], np.float32), np.int32(7), np.full((2, 2), 0.5, np.float32)]
    g, variables = _checkpoint_program(smtf, smtf1)
    with g.as_default(), smtf1.Session() as sess:
        saver = smtf1.train.Saver(sharded=sharded)
        sess.run(smtf1.global_variables_initializer())
        for v, x in zip(variables, values, strict=True):
            sess.run(v.assign(x))
        prefix = saver.save(sess, str(tmp_path / "ours" / "model.ckpt"), global_step=3)
    assert prefix.endswith("model.ckpt-3")
    assert tf.train.latest_checkpoint(str(tmp_path / "ours")) == prefix
    g, tvars = _checkpoint_program(tf, tf.compat.v1)
    with g.as_default(), tf.compat.v1.Session() as sess:
        tf.compat.v1.train.Saver(sharded=sharded).restore(sess, prefix)
        for v, x in zip(tvars, values, strict=True):
            np.testing.assert_array_equal(sess.run(v), x)
        sess.run(tvars[0].assign([8.0, 9.0]))
        theirs = tf.compat.v1.train.Saver().save(sess, str(tmp_path / "tf" / "model.ckpt"))
    g, variables = _checkpoint_program(smtf, smtf1)
    with g.as_default(), smtf1.Session() as sess:
        smtf1.train.Saver().restore(sess, smtf1.train.latest_checkpoint(str(tmp_path / "tf")))
        assert theirs == str(tmp_path / "tf" / "model.ckpt")
        np.testing.assert_array_equal(sess.run(variables[0]), [8.0, 9.0])
        assert sess.run(variables[1]) == 7


def _run_script(args: list[str]) -> str:
    result = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_tf1_mode_simple_save_is_byte_identical(tmp_path: Path) -> None:
    """disable_v2_behavior(): default graph, reference variables (FORMAT.md §6.1)."""
    pytest.importorskip("tensorflow")
    script = str(Path(__file__).with_name("_tf1_mode_program.py"))
    ours = _run_script([script, "savedmodel", str(tmp_path / "ours")])
    theirs = _run_script([script, "tensorflow", str(tmp_path / "tf")])
    assert ours == theirs == "[3.0, 4.0]\n"
    for rel in ("saved_model.pb", "variables/variables.index",
                "variables/variables.data-00000-of-00001"):  # fmt: skip
        assert (tmp_path / "ours" / rel).read_bytes() == (tmp_path / "tf" / rel).read_bytes()


def test_export_outputs_build_tensorflows_signature_defs() -> None:
    tf = pytest.importorskip("tensorflow")
    from tensorflow.python.saved_model.model_utils import export_output as tf_export

    from savedmodel import export

    def build(tf_mod: Any, tf1_mod: Any, outputs: Any) -> list[bytes]:
        with tf_mod.Graph().as_default():
            ser = tf1_mod.placeholder(tf_mod.string, [None], name="input_example_tensor")
            scores = tf1_mod.placeholder(tf_mod.float32, [None, 3], name="scores")
            classes = tf1_mod.placeholder(tf_mod.string, [None, 3], name="classes")
            value = tf1_mod.placeholder(tf_mod.float32, [None, 1], name="value")
            sigs = [
                outputs.ClassificationOutput(scores=scores, classes=classes),
                outputs.ClassificationOutput(scores=scores),
                outputs.RegressionOutput(value),
                outputs.PredictOutput({"s": scores, ("head", "v"): value}),
            ]
            receivers = [{"in": ser}, {"in": ser}, {"in": ser}, {"examples": ser}]
            return [s.as_signature_def(r).SerializeToString(deterministic=True)
                    for s, r in zip(sigs, receivers, strict=True)]  # fmt: skip

    assert build(smtf, smtf1, export) == build(tf, tf.compat.v1, tf_export)
