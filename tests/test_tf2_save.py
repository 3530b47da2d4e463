"""`tf.saved_model.save` of modules built with savedmodel: read back by savedmodel and by TF.

Four modules cover scalars, matrices with an unknown batch dimension, several signatures, dict
inputs and outputs, tuple outputs, nested submodules in lists and dicts, a polymorphic function
traced several times (one trace with a Python constant), variables of many dtypes, and an asset.
Without TensorFlow: the files load back into the same attribute tree and give the original
module's results, through the live loader and through the MetaGraph's own restore op. With
TensorFlow (interop): `tf.saved_model.load` restores the same tree and variable values and
computes the same results for every function and signature, the TF1 session loader runs every
signature, and `saved_model_cli show --all` prints what `savedmodel show --all` prints.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from contextlib import redirect_stdout
from pathlib import Path

import ml_dtypes
import numpy as np
import pytest
from _tf2_objects import example, same_value, walk

import savedmodel as tf
from savedmodel import errors
from savedmodel.api import loader
from savedmodel.checkpoint import BundleReader


class Dense(tf.Module):
    def __init__(self, n_in: int, n_out: int, offset: float = 0.0, name: str | None = None):
        super().__init__(name=name)
        values = np.arange(n_in * n_out, dtype=np.float32).reshape(n_in, n_out) / 10 + offset
        self.w = tf.Variable(values, name="w")
        self.b = tf.Variable(np.full([n_out], offset, np.float32), name="b")

    def __call__(self, x):
        return tf.matmul(x, self.w) + self.b


class Basic(tf.Module):
    """Scalars, a matrix layer with an unknown batch dimension, two signatures."""

    def __init__(self):
        super().__init__()
        self.v = tf.Variable(2.0, name="v")
        self.dense = Dense(3, 2, 0.5)

    @tf.function(input_signature=[tf.TensorSpec([], tf.float32, name="x")])
    def __call__(self, x):
        return x * self.v + 1.0

    @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32, name="features")])
    def predict(self, features):
        return {"scores": self.dense(features), "batch": tf.shape(features)[0]}


def build_basic():
    m = Basic()
    return m, {"serving_default": m.predict, "scalar": m.__call__}


class Structures(tf.Module):
    """Dict inputs/outputs, tuples, nested submodules, a polymorphic function."""

    def __init__(self):
        super().__init__()
        self.layers = [Dense(2, 3, 0.1), Dense(3, 1, 0.2)]
        self.heads = {"left": Dense(1, 2, 0.3), "right": Dense(1, 1, 0.4)}
        self.steps = tf.Variable(np.int64(0), trainable=False, name="steps")

    @tf.function(
        input_signature=[
            {
                "a": tf.TensorSpec([None, 2], tf.float32, name="a"),
                "b": tf.TensorSpec([None, 2], tf.float32, name="b"),
            }
        ]  # fmt: skip
    )
    def combine(self, inputs):
        h = inputs["a"] + inputs["b"]
        for layer in self.layers:
            h = layer(h)
        return {"left": self.heads["left"](h), "right": self.heads["right"](h), "sum": h}

    @tf.function(input_signature=[tf.TensorSpec([None], tf.int64, name="n")])
    def pair(self, n):
        return n * 2, tf.cast(n, tf.float32) / 2.0

    @tf.function
    def poly(self, x, times=2):
        return x * tf.cast(times, x.dtype)


def build_structures():
    m = Structures()
    m.poly(np.float32(1.5))
    m.poly.get_concrete_function(tf.TensorSpec([None], tf.float64), times=3)
    m.poly.get_concrete_function(tf.TensorSpec([2, 2], tf.int32))
    return m, {"serving_default": m.combine, "pair": m.pair.get_concrete_function()}


DTYPE_VALUES = {
    "f16": np.array([1.5, -2.25], np.float16),
    "f64": np.array([1.0 / 3.0, -2.5e300]),
    "bf16": np.array([1.0, -2.5], ml_dtypes.bfloat16),
    "i8": np.array([-128, 127], np.int8),
    "i16": np.array([-32768, 7], np.int16),
    "i64": np.array([-(2**63), 2**63 - 1], np.int64),
    "u8": np.array([0, 255], np.uint8),
    "u16": np.array([1, 65535], np.uint16),
    "u32": np.array([0, 2**32 - 1], np.uint32),
    "u64": np.array([0, 2**64 - 1], np.uint64),
    "flag": np.array([True, False]),
    "c64": np.array([1 + 2j, -0.5j], np.complex64),
    "c128": np.array([3 - 4j, 1e-300 + 1j], np.complex128),
    "text": np.array([b"hello", b"\xff\x00bytes"], object),
}


class Dtypes(tf.Module):
    def __init__(self):
        super().__init__()
        for name, value in DTYPE_VALUES.items():
            setattr(self, name, tf.Variable(value, name=name))

    @tf.function(input_signature=[tf.TensorSpec([], tf.float32, name="x")])
    def mix(self, x):
        return {
            "f64": self.f64 + tf.cast(x, tf.float64),
            "i64": self.i64 // 2,
            "u8": self.u8 + tf.constant(1, tf.uint8),
            "flag": tf.logical_not(self.flag),
            "c128": self.c128 * tf.cast(x, tf.complex128),
        }


def build_dtypes():
    m = Dtypes()
    return m, {"serving_default": m.mix}


ASSET_TEXT = "first line\nsecond line\n"


class WithAsset(tf.Module):
    def __init__(self, path: str):
        super().__init__()
        self.vocab = tf.saved_model.Asset(path)
        self.suffix = tf.Variable(b"!", name="suffix")

    @tf.function(input_signature=[])
    def read(self):
        return {"text": tf.io.read_file(self.vocab)}


def build_asset(tmp: Path):
    source = tmp / "source" / "vocab.txt"
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_text(ASSET_TEXT)
    m = WithAsset(str(source))
    return m, {"serving_default": m.read}


def _build(name: str, tmp: Path):
    builders = {"basic": build_basic, "structures": build_structures, "dtypes": build_dtypes}
    return build_asset(tmp) if name == "asset" else builders[name]()


MODULES = ["basic", "structures", "dtypes", "asset"]


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple]:
    out = {}
    for name in MODULES:
        tmp = tmp_path_factory.mktemp(name)
        module, signatures = _build(name, tmp)
        tf.saved_model.save(module, tmp / "model", signatures=signatures)
        out[name] = (module, signatures, tmp / "model")
    return out


def _flat_specs(structure):
    from savedmodel.api import nest
    from savedmodel.formats.nested_structure import TensorSpec

    return [s for s in nest.flatten(structure) if isinstance(s, TensorSpec)]


def _function_inputs(concrete):
    """Example (args, kwargs) for a concrete function's structured input signature."""
    from savedmodel.api import nest
    from savedmodel.formats.nested_structure import TensorSpec

    sig = concrete.structured_input_signature
    leaves = [example(s) if isinstance(s, TensorSpec) else s for s in nest.flatten(sig)]
    return nest.pack_sequence_as(sig, leaves)


