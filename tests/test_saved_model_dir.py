"""SavedModel directory I/O: reading, tag-set selection, atomic writing, round trips, fuzzing.

Finding (TF 2.21, protobuf 7.36 upb), asserted below for every fixture: TensorFlow's Python
writers (TF2 ``tf.saved_model.save``, Keras 2 and 3, TF1 ``SavedModelBuilder``/``simple_save``)
all serialize ``saved_model.pb`` with ``SerializeToString(deterministic=True)``, so parsing a
TF-written file and re-serializing it the same way is a fixed point: our rewrite of every
fixture's ``saved_model.pb`` is byte-identical, and so is the text form (``str(msg)``, as
``Builder.save(as_text=True)`` writes it). ``fingerprint.pb`` matches in every field but the
uuid, which TF draws at random on each save. (TF itself is deterministic across processes for
the same program, but two saves of the same model in one process differ, because function
names carry process-wide UIDs; that is TF's business, not a property of the files.)
"""

from __future__ import annotations

import filecmp
import json
import os
import random
from pathlib import Path

import numpy as np
import pytest

from savedmodel import errors, protos
from savedmodel.checkpoint import BundleReader, write_bundle
from savedmodel.formats import fingerprint as fp_mod
from savedmodel.formats import saved_model_dir as smd
from savedmodel.formats import saved_model_writer as smw

FIXTURES = Path(__file__).parent / "fixtures" / "saved_models"
MODELS = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _siblings(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir()) if path.parent.exists() else []


def test_fixtures_present():
    assert len(MODELS) >= 10


# -- reading ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", MODELS)
def test_reserialization_is_a_fixed_point(name):
    data = (FIXTURES / name / smd.SAVED_MODEL_FILENAME_PB).read_bytes()
    sm = smd.parse_saved_model(data)
    assert sm.SerializeToString(deterministic=True) == data


def test_read_saved_model_dir():
    d = smd.read_saved_model_dir(FIXTURES / "tf2_save")
    assert d.filename == smd.SAVED_MODEL_FILENAME_PB and not d.is_text
    assert d.saved_model.saved_model_schema_version == 1
    assert d.tag_sets() == [["serve"]]
    assert d.variables_prefix == str(FIXTURES / "tf2_save" / "variables" / "variables")
    assert d.has_checkpoint
    assert d.assets_dir == str(FIXTURES / "tf2_save" / "assets")
    assert d.extra_assets_dir == str(FIXTURES / "tf2_save" / "assets.extra")
    assert d.fingerprint() == fp_mod.read_fingerprint(FIXTURES / "tf2_save")
    assert smd.is_tf2_saved_model(d.saved_model)
    assert d.signature_def().method_name == "tensorflow/serving/predict"
    assert smd.read_saved_model(FIXTURES / "tf2_save") == d.saved_model
    assert smd.contains_saved_model(FIXTURES / "tf2_save")


