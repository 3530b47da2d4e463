"""Loss-style kernels: SoftmaxCrossEntropyWithLogits, SparseSoftmaxCrossEntropyWithLogits,
InTopKV2, and LRN (local response normalisation across channels).

The cross-entropies return the loss per row and its gradient with respect to the logits
(softmax - labels), computed from max-shifted logits as TensorFlow does.
"""

from __future__ import annotations

import numpy as np

from savedmodel.errors import InvalidArgumentError
from savedmodel.ops._common import array, compute_dtype, scalar, shape_str
from savedmodel.ops.registry import register


def _cross_entropy(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # TF's formulation: shifted logits, loss = sum(y * (log(sum(exp)) - shifted)),
    # backprop = exp(shifted) / sum(exp) - y.
    shifted = x - np.max(x, axis=-1, keepdims=True)
    e = np.exp(shifted)
    total = np.sum(e, axis=-1, keepdims=True)
    loss = np.sum(y * (np.log(total) - shifted), axis=-1)
    return loss, e / total - y


def softmax_cross_entropy_with_logits(features: np.ndarray, labels: np.ndarray) -> list[np.ndarray]:
    try:
        shape = np.broadcast_shapes(features.shape, labels.shape)
    except ValueError:
        raise InvalidArgumentError(
            f"logits and labels must be broadcastable: logits_size={shape_str(features.shape)}"
            f" labels_size={shape_str(labels.shape)}"
        ) from None
    if len(shape) != 2:
        raise InvalidArgumentError(f"logits and labels must be 2-D, got {shape_str(shape)}")
    acc = compute_dtype(features.dtype)
    x = np.broadcast_to(features, shape).astype(acc)
    y = np.broadcast_to(labels, shape).astype(acc)
    loss, backprop = _cross_entropy(x, y)
    dtype = features.dtype
    return [array(loss.astype(dtype)), array(backprop.astype(dtype))]


def sparse_softmax_cross_entropy_with_logits(
    features: np.ndarray, labels: np.ndarray
) -> list[np.ndarray]:
    if features.ndim != 2 or labels.ndim != 1 or labels.shape[0] != features.shape[0]:
        raise InvalidArgumentError(
            f"logits must be 2-D and labels 1-D with the same first dimension:"
            f" {shape_str(features.shape)} {shape_str(labels.shape)}"
        )
    classes = features.shape[1]
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        bad = int(labels[(labels < 0) | (labels >= classes)][0])
        raise InvalidArgumentError(
            f"Received a label value of {bad} which is outside the valid range of [0, {classes})."
        )
    acc = compute_dtype(features.dtype)
    onehot = np.zeros(features.shape, dtype=acc)
    onehot[np.arange(features.shape[0]), labels] = 1
    loss, backprop = _cross_entropy(features.astype(acc), onehot)
    dtype = features.dtype
    return [array(loss.astype(dtype)), array(backprop.astype(dtype))]


def in_top_k_v2(predictions: np.ndarray, targets: np.ndarray, k: np.ndarray) -> np.ndarray:
    n = scalar(k, "k")
    if predictions.ndim != 2 or targets.shape != (predictions.shape[0],):
        raise InvalidArgumentError(
            f"predictions must be 2-D and targets 1-D of the same batch size:"
            f" {shape_str(predictions.shape)} {shape_str(targets.shape)}"
        )
    classes = predictions.shape[1]
    out = np.zeros(targets.shape, dtype=bool)
    valid = (targets >= 0) & (targets < classes)
    if not valid.any():
        return out
    rows = np.flatnonzero(valid)
    target = predictions[rows, targets[rows]]
    # NOTE: TF counts the classes scoring strictly higher; a row with any non-finite score
    # answers False.
    higher = np.sum(predictions[rows] > target[:, None], axis=1)
    finite = np.isfinite(predictions[rows]).all(axis=1)
    out[rows] = finite & (higher < n)
    return out


def lrn(
    input: np.ndarray,  # noqa: A002
    *,
    depth_radius: int = 5,
    bias: float = 1.0,
    alpha: float = 1.0,
    beta: float = 0.5,
) -> np.ndarray:
    if input.ndim != 4:
        raise InvalidArgumentError(f"input must be 4-dimensional, got {shape_str(input.shape)}")
    x = input.astype(np.float32)
    sq = np.square(x)
    c = x.shape[-1]
    padded = np.pad(sq, [(0, 0)] * 3 + [(depth_radius, depth_radius)])
    csum = np.concatenate([np.zeros(x.shape[:-1] + (1,), np.float32), np.cumsum(padded, -1)], -1)
    window = csum[..., 2 * depth_radius + 1 : 2 * depth_radius + 1 + c] - csum[..., :c]
    out = x / np.power(np.float32(bias) + np.float32(alpha) * window, np.float32(beta))
    return array(out.astype(input.dtype))


register("SoftmaxCrossEntropyWithLogits", softmax_cross_entropy_with_logits)
register("SparseSoftmaxCrossEntropyWithLogits", sparse_softmax_cross_entropy_with_logits)
register("InTopKV2", in_top_k_v2)
register("LRN", lrn)
