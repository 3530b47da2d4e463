"""`tf.math`: element-wise math, reductions and comparisons (graph mode or eager)."""

from __future__ import annotations

from savedmodel.framework.math_ops import abs as abs  # noqa: A004
from savedmodel.framework.math_ops import add as add
from savedmodel.framework.math_ops import add_n as add_n
from savedmodel.framework.math_ops import argmax as argmax
from savedmodel.framework.math_ops import argmin as argmin
from savedmodel.framework.math_ops import atan2 as atan2
from savedmodel.framework.math_ops import ceil as ceil
from savedmodel.framework.math_ops import cos as cos
from savedmodel.framework.math_ops import cumsum as cumsum
from savedmodel.framework.math_ops import divide as divide
from savedmodel.framework.math_ops import divide_no_nan as divide_no_nan
from savedmodel.framework.math_ops import equal as equal
from savedmodel.framework.math_ops import erf as erf
from savedmodel.framework.math_ops import exp as exp
from savedmodel.framework.math_ops import expm1 as expm1
from savedmodel.framework.math_ops import floor as floor
from savedmodel.framework.math_ops import floordiv as floordiv
from savedmodel.framework.math_ops import floormod as floormod
from savedmodel.framework.math_ops import greater as greater
from savedmodel.framework.math_ops import greater_equal as greater_equal
from savedmodel.framework.math_ops import is_finite as is_finite
from savedmodel.framework.math_ops import is_inf as is_inf
from savedmodel.framework.math_ops import is_nan as is_nan
from savedmodel.framework.math_ops import less as less
from savedmodel.framework.math_ops import less_equal as less_equal
from savedmodel.framework.math_ops import log as log
from savedmodel.framework.math_ops import log1p as log1p
from savedmodel.framework.math_ops import logical_and as logical_and
from savedmodel.framework.math_ops import logical_not as logical_not
from savedmodel.framework.math_ops import logical_or as logical_or
from savedmodel.framework.math_ops import logical_xor as logical_xor
from savedmodel.framework.math_ops import maximum as maximum
from savedmodel.framework.math_ops import minimum as minimum
from savedmodel.framework.math_ops import multiply as multiply
from savedmodel.framework.math_ops import negative as negative
from savedmodel.framework.math_ops import not_equal as not_equal
from savedmodel.framework.math_ops import pow as pow  # noqa: A004
from savedmodel.framework.math_ops import reciprocal as reciprocal
from savedmodel.framework.math_ops import reduce_all as reduce_all
from savedmodel.framework.math_ops import reduce_any as reduce_any
from savedmodel.framework.math_ops import reduce_max as reduce_max
from savedmodel.framework.math_ops import reduce_mean as reduce_mean
from savedmodel.framework.math_ops import reduce_min as reduce_min
from savedmodel.framework.math_ops import reduce_prod as reduce_prod
from savedmodel.framework.math_ops import reduce_sum as reduce_sum
from savedmodel.framework.math_ops import round as round  # noqa: A004
from savedmodel.framework.math_ops import rsqrt as rsqrt
from savedmodel.framework.math_ops import sigmoid as sigmoid
from savedmodel.framework.math_ops import sign as sign
from savedmodel.framework.math_ops import sin as sin
from savedmodel.framework.math_ops import softplus as softplus
from savedmodel.framework.math_ops import sqrt as sqrt
from savedmodel.framework.math_ops import square as square
from savedmodel.framework.math_ops import squared_difference as squared_difference
from savedmodel.framework.math_ops import subtract as subtract
from savedmodel.framework.math_ops import tan as tan
from savedmodel.framework.math_ops import tanh as tanh
from savedmodel.framework.math_ops import top_k as top_k
from savedmodel.framework.math_ops import truediv as truediv
from savedmodel.framework.math_ops import xdivy as xdivy
from savedmodel.framework.math_ops import xlogy as xlogy
