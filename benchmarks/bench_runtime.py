"""Cold start and steady per-call latency: savedmodel vs TensorFlow, side by side, one run.

    /work/tfvenv/bin/python benchmarks/bench_runtime.py [--reps 5] [--calls 2000] [--profile]

Models (TensorFlow-written fixtures): the seed guide's add_two as a TF2 `tf.Module`
(tests/fixtures/saved_models/tf2_save) and as TF1 `simple_save`, and a Keras 3 MLP
(keras3_mlp: Dense 4->8->3 softmax, batch of 2). Same inputs for both libraries.

(a) Cold start: a fresh `python` process goes from start to the first result (timed until the
    child prints it, so interpreter teardown is not counted); median of --reps runs.
      API: `savedmodel.load(dir).signatures[key](**numpy inputs)` vs
           `tf.saved_model.load(dir).signatures[key](**tf.constant inputs)`.
      CLI: `python -m savedmodel run ...` vs TensorFlow's `saved_model_cli run ...`.
(b) Steady latency, in this process, after warm-up: median of --calls single calls of
      ours:            savedmodel.load(dir).signatures[key](**numpy inputs)
      TF sig(numpy):   tf.saved_model.load(dir).signatures[key](**numpy inputs)
      TF sig(Tensor):  the same concrete function called with tf.Tensor inputs (TF's fast path)
      TF1 callable:    tf.compat.v1 Session + loader.load + Session.make_callable on the
                       SignatureDef's tensor names (what saved_model_cli runs, without its
                       per-run overhead) -- TensorFlow's fastest Python path here.
    "TF best / ours" divides the fastest TensorFlow column by ours (> 1: we are faster).
--profile prints where our per-call time goes (cProfile of the steady loop).

TensorFlow runs with its defaults (oneDNN on); TF_CPP_MIN_LOG_LEVEL=3 only silences its logs.
Results are noisy on a shared machine: compare ratios, and rerun before quoting.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
MODELS_DIR = REPO / "tests" / "fixtures" / "saved_models"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

# (label, fixture, signature key, {input: (value as a nested list, numpy dtype)})
MODELS: list[tuple[str, str, str, dict[str, tuple[Any, str]]]] = [
    ("add_two tf2_save", "tf2_save", "serving_default", {"input": (5.0, "float32")}),
    ("add_two simple_save", "simple_save", "serving_default", {"input": (5.0, "float32")}),
    (
        "keras3_mlp",
        "keras3_mlp",
        "serving_default",
        {"features": ([[0.1, -0.2, 0.3, 0.4], [1.0, 0.5, -1.5, 2.0]], "float32")},
    ),
]

_OURS_CHILD = """
import sys, json
import numpy as np
import savedmodel
path, key, spec = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
inputs = {k: np.asarray(v, dtype=d) for k, (v, d) in spec.items()}
out = savedmodel.load(path).signatures[key](**inputs)
print(json.dumps({k: np.asarray(v).tolist() for k, v in sorted(out.items())}), flush=True)
"""

_TF_CHILD = """
import sys, json
import numpy as np
import tensorflow as tf
path, key, spec = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
inputs = {k: tf.constant(np.asarray(v, dtype=d)) for k, (v, d) in spec.items()}
out = tf.saved_model.load(path).signatures[key](**inputs)
print(json.dumps({k: v.numpy().tolist() for k, v in sorted(out.items())}), flush=True)
"""


def _literal_inputs(spec: dict[str, tuple[Any, str]]) -> str:
    return ";".join(f"{k}={v!r}" for k, (v, _) in spec.items())


def _first_line_time(cmd: list[str]) -> tuple[float, str]:
    """Seconds from spawning `cmd` until it prints its first stdout line (and that line)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - start
    proc.stdout.read()
    if proc.wait() != 0 or not line:
        raise RuntimeError(f"{cmd[:4]}... failed (exit {proc.returncode})")
    return elapsed, line.strip()


def _median_first_line(cmd: list[str], reps: int) -> tuple[float, str]:
    runs = [_first_line_time(cmd) for _ in range(reps)]
    return statistics.median(t for t, _ in runs), runs[0][1]


def cold_starts(reps: int) -> list[tuple[str, str, float, float]]:
    rows = []
    tf_cli = Path(sys.executable).parent / "saved_model_cli"
    for label, name, key, spec in MODELS:
        path = str(MODELS_DIR / name)
        args = [path, key, json.dumps(spec)]
        ours, ours_out = _median_first_line([sys.executable, "-c", _OURS_CHILD, *args], reps)
        theirs, tf_out = _median_first_line([sys.executable, "-c", _TF_CHILD, *args], reps)
        a, b = json.loads(ours_out), json.loads(tf_out)
        assert a.keys() == b.keys() and all(np.allclose(a[k], b[k], rtol=1e-5) for k in a), (
            label,
            a,
            b,
        )
        rows.append((label, "API load+call", ours, theirs))
        run_args = ["run", "--dir", path, "--tag_set", "serve", "--signature_def", key,
                    "--input_exprs", _literal_inputs(spec)]  # fmt: skip
        ours, _ = _median_first_line([sys.executable, "-m", "savedmodel", *run_args], reps)
        theirs, _ = _median_first_line([sys.executable, str(tf_cli), *run_args], reps)
        rows.append((label, "CLI run", ours, theirs))
    return rows


