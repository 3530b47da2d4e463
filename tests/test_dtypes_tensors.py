"""The dtype table and the TensorProto <-> numpy codec (savedmodel.dtypes, savedmodel.tensors).

Plain tests check the table against our proto enum, round trips for every data-holding dtype in
both encodings, the short-typed-field rule, scalars, empty tensors and shapes. Interop tests
compare with tf.make_tensor_proto / tf.make_ndarray byte for byte and value for value.
"""

from __future__ import annotations

import ml_dtypes
import numpy as np
import pytest

from savedmodel import dtypes, protos, tensors
from savedmodel.errors import InvalidArgumentError

ML = ml_dtypes

# dtype short name -> sample values (2+ elements, chosen to exercise signs, extremes, NaN bits).
SAMPLES: dict[str, np.ndarray] = {
    "float32": np.array([1.5, -0.0, np.inf, 3e38], np.float32),
    "float64": np.array([np.pi, -1e308, np.nan], np.float64),
    "float16": np.array([1.0, -2.5, 65504], np.float16),
    "bfloat16": np.array([1.0, -2.0, 1e30], ML.bfloat16),
    "int8": np.array([-128, 0, 127], np.int8),
    "int16": np.array([-32768, 32767], np.int16),
    "int32": np.array([-(2**31), 2**31 - 1], np.int32),
    "int64": np.array([-(2**63), 2**63 - 1], np.int64),
    "uint8": np.array([0, 255], np.uint8),
    "uint16": np.array([0, 65535], np.uint16),
    "uint32": np.array([0, 2**32 - 1], np.uint32),
    "uint64": np.array([0, 2**64 - 1], np.uint64),
    "bool": np.array([True, False, True]),
    "complex64": np.array([1 + 2j, -3.5j], np.complex64),
    "complex128": np.array([1e300 - 1j, 0.5], np.complex128),
    "string": np.array([b"ab", b"", b"\x00\xff"], object),
    "float8_e5m2": np.array([1, -2, 0.5], ML.float8_e5m2),
    "float8_e4m3fn": np.array([1, -2, 448], ML.float8_e4m3fn),
    "float8_e4m3fnuz": np.array([1, -2], ML.float8_e4m3fnuz),
    "float8_e4m3b11fnuz": np.array([1, -2], ML.float8_e4m3b11fnuz),
    "float8_e5m2fnuz": np.array([1, -2], ML.float8_e5m2fnuz),
    "int4": np.array([-8, 7, 0], ML.int4),
    "uint4": np.array([0, 15], ML.uint4),
}
if hasattr(ML, "int2"):  # ml_dtypes >= 0.5
    SAMPLES["int2"] = np.array([-2, 1, 0], ML.int2)
    SAMPLES["uint2"] = np.array([3, 0], ML.uint2)
    SAMPLES["float4_e2m1fn"] = np.array([1, -0.5, 6], ML.float4_e2m1fn)
QUANTIZED = {"qint8": np.int8, "quint8": np.uint8, "qint16": np.int16, "quint16": np.uint16}
QUANTIZED["qint32"] = np.int32


def assert_same(a: np.ndarray, b: np.ndarray) -> None:
    """Same dtype, shape and bits (NaN-safe; object arrays compared element-wise)."""
    assert a.dtype == b.dtype and a.shape == b.shape
    if a.dtype == object:
        assert a.tolist() == b.tolist()
    else:
        assert a.tobytes() == b.tobytes()


# ---------------------------------------------------------------------------------------------
# The table


def test_table_matches_proto_enum() -> None:
    names = {v.number: v.name for v in protos.DataType.DESCRIPTOR.values}
    for row in dtypes.TABLE:
        assert names[row.enum] == row.name
        if row.enum:
            assert names[row.enum + 100] == row.name + "_REF"
    assert set(names) == {r.enum for r in dtypes.TABLE} | {r.enum + 100 for r in dtypes.TABLE[1:]}


def test_every_data_dtype_has_a_sample_and_consistent_sizes() -> None:
    data_rows = [r for r in dtypes.TABLE if r.numpy is not None and r.kind != "q"]
    assert {r.short for r in data_rows} <= set(SAMPLES) | {"int2", "uint2", "float4_e2m1fn"}
    for row in data_rows:
        if row.size is not None:
            assert row.numpy.itemsize == row.size, row


