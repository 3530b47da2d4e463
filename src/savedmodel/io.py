"""`tf.io`: parsing tf.Example protos into tensors."""

from __future__ import annotations

from savedmodel.framework.parsing_ops import FixedLenFeature as FixedLenFeature
from savedmodel.framework.parsing_ops import VarLenFeature as VarLenFeature
from savedmodel.framework.parsing_ops import parse_example as parse_example
