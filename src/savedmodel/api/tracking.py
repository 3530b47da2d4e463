"""Trackable objects: what `tf.saved_model.save` walks and `tf.saved_model.load` rebuilds.

An object's children are found when it is saved, by looking at its attributes (so lists and dicts
mutated after assignment are seen as they are then):

* attributes holding variables, trackables (modules, assets, restored objects), functions, or
  lists / tuples / dicts that contain any of these (saved as TF's list/tuple/dict wrapper objects)
  are children, in attribute assignment order;
* `tf.function`s and concrete functions are children too, including methods defined on the class
  (found through `dir()`, so in name order, after the other children, as TensorFlow does);
* attributes whose name starts with `_self_` are never children (TF's convention).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from savedmodel.framework.variables import Variable

LIST_WRAPPER = "trackable_list_wrapper"
DICT_WRAPPER = "trackable_dict_wrapper"
TUPLE_WRAPPER = "trackable_tuple_wrapper"
GENERIC = "_generic_user_object"


class Trackable:
    """Base of the objects SavedModels store (modules, assets, restored user objects...)."""

    # The SavedUserObject identifier written for this object (TF's `_object_identifier`).
    _object_identifier = GENERIC

    def _trackable_children(self) -> dict[str, Any]:
        return {}


def is_function(value: Any) -> bool:
    from savedmodel.api.concrete_function import ConcreteFunction

    return isinstance(value, ConcreteFunction) or getattr(value, "_is_polymorphic_function", False)


def is_trackable_value(value: Any) -> bool:
    """Whether an attribute value becomes a child (possibly through a container wrapper)."""
    if isinstance(value, (Trackable, Variable)) or is_function(value):
        return True
    if isinstance(value, (list, tuple, Mapping)) and not isinstance(value, str):
        items = value.values() if isinstance(value, Mapping) else value
        return any(is_trackable_value(v) for v in items)
    return False


class ContainerWrapper(Trackable):
    """A list, tuple or dict attribute as SavedModels store it (TF's ListWrapper & co)."""

    def __init__(self, value: Any) -> None:
        self.value = value
        if isinstance(value, Mapping):
            self._object_identifier = DICT_WRAPPER
        elif isinstance(value, tuple):
            self._object_identifier = TUPLE_WRAPPER
        else:
            self._object_identifier = LIST_WRAPPER

    def _trackable_children(self) -> dict[str, Any]:
        if isinstance(self.value, Mapping):
            items = [(str(k), v) for k, v in self.value.items()]
        else:
            items = [(str(i), v) for i, v in enumerate(self.value)]
        return {k: wrap_child(v) for k, v in items if is_trackable_value(v)}


def wrap_child(value: Any) -> Any:
    """The trackable standing for an attribute value (containers get a wrapper)."""
    if isinstance(value, (list, tuple, Mapping)) and not isinstance(value, Trackable):
        return ContainerWrapper(value)
    return value


class AutoTrackable(Trackable):
    """An object whose attributes are its children (TF's AutoTrackable)."""

    def _trackable_children(self) -> dict[str, Any]:
        children: dict[str, Any] = {}
        for name, value in vars(self).items():
            if name.startswith("_self_") or is_function(value):
                continue
            if isinstance(value, (list, Mapping)) and not value and not isinstance(value, str):
                children[name] = wrap_child(value)  # TF saves empty list/dict wrappers too
            elif is_trackable_value(value):
                children[name] = wrap_child(value)
        functions: dict[str, Any] = {}
        for name in dir(self):
            if name.startswith("_self_"):
                continue
            try:
                value = getattr(self, name, None)
            except Exception:  # noqa: BLE001 - a broken property must not stop saving
                value = None
            if is_function(value):
                functions[name] = value
        children.update(functions)
        return children


class Asset(Trackable):
    """`tf.saved_model.Asset`: a file copied into the SavedModel's `assets/` directory."""

    def __init__(self, path: Any) -> None:
        if isinstance(path, os.PathLike):
            path = os.fspath(path)
        if isinstance(path, np.ndarray):
            path = path.item()
        if isinstance(path, bytes):
            path = path.decode("utf-8")
        if not isinstance(path, str):
            raise TypeError(f"Asset path must be a string or path-like, got {path!r}")
        arr = np.empty((), dtype=object)
        arr[()] = path.encode("utf-8")
        self._path = arr

    @property
    def asset_path(self) -> np.ndarray:
        """The path as a scalar string value (bytes in a 0-d object array)."""
        return self._path

    def _capture_value(self) -> np.ndarray:
        return self._path

    def __repr__(self) -> str:
        return f"<Asset {self._path.item().decode('utf-8', 'replace')!r}>"
