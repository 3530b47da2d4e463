"""Every SavedModel fixture TensorFlow wrote, loaded with `savedmodel.load` and run without TF.

The expected outputs are TensorFlow's own (tests/fixtures/saved_models/<name>.expected.{json,npz},
written by tools/fixtures/make_saved_models.py; key scheme in tests/fixtures/README.md). Each
recorded signature call is replayed through `.signatures[key](**inputs)`.
"""

from __future__ import annotations

import json
from pathlib import Path

import ml_dtypes
import numpy as np
import pytest

import savedmodel
from savedmodel import errors, protos
from savedmodel.api import loader
from savedmodel.executor import Session
from savedmodel.graph import Graph

FIXTURES = Path(__file__).parent / "fixtures"
MODELS = FIXTURES / "saved_models"


def _calls(kind: str) -> list:
    params = []
    for path in sorted(MODELS.glob("*.expected.json")):
        name = path.name.removesuffix(".expected.json")
        for index, call in enumerate(json.loads(path.read_text())["calls"]):
            if call["kind"] != kind:
                continue
            if kind == "signature":
                test_id = f"{name}-{','.join(sorted(call['tags']))}-{call['signature']}"
            else:
                test_id = f"{name}-{call['function']}-{index}"
            params.append(pytest.param(name, call, id=test_id))
    return params


_npz_cache: dict[str, np.lib.npyio.NpzFile] = {}
_model_cache: dict[tuple, object] = {}


def _npz(name: str):
    if name not in _npz_cache:
        _npz_cache[name] = np.load(MODELS / f"{name}.expected.npz", allow_pickle=False)
    return _npz_cache[name]


def _model(name: str, tags: list[str]):
    key = (name, tuple(sorted(tags)))
    if key not in _model_cache:
        _model_cache[key] = savedmodel.load(MODELS / name, tags=tags)
    return _model_cache[key]


def _value(name: str, ref: dict) -> np.ndarray:
    """An npz tensor in its real dtype (strings -> object bytes, bfloat16 from its raw bits)."""
    arr = _npz(name)[ref["key"]]
    if ref["dtype"] == "DT_BFLOAT16":
        return arr.view(ml_dtypes.bfloat16)
    if ref["dtype"] == "DT_STRING":
        return arr.astype(object)
    return arr


# Float kernels may round differently from TF's (summation order, fused ops): compare those within
# a few ulp of the dtype; everything else must be identical.
_RTOL = {"DT_HALF": 2e-3, "DT_BFLOAT16": 1.6e-2, "DT_FLOAT": 2e-6, "DT_DOUBLE": 1e-12}


def _assert_same(got: np.ndarray, want: np.ndarray, dtype: str, where: str) -> None:
    want_dt = np.dtype(object) if dtype == "DT_STRING" else want.dtype
    assert got.dtype == want_dt, f"{where}: dtype {got.dtype}, TF gave {want_dt}"
    assert got.shape == want.shape, f"{where}: shape {got.shape}, TF gave {want.shape}"
    if dtype in _RTOL:
        np.testing.assert_allclose(
            got.astype(np.float64), want.astype(np.float64), rtol=_RTOL[dtype], atol=0,
            err_msg=where,
        )  # fmt: skip
    elif dtype in ("DT_COMPLEX64", "DT_COMPLEX128"):
        np.testing.assert_allclose(got, want, rtol=2e-6, err_msg=where)
    else:
        np.testing.assert_array_equal(got, want, err_msg=where)


@pytest.mark.parametrize("name, call", _calls("signature"))
def test_signature_matches_tensorflow(name: str, call: dict) -> None:
    model = _model(name, call["tags"])
    fn = model.signatures[call["signature"]]
    inputs = {k: _value(name, ref) for k, ref in call["inputs"].items()}
    outputs = fn(**inputs)
    assert sorted(outputs) == sorted(call["outputs"])
    for key, ref in call["outputs"].items():
        want = _value(name, ref)
        got = outputs[key]
        where = f"{name} {call['signature']} output {key!r}"
        if name == "assets_tf1" and key == "vocab_file":
            # machine-specific absolute path (README): the basename is what is comparable
            assert Path(got.item().decode()).name == Path(want.item().decode()).name
            continue
        _assert_same(got, want, ref["dtype"], where)


def _structure(name: str, s: dict):
    if "tensor" in s:
        return _value(name, s["tensor"])
    if "dict" in s:
        return {k: _structure(name, v) for k, v in s["dict"].items()}
    return tuple(_structure(name, v) for v in s["tuple"])


@pytest.mark.parametrize("name, call", _calls("function"))
def test_tf2_object_function_matches_tensorflow(name: str, call: dict) -> None:
    model = _model(name, ["serve"])
    fn = getattr(model, call["function"])
    args = [_structure(name, a) for a in call["args"]]
    _assert_structure(name, fn(*args, **call["kwargs"]), call["output"], call["function"])


