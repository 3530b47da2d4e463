"""The input flags of `savedmodel run`: `--inputs`, `--input_exprs`, `--input_examples`.

Each flag holds `<input_key>=<value>` entries separated by `;`, parsed as saved_model_cli does:

* `--inputs key=file.npy`, `key=file.npz[array]`, `key=file.pkl[dict key]`: arrays from files.
  `.npy` and `.npz` are read with `allow_pickle=False`. Anything else -- and `.npy`/`.npz` files
  holding object arrays -- is unpickled, because saved_model_cli reads inputs with
  `np.load(allow_pickle=True)`. **Unpickling runs code chosen by whoever wrote the file**: only
  pass files you trust. We print a warning whenever we unpickle.
* `--input_exprs key=<expression>`: a Python literal (`ast.literal_eval`), or one of the numpy
  expressions `savedmodel.cli.safe_expr` whitelists (`np.ones((2, 3))`, ...). Never `eval`.
* `--input_examples key=[{"feature": [values], ...}, ...]`: a list of feature dicts, each made
  into a serialized `tf.train.Example` (floats -> float_list, ints -> int64_list,
  str/bytes -> bytes_list, by the type of the first value).

When one key appears in several flags, `--input_exprs` overrides `--inputs` and
`--input_examples` overrides both, with a warning (saved_model_cli's rule).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from savedmodel import errors
from savedmodel.cli import safe_expr

Warn = Callable[[str], None]

# NOTE: saved_model_cli's two accepted shapes of an --inputs entry.
_FILE_WITH_VARIABLE = re.compile(r"([^=]+)=([^\[\]]+)\[([^\[\]]+)\]$")
_FILE = re.compile(r"([^=]+)=([^\[\]]+)$")


def parse_inputs_flag(text: str) -> dict[str, tuple[str, str | None]]:
    """`--inputs` -> {input key: (file name, variable name or None)}."""
    out: dict[str, tuple[str, str | None]] = {}
    for entry in filter(None, text.split(";")):
        m = _FILE_WITH_VARIABLE.match(entry)
        if m:
            out[m.group(1)] = (m.group(2), m.group(3))
            continue
        m = _FILE.match(entry)
        if not m:
            raise errors.InvalidArgumentError(
                f'--inputs "{entry}" format is incorrect. Please follow"<input_key>=<filename>", '
                'or"<input_key>=<filename>[<variable_name>]"'
            )
        out[m.group(1)] = (m.group(2), None)
    return out


def _entries(text: str, flag: str) -> list[tuple[str, str]]:
    pairs = []
    for entry in filter(None, text.split(";")):
        if "=" not in entry:
            raise errors.InvalidArgumentError(
                f'{flag} "{text}" format is incorrect. Please follow"<input_key>=<python '
                'expression>"'
            )
        key, expr = entry.split("=", 1)
        pairs.append((key, expr))
    return pairs


def parse_input_exprs(text: str) -> dict[str, Any]:
    """`--input_exprs` -> {input key: value}; literals and whitelisted numpy expressions."""
    out: dict[str, Any] = {}
    for key, expr in _entries(text, "--input_exprs"):
        try:
            out[key] = safe_expr.evaluate(expr)
        except safe_expr.UnsafeExpression as e:
            raise errors.InvalidArgumentError(
                f'Expression "{expr}" is not a valid python literal. {e}'
            ) from None
    return out


def parse_input_examples(text: str) -> dict[str, list[bytes]]:
    """`--input_examples` -> {input key: [serialized tf.Example, ...]}."""
    out: dict[str, list[bytes]] = {}
    for key, expr in _entries(text, "--input_examples"):
        try:
            examples = ast.literal_eval(expr)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            raise errors.InvalidArgumentError(
                f'Expression "{expr}" is not a valid python literal.'
            ) from None
        if not isinstance(examples, list):
            raise errors.InvalidArgumentError(
                f'tf.Example input must be a list of dictionaries, but "{examples}" is '
                f"{type(examples)}"
            )
        out[key] = [make_example(features) for features in examples]
    return out


def make_example(features: Any) -> bytes:
    """A serialized tf.train.Example from {feature name: [values]}."""
    from savedmodel import protos

    if not isinstance(features, dict):
        raise errors.InvalidArgumentError(
            f'tf.Example input must be a list of dictionaries, but it holds "{features}", '
            f"which is {type(features)}"
        )
    example = protos.Example()
    for name, values in features.items():
        if not isinstance(values, list):
            raise errors.InvalidArgumentError(
                f'feature value must be a list, but {name}: "{values}" is {type(values)}'
            )
        if not values:
            raise errors.InvalidArgumentError(
                f"feature {name}: the value list is empty (its type comes from the first value)"
            )
        first = values[0]
        try:
            feature = example.features.feature[name]
            if isinstance(first, float):
                feature.float_list.value.extend(values)
            elif isinstance(first, str):
                feature.bytes_list.value.extend(v.encode("utf-8") for v in values)
            elif isinstance(first, bytes):
                feature.bytes_list.value.extend(values)
            elif isinstance(first, int):
                feature.int64_list.value.extend(values)
            else:
                raise errors.InvalidArgumentError(
                    f"Type {type(first)} for value {first} is not supported for tf.train.Feature."
                )
        except (TypeError, ValueError, AttributeError) as e:
            if isinstance(e, errors.OpError):
                raise
            raise errors.InvalidArgumentError(
                f"feature {name!r}: values {values!r} do not fit one tf.train.Feature list "
                f"(the first value decides its type): {e}"
            ) from None
    return example.SerializeToString()


# ---------------------------------------------------------------------------------------------
# Files


def _is_pickle_refusal(e: ValueError) -> bool:
    return "allow_pickle" in str(e) or "pickled" in str(e)


def _warn_pickle(filename: str, warn: Warn) -> None:
    warn(
        f"unpickling {filename} (saved_model_cli loads inputs with allow_pickle=True): a pickle "
        "can run any code when loaded, only use files you trust"
    )


def _np_load(filename: str, allow_pickle: bool) -> Any:
    try:
        return np.load(filename, allow_pickle=allow_pickle)
    except FileNotFoundError:
        # NOTE: TensorFlow's file_io wording for a missing file.
        raise errors.NotFoundError(f"{filename}; No such file or directory") from None
    except (EOFError, OSError, ValueError) as e:
        if isinstance(e, ValueError) and _is_pickle_refusal(e):
            raise
        if isinstance(e, OSError) and not str(e).startswith("Failed to interpret"):
            raise
        raise errors.InvalidArgumentError(
            f"Input file {filename} is not a .npy, .npz or pickle file: {e}"
        ) from None
    except Exception as e:  # noqa: BLE001 - unpickling raises anything
        raise errors.InvalidArgumentError(
            f"Input file {filename} could not be unpickled: {type(e).__name__}: {e}"
        ) from None


def _npz_member(npz: Any, filename: str, name: str, warn: Warn) -> np.ndarray:
    try:
        return npz[name]
    except ValueError as e:
        if not _is_pickle_refusal(e):
            raise
    _warn_pickle(filename, warn)
    with np.load(filename, allow_pickle=True) as unsafe:
        return unsafe[name]


def load_file_input(filename: str, variable: str | None, warn: Warn) -> Any:
    """One `--inputs` entry's value, chosen as saved_model_cli chooses it."""
    try:
        data = _np_load(filename, allow_pickle=False)
    except ValueError as e:
        if isinstance(e, errors.OpError):
            raise
        _warn_pickle(filename, warn)
        data = _np_load(filename, allow_pickle=True)
    if isinstance(data, np.lib.npyio.NpzFile):
        with data:
            if variable:
                if variable not in data:
                    raise _no_variable(filename, variable)
                return _npz_member(data, filename, variable, warn)
            if len(data.files) != 1:
                raise errors.InvalidArgumentError(
                    f"Input file {filename} contains more than one ndarrays. Please specify the "
                    "name of ndarray to use."
                )
            return _npz_member(data, filename, data.files[0], warn)
    if not variable:
        return data
    if isinstance(data, np.ndarray):
        warn(f'Input file {filename} contains a single ndarray. Name key "{variable}" ignored.')
        return data
    try:
        return data[variable]  # an unpickled dict, as saved_model_cli expects
    except (KeyError, IndexError, TypeError):
        raise _no_variable(filename, variable) from None


def _no_variable(filename: str, variable: str) -> errors.OpError:
    return errors.NotFoundError(
        f'Input file {filename} does not contain variable with name "{variable}".'
    )


def collect_inputs(inputs: str, input_exprs: str, input_examples: str, warn: Warn) -> dict:
    """{input key: value} from the three flags, with saved_model_cli's precedence."""
    files = parse_inputs_flag(inputs)
    exprs = parse_input_exprs(input_exprs)
    examples = parse_input_examples(input_examples)
    values: dict[str, Any] = {}
    for key, (filename, variable) in files.items():
        values[key] = load_file_input(filename, variable, warn)
    # NOTE: saved_model_cli's precedence and warnings, word for word.
    overriding = (
        (exprs, "input_key {} has been specified with both --inputs and --input_exprs options. "
         "Value in --input_exprs will be used."),
        (examples, "input_key {} has been specified in multiple options. Value in "
         "--input_examples will be used."),
    )  # fmt: skip
    for source, message in overriding:
        for key, value in source.items():
            if key in values:
                warn(message.format(key))
            values[key] = value
    return values
