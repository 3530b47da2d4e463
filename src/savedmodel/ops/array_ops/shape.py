"""Shape kernels: Shape/ShapeN/Size/Rank, Reshape, ExpandDims, Squeeze, Transpose, broadcasting
helpers, constant-filled tensors (Fill, ZerosLike, OnesLike, Empty), Range and LinSpace, and the
checking pass-throughs EnsureShape and CheckNumerics."""

from __future__ import annotations

import numpy as np

from savedmodel.errors import InvalidArgumentError
from savedmodel.ops._common import (
    INT32,
    OBJECT,
    array,
    broadcast_shape,
    check_allocation,
    compute_dtype,
    is_floating,
    scalar,
    shape_str,
    text,
    vector,
)
from savedmodel.ops.registry import register


def _shape_vector(dims: tuple[int, ...], out_type: np.dtype) -> np.ndarray:
    if out_type == INT32 and any(d > np.iinfo(np.int32).max for d in dims):
        raise InvalidArgumentError(f"Shape {shape_str(dims)} does not fit in int32")
    return np.array(dims, dtype=out_type)


def shape(input: np.ndarray, *, out_type: np.dtype = INT32) -> np.ndarray:  # noqa: A002
    return _shape_vector(input.shape, out_type)


def shape_n(input: list[np.ndarray], *, out_type: np.dtype = INT32) -> list[np.ndarray]:  # noqa: A002
    return [_shape_vector(x.shape, out_type) for x in input]


def size(input: np.ndarray, *, out_type: np.dtype = INT32) -> np.ndarray:  # noqa: A002
    return np.array(input.size, dtype=out_type)


def rank(input: np.ndarray) -> np.ndarray:  # noqa: A002
    return np.array(input.ndim, dtype=np.int32)


def reshape(tensor: np.ndarray, shape: np.ndarray) -> np.ndarray:
    dims = [int(d) for d in np.ravel(shape)]
    if shape.ndim > 1:
        raise InvalidArgumentError(f"shape must be a vector. {shape_str(shape.shape)}")
    unknown = [i for i, d in enumerate(dims) if d == -1]
    if len(unknown) > 1:
        raise InvalidArgumentError(
            f"Only one input size may be -1, not both {unknown[0]} and {unknown[1]}"
        )
    known = 1
    for i, d in enumerate(dims):
        if d < -1:
            raise InvalidArgumentError(f"Size {i} must be non-negative, not {d}")
        if d != -1:
            known *= d
    if unknown:
        if known == 0:
            if tensor.size != 0:
                raise InvalidArgumentError(
                    "Reshape cannot infer the missing input size for an empty tensor unless all"
                    " specified input sizes are non-zero"
                )
            # NOTE: TF sizes the unknown dimension 1 when the known ones already make it empty.
            dims[unknown[0]] = 1
        elif tensor.size % known:
            raise InvalidArgumentError(
                f"Input to reshape is a tensor with {tensor.size} values, but the requested shape"
                f" requires a multiple of {known}"
            )
        else:
            dims[unknown[0]] = tensor.size // known
    elif known != tensor.size:
        raise InvalidArgumentError(
            f"Input to reshape is a tensor with {tensor.size} values, but the requested shape has"
            f" {known}"
        )
    return tensor.reshape(dims)


def expand_dims(input: np.ndarray, dim: np.ndarray) -> np.ndarray:  # noqa: A002
    a = scalar(dim, "dim")
    if not -input.ndim - 1 <= a <= input.ndim:
        raise InvalidArgumentError(
            f"Tried to expand dim index {a} for tensor with {input.ndim} dimensions."
        )
    return np.expand_dims(input, a if a >= 0 else a + input.ndim + 1)


def squeeze(input: np.ndarray, *, squeeze_dims: list[int] = ()) -> np.ndarray:  # noqa: A002
    rank_ = input.ndim
    if not squeeze_dims:
        return input.reshape([d for d in input.shape if d != 1])
    axes = set()
    for a in squeeze_dims:
        if not -rank_ <= a < rank_:
            raise InvalidArgumentError(
                f"Tried to squeeze dim index {a} for tensor with {rank_} dimensions."
            )
        a = a + rank_ if a < 0 else a
        if input.shape[a] != 1:
            raise InvalidArgumentError(
                f"Can not squeeze dim[{a}], expected a dimension of 1, got {input.shape[a]}"
            )
        axes.add(a)
    return input.reshape([d for i, d in enumerate(input.shape) if i not in axes])