@pytest.mark.parametrize("name", MODULES)
def test_saved_files_load_back_with_the_same_results(saved, name: str) -> None:
    module, signatures, path = saved[name]
    loaded = tf.saved_model.load(path)
    for key, fn in signatures.items():
        cf = fn.get_concrete_function() if hasattr(fn, "get_concrete_function") else fn
        inputs = {s.name: example(s) for s in _flat_specs(cf.structured_input_signature)}
        want = _signature_outputs(cf, inputs)
        got = loaded.signatures[key](**inputs)
        assert sorted(got) == sorted(want), key
        for k in want:
            same_value(got[k], want[k], f"{name} {key} {k}")
        # the MetaGraph's own graph (restore op, init op, signature calls) agrees too
        via_graph = loader.load(path).signatures[key](**inputs)
        for k in want:
            same_value(via_graph[k], want[k], f"{name} {key} {k} (graph)")


def _signature_outputs(cf, inputs):
    """The original function's result, normalized like a signature (a dict of arrays)."""
    from savedmodel.api import nest
    from savedmodel.formats.nested_structure import TensorSpec

    sig = cf.structured_input_signature
    leaves = nest.flatten(sig)
    it = iter(inputs[s.name] for s in leaves if isinstance(s, TensorSpec))
    args, kwargs = nest.pack_sequence_as(sig, [next(it) if isinstance(s, TensorSpec) else s
                                               for s in leaves])  # fmt: skip
    out = cf(*args, **kwargs)
    if not isinstance(out, dict):
        out = {f"output_{i}": o for i, o in enumerate(out if isinstance(out, tuple) else [out])}
    return out


