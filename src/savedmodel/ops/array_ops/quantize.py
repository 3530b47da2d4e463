"""Quantisation simulation: FakeQuantWithMinMaxArgs/Vars/VarsPerChannel and
QuantizeAndDequantizeV2/V3/V4 (what quantisation-aware-trained models leave in their graphs).

FakeQuant nudges [min, max] so that zero is exactly representable, then rounds each value to the
nearest of the 2^num_bits levels (halves up); QuantizeAndDequantize scales by whichever side of
the range needs the smaller scale and rounds half-to-even (or half-up). All in float32, in
TensorFlow's operation order.
"""

from __future__ import annotations

import numpy as np

from savedmodel.errors import InvalidArgumentError
from savedmodel.ops._common import FLOAT32, array, shape_str, text
from savedmodel.ops.registry import register

_F = np.float32


def _nudge(lo: np.ndarray, hi: np.ndarray, num_bits: int, narrow_range: bool):
    quant_min = _F(1 if narrow_range else 0)
    quant_max = _F((1 << num_bits) - 1)
    scale = (hi - lo) / (quant_max - quant_min)
    zero_from_min = quant_min - lo / scale
    # std::round: halves away from zero (the zero point is non-negative here).
    nudged_zero = np.where(
        zero_from_min < quant_min,
        quant_min,
        np.where(zero_from_min > quant_max, quant_max, np.floor(zero_from_min + _F(0.5))),
    ).astype(_F)
    return quant_min, nudged_zero, scale


def _fake_quant(x: np.ndarray, lo, hi, num_bits: int, narrow_range: bool) -> np.ndarray:
    if not 2 <= num_bits <= 16:
        raise InvalidArgumentError(f"num_bits must be between 2 and 16, inclusive, got {num_bits}")
    lo, hi = np.asarray(lo, _F), np.asarray(hi, _F)
    quant_min, nudged_zero, scale = _nudge(lo, hi, num_bits, narrow_range)
    nudged_min = (quant_min - nudged_zero) * scale
    nudged_max = (_F((1 << num_bits) - 1) - nudged_zero) * scale
    clamped = np.minimum(np.maximum(x.astype(_F), nudged_min), nudged_max)
    level = np.floor((clamped - nudged_min) * (_F(1) / scale) + _F(0.5))
    # The level relative to the zero point is an exact small integer: one rounding, in TF's order.
    return array(((level + quant_min - nudged_zero) * scale).astype(FLOAT32))


def fake_quant_with_min_max_args(
    inputs: np.ndarray, *, min: float = -6.0, max: float = 6.0, num_bits: int = 8,  # noqa: A002
    narrow_range: bool = False,
) -> np.ndarray:  # fmt: skip
    if min >= max:
        raise InvalidArgumentError(f"min has to be smaller than max, was: {min} >= {max}")
    return _fake_quant(inputs, _F(min), _F(max), num_bits, narrow_range)


def fake_quant_with_min_max_vars(
    inputs: np.ndarray, min: np.ndarray, max: np.ndarray, *, num_bits: int = 8,  # noqa: A002
    narrow_range: bool = False,
) -> np.ndarray:  # fmt: skip
    if min.ndim != 0 or max.ndim != 0:
        raise InvalidArgumentError("min and max must be scalars")
    return _fake_quant(inputs, min.reshape(()), max.reshape(()), num_bits, narrow_range)


def fake_quant_with_min_max_vars_per_channel(
    inputs: np.ndarray, min: np.ndarray, max: np.ndarray, *, num_bits: int = 8,  # noqa: A002
    narrow_range: bool = False,
) -> np.ndarray:  # fmt: skip
    if inputs.ndim == 0 or min.shape != (inputs.shape[-1],) or max.shape != min.shape:
        raise InvalidArgumentError(
            f"min and max must be vectors of the last dimension of inputs:"
            f" {shape_str(min.shape)} {shape_str(max.shape)} {shape_str(inputs.shape)}"
        )
    return _fake_quant(inputs, min, max, num_bits, narrow_range)