def _permutation(perm: np.ndarray, rank_: int) -> list[int]:
    p = vector(perm, "perm")
    if len(p) != rank_:
        raise InvalidArgumentError(
            f"transpose expects a vector of size {rank_}. But input(1) is a vector of size {len(p)}"
        )
    p = [a + rank_ if a < 0 else a for a in p]
    if sorted(p) != list(range(rank_)):
        raise InvalidArgumentError(f"{np.ravel(perm).tolist()} is not a valid permutation")
    return p


def transpose(x: np.ndarray, perm: np.ndarray) -> np.ndarray:
    return np.transpose(x, _permutation(perm, x.ndim))


def conjugate_transpose(x: np.ndarray, perm: np.ndarray) -> np.ndarray:
    out = np.transpose(x, _permutation(perm, x.ndim))
    return np.conjugate(out) if out.dtype.kind == "c" else out


def invert_permutation(x: np.ndarray) -> np.ndarray:
    p = vector(x, "x")
    if sorted(p) != list(range(len(p))):
        raise InvalidArgumentError(f"{p} is not a permutation of 0..{len(p) - 1}")
    out = np.empty(len(p), dtype=x.dtype)
    out[p] = np.arange(len(p), dtype=x.dtype)
    return out


def broadcast_to(input: np.ndarray, shape: np.ndarray) -> np.ndarray:  # noqa: A002
    target = tuple(vector(shape, "shape"))
    try:
        if np.broadcast_shapes(input.shape, target) != target:
            raise ValueError
        check_allocation(target, input.dtype, "BroadcastTo")
        # A copy: a broadcast view is read-only and would alias the input.
        return np.array(np.broadcast_to(input, target))
    except ValueError:
        raise InvalidArgumentError(
            f"Unable to broadcast tensor of shape {shape_str(input.shape)} to tensor of shape"
            f" {shape_str(target)}"
        ) from None


def broadcast_args(s0: np.ndarray, s1: np.ndarray) -> np.ndarray:
    return np.array(broadcast_shape(vector(s0, "s0"), vector(s1, "s1")), dtype=s0.dtype)


def broadcast_gradient_args(s0: np.ndarray, s1: np.ndarray) -> list[np.ndarray]:
    a, b = vector(s0, "s0"), vector(s1, "s1")
    n = len(broadcast_shape(a, b))
    if a == b:
        return [np.zeros(0, dtype=s0.dtype), np.zeros(0, dtype=s0.dtype)]
    # NOTE: unless the shapes are equal, TF reduces every dimension where an input (left-padded
    # with 1s) has size 1, even where the other input's size is 1 too.
    padded = ([1] * (n - len(a)) + a, [1] * (n - len(b)) + b)
    return [np.array([i for i in range(n) if p[i] == 1], dtype=s0.dtype) for p in padded]


def fill(dims: np.ndarray, value: np.ndarray) -> np.ndarray:
    if value.size != 1:
        raise InvalidArgumentError(f"value must be a scalar, got shape {shape_str(value.shape)}")
    value = value.reshape(())
    target = vector(dims, "dims")
    if any(d < 0 for d in target):
        raise InvalidArgumentError(f"dims must be non-negative, got {target}")
    check_allocation(target, value.dtype, "Fill")
    return np.full(target, value, dtype=value.dtype)


def zeros_like(x: np.ndarray) -> np.ndarray:
    if x.dtype == OBJECT:
        return np.full(x.shape, b"", dtype=object)
    return np.zeros_like(x)


def ones_like(x: np.ndarray) -> np.ndarray:
    return np.ones_like(x)


def empty(shape: np.ndarray, *, dtype: np.dtype, init: bool = False) -> np.ndarray:
    # Zero-filled either way: uninitialised memory would make runs irreproducible.
    dims = vector(shape, "shape")
    check_allocation(dims, dtype, "Empty")
    if dtype == OBJECT:
        return np.full(dims, b"", dtype=object)
    return np.zeros(dims, dtype=dtype)