def test_fingerprint_module_is_imported_only_when_a_fingerprint_is_read():
    # formats.fingerprint (FarmHash, canonical serializer) costs `savedmodel show` start time.
    import subprocess
    import sys

    code = (
        "import sys; from savedmodel.formats import saved_model_dir as smd;"
        f"d = smd.read_saved_model_dir({str(FIXTURES / 'tf2_save')!r});"
        "assert 'savedmodel.formats.fingerprint' not in sys.modules;"
        "assert d.fingerprint() is not None and 'savedmodel.formats.fingerprint' in sys.modules"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_tf1_model_has_no_fingerprint_and_is_not_tf2():
    d = smd.read_saved_model_dir(FIXTURES / "simple_save")
    assert d.fingerprint() is None
    assert not smd.is_tf2_saved_model(d.saved_model)


def test_missing_saved_model_uses_tensorflows_wording(tmp_path):
    expected = (
        f"SavedModel file does not exist at: {tmp_path}{os.sep}{{saved_model.pbtxt|saved_model.pb}}"
    )
    with pytest.raises(errors.NotFoundError) as e:
        smd.read_saved_model(tmp_path)
    assert str(e.value) == expected
    with pytest.raises(errors.NotFoundError):
        smd.read_saved_model(tmp_path / "does" / "not" / "exist")
    assert not smd.contains_saved_model(tmp_path)


def test_chunked_format_is_reported_unimplemented(tmp_path):
    (tmp_path / "saved_model.cpb").write_bytes(b"")
    with pytest.raises(errors.UnimplementedError, match="chunked"):
        smd.read_saved_model(tmp_path)


def test_pb_is_preferred_over_pbtxt(tmp_path):
    sm = smd.read_saved_model(FIXTURES / "simple_save")
    (tmp_path / "saved_model.pb").write_bytes(sm.SerializeToString())
    (tmp_path / "saved_model.pbtxt").write_text("this is not a SavedModel")
    d = smd.read_saved_model_dir(tmp_path)
    assert d.filename == "saved_model.pb" and d.saved_model == sm


def test_corrupt_files_name_the_file(tmp_path):
    (tmp_path / "saved_model.pb").write_bytes(b"\x12\x80")
    with pytest.raises(errors.DataLossError, match=r"Cannot parse file .*saved_model\.pb"):
        smd.read_saved_model(tmp_path)
    (tmp_path / "saved_model.pb").unlink()
    (tmp_path / "saved_model.pbtxt").write_text("meta_graphs { nonsense: 1 }")
    with pytest.raises(errors.DataLossError, match=r"Cannot parse file .*saved_model\.pbtxt"):
        smd.read_saved_model(tmp_path)
    (tmp_path / "saved_model.pbtxt").write_bytes(b"\xff\xfe")
    with pytest.raises(errors.DataLossError, match=r"saved_model\.pbtxt"):
        smd.read_saved_model(tmp_path)


def test_tag_set_selection_is_by_equality():
    sm = smd.read_saved_model(FIXTURES / "tf1_multi_metagraph")
    sets = smd.tag_sets(sm)
    assert sorted(sorted(t) for t in sets) == [["gpu", "serve"], ["serve"], ["train"]]
    assert list(smd.get_meta_graph(sm, ["serve"]).meta_info_def.tags) == ["serve"]
    gpu = smd.get_meta_graph(sm, {"gpu", "serve"})
    assert sorted(gpu.meta_info_def.tags) == ["gpu", "serve"]
    assert smd.get_meta_graph(sm, "serve,gpu") == gpu  # str: comma-separated, any order
    assert smd.get_meta_graph(sm, ("gpu", "serve", "gpu")) == gpu  # a set: duplicates ignored
    with pytest.raises(errors.NotFoundError) as e:
        smd.get_meta_graph(sm, ["gpu"])  # a subset of a tag set does not match
    message = str(e.value)
    assert "{ gpu }" in message
    assert "{serve}" in message and "{gpu, serve}" in message and "{train}" in message
    with pytest.raises(errors.NotFoundError):
        smd.get_meta_graph(sm, ["serve", "gpu", "tpu"])  # nor does a superset
    with pytest.raises(errors.NotFoundError):
        smd.get_meta_graph(sm, [])


def test_empty_tag_set_matches_untagged_meta_graph():
    sm = protos.SavedModel()
    sm.meta_graphs.add().meta_info_def.tags.append("serve")
    untagged = sm.meta_graphs.add()
    untagged.graph_def.node.add(name="n")
    assert smd.get_meta_graph(sm, []) == untagged
    assert smd.get_meta_graph(sm, "") == untagged


def test_get_signature_def_lists_available_keys():
    mg = smd.get_meta_graph(smd.read_saved_model(FIXTURES / "multi_signature"), "serve")
    assert smd.get_signature_def(mg, "top_k") is mg.signature_def["top_k"]
    with pytest.raises(errors.NotFoundError) as e:
        smd.get_signature_def(mg, "nope")
    for key in mg.signature_def:
        assert repr(key) in str(e.value)
    assert "'nope'" in str(e.value)
    assert "nope" not in mg.signature_def  # the lookup did not insert the key


def test_asset_file_defs_tf1_collection_and_tf2_field():
    tf1 = smd.read_saved_model_dir(FIXTURES / "assets_tf1")
    tf2 = smd.read_saved_model_dir(FIXTURES / "assets_tf2")
    assert not tf1.meta_graph().asset_file_def  # TF1 lists assets in a collection only
    # (This fixture's builder registered the asset twice; TF keeps both entries.)
    assert {a.filename for a in smd.asset_file_defs(tf1.meta_graph())} == {"vocab.txt"}
    assert tf2.meta_graph().asset_file_def
    for d in (tf1, tf2):
        paths = d.asset_paths()
        assert paths
        for tensor_name, path in paths.items():
            assert tensor_name.endswith(":0")
            assert os.path.isfile(path) and path.startswith(d.assets_dir + os.sep)


# -- writing ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", MODELS)
def test_round_trip_every_fixture_byte_identical(name, tmp_path):
    src = FIXTURES / name
    out = Path(smw.copy_saved_model(src, tmp_path / name))
    assert _files(out) == _files(src)
    for rel in _files(src):
        if rel != fp_mod.FINGERPRINT_FILENAME:
            assert filecmp.cmp(src / rel, out / rel, shallow=False), rel
    assert smd.read_saved_model(out) == smd.read_saved_model(src)
    if (src / fp_mod.FINGERPRINT_FILENAME).is_file():
        ours, theirs = fp_mod.read_fingerprint(out), fp_mod.read_fingerprint(src)
        assert ours.uuid != theirs.uuid
        ours.uuid = theirs.uuid
        assert ours.SerializeToString() == (src / fp_mod.FINGERPRINT_FILENAME).read_bytes()
    assert _siblings(out) == [name]  # no temporary directories left behind


@pytest.mark.parametrize("name", MODELS)
def test_pbtxt_round_trip(name, tmp_path):
    src = FIXTURES / name
    text_dir = Path(smw.copy_saved_model(src, tmp_path / "text", as_text=True))
    assert (text_dir / "saved_model.pbtxt").is_file()
    assert not (text_dir / "saved_model.pb").exists()  # exactly one of the two
    d = smd.read_saved_model_dir(text_dir)
    assert d.is_text and d.saved_model == smd.read_saved_model(src)
    # Back to binary: the original bytes again.
    bin_dir = Path(smw.copy_saved_model(text_dir, tmp_path / "bin", as_text=False))
    assert (bin_dir / "saved_model.pb").read_bytes() == (src / "saved_model.pb").read_bytes()
    # Text written from the text-parsed proto is stable.
    again = Path(smw.copy_saved_model(text_dir, tmp_path / "text2"))
    assert filecmp.cmp(text_dir / "saved_model.pbtxt", again / "saved_model.pbtxt", shallow=False)


def _simple_saved_model() -> protos.SavedModel:
    return smd.read_saved_model(FIXTURES / "tf2_save")


def test_write_with_variables_callback_assets_and_extras(tmp_path):
    sm = _simple_saved_model()
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("a\nb\n")
    out = Path(
        smw.write_saved_model(
            tmp_path / "parent" / "model",
            sm,
            variables=lambda prefix: write_bundle(prefix, {"v": np.arange(3, dtype=np.float32)}),
            assets={"vocab.txt": vocab, "sub/raw.bin": b"\x00\x01"},
            extra_assets={"tf_serving_warmup_requests": b"warm"},
            extra_files={"keras_metadata.pb": b"km"},
            fingerprint=True,
        )
    )
    assert _files(out) == [
        "assets.extra/tf_serving_warmup_requests",
        "assets/sub/raw.bin",
        "assets/vocab.txt",
        "fingerprint.pb",
        "keras_metadata.pb",
        "saved_model.pb",
        "variables/variables.data-00000-of-00001",
        "variables/variables.index",
    ]
    assert (out / "assets" / "vocab.txt").read_text() == "a\nb\n"
    assert (out / "assets" / "sub" / "raw.bin").read_bytes() == b"\x00\x01"
    assert (out / "assets.extra" / "tf_serving_warmup_requests").read_bytes() == b"warm"
    np.testing.assert_array_equal(
        BundleReader(smd.variables_prefix(out)).get_tensor("v"), np.arange(3, dtype=np.float32)
    )
    fp = fp_mod.read_fingerprint(out)
    index = (out / "variables" / "variables.index").read_bytes()
    expected = fp_mod.create_fingerprint(sm, checkpoint_index=index, uuid=fp.uuid)
    assert fp == expected and fp.checkpoint_hash != 0


def test_write_minimal_tf1_layout(tmp_path):
    out = Path(smw.write_saved_model(tmp_path / "m", _simple_saved_model()))
    # Like TF1 builders without variables or assets: an empty variables/, no assets/.
    assert sorted(p.name for p in out.iterdir()) == ["saved_model.pb", "variables"]
    assert not any((out / "variables").iterdir())
    # An empty mapping asks for an (empty) assets/ directory, as TF2 writes it.
    out2 = Path(smw.write_saved_model(tmp_path / "m2", _simple_saved_model(), assets={}))
    assert (out2 / "assets").is_dir() and not any((out2 / "assets").iterdir())


def test_write_copies_a_checkpoint_prefix(tmp_path):
    src = FIXTURES / "tf2_save"
    out = Path(
        smw.write_saved_model(
            tmp_path / "m", _simple_saved_model(), variables=smd.variables_prefix(src)
        )
    )
    for rel in ("variables/variables.index", "variables/variables.data-00000-of-00001"):
        assert (out / rel).read_bytes() == (src / rel).read_bytes()
    with pytest.raises(errors.NotFoundError, match="no checkpoint"):
        smw.write_saved_model(tmp_path / "m2", _simple_saved_model(), variables=tmp_path / "none")
    assert not (tmp_path / "m2").exists()


def test_refuses_to_clobber_unless_overwrite(tmp_path):
    target = tmp_path / "m"
    target.mkdir()
    (target / "keep.txt").write_text("precious")
    with pytest.raises(errors.AlreadyExistsError, match="already exists, and isn't empty"):
        smw.write_saved_model(target, _simple_saved_model())
    assert _files(target) == ["keep.txt"]
    smw.write_saved_model(target, _simple_saved_model(), overwrite=True)
    assert _files(target) == ["saved_model.pb"]
    assert _siblings(target) == ["m"]
    # A file in the way is never a directory to merge into.
    (tmp_path / "f").write_text("x")
    with pytest.raises(errors.AlreadyExistsError, match="not a directory"):
        smw.write_saved_model(tmp_path / "f", _simple_saved_model())


def test_existing_empty_directory_is_filled(tmp_path):
    target = tmp_path / "m"
    target.mkdir()
    smw.write_saved_model(target, _simple_saved_model())
    assert _files(target) == ["saved_model.pb"]
    assert _siblings(target) == ["m"]


class Boom(RuntimeError):
    pass


def _failing_writer(prefix: str) -> None:
    write_bundle(prefix, {"v": np.ones(2, np.float32)})  # something is written first...
    raise Boom("disk on fire")  # ...then the writer fails


def test_failure_mid_write_leaves_nothing(tmp_path):
    target = tmp_path / "new" / "deeper" / "model"
    with pytest.raises(Boom):
        smw.write_saved_model(target, _simple_saved_model(), variables=_failing_writer)
    assert list(tmp_path.iterdir()) == []  # not even the parents it created


def test_failure_mid_write_keeps_existing_model(tmp_path):
    target = tmp_path / "model"
    smw.copy_saved_model(FIXTURES / "assets_tf2", target)
    before = {rel: (target / rel).read_bytes() for rel in _files(target)}
    with pytest.raises(Boom):
        smw.write_saved_model(
            target, _simple_saved_model(), variables=_failing_writer, overwrite=True
        )
    assert {rel: (target / rel).read_bytes() for rel in _files(target)} == before
    assert _siblings(target) == ["model"]


def test_failure_at_the_final_rename_restores_the_old_model(tmp_path, monkeypatch):
    target = tmp_path / "model"
    smw.copy_saved_model(FIXTURES / "simple_save", target)
    before = {rel: (target / rel).read_bytes() for rel in _files(target)}
    real_rename = os.rename

    def rename(src, dst):
        if Path(src).name.startswith(".model.tmp-"):
            raise OSError(28, "No space left on device")
        real_rename(src, dst)

    monkeypatch.setattr(smw.os, "rename", rename)
    with pytest.raises(errors.ResourceExhaustedError, match="No space left"):
        smw.write_saved_model(target, _simple_saved_model(), overwrite=True)
    assert {rel: (target / rel).read_bytes() for rel in _files(target)} == before
    assert _siblings(target) == ["model"]


def test_variables_callback_must_write_a_checkpoint(tmp_path):
    with pytest.raises(errors.FailedPreconditionError, match="did not write"):
        smw.write_saved_model(tmp_path / "m", _simple_saved_model(), variables=lambda prefix: None)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"extra_files": {"saved_model.pb": b""}}, errors.InvalidArgumentError),
        ({"extra_files": {"variables/x": b""}}, errors.InvalidArgumentError),
        ({"extra_files": {"../escape": b""}}, errors.InvalidArgumentError),
        ({"extra_files": {"/abs": b""}}, errors.InvalidArgumentError),
        ({"assets": {"../escape": b""}}, errors.InvalidArgumentError),
        ({"assets": {"a.txt": "/no/such/file"}}, errors.NotFoundError),
        ({"extra_assets": "/no/such/dir"}, errors.NotFoundError),
    ],
)
def test_bad_write_arguments_leave_nothing(tmp_path, kwargs, error):
    with pytest.raises(error):
        smw.write_saved_model(tmp_path / "m", _simple_saved_model(), **kwargs)
    assert list(tmp_path.iterdir()) == []