def _quantize_dequantize(
    x: np.ndarray, input_min: np.ndarray, input_max: np.ndarray, signed_input: bool,
    num_bits: int, range_given: bool, round_mode: str, narrow_range: bool, axis: int,
) -> np.ndarray:  # fmt: skip
    dtype = x.dtype
    if axis != -1 and not 0 <= axis < x.ndim:
        raise InvalidArgumentError(f"Axis requested is larger than input dimensions: {axis}")
    if not 0 < num_bits <= (62 if signed_input else 63):
        raise InvalidArgumentError(f"num_bits is out of range: {num_bits}")
    xf = x.astype(np.float64) if dtype == np.float64 else x.astype(_F)
    f = xf.dtype.type
    moved = np.moveaxis(xf, axis, -1) if axis != -1 else xf
    if range_given:
        lo = input_min.astype(xf.dtype).reshape(-1)
        hi = input_max.astype(xf.dtype).reshape(-1)
        if (lo > hi).any():
            raise InvalidArgumentError("Invalid range: input_min must not exceed input_max")
    else:
        flat = moved.reshape(-1, moved.shape[-1]) if axis != -1 else moved.reshape(1, -1)
        lo = (
            flat.min(axis=0, initial=np.inf) if axis != -1 else np.array([flat.min(initial=np.inf)])
        )
        hi = (
            flat.max(axis=0, initial=-np.inf)
            if axis != -1
            else np.array([flat.max(initial=-np.inf)])
        )
    if signed_input:
        qmin = f(-(1 << (num_bits - 1)) + (1 if narrow_range else 0))
        qmax = f((1 << (num_bits - 1)) - 1)
    else:
        qmin, qmax = f(0), f((1 << num_bits) - 1)
    big = np.finfo(xf.dtype).max
    with np.errstate(divide="ignore", invalid="ignore"):
        from_min = np.where(qmin * lo > 0, qmin / lo, big)
        from_max = np.where(qmax * hi > 0, qmax / hi, big)
        use_min = from_min < from_max
        scale = np.where(use_min, from_min, from_max).astype(xf.dtype)
        inverse = np.where(use_min, lo / qmin, hi / qmax).astype(xf.dtype)
        lo = np.where(use_min, lo, qmin * inverse).astype(xf.dtype)
        hi = np.where(use_min, qmax * inverse, hi).astype(xf.dtype)
    clamped = np.minimum(np.maximum(moved, lo), hi)
    scaled = clamped * scale
    rounded = np.rint(scaled) if text(round_mode) == "HALF_TO_EVEN" else np.floor(scaled + f(0.5))
    out = rounded * inverse
    if axis != -1:
        out = np.moveaxis(out, -1, axis)
    return array(out.astype(dtype))


def quantize_and_dequantize_v2(
    input: np.ndarray, input_min: np.ndarray, input_max: np.ndarray, *,  # noqa: A002
    signed_input: bool = True, num_bits: int = 8, range_given: bool = False,
    round_mode: str = "HALF_TO_EVEN", narrow_range: bool = False, axis: int = -1,
) -> np.ndarray:  # fmt: skip
    return _quantize_dequantize(input, input_min, input_max, signed_input, num_bits, range_given,
                                round_mode, narrow_range, axis)  # fmt: skip


def quantize_and_dequantize_v3(
    input: np.ndarray, input_min: np.ndarray, input_max: np.ndarray, num_bits: np.ndarray,  # noqa: A002
    *, signed_input: bool = True, range_given: bool = True, narrow_range: bool = False,
    axis: int = -1,
) -> np.ndarray:  # fmt: skip
    return _quantize_dequantize(input, input_min, input_max, signed_input,
                                int(num_bits.reshape(())), range_given, "HALF_TO_EVEN",
                                narrow_range, axis)  # fmt: skip


register("FakeQuantWithMinMaxArgs", fake_quant_with_min_max_args)
register("FakeQuantWithMinMaxVars", fake_quant_with_min_max_vars)
register("FakeQuantWithMinMaxVarsPerChannel", fake_quant_with_min_max_vars_per_channel)
register("QuantizeAndDequantizeV2", quantize_and_dequantize_v2)
register("QuantizeAndDequantizeV4", quantize_and_dequantize_v2)
register("QuantizeAndDequantizeV3", quantize_and_dequantize_v3)
