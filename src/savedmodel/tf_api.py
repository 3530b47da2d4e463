"""The TF2-style top-level names: `import savedmodel as tf; tf.constant(...)`, `tf.float32`...

`savedmodel/__init__.py` resolves unknown attributes here lazily, so importing `savedmodel` stays
cheap. Graph-building functions work in graph mode (inside `Graph.as_default()`) and eagerly
(numpy in, numpy out).
"""

from __future__ import annotations

from savedmodel import dtypes as _dtypes
from savedmodel.dtypes import DType as DType
from savedmodel.dtypes import as_dtype as as_dtype
from savedmodel.formats.nested_structure import TensorSpec as TensorSpec
from savedmodel.framework import array_ops as _array_ops
from savedmodel.framework import constant_op as _constant_op
from savedmodel.framework import context as _context
from savedmodel.framework import control_flow_ops as _cf
from savedmodel.framework import math_ops as _math_ops
from savedmodel.framework import scopes as _scopes
from savedmodel.framework import tensor_operators as _tensor_operators  # noqa: F401
from savedmodel.framework.graph import Graph as Graph
from savedmodel.framework.importer import import_graph_def as _import_graph_def
from savedmodel.framework.operation import Operation as Operation
from savedmodel.framework.operation import Tensor as Tensor
from savedmodel.framework.shape_inference import constant_value as _constant_value
from savedmodel.framework.tensor_shape import Dimension as Dimension
from savedmodel.framework.tensor_shape import TensorShape as TensorShape
from savedmodel.framework.variables import Variable as Variable
from savedmodel.framework.variables import VariableAggregation as VariableAggregation
from savedmodel.framework.variables import VariableSynchronization as VariableSynchronization

# dtypes (`tf.float32`, ...); `tf.bool` is the boolean DType, as in TensorFlow.
float16 = half = _dtypes.float16
float32 = _dtypes.float32
float64 = double = _dtypes.float64
bfloat16 = _dtypes.bfloat16
complex64 = _dtypes.complex64
complex128 = _dtypes.complex128
int8 = _dtypes.int8
int16 = _dtypes.int16
int32 = _dtypes.int32
int64 = _dtypes.int64
uint8 = _dtypes.uint8
uint16 = _dtypes.uint16
uint32 = _dtypes.uint32
uint64 = _dtypes.uint64
bool = _dtypes.bool_  # noqa: A001
string = _dtypes.string
qint8 = _dtypes.qint8
quint8 = _dtypes.quint8
qint16 = _dtypes.qint16
quint16 = _dtypes.quint16
qint32 = _dtypes.qint32
resource = _dtypes.resource
variant = _dtypes.variant
float8_e5m2 = _dtypes.float8_e5m2
float8_e4m3fn = _dtypes.float8_e4m3fn
int4 = _dtypes.int4
uint4 = _dtypes.uint4

newaxis = None

constant = _constant_op.constant
convert_to_tensor = _constant_op.convert_to_tensor
is_tensor = _constant_op.is_tensor
executing_eagerly = _context.executing_eagerly
name_scope = _scopes.NameScope
control_dependencies = _scopes.control_dependencies
device = _scopes.device
init_scope = _scopes.init_scope
get_current_name_scope = _scopes.get_current_name_scope
get_static_value = _constant_value
no_op = _cf.no_op
group = _cf.group
tuple = _cf.tuple_op  # noqa: A001

