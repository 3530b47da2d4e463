"""`tf.Module` and eager `tf.Variable`: tracking, names, reflection order, like TensorFlow.

The literal expectations below were checked against TensorFlow 2.21; the interop test runs the
same program with TensorFlow and with savedmodel and compares what both report.
"""

from __future__ import annotations

import numpy as np
import pytest

import savedmodel as tf


def _program(tf):  # noqa: ANN001, ANN202 - runs with either module as `tf`
    class Dense(tf.Module):
        def __init__(self, n_in, n_out, name=None):
            super().__init__(name=name)
            self.w = tf.Variable(np.ones([n_in, n_out], np.float32), name="w")
            self.b = tf.Variable(np.zeros([n_out], np.float32), name="b", trainable=False)

    class MLP(tf.Module):
        def __init__(self, name=None):
            super().__init__(name=name)
            self.layers = []
            with self.name_scope:
                self.layers.append(Dense(2, 3))
                self.layers.append(Dense(3, 1, name="head"))
            self.extra = {"z": tf.Variable(1, name="z"), "a": [tf.Variable(2.0, name="a")]}

    m = MLP()
    v = tf.Variable(1.0)
    v.assign_add(2.0)
    counter = tf.Variable(np.int64(7), trainable=False, name="counter")
    counter.assign(counter + 1)
    return {
        "name": m.name,
        "scope": m.name_scope.name,
        "variables": [x.name for x in m.variables],
        "trainable": [x.name for x in m.trainable_variables],
        "non_trainable": [x.name for x in m.non_trainable_variables],
        "submodules": [s.name for s in m.submodules],
        "snake": tf.Module().name,
        "v": (v.name, float(v.numpy()), v.dtype.name, tuple(v.shape), v.trainable),
        "counter": (counter.name, int(counter.numpy()), counter.dtype.name, counter.trainable),
    }


EXPECTED = {
    "name": "mlp",
    "scope": "mlp/",
    # a submodule's own scope is not entered by its __init__: both Dense layers name their
    # variables under the enclosing "mlp/" scope (TensorFlow 2.21 does the same)
    "variables": ["a:0", "z:0", "mlp/b:0", "mlp/w:0", "mlp/b:0", "mlp/w:0"],
    "trainable": ["a:0", "z:0", "mlp/w:0", "mlp/w:0"],
    "non_trainable": ["mlp/b:0", "mlp/b:0"],
    "submodules": ["dense", "head"],
    "snake": "module",
    "v": ("Variable:0", 3.0, "float32", (), True),
    "counter": ("counter:0", 8, "int64", False),
}


def test_module_tracking_matches_tensorflows_behaviour() -> None:
    assert _program(tf) == EXPECTED


def test_module_names_must_be_identifiers() -> None:
    with pytest.raises(ValueError, match="valid module name"):
        tf.Module(name="not valid")
    assert tf.Module(name="ok_name").name == "ok_name"


def test_with_name_scope_names_variables_created_in_a_method() -> None:
    class Lazy(tf.Module):
        @tf.Module.with_name_scope
        def build(self):
            self.w = tf.Variable(0.5, name="w")
            return self.w

    assert Lazy(name="lazy").build().name == "lazy/w:0"


def test_variable_eager_api() -> None:
    v = tf.Variable([1.0, 2.0], name="v")
    assert isinstance(v.numpy(), np.ndarray) and v.numpy().tolist() == [1.0, 2.0]
    v.assign([3.0, 4.0])
    v.assign_add([1.0, 1.0])
    v.assign_sub([0.5, 0.5])
    assert v.numpy().tolist() == [3.5, 4.5]
    assert (v + 1).tolist() == [4.5, 5.5]  # eager values are numpy arrays
    with pytest.raises(ValueError, match="Shape mismatch|incompatible"):
        v.assign([1.0, 2.0, 3.0])


@pytest.mark.interop
def test_module_program_reports_what_tensorflow_reports() -> None:
    tf_real = pytest.importorskip("tensorflow")
    assert _program(tf_real) == _program(tf) == EXPECTED
