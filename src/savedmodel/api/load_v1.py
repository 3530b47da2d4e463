"""TF1 SavedModels loaded the TF2 way: `.signatures`, `.variables`, `.prune(feeds, fetches)`.

TensorFlow's `tf.saved_model.load` of a TF1 model (one without an object graph) imports its
MetaGraph into a wrapped function, restores the variables with the model's Saver, runs the init
op, and returns an object with the signatures as functions (keyword inputs; one positional
argument allowed when a signature has a single input), the graph's variables, and `prune` to
make a function from any feeds to any fetches. Here the graph runs in an executor Session
(`savedmodel.api.loader`), which already did the restore and init steps.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from savedmodel import dtypes, protos
from savedmodel.api import nest
from savedmodel.api.loader import LoadedModel
from savedmodel.api.tracking import AutoTrackable
from savedmodel.errors import InvalidArgumentError, UnimplementedError
from savedmodel.framework.tensor_shape import TensorShape


def _tensor_name(value: Any) -> str:
    name = value if isinstance(value, str) else getattr(value, "name", None)
    if not isinstance(name, str):
        raise InvalidArgumentError(f"expected a tensor name or a graph tensor, got {value!r}")
    return name


class LoadedVariable:
    """A variable of a loaded TF1 graph: name, dtype, shape and its current value."""

    def __init__(self, variable_def: Any, loaded: LoadedModel) -> None:
        self._def = variable_def
        self._loaded = loaded
        op_name = variable_def.variable_name.split(":")[0]
        node = loaded.session.graph.nodes.get(op_name)
        attrs = node.attrs if node is not None else {}
        self._name = variable_def.variable_name
        dtype = attrs.get("dtype")
        self._dtype = dtypes.as_dtype(dtype) if dtype is not None else None
        shape = attrs.get("shape")
        self._shape = TensorShape(shape) if shape is not None else TensorShape(None)

    @property
    def name(self) -> str:
        return self._name

    @property
    def dtype(self) -> Any:
        return self._dtype

    @property
    def shape(self) -> TensorShape:
        return self._shape

    @property
    def trainable(self) -> bool:
        return self._def.trainable

    def numpy(self) -> np.ndarray:
        snapshot = self._def.snapshot_name or self._def.variable_name
        return np.asarray(self._loaded.session.run(snapshot))

    def read_value(self) -> np.ndarray:
        return self.numpy()

    def value(self) -> np.ndarray:
        return self.numpy()

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        value = self.numpy()
        return value if dtype is None else value.astype(dtype)

    def assign(self, value: Any) -> Any:
        raise UnimplementedError("assigning the variables of a loaded TF1 SavedModel")

    def __repr__(self) -> str:
        from savedmodel.framework.printing import numpy_text

        dtype = self._dtype.name if self._dtype is not None else "?"
        try:
            text = numpy_text(self.numpy())
        except Exception:  # noqa: BLE001 - a repr never fails (TF: "<unavailable>")
            text = "<unavailable>"
        return f"<tf.Variable '{self._name}' shape={self._shape} dtype={dtype}, numpy={text}>"


class PrunedFunction:
    """`loaded.prune(feeds, fetches)`: call with the feed values, get the fetches' structure."""

    def __init__(self, loaded: LoadedModel, feeds: Any, fetches: Any) -> None:
        feed_list = list(feeds) if isinstance(feeds, (list, tuple)) else [feeds]
        self._feeds = [_tensor_name(f) for f in feed_list]
        self._structure = fetches
        flat = nest.flatten(fetches)
        names = [_tensor_name(f) for f in flat]
        self._tensor_fetches = [n for n in names if ":" in n]
        self._targets = [n for n in names if ":" not in n]
        self._names = names
        self._run = loaded.session.make_callable(self._feeds, self._tensor_fetches, self._targets)

    def __call__(self, *args: Any) -> Any:
        if len(args) != len(self._feeds):
            raise InvalidArgumentError(
                f"the pruned function takes {len(self._feeds)} input(s) {self._feeds}, got"
                f" {len(args)}"
            )
        outputs = iter(self._run(*args))
        flat = [next(outputs) if ":" in n else None for n in self._names]
        return nest.pack_sequence_as(self._structure, flat)


class LoadedV1(AutoTrackable):
    """What `load` returns for a TF1 SavedModel (TensorFlow's `load_v1_in_v2` object)."""

    def __init__(self, loaded: LoadedModel) -> None:
        self._self_loaded = loaded
        self.signatures = loaded.signatures
        meta_graph = loaded.meta_graph
        self._self_variables = [
            LoadedVariable(_variable_def(item), loaded)
            for key in ("variables", "local_variables")
            if key in meta_graph.collection_def
            for item in meta_graph.collection_def[key].bytes_list.value
        ]
        self.tensorflow_version = meta_graph.meta_info_def.tensorflow_version
        self.tensorflow_git_version = meta_graph.meta_info_def.tensorflow_git_version

    @property
    def variables(self) -> list[LoadedVariable]:
        return list(self._self_variables)

    @property
    def trainable_variables(self) -> list[LoadedVariable]:
        return [v for v in self._self_variables if v.trainable]

    def prune(self, feeds: Any, fetches: Any) -> PrunedFunction:
        return PrunedFunction(self._self_loaded, feeds, fetches)

    @property
    def graph(self) -> Any:
        """The model's graph as a framework Graph (for `get_tensor_by_name` and the like)."""
        graph = self.__dict__.get("_self_graph")
        if graph is None:
            from savedmodel.framework.graph import Graph
            from savedmodel.framework.importer import import_graph_def

            graph = Graph()
            with graph.as_default():
                import_graph_def(self._self_loaded.meta_graph.graph_def, name="")
            self.__dict__["_self_graph"] = graph
        return graph

    def __repr__(self) -> str:
        return f"<LoadedV1 {self._self_loaded.export_dir!r} signatures={list(self.signatures)}>"


def _variable_def(data: bytes) -> Any:
    variable_def = protos.VariableDef()
    variable_def.ParseFromString(data)
    return variable_def
