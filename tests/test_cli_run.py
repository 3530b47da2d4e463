"""`savedmodel run` against TensorFlow's `saved_model_cli run`.

Goldens of TF 2.21's real CLI live in tests/fixtures/cli_run (manifest.json: argv, input files to
create, exit code, stdout file, TF's exception line and warnings, files written by --outdir; made
by tools/fixtures/make_cli_run.py). Every signature call recorded for the SavedModel fixtures is
run through --input_exprs, --inputs with .npy files and --inputs with an .npz (and
--input_examples for the tf.Example signatures); our stdout must be the same bytes. Errors must
be one "savedmodel: error: <TF's message>" line.
"""

from __future__ import annotations

import json
import math
import pickle
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from _cli_run_files import make_input_files
from test_cli_show import _tf_cli

from savedmodel.cli import run_inputs, safe_expr
from savedmodel.cli.main import main

FIXTURES = Path(__file__).parent / "fixtures"
MODELS = FIXTURES / "saved_models"
CLI_RUN = FIXTURES / "cli_run"
MANIFEST = json.loads((CLI_RUN / "manifest.json").read_text())
CASES = MANIFEST["cases"]

# Our error line contains TF's message but says more (TF's own text is a numpy message, or lacks
# the reason).
MESSAGE_EXTENDED = {"extra/error_exprs_not_literal", "extra/error_string_to_float"}
# Where we deliberately differ from TF 2.21: case -> the golden whose output we must print instead.
ACCEPTED_BY_US = {"extra/numpy_expression": "extra/numpy_expression_as_literal"}
# Float kernels whose results differ from TF's in the last bits, so the printed digits differ
# (case id prefix -> why). test_same_numbers_up_to_float_rounding still checks these cases.
# (Softmax/Exp were here until the kernels reproduced Eigen's exp and reciprocal bit for bit.)
NOT_BIT_EXACT = {
    "keras3_cnn/": "MatMul with K=108: Eigen sums in another order than BLAS (last digits)",
}


def _params(*, bit_exact: bool) -> list[Any]:
    params = []
    for case_id, case in sorted(CASES.items()):
        inexact = [why for prefix, why in NOT_BIT_EXACT.items() if case_id.startswith(prefix)]
        marks = [pytest.mark.xfail(reason=inexact[0], strict=True)] if bit_exact and inexact else []
        params.append(pytest.param(case_id, case, marks=marks, id=case_id))
    return params


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _run_case(case: dict[str, Any], tmp_path: Path, monkeypatch, capsys) -> tuple[int, str, str]:
    make_input_files(case.get("files", {}), tmp_path)
    monkeypatch.chdir(tmp_path)
    argv = [a.replace("{models}", str(MODELS)) for a in case["argv"]]
    return run_cli(argv, capsys)


def _expected_warnings(case: dict[str, Any]) -> list[str]:
    lines = [f"savedmodel: warning: {w}" for w in case.get("warnings", [])]
    for rel, spec in case.get("files", {}).items():
        if "pickle" in spec:
            lines.insert(0, f"savedmodel: warning: unpickling {rel} (saved_model_cli loads "
                         "inputs with allow_pickle=True): a pickle can run any code when loaded, "
                         "only use files you trust")  # fmt: skip
    return lines


@pytest.mark.parametrize(("case_id", "case"), _params(bit_exact=True))
def test_matches_saved_model_cli(
    case_id: str, case: dict[str, Any], tmp_path: Path, monkeypatch, capsys
) -> None:
    code, out, err = _run_case(case, tmp_path, monkeypatch, capsys)
    if case_id in ACCEPTED_BY_US:
        assert case["exit_code"] == 1 and "not a valid python literal" in case["error"]
        case = CASES[ACCEPTED_BY_US[case_id]]
    expected = (CLI_RUN / case["stdout"]).read_text()
    assert out == expected
    assert code == case["exit_code"], err
    if code == 0:
        assert err.splitlines() == _expected_warnings(case)
    else:
        message = case["error"].split(": ", 1)[1]
        assert err.count("\n") == 1 and err.startswith("savedmodel: error: "), err
        if case_id in MESSAGE_EXTENDED:
            assert message in err
        else:
            assert err == f"savedmodel: error: {message}\n"
    for rel, golden in case.get("outdir_files", {}).items():
        assert (tmp_path / rel).read_bytes() == (CLI_RUN / golden).read_bytes(), rel


_FLOAT = re.compile(r"([-+]?(?:\d+\.\d*(?:e[-+]?\d+)?|\d+e[-+]?\d+|nan|inf))")


