"""Calling loaded and traced functions: the fast paths (exact numpy inputs) give what the general
path gives, and everything else (conversions, bad inputs) still goes the general way.

Expected values: the guide's add_two model (tests/fixtures/saved_models/tf2_save) computes
x + 2 in TensorFlow; the errors are savedmodel's own.
"""

from __future__ import annotations

import collections
from pathlib import Path

import numpy as np
import pytest

import savedmodel as tf
from savedmodel import errors
from savedmodel.api import nest

FIXTURES = Path(__file__).parent / "fixtures" / "saved_models"


@pytest.fixture(scope="module")
def add_two():  # noqa: ANN201
    return tf.saved_model.load(FIXTURES / "tf2_save")


def _same(got, want) -> None:  # noqa: ANN001
    assert type(got) is type(want)
    if isinstance(want, dict):
        assert list(got) == list(want)
        for k in want:
            _same(got[k], want[k])
        return
    np.testing.assert_array_equal(got, want)
    assert np.asarray(got).dtype == np.asarray(want).dtype


def test_signature_inputs_every_way(add_two) -> None:  # noqa: ANN001
    sig = add_two.signatures["serving_default"]
    want = {"output": np.asarray(7.0, np.float32)}
    for value in (np.asarray(5.0, np.float32), np.float32(5.0), 5.0, 5):
        _same(sig(input=value), want)
    # arrays keep their dtype (no float64 -> float32), shapes must fit, strings do not convert
    for value in (np.asarray(5.0), np.int32(5), np.ones(2, np.float32), [5.0], "five"):
        with pytest.raises(errors.InvalidArgumentError, match="traced for"):
            sig(input=value)
        with pytest.raises(ValueError, match="Could not find matching concrete function"):
            add_two(value)
    with pytest.raises(TypeError):
        sig(inputs=np.float32(5.0))
    with pytest.raises(TypeError):
        sig(input=np.float32(5.0), other=np.float32(1.0))


def test_restored_function_exact_and_converted(add_two) -> None:  # noqa: ANN001
    for value in (np.asarray(5.0, np.float32), np.float32(5.0), 5.0):
        _same(add_two(value), np.asarray(7.0, np.float32))
    for _ in range(3):  # repeated calls reuse the cached caller and captured inputs
        _same(add_two.__call__(np.float32(1.0)), np.asarray(3.0, np.float32))


def test_another_load_does_not_break_cached_callers(add_two) -> None:  # noqa: ANN001
    sig = add_two.signatures["serving_default"]
    sig(input=np.float32(1.0))
    other = tf.saved_model.load(FIXTURES / "tf2_save")  # registers more functions
    _same(sig(input=np.float32(1.0)), {"output": np.asarray(3.0, np.float32)})
    _same(other.signatures["serving_default"](input=np.float32(2.0)),
          {"output": np.asarray(4.0, np.float32)})  # fmt: skip


def test_traced_function_exact_and_converted_inputs() -> None:
    v = tf.Variable(10.0)

    @tf.function
    def f(d):
        return {"b": d["x"] * v, "a": d["y"] + 1}

    exact = {"x": np.float32(2.0), "y": np.asarray([1, 2], np.int32)}
    got = f(exact)
    assert list(got) == ["b", "a"]  # the traced output order
    _same(got["b"], np.asarray(20.0, np.float32))
    _same(got["a"], np.asarray([2, 3], np.int32))
    v.assign(3.0)  # a captured variable is read at each call
    _same(f(exact)["b"], np.asarray(6.0, np.float32))
    assert f.experimental_get_tracing_count() == 1

    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def g(x):
        return x * 2.0

    _same(g(np.ones(3, np.float32)), np.full(3, 2.0, np.float32))
    _same(g([1.0, 2.0]), np.asarray([2.0, 4.0], np.float32))  # converted
    with pytest.raises(errors.InvalidArgumentError):
        g(np.ones((2, 2), np.float32))


def test_nest_kinds() -> None:
    Point = collections.namedtuple("Point", ["y", "x"])
    od = collections.OrderedDict([("b", 1), ("a", 2)])
    structure = [Point(y=1, x=(2, 3)), od, {"k": None}, np.zeros(2), "s"]
    flat = nest.flatten(structure)
    assert flat[:5] == [1, 2, 3, 2, 1] and flat[5] is None and flat[7] == "s"
    rebuilt = nest.pack_sequence_as(structure, list(range(8)))
    assert isinstance(rebuilt[0], Point) and rebuilt[0] == Point(0, (1, 2))
    assert type(rebuilt[1]) is collections.OrderedDict and list(rebuilt[1]) == ["b", "a"]
    assert rebuilt[1] == {"b": 4, "a": 3}
    assert nest.is_nested(od) and nest.is_namedtuple(Point(1, 2)) and not nest.is_nested("s")
    assert nest.flatten_up_to({"a": None, "b": [None]}, {"b": [[1]], "a": (2, 3)}) == [(2, 3), [1]]
    with pytest.raises(ValueError, match="keys"):
        nest.flatten_up_to({"a": None}, {"b": 1})