# -- fuzzing: corrupt files give our error or a clean parse ----------------------------------


def _mutations(data: bytes, rng: random.Random, count: int) -> list[bytes]:
    out = [data[:n] for n in sorted(rng.sample(range(len(data)), min(count, len(data))))]
    for _ in range(count):
        b = bytearray(data)
        for _ in range(rng.choice((1, 1, 2, 8))):
            b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
        out.append(bytes(b))
    return out


def _fuzz(tmp_path: Path, filename: str, data: bytes, read, seed: int, count: int) -> tuple:
    """Read every mutation of ``data`` as ``filename``: DataLossError naming it, or a result.

    Returns (results of clean parses, number of DataLossErrors).
    """
    rng = random.Random(seed)
    parsed, failed = [], 0
    for mutated in _mutations(data, rng, count):
        (tmp_path / filename).write_bytes(mutated)
        try:
            parsed.append(read(tmp_path))
        except errors.DataLossError as e:
            assert filename in str(e)
            failed += 1
    return parsed, failed


def test_fuzz_saved_model_pb(tmp_path):
    data = (FIXTURES / "tf2_save" / "saved_model.pb").read_bytes()
    index = (FIXTURES / "tf2_save" / "variables" / "variables.index").read_bytes()
    parsed, failed = _fuzz(tmp_path, "saved_model.pb", data, smd.read_saved_model, 1, 150)
    assert parsed and failed  # both outcomes were exercised
    for sm in parsed:
        # A clean parse must survive the rest of the pipeline with our errors only.
        try:
            fp_mod.create_fingerprint(sm, checkpoint_index=index)
            for mg in sm.meta_graphs:
                smd.asset_file_defs(mg)
        except errors.OpError:
            pass


