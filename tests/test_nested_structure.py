"""savedmodel.formats.nested_structure: the StructuredValue codec and its value classes."""

from __future__ import annotations

import collections

import numpy as np
import pytest

from savedmodel import dtypes, errors, protos
from savedmodel.formats import nested_structure as ns

Point = collections.namedtuple("Point", ["x", "y"])

RAGGED = ns.TypeSpec(
    ns.RAGGED_TENSOR_SPEC,
    "RaggedTensorSpec",
    (ns.TensorShape([None, None]), dtypes.int32, 1, dtypes.int64),
    2,
)
SPARSE = ns.TypeSpec(
    ns.SPARSE_TENSOR_SPEC, "SparseTensorSpec", (ns.TensorShape([None, 4]), dtypes.float32), 3
)

VALUES = [
    None,
    True,
    False,
    0,
    -(1 << 63),
    (1 << 63) - 1,
    2.5,
    float("inf"),
    "",
    "héllo",
    [],
    (),
    {},
    [1, "a", None, (2.0, [True])],
    {"b": 1, "a": {"z": [1, 2], "y": ()}},
    Point(1, ns.TensorSpec([2], dtypes.int32, "p")),
    ns.TensorShape(None),
    ns.TensorShape([]),
    ns.TensorShape([None, 3, 0]),
    dtypes.float32,
    dtypes.string,
    dtypes.as_dtype("float32_ref"),
    ns.TensorSpec(None, dtypes.float64),
    ns.TensorSpec([None], dtypes.float32, name="x"),
    ns.BoundedTensorSpec([2], dtypes.float32, 0.0, 1.0, name="b"),
    ns.BoundedTensorSpec([], dtypes.int32, [-1], 5),
    RAGGED,
    SPARSE,
    ns.TensorValue(np.array([[1, 2], [3, 4]], np.int32)),
    np.array([1.5, 2.5], np.float64),
    np.array(b"bytes", dtype=object),
    ((ns.TensorSpec([], dtypes.bool_, "flag"),), {"k": ns.TensorSpec([3], dtypes.string, "k")}),
]


def _same(a: object, b: object) -> bool:
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b)
    return type(a) is type(b) or (ns.is_namedtuple(a) and ns.is_namedtuple(b))


@pytest.mark.parametrize("value", VALUES, ids=[repr(v)[:40] for v in VALUES])
def test_round_trip(value: object) -> None:
    proto = ns.encode(value)
    wire = protos.StructuredValue.FromString(proto.SerializeToString())
    decoded = ns.decode(wire)
    assert _same(decoded, value)
    if not isinstance(value, np.ndarray):
        assert decoded == value
    assert ns.encode(decoded) == proto


def test_namedtuple_is_rebuilt_from_name_and_fields() -> None:
    decoded = ns.decode(ns.encode(Point(1, 2)))
    assert type(decoded).__name__ == "Point" and decoded._fields == ("x", "y")
    assert decoded == (1, 2) and decoded.y == 2
    assert type(ns.decode(ns.encode(Point(3, 4)))) is type(decoded)


def test_dicts_decode_sorted() -> None:
    proto = protos.StructuredValue()
    for key in ("b", "c", "a"):
        proto.dict_value.fields[key].int64_value = 1
    assert list(ns.decode(proto)) == ["a", "b", "c"]


def test_decode_text_format_as_tensorflow_writes_it() -> None:
    # FORMAT.md 2.4: the canonicalized_input_signature of `serve(self, x)` with a TensorSpec.
    text = """
    tuple_value { values { tuple_value { values { tensor_spec_value {
        name: "x" shape { dim { size: -1 } } dtype: DT_FLOAT } } } }
      values { dict_value { } } }
    """
    value = ns.decode(protos.parse_text(text, protos.StructuredValue()))
    assert value == ((ns.TensorSpec([None], dtypes.float32, "x"),), {})
    assert repr(value[0][0]) == "TensorSpec(shape=(None,), dtype=tf.float32, name='x')"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (ns.TensorShape(None), "TensorShape(None)"),
        (ns.TensorShape([]), "TensorShape([])"),
        (ns.TensorShape([None, 2]), "TensorShape([None, 2])"),
        (
            ns.TensorSpec([], dtypes.float32, "input"),
            "TensorSpec(shape=(), dtype=tf.float32, name='input')",
        ),
        (ns.TensorSpec([3], dtypes.int64), "TensorSpec(shape=(3,), dtype=tf.int64, name=None)"),
        (
            ns.TensorSpec(None, dtypes.string, "s"),
            "TensorSpec(shape=<unknown>, dtype=tf.string, name='s')",
        ),
        (
            ns.BoundedTensorSpec([2], dtypes.float32, 0.0, 1.0, name="b"),
            "BoundedTensorSpec(shape=(2,), dtype=tf.float32, name='b', "
            "minimum=array(0., dtype=float32), maximum=array(1., dtype=float32))",
        ),
        (RAGGED, "RaggedTensorSpec(TensorShape([None, None]), tf.int32, 1, tf.int64)"),
        (SPARSE, "SparseTensorSpec(TensorShape([None, 4]), tf.float32)"),
        (
            ns.TypeSpec(ns.OPTIONAL_SPEC, "OptionalSpec", (ns.TensorSpec([], dtypes.int32),)),
            "OptionalSpec(TensorSpec(shape=(), dtype=tf.int32, name=None),)",
        ),
        (
            ns.TypeSpec(
                ns.VARIABLE_SPEC,
                "VariableSpec",
                (ns.TensorShape([2, 3]), dtypes.float32, True, None),
            ),
            "VariableSpec(shape=(2, 3), dtype=tf.float32, trainable=True, alias_id=None)",
        ),
        (
            ns.TypeSpec(
                ns.ROW_PARTITION_SPEC,
                "RowPartitionSpec",
                (ns.TensorShape([3]), ns.TensorShape([None]), ns.TensorShape([None]), dtypes.int64),
            ),
            "RowPartitionSpec(nrows=3, nvals=None, uniform_row_length=None, dtype=tf.int64)",
        ),
    ],
)
def test_reprs_match_tensorflow(value: object, text: str) -> None:
    assert repr(value) == text


