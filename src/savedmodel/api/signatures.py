"""SavedModel signatures from functions: `tf.saved_model.save(..., signatures=...)`.

A signature is a function of named tensors returning a dict of named tensors. For each signature
TensorFlow traces a *signature wrapper*: a function taking the concrete function's flat inputs as
keyword arguments (named after their TensorSpecs) that calls it and returns its outputs as a
flat dict (`output_0`, `output_1`... for a tensor, tuple or list). The wrappers are what the
`signatures` object of the root and the MetaGraph's SignatureDefs point at (FORMAT.md §4.4).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from savedmodel.api import library, nest
from savedmodel.api.concrete_function import ConcreteFunction
from savedmodel.api.function import trace_function
from savedmodel.api.function_spec import FunctionSpec
from savedmodel.errors import InvalidArgumentError
from savedmodel.formats.nested_structure import TensorSpec
from savedmodel.framework.operation import Tensor

DEFAULT_SIGNATURE_KEY = "serving_default"
DEFAULT_SIGNATURE_ATTR = "_default_save_signature"


def _concrete(fn: Any, key: str) -> ConcreteFunction:
    if isinstance(fn, ConcreteFunction):
        return fn
    if getattr(fn, "_is_polymorphic_function", False):
        if getattr(fn, "input_signature", None) is not None and hasattr(
            fn, "get_concrete_function"
        ):
            return fn.get_concrete_function()
        traces = fn._list_all_concrete_functions()
        if len(traces) == 1 and getattr(fn, "input_signature", None) is not None:
            return traces[0]
    raise InvalidArgumentError(
        f"signature {key!r}: expected a tf.function with an input_signature or a concrete"
        f" function, got {fn!r}"
    )


def canonicalize(signatures: Any) -> dict[str, ConcreteFunction]:
    """The `signatures` argument as {key: concrete function}."""
    if signatures is None:
        return {}
    if not isinstance(signatures, Mapping):
        signatures = {DEFAULT_SIGNATURE_KEY: signatures}
    out = {}
    for key, fn in signatures.items():
        if not isinstance(key, str):
            raise InvalidArgumentError(f"signature keys must be strings, got {key!r}")
        out[key] = _concrete(fn, key)
    return out


def find_default(children: dict[str, Any]) -> ConcreteFunction | None:
    """TF's choice when `signatures` is omitted: the root's `_default_save_signature`, else its
    only tf.function with an input signature."""
    candidates = []
    for name, child in children.items():
        if isinstance(child, ConcreteFunction) or getattr(child, "_is_polymorphic_function", 0):
            if name == DEFAULT_SIGNATURE_ATTR:
                return _concrete(child, name)
            if getattr(child, "input_signature", None) is not None:
                candidates.append(child)
    if len(candidates) == 1:
        return _concrete(candidates[0], DEFAULT_SIGNATURE_KEY)
    return None


def _input_specs(function: ConcreteFunction, key: str) -> list[TensorSpec]:
    specs = [s for s in nest.flatten(function.structured_input_signature)
             if isinstance(s, TensorSpec)]  # fmt: skip
    names = [s.name for s in specs]
    if any(not n for n in names) or len(set(names)) != len(names):
        raise InvalidArgumentError(
            f"signature {key!r}: every input needs a distinct name, got {names}"
        )
    return specs


def _normalize_outputs(outputs: Any, key: str) -> dict[str, Tensor]:
    if not isinstance(outputs, Mapping):
        if not isinstance(outputs, Sequence) or isinstance(outputs, (str, bytes)):
            outputs = [outputs]
        outputs = {f"output_{i}": o for i, o in enumerate(outputs)}
    for name, value in outputs.items():
        if not isinstance(name, str):
            raise InvalidArgumentError(f"signature {key!r}: output key {name!r} is not a string")
        if not isinstance(value, Tensor):
            raise InvalidArgumentError(
                f"signature {key!r}: output {name!r} must be a tensor, got {value!r}"
            )
    return dict(outputs)


def wrap(function: ConcreteFunction, key: str) -> ConcreteFunction:
    """Trace the signature wrapper of `function` (keyword tensor inputs, dict outputs)."""
    specs = _input_specs(function, key)
    keys = [s.name for s in specs]
    leaves = nest.flatten(function.structured_input_signature)

    def signature_wrapper(**kwargs: Any) -> dict[str, Tensor]:
        it = iter(kwargs[k] for k in keys)
        flat = [next(it) if isinstance(leaf, TensorSpec) else leaf for leaf in leaves]
        inputs = nest.pack_sequence_as(function.structured_input_signature, flat)
        outputs = function._call_structured(
            nest.flatten_up_to(function.structured_input_signature, inputs)
        )
        return _normalize_outputs(outputs, key)

    spec = FunctionSpec([], kwonlyargs=sorted(keys))
    inputs = ((), {s.name: TensorSpec(s.shape, s.dtype, s.name) for s in specs})
    base = library.clean_name(function.name)
    wrapper = trace_function(
        signature_wrapper, "signature_wrapper", inputs, spec,
        library_name=f"__inference_signature_wrapper_{base}_{library.uid()}",
    )  # fmt: skip
    wrapper._arg_keywords = sorted(keys)
    wrapper._num_positional = 1 if len(keys) == 1 else 0
    return wrapper
