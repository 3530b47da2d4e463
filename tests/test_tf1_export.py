"""Estimator-style export outputs build the SignatureDefs an Estimator export writes."""

from __future__ import annotations

import pytest

import savedmodel as tf
import savedmodel.compat.v1 as tf1
from savedmodel import export


def _tensors() -> tuple:
    ser = tf1.placeholder(tf.string, [None], name="input_example_tensor")
    scores = tf1.placeholder(tf.float32, [None, 3], name="scores")
    classes = tf1.placeholder(tf.string, [None, 3], name="classes")
    value = tf1.placeholder(tf.float32, [None, 1], name="value")
    return ser, scores, classes, value


def test_classification_output() -> None:
    with tf.Graph().as_default():
        ser, scores, classes, value = _tensors()
        sig = export.ClassificationOutput(scores=scores, classes=classes).as_signature_def(
            {"input": ser}
        )
        assert sig.method_name == "tensorflow/serving/classify"
        assert list(sig.inputs) == ["inputs"] and sig.inputs["inputs"].name == ser.name
        assert sorted(sig.outputs) == ["classes", "scores"]
        with pytest.raises(ValueError, match="single tensor input of type tf.string"):
            export.ClassificationOutput(scores=scores).as_signature_def({"a": ser, "b": ser})
        with pytest.raises(ValueError, match="must be a float32 Tensor"):
            export.ClassificationOutput(scores=classes)
        with pytest.raises(ValueError, match="must be a string Tensor"):
            export.ClassificationOutput(classes=scores)
        with pytest.raises(ValueError, match="empty arguments"):
            export.ClassificationOutput()


def test_regression_and_predict_outputs() -> None:
    with tf.Graph().as_default():
        ser, scores, classes, value = _tensors()
        reg = export.RegressionOutput(value).as_signature_def({"input": ser})
        assert reg.method_name == "tensorflow/serving/regress"
        assert list(reg.outputs) == ["outputs"] and reg.outputs["outputs"].name == "value:0"
        with pytest.raises(ValueError, match="float32 Tensor"):
            export.RegressionOutput(classes)
        pred = export.PredictOutput(scores).as_signature_def({"examples": ser})
        assert pred.method_name == "tensorflow/serving/predict"
        assert list(pred.outputs) == ["output"] and list(pred.inputs) == ["examples"]
        multi = export.PredictOutput({("head", "a"): scores, "b": value})
        assert sorted(multi.outputs) == ["b", "head/a"]
        with pytest.raises(ValueError, match="output value must be a Tensor"):
            export.PredictOutput({"a": 1.0})
