"""The Estimator exports TF 2.15 wrote, against savedmodel's export outputs, loaders and CLI.

Fixtures (tools/fixtures/make_estimator.py; tests/fixtures/README.md, "Estimator exports"):
`estimator_model` is the seed guide's Estimator cell, `estimator_classify_regress` a model_fn
over parsed tf.Examples with classification, regression and predict heads. Their recorded
signature calls, `saved_model_cli show` goldens and TF round trips are covered by the tests that
walk every fixture (test_load_run, test_cli_show, test_saved_model_dir, test_fixtures_sanity).

Here:
* `savedmodel.export.{Predict,Classification,Regression}Output.as_signature_def` on the same
  graph the model_fn builds gives the SignatureDefs the Estimator stored -- same keys, method
  names, input/output keys, dtypes and shapes (tensor names are graph-specific: they only have
  to name the tensors we passed);
* the guide's `load_tf1('estimator-model', [5.])` / `load_tf2(...)` (savedmodel.compat.v1 and
  savedmodel.load) print what TF 2.21 printed, and the guide's `saved_model_cli run` line run
  through our CLI prints TF's stdout (record: saved_models/estimator_model.guide.json).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import _estimator_guide as guide
import numpy as np
import pytest
from _tf2_guide import normalize

import savedmodel as tf
import savedmodel.compat.v1 as tf1
from savedmodel import export
from savedmodel.cli.main import main
from savedmodel.formats.saved_model_dir import get_meta_graph, read_saved_model

MODELS = Path(__file__).parent / "fixtures" / "saved_models"
RECORD = json.loads(guide.GUIDE_RECORD.read_text())


def _stored_signatures(name: str) -> dict[str, Any]:
    return dict(get_meta_graph(read_saved_model(MODELS / name), ["serve"]).signature_def)


def _without_names(signature_def: Any) -> Any:
    out = type(signature_def)()
    out.CopyFrom(signature_def)
    for infos in (out.inputs, out.outputs):
        for info in infos.values():
            info.ClearField("name")
    return out


def _assert_same_signatures(ours: dict[str, Any], stored: dict[str, Any]) -> None:
    assert sorted(ours) == sorted(stored)
    for key in stored:
        assert ours[key].method_name == stored[key].method_name, key
        assert sorted(ours[key].inputs) == sorted(stored[key].inputs), key
        assert sorted(ours[key].outputs) == sorted(stored[key].outputs), key
        # dtype + shape of every TensorInfo, and nothing else, may differ only in the name
        assert _without_names(ours[key]) == _without_names(stored[key]), key


def _names(signature_def: Any) -> dict[str, str]:
    return {
        **{f"in:{k}": v.name for k, v in signature_def.inputs.items()},
        **{f"out:{k}": v.name for k, v in signature_def.outputs.items()},
    }


def add_two(input):  # noqa: A002 - the guide's name
    return input + 2


def test_predict_output_matches_the_guides_estimator_export() -> None:
    with tf.Graph().as_default():
        # What build_raw_serving_input_receiver_fn({'input': tf.constant(3.)}) feeds: a batch.
        features = {"input": tf1.placeholder(tf.float32, [None])}
        output = add_two(features["input"])
        export_outputs = {
            tf.saved_model.DEFAULT_SERVING_SIGNATURE_DEF_KEY: export.PredictOutput(
                {"output": output}
            )
        }
        ours = {k: v.as_signature_def(features) for k, v in export_outputs.items()}
    stored = _stored_signatures("estimator_model")
    _assert_same_signatures(ours, stored)
    assert _names(ours["serving_default"]) == {
        "in:input": features["input"].name,
        "out:output": output.name,
    }
    assert stored["serving_default"].method_name == "tensorflow/serving/predict"


def test_classification_regression_predict_outputs_match_the_estimator_export() -> None:
    with tf.Graph().as_default():
        # build_parsing_serving_input_receiver_fn: one serialized tf.Example batch, parsed
        serialized = tf1.placeholder(tf.string, [None], name="input_example_tensor")
        receiver_tensors = {"examples": serialized}
        parsed = tf1.io.parse_example(serialized, {"x": tf1.io.FixedLenFeature([2], tf.float32)})
        # the model_fn of make_estimator.py (its input_layer reshapes x to [-1, 2]: same shape)
        x = parsed["x"]
        w = tf1.get_variable("w", initializer=tf.constant(np.ones((2, 3), np.float32)))
        b = tf1.get_variable("b", initializer=tf.constant(np.zeros(3, np.float32)))
        logits = tf.matmul(x, w) + b
        scores = tf.nn.softmax(logits)
        classes = tf.tile(tf.constant([[b"cat", b"dog", b"bird"]]), [tf.shape(x)[0], 1])
        value = tf.reduce_sum(x, axis=1, keepdims=True)
        classification = export.ClassificationOutput(scores=scores, classes=classes)
        export_outputs = {
            tf.saved_model.DEFAULT_SERVING_SIGNATURE_DEF_KEY: classification,
            "classification": classification,
            "regression": export.RegressionOutput(value),
            "predict": export.PredictOutput({"scores": scores, "value": value, "logits": logits}),
        }
        ours = {k: v.as_signature_def(receiver_tensors) for k, v in export_outputs.items()}
    stored = _stored_signatures("estimator_classify_regress")
    _assert_same_signatures(ours, stored)
    assert {k: s.method_name for k, s in stored.items()} == {
        "serving_default": "tensorflow/serving/classify",
        "classification": "tensorflow/serving/classify",
        "regression": "tensorflow/serving/regress",
        "predict": "tensorflow/serving/predict",
    }
    assert _names(ours["classification"]) == {
        "in:inputs": serialized.name,
        "out:classes": classes.name,
        "out:scores": scores.name,
    }
    assert _names(ours["regression"]) == {"in:inputs": serialized.name, "out:outputs": value.name}


def test_stored_signatures_are_tensors_of_the_stored_graph() -> None:
    """The comparison above ignores names; TF's names do point at the graph's nodes."""
    for name in ("estimator_model", "estimator_classify_regress"):
        meta_graph = get_meta_graph(read_saved_model(MODELS / name), ["serve"])
        nodes = {n.name for n in meta_graph.graph_def.node}
        for key, sig in meta_graph.signature_def.items():
            for tensor_name in _names(sig).values():
                assert tensor_name.rsplit(":", 1)[0] in nodes, (name, key, tensor_name)


# ---------------------------------------------------------------------------------------------
# The guide's lines on estimator-model


@pytest.fixture(scope="module")
def guide_prints(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    workdir = tmp_path_factory.mktemp("estimator_guide")
    guide.copy_model(workdir)
    return guide.run_calls("savedmodel", workdir)


def test_guide_load_tf1_prints_what_tensorflow_printed(guide_prints: dict[str, str]) -> None:
    call = guide.CALLS[0]
    assert guide_prints[call] == RECORD["calls"][call]
    assert RECORD["calls"][call].endswith("Output with input [5.0] :  [7.]\n")


def test_guide_load_tf2_prints_what_tensorflow_printed(guide_prints: dict[str, str]) -> None:
    # TF prints an eager tensor as tf.Tensor([7.], shape=(1,), dtype=float32); ours is numpy.
    call = guide.CALLS[1]
    assert normalize(guide_prints[call]) == normalize(RECORD["calls"][call])


def test_guide_saved_model_cli_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    guide.copy_model(tmp_path)
    monkeypatch.chdir(tmp_path)
    want = RECORD["saved_model_cli_run"]
    assert want["argv"] == guide.CLI_RUN_ARGV
    capsys.readouterr()
    code = main(guide.CLI_RUN_ARGV)
    captured = capsys.readouterr()
    assert (code, captured.out) == (want["exit_code"], want["stdout"])


@pytest.mark.interop
def test_guide_record_is_what_tensorflow_prints(tmp_path: Path) -> None:
    tf_ = pytest.importorskip("tensorflow")
    guide.copy_model(tmp_path)
    assert guide.run_calls("tensorflow", tmp_path) == RECORD["calls"]
    assert RECORD["tensorflow_version"] == tf_.__version__
