"""The C-library helpers behind bit-exact kernels (savedmodel.ops._libm) and the random kernels'
unseeded streams. No TensorFlow needed: the reference is the C library itself, called directly."""

from __future__ import annotations

import math

import numpy as np
import pytest

import savedmodel.ops.random_ops  # noqa: F401  (registers the family)
from savedmodel.ops import _libm, registry

RNG = np.random.default_rng(11)
UNIT32 = (RNG.random(20000).astype(np.float32) + np.float32(1e-7)).astype(np.float32)
ANGLES32 = (UNIT32 * np.float32(6.2831855)).astype(np.float32)
UNIT64 = RNG.random(20000) + 1e-7


def _c_float(name: str, x: np.ndarray) -> np.ndarray:
    lib = _libm._c_library()
    if lib is None:
        pytest.skip("no loadable C math library")
    return np.array([getattr(lib, name)(float(v)) for v in x], dtype=np.float32)


@pytest.mark.parametrize(
    ("fn", "c_name", "x"),
    [
        (_libm.logf, "logf", UNIT32),
        (_libm.expf, "expf", -UNIT32 * np.float32(80)),
        (lambda a: _libm.sincosf(a)[0], "sinf", ANGLES32),
        (lambda a: _libm.sincosf(a)[1], "cosf", ANGLES32),
    ],
)
def test_float_functions_are_the_c_librarys(fn, c_name, x):
    np.testing.assert_array_equal(fn(x), _c_float(c_name, x))


@pytest.mark.parametrize(
    ("fn", "py", "x"),
    [
        (_libm.log, math.log, UNIT64),
        (_libm.exp, math.exp, -UNIT64 * 700),
        (lambda a: _libm.sincos(a)[0], math.sin, UNIT64 * 6.28),
        (lambda a: _libm.sincos(a)[1], math.cos, UNIT64 * 6.28),
    ],
)
def test_double_functions_are_the_c_librarys(fn, py, x):
    np.testing.assert_array_equal(fn(x), np.array([py(v) for v in x]))


def test_other_c_libraries_and_narrow_long_doubles_ask_the_c_library_everywhere(monkeypatch):
    expected_f, expected_d = _libm.logf(UNIT32[:500]), _libm.log(UNIT64[:500])
    monkeypatch.setattr(_libm, "_glibc", lambda: False)
    monkeypatch.setattr(_libm, "_LONG_DOUBLE_IS_WIDER", False)
    np.testing.assert_array_equal(_libm.logf(UNIT32[:500]), expected_f)
    np.testing.assert_array_equal(_libm.log(UNIT64[:500]), expected_d)


def test_without_a_c_library_results_are_correctly_rounded(monkeypatch):
    monkeypatch.setattr(_libm, "_c_library", lambda: None)
    x = UNIT32[:500]
    np.testing.assert_array_equal(_libm.logf(x), np.log(x.astype(np.float64)).astype(np.float32))


class _Session:
    def __init__(self) -> None:
        self.resources: dict = {}


def test_unseeded_stateful_ops_draw_fresh_streams():
    uniform = registry.lookup("RandomUniform").fn
    shape = np.array([1000], np.int32)
    one = _Session()
    first = uniform(shape, dtype=np.dtype(np.float32), seed=0, seed2=0, ctx=one)
    second = uniform(shape, dtype=np.dtype(np.float32), seed=0, seed2=0, ctx=one)
    other = uniform(shape, dtype=np.dtype(np.float32), seed=0, seed2=0, ctx=_Session())
    assert first.dtype == np.float32 and first.shape == (1000,)
    assert ((first >= 0) & (first < 1)).all()
    assert not np.array_equal(first, second)  # the stream moves on
    assert not np.array_equal(first, other)  # a new session seeds afresh


def test_seeded_stateful_ops_move_on_and_restart_per_session():
    normal = registry.lookup("RandomStandardNormal").fn
    shape = np.array([7], np.int64)
    session = _Session()
    runs = [normal(shape, dtype=np.dtype(np.float32), seed=3, seed2=4, ctx=session) for _ in "ab"]
    again = normal(shape, dtype=np.dtype(np.float32), seed=3, seed2=4, ctx=_Session())
    assert not np.array_equal(runs[0], runs[1])
    np.testing.assert_array_equal(runs[0], again)
