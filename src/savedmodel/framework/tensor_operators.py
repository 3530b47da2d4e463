"""Python operators on graph `Tensor`s, lowered to ops the way TensorFlow lowers them.

`x + 2` opens a name scope "add" (unique), converts 2 as "add/y" with x's dtype and adds an
AddV2 named "add"; the reflected form `2 + x` converts the left operand as "add/x". Comparisons
are the ops Less/LessEqual/Greater/GreaterEqual; `==` stays identity (graph-mode TF).
Indexing lowers to StridedSlice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from savedmodel.framework import array_ops, math_ops
from savedmodel.framework.constant_op import convert_to_tensor
from savedmodel.framework.op_builder import apply_op
from savedmodel.framework.operation import Tensor
from savedmodel.framework.scopes import name_scope


def _binary(func: Callable[..., Any], op_name: str) -> tuple[Callable, Callable]:
    def op(x: Any, y: Any) -> Any:
        with name_scope(None, op_name, [x, y]) as scope:
            try:
                return func(x, y, name=scope)
            except (TypeError, ValueError) as e:
                rop = getattr(type(y), f"__r{op_name}__", None)
                if rop is not None and not isinstance(y, Tensor):
                    try:
                        out = rop(y, x)
                        if out is not NotImplemented:
                            return out
                    except (TypeError, ValueError):
                        raise e from None
                raise

    def rop(y: Any, x: Any) -> Any:
        with name_scope(None, op_name, [x, y]) as scope:
            # NOTE: the reflected form converts the other operand to self's dtype, named "x".
            x = convert_to_tensor(x, y.dtype.base_dtype, name="x")
            return func(x, y, name=scope)

    return op, rop


def _and(x: Any, y: Any, name: str | None = None) -> Any:
    if x.dtype.is_bool:
        return apply_op("LogicalAnd", x=x, y=y, name=name)
    return apply_op("BitwiseAnd", x=x, y=y, name=name)


def _or(x: Any, y: Any, name: str | None = None) -> Any:
    if x.dtype.is_bool:
        return apply_op("LogicalOr", x=x, y=y, name=name)
    return apply_op("BitwiseOr", x=x, y=y, name=name)


def _xor(x: Any, y: Any, name: str | None = None) -> Any:
    if x.dtype.is_bool:
        return math_ops.logical_xor(x, y, name=name or "LogicalXor")
    return apply_op("BitwiseXor", x=x, y=y, name=name)


def _matmul(x: Any, y: Any, name: str | None = None) -> Any:
    return math_ops.matmul(x, y, name=name)


_BINARY = {
    "add": math_ops.add_dispatch,
    "sub": math_ops.subtract,
    "mul": math_ops.multiply,
    "truediv": math_ops.truediv,
    "floordiv": math_ops.floordiv,
    "mod": math_ops.floormod,
    "pow": math_ops.pow,
    "matmul": _matmul,
    "and": _and,
    "or": _or,
    "xor": _xor,
}


def _compare(op_type: str) -> Callable[[Any, Any], Any]:
    def op(x: Any, y: Any) -> Any:
        return apply_op(op_type, x=x, y=y)

    return op


def _neg(x: Any) -> Any:
    return apply_op("Neg", x=x)


def _abs(x: Any) -> Any:
    return math_ops.abs(x)


def _invert(x: Any) -> Any:
    if x.dtype.is_bool:
        return apply_op("LogicalNot", x=x)
    return apply_op("Invert", x=x)


def _getitem(x: Any, key: Any) -> Any:
    return array_ops.slice_helper(x, key)


def install() -> None:
    for op_name, func in _BINARY.items():
        op, rop = _binary(func, op_name)
        setattr(Tensor, f"__{op_name}__", op)
        setattr(Tensor, f"__r{op_name}__", rop)
    Tensor.__lt__ = _compare("Less")  # type: ignore[method-assign,assignment]
    Tensor.__le__ = _compare("LessEqual")  # type: ignore[method-assign,assignment]
    Tensor.__gt__ = _compare("Greater")  # type: ignore[method-assign,assignment]
    Tensor.__ge__ = _compare("GreaterEqual")  # type: ignore[method-assign,assignment]
    Tensor.__neg__ = _neg  # type: ignore[method-assign,assignment]
    Tensor.__abs__ = _abs  # type: ignore[method-assign,assignment]
    Tensor.__invert__ = _invert  # type: ignore[method-assign,assignment]
    Tensor.__getitem__ = _getitem  # type: ignore[attr-defined]


install()
