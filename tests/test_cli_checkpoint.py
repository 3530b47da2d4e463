"""`savedmodel checkpoint` against TensorFlow's `inspect_checkpoint`.

Checkpoints and their tensors' dtypes, shapes and bytes come from TensorFlow
(tests/fixtures/checkpoints, `tools/fixtures/make_checkpoints.py`); the interop test runs TF's
`inspect_checkpoint.print_tensors_in_checkpoint_file` live (in-process) and compares the bytes.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from savedmodel import protos
from savedmodel.cli.main import main

CHECKPOINTS = Path(__file__).parent / "fixtures" / "checkpoints"
EXPECTED = json.loads((CHECKPOINTS / "expected.json").read_text())["checkpoints"]
SHORT_NAMES = {"DT_HALF": "float16", "DT_FLOAT": "float32", "DT_DOUBLE": "float64"}


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def prefix_of(name: str) -> str:
    return str(CHECKPOINTS / name / EXPECTED[name]["prefix"])


def total_params(tensors: dict) -> int:
    return sum(math.prod(t["shape"]) for t in tensors.values())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_default_listing(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    tensors = EXPECTED[name]["tensors"]
    code, out, err = run_cli(["checkpoint", "--file_name", prefix_of(name)], capsys)
    lines = [
        f"{key} ({protos.DataType.Name(t['dtype'])}) [{','.join(map(str, t['shape']))}]"
        for key, t in sorted(tensors.items())
    ]
    assert (code, err) == (0, "")
    total = f"\n\n# Total number of params: {total_params(tensors)}\n"
    if "\n\0" not in out:
        assert out == "\n".join(lines) + total
    else:
        # NOTE: like TF, a partitioned variable is listed as its slices' keys ("\0...") instead of
        # its full name (the live interop test checks those lines).
        listed = [line for line in out[: -len(total)].split("\n") if not line.startswith("\0")]
        assert set(listed) < set(lines) and out.endswith(total)


def test_all_tensor_names(capsys: pytest.CaptureFixture[str]) -> None:
    tensors = EXPECTED["tf2_manager"]["tensors"]
    code, out, _ = run_cli(
        ["checkpoint", "--file_name", prefix_of("tf2_manager"), "--all_tensor_names"], capsys
    )
    assert code == 0
    lines = out.splitlines()
    assert lines[-1] == f"# Total number of params: {total_params(tensors)}"
    assert [line.split(" ")[1] for line in lines[:-1]] == sorted(tensors)
    kernel = "dense/kernel/.ATTRIBUTES/VARIABLE_VALUE"
    shape = tensors[kernel]["shape"]
    assert f"tensor: {kernel} (float32) {shape}" in lines


def test_tensor_value_and_printoptions(capsys: pytest.CaptureFixture[str]) -> None:
    t = EXPECTED["raw_all_dtypes"]["tensors"]["float32"]
    value = np.frombuffer(bytes.fromhex(t["hex"]), "<f4").reshape(t["shape"])
    argv = ["checkpoint", "--file_name", prefix_of("raw_all_dtypes"), "--tensor_name", "float32"]
    code, out, _ = run_cli(argv, capsys)
    assert code == 0
    assert out.splitlines()[:2] == [
        f"tensor: float32 (float32) {t['shape']}",
        *str(value).split("\n")[:1],
    ]
    assert f"{value}\n" in out
    code, out2, _ = run_cli([*argv, "--printoptions", "precision=1", "sign=+"], capsys)
    with np.printoptions(precision=1, sign="+"):
        assert code == 0 and f"{value}\n" in out2 and out2 != out


def test_variant_is_not_convertible(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["checkpoint", "--file_name", prefix_of("raw_all_dtypes"), "--tensor_name", "variant"]
    code, out, _ = run_cli(argv, capsys)
    assert code == 0 and out.splitlines()[1] == "<not convertible to a numpy dtype>"


def test_directory_means_latest_checkpoint(capsys: pytest.CaptureFixture[str]) -> None:
    by_dir = run_cli(["checkpoint", "--file_name", str(CHECKPOINTS / "tf2_manager")], capsys)
    by_prefix = run_cli(["checkpoint", "--file_name", prefix_of("tf2_manager")], capsys)
    assert by_dir == by_prefix and by_dir[0] == 0


def test_count_exclude_pattern(capsys: pytest.CaptureFixture[str]) -> None:
    tensors = EXPECTED["tf2_manager"]["tensors"]
    excluded = {k: v for k, v in tensors.items() if "kernel" in k}
    argv = [
        "checkpoint",
        "--file_name",
        prefix_of("tf2_manager"),
        "--count_exclude_pattern",
        "kernel",
    ]
    code, out, _ = run_cli(argv, capsys)
    assert code == 0
    assert out.splitlines()[-2:] == [
        f"# Excluding {len(excluded)} tensors ({total_params(excluded)} params) that match kernel "
        "when counting.",
        f"# Total number of params: {total_params(tensors) - total_params(excluded)}",
    ]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--tensor_name", "nope"], "Tensor nope not found"),
        (["--all_tensors", "--printoptions", "bogus=1"], "'bogus' is not a valid printoption."),
        (["--all_tensors", "--printoptions", "precision=x"], "precision"),
    ],
)
def test_bad_input(extra: list[str], expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(
        ["checkpoint", "--file_name", prefix_of("tf2_manager"), *extra], capsys
    )
    assert (code, out) == (1, "")
    assert err.startswith("savedmodel: error: ") and expected in err and err.count("\n") == 1


def test_missing_and_corrupt_checkpoints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(["checkpoint", "--file_name", str(tmp_path / "nothing")], capsys)
    assert code == 1 and err.startswith("savedmodel: error: ") and "nothing" in err
    code, _, err = run_cli(["checkpoint", "--file_name", str(tmp_path)], capsys)
    assert code == 1 and err.startswith("savedmodel: error: ")
    (tmp_path / "bad.index").write_bytes(b"not an sstable at all" * 3)
    code, _, err = run_cli(["checkpoint", "--file_name", str(tmp_path / "bad")], capsys)
    assert code == 1 and err.startswith("savedmodel: error: ") and err.count("\n") == 1


# ---------------------------------------------------------------------------------------------
# Interop: TF's inspect_checkpoint, live


W = "m/w/.ATTRIBUTES/VARIABLE_VALUE"
# (our flags, the same request as print_tensors_in_checkpoint_file arguments, numpy printoptions)
FLAG_SETS = [
    ([], {}, {}),
    (
        ["--all_tensor_names", "--count_exclude_pattern=bias"],
        {"all_tensor_names": True, "count_exclude_pattern": "bias"},
        {},
    ),
    (
        ["--all_tensors", "--printoptions", "threshold=4", "precision=3"],
        {"all_tensors": True},
        {"threshold": 4, "precision": 3},
    ),
    ([f"--tensor_name={W}"], {"tensor_name": W}, {}),
]


@pytest.mark.interop
def test_live_inspect_checkpoint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tf = pytest.importorskip("tensorflow")
    from tensorflow.python.tools import inspect_checkpoint

    module = tf.Module()
    module.w = tf.Variable(tf.reshape(tf.range(24, dtype=tf.float32), [2, 3, 4]) / 7)
    module.bias = tf.Variable([1, 2, 3], dtype=tf.int64)
    module.words = tf.Variable([b"a", b"bc"])
    module.half = tf.Variable(tf.ones([2, 2], tf.bfloat16))
    fresh = tf.train.Checkpoint(m=module).write(str(tmp_path / "ckpt"))
    for prefix in (fresh, prefix_of("tf2_manager"), prefix_of("sharded")):
        for argv, request, printoptions in FLAG_SETS:
            if "tensor_name" in request and prefix != fresh:
                continue
            capsys.readouterr()
            with np.printoptions(**printoptions):
                inspect_checkpoint.print_tensors_in_checkpoint_file(
                    prefix,
                    tensor_name=request.get("tensor_name", ""),
                    all_tensors=request.get("all_tensors", False),
                    all_tensor_names=request.get("all_tensor_names", False),
                    count_exclude_pattern=request.get("count_exclude_pattern", ""),
                )
            theirs = capsys.readouterr().out
            code, ours, err = run_cli(["checkpoint", f"--file_name={prefix}", *argv], capsys)
            assert (code, err) == (0, "")
            assert ours == theirs, (prefix, argv)
