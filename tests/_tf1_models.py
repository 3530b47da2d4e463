"""TF1 SavedModels written with savedmodel's TF1 API, for the interop tests.

Each writer takes an export directory and returns the signature calls to check:
[(tags, signature key, {input key: value})].
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from _graph_programs import serialized_examples

import savedmodel as smtf
import savedmodel.compat.v1 as smtf1

Call = tuple[list[str], str, dict[str, Any]]


def write_rich(export_dir: Path, *, as_text: bool = False, vocab: Path | None = None,
               tf: Any = smtf, tf1: Any = smtf1) -> list[Call]:  # fmt: skip
    """Resource, reference and get_variable variables, an asset, a main op, two MetaGraphs."""
    vocab = vocab or export_dir.parent / f"{export_dir.name}-vocab.txt"
    vocab.write_text("alpha\nbeta\n")
    export_dir.parent.mkdir(parents=True, exist_ok=True)
    with tf.Graph().as_default():
        x = tf1.placeholder(tf.float32, [None, 2], name="x")
        v = tf.Variable([[1.0, 2.0], [3.0, 4.0]], name="v")
        r = tf1.Variable(0.5, name="r", use_resource=False)
        with tf1.variable_scope("dense"):
            b = tf1.get_variable("bias", [2], initializer=tf1.constant_initializer(0.25))
        counter = tf.Variable(10, name="counter")
        y = tf.nn.relu(tf.matmul(x, v) * r + b, name="y")
        asset = tf.constant(str(vocab), name="vocab_path")
        tf1.add_to_collection(tf1.GraphKeys.ASSET_FILEPATHS, asset)
        text = tf.Variable("", name="vocab_text")
        # The asset is read by the init op, which loaders feed with the copied asset's path.
        with tf.control_dependencies([tf1.saved_model.main_op.main_op()]):
            main_op = text.assign(tf.io.read_file(asset), read_value=False)
        with tf1.Session() as sess:
            sess.run(tf1.global_variables_initializer())
            sess.run(counter.assign_add(5))
            builder = tf1.saved_model.Builder(str(export_dir))
            predict = tf1.saved_model.predict_signature_def(
                {"x": x}, {"y": y, "counter": counter.read_value()}
            )
            vocab_sig = tf1.saved_model.predict_signature_def({"x": x}, {"text": text.read_value()})
            builder.add_meta_graph_and_variables(
                sess,
                ["serve"],
                signature_def_map={"serving_default": predict, "vocab": vocab_sig},
                assets_collection=tf1.get_collection(tf1.GraphKeys.ASSET_FILEPATHS),
                main_op=main_op,
            )
            builder.add_meta_graph(
                ["train", "gpu"], signature_def_map={"train_sig": predict},
                strip_default_attrs=True,
            )  # fmt: skip
            builder.save(as_text=as_text)
    vocab.unlink()
    xs = np.array([[1.0, -1.0], [0.5, 2.0]], np.float32)
    # NOTE: the main op re-initializes variables after the restore, as TF's main_op() does.
    return [
        (["serve"], "serving_default", {"x": xs}),
        (["serve"], "vocab", {"x": xs}),
        (["train", "gpu"], "train_sig", {"x": xs}),
    ]


def write_classifier(export_dir: Path, tf: Any = smtf, tf1: Any = smtf1) -> list[Call]:
    """classify / regress / predict signatures over serialized tf.Examples (ParseExampleV2)."""
    with tf.Graph().as_default():
        serialized = tf1.placeholder(tf.string, [None], name="tf_example")
        feats = tf1.io.parse_example(serialized, {"x": tf1.io.FixedLenFeature([2], tf.float32)})
        w = tf.Variable([[1.0, -1.0], [0.5, 2.0]], name="w")
        logits = tf.matmul(feats["x"], w)
        # Scores by division only (no exp): TF and numpy round them identically, so the CLI
        # outputs can be compared as text.
        scores = tf.divide(abs(logits), tf.reduce_sum(abs(logits), 1, keepdims=True), name="scores")
        classes = tf.tile(tf.constant([["neg", "pos"]]), [tf.shape(scores)[0], 1], name="classes")
        value = tf.reduce_sum(feats["x"], 1, keepdims=True, name="value")
        with tf1.Session() as sess:
            sess.run(w.initializer)
            builder = tf1.saved_model.Builder(str(export_dir))
            sigs = {
                "classify": tf1.saved_model.classification_signature_def(serialized, classes,
                                                                         scores),
                "regress": tf1.saved_model.regression_signature_def(serialized, value),
                "serving_default": tf1.saved_model.predict_signature_def(
                    {"examples": serialized}, {"scores": scores}),
            }  # fmt: skip
            for sig in sigs.values():
                assert tf1.saved_model.is_valid_signature(sig)
            builder.add_meta_graph_and_variables(sess, ["serve"], signature_def_map=sigs)
            builder.save()
    examples = serialized_examples([{"x": [1.0, 2.0]}, {"x": [-3.0, 0.5]}])
    return [
        (["serve"], "classify", {"inputs": examples}),
        (["serve"], "regress", {"inputs": examples}),
        (["serve"], "serving_default", {"examples": examples}),
    ]


WRITERS = {
    "rich": write_rich,
    "rich_text": lambda d, **kw: write_rich(d, as_text=True, **kw),
    "classifier": write_classifier,
}
