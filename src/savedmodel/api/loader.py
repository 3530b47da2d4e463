"""`savedmodel.load(path, tags=None)`: load a SavedModel and call its signatures.

Follows TensorFlow's loader (FORMAT.md §1.3) for TF1 and TF2 SavedModels alike:

1. read the SavedModel and pick the MetaGraph (the only one, else the tag set `tags`, by default
   {"serve"});
2. check that every op the signatures, the restore op and the init op need has a kernel, reporting
   all unsupported ops and attrs at once;
3. feed each asset tensor with `<export_dir>/assets/<filename>`;
4. restore the variables: run `saver_def.restore_op_name` feeding `saver_def.filename_tensor_name`
   with `<export_dir>/variables/variables` (TF1 `save/restore_all` and TF2 `_traced_restore` alike);
5. run the init op (`__saved_model_init_op` signature, else collection `saved_model_main_op`, else
   `legacy_init_op`; table initializers run through it), or, with none, the `table_initializer`
   collection;
6. expose `.signatures[key](**inputs)`, which converts and checks inputs against the signature and
   returns a dict of numpy arrays keyed by output name.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from savedmodel import dtypes
from savedmodel.api import values
from savedmodel.api.restored import SignatureMap
from savedmodel.errors import InvalidArgumentError, UnimplementedError
from savedmodel.executor import Session, check_graph
from savedmodel.formats import saved_model_dir as smdir
from savedmodel.graph import Graph, parse_tensor_name
from savedmodel.graph.attrs import numpy_dtype
from savedmodel.tensors import shape_from_proto

INIT_OP_SIGNATURE_KEY = "__saved_model_init_op"
TRAIN_OP_SIGNATURE_KEY = "__saved_model_train_op"
MAIN_OP_KEY = "saved_model_main_op"
LEGACY_INIT_OP_KEY = "legacy_init_op"
TABLE_INITIALIZERS_KEY = "table_initializer"
_NOT_CALLABLE = frozenset({INIT_OP_SIGNATURE_KEY, TRAIN_OP_SIGNATURE_KEY})
_OBJECT = np.dtype(object)


class TensorSpec:
    """One signature input or output: graph tensor name, dtype and (partial) shape."""

    __slots__ = ("key", "name", "dtype", "shape")

    def __init__(self, key: str, info: Any) -> None:
        self.key = key
        self.name: str = info.name
        self.dtype = dtypes.DType(info.dtype)
        self.shape: tuple[int | None, ...] | None = shape_from_proto(info.tensor_shape)

    def __repr__(self) -> str:
        return f"TensorSpec(shape={self.shape}, dtype={self.dtype!r}, name={self.key!r})"


class SignatureFunction:
    """A callable signature: `f(**inputs) -> {output key: numpy array}`."""

    def __init__(self, key: str, signature_def: Any, session: Session) -> None:
        self.key = key
        self.method_name: str = signature_def.method_name
        self.inputs = {k: TensorSpec(k, signature_def.inputs[k]) for k in signature_def.inputs}
        self.outputs = {k: TensorSpec(k, signature_def.outputs[k]) for k in signature_def.outputs}
        self._session = session
        self._input_keys = sorted(self.inputs)
        self._output_keys = sorted(self.outputs)
        self._in_specs = [
            (k, self.inputs[k], numpy_dtype(self.inputs[k].dtype.as_datatype_enum))
            for k in self._input_keys
        ]
        self._unsupported = _unsupported_encoding(signature_def)
        self._run = None

    def _callable(self) -> Any:
        if self._unsupported:
            raise UnimplementedError(f"signature {self.key!r}: {self._unsupported}")
        if self._run is None:
            plan = self._session.compile(
                [self.inputs[k].name for k in self._input_keys],
                [self.outputs[k].name for k in self._output_keys],
            )
            self._run = plan.run
        return self._run

    def __call__(self, *args: Any, **inputs: Any) -> dict[str, np.ndarray]:
        if args:
            inputs = self._bind_positional(args, inputs)
        if len(inputs) != len(self._input_keys):
            self._bad_keys(inputs)
        run = self._callable()
        flat = []
        for key, spec, dtype in self._in_specs:
            try:
                value = inputs[key]
            except KeyError:
                self._bad_keys(inputs)
            # (string inputs always go through _as_dtype: str items become bytes)
            if type(value) is not np.ndarray or value.dtype != dtype or dtype == _OBJECT:
                value = values.as_dtype_array(value, spec.dtype, self._where(key))
            if spec.shape is not None and value.shape != spec.shape:
                values.check_shape(value, spec.shape, self._where(key))
            flat.append(value)
        return dict(zip(self._output_keys, run(flat), strict=True))

    def _bind_positional(self, args: tuple, inputs: dict[str, Any]) -> dict[str, Any]:
        # NOTE: like TF's loaded TF1 signatures, a positional argument is allowed only when the
        # signature has exactly one input (no ambiguity about the order).
        if len(self._input_keys) != 1 or len(args) != 1 or inputs:
            raise TypeError(
                f"signature {self.key!r} takes its inputs {self._input_keys} by keyword"
                " (a single positional argument only for a single-input signature)"
            )
        return {self._input_keys[0]: args[0]}

    def _where(self, key: str) -> str:
        return f"signature {self.key!r} input {key!r}"

    def _bad_keys(self, inputs: Mapping[str, Any]) -> None:
        missing = [k for k in self._input_keys if k not in inputs]
        extra = sorted(set(inputs) - set(self.inputs))
        parts = []
        if missing:
            parts.append(f"missing input(s) {missing}")
        if extra:
            parts.append(f"unexpected input(s) {extra}")
        raise InvalidArgumentError(
            f"signature {self.key!r}: {'; '.join(parts)}; it takes {self._input_keys}"
        )

    def __repr__(self) -> str:
        return f"<SignatureFunction {self.key!r} inputs={self._input_keys}>"


def _unsupported_encoding(signature_def: Any) -> str:
    for where, infos in (("input", signature_def.inputs), ("output", signature_def.outputs)):
        for k in infos:
            kind = infos[k].WhichOneof("encoding")
            if kind != "name":
                return f"{where} {k!r} is a {kind} tensor; only dense tensors are supported"
    return ""


class LoadedModel:
    """What `savedmodel.load` returns: `.signatures`, plus the session and MetaGraph it runs."""

    def __init__(self, export_dir: str, meta_graph: Any, session: Session) -> None:
        self.export_dir = export_dir
        self.meta_graph = meta_graph
        self.tags = list(meta_graph.meta_info_def.tags)
        self.session = session
        self.signatures = SignatureMap(
            {
                key: SignatureFunction(key, meta_graph.signature_def[key], session)
                for key in sorted(meta_graph.signature_def)
                if key not in _NOT_CALLABLE
            }
        )

    def __repr__(self) -> str:
        return (
            f"<LoadedModel {self.export_dir!r} tags={self.tags} signatures={list(self.signatures)}>"
        )


def _select_meta_graph(model: smdir.SavedModelDir, tags: Iterable[str] | str | None) -> Any:
    if tags is None:
        if len(model.saved_model.meta_graphs) == 1:
            return model.saved_model.meta_graphs[0]
        tags = ["serve"]
    return model.meta_graph(tags)


def _init_op_name(meta_graph: Any) -> str | None:
    if INIT_OP_SIGNATURE_KEY in meta_graph.signature_def:
        outputs = meta_graph.signature_def[INIT_OP_SIGNATURE_KEY].outputs
        if INIT_OP_SIGNATURE_KEY in outputs:
            return outputs[INIT_OP_SIGNATURE_KEY].name
    for key in (MAIN_OP_KEY, LEGACY_INIT_OP_KEY):
        if key in meta_graph.collection_def:
            names = list(meta_graph.collection_def[key].node_list.value)
            if len(names) != 1:
                raise InvalidArgumentError(
                    f"collection {key!r} must hold exactly one op name, it holds {len(names)}"
                )
            return names[0]
    return None


def _op_of(name: str) -> str:
    return parse_tensor_name(name)[0] if ":" in name else name


def load(
    export_dir: str | os.PathLike[str], tags: Iterable[str] | str | None = None
) -> LoadedModel:
    """Load the SavedModel at `export_dir`; see the module docstring for the steps."""
    model = smdir.read_saved_model_dir(export_dir)
    meta_graph = _select_meta_graph(model, tags)
    graph = Graph.from_graph_def(meta_graph.graph_def)
    session = Session(graph)
    saver = meta_graph.saver_def if meta_graph.HasField("saver_def") else None
    restore_op = saver.restore_op_name if saver is not None and model.has_checkpoint else ""
    init_op = _init_op_name(meta_graph)
    init_targets = [init_op] if init_op else []
    if init_op is None and TABLE_INITIALIZERS_KEY in meta_graph.collection_def:
        init_targets = list(meta_graph.collection_def[TABLE_INITIALIZERS_KEY].node_list.value)

    roots = [_op_of(t) for t in init_targets]
    if restore_op:
        roots.append(_op_of(restore_op))
    for key, sig in meta_graph.signature_def.items():
        if key not in _NOT_CALLABLE and not _unsupported_encoding(sig):
            roots += [_op_of(sig.outputs[k].name) for k in sig.outputs]
    check_graph(graph, roots)

    asset_feeds = {
        afd.tensor_info.name: os.path.join(model.assets_dir, afd.filename).encode("utf-8")
        for afd in smdir.asset_file_defs(meta_graph)
    }
    if restore_op:
        feeds = dict(asset_feeds)
        feeds[saver.filename_tensor_name] = model.variables_prefix.encode("utf-8")
        session.run(feed_dict=_present(graph, feeds), targets=[_op_of(restore_op)])
    if init_targets:
        session.run(
            feed_dict=_present(graph, asset_feeds), targets=[_op_of(t) for t in init_targets]
        )
    return LoadedModel(os.fspath(export_dir), meta_graph, session)


def _present(graph: Graph, feeds: dict[str, Any]) -> dict[str, Any]:
    """The feeds whose node exists in the graph (an asset tensor may name a node that does not)."""
    return {name: value for name, value in feeds.items() if _op_of(name) in graph.nodes}
