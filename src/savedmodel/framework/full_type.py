"""NodeDef `experimental_type`: the full type TensorFlow infers for ops whose OpDef declares one.

When an op's output args carry `experimental_full_type` (Shape, TensorList ops, MutexLock...),
TensorFlow's graph stores on the node TFT_PRODUCT[one specialized type per output], where each
TFT_VAR("attr") is replaced by the full type of that type attr's value (DT_INT64 -> TFT_INT64).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from savedmodel import protos
from savedmodel.framework import op_defs


@cache
def _templates(op_type: str) -> tuple[Any, ...] | None:
    extra = op_defs._extras().get(op_type)
    if extra is None or not any(a.HasField("experimental_full_type") for a in extra.output_arg):
        return None
    return tuple(
        a.experimental_full_type if a.HasField("experimental_full_type") else None
        for a in extra.output_arg
    )


def _specialize(template: Any, attrs: dict[str, Any]) -> Any | None:
    out = protos.FullTypeDef()
    out.CopyFrom(template)
    stack = [out]
    while stack:
        node = stack.pop()
        if node.type_id == protos.FullTypeId.Value("TFT_VAR"):
            value = attrs.get(node.s)
            if value is None or value.WhichOneof("value") != "type":
                return None
            name = protos.DataType.Name(value.type).replace("DT_", "TFT_", 1)
            try:
                node.type_id = protos.FullTypeId.Value(name)
            except ValueError:
                return None
            node.ClearField("s")
        stack.extend(node.args)
    return out


def experimental_type(op_type: str, attrs: dict[str, Any]) -> Any | None:
    """The node's full type, or None when the op declares none (or it cannot be resolved)."""
    templates = _templates(op_type)
    if templates is None:
        return None
    product = protos.FullTypeDef(type_id=protos.FullTypeId.Value("TFT_PRODUCT"))
    for template in templates:
        if template is None:
            product.args.add()
            continue
        specialized = _specialize(template, attrs)
        if specialized is None:
            return None
        product.args.append(specialized)
    return product
