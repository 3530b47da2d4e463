"""The live objects `tf.saved_model.load` gives back for TF2 SavedModels (FORMAT.md §4).

* `RestoredFunction`: a saved `tf.function`; a call is canonicalized with its FunctionSpec and
  dispatched to the first concrete function whose signature matches the inputs exactly, else
  the first one that matches after converting Python values (TF's restored-function dispatch).
* `UserObject`: a restored tf.Module / AutoTrackable, its attributes set from the saved children.
* `RestoredResource`: a resource (e.g. a lookup table) created by its saved `_create_resource`
  function and filled by `_initialize`.
* `SignatureMap`: `loaded.signatures`, signature key -> concrete function.
"""

from __future__ import annotations

import pprint
from collections.abc import Iterator, Mapping
from typing import Any

from savedmodel.api.concrete_function import ConcreteFunction
from savedmodel.api.function_spec import FunctionSpec
from savedmodel.api.tracking import AutoTrackable, Trackable
from savedmodel.errors import NotFoundError


class UserObject(AutoTrackable):
    """A restored user object (tf.Module, AutoTrackable, Keras layer...): attributes only."""

    def __init__(self, identifier: str = "_generic_user_object") -> None:
        self._self_identifier = identifier

    @property
    def _object_identifier(self) -> str:  # type: ignore[override]
        return self._self_identifier


class RestoredFunction:
    """A restored polymorphic `tf.function`: one or more concrete functions behind one call."""

    _is_polymorphic_function = True

    def __init__(
        self, name: str, function_spec: FunctionSpec, concrete_functions: list[ConcreteFunction]
    ) -> None:
        self.__name__ = name
        self.function_spec = function_spec
        self.concrete_functions = list(concrete_functions)

    @property
    def input_signature(self) -> tuple | None:
        return self.function_spec.input_signature

    def _list_all_concrete_functions(self) -> list[ConcreteFunction]:
        return list(self.concrete_functions)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not self.concrete_functions:
            raise ValueError("Found zero restored functions for caller function.")
        inputs = self.function_spec.canonicalize(args, kwargs)
        # NOTE: exact matches first, so a specific trace wins over one needing conversion.
        for allow_conversion in (False, True):
            for function in self.concrete_functions:
                matched = function._match(inputs, allow_conversion)
                if matched is not None:
                    return function._call_matched(*matched)
        options = "\n\n".join(
            f"Option {i}:\n  {_positional(cf.structured_input_signature[0])}\n  Keyword"
            f" arguments: {cf.structured_input_signature[1]}"
            for i, cf in enumerate(self.concrete_functions, 1)
        )
        raise ValueError(
            "Could not find matching concrete function to call loaded from the SavedModel. Got:"
            f"\n  {_positional(inputs[0])}\n  Keyword arguments: {inputs[1]}\n\n Expected these"
            f" arguments to match one of the following {len(self.concrete_functions)}"
            f" option(s):\n\n{options}"
        )

    def get_concrete_function(self, *args: Any, **kwargs: Any) -> ConcreteFunction:
        """The concrete function matching these inputs (TensorSpecs or values)."""
        if not args and not kwargs and len(self.concrete_functions) == 1:
            return self.concrete_functions[0]
        inputs = self.function_spec.canonicalize(args, kwargs)
        for allow_conversion in (False, True):
            for function in self.concrete_functions:
                if function.callable_with(inputs, allow_conversion) or _same_specs(
                    function.structured_input_signature, inputs
                ):
                    return function
        raise ValueError(f"no concrete function of {self.__name__} matches {inputs!r}")


def _same_specs(signature: Any, inputs: Any) -> bool:
    from savedmodel.api import nest
    from savedmodel.formats.nested_structure import TensorSpec

    try:
        flat = nest.flatten_up_to(signature, inputs)
    except (TypeError, ValueError):
        return False
    for got, want in zip(flat, nest.flatten(signature), strict=True):
        if isinstance(want, TensorSpec):
            if not isinstance(got, TensorSpec) or got.dtype != want.dtype:
                return False
            if got.shape != want.shape:
                return False
        elif got != want:
            return False
    return True


def _positional(args: tuple) -> str:
    return f"Positional arguments ({len(args)} total):\n    * " + "\n    * ".join(
        pprint.pformat(a) for a in args
    )


class RestoredResource(Trackable):
    """A restored resource (lookup table...): its handle comes from `_create_resource()`."""

    def __init__(self, registered_name: str = "", device: str = "") -> None:
        self.registered_name = registered_name
        self.device = device
        self._handle: Any = None

    def _capture_value(self) -> Any:
        return self.resource_handle

    @property
    def resource_handle(self) -> Any:
        if self._handle is None:
            create = getattr(self, "_create_resource", None)
            if create is None:
                raise NotFoundError("restored resource has no _create_resource function")
            self._handle = create()
        return self._handle

    def _initialize_resource(self) -> None:
        init = getattr(self, "_initialize", None)
        if init is not None:
            init()

    def _trackable_children(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if isinstance(v, (Trackable,))}


class SignatureMap(Mapping[str, ConcreteFunction], Trackable):
    """`loaded.signatures`: signature key -> concrete function (keyword arguments only)."""

    _object_identifier = "signature_map"

    def __init__(self, functions: dict[str, Any] | None = None) -> None:
        self._signatures: dict[str, Any] = dict(functions or {})

    def _add(self, key: str, function: Any) -> None:
        self._signatures[key] = function

    def __getitem__(self, key: str) -> Any:
        try:
            return self._signatures[key]
        except KeyError:
            raise NotFoundError(
                f"signature {key!r} not found; available: {sorted(self._signatures)}"
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._signatures)

    def __len__(self) -> int:
        return len(self._signatures)

    def _trackable_children(self) -> dict[str, Any]:
        return dict(self._signatures)

    def __repr__(self) -> str:
        return f"_SignatureMap({self._signatures!r})"
