"""Diagonal kernels: Diag, DiagPart, MatrixDiagV3, MatrixDiagPartV3, MatrixSetDiagV3 (and the
V1/V2 spellings TF keeps for old graphs where they share the semantics).

A band of diagonals k = (lo, hi) of the innermost matrices is addressed by offset d = col - row.
Diagonals shorter than the longest one are aligned LEFT or RIGHT inside the packed [.., num_diags,
max_len] representation, separately for superdiagonals and subdiagonals ("RIGHT_LEFT" is the
default: superdiagonals right-aligned, subdiagonals left-aligned).
"""

from __future__ import annotations

import numpy as np

from savedmodel.errors import InvalidArgumentError
from savedmodel.ops._common import array, check_allocation, scalar, shape_str, text
from savedmodel.ops.registry import register


def diag(diagonal: np.ndarray) -> np.ndarray:
    flat = diagonal.reshape(-1)
    out = np.zeros((flat.size, flat.size), dtype=diagonal.dtype)
    out[np.arange(flat.size), np.arange(flat.size)] = flat
    return out.reshape(diagonal.shape + diagonal.shape)


def diag_part(input: np.ndarray) -> np.ndarray:  # noqa: A002
    half = input.ndim // 2
    if input.ndim % 2 or input.shape[:half] != input.shape[half:]:
        raise InvalidArgumentError(
            f"Input must have even rank and matching halves, got {shape_str(input.shape)}"
        )
    n = int(np.prod(input.shape[:half], dtype=np.int64))
    return input.reshape(n, n)[np.arange(n), np.arange(n)].reshape(input.shape[:half])


def _band(k: np.ndarray) -> tuple[int, int]:
    values = np.ravel(k).tolist()
    if not 1 <= len(values) <= 2:
        raise InvalidArgumentError(f"k must be a scalar or a pair, got {shape_str(k.shape)}")
    lo, hi = (values[0], values[0]) if len(values) == 1 else values
    if lo > hi:
        raise InvalidArgumentError(f"lower_diag_index must not exceed upper_diag_index: {lo} {hi}")
    return lo, hi


def _diag_len(d: int, rows: int, cols: int) -> int:
    return min(rows + min(d, 0), cols - max(d, 0))


def _offset(d: int, max_len: int, rows: int, cols: int, align: str) -> int:
    """Where diagonal d starts inside its packed row of length max_len."""
    sup, sub = text(align).split("_")
    side = sup if d >= 0 else sub
    return max_len - _diag_len(d, rows, cols) if side == "RIGHT" else 0


def _index(lo: int, hi: int, rows: int, cols: int, align: str):
    """(diag slot, position in packed row, matrix row, matrix col) of every band element."""
    max_len = max(_diag_len(d, rows, cols) for d in range(lo, hi + 1))
    slots, pos, r_idx, c_idx = [], [], [], []
    for slot, d in enumerate(range(hi, lo - 1, -1)):  # packed from the highest diagonal down
        n = _diag_len(d, rows, cols)
        if n <= 0:
            continue
        i = np.arange(n)
        r = i + max(-d, 0)
        slots.append(np.full(n, slot))
        pos.append(i + _offset(d, max_len, rows, cols, align))
        r_idx.append(r)
        c_idx.append(r + d)
    cat = np.concatenate
    return max_len, cat(slots), cat(pos), cat(r_idx), cat(c_idx)


def _check_band(lo: int, hi: int, rows: int, cols: int) -> None:
    if not (-rows < lo <= 0 or 0 <= lo < cols) or not (-rows < hi <= 0 or 0 <= hi < cols):
        raise InvalidArgumentError(
            f"The diagonal band [{lo}, {hi}] is out of bounds for {rows}x{cols} matrices"
        )


