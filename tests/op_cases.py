"""Loader and checker for the per-op kernel cases of tests/fixtures/op_cases/.

The cases were produced by real TensorFlow (tools/fixtures/make_op_cases.py). Each case is run
through OUR kernel exactly as the executor runs it: `registry.lookup(op).fn(*inputs, **attrs)`,
with attrs decoded the way the executor decodes them (see savedmodel.ops.registry) and only the
attrs the kernel names passed; a kernel that wants the execution context gets a fresh one (empty
resources), as in a new Session, so a stateful kernel gives its first run's values. Outputs must
match TensorFlow's in type (real ndarray), dtype, shape and value: exactly (NaN where NaN, and the
sign of zeros) unless the test module gives the op a tolerance:

    ("ulp", n)   |ours - tf| <= n units in the last place of tf's value, per element
    ("rel", r)   |ours - tf| <= r * max|tf| over the whole output (for sums of many products)

Either form also accepts a difference below the dtype's smallest normal number: TensorFlow's CPU
kernels run with denormals flushed to zero and numpy does not.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import ml_dtypes
import numpy as np
import pytest

from savedmodel import errors
from savedmodel.ops import registry

CASES_DIR = Path(__file__).parent / "fixtures" / "op_cases"
BF16 = np.dtype(ml_dtypes.bfloat16)

Tolerance = tuple[str, float]


def _dtype(name: str) -> np.dtype:
    if name == "string":
        return np.dtype(object)
    if name == "bfloat16":
        return BF16
    return np.dtype(name)


def _array(ref: dict[str, Any], npz: Any) -> np.ndarray:
    if ref["dtype"] == "string":
        flat = [base64.b64decode(x) for x in ref["b64"]]
        out = np.empty(len(flat), dtype=object)
        out[:] = flat
        return out.reshape(ref["shape"])
    pool = npz[ref["dtype"]]
    size = int(np.prod(ref["shape"], dtype=np.int64))
    value = pool[ref["at"] : ref["at"] + size].reshape(ref["shape"])
    return value.view(BF16) if ref["dtype"] == "bfloat16" else value


def _shape(dims: list[int | None] | None) -> tuple[int | None, ...] | None:
    return None if dims is None else tuple(dims)


def _attr(encoded: dict[str, Any]) -> Any:
    ((kind, value),) = encoded.items()
    if kind == "type":
        return _dtype(value)
    if kind == "shape":
        return _shape(value)
    if kind == "list":
        if not value:
            return []
        ((item_kind, items),) = value.items()
        if item_kind == "type":
            return [_dtype(v) for v in items]
        if item_kind == "shape":
            return [_shape(v) for v in items]
        return list(items)
    return value


def load(family: str) -> list[Any]:
    """The cases of one family as pytest params (id "Op/case-id"), xfails marked strict."""
    doc = json.loads((CASES_DIR / f"{family}.json").read_text())
    with np.load(CASES_DIR / f"{family}.npz", allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    params = []
    for entry in doc["cases"]:
        inputs = [
            [_array(r, arrays) for r in ref] if isinstance(ref, list) else _array(ref, arrays)
            for ref in entry["inputs"]
        ]
        case = {
            "op": entry["op"],
            "inputs": inputs,
            "attrs": {k: _attr(v) for k, v in entry["attrs"].items()},
            "nondefault_attrs": entry["nondefault_attrs"],
            "single_output": entry["single_output"],
            "error": entry.get("error"),
            "outputs": [_array(r, arrays) for r in entry.get("outputs", [])],
            "undefined_outputs": entry.get("undefined_outputs", []),
        }
        marks = []
        if "xfail" in entry:
            marks.append(pytest.mark.xfail(strict=True, reason=entry["xfail"]))
        params.append(pytest.param(case, id=f"{entry['op']}/{entry['id']}", marks=marks))
    return params


class FreshContext:
    """The part of a Session that context-wanting kernels of these families use."""

    def __init__(self) -> None:
        self.resources: dict[Any, Any] = {}


def run(case: dict[str, Any], tolerances: dict[str, Any]) -> None:
    """Run one case through our kernel and compare with TensorFlow's result."""
    kernel = registry.lookup(case["op"])
    assert kernel is not None, f"no kernel registered for {case['op']}"
    ignored = set(case["nondefault_attrs"]) - kernel.attr_names
    assert not ignored, f"kernel ignores non-default attrs {sorted(ignored)}"
    attrs = {k: v for k, v in case["attrs"].items() if k in kernel.attr_names}
    if kernel.wants_context:
        attrs["ctx"] = FreshContext()
    inputs = [list(v) if isinstance(v, list) else v for v in case["inputs"]]
    if case["error"] is not None:
        expected = getattr(errors, case["error"]["type"])
        with pytest.raises(expected):
            kernel.fn(*inputs, **attrs)
        return
    result = kernel.fn(*inputs, **attrs)
    if result is None and not case["single_output"]:
        result = []  # an op without outputs (Assert, PrintV2)
    if case["single_output"]:
        result = [result]
    else:
        assert isinstance(result, (tuple, list)), f"multi-output kernel returned {type(result)}"
        result = list(result)
    expected = case["outputs"]
    assert len(result) == len(expected), f"{len(result)} outputs, TensorFlow gave {len(expected)}"
    for i, (ours, theirs) in enumerate(zip(result, expected, strict=True)):
        if i in case["undefined_outputs"]:
            # TensorFlow leaves this output's values unspecified: check the form only.
            assert type(ours) is np.ndarray and ours.dtype == theirs.dtype
            assert ours.shape == theirs.shape, f"output {i}: shape {ours.shape} vs {theirs.shape}"
            continue
        spec = tolerances.get(case["op"])
        if isinstance(spec, dict):
            spec = spec.get(theirs.dtype.name)
        assert_same(ours, theirs, spec, where=f"output {i}")