def range_(start: np.ndarray, limit: np.ndarray, delta: np.ndarray) -> np.ndarray:
    for value, name in ((start, "start"), (limit, "limit"), (delta, "delta")):
        if value.ndim != 0:
            raise InvalidArgumentError(
                f"{name} must be a scalar, not shape {shape_str(value.shape)}"
            )
    s, lim, d = start[()], limit[()], delta[()]
    if d == 0:
        raise InvalidArgumentError(f"Requires delta != 0: {d}")
    if d > 0 and s > lim:
        raise InvalidArgumentError(f"Requires start <= limit when delta > 0: {s}/{lim}")
    if d < 0 and s < lim:
        raise InvalidArgumentError(f"Requires start >= limit when delta < 0: {s}/{lim}")
    dtype = start.dtype
    if dtype.kind in "iu":
        n = (abs(int(lim) - int(s)) + abs(int(d)) - 1) // abs(int(d))
        check_allocation((n,), dtype, "Range")
        return (int(s) + np.arange(n, dtype=np.int64) * int(d)).astype(dtype)
    c = compute_dtype(dtype).type
    with np.errstate(all="ignore"):
        n = float(np.ceil(np.abs((c(lim) - c(s)) / c(d))))
    if not np.isfinite(n) or n > 2**62:
        raise InvalidArgumentError(f"Requires ((limit - start) / delta) <= {2**62}")
    check_allocation((int(n),), dtype, "Range")
    # NOTE: TF computes start + i * delta (not a running sum), in the output type.
    return array(dtype.type(s) + np.arange(int(n), dtype=dtype) * dtype.type(d))


def lin_space(start: np.ndarray, stop: np.ndarray, num: np.ndarray) -> np.ndarray:
    n = scalar(num, "num")
    if n <= 0:
        raise InvalidArgumentError(f"Requires num > 0: {n}")
    check_allocation((n,), start.dtype, "LinSpace")
    dtype = start.dtype
    c = compute_dtype(dtype).type
    if n == 1:
        return np.array([start[()]], dtype=dtype)
    step = (c(stop[()]) - c(start[()])) / c(n - 1)
    out = c(start[()]) + np.arange(n, dtype=compute_dtype(dtype)) * step
    out[-1] = stop[()]
    return out.astype(dtype, copy=False)


def ensure_shape(input: np.ndarray, *, shape: tuple[int | None, ...] | None) -> np.ndarray:  # noqa: A002
    if shape is not None and (
        len(shape) != input.ndim
        or any(
            want is not None and want != -1 and want != got
            for want, got in zip(shape, input.shape, strict=True)
        )
    ):
        expected = "[" + ",".join("?" if d in (None, -1) else str(d) for d in shape) + "]"
        raise InvalidArgumentError(
            f"Shape of tensor input {shape_str(input.shape)} is not compatible with expected shape"
            f" {expected}."
        )
    return input


def check_numerics(tensor: np.ndarray, *, message: str = "") -> np.ndarray:
    if is_floating(tensor.dtype) or tensor.dtype.kind == "c":
        bad_nan = np.isnan(tensor).any()
        bad_inf = np.isinf(tensor).any()
        if bad_nan or bad_inf:
            what = " and ".join(w for w, bad in (("Inf", bad_inf), ("NaN", bad_nan)) if bad)
            raise InvalidArgumentError(f"{text(message)} : Tensor had {what} values")
    return tensor


def check_numerics_v2(tensor: np.ndarray, *, message: str = "") -> np.ndarray:
    # V2 tells +Inf from -Inf.
    if is_floating(tensor.dtype):
        found = [
            name
            for name, bad in (
                ("-Inf", np.isneginf(tensor).any()),
                ("+Inf", np.isposinf(tensor).any()),
                ("NaN", np.isnan(tensor).any()),
            )
            if bad
        ]
        if found:
            raise InvalidArgumentError(f"{text(message)} : Tensor had {' and '.join(found)} values")
    return tensor


register("Shape", shape)
register("ShapeN", shape_n)
register("Size", size)
register("Rank", rank)
register("Reshape", reshape)
register("ExpandDims", expand_dims)
register("Squeeze", squeeze)
register("Transpose", transpose)
register("ConjugateTranspose", conjugate_transpose)
register("InvertPermutation", invert_permutation)
register("BroadcastTo", broadcast_to)
register("BroadcastArgs", broadcast_args)
register("BroadcastGradientArgs", broadcast_gradient_args)
register("Fill", fill)
register("ZerosLike", zeros_like)
register("OnesLike", ones_like)
register("Empty", empty)
register("Range", range_)
register("LinSpace", lin_space)
register("EnsureShape", ensure_shape)
register("CheckNumerics", check_numerics)
register("CheckNumericsV2", check_numerics_v2)