def _assert_structure(name: str, got, s: dict, where: str) -> None:
    if "tensor" in s:
        _assert_same(np.asarray(got), _value(name, s["tensor"]), s["tensor"]["dtype"], where)
    elif "dict" in s:
        assert sorted(got) == sorted(s["dict"]), where
        for k, v in s["dict"].items():
            _assert_structure(name, got[k], v, f"{where}[{k!r}]")
    else:
        assert len(got) == len(s["tuple"]), where
        for i, v in enumerate(s["tuple"]):
            _assert_structure(name, got[i], v, f"{where}[{i}]")


def test_signatures_are_reusable_and_cheap_to_call_again() -> None:
    fn = _model("simple_save", ["serve"]).signatures["serving_default"]
    first = fn(input=np.float32(3.0))
    again = fn(input=3)  # a Python int converts to the float32 input
    assert first == again == {"output": np.float32(5.0)}


def test_tf1_ref_variables_are_restored() -> None:
    # tf1_multi_metagraph has VariableV2 variables restored by save/restore_all
    model = loader.load(MODELS / "tf1_multi_metagraph", ["serve"])
    names = {n.op for n in model.session.graph.nodes.values()}
    assert "VariableV2" in names


def test_input_errors_name_the_input() -> None:
    fn = _model("simple_save", ["serve"]).signatures["serving_default"]
    with pytest.raises(errors.InvalidArgumentError, match="missing input.*'input'"):
        fn()
    with pytest.raises(errors.InvalidArgumentError, match="unexpected input.*'bogus'"):
        fn(input=1.0, bogus=2)
    with pytest.raises(errors.InvalidArgumentError, match="input 'input': expected shape \\[\\]"):
        fn(input=[1.0, 2.0])
    with pytest.raises(errors.InvalidArgumentError, match="input 'input': expected dtype float32"):
        fn(input="text")
    with pytest.raises(errors.NotFoundError, match="available"):
        _model("simple_save", ["serve"]).signatures["nope"]


def test_string_inputs_accept_str_and_bytes() -> None:
    fn = _model("assets_tf1", ["serve"]).signatures["serving_default"]
    a = fn(words=["apple", b"mango"])["ids"]
    b = fn(words=np.array([b"apple", b"mango"]))["ids"]
    assert a.tolist() == b.tolist()
    with pytest.raises(errors.InvalidArgumentError, match="input 'words'"):
        fn(words=[1, 2])


def test_tags_select_the_meta_graph() -> None:
    with pytest.raises(errors.NotFoundError, match="Available tag-sets"):
        savedmodel.load(MODELS / "tf1_multi_metagraph", tags=["nope"])
    assert loader.load(MODELS / "simple_save").tags == ["serve"]


def test_metagraph_multiply_through_its_saver_checkpoint() -> None:
    """The guide's MetaGraphDef cell: import the graph, restore with its Saver, run y = x * v."""
    expected = json.loads((FIXTURES / "metagraph" / "expected.json").read_text())
    meta_graph = protos.parse_text(
        (FIXTURES / "metagraph" / "multiply.pb").read_text(), protos.MetaGraphDef()
    )
    sess = Session(Graph.from_graph_def(meta_graph.graph_def))
    saver = meta_graph.saver_def
    prefix = str(FIXTURES / "metagraph" / "multiply_values.ckpt")
    sess.run(feed_dict={saver.filename_tensor_name: prefix}, targets=[saver.restore_op_name])
    (fetch, want), = expected["fetch"].items()  # fmt: skip
    got = sess.run(fetch, expected["feed"])
    assert got == np.float32(want)


def _tf_outputs(tf, fn, inputs: dict) -> dict:
    return {k: v.numpy() for k, v in fn(**{k: tf.constant(v) for k, v in inputs.items()}).items()}