def test_fuzz_fingerprint_pb(tmp_path):
    data = (FIXTURES / "tf2_save" / "fingerprint.pb").read_bytes()
    parsed, failed = _fuzz(tmp_path, "fingerprint.pb", data, fp_mod.read_fingerprint, 2, 100)
    assert parsed and failed
    for fp in parsed:
        assert fp_mod.singleprint(fp).count("/") == 3


def test_fuzz_saved_model_pbtxt(tmp_path):
    text = str(smd.read_saved_model(FIXTURES / "simple_save")).encode()
    _, failed = _fuzz(tmp_path, "saved_model.pbtxt", text, smd.read_saved_model, 3, 60)
    assert failed


# -- TensorFlow loads what we wrote ----------------------------------------------------------


def _signature_calls(name: str) -> list[dict]:
    spec = json.loads((FIXTURES / f"{name}.expected.json").read_text())
    return [c for c in spec["calls"] if c["kind"] == "signature"]


SIGNATURE_MODELS = [
    n for n in MODELS if (FIXTURES / f"{n}.expected.json").is_file() and _signature_calls(n)
]


def _feeds(call: dict, expected) -> dict[str, np.ndarray]:
    feeds = {}
    for name, ref in call["inputs"].items():
        value = expected[ref["key"]]
        if ref["dtype"] == "DT_BFLOAT16":  # stored as raw uint16 bits
            import ml_dtypes

            value = value.view(ml_dtypes.bfloat16)
        elif value.dtype.kind == "S":
            value = np.asarray(value.tolist(), dtype=object)
        feeds[name] = value
    return feeds