def same_up_to_float_rounding(ours: str, theirs: str, rel: float = 1e-5) -> bool:
    """Equal text, except that floats (numpy prints them with '.' or 'e') may differ in the
    last digits, and with them the padding that aligns an array's columns."""
    a, b = _FLOAT.split(ours), _FLOAT.split(theirs)
    if len(a) != len(b):
        return False
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        if i % 2 == 0:
            if "".join(x.split()) != "".join(y.split()):
                return False
        elif x != y and not math.isclose(float(x), float(y), rel_tol=rel, abs_tol=1e-30):
            return False
    return True


def test_float_rounding_comparison() -> None:
    assert same_up_to_float_rounding("k:\n[[ 2.358067  -0.55]]\n", "k:\n[[ 2.3580668 -0.55]]\n")
    assert not same_up_to_float_rounding("[2.36 -0.55]", "[2.358 -0.55]")
    assert not same_up_to_float_rounding("[1 2]", "[1 3]")
    assert not same_up_to_float_rounding("key a:\n[1.]", "key b:\n[1.]")
    assert not same_up_to_float_rounding("[1. 2.]", "[1. 2. 3.]")


@pytest.mark.parametrize(("case_id", "case"), _params(bit_exact=False))
def test_same_numbers_up_to_float_rounding(
    case_id: str, case: dict[str, Any], tmp_path: Path, monkeypatch, capsys
) -> None:
    """Every case, including those whose kernels are not bit-exact: same text but for the last
    digits of floats (test_matches_saved_model_cli wants the same bytes)."""
    code, out, _ = _run_case(case, tmp_path, monkeypatch, capsys)
    case = CASES.get(ACCEPTED_BY_US.get(case_id, ""), case)
    assert code == case["exit_code"]
    assert same_up_to_float_rounding(out, (CLI_RUN / case["stdout"]).read_text()), out


def test_every_fixture_signature_has_cases() -> None:
    signatures = set()
    for path in MODELS.glob("*.expected.json"):
        model = path.name.removesuffix(".expected.json")
        for call in json.loads(path.read_text())["calls"]:
            if call["kind"] == "signature":
                signatures.add(f"{model}/{'+'.join(call['tags'])}__{call['signature']}")
    covered = {c.rsplit("__", 1)[0] for c in CASES if not c.startswith("extra/")}
    assert signatures == covered
    kinds = {c.rsplit("__", 1)[1] for c in CASES if not c.startswith("extra/")}
    assert kinds == {"exprs", "npy", "npz", "examples"}


# ---------------------------------------------------------------------------------------------
# Flags saved_model_cli has but we cannot honour


MM = ["run", "--dir", str(MODELS / "tf1_multi_metagraph"), "--tag_set", "serve",
      "--signature_def", "serving_default", "--input_exprs", "x=[[1, 2, 3]]"]  # fmt: skip


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (["--tf_debug"], "--tf_debug is not supported"),
        (["--worker", "grpc://localhost:1"], "--worker is not supported"),
        (["--init_tpu=true"], "--init_tpu is not supported"),
    ],
)
def test_unsupported_flags_are_clear_errors(flags: list[str], expected: str, capsys) -> None:
    code, out, err = run_cli([*MM, *flags], capsys)
    assert (code, out) == (1, "")
    assert err.startswith(f"savedmodel: error: {expected}") and err.count("\n") == 1


def test_use_tfrt_and_noflags_are_accepted(capsys) -> None:
    plain = run_cli(MM, capsys)
    assert plain[0] == 0
    assert run_cli([*MM, "--use_tfrt"], capsys) == plain
    assert run_cli([*MM, "--notf_debug", "--tf_debug=false", "--noinit_tpu"], capsys) == plain


def test_help_warns_about_pickles(capsys) -> None:
    code, out, _ = run_cli(["run", "--help"], capsys)
    assert code == 0 and "SECURITY" in out and "only pass files you trust" in out


def test_required_flags_are_usage_errors(capsys) -> None:
    code, _, err = run_cli(["run", "--dir", "d", "--tag_set", "serve"], capsys)
    assert code == 2 and "--signature_def" in err


# ---------------------------------------------------------------------------------------------
# Input files


