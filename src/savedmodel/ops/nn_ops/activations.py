"""Activation kernels (Relu, Relu6, Elu, Selu, LeakyRelu, Softplus, Softsign), Softmax,
LogSoftmax, BiasAdd, TopKV2 and L2Loss.

TensorFlow's select-style activations keep -0 and NaN inputs as they are (Relu(-0) is -0); the
formulas below follow the ones TensorFlow's kernels evaluate (e.g. Elu uses exp(x) - 1, not
expm1), so results agree to the last bit where the elementary functions do.
"""

from __future__ import annotations

import math

import numpy as np

from savedmodel.errors import InvalidArgumentError
from savedmodel.ops import _eigen
from savedmodel.ops._common import (
    BFLOAT16,
    FLOAT16,
    FLOAT32,
    FLOAT64,
    array,
    compute_dtype,
    scalar,
    shape_str,
    text,
)
from savedmodel.ops.registry import register

_SELU_SCALE = 1.0507009873554804934193349852946
_SELU_ALPHA = 1.6732632423543772848170429916717


def relu(features: np.ndarray) -> np.ndarray:
    x = features
    zero = np.zeros((), x.dtype)
    if x.dtype == FLOAT32 or x.dtype == FLOAT64 or x.dtype.kind in "iu":
        # NOTE: TF's float32/64 Relu is max(x, 0): -0 becomes +0, NaN stays NaN (numpy's maximum
        # gives its second operand on ties); its float16/bfloat16 kernel keeps -0.
        return array(np.maximum(x, zero))
    return _elementwise(x, lambda v: np.where(v < zero, zero, v))


def relu6(features: np.ndarray) -> np.ndarray:
    x = features
    six = np.asarray(6, dtype=x.dtype)
    zero = np.zeros((), x.dtype)
    if x.dtype == FLOAT32 or x.dtype == FLOAT64 or x.dtype.kind in "iu":
        return array(np.minimum(np.maximum(x, zero), six))
    return _elementwise(x, lambda v: np.where(v < zero, zero, np.where(v > six, six, v)))


def _elementwise(x: np.ndarray, fn) -> np.ndarray:
    # Evaluated in x's own dtype: numpy's float16 and ml_dtypes' bfloat16 ufuncs round after each
    # step, as Eigen's half/bfloat16 arithmetic does (exp(x) - 1 of a tiny bfloat16 x is 0 in TF).
    return array(fn(x).astype(x.dtype, copy=False))


def elu(features: np.ndarray) -> np.ndarray:
    one = np.ones((), features.dtype)
    return _elementwise(features, lambda x: np.where(x < 0, np.exp(x) - one, x))


def selu(features: np.ndarray) -> np.ndarray:
    scale = np.asarray(_SELU_SCALE, features.dtype)
    scale_alpha = np.asarray(_SELU_SCALE * _SELU_ALPHA, features.dtype)
    one = np.ones((), features.dtype)
    return _elementwise(
        features, lambda x: np.where(x < 0, scale_alpha * (np.exp(x) - one), scale * x)
    )


def leaky_relu(features: np.ndarray, *, alpha: float = 0.2) -> np.ndarray:
    a = np.asarray(alpha, dtype=features.dtype)
    return _elementwise(features, lambda v: np.where(v < 0, v * a, v))


def softplus(features: np.ndarray) -> np.ndarray:
    dtype = features.dtype
    # NOTE: TF's thresholds: log(epsilon) + 2 on either side, where softplus is x or exp(x).
    eps = np.finfo(np.float16).eps if dtype == FLOAT16 else np.finfo(compute_dtype(dtype)).eps
    threshold = np.asarray(np.log(eps) + 2, dtype)

    def f(x: np.ndarray) -> np.ndarray:
        e = np.exp(x)
        return np.where(x > -threshold, x, np.where(x < threshold, e, np.log1p(e)))

    return _elementwise(features, f)


def softsign(features: np.ndarray) -> np.ndarray:
    one = np.ones((), features.dtype)
    return _elementwise(features, lambda x: x / (np.abs(x) + one))


def _softmax_input(logits: np.ndarray) -> np.ndarray:
    if logits.ndim < 1:
        raise InvalidArgumentError(
            f"logits must have >= 1 dimension, got {shape_str(logits.shape)}"
        )
    return logits


# NOTE: Eigen's target block size for Softmax's tiled exp, 40000 / (cost per element): AVX
# packets without FMA, exp and subtract costs plus loads and stores (see _eigen).
_SOFTMAX_BLOCK = {FLOAT32: 6956, FLOAT64: 2539, FLOAT16: 6464, BFLOAT16: 6464}


def _rows(logits: np.ndarray) -> np.ndarray:
    x = _softmax_input(logits)
    return x.reshape(math.prod(x.shape[:-1]), x.shape[-1])


def _exp_where(shifted: np.ndarray, scalar: np.ndarray) -> np.ndarray:
    """exp of each element: Eigen's packet function, or the C one at flat indices `scalar`."""
    dtype = shifted.dtype
    wide = _eigen.packet_dtype(dtype)
    if scalar.size == shifted.size:  # fewer elements than a packet: all scalar
        return _eigen.exp_scalar(shifted.astype(wide)).astype(dtype, copy=False)
    out = _eigen.exp(shifted.astype(wide, copy=False)).astype(dtype, copy=False)
    if scalar.size:
        flat = out.reshape(-1)
        flat[scalar] = _eigen.exp_scalar(shifted.reshape(-1)[scalar].astype(wide)).astype(dtype)
    return out


