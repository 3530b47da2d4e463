"""`tf.nn`: neural-network builders (graph mode or eager)."""

from __future__ import annotations

from savedmodel.framework.nn_ops import avg_pool as avg_pool
from savedmodel.framework.nn_ops import avg_pool2d as avg_pool2d
from savedmodel.framework.nn_ops import bias_add as bias_add
from savedmodel.framework.nn_ops import conv2d as conv2d
from savedmodel.framework.nn_ops import elu as elu
from savedmodel.framework.nn_ops import leaky_relu as leaky_relu
from savedmodel.framework.nn_ops import log_softmax as log_softmax
from savedmodel.framework.nn_ops import max_pool as max_pool
from savedmodel.framework.nn_ops import max_pool2d as max_pool2d
from savedmodel.framework.nn_ops import relu as relu
from savedmodel.framework.nn_ops import relu6 as relu6
from savedmodel.framework.nn_ops import selu as selu
from savedmodel.framework.nn_ops import sigmoid as sigmoid
from savedmodel.framework.nn_ops import softmax as softmax
from savedmodel.framework.nn_ops import softplus as softplus
from savedmodel.framework.nn_ops import softsign as softsign
from savedmodel.framework.nn_ops import tanh as tanh
from savedmodel.framework.nn_ops import top_k as top_k
