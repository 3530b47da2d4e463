"""`savedmodel.saved_model.load` of TF2 SavedModels gives the live object TensorFlow gives.

The fixtures (tests/fixtures/saved_models, written by TensorFlow 2.21) load into their saved
attribute tree: variables with the restored values, restored functions callable with each saved
input signature, `.signatures`. The interop test walks TensorFlow's loaded object and ours side by
side for every TF2 fixture.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pytest

import savedmodel as tf
from savedmodel import errors
from savedmodel.api.concrete_function import ConcreteFunction
from savedmodel.api.restored import RestoredFunction, RestoredResource, SignatureMap, UserObject
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


def _kind_ours(obj):
    kinds = [
        (tf.Variable, "variable"), (RestoredFunction, "function"), (ConcreteFunction, "concrete"),
        (Asset, "asset"), (SignatureMap, "signatures"), (RestoredResource, "resource"),
        (Mapping, "dict"), (list, "list"),
    ]  # fmt: skip
    return next((kind for cls, kind in kinds if isinstance(obj, cls)), "object")


def _children_ours(obj) -> dict:
    if isinstance(obj, (SignatureMap, Mapping)):
        return dict(obj.items())
    if isinstance(obj, list):
        return {str(i): v for i, v in enumerate(obj)}
    if isinstance(obj, RestoredResource):
        return obj._trackable_children()
    if isinstance(obj, UserObject):
        skip = {"tensorflow_version", "tensorflow_git_version"}
        return {k: v for k, v in vars(obj).items() if not k.startswith("_self_") and k not in skip}
    return {}


def _kind_tf(tf_real, obj):
    from tensorflow.python.saved_model.function_deserialization import RestoredFunction as RF
    from tensorflow.python.saved_model.signature_serialization import _SignatureMap

    if isinstance(obj, tf_real.Variable):
        return "variable"
    if isinstance(obj, RF):
        return "function"
    if isinstance(obj, tf_real.types.experimental.ConcreteFunction):
        return "concrete"
    if isinstance(obj, tf_real.saved_model.Asset):
        return "asset"
    if isinstance(obj, _SignatureMap):
        return "signatures"
    if type(obj).__name__.startswith("_Restored") or hasattr(obj, "resource_handle"):
        return "resource"
    if isinstance(obj, Mapping):
        return "dict"
    if isinstance(obj, list):
        return "list"
    return "object"


def _children_tf(obj) -> dict:
    try:
        children = obj._trackable_children()
    except (AttributeError, TypeError):
        return {}
    return {k: v for k, v in children.items() if k != "_self_saveable_object_factories"}


def _canonical(value):
    """Specs and structures as comparable text (dict keys sorted)."""
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k!r}: {_canonical(value[k])}" for k in sorted(value)) + "}"
    if isinstance(value, (list, tuple)):
        inner = ", ".join(_canonical(v) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner})"
    return repr(value)


def _same_value(ours, theirs, where: str, exact: bool = True) -> None:
    theirs = np.asarray(theirs)
    ours = np.asarray(ours)
    assert ours.shape == theirs.shape, where
    if theirs.dtype.kind in "OSU":
        assert ours.tolist() == theirs.tolist(), where
    elif not exact and theirs.dtype.kind in "fc":
        # kernels may round differently from TF's (summation order): a few ulp
        np.testing.assert_allclose(ours, theirs, rtol=2e-6, err_msg=where)
    else:
        np.testing.assert_array_equal(ours.astype(theirs.dtype), theirs, err_msg=where)


def _walk(tf_real, ours, theirs, where: str, seen: set) -> None:
    kind = _kind_tf(tf_real, theirs)
    assert _kind_ours(ours) == kind, f"{where}: ours {type(ours)}, TF {type(theirs)}"
    if id(theirs) in seen:
        return
    seen.add(id(theirs))
    if kind == "variable":
        assert ours.name == theirs.name, where
        assert ours.dtype.name == theirs.dtype.name, where
        assert list(ours.shape) == theirs.shape.as_list(), where
        assert ours.trainable == theirs.trainable, where
        _same_value(ours.numpy(), theirs.numpy(), where)
        return
    if kind == "function":
        mine = sorted(_canonical(f.structured_input_signature) for f in ours.concrete_functions)
        tfs = sorted(_canonical(f.structured_input_signature) for f in theirs.concrete_functions)
        assert mine == tfs, where
        return
    if kind == "concrete":
        assert _canonical(ours.structured_input_signature) == _canonical(
            theirs.structured_input_signature
        ), where
        return
    if kind == "asset":
        assert (
            Path(ours.asset_path.item().decode()).name
            == Path(theirs.asset_path.numpy().decode()).name
        ), where
        return
    mine = _children_ours(ours)
    tfs = dict(theirs.items()) if kind == "signatures" else _children_tf(theirs)
    assert sorted(mine) == sorted(tfs), where
    for name in tfs:
        _walk(tf_real, mine[name], tfs[name], f"{where}.{name}", seen)


@pytest.mark.interop
@pytest.mark.parametrize("name", TF2_MODELS)
def test_loaded_object_tree_matches_tensorflow(name: str) -> None:
    tf_real = pytest.importorskip("tensorflow")
    theirs = tf_real.saved_model.load(str(MODELS / name))
    ours = tf.saved_model.load(MODELS / name)
    _walk(tf_real, ours, theirs, name, set())
    for key in theirs.signatures:
        their_fn = theirs.signatures[key]
        our_fn = ours.signatures[key]
        _, specs = their_fn.structured_input_signature
        inputs = {k: _example(tf_real, s) for k, s in specs.items()}
        want = their_fn(**{k: tf_real.constant(v) for k, v in inputs.items()})
        got = our_fn(**inputs)
        assert sorted(got) == sorted(want), f"{name} {key}"
        for out in want:
            _same_value(got[out], want[out].numpy(), f"{name} {key} {out}", exact=False)


def _example(tf_real, spec) -> np.ndarray:
    shape = [2 if d is None else d for d in (spec.shape.as_list() if spec.shape.rank is not None
                                              else [2])]  # fmt: skip
    size = int(np.prod(shape))
    if spec.dtype == tf_real.string:
        return np.array([b"apple", b"kiwi"] * size, object)[:size].reshape(shape)
    return (np.arange(size) % 3).astype(spec.dtype.as_numpy_dtype).reshape(shape)
