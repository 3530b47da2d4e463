"""`savedmodel show` against TensorFlow's `saved_model_cli show`.

Golden outputs of TF 2.21's real CLI live in tests/fixtures/cli_show (manifest.json lists each
command line, its exit code and stdout/stderr files; tools/fixtures/make_saved_models.py makes
them). Our CLI runs in-process on the same command lines and must print the same bytes. Where
TensorFlow's own output is not deterministic -- the op set of `--list_ops` (a Python set) and
dicts decoded from protobuf maps (their order changes from run to run) -- both texts are compared
after sorting the entries of every `{...}` group and of every "Named Argument" block.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from savedmodel.cli.main import main

FIXTURES = Path(__file__).parent / "fixtures"
CLI_SHOW = FIXTURES / "cli_show"
MANIFEST = json.loads((CLI_SHOW / "manifest.json").read_text())
MODELS_DIR = FIXTURES / "saved_models"


# ---------------------------------------------------------------------------------------------
# Canonical form for TensorFlow's nondeterministic orders

_OPEN = {"{": "}", "[": "]", "(": ")"}


def _walk(text: str) -> list[tuple[int, str, int]]:
    """(index, char, bracket depth before it) of every char outside quotes."""
    out, depth, quote = [], 0, None
    for i, ch in enumerate(text):
        if quote:
            quote = None if ch == quote else quote
            continue
        if ch in "'\"":
            quote = ch
        out.append((i, ch, depth))
        depth += (ch in _OPEN) - (ch in _OPEN.values())
    return out


def _group_end(text: str, start: int) -> int:
    """Index of the bracket closing the one at `start`."""
    for i, ch, depth in _walk(text[start:]):
        if depth == 1 and ch in _OPEN.values():
            return start + i
    return len(text) - 1


def _split_top(text: str) -> list[str]:
    cuts = [i for i, ch, depth in _walk(text) if ch == "," and depth == 0]
    bounds = zip([-1, *cuts], [*cuts, len(text)], strict=True)
    return [text[a + 1 : b].strip() for a, b in bounds]


def canonical_braces(text: str) -> str:
    """Sort the entries of every `{...}` group (recursively)."""
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch in _OPEN:
            end = _group_end(text, i)
            inner = canonical_braces(text[i + 1 : end])
            if ch == "{":
                inner = ", ".join(sorted(_split_top(inner)))
            out.append(ch + inner + text[end : end + 1])
            i = end + 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


_NAMED = re.compile(r"^(\s+)Named Argument #\d+$")


def canonical(text: str) -> str:
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        m = _NAMED.match(lines[i])
        if m and i + 1 < len(lines):
            names = []
            while i + 1 < len(lines) and _NAMED.match(lines[i]):
                names.append(lines[i + 1])
                i += 2
            for n, name in enumerate(sorted(names), 1):
                out += [f"{m.group(1)}Named Argument #{n}", name]
            continue
        out.append(canonical_braces(lines[i]))
        i += 1
    return "\n".join(out)


def assert_same_output(ours: str, theirs: str) -> None:
    if ours != theirs:
        assert canonical(ours) == canonical(theirs)


def test_canonical_form() -> None:
    a = "ops: {'B', 'A'}\n  Value: {'x': (1, 2), 'a': {'z': 1, 'y': 2}, \b\b}\n"
    b = "ops: {'A', 'B'}\n  Value: {'a': {'y': 2, 'z': 1}, 'x': (1, 2), \b\b}\n"
    assert canonical(a) == canonical(b)
    assert canonical("(2, 1)") != canonical("(1, 2)")
    named = "        Named Argument #1\n          z\n        Named Argument #2\n          k\n"
    assert (
        canonical(named)
        == "        Named Argument #1\n          k\n        Named Argument #2\n          z\n"
    )


# ---------------------------------------------------------------------------------------------
# Golden outputs


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _model_cases() -> list[tuple[str, dict]]:
    return [
        (f"{model}/{slug}", case)
        for model, cases in sorted(MANIFEST["models"].items())
        for slug, case in sorted(cases.items())
    ]


@pytest.mark.parametrize(("case_id", "case"), _model_cases(), ids=[c for c, _ in _model_cases()])
def test_matches_saved_model_cli(
    case_id: str, case: dict, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(MODELS_DIR)
    code, out, err = run_cli(case["argv"], capsys)
    expected = (CLI_SHOW / case["stdout"]).read_text()
    assert (code, err) == (case["exit_code"], "")
    assert_same_output(out, expected)


def test_list_ops_prints_a_sorted_set(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(MODELS_DIR)
    _, out, _ = run_cli(["show", "--dir", "tf2_save", "--tag_set", "serve", "--list_ops"], capsys)
    line = out.splitlines()[0]
    prefix = "The MetaGraph with tag set ['serve'] contains the following ops: "
    assert line.startswith(prefix)
    ops = [o.strip("'") for o in line[len(prefix) + 1 : -1].split(", ")]
    assert ops == sorted(ops) and {"StatefulPartitionedCall", "Placeholder"} <= set(ops)


ERRORS = MANIFEST["errors"]


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_error_cases(
    name: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    case = ERRORS[name]
    monkeypatch.chdir(MODELS_DIR)
    code, out, err = run_cli(case["argv"], capsys)
    assert code == case["exit_code"]
    assert out == (CLI_SHOW / case["stdout"]).read_text()
    tf_err = (CLI_SHOW / case["stderr"]).read_text().strip().splitlines()[-1:]
    if code == 0:
        assert err == "" and tf_err == []
    elif code == 1:
        # TensorFlow ends with a traceback and "SomeError: message"; we print the message.
        message = tf_err[0].split(": ", 1)[1]
        assert err == f"savedmodel: error: {message}\n"
    elif code == 2:
        assert "--dir" in err and "error" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["show", "--dir", "tf2_save", "--tag_set", ",", "--signature_def", "x"], "tag_set must"),
        (["show", "--dir", "tf2_save", "--tag_set", "serve", "--signature_def", "nope"], '"nope"'),
        (["show", "--dir", "saved_models_missing", "--all"], "saved_models_missing"),
        (["scan", "--dir", "tf2_save", "--tag_set", "gpu"], "tag-set gpu"),
    ],
)
def test_bad_input_is_one_line_and_exit_1(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    monkeypatch.chdir(MODELS_DIR)
    code, _, err = run_cli(argv, capsys)
    assert code == 1
    assert err.startswith("savedmodel: error: ") and err.count("\n") == 1 and expected in err


def test_corrupt_saved_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "saved_model.pb").write_bytes(b"\x0a\xff\xff\xff")
    code, out, err = run_cli(["show", "--dir", str(tmp_path)], capsys)
    assert (code, out) == (1, "")
    assert err.startswith("savedmodel: error: ") and "saved_model.pb" in err
    assert err.count("\n") == 1


def test_debug_env_shows_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from savedmodel import errors

    monkeypatch.setenv("SAVEDMODEL_DEBUG", "1")
    with pytest.raises(errors.NotFoundError):
        main(["show", "--dir", str(tmp_path)])


def test_internal_errors_are_one_line_unless_debugging(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from savedmodel.cli import show

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("oops")

    monkeypatch.setattr(show, "show", broken)
    code, _, err = run_cli(["show", "--dir", "x"], capsys)
    assert code == 1 and err.startswith("savedmodel: error: internal error: KeyError")
    assert err.count("\n") == 1 and "SAVEDMODEL_DEBUG" in err
    monkeypatch.setenv("SAVEDMODEL_DEBUG", "1")
    with pytest.raises(KeyError):
        main(["show", "--dir", "x"])


def test_stub_commands_say_not_implemented(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["convert", "--dir", "d", "--tag_set", "serve", "--output_dir", "o", "tensorrt"]
    code, out, err = run_cli(argv, capsys)
    assert (code, out) == (1, "")
    assert err == "savedmodel: error: 'convert' is not implemented yet\n"
    code, _, err = run_cli(
        ["freeze_model", "--dir", "d", "--tag_set", "s", "--output_prefix", "p"], capsys
    )
    assert code == 1 and "not implemented" in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli([], capsys)[0] == 2
    assert run_cli(["show"], capsys)[0] == 2
    assert run_cli(["frobnicate"], capsys)[0] == 2
    code, out, _ = run_cli(["--version"], capsys)
    assert code == 0 and out.strip()
    assert run_cli(["show", "--help"], capsys)[0] == 0


def test_absl_style_booleans(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(MODELS_DIR)
    full = run_cli(["show", "--dir", "tf2_save", "--all"], capsys)[1]
    assert run_cli(["show", "--dir=tf2_save", "--all=true"], capsys)[1] == full
    tags = run_cli(["show", "--dir", "tf2_save"], capsys)[1]
    assert run_cli(["show", "--dir", "tf2_save", "--all=false"], capsys)[1] == tags
    assert run_cli(["show", "--dir", "tf2_save", "--all", "--noall"], capsys)[1] == tags


def test_scan(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(MODELS_DIR)
    _, out, _ = run_cli(["scan", "--dir", "tf2_save"], capsys)
    assert out == (
        "MetaGraph with tag set ['serve'] does not contain the default denylisted ops: "
        "{'PrintV2', 'ReadFile', 'WriteFile'}\n"
    )
    _, out, _ = run_cli(
        ["scan", "--dir", "tf2_save", "--op_denylist", " AddV2 ,WriteFile,"], capsys
    )
    assert out == (
        "MetaGraph with tag set ['serve'] contains the following denylisted ops: {'AddV2'}\n"
    )


def test_python_m_savedmodel_and_no_tensorflow_import() -> None:
    code = (
        "import sys, runpy; sys.argv = ['savedmodel', 'show', '--dir', 'tf2_save', '--all'];"
        'exec(\'try:\\n runpy.run_module("savedmodel", run_name="__main__")\\n'
        "except SystemExit as e:\\n assert not e.code, e.code');"
        "assert 'tensorflow' not in sys.modules"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=MODELS_DIR, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert_same_output(proc.stdout, (CLI_SHOW / "tf2_save" / "all.txt").read_text())


# ---------------------------------------------------------------------------------------------
# Interop: the real saved_model_cli, live


def _tf_cli(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run(
        [sys.executable, "-m", "tensorflow.python.tools.saved_model_cli", *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _compare_live(argv: list[str], cwd: Path, capsys: pytest.CaptureFixture[str]) -> None:
    theirs = _tf_cli(argv, cwd)
    assert theirs.returncode == 0, theirs.stderr[-2000:]
    old = os.getcwd()
    os.chdir(cwd)
    try:
        code, out, err = run_cli(argv, capsys)
    finally:
        os.chdir(old)
    assert (code, err) == (0, "")
    assert_same_output(out, theirs.stdout)


@pytest.mark.interop
@pytest.mark.parametrize(
    "argv",
    [
        ["show", "--dir", "tf2_polymorphic", "--all"],
        ["show", "--dir", "tf1_multi_metagraph", "--all"],
        ["scan", "--dir", "tf1_multi_metagraph", "--op_denylist", "VariableV2,Assign,Nope"],
    ],
)
def test_live_saved_model_cli_on_fixtures(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("tensorflow")
    _compare_live(argv, MODELS_DIR, capsys)


@pytest.mark.interop
def test_live_saved_model_cli_on_fresh_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tf = pytest.importorskip("tensorflow")
    import collections

    pair = collections.namedtuple("Pair", ["first", "second"])

    class Model(tf.Module):
        def __init__(self) -> None:
            super().__init__()
            self.v = tf.Variable([1.0, 2.0])

        @tf.function
        def f(self, x, scale=2, mode="fast", opts=None):
            return x * tf.cast(1 if opts is None else 2, x.dtype)

        @tf.function
        def g(self, p, *args, k=None):
            return p.first + p.second

        @tf.function(input_signature=[tf.RaggedTensorSpec([None, None], tf.int32)])
        def ragged(self, r):
            return tf.reduce_sum(r)

        @tf.function
        def looped(self, x):
            return tf.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1, s + x), [0, x])[1]

    m = Model()
    for i in range(12):  # enough traces to push the loader's uids past 100
        m.f(tf.constant([float(i)] * (i + 1)))
    m.f(tf.constant(1.0), scale=[1, 2], mode="slow", opts={"a": 1, "b": (2.5, None)})
    m.g(pair(tf.constant(1.0), tf.constant(2.0)), tf.constant(3.0), k=tf.constant(1))
    m.looped(tf.constant(2.0))
    m.bare = m.f.get_concrete_function(tf.TensorSpec([None, 3], tf.float64, name="q"), 7)
    sig = m.f.get_concrete_function(tf.TensorSpec([None], tf.float32, name="x"))
    tf.saved_model.save(m, str(tmp_path / "model"), signatures={"serving_default": sig})
    for argv in (
        ["show", "--dir", "model", "--all"],
        ["show", "--dir", "model", "--tag_set", "serve", "--signature_def", "serving_default"],
    ):
        _compare_live(argv, tmp_path, capsys)


def _edited_copy(src: Path, dst: Path, edit) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from savedmodel import protos

    shutil.copytree(src, dst)
    sm = protos.SavedModel.FromString((src / "saved_model.pb").read_bytes())
    edit(sm)
    (dst / "saved_model.pb").write_bytes(sm.SerializeToString())


def _rename_op(sm, old: str = "AddV2", new: str = "MyCustomAdd") -> None:  # type: ignore[no-untyped-def]
    for fdef in sm.meta_graphs[0].graph_def.library.function:
        for node in fdef.node_def:
            if node.op == old:
                node.op = new


def _second_meta_graph(sm) -> None:  # type: ignore[no-untyped-def]
    mg = sm.meta_graphs.add()
    mg.CopyFrom(sm.meta_graphs[0])
    mg.meta_info_def.tags[:] = ["serve", "gpu"]


def _drop_function_spec(sm) -> None:  # type: ignore[no-untyped-def]
    for node in sm.meta_graphs[0].object_graph_def.nodes:
        if node.WhichOneof("kind") == "function":
            node.function.ClearField("function_spec")


EDITS = {
    "custom_op": (_rename_op, "the existence of custom ops in the SavedModel"),
    "two_meta_graphs": (_second_meta_graph, "unknown reasons"),
    "no_function_spec": (_drop_function_spec, "unknown reasons"),
}


@pytest.mark.parametrize("name", sorted(EDITS))
def test_functions_tensorflow_cannot_load(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit, reason = EDITS[name]
    _edited_copy(MODELS_DIR / "tf2_polymorphic", tmp_path / name, edit)
    code, out, err = run_cli(["show", "--dir", str(tmp_path / name), "--all"], capsys)
    assert (code, err) == (0, "")
    assert out.endswith(f"\nConcrete Functions: N/A (could not be listed due to {reason})\n")


@pytest.mark.interop
def test_live_functions_tensorflow_cannot_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("tensorflow")
    for name, (edit, _) in sorted(EDITS.items()):
        _edited_copy(MODELS_DIR / "tf2_polymorphic", tmp_path / name, edit)
        _compare_live(["show", "--dir", name, "--all"], tmp_path, capsys)
