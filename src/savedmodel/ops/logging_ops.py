"""Logging kernels: Assert, Print and PrintV2 (tf.print).

Assert raises InvalidArgumentError("assertion failed: ...") when its condition is false, listing
its data tensors like TensorFlow; Print passes its input through and writes its message to
stderr; PrintV2 writes an already formatted string (see StringFormat) to the requested stream.
"""

from __future__ import annotations

import logging
import sys

import numpy as np

from savedmodel.errors import InvalidArgumentError
from savedmodel.ops._common import shape_str, text
from savedmodel.ops.registry import register
from savedmodel.ops.string_ops import summarize_v1

_log = logging.getLogger("savedmodel.print")


def assert_(condition: np.ndarray, data: list[np.ndarray], *, summarize: int = 3) -> None:
    if condition.ndim != 0:
        raise InvalidArgumentError(f"In[0] should be a scalar: {shape_str(condition.shape)}")
    if bool(condition.reshape(())):
        return None
    parts = [f"[{summarize_v1(v, summarize)}]" for v in data]
    raise InvalidArgumentError("assertion failed: " + " ".join(parts))


def print_(
    input: np.ndarray,  # noqa: A002
    data: list[np.ndarray],
    *,
    message: str = "",
    first_n: int = -1,
    summarize: int = 3,
) -> np.ndarray:
    # first_n counts across runs in TF; without per-node state here, every run prints.
    parts = "".join(f"[{summarize_v1(v, summarize)}]" for v in data)
    print(text(message) + parts, file=sys.stderr)
    return input


def print_v2(input: np.ndarray, *, output_stream: str = "stderr", end: str = "\n") -> None:  # noqa: A002
    message = bytes(input.reshape(()).item()).decode("utf-8", "replace") + text(end)
    stream = text(output_stream)
    if stream == "stdout":
        sys.stdout.write(message)
    elif stream == "stderr":
        sys.stderr.write(message)
    elif stream.startswith("log("):
        level = {"log(info)": logging.INFO, "log(warning)": logging.WARNING}.get(
            stream, logging.ERROR
        )
        _log.log(level, message.rstrip("\n"))
    elif stream.startswith("file://"):
        with open(stream[len("file://") :], "a", encoding="utf-8") as f:
            f.write(message)
    else:
        raise InvalidArgumentError(f"{stream} is not a valid output_stream")
    return None


register("Assert", assert_)
register("Print", print_)
register("PrintV2", print_v2)
