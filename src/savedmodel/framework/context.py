"""Execution mode: eager (no graph in scope) or graph building, and TF1/TF2 behaviour switches.

TensorFlow 2 executes eagerly unless a graph is the default (`with tf.Graph().as_default()`, or a
function being traced). TF1 programs call `tf.compat.v1.disable_eager_execution()` (or
`disable_v2_behavior()`), after which the process-wide default graph is used when no other graph
is in scope. This module keeps that state; it knows nothing about graphs themselves.
"""

from __future__ import annotations

import threading
from typing import Any


class _ThreadState(threading.local):
    def __init__(self) -> None:
        self.graph_stack: list[Any] = []
        self.eager_scope_name = ""


_thread = _ThreadState()


class _Flags:
    eager_enabled = True
    resource_variables = True  # TF2 behaviour: tf.compat.v1.Variable makes resource variables
    v2_tensorshape = True


FLAGS = _Flags()


def graph_stack() -> list[Any]:
    return _thread.graph_stack


def executing_eagerly() -> bool:
    """True when ops run immediately: no graph in scope and eager execution not disabled."""
    return not _thread.graph_stack and FLAGS.eager_enabled


def enable_eager_execution() -> None:
    FLAGS.eager_enabled = True


def disable_eager_execution() -> None:
    FLAGS.eager_enabled = False


def eager_scope_name() -> str:
    return _thread.eager_scope_name


def set_eager_scope_name(name: str) -> None:
    _thread.eager_scope_name = name
