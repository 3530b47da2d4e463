"""The `savedmodel` command: a drop-in for `saved_model_cli`, plus `checkpoint`.

    savedmodel show --dir DIR [--all] [--tag_set serve] [--signature_def KEY] [--list_ops]
    savedmodel scan --dir DIR [--tag_set T] [--op_denylist A,B]
    savedmodel run --dir DIR --tag_set T --signature_def KEY [--inputs ...] [--input_exprs ...]
                   [--input_examples ...] [--outdir D [--overwrite]]
    savedmodel checkpoint --file_name PREFIX [--tensor_name N] [--all_tensors] ...
    savedmodel convert | freeze_model | aot_compile_cpu   (not implemented)

Subcommands and flag names are saved_model_cli's (absl spellings work too: `--flag=value`,
`--all=false`, `--noall`). Output goes to stdout exactly as saved_model_cli prints it. Bad input
(missing directory, corrupt file, unknown tag set or signature) ends with one line
"savedmodel: error: ..." on stderr and exit status 1 (an unexpected exception, i.e. a bug, says
"internal error"); usage errors exit with 2. Set SAVEDMODEL_DEBUG=1 to get the traceback instead.

`run --inputs` unpickles input files that are not plain .npy/.npz arrays, as saved_model_cli
does: unpickling runs code from the file, so only pass files you trust.

This module imports only the standard library; each command imports what it needs when it runs,
so `savedmodel --help` and friends start fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

PROG = "savedmodel"

_SHOW_EXAMPLES = """\
examples:
  savedmodel show --dir /tmp/saved_model                      # the tag sets
  savedmodel show --dir /tmp/saved_model --tag_set serve      # SignatureDef keys of a MetaGraph
  savedmodel show --dir /tmp/saved_model --tag_set serve,gpu  # give every tag of a tag set
  savedmodel show --dir /tmp/saved_model --tag_set serve --signature_def serving_default
  savedmodel show --dir /tmp/saved_model --tag_set serve --list_ops
  savedmodel show --dir /tmp/saved_model --all                # everything
"""

_RUN_EXAMPLES = """\
examples:
  savedmodel run --dir /tmp/saved_model --tag_set serve --signature_def serving_default \\
      --input_exprs 'x=[[1.0, 2.0]];y=np.ones((1, 3))'
  savedmodel run --dir /tmp/saved_model --tag_set serve --signature_def serving_default \\
      --inputs 'x=/tmp/x.npy;y=/tmp/in.npz[y]' --outdir /tmp/out --overwrite
  savedmodel run --dir /tmp/saved_model --tag_set serve --signature_def classify \\
      --input_examples 'inputs=[{"age": [31.0], "city": ["Paris"]}]'
"""

_SCAN_EXAMPLES = """\
examples:
  savedmodel scan --dir /tmp/saved_model                      # default denylist
  savedmodel scan --dir /tmp/saved_model --op_denylist OpA,OpB
  savedmodel scan --dir /tmp/saved_model --tag_set serve      # one MetaGraph only
"""

_CHECKPOINT_EXAMPLES = """\
examples:
  savedmodel checkpoint --file_name /tmp/model/ckpt-1                   # names, dtypes, shapes
  savedmodel checkpoint --file_name /tmp/model/ckpt-1 --tensor_name w   # one tensor's value
  savedmodel checkpoint --file_name /tmp/model/ckpt-1 --all_tensors --printoptions threshold=10