def test_npy_with_object_array_is_unpickled_with_a_warning(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    np.save("plain.npy", np.arange(3.0))
    np.save("objects.npy", np.array([b"a", b"bc"], dtype=object), allow_pickle=True)
    warnings: list[str] = []
    plain = run_inputs.load_file_input("plain.npy", None, warnings.append)
    assert plain.tolist() == [0.0, 1.0, 2.0] and warnings == []
    objects = run_inputs.load_file_input("objects.npy", None, warnings.append)
    assert objects.tolist() == [b"a", b"bc"]
    assert len(warnings) == 1 and "unpickling objects.npy" in warnings[0]


def test_npz_member_with_objects_is_unpickled_with_a_warning(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    np.savez("m.npz", s=np.array(["x", None], dtype=object), f=np.ones(2))
    warnings: list[str] = []
    assert run_inputs.load_file_input("m.npz", "f", warnings.append).tolist() == [1.0, 1.0]
    assert warnings == []
    assert run_inputs.load_file_input("m.npz", "s", warnings.append).tolist() == ["x", None]
    assert len(warnings) == 1 and "unpickling m.npz" in warnings[0]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "not a .npy, .npz or pickle file"),
        (b"garbage", "could not be unpickled"),
        (b"\x93NUMPY\x01\x00\x10\x00{'descr': '<f8'", "not a .npy, .npz or pickle file"),
    ],
)
def test_bad_input_files(tmp_path: Path, content: bytes, expected: str, capsys) -> None:
    (tmp_path / "bad.npy").write_bytes(content)
    code, out, err = run_cli([*MM[:-2], "--inputs", f"x={tmp_path / 'bad.npy'}"], capsys)
    assert (code, out) == (1, "")
    *warnings, error = err.splitlines()
    assert expected in error and error.startswith("savedmodel: error: ")
    # numpy takes anything that is neither .npy nor .npz for a pickle (so does saved_model_cli)
    assert all("unpickling" in w for w in warnings)


def test_pickle_without_the_variable(tmp_path: Path, capsys) -> None:
    (tmp_path / "d.pkl").write_bytes(pickle.dumps({"a": [[1.0, 2.0, 3.0]]}))
    code, _, err = run_cli([*MM[:-2], "--inputs", f"x={tmp_path / 'd.pkl'}[b]"], capsys)
    assert code == 1 and 'does not contain variable with name "b"' in err


def test_directory_as_input_file(tmp_path: Path, capsys) -> None:
    code, _, err = run_cli([*MM[:-2], "--inputs", f"x={tmp_path}"], capsys)
    assert code == 1 and err.startswith("savedmodel: error: ") and err.count("\n") == 1


# ---------------------------------------------------------------------------------------------
# Expressions: literal_eval's values, plus whitelisted numpy, nothing else


@pytest.mark.parametrize(
    "expr",
    ["1", "-2.5", "1+2j", "[1, 2.5]", "((1, 2), (3, 4))", "{'a': [1]}", "b'x\\x00'", "'text'",
     "True", "None", " [1, 2]", "[-1e300, 1e-300]", "{1, 2}"],
)  # fmt: skip
def test_literals_evaluate_like_literal_eval(expr: str) -> None:
    import ast

    assert safe_expr.evaluate(expr) == ast.literal_eval(expr)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("np.ones((2, 3))", np.ones((2, 3))),
        ("np.zeros(4, dtype=np.int32)", np.zeros(4, np.int32)),
        ("np.array([[1, 2]], np.float16)", np.array([[1, 2]], np.float16)),
        ("np.arange(6).reshape(2, 3)", np.arange(6).reshape(2, 3)),
        ("np.full((2,), np.nan)", np.full((2,), np.nan)),
        ("np.linspace(0, 1, 3)", np.linspace(0, 1, 3)),
        ("np.eye(2, dtype='float32')", np.eye(2, dtype="float32")),
        ("np.float32(1.5)", np.float32(1.5)),
        ("np.int64([1, -2])", np.array([1, -2], np.int64)),
        ("np.array([1, 2]).astype(np.uint8)", np.array([1, 2], np.uint8)),
        ("[np.inf, -np.pi]", [np.inf, -np.pi]),
        ("np.zeros_like([[1, 2]])", np.zeros((1, 2), int)),
    ],
)
def test_whitelisted_numpy(expr: str, expected: Any) -> None:
    got = safe_expr.evaluate(expr)
    np.testing.assert_array_equal(got, expected)
    assert np.asarray(got).dtype == np.asarray(expected).dtype


