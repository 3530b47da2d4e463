"""`savedmodel run`: saved_model_cli's `run`, same flags, same checks, same output text.

Like saved_model_cli, we read the inputs (`savedmodel.cli.run_inputs`), pick the MetaGraph of
`--tag_set` and the SignatureDef, check the input keys, load the model (`savedmodel.load`), feed
the SignatureDef's input tensors by name and fetch every output, then print, in sorted key order,

    Result for output key <key>:
    <str() of the numpy value, numpy's default print options>

and with `--outdir` save each output to `<outdir>/<key>.npy` (refusing to replace a file unless
`--overwrite`). Inputs not given are not fed: a signature input the outputs do not need may be
left out, as with saved_model_cli. Values are converted to the input's dtype the way TF1's
`Session.run` converts a feed (`np.asarray(value).astype(dtype)`: float values fed to an integer
input are truncated), and checked against the input's shape.

Input files are unpickled where saved_model_cli would unpickle them (see run_inputs): a pickle
runs code when it is loaded, so only use files you trust.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from typing import Any, TextIO

import numpy as np

from savedmodel import dtypes, errors
from savedmodel.cli import run_inputs, show
from savedmodel.tensors import shape_from_proto

# NOTE: saved_model_cli prints with numpy's default print options; pin them, whatever the
# process changed.
_PRINT_OPTIONS: dict[str, Any] = {
    "edgeitems": 3,
    "threshold": 1000,
    "floatmode": "maxprec",
    "precision": 8,
    "suppress": False,
    "linewidth": 75,
    "nanstr": "nan",
    "infstr": "inf",
    "sign": "-",
    "formatter": None,
    "legacy": False,
}

_UNSUPPORTED_FLAGS = {
    "tf_debug": "--tf_debug is not supported: it opens TensorFlow's interactive debugger "
    "(tfdbg), which needs TensorFlow",
    "worker": "--worker is not supported: savedmodel runs the model in this process, not on a "
    "remote TensorFlow worker",
    "init_tpu": "--init_tpu is not supported: savedmodel runs on the CPU (numpy) only",
}


def check_flags(**flags: Any) -> None:
    """Refuse --tf_debug, --worker and --init_tpu (--use_tfrt is accepted and changes nothing:
    it picks one of TensorFlow's two runtimes, whose results are the same)."""
    for name, message in _UNSUPPORTED_FLAGS.items():
        if flags.get(name):
            raise errors.UnimplementedError(message)


# ---------------------------------------------------------------------------------------------
# Feeding values (TF1 Session.run's conversion and checks)


def _numpy_type_str(np_type: type) -> str:
    # NOTE: TF's numpy type of tf.string is the builtin `object`.
    return str(object if np_type is np.object_ else np_type)


def _int_keeps_value(value: int, np_type: type) -> bool:
    """Whether a Python int survives conversion to `np_type` (TF refuses the feed if not)."""
    if np_type is np.object_:
        return False  # NOTE: TF compares str(value) with the int: never equal
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return bool(np_type(np.array(value).astype(np_type)) == value)
    except (OverflowError, ValueError, TypeError):
        return False


def _shape_str(info: Any) -> str:
    shape = shape_from_proto(info.tensor_shape)
    return "<unknown>" if shape is None else str(shape)


def _shape_fits(shape: tuple[int, ...], info: Any) -> bool:
    if info.tensor_shape.unknown_rank:
        return True
    dims = info.tensor_shape.dim
    return len(dims) == len(shape) and all(
        d.size < 0 or d.size == s for d, s in zip(dims, shape, strict=True)
    )


def _strings(arr: np.ndarray, key: str, dtype_name: str) -> np.ndarray:
    flat = arr.reshape(-1)
    for i, item in enumerate(flat):
        if isinstance(item, str):
            flat[i] = item.encode("utf-8")
        elif not isinstance(item, bytes):
            raise errors.InvalidArgumentError(
                f"input '{key}' is a {dtype_name} tensor: its values must be str or bytes, not "
                f"{type(item).__name__} ({item!r})"
            )
    return flat.reshape(arr.shape)


def feed_value(key: str, value: Any, info: Any) -> np.ndarray:
    """`value` converted for the signature input `info` (a TensorInfo), as Session.run does."""
    if info.WhichOneof("encoding") != "name":
        raise errors.UnimplementedError(
            f"input '{key}' is a {info.WhichOneof('encoding')} tensor; only dense inputs can be fed"
        )
    dtype = dtypes.DType(info.dtype)
    np_type = dtype.as_numpy_dtype
    if isinstance(value, int) and not _int_keeps_value(value, np_type):
        # NOTE: TF's Session.run message, word for word.
        raise errors.InvalidArgumentError(
            f"Type of feed value {value} with type {type(value)} is not compatible with Tensor "
            f"type {_numpy_type_str(np_type)}. Try explicitly setting the type of the feed tensor "
            "to a larger type (e.g. int64)."
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # overflow/complex casts: TF feeds them silently
            if np.issubdtype(np_type, np.number):
                arr = np.asarray(value).astype(np_type)
            else:
                arr = np.asarray(value, dtype=np_type)
    except (ValueError, TypeError, OverflowError) as e:
        raise errors.InvalidArgumentError(
            f"input '{key}' ({info.name}) is a {dtype.name} tensor; its value cannot be "
            f"converted: {e}"
        ) from None
    if arr.dtype == np.object_:
        arr = _strings(arr, key, dtype.name)
    if not _shape_fits(arr.shape, info):
        raise errors.InvalidArgumentError(
            f"Cannot feed value of shape {arr.shape} for Tensor {info.name}, which has shape "
            f"{_shape_str(info)}"
        )
    return arr


# ---------------------------------------------------------------------------------------------
# The command


def _as_tf_fetch(value: Any) -> Any:
    """What Session.run returns: a numpy scalar (bytes for strings) for a 0-d tensor."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value[()]
    return value


def run(
    directory: str,
    tag_set: str,
    signature_def: str,
    *,
    inputs: str = "",
    input_exprs: str = "",
    input_examples: str = "",
    outdir: str | None = None,
    overwrite: bool = False,
    out: TextIO,
    warn: Callable[[str], None],
) -> None:
    """What `saved_model_cli run` does for these flags; output text goes to `out`."""
    if not (inputs or input_exprs or input_examples):
        raise errors.InvalidArgumentError(
            "At least one of --inputs, --input_exprs or --input_examples must be required"
        )
    values = run_inputs.collect_inputs(inputs, input_exprs, input_examples, warn)

    tags = show.sanitize_tag_set(tag_set)
    meta_graph = show.get_meta_graph(show.read_saved_model(directory), tags)
    signature = show.get_signature_def(meta_graph, signature_def)
    for key in values:
        if key not in signature.inputs:
            choices = '"' + '", "'.join(sorted(signature.inputs)) + '"'
            raise errors.InvalidArgumentError(
                f'"{key}" is not a valid input key. Please choose from {choices}, or use --show '
                "option."
            )
    output_keys = sorted(signature.outputs)
    for key in output_keys:
        if signature.outputs[key].WhichOneof("encoding") != "name":
            raise errors.UnimplementedError(
                f"output '{key}' is a {signature.outputs[key].WhichOneof('encoding')} tensor; "
                "only dense outputs can be fetched"
            )

    from savedmodel.api import loader

    model = loader.load(directory, tags.split(","))
    feeds = {
        signature.inputs[k].name: feed_value(k, v, signature.inputs[k]) for k, v in values.items()
    }
    results = model.session.run([signature.outputs[k].name for k in output_keys], feeds)

    for key, value in zip(output_keys, results, strict=True):
        value = _as_tf_fetch(value)
        with np.printoptions(**_PRINT_OPTIONS):
            # str(), not format(): format() of a numpy float32 scalar prints it as a Python float.
            out.write(f"Result for output key {key}:\n{value!s}\n")
        if outdir:
            _save(outdir, key, value, overwrite, out)


def _save(outdir: str, key: str, value: Any, overwrite: bool, out: TextIO) -> None:
    if not os.path.isdir(outdir):
        os.makedirs(outdir)
    path = os.path.join(outdir, key + ".npy")
    if not overwrite and os.path.exists(path):
        raise errors.AlreadyExistsError(
            f'Output file {path} already exists. Add "--overwrite" to overwrite the existing '
            "output files."
        )
    np.save(path, value)
    out.write(f"Output {key} is saved to {path}\n")
