"""The private descriptor pool behind `savedmodel.protos`, and its text-format helpers.

Our schemas are compiled into `descriptor_set.binpb` (by `tools/gen_protos.py`) and loaded here
into a DescriptorPool of our own. We never touch protobuf's default pool: TensorFlow registers the
same full names there (`tensorflow.SavedModel`, ...) and both must live in one process.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from google.protobuf import descriptor_pb2, descriptor_pool, message, message_factory, text_format
from google.protobuf.internal import enum_type_wrapper

from savedmodel import errors

DESCRIPTOR_SET_PATH = Path(__file__).with_name("descriptor_set.binpb")


def _load_pool() -> descriptor_pool.DescriptorPool:
    pool = descriptor_pool.DescriptorPool()
    files = descriptor_pb2.FileDescriptorSet.FromString(DESCRIPTOR_SET_PATH.read_bytes())
    # protoc's --include_imports writes dependencies before dependents, the order Add needs.
    for file_proto in files.file:
        pool.Add(file_proto)
    return pool


POOL: descriptor_pool.DescriptorPool = _load_pool()

_M = TypeVar("_M", bound=message.Message)


def message_class(full_name: str) -> type[message.Message]:
    """The message class for `full_name` (e.g. "tensorflow.SavedModel") from our pool."""
    try:
        descriptor = POOL.FindMessageTypeByName(full_name)
    except KeyError:
        raise errors.NotFoundError(
            f"no protobuf message {full_name!r} in savedmodel.protos"
        ) from None
    return message_factory.GetMessageClass(descriptor)


def enum_type(full_name: str) -> enum_type_wrapper.EnumTypeWrapper:
    """An enum wrapper (`.Name()`, `.Value()`, `.items()`) like the ones _pb2 modules expose."""
    try:
        descriptor = POOL.FindEnumTypeByName(full_name)
    except KeyError:
        raise errors.NotFoundError(f"no protobuf enum {full_name!r} in savedmodel.protos") from None
    return enum_type_wrapper.EnumTypeWrapper(descriptor)


def service(full_name: str) -> Any:
    """The ServiceDescriptor for `full_name` (gRPC paths are /<full_name>/<method>)."""
    try:
        return POOL.FindServiceByName(full_name)
    except KeyError:
        raise errors.NotFoundError(
            f"no protobuf service {full_name!r} in savedmodel.protos"
        ) from None


def to_text(msg: message.Message, **options: Any) -> str:
    """Text format exactly as TensorFlow's `text_format.MessageToString(msg)` writes it.

    That is what `export_meta_graph(as_text=True)` and `write_graph(as_text=True)` write. Resolving
    through our pool makes `Any` fields print expanded
    (`[type.googleapis.com/tensorflow.AssetFileDef] { ... }`) as there; extra keyword options go
    to `text_format.MessageToString`. NOTE: TF1 `Builder.save(as_text=True)` writes `str(msg)`
    instead (upb's printer: raw Any, maps in insertion order); `str()` of our messages matches it.
    """
    return text_format.MessageToString(msg, descriptor_pool=POOL, **options)


def parse_text(text: str | bytes, msg: _M) -> _M:
    """Merge text-format `text` into `msg` (cleared first) and return it; expanded `Any` allowed."""
    try:
        return text_format.Parse(text, msg, descriptor_pool=POOL)
    except text_format.ParseError as e:
        raise errors.InvalidArgumentError(
            f"cannot parse text-format {msg.DESCRIPTOR.full_name}: {e}"
        ) from e