@pytest.mark.parametrize("row", dtypes.TABLE[1:], ids=lambda r: r.short)
def test_lookups_both_ways(row: dtypes.DTypeInfo) -> None:
    assert dtypes.info(row.enum) is row
    assert dtypes.info(row.enum + 100) is row
    assert dtypes.info_from_name(row.name) is row
    assert dtypes.info_from_name(row.short) is row
    d = dtypes.as_dtype(row.enum)
    assert d is dtypes.as_dtype(row.short) is dtypes.as_dtype(row.name) is dtypes.DType(row.enum)
    assert d.as_datatype_enum == row.enum and d.name == row.short and repr(d) == f"tf.{row.short}"
    assert str(d) == f"<dtype: '{row.short}'>"  # TF's str() of a DType
    ref = dtypes.as_dtype(row.name + "_REF")
    assert ref.is_ref_dtype and ref.base_dtype is d and ref.name == row.short + "_ref"
    assert str(ref) == f"<dtype: '{row.short}_ref'>"
    assert dtypes.enum_name(row.enum + 100) == row.name + "_REF"
    assert (
        dtypes.ref_enum(row.enum) == row.enum + 100 and dtypes.base_enum(row.enum + 100) == row.enum
    )
    if row.numpy is not None and row.kind not in "qs":
        assert dtypes.info_from_numpy(row.numpy) is row
        assert dtypes.as_dtype(row.numpy.type) is d
        assert d.as_numpy_dtype is row.numpy.type
        assert d.size == row.size


def test_dtype_objects() -> None:
    assert dtypes.float32 == np.float32 and dtypes.float32 == "float32" and dtypes.float32 != 1.5
    assert dtypes.as_dtype("half") is dtypes.float16 and dtypes.as_dtype("double") is dtypes.float64
    assert dtypes.as_dtype(np.dtype("<U3")) is dtypes.string
    assert dtypes.as_dtype(np.dtype(">f4")) is dtypes.float32
    assert dtypes.string.size == 0 and dtypes.string.as_numpy_dtype is np.object_
    assert dtypes.bfloat16.is_floating and dtypes.int4.is_integer and dtypes.uint4.is_unsigned
    assert not dtypes.bool_.is_integer and dtypes.qint8.is_quantized and dtypes.complex64.is_complex
    assert {dtypes.float32: 1}[dtypes.as_dtype(1)] == 1
    for bad in ("float33", 77, object(), True):
        with pytest.raises(InvalidArgumentError):
            dtypes.as_dtype(bad)
    with pytest.raises(InvalidArgumentError):
        _ = dtypes.resource.as_numpy_dtype


# ---------------------------------------------------------------------------------------------
# TensorProto round trips


def _typed_proto(arr: np.ndarray) -> object:
    """A proto using the typed field even for 2+ elements (as C++ writers may)."""
    row = dtypes.info_from_numpy(arr.dtype)
    proto = tensors.make_tensor_proto(arr.ravel()[:1], shape=arr.shape)
    proto.ClearField(row.field)
    tensors._append_typed(proto, row, arr.ravel())
    return proto


def _content_proto(arr: np.ndarray) -> object:
    proto = protos.TensorProto(dtype=dtypes.info_from_numpy(arr.dtype).enum)
    tensors.shape_to_proto(arr.shape, proto.tensor_shape)
    proto.tensor_content = arr.tobytes()
    return proto


@pytest.mark.parametrize("name", sorted(SAMPLES))
@pytest.mark.parametrize("shape", [(), (1,), "sample", (2, 0)], ids=str)
def test_round_trip(name: str, shape: object) -> None:
    sample = SAMPLES[name]
    arr = sample if shape == "sample" else np.resize(sample, shape).astype(sample.dtype)
    if shape == (2, 0):
        arr = np.empty((2, 0), sample.dtype)
    proto = tensors.make_tensor_proto(arr)
    assert proto.dtype == dtypes.info(dtypes.info_from_numpy(arr.dtype).enum).enum
    assert tensors.shape_from_proto(proto.tensor_shape) == arr.shape
    assert_same(tensors.make_ndarray(proto), arr)
    assert_same(tensors.make_ndarray(protos.TensorProto.FromString(proto.SerializeToString())), arr)
    if arr.size:
        assert_same(tensors.make_ndarray(_typed_proto(arr)), arr)
    if arr.dtype != object:
        assert_same(tensors.make_ndarray(_content_proto(arr)), arr)


