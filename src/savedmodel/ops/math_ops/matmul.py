"""Matrix products: MatMul, BatchMatMul (V1-V3) and Einsum, through numpy's BLAS-backed matmul.

float16/bfloat16 operands are multiplied in float32 (BLAS has no half kernels) and rounded once;
TensorFlow accumulates them in its own order, so those agree to rounding, not bit for bit.
Integer products wrap like TensorFlow's.
"""

from __future__ import annotations

import numpy as np

from savedmodel.errors import InvalidArgumentError
from savedmodel.ops._common import LOW_FLOATS, array, compute_dtype, shape_str, text
from savedmodel.ops.registry import register


def _matmul(a: np.ndarray, b: np.ndarray, out_dtype: np.dtype) -> np.ndarray:
    acc = compute_dtype(out_dtype)
    if a.dtype != acc:
        a = a.astype(acc)
    if b.dtype != acc:
        b = b.astype(acc)
    return array(np.matmul(a, b).astype(out_dtype, copy=False))


def _adjoint(x: np.ndarray) -> np.ndarray:
    x = np.swapaxes(x, -1, -2)
    return np.conjugate(x) if x.dtype.kind == "c" else x


# grad_a/grad_b/grad_x/grad_y only tell TF's optimizer a product belongs to a gradient: ignored.


def mat_mul(
    a: np.ndarray,
    b: np.ndarray,
    *,
    transpose_a: bool = False,
    transpose_b: bool = False,
    grad_a: bool = False,
    grad_b: bool = False,
) -> np.ndarray:
    if a.ndim != 2 or b.ndim != 2:
        raise InvalidArgumentError(
            f"In[0] and In[1] has to be at least 2-D: {shape_str(a.shape)} {shape_str(b.shape)}"
        )
    x = a.T if transpose_a else a
    y = b.T if transpose_b else b
    if x.shape[1] != y.shape[0]:
        raise InvalidArgumentError(
            f"Matrix size-incompatible: In[0]: {shape_str(a.shape)}, In[1]: {shape_str(b.shape)}"
        )
    return _matmul(x, y, a.dtype)


def _batch(
    x: np.ndarray, y: np.ndarray, adj_x: bool, adj_y: bool, out: np.dtype, broadcast: bool
) -> np.ndarray:
    if x.ndim < 2 or y.ndim < 2:
        raise InvalidArgumentError(
            f"In[0] and In[1] must have rank >= 2: {shape_str(x.shape)} {shape_str(y.shape)}"
        )
    if not broadcast and (x.ndim != y.ndim or x.shape[:-2] != y.shape[:-2]):
        raise InvalidArgumentError(
            "In[0] and In[1] must have compatible batch dimensions:"
            f" {shape_str(x.shape)} vs. {shape_str(y.shape)}"
        )
    a = _adjoint(x) if adj_x else x
    b = _adjoint(y) if adj_y else y
    if a.shape[-1] != b.shape[-2]:
        raise InvalidArgumentError(
            f"Matrix size-incompatible: In[0]: {shape_str(x.shape)}, In[1]: {shape_str(y.shape)}"
        )
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise InvalidArgumentError(
            "In[0] and In[1] must have compatible batch dimensions:"
            f" {shape_str(x.shape)} vs. {shape_str(y.shape)}"
        ) from None
    return _matmul(a, b, out)


def batch_mat_mul(
    x: np.ndarray, y: np.ndarray, *, adj_x: bool = False, adj_y: bool = False,
    grad_x: bool = False, grad_y: bool = False,
) -> np.ndarray:  # fmt: skip
    return _batch(x, y, adj_x, adj_y, x.dtype, broadcast=False)


def batch_mat_mul_v2(
    x: np.ndarray, y: np.ndarray, *, adj_x: bool = False, adj_y: bool = False,
    grad_x: bool = False, grad_y: bool = False,
) -> np.ndarray:  # fmt: skip
    return _batch(x, y, adj_x, adj_y, x.dtype, broadcast=True)


def batch_mat_mul_v3(
    x: np.ndarray,
    y: np.ndarray,
    *,
    Tout: np.dtype,  # noqa: N803 (OpDef name)
    adj_x: bool = False,
    adj_y: bool = False,
    grad_x: bool = False,
    grad_y: bool = False,
) -> np.ndarray:
    return _batch(x, y, adj_x, adj_y, Tout, broadcast=True)


def einsum(inputs: list[np.ndarray], *, equation: str) -> np.ndarray:
    equation = text(equation).replace(" ", "")
    dtype = inputs[0].dtype
    acc = compute_dtype(dtype)
    operands = [v.astype(acc) if v.dtype != acc else v for v in inputs]
    try:
        # optimize=True lets numpy route contractions through tensordot, i.e. BLAS.
        result = np.einsum(equation, *operands, optimize=len(operands) > 1)
    except ValueError as e:
        raise InvalidArgumentError(f"Invalid einsum equation {equation!r}: {e}") from None
    if dtype in LOW_FLOATS or result.dtype != dtype:
        result = result.astype(dtype)
    return array(result)


register("MatMul", mat_mul)
register("BatchMatMul", batch_mat_mul)
register("BatchMatMulV2", batch_mat_mul_v2)
register("BatchMatMulV3", batch_mat_mul_v3)
register("Einsum", einsum)