def _normalized(outputs: dict, dirs: tuple[Path, ...]) -> dict:
    """Outputs as plain lists; asset paths (which embed the model directory) made neutral."""
    out = {}
    for key, value in outputs.items():
        value = np.asarray(value)
        if value.dtype.kind in "OS":
            items = [bytes(v) for v in value.ravel().tolist()]
            for d in dirs:
                items = [v.replace(os.fsencode(d), b"<dir>") for v in items]
            out[key] = (value.shape, items)
        else:
            out[key] = (value.shape, value.dtype, value.tobytes())  # bitwise equality
    return out


def _run_v1(tf, export_dir: Path, call: dict, feeds: dict):
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        mg = tf.compat.v1.saved_model.load(sess, call["tags"], str(export_dir))
        sig = mg.signature_def[call["signature"]]
        try:
            got = sess.run(
                {k: v.name for k, v in sig.outputs.items()},
                {sig.inputs[k].name: v for k, v in feeds.items()},
            )
        except tf.errors.OpError as e:
            return type(e).__name__  # compared with the original's failure, if any
    return _normalized(got, (export_dir,))


def _run_v2(tf, loaded, export_dir: Path, call: dict, feeds: dict):
    fn = loaded.signatures[call["signature"]]
    try:
        got = fn(**{k: tf.constant(v) for k, v in feeds.items()})
    except tf.errors.OpError as e:
        return type(e).__name__
    return _normalized({k: v.numpy() for k, v in got.items()}, (export_dir,))


