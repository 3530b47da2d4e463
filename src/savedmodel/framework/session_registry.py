"""The default-session stack (`with sess.as_default():`, `tf.compat.v1.get_default_session()`).

Sessions live in the TF1 front end; graph objects only need to find the session that
`Tensor.eval()` / `Operation.run()` should use.
"""

from __future__ import annotations

import threading
from typing import Any


class _Stack(threading.local):
    def __init__(self) -> None:
        self.sessions: list[Any] = []


_STACK = _Stack()


def push(session: Any) -> None:
    _STACK.sessions.append(session)


def pop(session: Any) -> None:
    if _STACK.sessions and _STACK.sessions[-1] is session:
        _STACK.sessions.pop()
    elif session in _STACK.sessions:
        _STACK.sessions.remove(session)


def get_default_session() -> Any | None:
    return _STACK.sessions[-1] if _STACK.sessions else None


def default_session_for(graph: Any, session: Any = None) -> Any:
    session = session if session is not None else get_default_session()
    if session is None:
        raise ValueError(
            "Cannot evaluate tensor using `eval()`: No default session is registered. Use"
            " `with sess.as_default()` or pass an explicit session to `eval(session=sess)`"
        )
    if session.graph is not graph:
        raise ValueError(
            "Cannot use the given session to evaluate tensor: the tensor's graph is"
            " different from the session's graph."
        )
    return session
