"""Reading a SavedModel directory: the SavedModel proto, its MetaGraphs, signatures and files.

Layout (FORMAT.md §1.1)::

    <export_dir>/saved_model.pb | saved_model.pbtxt    the SavedModel proto (binary or text)
    <export_dir>/variables/variables.{index,data-*}    the checkpoint, prefix variables/variables
    <export_dir>/assets/                               asset files (AssetFileDef.filename)
    <export_dir>/assets.extra/                         free-form files (TF Serving warmup)
    <export_dir>/fingerprint.pb                        FingerprintDef (TF2 writers only)

Like TensorFlow, ``saved_model.pb`` wins over ``saved_model.pbtxt`` when both exist, and a
MetaGraph is selected by tag-set *equality* (C++ ``FindMetaGraphDef``), never by inclusion.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from google.protobuf.message import DecodeError, Message

from savedmodel import errors, protos
from savedmodel.formats._files import read_bytes

__all__ = [
    "ASSETS_DIRECTORY",
    "ASSETS_KEY",
    "EXTRA_ASSETS_DIRECTORY",
    "FINGERPRINT_FILENAME",
    "SAVED_MODEL_FILENAME_CPB",
    "SAVED_MODEL_FILENAME_PB",
    "SAVED_MODEL_FILENAME_PBTXT",
    "VARIABLES_DIRECTORY",
    "VARIABLES_FILENAME",
    "SavedModelDir",
    "asset_file_defs",
    "contains_saved_model",
    "find_saved_model_file",
    "get_meta_graph",
    "get_signature_def",
    "is_tf2_saved_model",
    "parse_saved_model",
    "parse_saved_model_text",
    "read_saved_model",
    "read_saved_model_dir",
    "tag_sets",
    "variables_prefix",
]

SAVED_MODEL_FILENAME_PB = "saved_model.pb"
SAVED_MODEL_FILENAME_PBTXT = "saved_model.pbtxt"
SAVED_MODEL_FILENAME_CPB = "saved_model.cpb"
VARIABLES_DIRECTORY = "variables"
VARIABLES_FILENAME = "variables"
ASSETS_DIRECTORY = "assets"
EXTRA_ASSETS_DIRECTORY = "assets.extra"
# Same value as formats.fingerprint.FINGERPRINT_FILENAME (that module, with FarmHash and the
# canonical serializer, is imported only when a fingerprint is read: `show` does not need it).
FINGERPRINT_FILENAME = "fingerprint.pb"
# TF1 writers list assets in this collection (packed AssetFileDefs) instead of field 6.
ASSETS_KEY = "saved_model_assets"

Tags = str | Iterable[str]


def find_saved_model_file(export_dir: str | os.PathLike[str]) -> Path:
    """``saved_model.pb`` if it exists, else ``saved_model.pbtxt``; NotFoundError if neither."""
    d = Path(export_dir)
    for name in (SAVED_MODEL_FILENAME_PB, SAVED_MODEL_FILENAME_PBTXT):
        if (d / name).is_file():
            return d / name
    if (d / SAVED_MODEL_FILENAME_CPB).is_file():
        raise errors.UnimplementedError(
            f"SavedModel at {export_dir} is in the chunked format ({SAVED_MODEL_FILENAME_CPB}), "
            "which is not supported"
        )
    # NOTE: TensorFlow's wording (loader_impl.parse_saved_model), pbtxt named first.
    raise errors.NotFoundError(
        f"SavedModel file does not exist at: {os.fspath(export_dir)}{os.sep}"
        f"{{{SAVED_MODEL_FILENAME_PBTXT}|{SAVED_MODEL_FILENAME_PB}}}"
    )


def contains_saved_model(export_dir: str | os.PathLike[str]) -> bool:
    """Whether ``export_dir`` holds a ``saved_model.pb`` or ``saved_model.pbtxt``."""
    d = Path(export_dir)
    return (d / SAVED_MODEL_FILENAME_PB).is_file() or (d / SAVED_MODEL_FILENAME_PBTXT).is_file()


def parse_saved_model(
    data: bytes, path: str | os.PathLike[str] = SAVED_MODEL_FILENAME_PB
) -> Message:
    """Parse binary SavedModel bytes; DataLossError naming ``path`` if they are corrupt."""
    sm = protos.SavedModel()
    try:
        sm.ParseFromString(data)
    except (DecodeError, ValueError, RecursionError) as e:
        raise errors.DataLossError(f"Cannot parse file {os.fspath(path)}: {e}.") from e
    return sm


def parse_saved_model_text(
    text: str | bytes, path: str | os.PathLike[str] = SAVED_MODEL_FILENAME_PBTXT
) -> Message:
    """Parse a text-format SavedModel; DataLossError naming ``path`` if it is not valid."""
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        return protos.parse_text(text, protos.SavedModel())
    except (errors.InvalidArgumentError, UnicodeDecodeError, ValueError, RecursionError) as e:
        raise errors.DataLossError(f"Cannot parse file {os.fspath(path)}: {e}.") from e


def read_saved_model(export_dir: str | os.PathLike[str]) -> Message:
    """Read the ``tensorflow.SavedModel`` proto of a SavedModel directory."""
    return read_saved_model_dir(export_dir).saved_model


def _tag_set(tags: Tags) -> frozenset[str]:
    # A string is a comma-separated list, as saved_model_cli's --tag_set takes it.
    if isinstance(tags, str):
        return frozenset(t for t in tags.split(",") if t)
    return frozenset(tags)


def tag_sets(saved_model: Message) -> list[list[str]]:
    """The tag list of every MetaGraph, in file order (tags in their stored order)."""
    return [list(mg.meta_info_def.tags) for mg in saved_model.meta_graphs]


def _format_tag_sets(saved_model: Message) -> str:
    return "[" + ", ".join("{" + ", ".join(sorted(t)) + "}" for t in tag_sets(saved_model)) + "]"


def get_meta_graph(saved_model: Message, tags: Tags) -> Message:
    """The first MetaGraph whose tag set equals ``tags`` (a str is comma-separated)."""
    wanted = _tag_set(tags)
    for mg in saved_model.meta_graphs:
        if frozenset(mg.meta_info_def.tags) == wanted:
            return mg
    raise errors.NotFoundError(
        "Could not find meta graph def matching supplied tags: { "
        + " ".join(sorted(wanted))
        + f" }}. Available tag-sets: {_format_tag_sets(saved_model)}"
    )


def get_signature_def(meta_graph: Message, key: str) -> Message:
    """``meta_graph.signature_def[key]``; NotFoundError listing the keys that exist."""
    if key in meta_graph.signature_def:
        return meta_graph.signature_def[key]
    tags = ", ".join(sorted(meta_graph.meta_info_def.tags))
    available = ", ".join(repr(k) for k in sorted(meta_graph.signature_def))
    raise errors.NotFoundError(
        f"Could not find signature {key!r} in the MetaGraphDef with tags {{{tags}}}. "
        f"Available signature keys: [{available}]"
    )


def asset_file_defs(meta_graph: Message) -> list[Message]:
    """The MetaGraph's AssetFileDefs: field ``asset_file_def``, else the TF1 collection."""
    if meta_graph.asset_file_def:
        return list(meta_graph.asset_file_def)
    out = []
    if ASSETS_KEY in meta_graph.collection_def:
        for packed in meta_graph.collection_def[ASSETS_KEY].any_list.value:
            afd = protos.AssetFileDef()
            if not packed.Unpack(afd):
                raise errors.DataLossError(
                    f"collection {ASSETS_KEY!r} holds a {packed.type_url!r}, "
                    "not a tensorflow.AssetFileDef"
                )
            out.append(afd)
    return out