def _per_row(values: np.ndarray, packet_fn, scalar_fn) -> np.ndarray:
    """A function of one value per row, evaluated as Eigen evaluates a vector: packets, then the
    C function for the rows after the last whole packet."""
    dtype = values.dtype
    wide = _eigen.packet_dtype(dtype)
    tail = _eigen.scalar_tail(values.size, _eigen.LANES[dtype])
    if not tail.start:
        return scalar_fn(values)
    out = packet_fn(values.astype(wide)).astype(dtype, copy=False)
    if tail.stop > tail.start:
        out[tail] = scalar_fn(values[tail])
    return out


def _softmax_rows(shifted: np.ndarray) -> np.ndarray:
    # NOTE: TF's CPU kernel (Eigen, AVX): e = exp(x - max) materialised in tiled blocks, the row
    # sums in Eigen's order, then e * (1 / sum) with the reciprocal estimated and refined per
    # packet of rows; every step is reproduced here, so results match TF's bit for bit.
    dtype = shifted.dtype
    lanes = _eigen.LANES[dtype]
    e = _exp_where(shifted, _eigen.tiled_scalar_index(*shifted.shape, lanes, _SOFTMAX_BLOCK[dtype]))
    one = np.ones((), dtype)
    out = e * _per_row(_eigen.row_sums(e), _eigen.reciprocal, lambda s: one / s)[:, None]
    # float16 denormals are normal floats, which nothing flushes.
    return out if dtype == FLOAT16 else _eigen.flush_denormals(out)


def _log_softmax_rows(shifted: np.ndarray) -> np.ndarray:
    # NOTE: TF's CPU kernel: x - max - log(sum(exp(x - max))), the exps computed inside the row
    # reduction (packets along each row, the C function for its last n % 8 elements) and the
    # logs per packet of rows.
    dtype = shifted.dtype
    wide = _eigen.packet_dtype(dtype)
    sums = _eigen.row_sums(
        _exp_where(shifted, _eigen.reduction_scalar_index(*shifted.shape, dtype))
    )
    logs = _per_row(sums, _eigen.log, lambda s: _eigen.log_scalar(s.astype(wide)).astype(dtype))
    return shifted - logs[:, None]


def _softmax(logits: np.ndarray, rows_fn) -> np.ndarray:
    x = _rows(logits)
    if x.size == 0:
        return logits.copy()
    return rows_fn(x - np.max(x, axis=-1, keepdims=True)).reshape(logits.shape)


def softmax(logits: np.ndarray) -> np.ndarray:
    return _softmax(logits, _softmax_rows)


def log_softmax(logits: np.ndarray) -> np.ndarray:
    return _softmax(logits, _log_softmax_rows)


def bias_add(value: np.ndarray, bias: np.ndarray, *, data_format: str = "NHWC") -> np.ndarray:
    fmt = text(data_format)
    if value.ndim < 2:
        raise InvalidArgumentError(f"Input tensor must be at least 2D: {shape_str(value.shape)}")
    if bias.ndim != 1:
        raise InvalidArgumentError(f"Biases must be 1D: {shape_str(bias.shape)}")
    channel = 1 if fmt.startswith("NC") else value.ndim - 1
    if value.shape[channel] != bias.shape[0]:
        raise InvalidArgumentError(
            f"Must provide as many biases as the channel dimension of the input tensor:"
            f" {shape_str(bias.shape)} vs. {shape_str(value.shape)}"
        )
    b = bias.reshape((-1,) + (1,) * (value.ndim - 1 - channel))
    return array(np.add(value, b))


def bias_add_v1(value: np.ndarray, bias: np.ndarray) -> np.ndarray:
    return bias_add(value, bias)


def top_k_v2(
    input: np.ndarray,
    k: np.ndarray,
    *,
    sorted: bool = True,
    index_type: np.dtype = np.int32,  # noqa: A002
) -> list[np.ndarray]:
    n = scalar(k, "k")
    if input.ndim < 1:
        raise InvalidArgumentError("input must be at least 1-dimensional")
    if n < 0:
        raise InvalidArgumentError(f"Need k >= 0, got {n}")
    if n > input.shape[-1]:
        raise InvalidArgumentError(
            f"input must have at least k columns. Had {input.shape[-1]}, needed {n}"
        )
    # Descending and stable (equal values keep index order): sort the reversed row ascending.
    rev = np.argsort(input[..., ::-1], axis=-1, kind="stable")[..., ::-1]
    order = (input.shape[-1] - 1 - rev)[..., :n]
    values = np.take_along_axis(input, order, axis=-1)
    return [values, order.astype(index_type)]


def l2_loss(t: np.ndarray) -> np.ndarray:
    c = compute_dtype(t.dtype)
    x = t.astype(c, copy=False)
    return np.asarray(np.sum(x * x) / c.type(2)).astype(t.dtype)


register("Relu", relu)
register("Relu6", relu6)
register("Elu", elu)
register("Selu", selu)
register("LeakyRelu", leaky_relu)
register("Softplus", softplus)
register("Softsign", softsign)
register("Softmax", softmax)
register("LogSoftmax", log_softmax)
register("BiasAdd", bias_add)
register("BiasAddV1", bias_add_v1)
register("TopKV2", top_k_v2)
register("L2Loss", l2_loss)
