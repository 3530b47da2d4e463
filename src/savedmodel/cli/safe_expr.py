"""Evaluate `--input_exprs` values safely: Python literals plus a few numpy constructors.

saved_model_cli evaluates each expression with `ast.literal_eval` (TF 2.21 no longer `eval`s
them, although its help still mentions `np`). We accept exactly what `literal_eval` accepts, with
the same result, and on top of that a small whitelist of numpy calls, checked on the syntax tree
and run by us -- never `eval`:

    np.array([[1, 2]], dtype=np.float32)    np.zeros((2, 3))     np.ones(4, 'int64')
    np.full((2, 2), 0.5)   np.arange(6).reshape(2, 3)   np.linspace(0, 1, 5)   np.eye(3)
    np.float32(1.5)   np.int64([1, 2])   np.nan   np.inf   np.pi   x.astype(np.float16)

Arguments are literals, numpy dtypes or other whitelisted calls. Arrays are limited to
`MAX_BYTES` (checked before numpy allocates) so that a typo cannot exhaust memory.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable
from typing import Any

import numpy as np

MAX_BYTES = 1 << 30  # the largest array an expression may build
_MAX_ITEMSIZE = 1024  # bytes per element (caps 'U'/'S'/'V' dtypes given as arguments)

# np.<name> usable as a dtype argument and as a scalar/array constructor (`np.float32(1.5)`).
_DTYPES: dict[str, Any] = {
    name: getattr(np, name)
    for name in (
        "float16 float32 float64 half single double longdouble "
        "int8 int16 int32 int64 uint8 uint16 uint32 uint64 intc intp uintp "
        "bool_ complex64 complex128 str_ bytes_ object_"
    ).split()
}
_DTYPES["bool"] = np.bool_
_CONSTANTS = {"nan": np.nan, "inf": np.inf, "pi": np.pi, "e": np.e}
_METHODS = frozenset({"reshape", "astype", "transpose", "copy", "flatten", "ravel"})


class UnsafeExpression(ValueError):
    """The expression uses something outside the whitelist (the message says what)."""


def _size(shape: Any) -> int:
    dims = [shape] if isinstance(shape, (int, np.integer)) else list(shape)
    if any(not isinstance(d, (int, np.integer)) or d < 0 for d in dims):
        raise UnsafeExpression(f"a shape must be non-negative integers, got {shape!r}")
    return math.prod(int(d) for d in dims)


def _shape_count(args: tuple, kwargs: dict) -> int:
    return _size(args[0] if args else kwargs.get("shape", ()))


def _like_count(args: tuple, kwargs: dict) -> int:
    if "shape" in kwargs:
        return _size(kwargs["shape"])
    return int(np.size(args[0])) if args else 0


def _arange_count(args: tuple, kwargs: dict) -> int:
    nums = [a for a in args if _is_number(a)]
    start, stop, step = 0, None, 1
    if len(nums) == 1:
        stop = nums[0]
    elif len(nums) >= 2:
        start, stop = nums[0], nums[1]
        step = nums[2] if len(nums) > 2 else kwargs.get("step", 1)
    start, stop = kwargs.get("start", start), kwargs.get("stop", stop)
    if not all(_is_number(v) and not isinstance(v, complex) for v in (start, stop, step)):
        return 0  # numpy raises its own error
    if not step:
        return 0
    return max(0, math.ceil((float(stop) - float(start)) / float(step)))


def _linspace_count(args: tuple, kwargs: dict) -> int:
    num = args[2] if len(args) > 2 else kwargs.get("num", 50)
    return int(num) if _is_number(num) else 0


def _eye_count(args: tuple, kwargs: dict) -> int:
    n = args[0] if args else kwargs.get("N", 0)
    m = args[1] if len(args) > 1 and args[1] is not None else kwargs.get("M") or n
    return _size((n, m))


def _literal_count(args: tuple, kwargs: dict) -> int:
    return 0  # built from a literal: no bigger than the command line


# Whitelisted np.<function>: (function, element count of the result, from the arguments).
_FUNCTIONS: dict[str, tuple[Callable[..., Any], Callable[[tuple, dict], int]]] = {
    "array": (np.array, _literal_count),
    "asarray": (np.asarray, _literal_count),
    "zeros": (np.zeros, _shape_count),
    "ones": (np.ones, _shape_count),
    "full": (np.full, _shape_count),
    "zeros_like": (np.zeros_like, _like_count),
    "ones_like": (np.ones_like, _like_count),
    "full_like": (np.full_like, _like_count),
    "arange": (np.arange, _arange_count),
    "linspace": (np.linspace, _linspace_count),
    "eye": (np.eye, _eye_count),
    "identity": (np.identity, lambda a, k: _size((a[0], a[0])) if a else 0),
}


def _check_size(count: int | float, args: tuple, kwargs: dict, what: str) -> None:
    """Refuse a call whose result would exceed MAX_BYTES, before numpy allocates anything."""
    itemsize = 8
    for value in (*args, *kwargs.values()):
        if isinstance(value, (str, type, np.dtype)):
            try:
                size = np.dtype(value).itemsize
            except TypeError:
                continue
            if size > _MAX_ITEMSIZE:
                raise UnsafeExpression(f"{what}: dtype {value!r} is too wide ({size} bytes)")
            itemsize = max(itemsize, size)
    if not count * itemsize <= MAX_BYTES:  # `not <=` also catches NaN
        raise UnsafeExpression(
            f"{what} would need {count} elements of {itemsize} bytes (limit {MAX_BYTES} bytes)"
        )


def evaluate(expr: str) -> Any:
    """The value of `expr`: `ast.literal_eval`'s if it is a literal, else a whitelisted numpy
    expression. Raises UnsafeExpression (a ValueError) saying what is not allowed."""
    try:
        return ast.literal_eval(expr)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        pass
    try:
        tree = ast.parse(expr.lstrip(" \t"), mode="eval")
    except SyntaxError as e:
        raise UnsafeExpression(f"syntax error: {e.msg}") from None
    except (RecursionError, MemoryError):
        raise UnsafeExpression("the expression is nested too deeply") from None
    try:
        return _Evaluator().eval(tree.body)
    except UnsafeExpression:
        raise
    except (ValueError, TypeError, OverflowError, MemoryError, RecursionError) as e:
        raise UnsafeExpression(f"{type(e).__name__}: {e}") from None


class _Evaluator:
    def eval(self, node: ast.AST) -> Any:
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            raise UnsafeExpression(f"{ast.unparse(node)!r} is not allowed ({type(node).__name__})")
        return method(node)

    def _Constant(self, node: ast.Constant) -> Any:
        return node.value

    def _List(self, node: ast.List) -> list:
        return [self.eval(e) for e in node.elts]

    def _Tuple(self, node: ast.Tuple) -> tuple:
        return tuple(self.eval(e) for e in node.elts)

    def _Dict(self, node: ast.Dict) -> dict:
        if any(k is None for k in node.keys):
            raise UnsafeExpression("'**' in a dict is not allowed")
        return {self.eval(k): self.eval(v) for k, v in zip(node.keys, node.values, strict=True)}

    def _UnaryOp(self, node: ast.UnaryOp) -> Any:
        value = self.eval(node.operand)
        if isinstance(node.op, (ast.UAdd, ast.USub)) and _is_number(value):
            return +value if isinstance(node.op, ast.UAdd) else -value
        raise UnsafeExpression(f"{ast.unparse(node)!r}: only + and - of a number are allowed")

    def _BinOp(self, node: ast.BinOp) -> Any:
        # Like literal_eval: `real + imagj` and `real - imagj` only (complex literals).
        left, right = self.eval(node.left), self.eval(node.right)
        if (
            isinstance(node.op, (ast.Add, ast.Sub))
            and _is_number(left)
            and isinstance(right, complex)
        ):
            return left + right if isinstance(node.op, ast.Add) else left - right
        raise UnsafeExpression(f"{ast.unparse(node)!r}: arithmetic is not allowed")

    def _Attribute(self, node: ast.Attribute) -> Any:
        if isinstance(node.value, ast.Name) and node.value.id == "np":
            if node.attr in _DTYPES:
                return _DTYPES[node.attr]
            if node.attr in _CONSTANTS:
                return _CONSTANTS[node.attr]
            raise UnsafeExpression(f"np.{node.attr} is not allowed; {_allowed()}")
        raise UnsafeExpression(f"{ast.unparse(node)!r} is not allowed; {_allowed()}")

    def _Name(self, node: ast.Name) -> Any:
        raise UnsafeExpression(f"name {node.id!r} is not allowed; {_allowed()}")

    def _Call(self, node: ast.Call) -> Any:
        if any(isinstance(a, ast.Starred) for a in node.args) or any(
            k.arg is None for k in node.keywords
        ):
            raise UnsafeExpression("* and ** arguments are not allowed")
        func = node.func
        if not isinstance(func, ast.Attribute):
            raise UnsafeExpression(f"calling {ast.unparse(func)!r} is not allowed; {_allowed()}")
        what = ast.unparse(node)
        if isinstance(func.value, ast.Name) and func.value.id == "np":
            target, count = self._np_function(func.attr)
        elif func.attr in _METHODS:
            obj = self.eval(func.value)
            if not isinstance(obj, np.ndarray):
                raise UnsafeExpression(f"{what}: .{func.attr}() is allowed on numpy arrays only")
            target, count = getattr(obj, func.attr), lambda a, k, n=obj.size: n
        else:
            raise UnsafeExpression(f"calling {ast.unparse(func)!r} is not allowed; {_allowed()}")
        args = tuple(self.eval(a) for a in node.args)
        kwargs = {k.arg: self.eval(k.value) for k in node.keywords}
        _check_size(count(args, kwargs), args, kwargs, what)
        return target(*args, **kwargs)

    def _np_function(self, name: str) -> tuple[Callable[..., Any], Callable[[tuple, dict], int]]:
        if name in _FUNCTIONS:
            return _FUNCTIONS[name]
        if name in _DTYPES:  # np.float32(1.5), np.int64([1, 2])
            return _DTYPES[name], _literal_count
        raise UnsafeExpression(f"np.{name}() is not allowed; {_allowed()}")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, complex, np.number)) and not isinstance(value, bool)


def _allowed() -> str:
    return (
        "allowed: Python literals, np."
        + "/".join(sorted(_FUNCTIONS))
        + "(...), numpy dtypes (np.float32 ...), np.nan/inf/pi/e, and ."
        + "/".join(sorted(_METHODS))
        + "() on arrays"
    )
