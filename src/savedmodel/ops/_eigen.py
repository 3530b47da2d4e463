"""Eigen's CPU arithmetic as TensorFlow's x86-64 wheels run it, for kernels that must match TF's
last bit (Softmax, LogSoftmax).

TensorFlow's Linux x86-64 build compiles Eigen for AVX without FMA: element-wise functions run on
packets of 8 floats (4 doubles, 8 halves/bfloat16s computed as floats), each multiply-add as a
multiply and an add, and the elements left over after the last whole packet of a range go through
the scalar C library function instead (see _libm.py). What this module reproduces:

- `exp`/`log` of whole packets: Eigen's range reduction and polynomial (float: a degree-6
  polynomial in r = x - m ln 2; double: Cephes' rational approximation), in numpy, same order of
  operations and roundings;
- `reciprocal` of float packets: the hardware estimate (`rcpps`: 1 / the midpoint of the input's
  top-11-mantissa-bit interval, to 12 significant bits, as Intel CPUs give it; AMD's estimate
  differs, and so do TensorFlow's results there) refined by one Newton step x + x * (1 - a * x);
  doubles divide;
- `row_sums`: Eigen's inner-most-dimension sum (four packet accumulators over 32-element chunks,
  then one, a horizontal packet sum, plus the scalar tail summed from 0; long rows as a tree);
- which elements take the scalar path: the tail of each range (`scalar_tail`), of each tiled
  block (`tiled_scalar_index`), of each reduction leaf (`reduction_scalar_index`).

Other builds (aarch64 NEON with FMA, AVX-512 builds) round differently; this is the x86-64 one.

TensorFlow's CPU threads flush denormals to zero; `flush_denormals` does the same to results.
"""

from __future__ import annotations

import ml_dtypes
import numpy as np

from savedmodel.ops import _libm

F32 = np.dtype(np.float32)
F64 = np.dtype(np.float64)
F16 = np.dtype(np.float16)
BF16 = np.dtype(ml_dtypes.bfloat16)
LOW_FLOATS = (F16, BF16)

# Lanes per AVX packet (Packet8f, Packet4d, Packet8h, Packet8bf).
LANES = {F32: 8, F64: 4, F16: 8, BF16: 8}

_f = np.float32
_LN2_F32 = _f(0.6931471805599453)
_LN2_F64 = 0.6931471805599453


def packet_dtype(dtype: np.dtype) -> np.dtype:
    """The dtype packet math runs in: float32 for float16/bfloat16 packets."""
    return F32 if dtype in LOW_FLOATS else dtype


_TINY = {F32: np.finfo(F32).tiny, F64: np.finfo(F64).tiny, BF16: ml_dtypes.finfo(BF16).tiny}


def flush_denormals(x: np.ndarray) -> np.ndarray:
    small = np.abs(x) < _TINY[x.dtype]  # quiet for NaN
    if small.any():
        x = np.where(small, np.copysign(np.zeros((), x.dtype), x), x)
    return x


# -- packet functions ------------------------------------------------------------------------


def _exp_f32(x: np.ndarray) -> np.ndarray:
    # In-place numpy steps, each one rounding as the packet instruction does.
    clamped = np.minimum(x, _f(88.723))
    m = clamped * _f(1.44269504088896341)
    m += _f(0.5)
    np.floor(m, out=m)
    r = m * _f(-0.693359375)
    r += clamped
    r += m * _f(2.12194440e-4)
    r2 = r * r
    even = r2 * _f(1.37449637986719608306884765625e-3)
    even += _f(4.166965186595916748046875e-2)
    even *= r2
    even += _f(0.49999988079071044921875)
    y = r2 * _f(8.36894474923610687255859375e-3)
    y += _f(0.16666518151760101318359375)
    y *= r
    y += even
    y *= r2
    r += _f(1)
    y += r
    return _scale(x, y, m, x < _f(-104.0))


def _exp_f64(x0: np.ndarray) -> np.ndarray:
    underflow = x0 < -745.519
    x = np.minimum(x0, 709.784)
    n = np.floor(1.4426950408889634073599 * x + 0.5)
    x = x - n * 0.693145751953125
    x = x - n * 1.42860682030941723212e-6
    x2 = x * x
    p = (1.26177193074810590878e-4 * x2 + 3.02994407707441961300e-2) * x2
    p = (p + 9.99999999999999999910e-1) * x
    q = 3.00198505138664455042e-6 * x2 + 2.52448340349684104192e-3
    q = q * x2 + 2.27265548208155028766e-1
    q = q * x2 + 2.00000000000000000009e0
    y = 2.0 * (p / (q - p)) + 1.0
    return _scale(x0, y, n, underflow)


