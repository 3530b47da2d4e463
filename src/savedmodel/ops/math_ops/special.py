"""The error function and its complement in float64, vectorised (numpy has neither; `math.erf`
is scalar-only).

|x| < 1 uses the Maclaurin series; 1 <= |x| < 6 uses erfc(|x|) = g(|x|) exp(-x*x), with g from
Chebyshev expansions on half-unit pieces, fitted once (on first use) by interpolating `math.erfc`
at Chebyshev nodes and evaluated with Clenshaw's recurrence (fitting the smooth g keeps the error
relative to the small erfc); beyond 6, erf is +-1 to double precision and erfc follows its
asymptotic series. Accuracy is
a few ulp in float64, so float32 results come out correctly rounded (TensorFlow's own float32 erf
is a cheaper approximation, a few ulp off).
"""

from __future__ import annotations

import decimal
import functools
import math

import numpy as np

_SERIES_END = 1.0
_PIECE = 0.5  # width of one Chebyshev piece
_END = 6.0
_DEGREE = 14
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
# Maclaurin coefficients of erf(x) / x as a polynomial in x**2, highest power first.
_SERIES = [_TWO_OVER_SQRT_PI * (-1) ** n / (math.factorial(n) * (2 * n + 1)) for n in range(22)][
    ::-1
]


@functools.cache
def _pieces() -> list[list[float]]:
    """Chebyshev coefficients (in t in [-1, 1]) of g(x) = erfc(x) * exp(x * x) on each piece,
    lowest order first. g is smooth and slowly varying (~ 1 / (x sqrt(pi))), so its fit is
    accurate relative to erfc itself; exp(x * x) is taken in 40-digit decimal arithmetic."""
    n = _DEGREE + 1
    theta = [math.pi * (k + 0.5) / n for k in range(n)]
    rows = []
    with decimal.localcontext() as ctx:
        ctx.prec = 40
        for p in range(int((_END - _SERIES_END) / _PIECE)):
            lo = _SERIES_END + p * _PIECE
            values = []
            for th in theta:
                x = lo + _PIECE / 2 * (math.cos(th) + 1.0)
                scaled = decimal.Decimal(math.erfc(x)) * (decimal.Decimal(x) ** 2).exp()
                values.append(float(scaled))
            coef = [
                2.0
                / n
                * math.fsum(v * math.cos(j * th) for v, th in zip(values, theta, strict=True))
                for j in range(n)
            ]
            coef[0] /= 2.0
            rows.append(coef)
    return rows


def _clenshaw(coef: list[float], t: np.ndarray) -> np.ndarray:
    t2 = 2.0 * t
    b1 = np.zeros_like(t)
    b2 = np.zeros_like(t)
    for c in coef[:0:-1]:
        b0 = t2 * b1
        b0 -= b2
        b0 += c
        b1, b2 = b0, b1
    out = t * b1
    out -= b2
    out += coef[0]
    return out


def erf(x: np.ndarray) -> np.ndarray:
    """erf of a float64 array (NaN stays NaN, +-inf gives +-1)."""
    ax = np.abs(x)
    out = np.sign(x)  # right for |x| >= 6 and for +-inf; NaN propagates
    small = ax < _SERIES_END
    if small.any():
        xs = x[small]
        z = xs * xs
        acc = np.full_like(z, _SERIES[0])
        for c in _SERIES[1:]:
            acc *= z
            acc += c
        out[small] = acc * xs
    if not (ax >= _SERIES_END).any():
        return out
    for p, coef in enumerate(_pieces()):
        lo = _SERIES_END + p * _PIECE
        sel = (ax >= lo) & (ax < lo + _PIECE)
        if sel.any():
            t = (ax[sel] - lo) * (2.0 / _PIECE) - 1.0
            tail = _clenshaw(coef, t) * _exp_minus_square(ax[sel])
            out[sel] = np.copysign(1.0 - tail, x[sel])
    return out


def _exp_minus_square(x: np.ndarray) -> np.ndarray:
    """exp(-x*x) without the rounding error of x*x (x split so that hi*hi is exact)."""
    hi = np.round(x * 4096.0) / 4096.0
    lo = x - hi
    return np.exp(-hi * hi) * np.exp(-(2.0 * hi * lo + lo * lo))


def _erfc_tail(ax: np.ndarray) -> np.ndarray:
    """erfc(x) for x >= 6 from its asymptotic series (terms shrink until n ~ x*x)."""
    z = 1.0 / (2.0 * ax * ax)
    term = np.ones_like(ax)
    acc = np.ones_like(ax)
    for n in range(1, 25):
        term = term * -(2 * n - 1) * z
        acc += term
    return _exp_minus_square(ax) / (ax * math.sqrt(math.pi)) * acc


def erfc(x: np.ndarray) -> np.ndarray:
    """erfc of a float64 array, accurate relative to the (tiny) result for large x."""
    ax = np.abs(x)
    small = ax < _SERIES_END
    out = np.empty_like(ax)
    if small.any():
        out[small] = 1.0 - erf(x[small])
    for p, coef in enumerate(_pieces()):
        lo = _SERIES_END + p * _PIECE
        sel = (ax >= lo) & (ax < lo + _PIECE)
        if sel.any():
            t = (ax[sel] - lo) * (2.0 / _PIECE) - 1.0
            out[sel] = _clenshaw(coef, t) * _exp_minus_square(ax[sel])
    tail = ax >= _END
    if tail.any():
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            out[tail] = np.where(np.isinf(ax[tail]), 0.0, _erfc_tail(ax[tail]))
    negative = (x < 0) & ~small
    out[negative] = 2.0 - out[negative]
    out[np.isnan(x)] = np.nan
    return out
