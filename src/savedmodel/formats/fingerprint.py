"""SavedModel fingerprints (``fingerprint.pb``, ``tensorflow.FingerprintDef``), computed like TF.

TensorFlow 2 writes ``fingerprint.pb`` next to ``saved_model.pb``; its five hashes identify a
model (FORMAT.md §1.4):

1. ``saved_model_checksum``: Fingerprint64 of the canonically serialized ``SavedModel``;
2. ``graph_def_program_hash``: of ``meta_graphs[0].graph_def`` after regularization (function
   UIDs stripped from call nodes, ``config_proto`` and string constants blanked, ``library``
   and ``versions`` emptied);
3. ``signature_def_hash``: signature keys and SignatureDefs chained in ascending key order;
4. ``saved_object_graph_hash``: concrete functions chained in ascending UID order;
5. ``checkpoint_hash``: Fingerprint64 of the raw ``variables/variables.index`` (0 if absent).

``singleprint`` joins hashes 2-5 with ``/``, the form TensorFlow logs and exports as a metric.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path

from google.protobuf import message

from savedmodel import errors, protos
from savedmodel.formats._files import read_bytes
from savedmodel.formats.canonical import canonical_serialize
from savedmodel.formats.farmhash import fingerprint64, fingerprint_cat64

__all__ = [
    "FINGERPRINT_FILENAME",
    "FINGERPRINT_PRODUCER",
    "checkpoint_hash",
    "create_fingerprint",
    "fingerprint_from_bytes",
    "graph_def_program_hash",
    "make_uuid",
    "read_fingerprint",
    "regularize_graph_def",
    "saved_model_checksum",
    "saved_object_graph_hash",
    "signature_def_hash",
    "singleprint",
    "suffix_uid",
]

FINGERPRINT_FILENAME = "fingerprint.pb"

# NOTE: TensorFlow 2.21 writes VersionDef{producer: 4}; older releases wrote 0, 1 or 2. TF
# ignores the value when loading.
FINGERPRINT_PRODUCER = 4

_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1
# absl::SimpleAtoi accepts surrounding ASCII whitespace and one sign before decimal digits.
_SUFFIX_INT = re.compile(r"[ \t\n\v\f\r]*([+-]?[0-9]+)[ \t\n\v\f\r]*", re.ASCII)
_CALL_OPS = ("PartitionedCall", "StatefulPartitionedCall")


def saved_model_checksum(saved_model: message.Message) -> int:
    """Hash 1: Fingerprint64 of the whole SavedModel, canonically serialized."""
    return fingerprint64(canonical_serialize(saved_model))


def suffix_uid(function_name: str) -> int | None:
    """The integer after the last ``_`` of a function name (TF's UID), or None if there is none.

    Like TensorFlow, the whole name is the "last piece" when it has no ``_``, and the piece
    must be a decimal int64 (optionally signed, optionally padded with whitespace).
    """
    m = _SUFFIX_INT.fullmatch(function_name.rsplit("_", 1)[-1])
    if m is None:
        return None
    uid = int(m.group(1))
    return uid if _INT64_MIN <= uid <= _INT64_MAX else None


def _strip_uid(function_name: str, uid: int) -> str:
    suffix = str(uid)
    return function_name[: -len(suffix)] if function_name.endswith(suffix) else function_name


def regularize_graph_def(graph_def: message.Message) -> message.Message:
    """A regularized copy of a GraphDef, as hashed for ``graph_def_program_hash``."""
    g = type(graph_def)()
    g.CopyFrom(graph_def)
    for node in g.node:
        attrs = node.attr
        if node.op in _CALL_OPS:
            if "f" in attrs:
                func = attrs["f"].func
                uid = suffix_uid(func.name)
                if uid is not None:
                    func.name = _strip_uid(func.name, uid)
            if "config_proto" in attrs:
                attrs["config_proto"].s = b""
        # NOTE: TF blanks string constants because their bytes can vary by platform; the attr
        # stays, as an AttrValue with no value set.
        if node.op == "Const" and "dtype" in attrs and attrs["dtype"].type == protos.DT_STRING:
            if "value" in attrs:
                value = attrs["value"]
                which = value.WhichOneof("value")
                if which is not None:
                    value.ClearField(which)
    # NOTE: TF replaces library and versions by empty but *present* messages (serialized as
    # `12 00` and `22 00`); leaving them absent changes the hash.
    g.library.Clear()
    g.library.SetInParent()
    g.versions.Clear()
    g.versions.SetInParent()
    return g


def graph_def_program_hash(graph_def: message.Message) -> int:
    """Hash 2: Fingerprint64 of the regularized GraphDef."""
    return fingerprint64(canonical_serialize(regularize_graph_def(graph_def)))


def signature_def_hash(signature_defs: Mapping[str, message.Message]) -> int:
    """Hash 3: (key, SignatureDef) pairs chained in ascending byte order of the key."""
    h = 0
    for key in sorted(signature_defs, key=lambda k: k.encode("utf-8")):
        h = fingerprint_cat64(h, fingerprint64(key))
        h = fingerprint_cat64(h, fingerprint64(canonical_serialize(signature_defs[key])))
    return h


def saved_object_graph_hash(object_graph_def: message.Message) -> int:
    """Hash 4: concrete functions chained in ascending UID order (0 when there are none).

    Each contributes its name without the decimal UID and its SavedConcreteFunction. A name
    without an integer suffix is an error, as in TensorFlow.
    """
    by_uid: dict[int, str] = {}
    functions = object_graph_def.concrete_functions
    # NOTE: TF keys the functions by UID and keeps the first name it meets for a repeated UID;
    # its map iteration order is unspecified, so we keep the bytewise-smallest name.
    for name in sorted(functions, key=lambda k: k.encode("utf-8")):
        uid = suffix_uid(name)
        if uid is None:
            raise errors.InvalidArgumentError(
                f"Function name: `{name}` does not end in an integer."
            )
        by_uid.setdefault(uid, name)
    h = 0
    for uid in sorted(by_uid):
        name = by_uid[uid]
        h = fingerprint_cat64(h, fingerprint64(_strip_uid(name, uid)))
        h = fingerprint_cat64(h, fingerprint64(canonical_serialize(functions[name])))
    return h


def checkpoint_hash(export_dir: str | os.PathLike[str]) -> int:
    """Hash 5: Fingerprint64 of ``variables/variables.index`` (0 when it cannot be read)."""
    try:
        data = (Path(export_dir) / "variables" / "variables.index").read_bytes()
    except OSError:
        return 0
    return fingerprint64(data)


def make_uuid() -> str:
    """A fresh fingerprint uuid as TF formats it: a random 128-bit number in decimal."""
    return f"{secrets.randbits(128):020d}"


def create_fingerprint(
    saved_model: message.Message,
    export_dir: str | os.PathLike[str] | None = None,
    *,
    checkpoint_index: bytes | None = None,
    uuid: str | None = None,
) -> message.Message:
    """The FingerprintDef TensorFlow would write for ``saved_model``.

    The checkpoint hash comes from ``checkpoint_index`` (the bytes of ``variables.index``)
    when given, else from ``export_dir``'s ``variables/variables.index``; with neither it is 0.
    ``uuid`` defaults to a fresh random one (TF draws a new one on every save).
    """
    if not saved_model.meta_graphs:
        raise errors.InvalidArgumentError("cannot fingerprint a SavedModel without MetaGraphs")
    meta_graph = saved_model.meta_graphs[0]
    fp = protos.FingerprintDef()
    fp.saved_model_checksum = saved_model_checksum(saved_model)
    fp.graph_def_program_hash = graph_def_program_hash(meta_graph.graph_def)
    fp.signature_def_hash = signature_def_hash(meta_graph.signature_def)
    fp.saved_object_graph_hash = saved_object_graph_hash(meta_graph.object_graph_def)
    if checkpoint_index is not None:
        fp.checkpoint_hash = fingerprint64(checkpoint_index)
    elif export_dir is not None:
        fp.checkpoint_hash = checkpoint_hash(export_dir)
    fp.version.producer = FINGERPRINT_PRODUCER
    fp.uuid = make_uuid() if uuid is None else uuid
    return fp


def fingerprint_from_bytes(data: bytes, path: str = FINGERPRINT_FILENAME) -> message.Message:
    """Parse serialized FingerprintDef bytes; DataLossError names ``path`` if they are corrupt."""
    fp = protos.FingerprintDef()
    try:
        fp.ParseFromString(data)
    except (message.DecodeError, ValueError, RecursionError) as e:
        raise errors.DataLossError(f"Cannot parse file {path}: {e}.") from e
    return fp


def read_fingerprint(export_dir: str | os.PathLike[str]) -> message.Message:
    """Read ``<export_dir>/fingerprint.pb``; NotFoundError if absent, DataLossError if corrupt."""
    path = os.path.join(os.fspath(export_dir), FINGERPRINT_FILENAME)
    return fingerprint_from_bytes(read_bytes(path, "SavedModel fingerprint file"), path)


def singleprint(fingerprint: message.Message | str | os.PathLike[str]) -> str:
    """``"<graph_def_program_hash>/<signature_def_hash>/<saved_object_graph_hash>/<checkpoint_hash>"``.

    ``fingerprint`` is a FingerprintDef or a SavedModel directory holding ``fingerprint.pb``.
    """
    if isinstance(fingerprint, (str, os.PathLike)):
        fingerprint = read_fingerprint(fingerprint)
    return (
        f"{fingerprint.graph_def_program_hash}/{fingerprint.signature_def_hash}/"
        f"{fingerprint.saved_object_graph_hash}/{fingerprint.checkpoint_hash}"
    )
