"""FusedBatchNorm, FusedBatchNormV2 and FusedBatchNormV3, inference and training modes.

Inference normalises with the given mean/variance; training computes the batch statistics over
every axis but the channel one (biased variance for `y`, Bessel-corrected for the batch_variance
output, blended into the running values by exponential_avg_factor). float16/bfloat16 `x` is
computed in float32, as TensorFlow does.
"""

from __future__ import annotations

import numpy as np

from savedmodel.errors import InvalidArgumentError
from savedmodel.ops._common import FLOAT32, array, shape_str, text
from savedmodel.ops.registry import register


def _fused_batch_norm(
    x: np.ndarray,
    scale: np.ndarray,
    offset: np.ndarray,
    mean: np.ndarray,
    variance: np.ndarray,
    epsilon: float,
    exponential_avg_factor: float,
    data_format: str,
    is_training: bool,
    v3: bool,
) -> list[np.ndarray]:
    fmt = text(data_format)
    if x.ndim not in (4, 5) or len(fmt) != x.ndim:
        raise InvalidArgumentError(
            f"input must be 4-dimensional (or 5 with NDHWC/NCDHW): {shape_str(x.shape)}"
        )
    channel = 1 if fmt.startswith("NC") else x.ndim - 1
    depth = x.shape[channel]
    for value, name in ((scale, "scale"), (offset, "offset")):
        if value.shape != (depth,):
            raise InvalidArgumentError(
                f"{name} must have the same number of elements as the channels of x, got"
                f" {value.size} and {depth}"
            )
    stat_dtype = scale.dtype
    shape = [1] * x.ndim
    shape[channel] = depth
    xf = x.astype(FLOAT32, copy=False)
    eps = np.float32(epsilon)
    axes = tuple(d for d in range(x.ndim) if d != channel)
    if is_training:
        count = x.size // depth if depth else 0
        batch_mean = np.mean(xf, axis=axes, dtype=np.float32)
        batch_var = np.mean(np.square(xf - batch_mean.reshape(shape)), axis=axes, dtype=np.float32)
        use_mean, use_var = batch_mean, batch_var
        corrected = batch_var * np.float32(count / max(count - 1, 1))
        f = np.float32(exponential_avg_factor)
        if f != 1 and mean.size and variance.size:
            out_mean = (1 - f) * mean.astype(FLOAT32) + f * batch_mean
            out_var = (1 - f) * variance.astype(FLOAT32) + f * corrected
        else:
            out_mean, out_var = batch_mean, corrected
        reserve = [batch_mean, batch_var]
    else:
        for value, name in ((mean, "mean"), (variance, "variance")):
            if value.shape != (depth,):
                raise InvalidArgumentError(
                    f"{name} must have the same number of elements as the channels of x, got"
                    f" {value.size} and {depth}"
                )
        use_mean, use_var = mean.astype(FLOAT32), variance.astype(FLOAT32)
        out_mean, out_var = use_mean, use_var
        # NOTE: in inference mode TF leaves the reserve spaces zero-filled.
        reserve = [np.zeros(depth, FLOAT32), np.zeros(depth, FLOAT32)]
    scaling = scale.astype(FLOAT32) / np.sqrt(use_var + eps)
    y = (xf - use_mean.reshape(shape)) * scaling.reshape(shape) + offset.astype(FLOAT32).reshape(
        shape
    )
    outputs = [array(y.astype(x.dtype, copy=False))]
    outputs += [array(np.asarray(v).astype(stat_dtype)) for v in (out_mean, out_var, *reserve)]
    if v3:
        outputs.append(np.zeros((), dtype=stat_dtype))  # TF's CPU kernel: a 0-d zero
    return outputs


def _kernel(v3: bool):
    def kernel(
        x: np.ndarray,
        scale: np.ndarray,
        offset: np.ndarray,
        mean: np.ndarray,
        variance: np.ndarray,
        *,
        epsilon: float = 1e-4,
        exponential_avg_factor: float = 1.0,
        data_format: str = "NHWC",
        is_training: bool = True,
    ) -> list[np.ndarray]:
        return _fused_batch_norm(
            x, scale, offset, mean, variance, epsilon, exponential_avg_factor, data_format,
            is_training, v3,
        )  # fmt: skip

    kernel.__name__ = kernel.__qualname__ = "fused_batch_norm_v3" if v3 else "fused_batch_norm"
    return kernel


register("FusedBatchNorm", _kernel(False))
register("FusedBatchNormV2", _kernel(False))
register("FusedBatchNormV3", _kernel(True))