def test_tensor_shape_str_and_iteration() -> None:
    assert [str(ns.TensorShape(d)) for d in (None, [], [3], [None, 2])] == [
        "<unknown>",
        "()",
        "(3,)",
        "(None, 2)",
    ]
    assert list(ns.TensorShape([1, None])) == [1, None] and len(ns.TensorShape([1, None])) == 2
    with pytest.raises(ValueError):
        iter(ns.TensorShape(None))


def test_type_spec_names() -> None:
    assert RAGGED.type_name == "RaggedTensorSpec"
    registered = ns.TypeSpec(ns.REGISTERED_TYPE_SPEC, "tf.NoneTensorSpec", ())
    assert registered.type_name == "NoneTensorSpec" and repr(registered) == "NoneTensorSpec()"


@pytest.mark.parametrize(
    "text",
    [
        "",  # no kind set
        "tensor_shape_value { dim { size: -2 } }",
        "tensor_dtype_value: 1234",
        'named_tuple_value { name: "not valid" values { key: "a" value { none_value {} } } }',
        "list_value { values { } }",
    ],
)
def test_bad_protos_raise_invalid_argument(text: str) -> None:
    proto = protos.parse_text(text, protos.StructuredValue())
    with pytest.raises(errors.InvalidArgumentError):
        ns.decode(proto)


@pytest.mark.parametrize("value", [{1: 2}, object(), 1 << 64, {"a": {3}}])
def test_unencodable_values(value: object) -> None:
    with pytest.raises(errors.InvalidArgumentError):
        ns.encode(value)


# ---------------------------------------------------------------------------------------------
# Interop: TensorFlow's own nested_structure_coder


def _tf_values(tf):  # type: ignore[no-untyped-def]
    from tensorflow.python.framework import tensor as tensor_lib

    tf_point = collections.namedtuple("Point", ["x", "y"])
    return [
        None,
        (1, 2.5, "s", True, [None, {"b": 1, "a": 2}]),
        tf_point(1, tf.TensorSpec([2], tf.int32, "p")),
        tf.TensorShape(None),
        tf.TensorShape([None, 3]),
        tf.float64,
        tf.TensorSpec([None, 2], tf.bfloat16, "x"),
        tensor_lib.BoundedTensorSpec([2], tf.float32, 0.0, [1.0, 2.0], name="b"),
        tf.RaggedTensorSpec([None, None, 3], tf.float32, 2, tf.int32),
        tf.SparseTensorSpec([None, 4], tf.float32),
        tf.IndexedSlicesSpec([None, 3], tf.float32, tf.int64, tf.int32, [None]),
        tf.TensorArraySpec([2], tf.int32, True, False),
        tf.data.DatasetSpec(tf.TensorSpec([3], tf.float32)),
        tf.OptionalSpec(tf.TensorSpec([], tf.int32)),
        np.array([[1, 2]], np.int16),
    ]


def _sorted_dicts(value: object) -> object:
    if isinstance(value, dict):
        return {k: _sorted_dicts(value[k]) for k in sorted(value)}
    if type(value) in (list, tuple):
        return type(value)(_sorted_dicts(v) for v in value)
    return value


@pytest.mark.interop
def test_tensorflow_encodings_decode_to_the_same_reprs() -> None:
    tf = pytest.importorskip("tensorflow")
    from tensorflow.python.saved_model import nested_structure_coder as coder

    for value in _tf_values(tf):
        tf_proto = coder.encode_structure(value)
        ours = ns.decode(protos.StructuredValue.FromString(tf_proto.SerializeToString()))
        theirs = _sorted_dicts(coder.decode_proto(tf_proto))  # TF's dict order is arbitrary
        assert repr(ours) == repr(theirs)
        assert str(ours) == str(theirs) or isinstance(theirs, tf.DType)
        # ...and what we encode back, TensorFlow decodes to the same value.
        back = type(tf_proto).FromString(ns.encode(ours).SerializeToString())
        assert repr(_sorted_dicts(coder.decode_proto(back))) == repr(theirs)