def test_attribute_tree_and_variables_round_trip(saved) -> None:
    module, _, path = saved["structures"]
    loaded = tf.saved_model.load(path)
    assert len(loaded.layers) == 2 and sorted(loaded.heads) == ["left", "right"]
    np.testing.assert_array_equal(loaded.layers[1].w.numpy(), module.layers[1].w.numpy())
    assert loaded.steps.trainable is False and loaded.steps.dtype.name == "int64"
    assert len(loaded.poly.concrete_functions) == 3
    assert loaded.poly(np.float32(2.0)) == np.float32(4.0)
    assert loaded.poly(np.ones(2), times=3).tolist() == [3.0, 3.0]
    assert loaded.poly(np.ones((2, 2), np.int32)).tolist() == [[2, 2], [2, 2]]
    dtypes_module, _, dtypes_path = saved["dtypes"]
    reloaded = tf.saved_model.load(dtypes_path)
    for name, value in DTYPE_VALUES.items():
        got = getattr(reloaded, name).numpy()
        assert got.dtype == value.dtype and got.tolist() == value.tolist(), name


def test_checkpoint_keys_follow_the_object_paths(saved) -> None:
    _, _, path = saved["structures"]
    with BundleReader(path / "variables" / "variables") as reader:
        keys = sorted(k.decode() for k in reader.keys())
    assert "_CHECKPOINTABLE_OBJECT_GRAPH" in keys
    assert "layers/0/w/.ATTRIBUTES/VARIABLE_VALUE" in keys
    assert "heads/left/b/.ATTRIBUTES/VARIABLE_VALUE" in keys
    assert "steps/.ATTRIBUTES/VARIABLE_VALUE" in keys


def test_asset_is_copied_and_read_from_the_saved_model(saved) -> None:
    _, _, path = saved["asset"]
    assert (path / "assets" / "vocab.txt").read_text() == ASSET_TEXT
    moved = path.parent / "moved"
    os.rename(path, moved)
    try:
        loaded = tf.saved_model.load(moved)
        assert loaded.read()["text"] == ASSET_TEXT.encode()
        assert Path(loaded.vocab.asset_path.item().decode()).parent == moved / "assets"
    finally:
        os.rename(moved, path)


def test_a_loaded_model_can_be_saved_again(saved, tmp_path: Path) -> None:
    _, _, path = saved["basic"]
    loaded = tf.saved_model.load(path)
    loaded.v.assign(5.0)
    tf.saved_model.save(loaded, tmp_path / "again", signatures=loaded.signatures)
    again = tf.saved_model.load(tmp_path / "again")
    assert again(np.float32(2.0)) == np.float32(11.0)
    assert again.signatures["scalar"](x=np.float32(1.0))["output_0"] == np.float32(6.0)


def test_save_errors(tmp_path: Path) -> None:
    outside = tf.Variable(1.0, name="outside")

    class Leaky(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([], tf.float32)])
        def f(self, x):
            return x + outside

    with pytest.raises(errors.InvalidArgumentError, match="untracked"):
        tf.saved_model.save(Leaky(), tmp_path / "leaky")

    class NoSignature(tf.Module):
        @tf.function
        def f(self, x):
            return x

    m = NoSignature()
    with pytest.raises(errors.InvalidArgumentError, match="input_signature"):
        tf.saved_model.save(m, tmp_path / "nosig", signatures=m.f)