@pytest.mark.interop
@pytest.mark.parametrize("name", SIGNATURE_MODELS)
def test_tensorflow_runs_our_rewritten_models(name, tmp_path):
    """TF loads the copy we wrote, with both loaders; every signature gives the same result.

    The original and the copy run in the same process with the same feeds, so the comparison
    is exact (bitwise); tests/test_fixtures_sanity.py checks the originals against the
    recorded outputs.
    """
    tf = pytest.importorskip("tensorflow")
    src = FIXTURES / name
    expected = np.load(FIXTURES / f"{name}.expected.npz")
    out = Path(smw.copy_saved_model(src, tmp_path / name))
    ran = 0
    for call in _signature_calls(name):
        feeds = _feeds(call, expected)
        original = _run_v1(tf, src, call, feeds)
        assert _run_v1(tf, out, call, feeds) == original, call["signature"]
        ran += not isinstance(original, str)
        try:
            reference = tf.saved_model.load(str(src), tags=call["tags"])
        except tf.errors.OpError as e:
            # e.g. a TF1 train graph with ref variables: the TF2 loader refuses the original
            with pytest.raises(type(e)):
                tf.saved_model.load(str(out), tags=call["tags"])
            continue
        loaded = tf.saved_model.load(str(out), tags=call["tags"])
        assert _run_v2(tf, loaded, out, call, feeds) == _run_v2(tf, reference, src, call, feeds)
    assert ran  # at least one signature really produced outputs