@pytest.mark.parametrize("name", sorted(QUANTIZED))
def test_quantized(name: str) -> None:
    values = np.array([1, 2, 3], QUANTIZED[name])
    proto = tensors.make_tensor_proto(values, dtype=name)
    assert dtypes.DType(proto.dtype).name == name and proto.tensor_content == values.tobytes()
    assert_same(tensors.make_ndarray(proto), values)
    single = tensors.make_tensor_proto(5, dtype=name)
    assert list(single.int_val) == [5]
    assert_same(tensors.make_ndarray(single), np.array(5, QUANTIZED[name]))


def test_encoding_choice_follows_tf() -> None:
    # FORMAT.md §2.3: typed field for one element, tensor_content for 2+ numeric elements,
    # typed field always for strings, bool, complex, uint16 and int4/uint4.
    assert list(tensors.make_tensor_proto(2.5).float_val) == [2.5]
    assert tensors.make_tensor_proto([1.0, 2.0]).tensor_content == b"\0\0\x80?\0\0\0@"
    for name in ("bool", "complex64", "uint16", "int4", "uint4", "string"):
        proto = tensors.make_tensor_proto(SAMPLES[name])
        assert not proto.tensor_content, name
    assert list(tensors.make_tensor_proto(np.float16(1)).half_val) == [15360]
    assert list(tensors.make_tensor_proto(np.array(1, ML.bfloat16)).half_val) == [16256]
    assert list(tensors.make_tensor_proto(SAMPLES["complex64"]).scomplex_val) == [1, 2, 0, -3.5]
    assert tensors.make_tensor_proto(SAMPLES["int4"]).int_val == [-8, 7, 0]


def test_python_value_inference() -> None:
    assert tensors.make_tensor_proto(1.0).dtype == dtypes.DT_FLOAT
    assert tensors.make_tensor_proto(1).dtype == dtypes.DT_INT32
    assert tensors.make_tensor_proto(2**40).dtype == dtypes.DT_INT64
    assert tensors.make_tensor_proto(np.float64(1)).dtype == dtypes.DT_DOUBLE
    assert tensors.make_tensor_proto(1j).dtype == dtypes.DT_COMPLEX128
    proto = tensors.make_tensor_proto([["a", "bc"]])
    assert proto.dtype == dtypes.DT_STRING and list(proto.string_val) == [b"a", b"bc"]
    assert tensors.shape_from_proto(proto.tensor_shape) == (1, 2)
    # NUL bytes survive (no numpy fixed-width string trimming).
    assert list(tensors.make_tensor_proto([b"a\0"]).string_val) == [b"a\0"]
    assert tensors.make_tensor_proto([1, 2], dtype=dtypes.float64).tensor_content == (
        np.array([1, 2], np.float64).tobytes()
    )


def test_short_typed_field_repeats_last_value() -> None:
    proto = tensors.make_tensor_proto(0.0, shape=[1000])
    assert list(proto.float_val) == [0.0] and not proto.tensor_content
    assert_same(tensors.make_ndarray(proto), np.zeros(1000, np.float32))
    proto = tensors.make_tensor_proto([1, 2], dtype="int64", shape=[2, 2])
    assert_same(tensors.make_ndarray(proto), np.array([[1, 2], [2, 2]], np.int64))
    proto = tensors.make_tensor_proto("x", shape=[3])
    assert_same(tensors.make_ndarray(proto), np.array([b"x"] * 3, object))
    half = protos.TensorProto(dtype=dtypes.DT_HALF, half_val=[15360])
    half.tensor_shape.dim.add(size=2)
    assert_same(tensors.make_ndarray(half), np.ones(2, np.float16))


def test_no_values_means_zeros() -> None:
    for name, sample in SAMPLES.items():
        proto = protos.TensorProto(dtype=dtypes.info_from_numpy(sample.dtype).enum)
        tensors.shape_to_proto([2, 1], proto.tensor_shape)
        expected = (
            np.full((2, 1), b"", object) if name == "string" else np.zeros((2, 1), sample.dtype)
        )
        assert_same(tensors.make_ndarray(proto), expected)


def test_scalar_has_present_empty_shape() -> None:
    data = tensors.make_tensor_proto(np.float32(1.0)).SerializeToString()
    assert data == bytes.fromhex("080112002a040000803f")