def test_default_signature_is_the_only_function_with_an_input_signature(tmp_path: Path) -> None:
    m = Basic()
    tf.saved_model.save(m.dense, tmp_path / "dense")  # no function: no signature
    assert len(tf.saved_model.load(tmp_path / "dense").signatures) == 0

    class One(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None], tf.float32, name="x")])
        def f(self, x):
            return x + 1.0

    tf.saved_model.save(One(), tmp_path / "one")
    sig = tf.saved_model.load(tmp_path / "one").signatures["serving_default"]
    assert sig(x=np.ones(2, np.float32))["output_0"].tolist() == [2.0, 2.0]


# ---------------------------------------------------------------------------------------------
# TensorFlow reads what we wrote


def _saved_model_cli(path: Path) -> str:
    script = Path(sys.executable).parent / "saved_model_cli"
    cmd = [sys.executable, str(script), "show", "--all", "--dir", str(path)]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run(cmd, capture_output=True, env=env, check=True).stdout.decode()


def _ours_cli(path: Path) -> str:
    from savedmodel.cli.main import main

    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["show", "--all", "--dir", str(path)]) == 0
    return out.getvalue()


@pytest.mark.interop
@pytest.mark.parametrize("name", MODULES)
def test_tensorflow_loads_what_we_saved(saved, name: str) -> None:
    tf_real = pytest.importorskip("tensorflow")
    from test_cli_show import canonical

    module, signatures, path = saved[name]
    theirs = tf_real.saved_model.load(str(path))
    ours = tf.saved_model.load(path)
    walk(tf_real, ours, theirs, name)
    # every signature and every function trace computes the same in TF and here
    for key in theirs.signatures:
        _, specs = theirs.signatures[key].structured_input_signature
        inputs = {k: example(s) for k, s in specs.items()}
        want = theirs.signatures[key](**{k: tf_real.constant(v) for k, v in inputs.items()})
        got = ours.signatures[key](**inputs)
        assert sorted(got) == sorted(want)
        for k in want:
            same_value(got[k], want[k].numpy(), f"{name} {key} {k}", exact=False)
    for attr in sorted(vars(ours)):
        fn = getattr(ours, attr)
        if not hasattr(fn, "concrete_functions") or not callable(fn):
            continue
        for cf in fn.concrete_functions:
            args, kwargs = _function_inputs(cf)
            got = fn(*args, **kwargs)
            want = getattr(theirs, attr)(*args, **kwargs)
            want = tf_real.nest.map_structure(lambda t: t.numpy(), want)
            tf_real.nest.map_structure(
                lambda g, w, where=f"{name}.{attr}": same_value(g, w, where, exact=False), got, want
            )
    # the TF1 session loader runs the MetaGraph (restore op, init op, signature calls)
    with tf_real.Graph().as_default(), tf_real.compat.v1.Session() as sess:
        meta_graph = tf_real.compat.v1.saved_model.load(sess, ["serve"], str(path))
        for key, sig in meta_graph.signature_def.items():
            if key.startswith("__"):
                continue
            feeds = {sig.inputs[k].name: example(_spec(tf_real, sig.inputs[k]))
                     for k in sig.inputs}  # fmt: skip
            fetched = sess.run({k: sig.outputs[k].name for k in sig.outputs}, feeds)
            mine = ours.signatures[key](**{k: feeds[sig.inputs[k].name] for k in sig.inputs})
            for k in fetched:
                same_value(mine[k], fetched[k], f"{name} {key} {k} (TF1 loader)", exact=False)
    assert canonical(_ours_cli(path)) == canonical(_saved_model_cli(path))


def _spec(tf_real, info):
    shape = None if info.tensor_shape.unknown_rank else [
        None if d.size < 0 else d.size for d in info.tensor_shape.dim
    ]  # fmt: skip
    return tf_real.TensorSpec(shape, tf_real.dtypes.as_dtype(info.dtype))