def _scale(x: np.ndarray, y: np.ndarray, m: np.ndarray, underflow: np.ndarray) -> np.ndarray:
    """2**m * y: exact for results in the normal range (the common case, checked first); NaN
    stays NaN, large inputs give inf, results below the normal range flush to 0."""
    if x.size and -87.0 <= x.min() and x.max() <= 87.0:  # False for NaN
        return np.ldexp(y, m.astype(np.int32))
    finite = np.isfinite(m)
    out = np.ldexp(y, np.where(finite, m, 0).astype(np.int32))
    out = np.where(finite, out, np.where(m > 0, np.inf, np.nan)).astype(y.dtype)
    out = flush_denormals(np.where(underflow, np.zeros((), y.dtype), out))
    # Eigen returns max(result, x): only matters for NaN, which it propagates.
    return np.where(np.isnan(x), x, out)


# Elements per slice of a long element-wise computation: its ~20 temporaries stay in cache.
_CHUNK = 16384


def exp(x: np.ndarray) -> np.ndarray:
    """Eigen's packet exp (pexp) of a float32/float64 array."""
    fn = _exp_f32 if x.dtype == F32 else _exp_f64
    if x.size <= _CHUNK:
        return fn(x)
    flat = x.reshape(-1)
    out = np.empty_like(flat)
    for i in range(0, flat.size, _CHUNK):
        out[i : i + _CHUNK] = fn(flat[i : i + _CHUNK])
    return out.reshape(x.shape)