def assert_same(ours: Any, theirs: np.ndarray, tol: Tolerance | None, where: str = "") -> None:
    assert type(ours) is np.ndarray, f"{where}: got {type(ours).__name__}, not np.ndarray"
    assert ours.dtype == theirs.dtype, f"{where}: dtype {ours.dtype}, TensorFlow {theirs.dtype}"
    assert ours.shape == theirs.shape, f"{where}: shape {ours.shape}, TensorFlow {theirs.shape}"
    if theirs.dtype == object:
        assert ours.tolist() == theirs.tolist(), f"{where}: {ours!r} != {theirs!r}"
        return
    if theirs.dtype.kind in "biu":
        np.testing.assert_array_equal(ours, theirs, err_msg=where, strict=True)
        return
    if theirs.dtype.kind == "c":
        for part in ("real", "imag"):
            assert_same(
                np.ascontiguousarray(getattr(ours, part)),
                np.ascontiguousarray(getattr(theirs, part)),
                tol,
                f"{where} {part}",
            )
        return
    a = ours.astype(np.float64)
    e = theirs.astype(np.float64)
    nan = np.isnan(e)
    assert np.array_equal(np.isnan(a), nan), f"{where}: NaN positions differ\n{ours}\n{theirs}"
    a, e = a[~nan], e[~nan]
    if tol is None:
        same = (a == e) & (np.signbit(a) == np.signbit(e))
    else:
        kind, n = tol
        tiny = _finfo(theirs.dtype).tiny
        finite = np.isfinite(e)
        with np.errstate(invalid="ignore", over="ignore"):
            if kind == "ulp":
                allowed = n * _ulp(np.abs(np.where(finite, e, 0)).astype(theirs.dtype))
            else:
                allowed = n * (np.abs(e[finite]).max() if finite.any() else 0.0)
            diff = np.abs(np.where(finite, a - e, 0))
        same = (a == e) | (finite & (diff <= np.maximum(allowed, float(tiny))))
    if not same.all():
        bad = np.flatnonzero(~same)[:8]
        raise AssertionError(
            f"{where}: {(~same).sum()} of {same.size} values differ (tolerance {tol});"
            f" first at flat positions {bad.tolist()}:"
            f" ours {a[bad].tolist()} vs TF {e[bad].tolist()}"
        )


def _finfo(dtype: np.dtype) -> Any:
    return ml_dtypes.finfo(dtype) if dtype == BF16 else np.finfo(dtype)


def _ulp(magnitude: np.ndarray) -> np.ndarray:
    """Spacing of the dtype at each |value| (inf where the value is inf)."""
    dtype = magnitude.dtype
    if dtype == BF16:
        # bfloat16 has no nextafter of its own: step the bit pattern instead.
        nxt = (magnitude.view(np.uint16) + np.uint16(1)).view(dtype)
        return nxt.astype(np.float64) - magnitude.astype(np.float64)
    return np.spacing(magnitude).astype(np.float64)