@pytest.mark.interop
def test_tensorflow_loads_our_pbtxt(tmp_path):
    tf = pytest.importorskip("tensorflow")
    name = "simple_save"
    expected = np.load(FIXTURES / f"{name}.expected.npz")
    out = smw.copy_saved_model(FIXTURES / name, tmp_path / name, as_text=True)
    assert smd.read_saved_model_dir(out).is_text
    (call,) = _signature_calls(name)
    feeds = _feeds(call, expected)
    got = _run_v1(tf, Path(out), call, feeds)
    assert got == _run_v1(tf, FIXTURES / name, call, feeds)
    assert not isinstance(got, str)  # it ran


@pytest.mark.interop
def test_tensorflow_pbtxt_with_assets_reads_and_writes_back_identically(tmp_path):
    tf = pytest.importorskip("tensorflow")
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("a\nb\nc\n")
    export_dir = tmp_path / "tf1_text"
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        x = tf.compat.v1.placeholder(tf.string, [None], name="x")
        asset = tf.constant(str(vocab), name="vocab_path")
        tf.compat.v1.add_to_collection(tf.compat.v1.GraphKeys.ASSET_FILEPATHS, asset)
        table = tf.compat.v1.lookup.StaticHashTable(
            tf.compat.v1.lookup.TextFileInitializer(
                asset, tf.string, -2, tf.int64, -1, delimiter="\t"
            ),
            -1,
        )
        y = tf.identity(table.lookup(x), name="y")
        builder = tf.compat.v1.saved_model.Builder(str(export_dir))
        sig = tf.compat.v1.saved_model.predict_signature_def({"x": x}, {"y": y})
        builder.add_meta_graph_and_variables(
            sess,
            ["serve"],
            signature_def_map={"serving_default": sig},
            assets_collection=tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.ASSET_FILEPATHS),
            main_op=tf.compat.v1.tables_initializer(),
        )
        builder.add_meta_graph(["serve", "gpu"], signature_def_map={"serving_default": sig})
        builder.save(as_text=True)
    original = (export_dir / "saved_model.pbtxt").read_bytes()
    assert b"type.googleapis.com/tensorflow.AssetFileDef" in original  # an Any in the file
    d = smd.read_saved_model_dir(export_dir)
    assert d.is_text and sorted(map(sorted, d.tag_sets())) == [["gpu", "serve"], ["serve"]]
    assert d.asset_paths() == {"vocab_path:0": str(export_dir / "assets" / "vocab.txt")}
    out = Path(smw.copy_saved_model(export_dir, tmp_path / "copy"))
    assert (out / "saved_model.pbtxt").read_bytes() == original
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        tf.compat.v1.saved_model.load(sess, ["serve"], str(out))
        got = sess.run("y:0", {"x:0": [b"c", b"zz", b"a"]})
    np.testing.assert_array_equal(got, [2, -1, 0])


@pytest.mark.interop
def test_tensorflow_runs_a_signature_we_renamed(tmp_path):
    tf = pytest.importorskip("tensorflow")
    name = "multi_signature"
    sm = smd.read_saved_model(FIXTURES / name)
    signatures = smd.get_meta_graph(sm, "serve").signature_def
    signatures["best_k"].CopyFrom(signatures["top_k"])
    del signatures["top_k"]
    out = Path(smw.copy_saved_model(FIXTURES / name, tmp_path / "renamed", saved_model=sm))
    assert fp_mod.read_fingerprint(out).signature_def_hash != (
        fp_mod.read_fingerprint(FIXTURES / name).signature_def_hash
    )
    expected = np.load(FIXTURES / f"{name}.expected.npz")
    (call,) = [c for c in _signature_calls(name) if c["signature"] == "top_k"]
    feeds = _feeds(call, expected)
    original = _run_v1(tf, FIXTURES / name, call, feeds)
    assert not isinstance(original, str)
    assert _run_v1(tf, out, {**call, "signature": "best_k"}, feeds) == original
    # NOTE: the TF2 object loader takes its signatures from the object graph (the
    # "signatures" object's children), not from signature_def: it still calls it top_k.
    loaded = tf.saved_model.load(str(out))
    assert "top_k" in loaded.signatures and "best_k" not in loaded.signatures
    assert _run_v2(tf, loaded, out, call, feeds) == original