def _frexp(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mantissa, exponent = np.frexp(x)
    return mantissa, exponent.astype(x.dtype)


def log(x: np.ndarray) -> np.ndarray:
    """Eigen's packet log (plog) of a float32/float64 array."""
    out = _log_f32(x) if x.dtype == F32 else _log_f64(x)
    out = np.where(x == 0, -np.inf, out)
    out = np.where(x == np.inf, np.inf, out)
    return np.where((x < 0) | np.isnan(x), np.nan, out).astype(x.dtype)


def _shift_to_sqrt_half(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    m, e = _frexp(x)
    one = np.ones((), x.dtype)
    low = m < x.dtype.type(0.707106781186547524)
    e = e - np.where(low, one, 0)
    return (m - one) + np.where(low, m, 0), e


def _log_f32(x: np.ndarray) -> np.ndarray:
    m, e = _shift_to_sqrt_half(x)
    p = (_f(0.18256296349849254) * m + _f(1.0000000190281063)) * m + _f(1.0000000190281136)
    p = m * p
    q = (_f(0.049616247954120038) * m + _f(0.59923249590823520)) * m + _f(1.4999999999999927)
    q = q * m + _f(1.0)
    return e * _LN2_F32 + p / q


def _log_f64(x: np.ndarray) -> np.ndarray:
    m, e = _shift_to_sqrt_half(x)
    m2 = m * m
    m3 = m2 * m
    y = (1.01875663804580931796e-4 * m + 4.97494994976747001425e-1) * m + 4.70579119878881725854
    y1 = (1.44989225341610930846e1 * m + 1.79368678507819816313e1) * m + 7.70838733755885391666
    num = y * m3 + y1
    y = (1.0 * m + 1.12873587189167450590e1) * m + 4.52279145837532221105e1
    y1 = (8.29875266912776603211e1 * m + 7.11544750618563894466e1) * m + 2.31251620126765340583e1
    den = y * m3 + y1
    y = (num * m3) / den
    y = -0.5 * m2 + y
    return e * _LN2_F64 + (m + y)


# The hardware estimate's mantissa bits for each top-11-bit mantissa interval of the input:
# 1 / the interval's midpoint, to 12 significant bits, as a value in (0.5, 1] (bits of the
# mantissa field of a float with exponent -1; the value 1.0 carries into the exponent).
_RCP_BITS = np.round((1.0 / (1.0 + (np.arange(2048) + 0.5) / 2048) - 0.5) * 8192).astype(
    np.uint32
) << np.uint32(11)


def reciprocal(a: np.ndarray) -> np.ndarray:
    """Eigen's packet reciprocal (preciprocal): estimate plus one Newton step for float32."""
    if a.dtype != F32:
        return np.ones((), a.dtype) / a
    if not a.size:
        return a.copy()
    bits = a.view(np.uint32)
    exponent = (bits >> np.uint32(23)) & np.uint32(0xFF)
    interval = (bits >> np.uint32(12)) & np.uint32(0x7FF)
    if exponent.min() == 0 or exponent.max() > 252:
        return _reciprocal_special(a)
    # 2**-e * (estimate of 1 / mantissa): biased exponent 127 - e - 1 for the (0.5, 1] value.
    estimate = ((np.uint32(253) - exponent) << np.uint32(23)) + _RCP_BITS[interval]
    estimate |= bits & np.uint32(0x80000000)
    x = estimate.view(F32)
    step = _f(1) - a * x
    step *= x
    step += x
    return step


def _reciprocal_special(a: np.ndarray) -> np.ndarray:
    # Zeros, denormals (read as zeros), infinities, NaN and results below the normal range.
    a = flush_denormals(a)
    with np.errstate(all="ignore"):
        mantissa = (
            (_RCP_BITS[(a.view(np.uint32) >> np.uint32(12)) & np.uint32(0x7FF)]).astype(np.float64)
            / (1 << 23)
            + 1.0
        )
        exponent = np.frexp(np.abs(a).astype(np.float64))[1] - 1
        x = np.copysign(np.ldexp(mantissa / 2, -exponent), a).astype(F32)
        x = flush_denormals(x)
        tiny = np.abs(a) < np.finfo(F32).tiny
        x = np.where(
            tiny, np.copysign(_f(np.inf), a), np.where(np.isinf(a), np.copysign(_f(0), a), x)
        )
        x = np.where(np.isnan(a), a, x)
        step = _f(1) - a * x
        refined = step * x + x
        # 0 and inf give a NaN step: the estimate (inf, 0) stands.
        return flush_denormals(np.where(np.isnan(step), x, refined))


# -- scalar fallbacks (the C library) ---------------------------------------------------------


def exp_scalar(x: np.ndarray) -> np.ndarray:
    out = _libm.expf(x) if x.dtype == F32 else _libm.exp(x)
    return flush_denormals(out)


def log_scalar(x: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        finite = np.isfinite(x) & (x > 0)
        out = np.log(x)  # inf, -inf, NaN where numpy and C agree
        if finite.any():
            inner = x[finite]
            out[finite] = _libm.logf(inner) if x.dtype == F32 else _libm.log(inner)
    return out


# -- evaluation order ------------------------------------------------------------------------


def scalar_tail(size: int, lanes: int) -> slice:
    """The elements of a contiguous range that miss the last whole packet."""
    return slice(size // lanes * lanes, size)


def tiled_scalar_index(rows: int, cols: int, lanes: int, target: int) -> np.ndarray:
    """Flat indices of the elements of a (rows, cols) element-wise assignment that Eigen's tiled
    executor evaluates with the scalar function, for a target block size of `target` elements.

    Blocks are skewed to the inner dimension: min(cols, target) columns by ceil(target / that)
    rows (the whole tensor when it fits in one block). A block of whole rows is one contiguous
    range, a block of partial rows one range per row; each range ends in a scalar tail.
    """
    size = rows * cols
    if size <= target:
        return np.arange(size // lanes * lanes, size)
    block_cols = min(cols, target)
    block_rows = min(rows, -(-target // block_cols))
    if block_cols == cols:
        ends = np.minimum(np.arange(block_rows, rows + block_rows, block_rows), rows) * cols
        starts = ends - (ends - np.arange(0, rows, block_rows) * cols) % lanes
    else:
        col_ends = np.minimum(np.arange(block_cols, cols + block_cols, block_cols), cols)
        col_starts = col_ends - (col_ends - np.arange(0, cols, block_cols)) % lanes
        row_base = (np.arange(rows) * cols)[:, None]
        starts, ends = (row_base + col_starts).ravel(), (row_base + col_ends).ravel()
    lengths = ends - starts
    if not lengths.any():
        return np.zeros(0, dtype=np.int64)
    return np.concatenate([np.arange(a, b) for a, b in zip(starts, ends, strict=True) if b > a])


# Rows longer than lanes * leaf size are summed as a tree of halves (split on packet boundaries
# of the flat tensor), each leaf in the order below.
_LEAF = {F32: 1024, F64: 1024, F16: 200, BF16: 128}


def _tree(first: int, count: int, lanes: int, leaf: int) -> tuple:
    """Eigen's reduction tree over flat elements [first, first + count): a leaf (first, count)
    or a pair (left, right), right possibly None."""
    if count <= lanes * leaf:
        return (first, count)
    split = lanes * -(-(first + -(-count // 2)) // lanes)
    left = min(split - first, count)
    right = _tree(split, count - left, lanes, leaf) if left < count else None
    return (_tree(first, left, lanes, leaf), right)


def _leaves(node: tuple) -> list[tuple[int, int]]:
    if isinstance(node[0], int):
        return [node]
    return _leaves(node[0]) + ([] if node[1] is None else _leaves(node[1]))


def _row_groups(rows: int, n: int, lanes: int) -> list[tuple[np.ndarray, int]]:
    """Rows grouped by where their flat start falls within a packet, with each group's tree (in
    row-relative positions): the tree's shape depends on nothing else."""
    starts = (np.arange(rows, dtype=np.int64) * n) % lanes
    return [(np.flatnonzero(starts == r), r) for r in np.unique(starts).tolist()]


def _relative(node: tuple, offset: int) -> tuple:
    if isinstance(node[0], int):
        return (node[0] - offset, node[1])
    return (_relative(node[0], offset), None if node[1] is None else _relative(node[1], offset))


def reduction_trees(rows: int, n: int, dtype: np.dtype) -> list[tuple[np.ndarray, tuple]]:
    """(row indices, tree in row-relative columns) for an inner-most sum over a (rows, n) array."""
    lanes, leaf = LANES[dtype], _LEAF[dtype]
    if n <= lanes * leaf:
        return [(np.arange(rows), (0, n))]
    return [
        (index, _relative(_tree(residue, n, lanes, leaf), residue))
        for index, residue in _row_groups(rows, n, lanes)
    ]


def reduction_scalar_index(rows: int, n: int, dtype: np.dtype) -> np.ndarray:
    """Flat indices of the elements an inner-most sum over a (rows, n) array reads one by one
    (the tail of each leaf): where an expression inside the reduction takes the scalar path."""
    parts = []
    for index, tree in reduction_trees(rows, n, dtype):
        columns = [
            np.arange(start + tail.start, start + tail.stop)
            for start, count in _leaves(tree)
            for tail in [scalar_tail(count, LANES[dtype])]
        ]
        parts.append((index[:, None] * n + np.concatenate(columns)[None, :]).ravel())
    return np.sort(np.concatenate(parts))


def row_sums(values: np.ndarray) -> np.ndarray:
    """Sums along the last axis of a 2-D array in Eigen's inner-most reduction order."""
    rows, n = values.shape
    out = np.empty(rows, values.dtype)
    for index, tree in reduction_trees(rows, n, values.dtype):
        part = values if index.size == rows else values[index]
        out[index] = _tree_sum(part, tree)
    return out


def _tree_sum(values: np.ndarray, node: tuple) -> np.ndarray:
    if isinstance(node[0], int):
        start, count = node
        return _leaf_sum(values[:, start : start + count])
    total = np.zeros(values.shape[0], values.dtype) + _tree_sum(values, node[0])
    return total if node[1] is None else total + _tree_sum(values, node[1])


def _leaf_sum(values: np.ndarray) -> np.ndarray:
    """One leaf: packet additions round per lane in the array's dtype (float16/bfloat16 packets
    add as floats and round back), the horizontal sum of the final packet runs in the packet
    dtype and rounds once, then the scalar tail's sum (from 0, in order) is added to it."""
    dtype = values.dtype
    rows, n = values.shape
    lanes = LANES[dtype]
    if n < lanes:  # no packet: the tail alone, plus the empty packet's sum (0)
        total = values[:, 0] + np.zeros((), dtype) if n else np.zeros(rows, dtype)
        for j in range(1, n):
            total = total + values[:, j]
        return total + np.zeros((), dtype)
    start = 0
    acc = np.zeros((rows, lanes), dtype)
    if n >= 4 * lanes:
        chunked = n // (4 * lanes) * (4 * lanes)
        accs = [np.zeros((rows, lanes), dtype) for _ in range(4)]
        for j in range(0, chunked, 4 * lanes):
            for k in range(4):
                accs[k] = accs[k] + values[:, j + k * lanes : j + (k + 1) * lanes]
        acc = ((accs[0] + accs[1]) + accs[2]) + accs[3]
        start = chunked
    if start <= n - lanes:
        whole = n // lanes * lanes
        for j in range(start, whole, lanes):
            acc = acc + values[:, j : j + lanes]
        start = whole
    tail = np.zeros(rows, dtype)
    for j in range(start, n):
        tail = tail + values[:, j]
    return tail + _horizontal_sum(acc).astype(dtype)


def _horizontal_sum(acc: np.ndarray) -> np.ndarray:
    """Eigen's predux of one packet per row: halves added pairwise, in the packet dtype."""
    v = acc.astype(packet_dtype(acc.dtype))
    half = v.shape[1] // 2
    v = v[:, :half] + v[:, half:]
    if v.shape[1] == 4:  # float: (l0 + l2) + (l1 + l3) of the folded 4 lanes
        return (v[:, 0] + v[:, 2]) + (v[:, 1] + v[:, 3])
    return v[:, 0] + v[:, 1]  # double: lanes (0 + 2) and (1 + 3) were folded above


__all__ = [
    "LANES",
    "exp",
    "exp_scalar",
    "flush_denormals",
    "log",
    "log_scalar",
    "packet_dtype",
    "reciprocal",
    "reduction_scalar_index",
    "row_sums",
    "scalar_tail",
    "tiled_scalar_index",
]