def is_tf2_saved_model(saved_model: Message) -> bool:
    """TF2 (object-graph) model: exactly one MetaGraph and it has an ``object_graph_def``.

    This is the rule ``tf.saved_model.load`` applies to choose its loading path.
    """
    return len(saved_model.meta_graphs) == 1 and saved_model.meta_graphs[0].HasField(
        "object_graph_def"
    )


def variables_prefix(export_dir: str | os.PathLike[str]) -> str:
    """The checkpoint prefix ``<export_dir>/variables/variables`` (fed to the restore op)."""
    return os.path.join(os.fspath(export_dir), VARIABLES_DIRECTORY, VARIABLES_FILENAME)


@dataclass(frozen=True)
class SavedModelDir:
    """A SavedModel directory and its parsed ``SavedModel`` proto."""

    path: str
    saved_model: Message
    filename: str  # saved_model.pb or saved_model.pbtxt: the file that was read

    @property
    def variables_prefix(self) -> str:
        return variables_prefix(self.path)

    @property
    def has_checkpoint(self) -> bool:
        """Whether ``variables/variables.index`` exists (TF skips the restore otherwise)."""
        return os.path.isfile(self.variables_prefix + ".index")

    @property
    def assets_dir(self) -> str:
        return os.path.join(self.path, ASSETS_DIRECTORY)

    @property
    def extra_assets_dir(self) -> str:
        return os.path.join(self.path, EXTRA_ASSETS_DIRECTORY)

    @property
    def is_text(self) -> bool:
        return self.filename == SAVED_MODEL_FILENAME_PBTXT

    def tag_sets(self) -> list[list[str]]:
        return tag_sets(self.saved_model)

    def meta_graph(self, tags: Tags = "serve") -> Message:
        return get_meta_graph(self.saved_model, tags)

    def signature_def(self, key: str = "serving_default", tags: Tags = "serve") -> Message:
        return get_signature_def(self.meta_graph(tags), key)

    def asset_paths(self, tags: Tags = "serve") -> dict[str, str]:
        """Asset tensor name -> absolute file path, the feeds TF's loader uses."""
        return {
            afd.tensor_info.name: os.path.join(self.assets_dir, afd.filename)
            for afd in asset_file_defs(self.meta_graph(tags))
        }

    def fingerprint(self) -> Message | None:
        """The stored FingerprintDef, or None when there is no ``fingerprint.pb``."""
        if not os.path.isfile(os.path.join(self.path, FINGERPRINT_FILENAME)):
            return None
        from savedmodel.formats import fingerprint

        return fingerprint.read_fingerprint(self.path)


def read_saved_model_dir(export_dir: str | os.PathLike[str]) -> SavedModelDir:
    """Read a SavedModel directory's proto and remember where its files are."""
    path = find_saved_model_file(export_dir)
    data = read_bytes(path, "SavedModel file")
    if path.name == SAVED_MODEL_FILENAME_PB:
        sm = parse_saved_model(data, path)
    else:
        sm = parse_saved_model_text(data, path)
    return SavedModelDir(os.fspath(export_dir), sm, path.name)
