"""savedmodel.protos against TensorFlow's own compiled schemas (needs TensorFlow).

* Descriptors: every message and enum of every .proto file we ship is compared with the
  descriptor TensorFlow registers for the same full name (fields, numbers, types, labels, oneofs,
  presence, packing, nested types, reserved ranges, enum values).
* Bytes and text: rich messages cross between our classes and TensorFlow's with identical
  deterministic serialization and identical text format (incl. expanded `Any`).
* Both import orders of savedmodel.protos and tensorflow work in one process.

The TF Serving files have no TensorFlow counterpart; they are covered by FORMAT.md's tables and
by hand-encoded bytes in test_predict_request_wire_format.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys

import pytest
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory, text_format

from savedmodel import protos

pytestmark = pytest.mark.interop

OUR_FILES = [
    f.name
    for f in descriptor_pb2.FileDescriptorSet.FromString(
        protos.DESCRIPTOR_SET_PATH.read_bytes()
    ).file
    if not f.name.startswith(("google/protobuf/", "tensorflow_serving/"))
]
TF_MODULE = {"xla/tsl/protobuf/error_codes.proto": "tensorflow.compiler.xla.tsl.protobuf"}
# Our config.proto is deliberately partial (see its header): these TF fields are left out.
LEFT_OUT = {
    "tensorflow.RunOptions": {6, 8},
    "tensorflow.RunMetadata": {1, 2, 5},
}
PARTIAL_FILES = {"tensorflow/core/protobuf/config.proto"}


@pytest.fixture(scope="module")
def tf():
    return pytest.importorskip("tensorflow")


def _tf_file(path: str):
    stem = path.rsplit("/", 1)[1].removesuffix(".proto")
    package = TF_MODULE.get(path, path.rsplit("/", 1)[0].replace("/", "."))
    return importlib.import_module(f"{package}.{stem}_pb2").DESCRIPTOR


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
    theirs = _tf_file(path)
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


# --- byte and text identity ---------------------------------------------------------------------


def _ours(full_name: str):
    return protos.message_class(full_name)


def _theirs(full_name: str):
    for path in OUR_FILES:  # make sure every TF module we compare with is registered
        _tf_file(path)
    return message_factory.GetMessageClass(
        descriptor_pool.Default().FindMessageTypeByName(full_name)
    )


def _tensor(proto) -> None:
    proto.dtype = protos.DT_FLOAT
    proto.tensor_shape.dim.add(size=2)
    proto.tensor_shape.dim.add(size=1, name="batch")
    proto.tensor_content = b"\x00\x00\x80?\x00\x00\x00@"


def build_tensor(cls):
    t = cls("tensorflow.TensorProto")()
    t.dtype = protos.DT_VARIANT
    t.tensor_shape.SetInParent()
    t.version_number = 0
    t.float_val.extend([1.5, -0.0])
    t.double_val.append(2.25)
    t.int_val.extend([-1, 7])
    t.string_val.extend([b"a", b"\xff\x00"])
    t.scomplex_val.extend([1.0, 2.0])
    t.int64_val.append(-(2**40))
    t.bool_val.extend([True, False])
    t.dcomplex_val.extend([3.0, 4.0])
    t.half_val.extend([15360, 16256])
    t.uint32_val.append(2**32 - 1)
    t.uint64_val.append(2**64 - 1)
    t.float8_val = b"\x01\x02\x03"
    h = t.resource_handle_val.add(device="/job:localhost/CPU:0", container="c", name="v")
    h.hash_code = 2**63 + 5
    h.maybe_type_name = "tensorflow::Var"
    ds = h.dtypes_and_shapes.add(dtype=protos.DT_INT64)
    ds.shape.unknown_rank = True
    v = t.variant_val.add(type_name="tensorflow::TensorList", metadata=b"\x01")
    _tensor(v.tensors.add())
    return t


def _structure(cls, sv) -> None:
    tup = sv.tuple_value
    tup.values.add().none_value.SetInParent()
    tup.values.add().float64_value = 0.5
    tup.values.add().int64_value = -3
    tup.values.add().string_value = "s"
    tup.values.add().bool_value = False
    tup.values.add().tensor_shape_value.dim.add(size=-1)
    tup.values.add().tensor_dtype_value = protos.DT_HALF
    spec = tup.values.add().tensor_spec_value
    spec.name, spec.dtype = "x", protos.DT_INT64
    spec.shape.dim.add(size=2)
    bounded = tup.values.add().bounded_tensor_spec_value
    bounded.dtype = protos.DT_INT32
    bounded.shape.SetInParent()
    bounded.minimum.dtype = bounded.maximum.dtype = protos.DT_INT32
    bounded.minimum.int_val.append(0)
    bounded.maximum.int_val.append(9)
    ts = tup.values.add().type_spec_value
    ts.type_spec_class = protos.TypeSpecProto.RAGGED_TENSOR_SPEC
    ts.type_spec_class_name = "RaggedTensorSpec"
    ts.num_flat_components = 2
    ts.type_state.tuple_value.values.add().int64_value = 1
    tup.values.add().list_value.values.add().string_value = "in list"
    d = tup.values.add().dict_value
    d.fields["b"].int64_value = 2
    d.fields["a"].list_value.SetInParent()
    nt = tup.values.add().named_tuple_value
    nt.name = "P"
    nt.values.add(key="z").value.bool_value = True
    nt.values.add(key="a").value.none_value.SetInParent()
    _tensor(tup.values.add().tensor_value)
    _tensor(tup.values.add().numpy_value)


def build_object_graph(cls):
    g = cls("tensorflow.SavedObjectGraph")()
    root = g.nodes.add()
    root.children.add(node_id=1, local_name="v")
    root.dependencies.add(node_id=1, local_name="v")
    root.slot_variables.add(original_variable_node_id=1, slot_name="m", slot_variable_node_id=2)
    root.user_object.identifier = "_generic_user_object"
    root.user_object.version.producer = 1
    root.user_object.version.min_consumer = 1
    root.registered_name = "Custom>Thing"
    root.serialized_user_proto.Pack(cls("tensorflow.VersionDef")(producer=3))
    root.registered_saver = "saver"
    root.saveable_objects["b"].save_function = 4
    root.saveable_objects["a"].restore_function = 5
    var = g.nodes.add().variable
    var.dtype, var.name, var.device = protos.DT_FLOAT, "v", "/CPU:0"
    var.shape.dim.add(size=3)
    var.trainable = True
    var.synchronization = protos.VARIABLE_SYNCHRONIZATION_ON_READ
    var.aggregation = protos.VARIABLE_AGGREGATION_MEAN
    var.experimental_distributed_variable_components.add(name="v/replica_1")
    fn = g.nodes.add().function
    fn.concrete_functions.append("__inference_f_12")
    fn.function_spec.is_method = True
    fn.function_spec.jit_compile = protos.FunctionSpec.ON
    _structure(cls, fn.function_spec.fullargspec)
    fn.function_spec.input_signature.none_value.SetInParent()
    bare = g.nodes.add().bare_concrete_function
    bare.concrete_function_name = "__inference_g_3"
    bare.argument_keywords.extend(["x", "y"])
    bare.allowed_positional_arguments = 1
    g.nodes.add().constant.operation = "Const"
    g.nodes.add().resource.device = "/CPU:0"
    g.nodes.add().asset.asset_file_def_index = 0
    captured = g.nodes.add().captured_tensor
    captured.name, captured.concrete_function = "c", "__inference_f_12"
    cf = g.concrete_functions["__inference_f_12"]
    cf.bound_inputs.extend([1, 2])
    _structure(cls, cf.canonicalized_input_signature)
    cf.output_signature.dict_value.fields["out"].tensor_spec_value.dtype = protos.DT_FLOAT
    g.concrete_functions["__inference_g_3"].SetInParent()
    return g


def _graph(cls, g) -> None:
    node = g.node.add(name="c", op="Const", device="/CPU:0", input=["^init"])
    _tensor(node.attr["value"].tensor)
    node.attr["dtype"].type = protos.DT_FLOAT
    node.attr["s"].s = b"\xff"
    node.attr["i"].i = -5
    node.attr["f"].f = 0.5
    node.attr["b"].b = False
    node.attr["shape"].shape.unknown_rank = True
    node.attr["placeholder"].placeholder = "T"
    node.attr["func"].func.name = "f"
    node.attr["func"].func.attr["n"].i = 1
    lst = node.attr["list"].list
    lst.s.extend([b"a", b"b"])
    lst.i.extend([1, -2])
    lst.f.append(1.5)
    lst.b.extend([True, False])
    lst.type.extend([protos.DT_FLOAT, protos.DT_STRING])
    lst.shape.add().dim.add(size=-1)
    lst.tensor.add(dtype=protos.DT_INT32, int_val=[1])
    lst.func.add(name="g")
    node.attr["empty"].list.SetInParent()
    node.experimental_debug_info.original_node_names.append("orig")
    node.experimental_debug_info.original_func_names.append("orig_f")
    node.experimental_type.type_id = protos.TFT_PRODUCT
    node.experimental_type.args.add(type_id=protos.TFT_TENSOR).args.add(type_id=protos.TFT_FLOAT)
    node.experimental_type.args.add(type_id=protos.TFT_VAR, s="T")
    g.versions.producer, g.versions.min_consumer = 1882, 12
    g.versions.bad_consumers.append(3)
    fn = g.library.function.add()
    fn.signature.name = "f"
    out = fn.signature.output_arg.add(name="out", type=protos.DT_RESOURCE, is_ref=False)
    out.handle_data.add(dtype=protos.DT_FLOAT).shape.dim.add(size=3)
    out.experimental_full_type.type_id = protos.TFT_TENSOR
    fn.signature.input_arg.add(name="x", type_attr="T", number_attr="N", description="d")
    attr = fn.signature.attr.add(name="T", type="type", has_minimum=True, minimum=1)
    attr.allowed_values.list.type.extend([protos.DT_FLOAT, protos.DT_INT32])
    attr.default_value.type = protos.DT_FLOAT
    fn.signature.is_stateful = True
    fn.signature.control_output.append("ctl")
    fn.signature.deprecation.version = 9
    fn.signature.deprecation.explanation = "old"
    fn.node_def.add(name="n", op="Identity", input=["x"])
    fn.ret["out"] = "n:output:0"
    fn.control_ret["ctl"] = "n"
    fn.attr["_noinline"].b = True
    fn.arg_attr[0].attr["_user_specified_name"].s = b"x"
    fn.arg_attr[3].attr["_output_shapes"].list.shape.add()
    fn.resource_arg_unique_id[0] = 5
    fn.resource_arg_unique_id[2] = 1
    g.library.gradient.add(function_name="f", gradient_func="f_grad")
    g.library.registered_gradients.add(gradient_func="gf", registered_op_type="Op")
    dbg = g.debug_info
    dbg.files.append("model.py")
    dbg.frames_by_id[9].line = 3
    dbg.frames_by_id[2].file_index = 0
    dbg.frames_by_id[2].func = "call"
    dbg.traces_by_id[1].frame_id.extend([9, 2])
    dbg.name_to_trace_id["c@f"] = 1
    dbg.traces["old"].file_line_cols.add(line=1, col=0, code="x = 1")


def build_meta_graph(cls):
    mg = cls("tensorflow.MetaGraphDef")()
    info = mg.meta_info_def
    info.meta_graph_version = "v2.21.0"
    info.tags.extend(["serve", "gpu"])
    info.tensorflow_version = "2.21.0"
    info.tensorflow_git_version = "v2.21.0-0-g0"
    info.stripped_default_attrs = True
    info.function_aliases["b_fn"] = "alias_b"
    info.function_aliases["a_fn"] = "alias_a"
    info.any_info.Pack(cls("tensorflow.VersionDef")(producer=7))
    info.stripped_op_list.op.add(name="NoOp")
    _graph(cls, mg.graph_def)
    saver = mg.saver_def
    saver.filename_tensor_name, saver.save_tensor_name = "save/Const:0", "save/Identity:0"
    saver.restore_op_name, saver.max_to_keep, saver.sharded = "save/restore_all", 5, True
    saver.keep_checkpoint_every_n_hours = 10000.0
    saver.version = protos.SaverDef.V2
    asset = cls("tensorflow.AssetFileDef")(filename="vocab.txt")
    asset.tensor_info.name = "Const_1:0"
    mg.collection_def["saved_model_assets"].any_list.value.add().Pack(asset)
    mg.collection_def["variables"].bytes_list.value.append(b"\n\x01v")
    mg.collection_def["train_op"].node_list.value.append("init")
    mg.collection_def["ints"].int64_list.value.extend([1, -1])
    mg.collection_def["floats"].float_list.value.append(0.25)
    sig = mg.signature_def["serving_default"]
    sig.method_name = "tensorflow/serving/predict"
    x = sig.inputs["x"]
    x.name, x.dtype = "x:0", protos.DT_FLOAT
    x.tensor_shape.dim.add(size=-1)
    sp = sig.outputs["sparse"]
    sp.dtype = protos.DT_FLOAT
    sp.coo_sparse.values_tensor_name = "sp/values:0"
    sp.coo_sparse.indices_tensor_name = "sp/indices:0"
    sp.coo_sparse.dense_shape_tensor_name = "sp/shape:0"
    ct = sig.outputs["ragged"].composite_tensor
    ct.type_spec.type_spec_class = protos.TypeSpecProto.RAGGED_TENSOR_SPEC
    ct.components.add(name="rg/flat_values:0", dtype=protos.DT_INT32)
    _tensor(sig.defaults["x"])
    init = mg.signature_def["__saved_model_init_op"].outputs["__saved_model_init_op"]
    init.name = "NoOp"
    init.tensor_shape.unknown_rank = True
    mg.asset_file_def.append(asset)
    mg.object_graph_def.CopyFrom(build_object_graph(cls))
    return mg


def build_saved_model(cls):
    sm = cls("tensorflow.SavedModel")(saved_model_schema_version=1)
    sm.meta_graphs.append(build_meta_graph(cls))
    return sm


def build_checkpoint_protos(cls):
    tog = cls("tensorflow.TrackableObjectGraph")()
    node = tog.nodes.add()
    node.children.add(node_id=1, local_name="v")
    node.attributes.add(name="VARIABLE_VALUE", full_name="v", checkpoint_key="v/.ATTRIBUTES")
    node.slot_variables.add(original_variable_node_id=1, slot_name="m", slot_variable_node_id=2)
    node.registered_saver.name = "s"
    node.has_checkpoint_values.value = False  # present-but-false, as TF writes it
    entry = cls("tensorflow.BundleEntryProto")(dtype=protos.DT_FLOAT, shard_id=1, offset=8, size=4)
    entry.shape.SetInParent()
    entry.crc32c = 0xFFFFFFFF
    ext = entry.slices.add().extent
    ext.add(start=0, length=2)
    ext.add(start=1)
    header = cls("tensorflow.BundleHeaderProto")(num_shards=2)
    header.endianness = protos.BundleHeaderProto.BIG
    header.version.producer = 1
    fp = cls("tensorflow.FingerprintDef")(saved_model_checksum=2**64 - 1, uuid="u")
    fp.graph_def_program_hash, fp.signature_def_hash = 1, 2
    fp.saved_object_graph_hash, fp.checkpoint_hash = 3, 4
    fp.version.producer = 2
    var = cls("tensorflow.VariableDef")(variable_name="v:0", is_resource=True, trainable=True)
    var.save_slice_info_def.full_name = "v"
    var.save_slice_info_def.full_shape.extend([4, 2])
    var.save_slice_info_def.var_offset.extend([2, 0])
    var.save_slice_info_def.var_shape.extend([2, 2])
    var.synchronization = protos.VARIABLE_SYNCHRONIZATION_ON_WRITE
    var.aggregation = protos.VARIABLE_AGGREGATION_SUM
    # Pack them into one carrier so a single comparison covers all of them.
    carrier = cls("tensorflow.CollectionDef")()
    for msg in (tog, entry, header, fp, var):
        carrier.any_list.value.add().Pack(msg)
    return carrier


def build_examples(cls):
    se = cls("tensorflow.SequenceExample")()
    se.context.feature["age"].int64_list.value.extend([29, -1])
    se.context.feature["name"].bytes_list.value.append(b"n")
    se.context.feature["w"].float_list.value.append(0.5)
    se.context.feature["empty"].SetInParent()
    fl = se.feature_lists.feature_list["tokens"]
    fl.feature.add().bytes_list.value.extend([b"a", b"b"])
    fl.feature.add().float_list.SetInParent()
    return se


def build_keras_metadata(cls):
    md = cls("third_party.py.tf_keras.protobuf.SavedMetadata")()
    node = md.nodes.add(node_id=0, node_path="root", identifier="_tf_keras_model")
    node.metadata = '{"name": "m"}'
    node.version.producer = 2
    node.version.min_consumer = 1
    node.version.bad_consumers.append(0)
    return md


BUILDERS = [
    build_tensor,
    build_object_graph,
    build_meta_graph,
    build_saved_model,
    build_checkpoint_protos,
    build_examples,
    build_keras_metadata,
]


@pytest.mark.parametrize("build", BUILDERS, ids=lambda b: b.__name__)
def test_bytes_and_text_identical_to_tensorflow(tf, build):
    ours = build(_ours)
    theirs = build(_theirs)
    ours_bytes = ours.SerializeToString(deterministic=True)
    assert ours_bytes == theirs.SerializeToString(deterministic=True)
    # ours -> TF -> bytes, and TF -> ours -> bytes
    parsed_by_tf = type(theirs).FromString(ours_bytes)
    assert parsed_by_tf.SerializeToString(deterministic=True) == ours_bytes
    parsed_by_us = type(ours).FromString(theirs.SerializeToString(deterministic=True))
    assert parsed_by_us.SerializeToString(deterministic=True) == ours_bytes
    # text format: identical output, and each side parses the other's
    tf_text = text_format.MessageToString(theirs)
    assert protos.to_text(ours) == tf_text
    assert protos.to_text(parsed_by_us) == tf_text
    assert protos.parse_text(tf_text, type(ours)()) == ours
    if build in (build_object_graph, build_meta_graph, build_saved_model, build_checkpoint_protos):
        assert "[type.googleapis.com/tensorflow." in tf_text  # Any printed expanded
    assert text_format.Parse(protos.to_text(ours), type(theirs)()) == theirs


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
    theirs = text_format.Parse(text, _theirs("tensorflow.SavedModel")())
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
