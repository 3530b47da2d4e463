"""Input files of the `savedmodel run` golden cases (tests/fixtures/cli_run/manifest.json).

A case lists the files its command line reads as {relative path: spec}; arrays are named
`<model>:<key>` in tests/fixtures/saved_models/<model>.expected.npz. Shared by
tests/test_cli_run.py and tools/fixtures/make_cli_run.py, so that TensorFlow and we read the same
bytes.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np

MODELS = Path(__file__).parent / "fixtures" / "saved_models"


def fixture_array(ref: str) -> np.ndarray:
    model, key = ref.split(":", 1)
    with np.load(MODELS / f"{model}.expected.npz", allow_pickle=False) as npz:
        return npz[key]


def make_input_files(files: dict[str, Any], root: Path) -> None:
    """Create the files: {"npy": ref}, {"npz": {name: ref}}, {"pickle": ref (as a list) or
    {key: ref} (a dict of arrays)}, or {"bytes": text}."""
    for rel, spec in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if "npy" in spec:
            np.save(path, fixture_array(spec["npy"]))
        elif "npz" in spec:
            np.savez(path, **{name: fixture_array(ref) for name, ref in spec["npz"].items()})
        elif "pickle" in spec and isinstance(spec["pickle"], dict):
            arrays = {k: fixture_array(r) for k, r in spec["pickle"].items()}
            path.write_bytes(pickle.dumps(arrays))
        elif "pickle" in spec:
            path.write_bytes(pickle.dumps(fixture_array(spec["pickle"]).tolist()))
        else:
            path.write_bytes(spec["bytes"].encode())