@pytest.mark.parametrize(
    ("expr", "reason"),
    [
        ("__import__('os').system('true')", "not allowed"),
        ("np.load('x.npy', allow_pickle=True)", "np.load() is not allowed"),
        ("np.lib.format.open_memmap('f')", "not allowed"),
        ("(1).__class__", "not allowed"),
        ("[c for c in 'ab']", "not allowed"),
        ("lambda: 1", "not allowed"),
        ("x", "name 'x' is not allowed"),
        ("open('f')", "not allowed"),
        ("[1].reshape(1)", "numpy arrays only"),
        ("np.ones(3).tofile('f')", "not allowed"),
        ("np.ones(*[3])", "* and ** arguments"),
        ("2 ** 100", "arithmetic is not allowed"),
        ("[0] * 10", "arithmetic is not allowed"),
        ("np.zeros((100000, 100000))", "limit"),
        ("np.ones(10, dtype='V100000')", "too wide"),
        ("np.arange(0, 1e15)", "limit"),
        ("np.full_like([1], 0, shape=(10000000000,))", "limit"),
        ("np.zeros((-1,))", "non-negative"),
        ("np.ones(", "syntax error"),
        ("[" * 500 + "]" * 500, ""),
    ],
)
def test_refused_expressions(expr: str, reason: str) -> None:
    with pytest.raises(safe_expr.UnsafeExpression, match=None) as info:
        safe_expr.evaluate(expr)
    assert reason in str(info.value)


def test_refused_expression_message(capsys) -> None:
    code, _, err = run_cli([*MM[:-1], "x=np.load('a')"], capsys)
    assert code == 1
    expected = """Expression "np.load('a')" is not a valid python literal. np.load() is not"""
    assert err.startswith(f"savedmodel: error: {expected} allowed; allowed: Python literals")


# ---------------------------------------------------------------------------------------------
# Parsing and tf.Example building


def test_inputs_flag_forms() -> None:
    parsed = run_inputs.parse_inputs_flag("a=x.npy;b=y.npz[v];;c=d/e.pkl[k]")
    assert parsed == {"a": ("x.npy", None), "b": ("y.npz", "v"), "c": ("d/e.pkl", "k")}
    for bad in ("a", "a=x[", "a=x[]", "=x.npy", "a=x[v]y"):
        with pytest.raises(ValueError, match="format is incorrect"):
            run_inputs.parse_inputs_flag(bad)


def test_later_entry_of_one_flag_wins() -> None:
    assert run_inputs.parse_input_exprs("x=1;x=2") == {"x": 2}


def test_examples_match_tf_example_protos() -> None:
    from savedmodel import protos

    [raw] = run_inputs.parse_input_examples(
        "e=[{'f': [1.5, 2], 'i': [3, -4], 's': ['é', 'b'], 'b': [b'\\x00']}]"
    )["e"]
    ex = protos.Example.FromString(raw)
    feats = ex.features.feature
    assert list(feats["f"].float_list.value) == [1.5, 2.0]
    assert list(feats["i"].int64_list.value) == [3, -4]
    assert list(feats["s"].bytes_list.value) == ["é".encode(), b"b"]
    assert list(feats["b"].bytes_list.value) == [b"\x00"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("e=[{'f': []}]", "value list is empty"),
        ("e=[{'f': [1, 'a']}]", "do not fit one tf.train.Feature list"),
        ("e=[{'f': [3, True]}]", "do not fit one tf.train.Feature list"),  # protobuf refuses bools
        ("e=[{'f': ['a', b'b']}]", "do not fit one tf.train.Feature list"),
        ("e=[{'f': [2 ** 70]}]", "not a valid python literal"),
        ("e=[{'f': [18446744073709551616]}]", "do not fit one tf.train.Feature list"),
        ("e=[1]", "must be a list of dictionaries"),
        ("e=[{1: [1]}]", "do not fit one tf.train.Feature list"),
        ("e=np.ones(2)", "not a valid python literal"),
    ],
)
def test_bad_examples(text: str, expected: str) -> None:
    with pytest.raises(ValueError, match=None) as info:
        run_inputs.parse_input_examples(text)
    assert expected in str(info.value)


# ---------------------------------------------------------------------------------------------
# Feeding: TF1 Session.run's conversions


def _info(dtype: int, dims: list[int] | None) -> Any:
    from savedmodel import protos

    info = protos.TensorInfo(name="t:0", dtype=dtype)
    if dims is None:
        info.tensor_shape.unknown_rank = True
    for d in dims or ():
        info.tensor_shape.dim.add(size=d)
    return info


