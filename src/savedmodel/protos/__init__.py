"""TensorFlow's protobuf messages, from our own schemas, in a private descriptor pool.

    from savedmodel import protos
    sm = protos.SavedModel()                         # tensorflow.SavedModel
    protos.DataType.Name(1) == "DT_FLOAT"; protos.DT_FLOAT == 1
    protos.serving.PredictRequest()                  # tensorflow.serving.PredictRequest
    protos.to_text(sm); protos.parse_text(text, protos.SavedModel())

The .proto files under this package mirror TensorFlow's paths, packages, field names and numbers
(so binary, text format and `Any` type URLs are identical to TensorFlow's) and are compiled into
descriptor_set.binpb by `python tools/gen_protos.py`, which also writes the name modules
(_generated.py, serving.py, error.py, keras.py). The classes are built in POOL, never in
protobuf's default pool, so TensorFlow can be imported in the same process.
"""

from __future__ import annotations

from savedmodel.protos import error as error
from savedmodel.protos import keras as keras
from savedmodel.protos import serving as serving
from savedmodel.protos._generated import *  # noqa: F403
from savedmodel.protos._pool import DESCRIPTOR_SET_PATH as DESCRIPTOR_SET_PATH
from savedmodel.protos._pool import POOL as POOL
from savedmodel.protos._pool import enum_type as enum_type
from savedmodel.protos._pool import message_class as message_class
from savedmodel.protos._pool import parse_text as parse_text
from savedmodel.protos._pool import service as service
from savedmodel.protos._pool import to_text as to_text
