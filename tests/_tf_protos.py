"""TensorFlow's own compiled descriptors and classes, for the savedmodel.protos interop tests.

Importing this module does not import TensorFlow; the functions do, on first call.
"""

from __future__ import annotations

import importlib

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

from savedmodel import protos

# Our .proto files that TensorFlow (or tf_keras) ships compiled too. TF Serving's are not.
OUR_FILES = [
    f.name
    for f in descriptor_pb2.FileDescriptorSet.FromString(
        protos.DESCRIPTOR_SET_PATH.read_bytes()
    ).file
    if not f.name.startswith(("google/protobuf/", "tensorflow_serving/"))
]
TF_MODULE = {"xla/tsl/protobuf/error_codes.proto": "tensorflow.compiler.xla.tsl.protobuf"}


def tf_file(path: str):
    """TensorFlow's FileDescriptor for our .proto path (imports its _pb2 module)."""
    stem = path.rsplit("/", 1)[1].removesuffix(".proto")
    package = TF_MODULE.get(path, path.rsplit("/", 1)[0].replace("/", "."))
    return importlib.import_module(f"{package}.{stem}_pb2").DESCRIPTOR


def tf_message_class(full_name: str):
    """TensorFlow's class for a message full name, from protobuf's default pool."""
    for path in OUR_FILES:  # make sure every TF module we compare with is registered
        tf_file(path)
    return message_factory.GetMessageClass(
        descriptor_pool.Default().FindMessageTypeByName(full_name)
    )