# math
add = _math_ops.add
add_n = _math_ops.add_n
subtract = _math_ops.subtract
multiply = _math_ops.multiply
divide = _math_ops.divide
truediv = _math_ops.truediv
floordiv = _math_ops.floordiv
pow = _math_ops.pow  # noqa: A001
negative = _math_ops.negative
abs = _math_ops.abs  # noqa: A001
maximum = _math_ops.maximum
minimum = _math_ops.minimum
matmul = _math_ops.matmul
cast = _math_ops.cast
reduce_sum = _math_ops.reduce_sum
reduce_mean = _math_ops.reduce_mean
reduce_max = _math_ops.reduce_max
reduce_min = _math_ops.reduce_min
reduce_prod = _math_ops.reduce_prod
reduce_all = _math_ops.reduce_all
reduce_any = _math_ops.reduce_any
argmax = _math_ops.argmax
argmin = _math_ops.argmin
equal = _math_ops.equal
not_equal = _math_ops.not_equal
less = _math_ops.less
less_equal = _math_ops.less_equal
greater = _math_ops.greater
greater_equal = _math_ops.greater_equal
logical_and = _math_ops.logical_and
logical_or = _math_ops.logical_or
logical_not = _math_ops.logical_not
sqrt = _math_ops.sqrt
exp = _math_ops.exp
square = _math_ops.square
sigmoid = _math_ops.sigmoid
tanh = _math_ops.tanh
sign = _math_ops.sign
round = _math_ops.round  # noqa: A001
clip_by_value = _math_ops.clip_by_value
cumsum = _math_ops.cumsum
range = _math_ops.range_op  # noqa: A001

# arrays
placeholder_with_default = _array_ops.placeholder_with_default
identity = _array_ops.identity
identity_n = _array_ops.identity_n
stop_gradient = _array_ops.stop_gradient
reshape = _array_ops.reshape
expand_dims = _array_ops.expand_dims
squeeze = _array_ops.squeeze
transpose = _array_ops.transpose
shape = _array_ops.shape
shape_n = _array_ops.shape_n
size = _array_ops.size
rank = _array_ops.rank_op
fill = _array_ops.fill
zeros = _array_ops.zeros
ones = _array_ops.ones
zeros_like = _array_ops.zeros_like
ones_like = _array_ops.ones_like
concat = _array_ops.concat
stack = _array_ops.stack
unstack = _array_ops.unstack
split = _array_ops.split
tile = _array_ops.tile
pad = _array_ops.pad
gather = _array_ops.gather
slice = _array_ops.slice_op  # noqa: A001
strided_slice = _array_ops.strided_slice
boolean_mask = _array_ops.boolean_mask
where = _array_ops.where
one_hot = _array_ops.one_hot
broadcast_to = _array_ops.broadcast_to
reverse = _array_ops.reverse
ensure_shape = _array_ops.ensure_shape


# control flow (TF2, functional ops); the builders live in savedmodel.api, imported on first use


def cond(pred, true_fn=None, false_fn=None, name=None):  # noqa: ANN001, ANN201
    """`tf.cond`: `true_fn()` if `pred` else `false_fn()` (an If op when building a graph)."""
    from savedmodel.api.control_flow import cond_v2

    return cond_v2(pred, true_fn, false_fn, name=name)


def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name="case"):  # noqa: ANN001, ANN201
    """`tf.case`: the fn of the first true predicate, else `default`."""
    from savedmodel.api.control_flow import case as _case

    return _case(pred_fn_pairs, default, exclusive, strict, name)


def switch_case(branch_index, branch_fns, default=None, name="switch_case"):  # noqa: ANN001, ANN201
    """`tf.switch_case`: `branch_fns[branch_index]()` (a Case op when building a graph)."""
    from savedmodel.api.control_flow import switch_case as _switch_case

    return _switch_case(branch_index, branch_fns, default, name)


def while_loop(cond, body, loop_vars, shape_invariants=None, parallel_iterations=10,  # noqa: ANN001, ANN201
               back_prop=True, swap_memory=False, maximum_iterations=None, name=None):  # fmt: skip
    """`tf.while_loop`: repeat `body` while `cond` (a While op when building a graph)."""
    from savedmodel.api.while_loop import while_loop as _while_loop

    return _while_loop(cond, body, loop_vars, shape_invariants, parallel_iterations,
                       maximum_iterations=maximum_iterations, name=name,
                       return_same_structure=True)  # fmt: skip


def import_graph_def(graph_def, input_map=None, return_elements=None, name=None,  # noqa: ANN001, ANN201
                     producer_op_list=None):  # fmt: skip
    """`tf.graph_util.import_graph_def` / `tf.import_graph_def`."""
    return _import_graph_def(graph_def, input_map, return_elements, name,
                             producer_op_list=producer_op_list)  # fmt: skip


def _all_names() -> list[str]:
    return [n for n in globals() if not n.startswith("_")]


__all__ = _all_names()
