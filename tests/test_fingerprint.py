"""fingerprint.pb: our FingerprintDef equals the one TensorFlow wrote, field by field."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from savedmodel import errors, protos
from savedmodel.formats import fingerprint as fp_mod
from savedmodel.formats.canonical import canonical_serialize
from savedmodel.formats.saved_model_dir import read_saved_model
from savedmodel.formats.saved_model_writer import copy_saved_model

FIXTURES = Path(__file__).parent / "fixtures" / "saved_models"
WITH_FINGERPRINT = sorted(
    p.name for p in FIXTURES.iterdir() if (p / fp_mod.FINGERPRINT_FILENAME).is_file()
)
HASHES = (
    "saved_model_checksum",
    "graph_def_program_hash",
    "signature_def_hash",
    "saved_object_graph_hash",
    "checkpoint_hash",
)


def test_fixtures_have_fingerprints():
    # TF2 writers (tf.saved_model.save, Keras) write fingerprint.pb; guard against an empty
    # parametrization silently passing.
    assert len(WITH_FINGERPRINT) >= 5


@pytest.mark.parametrize("name", WITH_FINGERPRINT)
def test_computed_fingerprint_equals_tensorflows(name):
    export_dir = FIXTURES / name
    ours = fp_mod.create_fingerprint(read_saved_model(export_dir), export_dir)
    theirs = fp_mod.read_fingerprint(export_dir)
    for field in HASHES:
        assert getattr(ours, field) == getattr(theirs, field), field
    assert ours.version.producer == theirs.version.producer == fp_mod.FINGERPRINT_PRODUCER
    assert fp_mod.singleprint(ours) == fp_mod.singleprint(export_dir)
    # The uuid is random per save; only its form can match.
    assert theirs.uuid.isdigit() and ours.uuid.isdigit()
    assert 20 <= len(ours.uuid) <= 39


def test_singleprint_format():
    fp = protos.FingerprintDef(
        saved_model_checksum=9,
        graph_def_program_hash=1,
        signature_def_hash=2,
        saved_object_graph_hash=3,
        checkpoint_hash=18446744073709551615,
    )
    assert fp_mod.singleprint(fp) == "1/2/3/18446744073709551615"


def test_create_fingerprint_checkpoint_sources(tmp_path):
    export_dir = FIXTURES / WITH_FINGERPRINT[0]
    sm = read_saved_model(export_dir)
    index = (export_dir / "variables" / "variables.index").read_bytes()
    from_dir = fp_mod.create_fingerprint(sm, export_dir, uuid="1")
    from_bytes = fp_mod.create_fingerprint(sm, checkpoint_index=index, uuid="1")
    assert from_dir == from_bytes
    assert from_dir.checkpoint_hash == fp_mod.read_fingerprint(export_dir).checkpoint_hash
    # No checkpoint at all hashes to 0, like TF for a directory without variables.index.
    assert fp_mod.create_fingerprint(sm).checkpoint_hash == 0
    assert fp_mod.checkpoint_hash(tmp_path) == 0


def test_create_fingerprint_needs_a_meta_graph():
    with pytest.raises(errors.InvalidArgumentError):
        fp_mod.create_fingerprint(protos.SavedModel())


@pytest.mark.parametrize(
    ("name", "uid", "stripped"),
    [
        ("__inference_serve_123", 123, "__inference_serve_"),
        ("42", 42, ""),
        ("f_007", 7, "f_00"),  # TF strips the decimal form of the UID, not the raw suffix
        ("f_+5", 5, "f_+"),
        ("f_-3", -3, "f_"),
        ("f_ 8 ", 8, "f_ 8 "),  # accepted as 8 (whitespace), but " 8 " does not end in "8"
        ("f_abc", None, None),
        ("f_", None, None),
        ("f_1x", None, None),
        ("f_99999999999999999999", None, None),  # beyond int64
        ("f_١٢", None, None),  # only ASCII digits
    ],
)
def test_suffix_uid(name, uid, stripped):
    assert fp_mod.suffix_uid(name) == uid
    if uid is not None:
        assert fp_mod._strip_uid(name, uid) == stripped


def test_regularize_graph_def():
    g = protos.GraphDef()
    call = g.node.add(name="call", op="StatefulPartitionedCall")
    call.attr["f"].func.name = "__inference_serve_42"
    call.attr["config_proto"].s = b"\n\x07\n\x03CPU\x10\x01"
    call.attr["Tin"].list.type.append(protos.DT_FLOAT)
    call2 = g.node.add(name="call2", op="PartitionedCall")
    call2.attr["f"].func.name = "no_uid_here"
    s = g.node.add(name="s", op="Const")
    s.attr["dtype"].type = protos.DT_STRING
    s.attr["value"].tensor.string_val.append(b"platform dependent")
    c = g.node.add(name="c", op="Const")
    c.attr["dtype"].type = protos.DT_FLOAT
    c.attr["value"].tensor.float_val.append(1.0)
    g.library.function.add().signature.name = "__inference_serve_42"
    g.versions.producer = 2474
    original = g.SerializeToString()

    r = fp_mod.regularize_graph_def(g)
    assert g.SerializeToString() == original  # a copy is regularized, not the input
    assert r.node[0].attr["f"].func.name == "__inference_serve_"
    assert r.node[0].attr["config_proto"].s == b""
    assert r.node[0].attr["config_proto"].WhichOneof("value") == "s"  # the attr stays
    assert r.node[0].attr["Tin"] == call.attr["Tin"]
    assert r.node[1].attr["f"].func.name == "no_uid_here"
    assert "value" in r.node[2].attr and r.node[2].attr["value"].WhichOneof("value") is None
    assert r.node[3].attr["value"] == c.attr["value"]
    # library and versions: present but empty (serialized as 12 00 and 22 00).
    assert r.HasField("library") and r.HasField("versions")
    assert r.SerializeToString().endswith(b"\x12\x00\x22\x00")


def test_saved_object_graph_hash():
    og = protos.SavedObjectGraph()
    assert fp_mod.saved_object_graph_hash(og) == 0
    og.concrete_functions["__inference_f_10"].bound_inputs.append(1)
    og.concrete_functions["__inference_g_9"].bound_inputs.append(2)
    h = fp_mod.saved_object_graph_hash(og)
    # Renumbering UIDs without changing their order leaves the hash unchanged.
    og2 = protos.SavedObjectGraph()
    og2.concrete_functions["__inference_f_20"].bound_inputs.append(1)
    og2.concrete_functions["__inference_g_3"].bound_inputs.append(2)
    assert fp_mod.saved_object_graph_hash(og2) == h
    og.concrete_functions["bad_name"].SetInParent()
    with pytest.raises(errors.InvalidArgumentError, match="does not end in an integer"):
        fp_mod.saved_object_graph_hash(og)


def test_read_fingerprint_errors(tmp_path):
    with pytest.raises(errors.NotFoundError):
        fp_mod.read_fingerprint(tmp_path)
    (tmp_path / "fingerprint.pb").write_bytes(b"\x0a\xff")  # truncated length-delimited field
    with pytest.raises(errors.DataLossError, match="fingerprint.pb"):
        fp_mod.read_fingerprint(tmp_path)
    (tmp_path / "fingerprint.pb").unlink()
    (tmp_path / "fingerprint.pb").mkdir()
    with pytest.raises(errors.DataLossError, match="fingerprint.pb"):
        fp_mod.read_fingerprint(tmp_path)


# -- canonical serialization ---------------------------------------------------------------


def _map_heavy_function() -> protos.FunctionDef:
    f = protos.FunctionDef()
    f.signature.name = "f"
    for k in (3, 0, 10, 2):
        f.arg_attr[k].attr["_user_specified_name"].s = b"x%d" % k
        f.resource_arg_unique_id[k] = 100 - k
    for k in ("AssignVariableOp_1", "AssignVariableOp", "b", "a", "ab", "aa", "", "abc", "é"):
        f.control_ret[k] = "op_" + k
        f.ret[k] = k + ":0"
    n = f.node_def.add(name="call", op="PartitionedCall")
    n.attr["f"].func.name = "g"
    for k in ("x_1", "x", "x_10", "y"):
        n.attr["f"].func.attr[k].i = len(k)
        n.attr[k].list.func.add(name=k).attr["z" + k].b = True
    return f


def _fields(data: bytes) -> list[tuple[int, bytes | int]]:
    """Top-level (field number, value) records of a message, in wire order (test helper)."""
    out = []
    pos = 0

    def varint() -> int:
        nonlocal pos
        value = shift = 0
        while True:
            b = data[pos]
            pos += 1
            value |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                return value

    while pos < len(data):
        tag = varint()
        if tag & 7 == 0:
            out.append((tag >> 3, varint()))
        else:
            assert tag & 7 == 2
            n = varint()
            out.append((tag >> 3, data[pos : pos + n]))
            pos += n
    return out


def _map_keys(data: bytes, number: int) -> list:
    """Keys of map field `number`, in the order the entries are serialized."""
    return [dict(_fields(entry)).get(1) for n, entry in _fields(data) if n == number]


def _only(data: bytes, number: int) -> bytes:
    return next(v for n, v in _fields(data) if n == number)


def test_canonical_serialize_sorts_maps_like_cpp():
    f = _map_heavy_function()
    data = canonical_serialize(f)
    assert protos.FunctionDef.FromString(data) == f
    # Map entries always carry their key, even a default one.
    assert _map_keys(data, 7) == [0, 2, 3, 10]  # arg_attr
    assert _map_keys(data, 8) == [0, 2, 3, 10]  # resource_arg_unique_id
    # Bytewise ascending: a prefix comes first ("a" < "aa" < "ab" < "abc"), UTF-8 last.
    control_ret = [b"", b"AssignVariableOp", b"AssignVariableOp_1", b"a", b"aa", b"ab", b"abc"]
    control_ret += [b"b", "é".encode()]
    assert _map_keys(data, 6) == control_ret  # control_ret
    assert _map_keys(data, 4) == control_ret  # ret
    node = _only(data, 3)
    assert _map_keys(node, 5) == [b"f", b"x", b"x_1", b"x_10", b"y"]
    func = _only(_map_values(node, 5)[0], 10)
    assert _map_keys(func, 2) == [b"x", b"x_1", b"x_10", b"y"]


def _map_values(data: bytes, number: int) -> list[bytes]:
    return [dict(_fields(entry)).get(2, b"") for n, entry in _fields(data) if n == number]


_PURE_PYTHON_SERIALIZER = """
import json, sys
from savedmodel import protos
for name, hex_data in json.load(sys.stdin):
    msg = protos.message_class(name).FromString(bytes.fromhex(hex_data))
    print(msg.SerializeToString(deterministic=True).hex())
