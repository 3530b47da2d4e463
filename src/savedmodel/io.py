"""`tf.io`: parsing tf.Example protos into tensors."""

from __future__ import annotations

from savedmodel.framework.parsing_ops import FixedLenFeature as FixedLenFeature
from savedmodel.framework.parsing_ops import VarLenFeature as VarLenFeature
from savedmodel.framework.parsing_ops import parse_example as parse_example


def read_file(filename, name=None):  # noqa: ANN001, ANN201
    """`tf.io.read_file`: the whole content of a file, as a string scalar."""
    from savedmodel.framework.op_builder import apply_op

    return apply_op("ReadFile", filename=filename, name=name)