def test_string_tensor_content_cpp_layout() -> None:
    proto = protos.TensorProto(dtype=dtypes.DT_STRING, tensor_content=b"\x02\x00ab")
    proto.tensor_shape.dim.add(size=2)
    assert_same(tensors.make_ndarray(proto), np.array([b"ab", b""], object))
    proto.tensor_content = b"\x05\x00ab"
    with pytest.raises(InvalidArgumentError, match="string"):
        tensors.make_ndarray(proto)


def test_size_mismatch_errors_name_dtype_and_shape() -> None:
    proto = protos.TensorProto(dtype=dtypes.DT_FLOAT, tensor_content=b"\0" * 7)
    tensors.shape_to_proto([2], proto.tensor_shape)
    with pytest.raises(InvalidArgumentError, match=r"float32\[2\].*7 bytes.*expected 8"):
        tensors.make_ndarray(proto)
    with pytest.raises(InvalidArgumentError, match="Too many elements"):
        tensors.make_tensor_proto([1, 2, 3], shape=[2])
    with pytest.raises(InvalidArgumentError):
        tensors.make_tensor_proto(None)
    with pytest.raises(InvalidArgumentError):
        tensors.make_tensor_proto([[1, 2], [3]])
    with pytest.raises(InvalidArgumentError, match="partial shape"):
        tensors.make_ndarray(protos.TensorProto(dtype=1, tensor_shape=tensors.shape_to_proto([-1])))


def test_shapes() -> None:
    for shape in [(), (3,), (2, 0, 5), (None, 3), (None,)]:
        assert tensors.shape_from_proto(tensors.shape_to_proto(shape)) == shape
    unknown = tensors.shape_to_proto(None)
    assert unknown.unknown_rank and tensors.shape_from_proto(unknown) is None
    assert tensors.shape_to_proto([None, 2]).SerializeToString() == bytes.fromhex(
        "120b08ffffffffffffffffff0112020802"
    )
    assert [d.size for d in tensors.shape_to_proto([None, 2]).dim] == [-1, 2]
    with pytest.raises(InvalidArgumentError):
        tensors.shape_to_proto([-2])


# ---------------------------------------------------------------------------------------------
# Interop with TensorFlow


# TF 2.21's make_tensor_proto has no typed-field writer for these (a TF gap, not ours).
_TF_NO_TYPED_FIELD = {np.dtype(t) for t in (ML.float8_e4m3fnuz, ML.float8_e4m3b11fnuz)}
_TF_NO_TYPED_FIELD.add(np.dtype(ML.float8_e5m2fnuz))

INTEROP_VALUES = [
    (1.0, {}),
    ([1.0, 2.0], {}),
    (3, {}),
    (2**40, {}),
    ([True, False], {}),
    (b"ab", {}),
    (["a", "bc"], {}),
    (1j, {}),
    ([1.0], {"shape": [2, 3]}),
    (0.0, {"shape": [1000]}),
    ([1, 2], {"dtype": "float64"}),
    ([], {}),
    ("x", {"dtype": "string", "shape": [2]}),
    (np.zeros((2, 0)), {}),
    (np.array(["ab", "c"]), {}),
    *[(v, {}) for v in SAMPLES.values()],
    *[(v[:1], {}) for v in SAMPLES.values() if v.dtype not in _TF_NO_TYPED_FIELD],
    *[(v[0], {}) for v in SAMPLES.values() if v.dtype not in _TF_NO_TYPED_FIELD | {object}],
]


@pytest.mark.interop
@pytest.mark.parametrize("value,kwargs", INTEROP_VALUES, ids=lambda x: repr(x)[:40])
def test_make_tensor_proto_matches_tf(value: object, kwargs: dict) -> None:
    tf = pytest.importorskip("tensorflow")
    theirs = tf.make_tensor_proto(value, **kwargs)
    ours = tensors.make_tensor_proto(value, **kwargs)
    assert ours.SerializeToString() == theirs.SerializeToString()
    expected = tensors.make_ndarray(ours)
    our_from_theirs = tensors.make_ndarray(
        protos.TensorProto.FromString(theirs.SerializeToString())
    )
    assert_same(our_from_theirs, expected)
    if theirs.dtype not in (26, 27, 28):  # TF's make_ndarray lacks these float8 types
        from tensorflow.core.framework import tensor_pb2

        tf_value = tf.make_ndarray(tensor_pb2.TensorProto.FromString(ours.SerializeToString()))
        assert_same(np.asarray(tf_value, dtype=expected.dtype), expected)
