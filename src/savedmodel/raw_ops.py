"""`tf.raw_ops`: one keyword-only builder per op of the OpDef table, generated on access.

    savedmodel.raw_ops.AddV2(x=a, y=b, name="sum")
    savedmodel.raw_ops.Placeholder(dtype=savedmodel.float32, shape=[None, 3])

Each function takes the op's input and attr names as keywords (attrs with a default are
optional) plus `name`, and returns what `op_builder.apply_op` returns: a Tensor, a list, a
namedtuple, or the Operation (graph mode); numpy values when executing eagerly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from savedmodel.graph import op_def_table

_CACHE: dict[str, Callable[..., Any]] = {}


def _make(op_type: str) -> Callable[..., Any]:
    op_def = op_def_table.lookup(op_type)
    assert op_def is not None
    arg_names = [a.name for a in op_def.inputs]
    attr_names = [
        n for n in op_def.attrs
        if n not in op_def.inferable_attrs or op_def.attrs[n].has_default
    ]  # fmt: skip

    def op(name: str | None = None, **kwargs: Any) -> Any:
        from savedmodel.framework.op_builder import apply_op

        return apply_op(op_type, name=name, **kwargs)

    op.__name__ = op.__qualname__ = op_type
    op.__doc__ = (
        f"Builds a `{op_type}` op. Inputs: {', '.join(arg_names) or '(none)'}; attrs:"
        f" {', '.join(attr_names) or '(none)'}; outputs:"
        f" {', '.join(a.name for a in op_def.outputs) or '(none)'}."
    )
    return op


def __getattr__(name: str) -> Callable[..., Any]:
    fn = _CACHE.get(name)
    if fn is not None:
        return fn
    if name.startswith("_") or op_def_table.lookup(name) is None:
        raise AttributeError(f"module 'savedmodel.raw_ops' has no attribute {name!r}")
    fn = _CACHE[name] = _make(name)
    return fn


def __dir__() -> list[str]:
    return sorted(n for n in op_def_table.op_names() if not n.startswith("_"))
