"""The C library's exp, log, sine and cosine, bit for bit, as TensorFlow's kernels get them.

TensorFlow's normal samples call the platform's scalar `logf` and `sincosf` (`log` and `sincos`
for float64), and Eigen's element-wise exp/log fall back to scalar `expf`/`logf` (`exp`/`log`)
for the elements outside whole packets. glibc's float versions are not correctly rounded: about
0.7% of `logf` and 1.3% of `sinf`/`cosf` results differ from the nearest float, and numpy's own
SIMD functions round differently again. So we compute each function in higher precision with
numpy, which gives the correctly rounded result, and call the C function through ctypes only for
the elements whose exact value lies close enough to a rounding midpoint for the C library to round
the other way.

How close is close enough was measured against glibc 2.36 (x86_64): over every input the
Box-Muller transform can produce for float32 (2**23 of each) `logf` misrounds only within 0.29
ulp of a midpoint (0.30 over 1.8e6 sampled inputs >= 1), `sinf`/`cosf` within 0.061, and
`sincosf` returns exactly what `sinf` and `cosf` return; `expf` within 0.0015 (3e6 samples). For
float64 (10**6 samples each) `log`, `sin`, `cos` and `exp` misround within 0.018 ulp. On another C
library those bounds are unknown, so every element goes through it; with no loadable C library,
results are the correctly rounded ones.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import math
import platform
import sys
from collections.abc import Callable

import numpy as np

# Distance from a rounding midpoint, in ulps of the result, within which we ask the C library.
_FLOAT_BANDS = {"logf": 0.35, "sinf": 0.07, "cosf": 0.07, "expf": 0.01}
_DOUBLE_BAND = 0.03
_CALL_ALL = 0.5

_LONG_DOUBLE_IS_WIDER = np.finfo(np.longdouble).nmant >= 63


@functools.cache
def _c_library() -> ctypes.CDLL | None:
    names = ["ucrtbase", "msvcrt"] if sys.platform == "win32" else [ctypes.util.find_library("m")]
    for name in names:
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)
        except OSError:
            continue
        for fn_name in ("expf", "logf", "sinf", "cosf"):
            fn = getattr(lib, fn_name)
            fn.restype, fn.argtypes = ctypes.c_float, [ctypes.c_float]
        for fn_name in ("exp", "log", "sin", "cos"):
            fn = getattr(lib, fn_name)
            fn.restype, fn.argtypes = ctypes.c_double, [ctypes.c_double]
        return lib
    return None


@functools.cache
def _glibc() -> bool:
    return platform.libc_ver()[0] == "glibc"


def _c_function(name: str) -> Callable[[float], float] | None:
    if name in ("exp", "log", "sin", "cos"):
        # Python's math module calls the same C functions, with less overhead than ctypes.
        return getattr(math, name)
    lib = _c_library()
    return None if lib is None else getattr(lib, name)


def _near_midpoint(exact: np.ndarray, rounded: np.ndarray, band: float) -> np.ndarray:
    """Where `exact` lies within `band` ulps of the midpoint between `rounded` and a neighbour."""
    magnitude = np.abs(rounded)
    # Below a power of two the spacing halves: take the smaller one (more elements asked).
    ulp = np.minimum(np.spacing(magnitude), np.spacing(np.nextafter(magnitude, 0)))
    with np.errstate(invalid="ignore", divide="ignore"):
        off = np.abs(exact - rounded.astype(exact.dtype)) / ulp.astype(exact.dtype)
    return off >= 0.5 - band


def _evaluate(name: str, x: np.ndarray, exact: np.ndarray | None, band: float) -> np.ndarray:
    fn = _c_function(name)
    if exact is None:
        # No wider type to round from (long double is double here): the C library decides all.
        out = getattr(np, name.rstrip("f"))(x)
        if fn is not None:
            flat = out.reshape(-1)
            ask = np.flatnonzero(np.isfinite(flat) & (flat != 0))
            flat[ask] = list(map(fn, x.reshape(-1)[ask].tolist()))
        return out
    out = exact.astype(x.dtype)
    if fn is None:
        return out
    if not _glibc():
        band = _CALL_ALL
    ask = np.flatnonzero(_near_midpoint(exact, out, band))
    if ask.size:
        flat = out.reshape(-1)
        flat[ask] = list(map(fn, x.reshape(-1)[ask].tolist()))
    return out


def expf(x: np.ndarray) -> np.ndarray:
    """C `expf` of a float32 array."""
    with np.errstate(over="ignore"):
        return _evaluate("expf", x, np.exp(x.astype(np.float64)), _FLOAT_BANDS["expf"])


def exp(x: np.ndarray) -> np.ndarray:
    """C `exp` of a float64 array."""
    with np.errstate(over="ignore"):
        exact = np.exp(x.astype(np.longdouble)) if _LONG_DOUBLE_IS_WIDER else None
    return _evaluate("exp", x, exact, _DOUBLE_BAND)


def logf(x: np.ndarray) -> np.ndarray:
    """C `logf` of a float32 array with positive normal elements."""
    return _evaluate("logf", x, np.log(x.astype(np.float64)), _FLOAT_BANDS["logf"])


def sincosf(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """C `sinf` and `cosf` (= glibc's `sincosf`) of a float32 array of finite angles."""
    wide = x.astype(np.float64)
    return (
        _evaluate("sinf", x, np.sin(wide), _FLOAT_BANDS["sinf"]),
        _evaluate("cosf", x, np.cos(wide), _FLOAT_BANDS["cosf"]),
    )


def log(x: np.ndarray) -> np.ndarray:
    """C `log` of a float64 array with positive normal elements."""
    exact = np.log(x.astype(np.longdouble)) if _LONG_DOUBLE_IS_WIDER else None
    return _evaluate("log", x, exact, _DOUBLE_BAND)


def sincos(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """C `sin` and `cos` of a float64 array of finite angles."""
    wide = x.astype(np.longdouble) if _LONG_DOUBLE_IS_WIDER else None
    return (
        _evaluate("sin", x, None if wide is None else np.sin(wide), _DOUBLE_BAND),
        _evaluate("cos", x, None if wide is None else np.cos(wide), _DOUBLE_BAND),
    )
