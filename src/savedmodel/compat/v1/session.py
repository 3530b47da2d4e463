"""`tf.compat.v1.Session`: run fetches of a framework Graph through the executor.

    with tf1.Session(graph=g) as sess:          # also makes g and sess the defaults
        sess.run([y, {"z": z}], feed_dict={x: 3.0, "w:0": [1, 2]})

Fetches may be Tensors, Operations, Variables or names ("y:0" a tensor, "init" an op), nested in
lists, tuples, namedtuples and dicts; the result has the same structure (None for ops). Feeds are
keyed by tensor or name and converted to the tensor's dtype, with TF's shape check. Scalars come
back as numpy scalars and strings as bytes, as TensorFlow returns them. The session keeps its
resources (variable values, tables) across runs while the graph keeps growing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from savedmodel import dtypes
from savedmodel.errors import InvalidArgumentError
from savedmodel.framework import session_registry
from savedmodel.framework.graph import Graph, get_default_graph
from savedmodel.framework.operation import Operation, Tensor

_OBJECT = np.dtype(object)


class _Fetch:
    """A fetch structure flattened to names, with the function rebuilding it from values."""

    def __init__(self, graph: Graph, fetches: Any) -> None:
        self.graph = graph
        self.tensors: list[str] = []
        self.targets: list[str] = []
        self.build = self._flatten(fetches)

    def _element(self, fetch: Any) -> Any:
        try:
            element = self.graph.as_graph_element(fetch, allow_tensor=True, allow_operation=True)
        except TypeError:
            raise TypeError(
                f"Fetch argument {fetch!r} has invalid type {type(fetch)}, must be a string or"
                " Tensor. (Can not convert a"
                f" {type(fetch).__name__} into a Tensor or Operation.)"
            ) from None
        except (KeyError, ValueError) as e:
            raise ValueError(
                f"Fetch argument {fetch!r} cannot be interpreted as a Tensor. ({e})"
            ) from None
        if not self.graph.is_fetchable(element):
            raise InvalidArgumentError(
                f"Operation {element.name!r} has been marked as not fetchable."
            )
        return element

    def _flatten(self, fetches: Any) -> Any:
        if fetches is None:
            raise TypeError(f"Fetch argument {fetches!r} has invalid type {type(fetches)}")
        if isinstance(fetches, Mapping):
            keys = list(fetches)
            builders = [self._flatten(fetches[k]) for k in keys]
            kind = type(fetches)

            def build_dict(values: list[Any]) -> Any:
                result = {k: b(values) for k, b in zip(keys, builders, strict=True)}
                try:
                    return kind(result) if kind is not dict else result
                except TypeError:
                    return result

            return build_dict
        if isinstance(fetches, (list, tuple)):
            builders = [self._flatten(f) for f in fetches]
            if isinstance(fetches, tuple) and hasattr(fetches, "_fields"):
                kind = type(fetches)
                return lambda values: kind(*(b(values) for b in builders))
            if isinstance(fetches, tuple):
                return lambda values: tuple(b(values) for b in builders)
            return lambda values: [b(values) for b in builders]
        element = self._element(fetches)
        if isinstance(element, Operation):
            self.targets.append(element.name)
            return lambda values: None
        index = len(self.tensors)
        self.tensors.append(element.name)
        return lambda values: values[index]


def _to_python(value: Any) -> Any:
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value[()]
    return value


class BaseSession:
    """A TF1 session over a framework Graph."""

    def __init__(self, target: str = "", graph: Graph | None = None, config: Any = None) -> None:
        self._graph = graph if graph is not None else get_default_graph()
        self._closed = False
        self._resources: dict[Any, Any] = {}
        self._executor: Any = None
        self._executor_version = -1
        self._default_graph_cm: Any = None
        self._default_session_cm: list[Any] = []

    @property
    def graph(self) -> Graph:
        return self._graph

    @property
    def graph_def(self) -> Any:
        return self._graph.as_graph_def()

    @property
    def sess_str(self) -> str:
        return ""

    def list_devices(self) -> list[Any]:
        return []

    # -- context management --------------------------------------------------------------------

    def as_default(self) -> Any:
        session = self

        class _Default:
            def __enter__(self) -> BaseSession:
                session_registry.push(session)
                return session

            def __exit__(self, *exc: Any) -> None:
                session_registry.pop(session)

        return _Default()

    def __enter__(self) -> BaseSession:
        self._default_graph_cm = self._graph.as_default()
        self._default_graph_cm.__enter__()
        cm = self.as_default()
        self._default_session_cm.append(cm)
        return cm.__enter__()

    def __exit__(self, *exc: Any) -> None:
        if self._default_session_cm:
            self._default_session_cm.pop().__exit__(*exc)
        if self._default_graph_cm is not None:
            self._default_graph_cm.__exit__(*exc)
            self._default_graph_cm = None
        self.close()

    def close(self) -> None:
        self._closed = True
        self._executor = None

    def __del__(self) -> None:
        pass

    # -- running -------------------------------------------------------------------------------

    def _exec_session(self) -> Any:
        from savedmodel.executor import Session as ExecSession

        if self._executor is None or self._executor_version != self._graph.version:
            executor = ExecSession(self._graph._as_ir())
            executor.resources = self._resources
            self._executor = executor
            self._executor_version = self._graph.version
        return self._executor

    def _feeds(self, feed_dict: Any) -> dict[str, Any]:
        feeds: dict[str, Any] = {}
        if not feed_dict:
            return feeds
        for key, value in feed_dict.items():
            if isinstance(key, str) and ":" not in key:
                raise TypeError(
                    f"Cannot interpret feed_dict key as Tensor: The name {key!r}"
                    " refers to an Operation, not a Tensor. Tensor names must be of"
                    ' the form "<op_name>:<output_index>".'
                )
            try:
                tensor = self._graph.as_graph_element(key, allow_tensor=True,
                                                      allow_operation=False)  # fmt: skip
            except (KeyError, ValueError, TypeError) as e:
                raise TypeError(f"Cannot interpret feed_dict key as Tensor: {e}") from None
            if not self._graph.is_feedable(tensor):
                raise ValueError(f"Tensor {tensor.name} may not be fed.")
            feeds[tensor.name] = self._convert_feed(tensor, value)
        return feeds

    @staticmethod
    def _convert_feed(tensor: Tensor, value: Any) -> Any:
        if isinstance(value, Tensor):
            raise TypeError(
                "The value of a feed cannot be a tf.Tensor object. Acceptable feed values include"
                " Python scalars, strings, lists, numpy ndarrays, or TensorHandles."
            )
        dtype = tensor.dtype.base_dtype
        if dtype in (dtypes.string,):
            arr = np.asarray(value, dtype=object)
            if arr.size:
                flat = arr.reshape(-1)
                for i, v in enumerate(flat):
                    if isinstance(v, str):
                        flat[i] = v.encode("utf-8")
        else:
            np_dtype = dtype.as_numpy_dtype
            if isinstance(value, int) and not isinstance(value, bool):
                converted = np.asarray(value).astype(np_dtype)
                if converted != value:
                    raise TypeError(
                        f"Type of feed value {value} with type {type(value)} is not compatible"
                        f" with Tensor type {dtype!r}. Try explicitly setting the type of the"
                        " feed tensor to a larger type (e.g. int64)."
                    )
            arr = np.asarray(value, dtype=np_dtype)
        if not tensor.shape.is_compatible_with(arr.shape):
            raise ValueError(
                f"Cannot feed value of shape {arr.shape} for Tensor {tensor.name}, which has"
                f" shape {tensor.shape}"
            )
        return arr

    def run(self, fetches: Any, feed_dict: Any = None, options: Any = None,
            run_metadata: Any = None) -> Any:  # fmt: skip
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        fetch = _Fetch(self._graph, fetches)
        feeds = self._feeds(feed_dict)
        unique = list(dict.fromkeys(fetch.tensors))
        feed_names = list(feeds)
        executor = self._exec_session()
        plan = executor.compile(feed_names, [n for n in unique if n not in feeds],
                                list(dict.fromkeys(fetch.targets)))  # fmt: skip
        computed = plan.run([feeds[n] for n in feed_names])
        by_name: dict[str, Any] = dict(zip([n for n in unique if n not in feeds], computed,
                                           strict=True))  # fmt: skip
        for name in unique:
            if name in feeds:
                by_name[name] = feeds[name]
        values = [_to_python(by_name[n]) for n in fetch.tensors]
        return fetch.build(values)

    def make_callable(self, fetches: Any, feed_list: Any = None, accept_options: bool = False):
        feed_list = list(feed_list or [])

        def call(*args: Any, **kwargs: Any) -> Any:
            return self.run(fetches, dict(zip(feed_list, args, strict=True)))

        return call

    def _variable_value(self, key: Any) -> Any:
        return self._resources.get(key)


class Session(BaseSession):
    """`tf.compat.v1.Session(target='', graph=None, config=None)`."""

    def reset(self, *args: Any, **kwargs: Any) -> None:
        self._resources.clear()


class InteractiveSession(BaseSession):
    """A session that installs itself as the default session on construction."""

    def __init__(self, target: str = "", graph: Graph | None = None, config: Any = None) -> None:
        super().__init__(target, graph, config)
        self._graph_cm = self._graph.as_default()
        self._graph_cm.__enter__()
        self._session_cm = self.as_default()
        self._session_cm.__enter__()

    def close(self) -> None:
        if not self._closed:
            self._session_cm.__exit__(None, None, None)
            self._graph_cm.__exit__(None, None, None)
        super().close()


def get_default_session() -> Any:
    return session_registry.get_default_session()
