"""Sanity checks for the real-TensorFlow fixtures in tests/fixtures/.

The fixtures are produced by tools/fixtures/make_saved_models.py. The plain tests only check that
every fixture is complete and its manifests parse (no TensorFlow). The interop test reloads each
SavedModel with TensorFlow and re-runs what the generator ran, proving the stored expected outputs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

FIXTURES = Path(__file__).parent / "fixtures"
MODELS = FIXTURES / "saved_models"
CLI = FIXTURES / "cli_show"

CLI_MANIFEST = json.loads((CLI / "manifest.json").read_text())
MODEL_NAMES = sorted(CLI_MANIFEST["models"])


def _expected(name: str) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    doc = json.loads((MODELS / f"{name}.expected.json").read_text())
    with np.load(MODELS / f"{name}.expected.npz", allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    return doc, arrays


def _tensor_refs(node: Any) -> list[dict[str, Any]]:
    """All {'key','dtype','shape'} leaves of an expected-file structure."""
    if isinstance(node, dict):
        if "key" in node and "dtype" in node:
            return [node]
        return [ref for v in node.values() for ref in _tensor_refs(v)]
    if isinstance(node, list):
        return [ref for v in node for ref in _tensor_refs(v)]
    return []


def test_versions_recorded() -> None:
    versions = json.loads((FIXTURES / "VERSIONS.json").read_text())
    assert versions["tensorflow"].startswith("2.21")
    assert {"tf_keras", "keras", "numpy", "protobuf"} <= set(versions)


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_fixture_complete(name: str) -> None:
    model_dir = MODELS / name
    assert (model_dir / "saved_model.pb").stat().st_size > 0
    if (model_dir / "variables").exists():
        assert (model_dir / "variables" / "variables.index").is_file()
    doc, arrays = _expected(name)
    assert doc["model"] == name and doc["calls"]
    refs = _tensor_refs(doc["calls"])
    assert sorted(r["key"] for r in refs) == sorted(arrays)
    for ref in refs:
        assert list(arrays[ref["key"]].shape) == ref["shape"], ref
    for slug, entry in CLI_MANIFEST["models"][name].items():
        assert entry["argv"][:3] == ["show", "--dir", name], slug
        assert (CLI / entry["stdout"]).is_file(), slug


def test_cli_goldens_cover_flag_combos() -> None:
    for name, entries in CLI_MANIFEST["models"].items():
        assert {"dir", "all"} <= set(entries), name
        assert any(s.startswith("tag_set__") for s in entries), name
        assert any(s.startswith("list_ops__") for s in entries), name
    for slug, entry in CLI_MANIFEST["errors"].items():
        assert (CLI / entry["stdout"]).is_file() and (CLI / entry["stderr"]).is_file(), slug


def test_metagraph_pair_present() -> None:
    d = FIXTURES / "metagraph"
    assert (d / "multiply.pb").read_text().startswith("meta_info_def")
    assert 'model_checkpoint_path: "multiply_values.ckpt"' in (d / "checkpoint").read_text()
    for suffix in (".index", ".data-00000-of-00001", ".meta"):
        assert (d / f"multiply_values.ckpt{suffix}").is_file()


# ---------------------------------------------------------------------------------------------
# Interop: the stored expected outputs are what TensorFlow computes.
# ---------------------------------------------------------------------------------------------


def _to_tf(tf: Any, ref: dict[str, Any], arrays: dict[str, np.ndarray]) -> Any:
    value = arrays[ref["key"]]
    if ref["dtype"] == "DT_BFLOAT16":
        return tf.bitcast(tf.constant(value, tf.uint16), tf.bfloat16)
    return tf.constant(value)


def _from_tf(tf: Any, tensor: Any) -> np.ndarray:
    if tensor.dtype == tf.bfloat16:
        return tf.bitcast(tensor, tf.uint16).numpy()
    if tensor.dtype == tf.string:
        return np.asarray(tensor.numpy(), dtype=object)
    return np.asarray(tensor.numpy())


def _build(tf: Any, node: dict[str, Any], arrays: dict[str, np.ndarray]) -> Any:
    if "tensor" in node:
        return _to_tf(tf, node["tensor"], arrays)
    if "dict" in node:
        return {k: _build(tf, v, arrays) for k, v in node["dict"].items()}
    return tuple(_build(tf, v, arrays) for v in node["tuple"])


def _assert_same(got: np.ndarray, want: np.ndarray, what: str) -> None:
    if want.dtype.kind == "S":
        got_list = np.asarray(got, dtype=object).ravel().tolist()
        assert [bytes(g) for g in got_list] == want.ravel().tolist(), what
        assert list(got.shape) == list(want.shape), what
    elif want.dtype.kind in "fc":
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=0, err_msg=what)
        assert got.dtype == want.dtype, what
    else:
        np.testing.assert_array_equal(got, want, err_msg=what)
        assert got.dtype == want.dtype, what


def _compare(tf: Any, node: dict[str, Any], got: Any, arrays: dict[str, np.ndarray]) -> None:
    if "tensor" in node:
        ref = node["tensor"]
        _assert_same(_from_tf(tf, got), arrays[ref["key"]], ref["key"])
    elif "dict" in node:
        assert sorted(got) == sorted(node["dict"])
        for k, sub in node["dict"].items():
            _compare(tf, sub, got[k], arrays)
    else:
        assert len(got) == len(node["tuple"])
        for g, sub in zip(got, node["tuple"], strict=True):
            _compare(tf, sub, g, arrays)


@pytest.mark.interop
@pytest.mark.parametrize("name", MODEL_NAMES)
def test_expected_outputs_match_tensorflow(name: str) -> None:
    tf = pytest.importorskip("tensorflow")
    doc, arrays = _expected(name)
    loaded_by_tags: dict[tuple[str, ...], Any] = {}
    for call in doc["calls"]:
        tags = tuple(call.get("tags", ["serve"]))
        if tags not in loaded_by_tags:
            loaded_by_tags[tags] = tf.saved_model.load(str(MODELS / name), tags=list(tags))
        loaded = loaded_by_tags[tags]
        if call["kind"] == "signature":
            fn = loaded.signatures[call["signature"]]
            kwargs = {k: _to_tf(tf, ref, arrays) for k, ref in call["inputs"].items()}
            outputs = fn(**kwargs)
            assert sorted(outputs) == sorted(call["outputs"])
            for k, ref in call["outputs"].items():
                got = _from_tf(tf, outputs[k])
                want = arrays[ref["key"]]
                if k == "vocab_file":
                    # NOTE: TF rewrites asset constants to the absolute path where the model is
                    # loaded from; only the file name is stable.
                    assert Path(got.item().decode()).name == Path(want.item().decode()).name
                    continue
                _assert_same(got, want, ref["key"])
        else:
            fn = getattr(loaded, call["function"])
            args = [_build(tf, a, arrays) for a in call["args"]]
            _compare(tf, call["output"], fn(*args, **call["kwargs"]), arrays)