"""


def _parse_bool(text: str) -> bool:
    value = text.strip().lower()
    if value in ("true", "t", "1", "yes", "y"):
        return True
    if value in ("false", "f", "0", "no", "n"):
        return False
    raise argparse.ArgumentTypeError(f"invalid boolean value {text!r}")


def _add_bool(parser: argparse.ArgumentParser, name: str, help: str) -> None:  # noqa: A002
    # absl-style boolean: --name, --name=true|false, --noname.
    parser.add_argument(
        f"--{name}",
        nargs="?",
        const=True,
        default=False,
        type=_parse_bool,
        metavar="true|false",
        help=help,
    )
    parser.add_argument(f"--no{name}", dest=name, action="store_false", help=argparse.SUPPRESS)


def _add_common(parser: argparse.ArgumentParser, *, required: Sequence[str] = ()) -> None:
    parser.add_argument(
        "--dir", required="dir" in required, help="directory containing the SavedModel"
    )
    parser.add_argument(
        "--tag_set",
        required="tag_set" in required,
        help="comma-separated set of tags identifying one MetaGraphDef (give all of its tags)",
    )


def _add_command(sub: Any, name: str, summary: str, description: str, examples: str) -> Any:
    return sub.add_parser(
        name,
        help=summary,
        description=description,
        epilog=examples,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _add_show(sub: Any) -> None:
    p = _add_command(
        sub,
        "show",
        "show tag sets, signatures, ops and functions of a SavedModel",
        "Show what a SavedModel contains (output identical to saved_model_cli).",
        _SHOW_EXAMPLES,
    )
    _add_common(p, required=("dir",))
    p.add_argument(
        "--signature_def",
        help="SignatureDef key whose inputs and outputs to show (needs --tag_set)",
    )
    _add_bool(p, "all", "show everything: every MetaGraphDef, SignatureDef and function")
    _add_bool(p, "list_ops", "list the ops used by the MetaGraphDef chosen by --tag_set")
    p.set_defaults(func=_run_show)


def _add_scan(sub: Any) -> None:
    p = _add_command(
        sub,
        "scan",
        "report denylisted ops used by a SavedModel",
        "Report ops on a denylist (default: WriteFile, ReadFile, PrintV2).",
        _SCAN_EXAMPLES,
    )
    _add_common(p, required=("dir",))
    p.add_argument("--op_denylist", help="comma-separated ops to look for instead of the default")
    p.set_defaults(func=_run_scan)


def _add_run(sub: Any) -> None:
    p = _add_command(
        sub,
        "run",
        "run a SignatureDef of a SavedModel on inputs and print (or save) its outputs",
        "Run a SignatureDef (output identical to saved_model_cli run).\n\n"
        "Each input flag holds '<input_key>=<value>' entries separated by ';'. For one key,\n"
        "--input_exprs overrides --inputs, and --input_examples overrides both.\n\n"
        "SECURITY: like saved_model_cli, --inputs unpickles files that are not plain .npy/.npz\n"
        "arrays (and .npy/.npz files holding object arrays). Unpickling runs code chosen by\n"
        "the file's author: only pass files you trust.",
        _RUN_EXAMPLES,
    )
    _add_common(p, required=("dir", "tag_set"))
    p.add_argument("--signature_def", required=True, help="key of the SignatureDef to run")
    p.add_argument(
        "--inputs",
        default="",
        help="'<key>=<file>' or '<key>=<file>[<variable>]' entries separated by ';': a .npy "
        "file, an array of a .npz file, or an entry of a pickled dict (pickles run code: "
        "trusted files only)",
    )
    p.add_argument(
        "--input_exprs",
        default="",
        help="'<key>=<expression>' entries separated by ';': a Python literal, or a numpy "
        "constructor such as np.ones((2, 3), np.float32) (parsed, never eval'ed)",
    )
    p.add_argument(
        "--input_examples",
        default="",
        help="'<key>=[{\"feature\": [values], ...}, ...]' entries separated by ';': fed as "
        "serialized tf.train.Example protos",
    )
    p.add_argument("--outdir", help="also save each output to <outdir>/<output key>.npy")
    _add_bool(p, "overwrite", "replace existing files in --outdir")
    _add_bool(p, "tf_debug", "TensorFlow's debugger (not supported: an error)")
    p.add_argument("--worker", help="remote TensorFlow worker (not supported: an error)")
    _add_bool(p, "init_tpu", "initialize a TPU system (not supported: an error)")
    _add_bool(p, "use_tfrt", "run on TensorFlow's TFRT runtime (accepted; changes nothing)")
    p.set_defaults(func=_run_run)


def _add_convert(sub: Any) -> None:
    p = sub.add_parser("convert", help="convert a SavedModel (TensorRT; not implemented)")
    _add_common(p, required=("dir", "tag_set"))
    p.add_argument("--output_dir", required=True, help="directory for the converted SavedModel")
    p.add_argument("--max_workspace_size_bytes", type=int, default=2 << 20)
    p.add_argument("--precision_mode", default="FP32", choices=["FP32", "FP16", "INT8"])
    p.add_argument("--minimum_segment_size", type=int, default=3)
    _add_bool(p, "convert_tf1_model", "convert a TF1 model")
    methods = p.add_subparsers(title="conversion methods", dest="method")
    methods.add_parser("tensorrt", help="convert with TensorFlow-TensorRT")
    p.set_defaults(func=_not_implemented)


def _add_compile(sub: Any, name: str) -> None:
    is_aot = name == "aot_compile_cpu"
    p = sub.add_parser(
        name,
        help=("compile a signature with XLA AOT" if is_aot else "freeze a SavedModel")
        + " (not implemented)",
    )
    _add_common(p, required=() if is_aot else ("dir", "tag_set"))
    p.add_argument("--output_prefix", required=not is_aot, help="output path prefix")
    p.add_argument("--signature_def_key", default="serving_default", help="SignatureDef key")
    p.add_argument("--checkpoint_path", help="checkpoint to use instead of the model's variables")
    p.add_argument("--variables_to_feed", default="", help="variables fed instead of frozen")
    if is_aot:
        p.add_argument("--cpp_class", required=True, help="name of the generated C++ class")
        p.add_argument("--target_triple", default="x86_64-pc-linux")
        p.add_argument("--target_cpu", default="")
        p.add_argument("--multithreading", default="False")
    p.set_defaults(func=_not_implemented)


def _printoption(text: str) -> tuple[str, Any]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"'{text}' is not in the form k=v.")
    return key, value


def _add_checkpoint(sub: Any) -> None:
    p = _add_command(
        sub,
        "checkpoint",
        "list or print the tensors of a checkpoint (like inspect_checkpoint)",
        "Inspect a TensorFlow checkpoint (output as TF's inspect_checkpoint).",
        _CHECKPOINT_EXAMPLES,
    )
    p.add_argument(
        "--file_name",
        required=True,
        help="checkpoint prefix (the path without .index / .data-*), or a directory",
    )
    p.add_argument("--tensor_name", default="", help="print this tensor's value")
    p.add_argument(
        "--count_exclude_pattern", default="", help="regex of tensors to leave out of the count"
    )
    _add_bool(p, "all_tensors", "print the names and values of all tensors")
    _add_bool(p, "all_tensor_names", "print the names of all tensors")
    p.add_argument(
        "--printoptions",
        nargs="*",
        type=_printoption,
        default=[],
        help="numpy.set_printoptions() settings, as k=v",
    )
    p.set_defaults(func=_run_checkpoint)


def build_parser() -> argparse.ArgumentParser:
    from savedmodel import __version__

    parser = argparse.ArgumentParser(
        prog=PROG,
        description="savedmodel: inspect TensorFlow SavedModels and checkpoints without "
        "TensorFlow (a drop-in for saved_model_cli).",
    )
    parser.add_argument("-v", "--version", action="version", version=__version__)
    sub = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND", required=True)
    _add_show(sub)
    _add_run(sub)
    _add_scan(sub)
    _add_convert(sub)
    _add_compile(sub, "aot_compile_cpu")
    _add_compile(sub, "freeze_model")
    _add_checkpoint(sub)
    return parser


# ---------------------------------------------------------------------------------------------
# Commands


def _run_show(args: argparse.Namespace) -> int:
    from savedmodel.cli import show

    show.show(
        args.dir,
        all=args.all,
        tag_set=args.tag_set,
        signature_def=args.signature_def,
        list_ops=args.list_ops,
        out=sys.stdout,
    )
    return 0


def _run_scan(args: argparse.Namespace) -> int:
    from savedmodel.cli import show

    show.scan(args.dir, tag_set=args.tag_set, op_denylist=args.op_denylist, out=sys.stdout)
    return 0


def _run_checkpoint(args: argparse.Namespace) -> int:
    from savedmodel.cli import checkpoint

    return checkpoint.inspect(
        args.file_name,
        tensor_name=args.tensor_name,
        all_tensors=args.all_tensors,
        all_tensor_names=args.all_tensor_names,
        count_exclude_pattern=args.count_exclude_pattern,
        printoptions=dict(args.printoptions or ()),
        out=sys.stdout,
    )


def _run_run(args: argparse.Namespace) -> int:
    from savedmodel.cli import run

    run.check_flags(
        tf_debug=args.tf_debug, worker=args.worker, init_tpu=args.init_tpu, use_tfrt=args.use_tfrt
    )
    run.run(
        args.dir,
        args.tag_set,
        args.signature_def,
        inputs=args.inputs,
        input_exprs=args.input_exprs,
        input_examples=args.input_examples,
        outdir=args.outdir,
        overwrite=args.overwrite,
        out=sys.stdout,
        warn=_warn,
    )
    return 0


def _warn(message: str) -> None:
    print(f"{PROG}: warning: {message}", file=sys.stderr)


def _not_implemented(args: argparse.Namespace) -> int:
    print(f"{PROG}: error: '{args.command}' is not implemented yet", file=sys.stderr)
    return 1


# ---------------------------------------------------------------------------------------------
# Entry point


def _one_line(error: BaseException) -> str:
    text = " ".join(part.strip() for part in str(error).splitlines() if part.strip())
    return text or type(error).__name__


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line `argv` (default: sys.argv[1:]); returns the exit status."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        parser.print_usage(sys.stderr)
        print(f"{PROG}: error: too few arguments (give a command, e.g. show)", file=sys.stderr)
        return 2
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # argparse: --help, --version, usage errors
        return int(e.code or 0) if not isinstance(e.code, str) else 2
    func: Callable[[argparse.Namespace], int] = args.func
    from savedmodel.errors import OpError

    try:
        return func(args)
    except BrokenPipeError:
        # The reader went away (`savedmodel show ... | head`): stop quietly, like `cat`.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except Exception as e:
        if os.environ.get("SAVEDMODEL_DEBUG", "") not in ("", "0"):
            raise
        try:
            sys.stdout.flush()
        except OSError:
            pass
        if isinstance(e, (OpError, OSError)):
            print(f"{PROG}: error: {_one_line(e)}", file=sys.stderr)
        else:  # a bug of ours, not bad input
            print(
                f"{PROG}: error: internal error: {type(e).__name__}: {_one_line(e)} "
                "(set SAVEDMODEL_DEBUG=1 for the traceback)",
                file=sys.stderr,
            )
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
