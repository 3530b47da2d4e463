"""savedmodel.protos against TensorFlow's own compiled schemas (needs TensorFlow).

* Descriptors: every message and enum of every .proto file we ship is compared with the
  descriptor TensorFlow registers for the same full name (fields, numbers, types, labels, oneofs,
  presence, packing, nested types, reserved ranges, enum values).
* Files TensorFlow writes (saved_model.pb, fingerprint.pb, saved_model.pbtxt, an exported
  MetaGraphDef in text) come out identical after our parse and serialize/print.
* Both import orders of savedmodel.protos and tensorflow work in one process.

Rich hand-built messages are compared in tests/test_protos_wire.py. The TF Serving files have no
TensorFlow counterpart; tests/test_protos.py checks their wire format by hand-encoded bytes.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from _tf_protos import OUR_FILES, tf_file, tf_message_class
from google.protobuf import descriptor_pb2, descriptor_pool, text_format

from savedmodel import protos

pytestmark = pytest.mark.interop

# Our config.proto is deliberately partial (see its header): these TF fields are left out.
LEFT_OUT = {
    "tensorflow.RunOptions": {6, 8},
    "tensorflow.RunMetadata": {1, 2, 5},
}
PARTIAL_FILES = {"tensorflow/core/protobuf/config.proto"}


@pytest.fixture(scope="module")
def tf():
    return pytest.importorskip("tensorflow")


def _field_sig(f) -> tuple:
    scalar_default = None if f.is_repeated or f.message_type else f.default_value
    return (
        f.name,
        f.type,
        f.is_repeated,
        f.is_required,
        f.message_type.full_name if f.message_type else None,
        f.enum_type.full_name if f.enum_type else None,
        f.containing_oneof.name if f.containing_oneof else None,
        f.has_presence,
        f.is_packed,
        f.json_name,
        scalar_default,
        f.GetOptions().deprecated,
    )


def _reserved(desc, proto_cls) -> tuple:
    p = proto_cls()
    desc.CopyToProto(p)
    return [(r.start, r.end) for r in p.reserved_range], list(p.reserved_name)


def _compare_enum(ours, theirs) -> None:
    assert ours.full_name == theirs.full_name
    values = [(v.name, v.number, v.GetOptions().deprecated) for v in ours.values]
    assert values == [(v.name, v.number, v.GetOptions().deprecated) for v in theirs.values]
    assert ours.GetOptions().deprecated == theirs.GetOptions().deprecated
    cls = descriptor_pb2.EnumDescriptorProto
    assert _reserved(ours, cls) == _reserved(theirs, cls), ours.full_name


def _compare_message(ours, theirs) -> int:
    name = ours.full_name
    assert name == theirs.full_name
    left_out = LEFT_OUT.get(name, set())
    theirs_fields = {f.number: f for f in theirs.fields if f.number not in left_out}
    assert left_out <= {f.number for f in theirs.fields}, name
    assert sorted(f.number for f in ours.fields) == sorted(theirs_fields), name
    for f in ours.fields:
        assert _field_sig(f) == _field_sig(theirs_fields[f.number]), f"{name}.{f.name}"
    assert {o.name for o in ours.oneofs} <= {o.name for o in theirs.oneofs}, name
    if not left_out:
        assert {o.name for o in ours.oneofs} == {o.name for o in theirs.oneofs}, name
    assert ours.GetOptions().map_entry == theirs.GetOptions().map_entry, name
    assert _reserved(ours, descriptor_pb2.DescriptorProto) == _reserved(
        theirs, descriptor_pb2.DescriptorProto
    ), name
    count = 1
    theirs_nested = theirs.nested_types_by_name
    if not left_out:
        assert set(ours.nested_types_by_name) == set(theirs_nested), name
    for nested_name, nested in ours.nested_types_by_name.items():
        count += _compare_message(nested, theirs_nested[nested_name])
    assert set(ours.enum_types_by_name) == set(theirs.enum_types_by_name), name
    for enum_name, enum in ours.enum_types_by_name.items():
        _compare_enum(enum, theirs.enum_types_by_name[enum_name])
    return count


@pytest.mark.parametrize("path", OUR_FILES)
def test_descriptors_match_tensorflow(tf, path):
    ours = protos.POOL.FindFileByName(path)
    theirs = tf_file(path)
    assert theirs.pool is descriptor_pool.Default() and ours.pool is protos.POOL
    assert (ours.name, ours.package) == (theirs.name, theirs.package)
    ours_proto, theirs_proto = (
        descriptor_pb2.FileDescriptorProto(),
        descriptor_pb2.FileDescriptorProto(),
    )
    ours.CopyToProto(ours_proto)
    theirs.CopyToProto(theirs_proto)
    assert ours_proto.syntax == theirs_proto.syntax
    assert [d.name for d in ours.public_dependencies] == [
        d.name for d in theirs.public_dependencies
    ]
    if path in PARTIAL_FILES:
        assert set(ours.message_types_by_name) <= set(theirs.message_types_by_name)
    else:
        assert [d.name for d in ours.dependencies] == [d.name for d in theirs.dependencies]
        assert set(ours.message_types_by_name) == set(theirs.message_types_by_name)
    assert set(ours.enum_types_by_name) == set(theirs.enum_types_by_name)
    assert not theirs.services_by_name
    for name, msg in ours.message_types_by_name.items():
        _compare_message(msg, theirs.message_types_by_name[name])
    for name, enum in ours.enum_types_by_name.items():
        _compare_enum(enum, theirs.enum_types_by_name[name])


def test_tensorflow_written_saved_models(tf, tmp_path):
    """Files TensorFlow writes: same bytes after our parse/serialize, same text as its .pbtxt."""
    # TF2: saved_model.pb is written with deterministic serialization, fingerprint.pb by C++.
    module = tf.Module()
    module.v = tf.Variable([1.0, 2.0])
    module.f = tf.function(lambda x: x * module.v, input_signature=[tf.TensorSpec([2])])
    tf.saved_model.save(module, str(tmp_path / "tf2"), signatures=module.f)
    for name, cls in (
        ("saved_model.pb", protos.SavedModel),
        ("fingerprint.pb", protos.FingerprintDef),
    ):
        data = (tmp_path / "tf2" / name).read_bytes()
        assert cls.FromString(data).SerializeToString(deterministic=True) == data, name

    # TF1: Builder.save(as_text=True) writes str(saved_model) (upb's printer: raw Any); then
    # export_meta_graph(as_text=True) writes text_format.MessageToString (expanded Any).
    (tmp_path / "vocab.txt").write_text("a\nb\n")
    v1 = tf.compat.v1
    with tf.Graph().as_default(), v1.Session() as sess:
        x = v1.placeholder(tf.float32, [None], name="x")
        w = v1.get_variable("w", initializer=2.0, use_resource=False)
        v1.add_to_collection(
            v1.GraphKeys.ASSET_FILEPATHS,
            tf.constant(str(tmp_path / "vocab.txt"), name="asset_path"),
        )
        sess.run(v1.global_variables_initializer())
        builder = v1.saved_model.Builder(str(tmp_path / "tf1"))
        builder.add_meta_graph_and_variables(
            sess,
            ["serve"],
            signature_def_map={
                "serving_default": v1.saved_model.predict_signature_def({"x": x}, {"y": x * w})
            },
            assets_collection=v1.get_collection(v1.GraphKeys.ASSET_FILEPATHS),
        )
        builder.save(as_text=True)
        v1.train.export_meta_graph(str(tmp_path / "graph.pbtxt"), as_text=True)

    text = (tmp_path / "tf1" / "saved_model.pbtxt").read_text()
    assert 'type_url: "type.googleapis.com/tensorflow.AssetFileDef"' in text
    ours = protos.parse_text(text, protos.SavedModel())
    theirs = text_format.Parse(text, tf_message_class("tensorflow.SavedModel")())
    assert str(ours) == text
    assert protos.to_text(ours) == text_format.MessageToString(theirs)
    assert ours.SerializeToString(deterministic=True) == theirs.SerializeToString(
        deterministic=True
    )

    text = (tmp_path / "graph.pbtxt").read_text()
    assert "[type.googleapis.com/tensorflow.AssetFileDef] {" in text
    assert protos.to_text(protos.parse_text(text, protos.MetaGraphDef())) == text


_BOTH_ORDERS = """
import sys
from google.protobuf import text_format
first, second = sys.argv[1:]
if first == "ours":
    from savedmodel import protos
    import tensorflow as tf
else:
    import tensorflow as tf
    from savedmodel import protos
from tensorflow.core.protobuf import meta_graph_pb2
assert protos.MetaGraphDef is not meta_graph_pb2.MetaGraphDef
m = protos.MetaGraphDef()
m.collection_def["a"].any_list.value.add().Pack(protos.AssetFileDef(filename="f"))
t = meta_graph_pb2.MetaGraphDef.FromString(m.SerializeToString(deterministic=True))
assert text_format.MessageToString(t) == protos.to_text(m), protos.to_text(m)
assert tf.constant(1.0).dtype == tf.float32
print("ok")
"""


@pytest.mark.parametrize("first", ["ours", "tensorflow"])
def test_import_order_with_tensorflow(tf, first):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    out = subprocess.run(
        [sys.executable, "-c", _BOTH_ORDERS, first, ""],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-3000:]
