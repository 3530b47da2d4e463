"""`savedmodel.saved_model.load` of TF2 SavedModels gives the live object TensorFlow gives.

The fixtures (tests/fixtures/saved_models, written by TensorFlow 2.21) load into their saved
attribute tree: variables with the restored values, restored functions callable with each saved
input signature, `.signatures`. The interop test walks TensorFlow's loaded object and ours side by
side for every TF2 fixture.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from _tf2_objects import example, same_value, walk

import savedmodel as tf
from savedmodel import errors
from savedmodel.api.restored import RestoredFunction, RestoredResource, UserObject
from savedmodel.api.tracking import Asset
from savedmodel.checkpoint import BundleReader

MODELS = Path(__file__).parent / "fixtures" / "saved_models"
TF2_MODELS = ["tf2_save", "tf2_polymorphic", "multi_signature", "all_dtypes", "assets_tf2",
              "keras_model", "keras3_mlp", "keras3_cnn"]  # fmt: skip


def test_guide_model_calls_and_signature() -> None:
    loaded = tf.saved_model.load(MODELS / "tf2_save")
    assert isinstance(loaded.__call__, RestoredFunction)
    assert loaded(5) == np.float32(7.0)
    assert loaded(5).dtype == np.float32
    assert loaded.__call__(np.float32(1.5)) == np.float32(3.5)
    assert loaded(input=2.0) == np.float32(4.0)  # keyword, as the saved FullArgSpec names it
    out = loaded.signatures["serving_default"](np.float32(5.0))  # one input: positional is fine
    assert out == {"output": np.float32(7.0)}
    assert loaded.signatures["serving_default"](input=np.float32(1.0)) == {"output": 3.0}
    assert list(loaded.signatures) == ["serving_default"]


def test_variables_hold_the_checkpoint_values_and_are_assignable() -> None:
    loaded = tf.saved_model.load(MODELS / "multi_signature")
    with BundleReader(MODELS / "multi_signature" / "variables" / "variables") as reader:
        want = reader.get_tensor("w/.ATTRIBUTES/VARIABLE_VALUE")
    assert loaded.w.name == "w:0" and loaded.w.shape == (3, 2) and loaded.w.trainable
    np.testing.assert_array_equal(loaded.w.numpy(), want)
    x = {"a": np.ones((1, 3), np.float32), "b": np.zeros((1, 3), np.float32)}
    before = loaded.combine(x)["projected"]
    loaded.w.assign(np.zeros((3, 2), np.float32))  # the functions capture the live variable
    assert loaded.combine(x)["projected"].tolist() == [[0.0, 0.0]]
    assert loaded.signatures["serving_default"](**x)["projected"].tolist() == [[0.0, 0.0]]
    assert before.shape == (1, 2)


def test_polymorphic_dispatch_and_errors() -> None:
    loaded = tf.saved_model.load(MODELS / "tf2_polymorphic")
    assert len(loaded.double.concrete_functions) == 3
    assert loaded.double(np.array([1, 2], np.int32).reshape(1, 2).repeat(2, 0)).dtype == np.int32
    assert loaded.double(np.ones((2, 3))).dtype == np.float64  # the (None, 3) float64 trace
    with pytest.raises(ValueError, match="Could not find matching concrete function"):
        loaded.double(np.ones((5, 5), np.int32))  # no int32 trace of that shape
    spec = {"a": np.ones(2, np.float32), "pair": (np.ones(2, np.float32), np.ones(2, np.float32))}
    assert loaded.nested(spec)["out"].tolist() == [2.0, 2.0]
    assert loaded.nested(spec, training=True)["out"].tolist() == [1.0, 1.0]
    assert loaded.nested(inputs=spec, training=False)["out"].tolist() == [2.0, 2.0]
    with pytest.raises(ValueError, match="Could not find matching"):
        loaded.nested({"a": spec["a"]})
    assert len(loaded.signatures) == 0


def test_assets_resources_and_constants() -> None:
    loaded = tf.saved_model.load(MODELS / "assets_tf2")
    assert isinstance(loaded.greeting, Asset)
    assert Path(loaded.greeting.asset_path.item().decode()).read_text() == ("hello from an asset\n")
    assert isinstance(loaded.table, RestoredResource)
    ids = loaded.lookup(np.array([b"banana", b"zzz"], object))["ids"]
    assert ids.dtype == np.int64 and ids.tolist()[1] == -1
    assert loaded.read_greeting()["text"] == b"hello from an asset\n"
    again = tf.saved_model.load(MODELS / "assets_tf2")  # a second load has its own table
    assert again.lookup(np.array([b"banana"], object))["ids"].tolist() == ids.tolist()[:1]


def test_keras_models_load_through_the_same_path() -> None:
    keras2 = tf.saved_model.load(MODELS / "keras_model")
    assert isinstance(keras2.keras_api, UserObject) and isinstance(keras2.variables, list)
    assert keras2.signatures["serving_default"](np.float32(3.0)) == {"output": 5.0}
    assert keras2(np.ones((2, 3), np.float32)).tolist() == [[3.0] * 3] * 2
    keras3 = tf.saved_model.load(MODELS / "keras3_mlp")
    assert [v.name for v in keras3.variables][:2] == ["mlp/hidden/kernel:0", "mlp/hidden/bias:0"]
    probs = keras3.serve(np.ones((2, 4), np.float32))
    np.testing.assert_allclose(probs.sum(axis=1), [1.0, 1.0], rtol=1e-6)


def test_tags_must_match_a_tf2_model() -> None:
    with pytest.raises(errors.NotFoundError, match="could not be found"):
        tf.saved_model.load(MODELS / "tf2_save", tags=["train"])
    assert tf.saved_model.load(MODELS / "tf2_save", tags=["serve"])(1.0) == 3.0


def test_tf1_models_load_with_signatures_variables_and_prune() -> None:
    loaded = tf.saved_model.load(MODELS / "tf1_multi_metagraph", tags=["serve"])
    names = [v.name for v in loaded.variables]
    assert names and all(n.endswith(":0") for n in names)
    for v in loaded.variables:
        assert v.numpy().shape == tuple(v.shape.as_list())
    simple = tf.saved_model.load(MODELS / "simple_save")
    assert simple.signatures["serving_default"](np.float32(5.0)) == {"output": 7.0}
    sig = simple.signatures["serving_default"]
    pruned = simple.prune(sig.inputs["input"].name, {"y": sig.outputs["output"].name})
    assert pruned(np.float32(1.0)) == {"y": np.float32(3.0)}


# ---------------------------------------------------------------------------------------------
# TensorFlow's loaded object vs ours


@pytest.mark.interop
@pytest.mark.parametrize("name", TF2_MODELS)
def test_loaded_object_tree_matches_tensorflow(name: str) -> None:
    tf_real = pytest.importorskip("tensorflow")
    theirs = tf_real.saved_model.load(str(MODELS / name))
    ours = tf.saved_model.load(MODELS / name)
    walk(tf_real, ours, theirs, name)
    for key in theirs.signatures:
        their_fn = theirs.signatures[key]
        our_fn = ours.signatures[key]
        _, specs = their_fn.structured_input_signature
        inputs = {k: example(s) for k, s in specs.items()}
        want = their_fn(**{k: tf_real.constant(v) for k, v in inputs.items()})
        got = our_fn(**inputs)
        assert sorted(got) == sorted(want), f"{name} {key}"
        for out in want:
            same_value(got[out], want[out].numpy(), f"{name} {key} {out}", exact=False)


def test_corrupt_object_graphs_raise_savedmodel_errors(tmp_path: Path) -> None:
    import shutil

    from savedmodel import protos

    def corrupt(edit) -> Path:
        target = tmp_path / f"m{len(list(tmp_path.iterdir()))}"
        shutil.copytree(MODELS / "multi_signature", target)
        sm = protos.SavedModel()
        sm.ParseFromString((target / "saved_model.pb").read_bytes())
        edit(sm.meta_graphs[0].object_graph_def)
        (target / "saved_model.pb").write_bytes(sm.SerializeToString())
        return target

    def bad_child(og):
        og.nodes[0].children[0].node_id = 999

    def bad_bound_input(og):
        og.concrete_functions[next(iter(og.concrete_functions))].bound_inputs.append(999)

    def missing_function(og):
        og.nodes[3].function.concrete_functions.append("__inference_nope_1")

    with pytest.raises(errors.DataLossError, match="node 999"):
        tf.saved_model.load(corrupt(bad_child))
    with pytest.raises(errors.InvalidArgumentError, match="bound input 999"):
        tf.saved_model.load(corrupt(bad_bound_input))
    with pytest.raises(errors.InvalidArgumentError, match="__inference_nope_1"):
        tf.saved_model.load(corrupt(missing_function))
    with pytest.raises(errors.DataLossError, match="_CHECKPOINTABLE_OBJECT_GRAPH"):
        target = corrupt(lambda og: None)
        from savedmodel.checkpoint import BundleWriter

        prefix = target / "variables" / "variables"
        for f in (target / "variables").iterdir():
            f.unlink()
        with BundleWriter(prefix) as w:
            w.add("w/.ATTRIBUTES/VARIABLE_VALUE", np.zeros((3, 2), np.float32))
        tf.saved_model.load(target)