def _median_call_us(fn: Any, calls: int) -> float:
    for _ in range(max(100, calls // 10)):
        fn()
    times = []
    for _ in range(calls):
        t = time.perf_counter_ns()
        fn()
        times.append(time.perf_counter_ns() - t)
    return statistics.median(times) / 1000


def _inputs(spec: dict[str, tuple[Any, str]]) -> dict[str, np.ndarray]:
    return {k: np.asarray(v, dtype=d) for k, (v, d) in spec.items()}


def steady_ours(calls: int, profile: bool) -> dict[str, float]:
    import savedmodel

    out = {}
    for label, name, key, spec in MODELS:
        fn = savedmodel.load(MODELS_DIR / name).signatures[key]
        inputs = _inputs(spec)
        out[label] = _median_call_us(lambda fn=fn, inputs=inputs: fn(**inputs), calls)
        if profile:
            _profile(label, lambda fn=fn, inputs=inputs: fn(**inputs), calls)
    return out


def _profile(label: str, fn: Any, calls: int) -> None:
    import cProfile
    import pstats

    prof = cProfile.Profile()
    prof.enable()
    for _ in range(calls):
        fn()
    prof.disable()
    print(f"\n--- cProfile of {calls} calls, {label} (ours) ---")
    pstats.Stats(prof).sort_stats("tottime").print_stats(12)


def steady_tf(calls: int) -> dict[str, tuple[float, float, float]]:
    import tensorflow as tf

    tf1 = tf.compat.v1
    out = {}
    for label, name, key, spec in MODELS:
        path = str(MODELS_DIR / name)
        fn = tf.saved_model.load(path).signatures[key]
        inputs = _inputs(spec)
        tensors = {k: tf.constant(v) for k, v in inputs.items()}
        t_np = _median_call_us(lambda fn=fn, inputs=inputs: fn(**inputs), calls)
        t_tensor = _median_call_us(lambda fn=fn, tensors=tensors: fn(**tensors), calls)
        graph = tf.Graph()
        with tf1.Session(graph=graph) as sess:
            meta = tf1.saved_model.loader.load(sess, ["serve"], path)
            sig = meta.signature_def[key]
            feeds = sorted(sig.inputs)
            run = sess.make_callable(
                [sig.outputs[k].name for k in sorted(sig.outputs)],
                [graph.get_tensor_by_name(sig.inputs[k].name) for k in feeds],
            )
            values = [inputs[k] for k in feeds]
            t_sess = _median_call_us(lambda run=run, values=values: run(*values), calls)
        out[label] = (t_np, t_tensor, t_sess)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=5, help="cold starts per cell (median)")
    ap.add_argument("--calls", type=int, default=2000, help="timed calls per cell (median)")
    ap.add_argument("--profile", action="store_true", help="cProfile our steady-state calls")
    args = ap.parse_args()

    cold = cold_starts(args.reps)
    ours = steady_ours(args.calls, args.profile)
    theirs = steady_tf(args.calls)  # imports TensorFlow: after ours, so it cannot slow ours

    import tensorflow as tf

    import savedmodel

    print(
        f"\nsavedmodel {savedmodel.__version__} vs TensorFlow {tf.__version__} "
        f"(numpy {np.__version__}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs)"
    )
    print(f"\n(a) cold start: process start -> load -> first result, median of {args.reps} runs")
    print(f"{'model':<22}{'what':<16}{'savedmodel':>12}{'TensorFlow':>12}{'TF / ours':>11}")
    for label, what, t_ours, t_tf in cold:
        print(f"{label:<22}{what:<16}{t_ours:>10.3f} s{t_tf:>10.3f} s{t_tf / t_ours:>10.1f}x")
    print(f"\n(b) steady per-call latency (µs), median of {args.calls} calls after warm-up")
    head = ("ours", "TF sig(numpy)", "TF sig(Tensor)", "TF1 callable", "TF best / ours")
    print(f"{'model':<22}" + "".join(f"{h:>16}" for h in head))
    for label, *_ in MODELS:
        t_np, t_tensor, t_sess = theirs[label]
        best = min(t_np, t_tensor, t_sess)
        cells = [f"{ours[label]:.1f}", f"{t_np:.1f}", f"{t_tensor:.1f}", f"{t_sess:.1f}"]
        print(f"{label:<22}" + "".join(f"{c:>16}" for c in cells) + f"{best / ours[label]:>15.2f}x")


if __name__ == "__main__":
    main()