def matrix_diag_part_v3(
    input: np.ndarray,
    k: np.ndarray,
    padding_value: np.ndarray,
    *,
    align: str = "RIGHT_LEFT",  # noqa: A002
) -> np.ndarray:
    if input.ndim < 2:
        raise InvalidArgumentError(f"input must be at least 2-dim, got {shape_str(input.shape)}")
    rows, cols = input.shape[-2:]
    lo, hi = _band(k)
    _check_band(lo, hi, rows, cols)
    max_len, slot, pos, r, c = _index(lo, hi, rows, cols, align)
    batch = input.shape[:-2]
    out = np.full((*batch, hi - lo + 1, max_len), padding_value.reshape(()), dtype=input.dtype)
    out[..., slot, pos] = input[..., r, c]
    return array(out[..., 0, :] if lo == hi else out)


def matrix_diag_v3(
    diagonal: np.ndarray, k: np.ndarray, num_rows: np.ndarray, num_cols: np.ndarray,
    padding_value: np.ndarray, *, align: str = "RIGHT_LEFT",
) -> np.ndarray:  # fmt: skip
    lo, hi = _band(k)
    packed = diagonal if lo != hi else diagonal[..., None, :]
    if packed.ndim < 2 or packed.shape[-2] != hi - lo + 1:
        raise InvalidArgumentError(
            f"diagonal shape {shape_str(diagonal.shape)} does not hold {hi - lo + 1} diagonals"
        )
    max_len = packed.shape[-1]
    rows, cols = scalar(num_rows, "num_rows"), scalar(num_cols, "num_cols")
    # NOTE: TF's minimal sizes: the longest diagonal must fit (num_rows counts from the upper
    # diagonal, num_cols from the lower one); an unknown size (-1) takes the minimum.
    if rows == -1:
        rows = max_len - min(hi, 0)
    if cols == -1:
        cols = max_len + max(lo, 0)
    longest = max(_diag_len(d, rows, cols) for d in range(lo, hi + 1))
    if longest != max_len or rows < max_len - min(hi, 0) or cols < max_len + max(lo, 0):
        raise InvalidArgumentError(
            "The number of rows or columns is not consistent with the specified d_lower, d_upper,"
            " and diagonal."
        )
    batch = packed.shape[:-2]
    check_allocation((*batch, rows, cols), diagonal.dtype, "MatrixDiagV3")
    out = np.full((*batch, rows, cols), padding_value.reshape(()), dtype=diagonal.dtype)
    _, slot, pos, r, c = _index(lo, hi, rows, cols, align)
    out[..., r, c] = packed[..., slot, pos]
    return array(out)


def matrix_set_diag_v3(
    input: np.ndarray,
    diagonal: np.ndarray,
    k: np.ndarray,
    *,
    align: str = "RIGHT_LEFT",  # noqa: A002
) -> np.ndarray:
    rows, cols = input.shape[-2:]
    lo, hi = _band(k)
    _check_band(lo, hi, rows, cols)
    packed = diagonal if lo != hi else diagonal[..., None, :]
    _, slot, pos, r, c = _index(lo, hi, rows, cols, align)
    out = input.copy()
    out[..., r, c] = packed[..., slot, pos]
    return out


def matrix_diag_part(input: np.ndarray) -> np.ndarray:  # noqa: A002
    zero = np.zeros((), dtype=input.dtype)
    return matrix_diag_part_v3(input, np.array(0, np.int32), zero, align="LEFT_LEFT")


def matrix_diag(diagonal: np.ndarray) -> np.ndarray:
    n = np.array(diagonal.shape[-1], np.int32)
    zero = np.zeros((), dtype=diagonal.dtype)
    return matrix_diag_v3(diagonal, np.array(0, np.int32), n, n, zero, align="LEFT_LEFT")


def matrix_set_diag(input: np.ndarray, diagonal: np.ndarray) -> np.ndarray:  # noqa: A002
    return matrix_set_diag_v3(input, diagonal, np.array(0, np.int32), align="LEFT_LEFT")


register("Diag", diag)
register("DiagPart", diag_part)
register("MatrixDiag", matrix_diag)
register("MatrixDiagPart", matrix_diag_part)
register("MatrixSetDiag", matrix_set_diag)
register("MatrixDiagV3", matrix_diag_v3)
register("MatrixDiagPartV3", matrix_diag_part_v3)
register("MatrixSetDiagV3", matrix_set_diag_v3)
