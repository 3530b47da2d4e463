"""savedmodel.protos without TensorFlow: names, private pool, Any, text format, generated files.

The comparison against TensorFlow's own descriptors and the byte/text identity checks live in
tests/test_protos_interop.py.
"""

from __future__ import annotations

import importlib.util
import struct
import sys
from pathlib import Path

import pytest
from google.protobuf import descriptor_pb2, descriptor_pool

from savedmodel import errors, protos

REPO = Path(__file__).resolve().parent.parent


def _load_gen_protos():
    spec = importlib.util.spec_from_file_location("gen_protos", REPO / "tools" / "gen_protos.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("gen_protos", module)
    spec.loader.exec_module(module)
    return module


gen_protos = _load_gen_protos()

COMMITTED_SET = descriptor_pb2.FileDescriptorSet.FromString(protos.DESCRIPTOR_SET_PATH.read_bytes())
NAMESPACES = {
    "tensorflow": protos,
    "google.protobuf": protos,
    "tensorflow.serving": protos.serving,
    "tensorflow.error": protos.error,
    "third_party.py.tf_keras.protobuf": protos.keras,
}


def test_private_pool_not_default():
    assert protos.POOL is not descriptor_pool.Default()
    assert protos.SavedModel.DESCRIPTOR.file.pool is protos.POOL
    assert protos.serving.PredictRequest.DESCRIPTOR.file.pool is protos.POOL


def test_every_top_level_symbol_is_exposed():
    checked = 0
    for file_proto in COMMITTED_SET.file:
        if file_proto.package == "tensorflow.error.dummy":
            continue
        ns = NAMESPACES[file_proto.package]
        for m in file_proto.message_type:
            cls = getattr(ns, m.name)
            assert cls.DESCRIPTOR.full_name == f"{file_proto.package}.{m.name}"
            assert cls is protos.message_class(f"{file_proto.package}.{m.name}")
            checked += 1
        for e in file_proto.enum_type:
            wrapper = getattr(ns, e.name)
            assert wrapper.DESCRIPTOR.full_name == f"{file_proto.package}.{e.name}"
            for v in e.value:
                assert getattr(ns, v.name) == v.number
                assert wrapper.Value(v.name) == v.number
            checked += 1
        for s in file_proto.service:
            assert getattr(ns, s.name).full_name == f"{file_proto.package}.{s.name}"
    assert checked > 130


def test_names_nested_classes_and_enums():
    assert protos.DataType.Name(1) == "DT_FLOAT"
    assert protos.DataType.Value("DT_BFLOAT16") == protos.DT_BFLOAT16 == 14
    assert protos.DT_FLOAT_REF == 101
    assert protos.DT_FLOAT4_E2M1FN == 33
    assert protos.MetaGraphDef.MetaInfoDef.DESCRIPTOR.full_name == (
        "tensorflow.MetaGraphDef.MetaInfoDef"
    )
    assert protos.SaverDef.V2 == 2
    assert protos.SaverDef.CheckpointFormatVersion.Name(1) == "V1"
    assert protos.TypeSpecProto.EXTENSION_TYPE_SPEC == 13
    assert protos.BundleHeaderProto.BIG == 1
    assert protos.FunctionSpec.JitCompile.Name(2) == "OFF"
    assert protos.VARIABLE_AGGREGATION_ONLY_FIRST_REPLICA == 3
    assert protos.TFT_LEGACY_VARIANT == 10203
    assert protos.serving.ModelVersionStatus.AVAILABLE == 30
    assert protos.serving.PredictStreamedOptions.END_SPLIT == 2
    assert protos.keras.SavedMetadata.DESCRIPTOR.full_name == (
        "third_party.py.tf_keras.protobuf.SavedMetadata"
    )
    assert protos.keras.SavedObject is not protos.SavedObject


def test_error_codes_agree_with_errors_module():
    for name, number in protos.error.Code.items():
        if not name.startswith("DO_NOT_USE"):
            assert getattr(errors, name) == number, name


def test_services():
    svc = protos.serving.PredictionService
    assert svc.full_name == "tensorflow.serving.PredictionService"
    predict = svc.methods_by_name["Predict"]
    assert predict.input_type is protos.serving.PredictRequest.DESCRIPTOR
    assert predict.output_type is protos.serving.PredictResponse.DESCRIPTOR
    assert sorted(svc.methods_by_name) == [
        "Classify",
        "GetModelMetadata",
        "MultiInference",
        "Predict",
        "Regress",
    ]
    assert sorted(protos.serving.ModelService.methods_by_name) == [
        "GetModelStatus",
        "HandleReloadConfigRequest",
    ]
    assert list(protos.serving.SessionService.methods_by_name) == ["SessionRun"]


def test_lookup_errors():
    with pytest.raises(errors.NotFoundError, match="tensorflow.Nope"):
        protos.message_class("tensorflow.Nope")
    with pytest.raises(errors.NotFoundError):
        protos.enum_type("tensorflow.Nope")
    with pytest.raises(errors.NotFoundError):
        protos.service("tensorflow.Nope")


def test_any_pack_unpack_is():
    asset = protos.AssetFileDef(filename="vocab.txt")
    asset.tensor_info.name = "Const:0"
    any_msg = protos.Any()
    any_msg.Pack(asset)
    assert any_msg.type_url == "type.googleapis.com/tensorflow.AssetFileDef"
    assert any_msg.Is(protos.AssetFileDef.DESCRIPTOR)
    assert not any_msg.Is(protos.SaverDef.DESCRIPTOR)
    out = protos.AssetFileDef()
    assert any_msg.Unpack(out) and out == asset
    assert not any_msg.Unpack(protos.SaverDef())
    # The serving package's type URL embeds its package too.
    any_msg.Pack(protos.serving.SignatureDefMap())
    assert any_msg.type_url == "type.googleapis.com/tensorflow.serving.SignatureDefMap"


ANY_TEXT = """\
collection_def {
  key: "asset_filepaths"
  value {
    any_list {
      value {
        [type.googleapis.com/tensorflow.AssetFileDef] {
          tensor_info {
            name: "Const:0"
          }
          filename: "vocab.txt"
        }
      }
    }
  }
}
"""


def test_text_format_expands_any_both_ways():
    mg = protos.MetaGraphDef()
    asset = protos.AssetFileDef(filename="vocab.txt")
    asset.tensor_info.name = "Const:0"
    mg.collection_def["asset_filepaths"].any_list.value.add().Pack(asset)
    assert protos.to_text(mg) == ANY_TEXT
    parsed = protos.parse_text(ANY_TEXT, protos.MetaGraphDef())
    assert parsed == mg
    assert protos.to_text(mg, as_one_line=True).startswith(
        'collection_def { key: "asset_filepaths"'
    )


def test_parse_text_error_names_message():
    with pytest.raises(errors.InvalidArgumentError, match="tensorflow.SavedModel"):
        protos.parse_text("no_such_field: 1", protos.SavedModel())


def test_presence_and_packing_rules():
    # proto2 file: explicit presence and an explicitly packed fixed64 field.
    trace = protos.GraphDebugInfo.StackTrace(frame_id=[1, 2])
    assert trace.SerializeToString() == b"\x12\x10" + (1).to_bytes(8, "little") + (2).to_bytes(
        8, "little"
    )
    flc = protos.GraphDebugInfo.FileLineCol(line=0)
    assert flc.HasField("line") and not flc.HasField("col")
    # proto3 `optional` fields (TF Serving) have presence; plain scalars do not.
    req = protos.serving.PredictRequest(client_id=b"")
    assert req.HasField("client_id") and req.SerializeToString() == b"\x32\x00"
    with pytest.raises(ValueError):
        protos.TensorProto().HasField("version_number")
    # proto3 repeated scalars are packed.
    assert protos.VersionDef(bad_consumers=[1, 2]).SerializeToString() == b"\x1a\x02\x01\x02"


def _ld(number: int, payload: bytes) -> bytes:  # length-delimited field, short payloads only
    assert len(payload) < 128
    return bytes([number << 3 | 2, len(payload)]) + payload


def _varint(number: int, value: int) -> bytes:  # small non-negative varint field
    assert value < 128
    return bytes([number << 3, value])


def test_predict_request_wire_format():
    # Field numbers and presence from FORMAT.md §2.8 (TF Serving's predict.proto / model.proto).
    req = protos.serving.PredictRequest(output_filter=["y"], client_id=b"c")
    req.model_spec.name = "m"
    req.model_spec.version.value = 3
    req.model_spec.signature_name = "serving_default"
    x = req.inputs["x"]
    x.dtype = protos.DT_FLOAT
    x.tensor_shape.dim.add(size=1)
    x.float_val.append(1.0)
    req.predict_streamed_options.request_state = protos.serving.PredictStreamedOptions.SPLIT
    req.predict_streamed_options.split_dimensions["x"] = 1
    req.request_options.deterministic_mode = (
        protos.serving.PredictRequest.RequestOptions.FIXED_DECODER_SLOT
    )
    req.request_options.max_cache_length = 0  # explicit presence: written although zero

    spec = _ld(1, b"m") + _ld(2, _varint(1, 3)) + _ld(3, b"serving_default")
    tensor = _varint(1, 1) + _ld(2, _ld(2, _varint(1, 1))) + _ld(5, struct.pack("<f", 1.0))
    streamed = _varint(1, 1) + _ld(2, _ld(1, b"x") + _varint(2, 1))
    expected = (
        _ld(1, spec)
        + _ld(2, _ld(1, b"x") + _ld(2, tensor))
        + _ld(3, b"y")
        + _ld(5, streamed)
        + _ld(6, b"c")
        + _ld(7, _varint(2, 1) + _varint(6, 0))
    )
    assert req.SerializeToString(deterministic=True) == expected
    assert protos.serving.PredictRequest.FromString(expected) == req
    assert req.model_spec.WhichOneof("version_choice") == "version"


def test_model_metadata_any_and_grpc_paths():
    resp = protos.serving.GetModelMetadataResponse()
    sig_map = protos.serving.SignatureDefMap()
    sig_map.signature_def["serving_default"].method_name = "tensorflow/serving/predict"
    resp.metadata["signature_def"].Pack(sig_map)
    text = protos.to_text(resp)
    assert "[type.googleapis.com/tensorflow.serving.SignatureDefMap] {" in text
    assert protos.parse_text(text, protos.serving.GetModelMetadataResponse()) == resp
    paths = {
        f"/{svc.full_name}/{method.name}"
        for svc in (protos.serving.PredictionService, protos.serving.ModelService)
        for method in svc.methods
    }
    assert "/tensorflow.serving.PredictionService/Predict" in paths
    assert "/tensorflow.serving.ModelService/GetModelStatus" in paths


def test_partial_config_keeps_unknown_fields():
    # RunOptions.experimental (8) is not in our partial schema; it must survive a round trip.
    data = b"\x08\x03\x42\x02\x08\x07"
    opts = protos.RunOptions.FromString(data)
    assert opts.trace_level == protos.RunOptions.FULL_TRACE
    assert opts.SerializeToString() == data


def test_generated_modules_match_descriptor_set():
    rendered = gen_protos.render_modules(protos.DESCRIPTOR_SET_PATH.read_bytes())
    assert sorted(rendered) == ["_generated.py", "error.py", "keras.py", "serving.py"]
    for name, source in rendered.items():
        committed = (protos.DESCRIPTOR_SET_PATH.parent / name).read_text()
        assert committed == source, f"{name} is stale: run python tools/gen_protos.py"


def test_descriptor_set_matches_proto_files(tmp_path):
    if importlib.util.find_spec("grpc_tools") is None:
        pytest.skip("grpcio-tools (the `protos` dev extra) is not installed: cannot run protoc")
    fresh = gen_protos.compile_descriptor_set(gen_protos.PROTO_ROOT, tmp_path / "set.binpb")
    assert descriptor_pb2.FileDescriptorSet.FromString(fresh) == COMMITTED_SET, (
        "descriptor_set.binpb is stale: run python tools/gen_protos.py"
    )


def test_generator_rejects_name_collisions():
    clash = descriptor_pb2.FileDescriptorSet()
    for path in ("a.proto", "b.proto"):
        f = clash.file.add(name=path, package="tensorflow", syntax="proto3")
        f.message_type.add(name="Same")
    with pytest.raises(gen_protos.GenerationError, match="'Same'"):
        gen_protos.render_modules(clash.SerializeToString())
    reserved = descriptor_pb2.FileDescriptorSet()
    reserved.file.add(name="c.proto", package="tensorflow").message_type.add(name="POOL")
    with pytest.raises(gen_protos.GenerationError, match="'POOL'"):
        gen_protos.render_modules(reserved.SerializeToString())
    unknown = descriptor_pb2.FileDescriptorSet()
    unknown.file.add(name="d.proto", package="somewhere.else").message_type.add(name="X")
    with pytest.raises(gen_protos.GenerationError, match="somewhere.else"):
        gen_protos.render_modules(unknown.SerializeToString())