def test_feed_conversions() -> None:
    from savedmodel import protos
    from savedmodel.cli.run import feed_value

    f32 = _info(protos.DT_FLOAT, [-1])
    assert feed_value("x", [1, 2], f32).dtype == np.float32
    i32 = _info(protos.DT_INT32, [])
    assert feed_value("k", 2.9, i32) == 2  # truncated, as TF feeds it
    with pytest.raises(ValueError, match="Type of feed value 300 with type <class 'int'>"):
        feed_value("u", 300, _info(protos.DT_UINT8, []))
    assert feed_value("u", 255, _info(protos.DT_UINT8, [])) == 255
    assert feed_value("b", 1, _info(protos.DT_BOOL, [])).dtype == np.bool_
    with pytest.raises(ValueError, match="not compatible with Tensor type <class 'object'>"):
        feed_value("s", 5, _info(protos.DT_STRING, []))
    strings = feed_value("s", ["é", b"x"], _info(protos.DT_STRING, [2]))
    assert strings.dtype == object and strings.tolist() == ["é".encode(), b"x"]
    with pytest.raises(ValueError, match="values must be str or bytes, not int"):
        feed_value("s", [b"a", 1], _info(protos.DT_STRING, [2]))
    with pytest.raises(ValueError, match=r"which has shape \(None,\)"):
        feed_value("x", [[1.0]], f32)
    assert feed_value("x", [[[1.0]]], _info(protos.DT_FLOAT, None)).shape == (1, 1, 1)
    with pytest.raises(ValueError, match=r"shape \(\) for Tensor t:0, which has shape \(2, 3\)"):
        feed_value("x", 1.0, _info(protos.DT_FLOAT, [2, 3]))
    with pytest.raises(ValueError, match="cannot be converted"):
        feed_value("x", [[1], [2, 3]], f32)


# ---------------------------------------------------------------------------------------------
# --outdir


def test_outdir_is_created_and_not_silently_replaced(tmp_path: Path, capsys) -> None:
    out = tmp_path / "a" / "b"
    code, stdout, _ = run_cli([*MM, "--outdir", str(out)], capsys)
    assert code == 0 and stdout.endswith(f"Output y is saved to {out / 'y.npy'}\n")
    saved = np.load(out / "y.npy", allow_pickle=False)
    assert saved.dtype == np.float32 and saved.shape == (1, 3)
    code, stdout2, err = run_cli([*MM, "--outdir", str(out)], capsys)
    assert code == 1 and "already exists" in err
    assert stdout2 == stdout.splitlines(keepends=True)[0] + stdout.splitlines(keepends=True)[1]
    assert run_cli([*MM, "--outdir", str(out), "--overwrite"], capsys)[:2] == (0, stdout)


def test_outdir_that_is_a_file(tmp_path: Path, capsys) -> None:
    (tmp_path / "f").write_text("x")
    code, _, err = run_cli([*MM, "--outdir", str(tmp_path / "f")], capsys)
    assert code == 1 and err.startswith("savedmodel: error: ") and err.count("\n") == 1


def test_unfed_input_is_a_clear_error(capsys) -> None:
    code, out, err = run_cli([*MM[:-1], ";"], capsys)
    assert (code, out) == (1, "")
    assert "must feed a value" in err and err.count("\n") == 1


def test_python_m_savedmodel_run_imports_no_tensorflow(tmp_path: Path) -> None:
    code = (
        "import sys, runpy; sys.argv = ['savedmodel', *sys.argv[1:]];"
        'exec(\'try:\\n runpy.run_module("savedmodel", run_name="__main__")\\n'
        "except SystemExit as e:\\n assert not e.code, e.code');"
        "assert 'tensorflow' not in sys.modules"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, *MM], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    expected = CLI_RUN / CASES["extra/tag_set_with_spaces"]["stdout"]
    assert proc.stdout == expected.read_text()


# ---------------------------------------------------------------------------------------------
# Interop: the real saved_model_cli, live


@pytest.mark.interop
@pytest.mark.parametrize(
    "case_id",
    [
        "multi_signature/serve__serving_default__npz",
        "extra/outdir_all_dtypes",
        "extra/error_shape_mismatch",
    ],
)
def test_live_saved_model_cli(case_id: str, tmp_path: Path, monkeypatch, capsys) -> None:
    pytest.importorskip("tensorflow")
    case = CASES[case_id]
    theirs_dir, ours_dir = tmp_path / "tf", tmp_path / "ours"
    theirs_dir.mkdir()
    ours_dir.mkdir()
    make_input_files(case.get("files", {}), theirs_dir)
    argv = [a.replace("{models}", str(MODELS)) for a in case["argv"]]
    theirs = _tf_cli(argv, theirs_dir)
    code, out, err = _run_case(case, ours_dir, monkeypatch, capsys)
    assert (code, out) == (theirs.returncode, theirs.stdout)
    if code:
        tf_message = theirs.stderr.strip().splitlines()[-1].split(": ", 1)[1]
        assert err == f"savedmodel: error: {tf_message}\n"
    for path in sorted((theirs_dir / "out").glob("*.npy")) if code == 0 else []:
        assert (ours_dir / "out" / path.name).read_bytes() == path.read_bytes()
