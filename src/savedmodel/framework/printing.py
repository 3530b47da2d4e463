"""How eager values print inside TensorFlow reprs (`<tf.Variable 'v:0' ... numpy=3.0>`)."""

from __future__ import annotations

from typing import Any

import numpy as np


def numpy_text(value: Any) -> str:
    """An eager value as TF's reprs show it: `3.0`, `True`, `b'abc'`, `array([...])`."""
    arr = np.asarray(value)
    # NOTE: TF shows a scalar as its Python item (repr(np.float32(3)) is "np.float32(3.0)"),
    # and starts a multi-line value on a new line.
    text = repr(arr.item()) if arr.ndim == 0 else repr(arr)
    return "\n" + text if "\n" in text else text
