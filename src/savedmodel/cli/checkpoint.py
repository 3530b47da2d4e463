"""`savedmodel checkpoint`: list and print checkpoint tensors like TF's `inspect_checkpoint`.

Output matches `python -m tensorflow.python.tools.inspect_checkpoint`:

* default: one `name (DT_X) [d0,d1]` line per tensor, a blank line, then the parameter count;
* `--all_tensor_names`: `tensor: name (float32) [d0, d1]` lines; `--all_tensors` adds values;
* `--tensor_name N`: that tensor's line and value.

Unlike TensorFlow (which prints errors on stdout and exits 0), bad input is an error: a missing
checkpoint or tensor ends with "savedmodel: error: ..." and exit status 1.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, TextIO

from savedmodel import errors

_NOT_CONVERTIBLE = "<not convertible to a numpy dtype>"
_NO_NUMPY = ("variant", "resource")
_TRUE = ("true", "t", "1", "yes", "y")
_FALSE = ("false", "f", "0", "no", "n")


def numpy_printoptions(options: Mapping[str, str]) -> dict[str, Any]:
    """`--printoptions k=v` strings converted to the type numpy holds for each option."""
    import numpy as np

    current = np.get_printoptions()
    out: dict[str, Any] = {}
    for key, text in options.items():
        if key not in current:
            raise errors.InvalidArgumentError(f"'{key}' is not a valid printoption.")
        kind = type(current[key])
        if current[key] is None:
            raise errors.InvalidArgumentError(
                f"Setting '{key}' from the command line is not supported."
            )
        if kind is bool:
            if text.lower() not in _TRUE + _FALSE:
                raise errors.InvalidArgumentError(f"printoption {key}: {text!r} is not a boolean")
            out[key] = text.lower() in _TRUE
            continue
        try:
            out[key] = kind(text)
        except ValueError as e:
            raise errors.InvalidArgumentError(f"printoption {key}: {e}") from None
    return out


def _count_params(shapes: Mapping[str, list[int]], exclude: str, out: TextIO) -> int:
    if exclude:
        pattern = re.compile(exclude)
        excluded = [name for name in shapes if pattern.search(name)]
        n_params = sum(math.prod(shapes[name]) for name in excluded)
        out.write(
            f"# Excluding {len(excluded)} tensors ({n_params} params) that match {exclude} "
            "when counting.\n"
        )
        shapes = {k: v for k, v in shapes.items() if k not in set(excluded)}
    return sum(math.prod(shape) for shape in shapes.values())


def _write_value(reader: Any, name: str, dtype: Any, out: TextIO) -> None:
    # NOTE: TF's reader cannot turn variant (or resource) tensors into numpy values.
    if dtype.name in _NO_NUMPY:
        out.write(_NOT_CONVERTIBLE + "\n")
        return
    try:
        value = reader.get_tensor(name)
    except errors.UnimplementedError:
        out.write(_NOT_CONVERTIBLE + "\n")
        return
    out.write(f"{value}\n")


def inspect(
    file_name: str,
    *,
    tensor_name: str = "",
    all_tensors: bool = False,
    all_tensor_names: bool = False,
    count_exclude_pattern: str = "",
    printoptions: Mapping[str, str] | None = None,
    out: TextIO,
) -> int:
    """Print what inspect_checkpoint prints for these flags; returns the exit status."""
    import numpy as np

    options = numpy_printoptions(printoptions or {})
    from savedmodel import train

    reader = train.load_checkpoint(file_name)  # NotFoundError for a dir without checkpoints
    shapes = reader.get_variable_to_shape_map()
    with np.printoptions(**options):
        if all_tensors or all_tensor_names:
            dtypes = reader.get_variable_to_dtype_map()
            for name in sorted(shapes):
                out.write(f"tensor: {name} ({dtypes[name].name}) {shapes[name]}\n")
                if all_tensors:
                    _write_value(reader, name, dtypes[name], out)
        elif not tensor_name:
            out.write(reader.debug_string().decode("utf-8", errors="ignore") + "\n")
        else:
            if not reader.has_tensor(tensor_name):
                raise errors.NotFoundError(
                    f"Tensor {tensor_name} not found in checkpoint {file_name}"
                )
            dtype = reader.get_variable_to_dtype_map()[tensor_name]
            out.write(f"tensor: {tensor_name} ({dtype.name}) {shapes[tensor_name]}\n")
            _write_value(reader, tensor_name, dtype, out)
    total = _count_params(shapes, count_exclude_pattern, out)
    out.write(f"# Total number of params: {total}\n")
    return 0