"""


def test_canonical_serialize_equals_pure_python_protobuf():
    # The pure-Python protobuf runtime sorts map keys like C++ (ints numerically, strings by
    # code point = UTF-8 bytes); it is an independent reference for our byte-level re-sort.
    messages = [_map_heavy_function()]
    messages += [read_saved_model(FIXTURES / n) for n in WITH_FINGERPRINT[:3]]
    payload = json.dumps([(m.DESCRIPTOR.full_name, m.SerializeToString().hex()) for m in messages])
    env = dict(os.environ, PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION="python")
    out = subprocess.run(
        [sys.executable, "-c", _PURE_PYTHON_SERIALIZER],
        input=payload,
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout.split()
    assert len(out) == len(messages)
    for m, ref in zip(messages, out, strict=True):
        assert canonical_serialize(m) == bytes.fromhex(ref), m.DESCRIPTOR.full_name


def test_canonical_serialize_keeps_unknown_fields():
    f = protos.FunctionDef()
    f.control_ret["b"] = "1"
    f.control_ret["a"] = "2"
    # An unknown group (field 99) and an unknown varint ride along untouched.
    extra = b"\x9b\x06\x08\x01\x9c\x06" + b"\xa0\x06\x05"
    g = protos.FunctionDef.FromString(f.SerializeToString() + extra)
    data = canonical_serialize(g)
    assert data.endswith(extra)
    assert _map_keys(data[: -len(extra)], 6) == [b"a", b"b"]


# -- against live TensorFlow ---------------------------------------------------------------


@pytest.fixture(scope="module")
def tf():
    return pytest.importorskip("tensorflow")


@pytest.mark.interop
def test_tensorflow_reads_our_fingerprint(tf, tmp_path):
    for name in WITH_FINGERPRINT:
        out = copy_saved_model(FIXTURES / name, tmp_path / name)
        ours = fp_mod.read_fingerprint(out)
        theirs = tf.saved_model.experimental.read_fingerprint(out)
        for field in HASHES:
            assert getattr(theirs, field) == getattr(ours, field), (name, field)
        assert theirs.version.producer == fp_mod.FINGERPRINT_PRODUCER
        assert theirs.singleprint() == fp_mod.singleprint(ours)


@pytest.mark.interop
def test_fingerprint_of_live_models_with_tricky_maps(tf, tmp_path):
    """Signature keys and map keys that are prefixes of each other, integer-keyed maps."""
    from tensorflow.python.saved_model.pywrap_saved_model import fingerprinting as tf_fp

    class Prefixes(tf.Module):
        def __init__(self):
            self.v = tf.Variable([1.0, 2.0])

        @tf.function(
            input_signature=[
                tf.TensorSpec([None], tf.float32, name="x"),
                tf.TensorSpec([None], tf.float32, name="x_1"),
            ]
        )
        def serve(self, x, x_1):
            self.v.assign_add(x[:2] * 0.0)
            return {"y": x + x_1, "y_1": x - x_1, "y_10": x * self.v[0], "": x_1}

    m = Prefixes()
    export_dir = tmp_path / "prefixes"
    tf.saved_model.save(
        m,
        str(export_dir),
        signatures={"serving": m.serve, "serving_1": m.serve, "s": m.serve.get_concrete_function()},
    )
    sm = read_saved_model(export_dir)
    ours = fp_mod.create_fingerprint(sm, export_dir)
    theirs = fp_mod.read_fingerprint(export_dir)
    for field in HASHES:
        assert getattr(ours, field) == getattr(theirs, field), field
    # TF's own fingerprinting, run on a model whose proto we rewrote, agrees with ours.
    out = copy_saved_model(export_dir, tmp_path / "copy")
    recomputed = protos.FingerprintDef.FromString(tf_fp.CreateFingerprintDef(str(out)))
    written = fp_mod.read_fingerprint(out)
    for field in HASHES:
        assert getattr(recomputed, field) == getattr(written, field), field
