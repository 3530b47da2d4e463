"""Eager results are the caller's own arrays: writable, sharing no memory with a variable's
value or a constant, and computed with numpy's floating-point warnings off (TF gives inf/nan
silently). No TensorFlow needed."""

from __future__ import annotations

import warnings

import numpy as np

import savedmodel as smtf
from savedmodel.framework import eager


def test_variable_numpy_is_a_writable_copy() -> None:
    v = smtf.Variable([1.0, 2.0])
    got = v.numpy()
    assert got.flags.writeable
    got[0] = 99.0
    np.testing.assert_array_equal(v.numpy(), [1.0, 2.0])
    assert v.numpy() is not v.numpy()


def test_read_value_and_identity_do_not_alias_the_variable() -> None:
    v = smtf.Variable([1, 2, 3])
    for value in (v.read_value(), v.value(), smtf.identity(v)):
        assert isinstance(value, np.ndarray) and value.flags.writeable
        value[:] = 0
    np.testing.assert_array_equal(v.numpy(), [1, 2, 3])
    v.assign_add([1, 1, 1])
    np.testing.assert_array_equal(v.numpy(), [2, 3, 4])


def test_run_kernel_results_are_writable_copies_of_kept_state() -> None:
    v = smtf.Variable(np.arange(4, dtype=np.float32))
    read = eager.run_kernel("ReadVariableOp", v._handle, dtype=np.dtype(np.float32))
    assert read.flags.writeable and read.base is None
    read += 1
    np.testing.assert_array_equal(v.numpy(), np.arange(4, dtype=np.float32))


def test_eager_ops_return_writable_arrays() -> None:
    c = smtf.constant([[1.0, 2.0], [3.0, 4.0]])
    for value in (c, smtf.reshape(c, [4]), smtf.transpose(c), smtf.add(c, 1.0)):
        assert value.flags.writeable
    r = smtf.reshape(c, [4])
    r[0] = -1.0
    np.testing.assert_array_equal(c, [[1.0, 2.0], [3.0, 4.0]])


def test_eager_kernels_give_inf_and_nan_without_warnings() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        quotient = smtf.divide(smtf.constant([1.0, 0.0]), 0.0)
        log = smtf.math.log(smtf.constant(0.0))
    assert np.isinf(quotient[0]) and np.isnan(quotient[1])
    assert log == -np.inf
