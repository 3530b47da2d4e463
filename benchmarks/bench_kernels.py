"""Per-kernel speed: our numpy kernels vs TensorFlow's, side by side on the same inputs, one run.

    /work/tfvenv/bin/python benchmarks/bench_kernels.py [--reps 20] [--only NAME ...]

Each row runs one op on fixed random inputs: ours as the executor calls it
(`registry.lookup(op).fn(*inputs, **attrs)`), TensorFlow's as an eager `tf.raw_ops` call on
tf.constant inputs (its CPU kernel plus a few microseconds of eager dispatch). Times are medians
of --reps calls after a warm-up call; "ours / TF" > 1 means we are slower; the last column is
the same ratio of the fastest calls (steadier on a busy machine).

TensorFlow runs with its defaults (oneDNN on, all cores); TF_CPP_MIN_LOG_LEVEL=3 only silences
its logs. Results are noisy on a shared machine: compare ratios, and rerun before quoting.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import savedmodel.ops.all  # noqa: E402, F401  (registers every kernel family)
import savedmodel.ops.random_ops  # noqa: E402, F401
from savedmodel.ops import registry  # noqa: E402

RNG = np.random.default_rng(0)


def _randn(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape).astype(np.float32)


Case = tuple[str, str, list[np.ndarray], dict[str, Any]]  # name, op, inputs, attrs


def _conv(op: str, x: tuple[int, ...], f: tuple[int, ...], stride: int = 1) -> Case:
    what = "depthwise" if op == "DepthwiseConv2dNative" else "conv2d"
    name = f"{what} {'x'.join(map(str, x))}->{f[-1] * (x[-1] if what == 'depthwise' else 1)}"
    name += f" {f[0]}x{f[1]}" + (f" s{stride}" if stride > 1 else "")
    attrs = {"strides": [1, stride, stride, 1], "padding": "SAME"}
    return name, op, [_randn(*x), _randn(*f)], attrs


def _stateless(op: str, n: int, label: str) -> Case:
    key, counter = np.array([12345], np.uint64), np.array([0, 678], np.uint64)
    shape, alg = np.array([n], np.int32), np.array(1, np.int32)
    return label, op, [shape, key, counter, alg], {"dtype": "float32"}


CASES: list[Case] = [
    _conv("DepthwiseConv2dNative", (8, 56, 56, 64), (3, 3, 64, 1)),
    _conv("DepthwiseConv2dNative", (1, 112, 112, 32), (3, 3, 32, 1), stride=2),
    _conv("Conv2D", (1, 112, 112, 32), (3, 3, 32, 64)),
    _conv("Conv2D", (8, 28, 28, 64), (3, 3, 64, 64)),
    _conv("Conv2D", (1, 224, 224, 3), (3, 3, 3, 32), stride=2),
    ("softmax 64x10", "Softmax", [_randn(64, 10)], {}),
    ("softmax 4096x128", "Softmax", [_randn(4096, 128)], {}),
    ("log_softmax 4096x128", "LogSoftmax", [_randn(4096, 128)], {}),
    _stateless("StatelessRandomUniformV2", 1 << 20, "stateless_uniform 1M"),
    _stateless("StatelessRandomNormalV2", 1 << 16, "stateless_normal 64K"),
]


def _times_ms(fn: Callable[[], Any], reps: int) -> list[float]:
    fn()
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1e3)
    return times


def _ours(op: str, inputs: list[np.ndarray], attrs: dict[str, Any]) -> Callable[[], Any]:
    kernel = registry.lookup(op)
    kw = {k: (np.dtype(v) if k == "dtype" else v) for k, v in attrs.items()}
    kw = {k: v for k, v in kw.items() if k in kernel.attr_names}
    if kernel.wants_context:

        class Context:
            resources: dict = {}

        kw["ctx"] = Context()
    return lambda: kernel.fn(*inputs, **kw)


def _theirs(tf: Any, op: str, inputs: list[np.ndarray], attrs: dict[str, Any]):
    import inspect

    raw = getattr(tf.raw_ops, op)
    params = list(inspect.signature(raw).parameters)
    kwargs = {params[i]: tf.constant(v) for i, v in enumerate(inputs)}
    kwargs.update({k: (tf.dtypes.as_dtype(v) if k == "dtype" else v) for k, v in attrs.items()})
    return lambda: raw(**kwargs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--only", nargs="*", help="substrings of the row names to run")
    args = parser.parse_args()
    import tensorflow as tf

    print(f"{'kernel':34} {'ours ms':>9} {'TF ms':>9} {'ours / TF':>10} {'(best of each)':>15}")
    for name, op, inputs, attrs in CASES:
        if args.only and not any(s in name for s in args.only):
            continue
        ours = _times_ms(_ours(op, inputs, attrs), args.reps)
        theirs = _times_ms(_theirs(tf, op, inputs, attrs), args.reps)
        mine, tfs = statistics.median(ours), statistics.median(theirs)
        best = min(ours) / min(theirs)
        print(f"{name:34} {mine:9.3f} {tfs:9.3f} {mine / tfs:10.2f} {best:15.2f}")


if __name__ == "__main__":
    main()
