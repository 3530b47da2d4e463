"""Cast (and Bitcast) with TensorFlow's conversion rules on x86-64 CPUs.

What numpy's `astype` leaves undefined TensorFlow pins down through the C++ conversions of its
kernels, and we reproduce them:
  * float -> int truncates toward zero; NaN and out-of-range values become the minimum of int32 /
    int64 (the x86 "integer indefinite"); int8/int16/uint8/uint16 are converted through int32 and
    wrapped, uint32 through int64, uint64 through int64 unless the value needs the top bit (for
    out-of-range values TF's uint32 result even depends on the element's position, vectorised or
    not, so only in-range uint32 conversions are specified);
  * float64 -> float16/bfloat16 and int -> bfloat16 round twice, through float32;
  * complex -> real (bool included) takes the real part;
  * `Truncate=True` zeroes the float32/float64 mantissa bits the target cannot hold, then rounds;
  * float32 <-> float64 casts flush denormals to zero (TF's CPU threads run with FTZ/DAZ set).
"""

from __future__ import annotations

import numpy as np

from savedmodel.errors import InvalidArgumentError, UnimplementedError
from savedmodel.ops._common import (
    BFLOAT16,
    BOOL,
    FLOAT16,
    FLOAT32,
    FLOAT64,
    OBJECT,
    array,
    is_floating,
)
from savedmodel.ops.registry import register

_INT32_MIN = np.iinfo(np.int32).min
_INT64_MIN = np.iinfo(np.int64).min
_MANTISSA_BITS = {FLOAT16: 10, BFLOAT16: 7, FLOAT32: 23, FLOAT64: 52}
_BITS_VIEW = {FLOAT32: np.uint32, FLOAT64: np.uint64}


def _x86_int(x: np.ndarray, bits: int) -> np.ndarray:
    """Truncating float -> int32/int64 where NaN and out-of-range give the minimum value."""
    target = np.int32 if bits == 32 else np.int64
    bound = float(2 ** (bits - 1))
    t = np.trunc(x.astype(FLOAT64) if x.dtype != FLOAT64 else x)
    ok = (t >= -bound) & (t < bound)
    if ok.all():
        return t.astype(target)
    return np.where(ok, t, 0).astype(target) + np.where(ok, 0, target(np.iinfo(target).min))


def _float_to_int(x: np.ndarray, dst: np.dtype) -> np.ndarray:
    if dst == np.int64:
        return _x86_int(x, 64)
    if dst == np.int32:
        return _x86_int(x, 32)
    if dst.itemsize <= 2:
        return _x86_int(x, 32).astype(dst)
    if dst == np.uint32:
        return _x86_int(x, 64).astype(dst)
    # uint64: values in [2**63, 2**64) convert exactly; everything else goes through int64.
    wide = x.astype(FLOAT64) if x.dtype != FLOAT64 else x
    high = (wide >= 2.0**63) & (wide < 2.0**64)
    low = _x86_int(np.where(high, 0.0, wide), 64).astype(dst)
    if not high.any():
        return low
    top = (np.where(high, wide, 2.0**63) - 2.0**63).astype(np.uint64) + np.uint64(2**63)
    return np.where(high, top, low)


def _truncate_mantissa(x: np.ndarray, dst: np.dtype) -> np.ndarray:
    """Zero the low source mantissa bits that `dst` cannot represent (TF's Truncate=True)."""
    drop = _MANTISSA_BITS[x.dtype] - _MANTISSA_BITS[dst]
    if drop <= 0:
        return x
    uint = _BITS_VIEW[x.dtype]
    mask = uint(~((1 << drop) - 1) & np.iinfo(uint).max)
    bits = x.view(uint) & mask
    # Non-finite values keep their bits (a NaN must stay a NaN).
    return np.where(np.isfinite(x), bits.view(x.dtype), x)


def _flush_denormals(x: np.ndarray, dtype: np.dtype) -> np.ndarray:
    tiny = np.finfo(dtype).tiny
    return np.where(np.abs(x) < tiny, np.copysign(np.zeros((), x.dtype), x), x)


def _float_to_float(x: np.ndarray, dst: np.dtype, truncate: bool) -> np.ndarray:
    if truncate and x.dtype in _BITS_VIEW and dst in _MANTISSA_BITS:
        x = _truncate_mantissa(x, dst)
    if x.dtype == FLOAT64 and dst in (FLOAT16, BFLOAT16):
        return x.astype(FLOAT32).astype(dst)
    if x.dtype == FLOAT32 and dst == FLOAT64:
        return _flush_denormals(x, FLOAT32).astype(dst)
    if x.dtype == FLOAT64 and dst == FLOAT32:
        return _flush_denormals(x.astype(dst), FLOAT32)
    return x.astype(dst)


def cast(x: np.ndarray, *, DstT: np.dtype, Truncate: bool = False) -> np.ndarray:  # noqa: N803
    src = x.dtype
    dst = DstT
    if src == dst:
        return x
    if src == OBJECT or dst == OBJECT:
        raise UnimplementedError(f"Cast {_name(src)} to {_name(dst)} is not supported")
    if src.kind == "c":
        if dst.kind == "c":
            return x.astype(dst)
        x = np.ascontiguousarray(x.real)
        src = x.dtype
        if src == dst:
            return x
    if dst == BOOL:
        return array(x != 0)
    if src == BOOL or src.kind in "iu":
        if dst == BFLOAT16:
            return x.astype(FLOAT32).astype(dst)
        return x.astype(dst)
    if is_floating(src) and dst.kind in "iu":
        return array(_float_to_int(x, dst))
    if is_floating(src) and is_floating(dst):
        return array(_float_to_float(x, dst, Truncate))
    return x.astype(dst)


def _name(dtype: np.dtype) -> str:
    return "string" if dtype == OBJECT else dtype.name


def bitcast(input: np.ndarray, *, type: np.dtype) -> np.ndarray:  # noqa: A002 (OpDef names)
    src, dst = input.dtype.itemsize, type.itemsize
    if src == dst:
        return input.view(type)
    if src > dst:
        return np.ascontiguousarray(input).view(type).reshape(input.shape + (src // dst,))
    if input.ndim == 0 or input.shape[-1] != dst // src:
        raise InvalidArgumentError(
            f"Cannot bitcast from {input.dtype.name} to {type.name}: last dimension must be"
            f" {dst // src}"
        )
    return np.ascontiguousarray(input).view(type).reshape(input.shape[:-1])


register("Cast", cast)
register("Bitcast", bitcast)
