"""Read a ~100 MB checkpoint with savedmodel.train and with tf.train.load_checkpoint.

    /work/tfvenv/bin/python benchmarks/bench_checkpoint.py [--mb 100] [--repeat 3]

The checkpoint (written once by TensorFlow's tf.train.Checkpoint into a temp directory) holds
a few large float32/bfloat16 variables, a few hundred small ones and a string variable. Each
measurement runs in a fresh child process: time = best of --repeat full reads (every tensor
fetched with get_tensor and kept, as a restore would), peak memory = the rise of the process's
peak RSS (VmHWM, reset after imports) during one full read. Prints both and our/TF ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def make_checkpoint(directory: str, megabytes: int) -> str:
    import ml_dtypes
    import numpy as np
    import tensorflow as tf

    rng = np.random.default_rng(0)
    root = tf.Module()
    big = megabytes * (1 << 20) // 8  # bytes per large float32 variable
    root.large = [tf.Variable(rng.random(big // 4, dtype=np.float32)) for _ in range(7)]
    root.half = tf.Variable(rng.random(big // 2, dtype=np.float32).astype(ml_dtypes.bfloat16))
    root.small = [tf.Variable(rng.random((16, 16), dtype=np.float32)) for _ in range(300)]
    root.vocab = tf.Variable([f"token{i}".encode() for i in range(10000)])
    return tf.train.Checkpoint(root=root).write(os.path.join(directory, "ckpt"))


def _vm_hwm_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def _reset_peak() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # resets VmHWM to the current RSS
    except OSError:
        pass


def child(impl: str, prefix: str, repeat: int) -> dict[str, float]:
    if impl == "tf":
        import tensorflow as tf

        load = tf.train.load_checkpoint
    else:
        from savedmodel import train

        load = train.load_checkpoint

    def read_all() -> list:
        reader = load(prefix)
        return [reader.get_tensor(k) for k in sorted(reader.get_variable_to_shape_map())]

    load(prefix)  # imports done, file metadata cached
    _reset_peak()
    before = _vm_hwm_kb()
    values = read_all()
    peak_mb = (_vm_hwm_kb() - before) / 1024
    del values
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        values = read_all()
        times.append(time.perf_counter() - start)
        del values
    return {"seconds": min(times), "peak_mb": peak_mb}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=2, metavar=("IMPL", "PREFIX"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], args.child[1], args.repeat)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        prefix = make_checkpoint(tmp, args.mb)
        size = sum(os.path.getsize(os.path.join(tmp, n)) for n in os.listdir(tmp)) / 2**20
        print(f"checkpoint: {size:.1f} MiB, {prefix}")
        results = {}
        for impl in ("savedmodel", "tf"):
            cmd = [sys.executable, __file__, "--repeat", str(args.repeat), "--child", impl, prefix]
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
            results[impl] = json.loads(out.strip().splitlines()[-1])
            r = results[impl]
            print(f"{impl:>10}: {r['seconds'] * 1000:8.1f} ms   peak +{r['peak_mb']:7.1f} MiB")
        ours, tf = results["savedmodel"], results["tf"]
        print(
            f"ratio savedmodel/tf: time {ours['seconds'] / tf['seconds']:.2f}x, "
            f"peak memory {ours['peak_mb'] / max(tf['peak_mb'], 1e-9):.2f}x"
        )


if __name__ == "__main__":
    main()
