"""FarmHash speed, and fingerprinting a multi-MB SavedModel, ours vs TensorFlow's C++.

    /work/tfvenv/bin/python benchmarks/bench_fingerprint.py [--layers 60] [--repeat 3]

Saves a tf-keras MLP of --layers Dense+LayerNormalization blocks (saved_model.pb of a few MB)
into a temp directory, then prints, best of --repeat: Fingerprint64 throughput on random bytes,
our canonical re-serialization and full FingerprintDef computation, and TF's own
CreateFingerprintDef on the same directory (ratio ours/TF).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--layers", type=int, default=60)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    import tensorflow as tf
    import tf_keras
    from tensorflow.python.saved_model.pywrap_saved_model import fingerprinting as tf_fp

    from savedmodel.formats.canonical import canonical_serialize
    from savedmodel.formats.farmhash import fingerprint64
    from savedmodel.formats.fingerprint import create_fingerprint
    from savedmodel.formats.saved_model_dir import read_saved_model

    data = os.urandom(8 << 20)
    t = _best(lambda: fingerprint64(data), args.repeat)
    print(f"Fingerprint64: {len(data) / 1e6 / t:.1f} MB/s ({len(data) >> 20} MiB in {t:.3f} s)")

    with tempfile.TemporaryDirectory() as tmp:
        inp = tf_keras.Input((16,))
        x = inp
        for _ in range(args.layers):
            x = tf_keras.layers.LayerNormalization()(tf_keras.layers.Dense(16, "relu")(x))
        tf_keras.Model(inp, x).save(tmp, save_format="tf")
        size = os.path.getsize(os.path.join(tmp, "saved_model.pb"))
        sm = read_saved_model(tmp)
        t_canon = _best(lambda: canonical_serialize(sm), args.repeat)
        t_ours = _best(lambda: create_fingerprint(sm, tmp), args.repeat)
        t_tf = _best(lambda: tf_fp.CreateFingerprintDef(tmp), args.repeat)
    print(f"saved_model.pb: {size / 1e6:.2f} MB (tf {tf.__version__})")
    print(f"canonical_serialize: {t_canon:.3f} s")
    print(f"fingerprint, ours (parsed proto in memory): {t_ours:.3f} s")
    print(f"fingerprint, TF C++ (parses the file too):  {t_tf:.3f} s  ratio {t_ours / t_tf:.1f}x")


if __name__ == "__main__":
    main()