@pytest.mark.interop
def test_tf2_functional_control_flow_matches_tensorflow(tmp_path) -> None:
    """tf.while_loop + TensorArrays + tf.cond + tf.switch_case + a variable, saved by TF."""
    tf = pytest.importorskip("tensorflow")

    class Model(tf.Module):
        def __init__(self):
            self.v = tf.Variable(1.0)

        @tf.function(
            input_signature=[tf.TensorSpec([None], tf.float32), tf.TensorSpec([], tf.int32)]
        )
        def f(self, x, k):
            grow = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
            fixed = tf.TensorArray(tf.float32, size=k)

            def body(i, grow, fixed):
                val = x * tf.cast(i, tf.float32) + self.v
                return i + 1, grow.write(i, val), fixed.write(i, tf.reduce_sum(val))

            i, grow, fixed = tf.while_loop(lambda i, *_: i < k, body, [tf.constant(0), grow, fixed])
            stacked = grow.stack()
            y = tf.cond(tf.reduce_sum(x) > 0, lambda: stacked * 2.0, lambda: stacked - 1.0)
            z = tf.switch_case(k % 3, [lambda: x, lambda: x * 2.0, lambda: x + 3.0])
            self.v.assign_add(1.0)
            return {"stacked": y, "sums": fixed.stack(), "z": z, "i": i, "v": self.v.read_value()}

    model = Model()
    tf.saved_model.save(model, str(tmp_path), signatures={"serving_default": model.f})
    theirs = tf.saved_model.load(str(tmp_path)).signatures["serving_default"]
    loaded = loader.load(tmp_path)
    ours = loaded.signatures["serving_default"]
    library = loaded.session.graph.library
    ops = {n.op for f in library.names() for n in library.instantiate(f).nodes.values()}
    assert {"While", "TensorListSetItem", "TensorListStack"} <= ops
    assert ops & {"If", "StatelessIf"} and ops & {"Case", "StatelessCase"}
    # the variable is bumped on every call: the sequence of calls must agree too
    for x, k in [([1.0, 2.0], 3), ([-1.0, -2.0], 4), ([0.5], 2), ([3.0, 1.0, 2.0], 5)]:
        inputs = {"x": np.asarray(x, np.float32), "k": np.int32(k)}
        want = _tf_outputs(tf, theirs, inputs)
        got = ours(**inputs)
        assert sorted(got) == sorted(want)
        for key in want:
            np.testing.assert_array_equal(got[key], want[key], err_msg=f"{key} for {inputs}")
            assert got[key].dtype == want[key].dtype
    # both refuse to stack an empty list whose element shape is not fully known
    with pytest.raises(tf.errors.InvalidArgumentError, match="empty list"):
        _tf_outputs(tf, theirs, {"x": np.ones(2, np.float32), "k": np.int32(0)})
    with pytest.raises(errors.InvalidArgumentError, match="empty list") as info:
        ours(x=np.ones(2, np.float32), k=np.int32(0))
    assert info.value.op_type == "TensorListStack"


@pytest.mark.parametrize("name", ["tf2_save", "all_dtypes", "keras_model", "tf1_multi_metagraph"])
def test_saver_writes_the_same_checkpoint_back(name: str, tmp_path) -> None:
    """Running the MetaGraph's own save op reproduces TF's variables files byte for byte."""
    model = loader.load(MODELS / name, tags=["serve"])
    saver = model.meta_graph.saver_def
    prefix = str(tmp_path / "out" / "variables")
    written = model.session.run(saver.save_tensor_name, {saver.filename_tensor_name: prefix})
    assert written == prefix.encode()
    original = MODELS / name / "variables" / "variables"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "variables.data-00000-of-00001",
        "variables.index",
    ]
    for suffix in (".index", ".data-00000-of-00001"):
        assert Path(prefix + suffix).read_bytes() == Path(str(original) + suffix).read_bytes()


@pytest.mark.interop
def test_keras_recurrent_model_matches_tensorflow(tmp_path) -> None:
    """Embedding -> LSTM -> GRU -> Dense, exported by Keras 3: While loops over TensorLists."""
    tf = pytest.importorskip("tensorflow")
    keras = pytest.importorskip("keras")
    keras.utils.set_random_seed(0)
    inputs = keras.Input((6,), dtype="int32")
    x = keras.layers.Embedding(10, 3)(inputs)
    x = keras.layers.LSTM(4, return_sequences=True)(x)
    x = keras.layers.GRU(3)(x)
    outputs = keras.layers.Dense(2)(x)
    keras.Model(inputs, outputs).export(str(tmp_path), verbose=False)

    ids = np.random.RandomState(0).randint(0, 10, size=(3, 6)).astype(np.int32)
    theirs = tf.saved_model.load(str(tmp_path)).signatures["serving_default"]
    loaded = loader.load(tmp_path)
    ours = loaded.signatures["serving_default"]
    (key,) = ours.inputs
    want = _tf_outputs(tf, theirs, {key: ids})
    got = ours(**{key: ids})
    assert sorted(got) == sorted(want)
    for name in want:
        assert got[name].dtype == want[name].dtype and got[name].shape == want[name].shape
        np.testing.assert_allclose(got[name], want[name], rtol=1e-5, atol=1e-6)
    library = loaded.session.graph.library
    ops = {n.op for f in library.names() for n in library.instantiate(f).nodes.values()}
    assert "While" in ops or "StatelessWhile" in ops


def test_inputs_are_never_modified() -> None:
    fn = _model("assets_tf1", ["serve"]).signatures["serving_default"]
    words = np.array(["apple", "kiwi"], dtype=object)
    assert fn(words=words)["ids"].tolist() == [0, -1]
    assert words.tolist() == ["apple", "kiwi"]  # still str: converted on a copy
