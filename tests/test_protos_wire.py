"""Byte and text identity of savedmodel.protos messages with TensorFlow's (needs TensorFlow).

Each builder fills a rich message through a class lookup function, once with our classes and once
with TensorFlow's: deterministic serialization must be identical, each side must parse the other's
bytes back to the same bytes, and text format (with `Any` expanded) must be identical both ways.
"""

from __future__ import annotations

import pytest
from _tf_protos import tf_message_class
from google.protobuf import text_format

from savedmodel import protos

pytestmark = pytest.mark.interop


@pytest.fixture(scope="module")
def tf():
    return pytest.importorskip("tensorflow")


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


def _structure(sv) -> None:
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
    _structure(fn.function_spec.fullargspec)
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
    _structure(cf.canonicalized_input_signature)
    cf.output_signature.dict_value.fields["out"].tensor_spec_value.dtype = protos.DT_FLOAT
    g.concrete_functions["__inference_g_3"].SetInParent()
    return g


def _graph(g) -> None:
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
    _graph(mg.graph_def)
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
    ours = build(protos.message_class)
    theirs = build(tf_message_class)
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
