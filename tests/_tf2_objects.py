"""Walk TensorFlow's loaded object and savedmodel's side by side (interop test helper).

`walk` compares kinds (user object, list, dict, variable, function, concrete function, asset,
resource, signature map), attribute names, variables (name, dtype, shape, trainable, value) and
the input signatures of functions, recursively. `example(spec)` makes an input for a TensorSpec
of either library; `same_value` compares outputs (floats within a few ulp).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

import savedmodel as tf
from savedmodel.api.concrete_function import ConcreteFunction
from savedmodel.api.restored import RestoredFunction, RestoredResource, SignatureMap, UserObject
from savedmodel.api.tracking import Asset


def _kind_ours(obj):
    kinds = [
        (tf.Variable, "variable"), (RestoredFunction, "function"), (ConcreteFunction, "concrete"),
        (Asset, "asset"), (SignatureMap, "signatures"), (RestoredResource, "resource"),
        (Mapping, "dict"), (list, "list"),
    ]  # fmt: skip
    return next((kind for cls, kind in kinds if isinstance(obj, cls)), "object")


def _children_ours(obj) -> dict:
    if isinstance(obj, (SignatureMap, Mapping)):
        return dict(obj.items())
    if isinstance(obj, list):
        return {str(i): v for i, v in enumerate(obj)}
    if isinstance(obj, RestoredResource):
        return obj._trackable_children()
    if isinstance(obj, UserObject):
        skip = {"tensorflow_version", "tensorflow_git_version"}
        return {k: v for k, v in vars(obj).items() if not k.startswith("_self_") and k not in skip}
    return {}


def _kind_tf(tf_real, obj):
    from tensorflow.python.saved_model.function_deserialization import RestoredFunction as RF
    from tensorflow.python.saved_model.signature_serialization import _SignatureMap

    if isinstance(obj, tf_real.Variable):
        return "variable"
    if isinstance(obj, RF):
        return "function"
    if isinstance(obj, tf_real.types.experimental.ConcreteFunction):
        return "concrete"
    if isinstance(obj, tf_real.saved_model.Asset):
        return "asset"
    if isinstance(obj, _SignatureMap):
        return "signatures"
    if type(obj).__name__.startswith("_Restored") or hasattr(obj, "resource_handle"):
        return "resource"
    if isinstance(obj, Mapping):
        return "dict"
    if isinstance(obj, list):
        return "list"
    return "object"


def _children_tf(obj) -> dict:
    try:
        children = obj._trackable_children()
    except (AttributeError, TypeError):
        return {}
    return {k: v for k, v in children.items() if k != "_self_saveable_object_factories"}


def _canonical(value):
    """Specs and structures as comparable text (dict keys sorted)."""
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k!r}: {_canonical(value[k])}" for k in sorted(value)) + "}"
    if isinstance(value, (list, tuple)):
        inner = ", ".join(_canonical(v) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner})"
    return repr(value)


def same_value(ours, theirs, where: str, exact: bool = True) -> None:
    theirs = np.asarray(theirs)
    ours = np.asarray(ours)
    assert ours.shape == theirs.shape, where
    if theirs.dtype.kind in "OSU":
        assert ours.tolist() == theirs.tolist(), where
    elif not exact and theirs.dtype.kind in "fc":
        # kernels may round differently from TF's (summation order): a few ulp
        np.testing.assert_allclose(ours, theirs, rtol=2e-6, err_msg=where)
    else:
        np.testing.assert_array_equal(ours.astype(theirs.dtype), theirs, err_msg=where)


def _walk(tf_real, ours, theirs, where: str, seen: set) -> None:
    kind = _kind_tf(tf_real, theirs)
    assert _kind_ours(ours) == kind, f"{where}: ours {type(ours)}, TF {type(theirs)}"
    if id(theirs) in seen:
        return
    seen.add(id(theirs))
    if kind == "variable":
        assert ours.name == theirs.name, where
        assert ours.dtype.name == theirs.dtype.name, where
        assert list(ours.shape) == theirs.shape.as_list(), where
        assert ours.trainable == theirs.trainable, where
        same_value(ours.numpy(), theirs.numpy(), where)
        return
    if kind == "function":
        mine = sorted(_canonical(f.structured_input_signature) for f in ours.concrete_functions)
        tfs = sorted(_canonical(f.structured_input_signature) for f in theirs.concrete_functions)
        assert mine == tfs, where
        return
    if kind == "concrete":
        assert _canonical(ours.structured_input_signature) == _canonical(
            theirs.structured_input_signature
        ), where
        return
    if kind == "asset":
        assert (
            Path(ours.asset_path.item().decode()).name
            == Path(theirs.asset_path.numpy().decode()).name
        ), where
        return
    mine = _children_ours(ours)
    tfs = dict(theirs.items()) if kind == "signatures" else _children_tf(theirs)
    assert sorted(mine) == sorted(tfs), where
    for name in tfs:
        _walk(tf_real, mine[name], tfs[name], f"{where}.{name}", seen)


def walk(tf_real, ours, theirs, where: str) -> None:
    _walk(tf_real, ours, theirs, where, set())


def example(spec) -> np.ndarray:
    """An input for a TensorSpec (unknown dims 2, unknown rank [2])."""
    dims = spec.shape.as_list() if spec.shape.rank is not None else [2]
    shape = [2 if d is None else d for d in dims]
    size = int(np.prod(shape))
    if spec.dtype.name == "string":
        return np.array([b"apple", b"kiwi"] * size, object)[:size].reshape(shape)
    return (np.arange(size) % 3).astype(spec.dtype.as_numpy_dtype).reshape(shape)
