"""Graph-building programs written once against the TF API, run with TF and with savedmodel.

Each program takes the `tf` / `tf1` modules (TensorFlow's, or savedmodel's drop-in ones) and,
inside a fresh graph, returns ({fetch name: tensor}, {placeholder: value}). Between them they
build more than 50 op types, through the public builders (operators, tf.*, tf.nn.*, raw_ops).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

Program = Callable[[Any, Any], tuple[dict[str, Any], dict[Any, Any]]]
_X = np.arange(-6, 6, dtype=np.float32).reshape(3, 4) / 4.0
_IMG = np.linspace(-1, 1, 2 * 5 * 5 * 3, dtype=np.float32).reshape(2, 5, 5, 3)


def arithmetic(tf: Any, tf1: Any) -> tuple[dict, dict]:
    x = tf1.placeholder(tf.float32, [None, 4], name="x")
    y = x * 2 + 1
    out = {
        "add": x + 2, "radd": 2 + x, "sub": x - y, "mul": x * y, "div": x / 3.0,
        "floordiv": x // 0.5, "mod": x % 0.75, "pow": abs(x) ** 1.5, "neg": -x,
        "abs": abs(x), "maximum": tf.maximum(x, 0.1), "minimum": tf.minimum(x, 0.2),
        "sqdiff": tf.math.squared_difference(x, y), "add_n": tf.add_n([x, y, x]),
        "sqrt": tf.sqrt(abs(x) + 1), "rsqrt": tf.math.rsqrt(abs(x) + 1), "exp": tf.exp(x),
        "log": tf.math.log(abs(x) + 1), "square": tf.square(x), "sign": tf.sign(x),
        "floor": tf.math.floor(x), "ceil": tf.math.ceil(x), "round": tf.round(x * 3),
        "reciprocal": tf.math.reciprocal(x + 10), "tanh": tf.tanh(x),
        "sigmoid": tf.sigmoid(x), "sin": tf.math.sin(x), "cos": tf.math.cos(x),
        "tf_add": tf.add(x, 1), "subtract": tf.subtract(x, 1, name="s"),
        "multiply": tf.multiply(x, 2, name="m"), "divide": tf.divide(x, 2),
        "matmul": tf.matmul(x, tf.ones([4, 2])), "matmul_op": x @ tf.transpose(x),
        "bmm": tf.matmul(tf.reshape(x, [1, 3, 4]), tf.ones([1, 4, 2])),
        "cast": tf.cast(x * 4, tf.int32),
    }  # fmt: skip
    return out, {x: _X}


def compare_and_reduce(tf: Any, tf1: Any) -> tuple[dict, dict]:
    x = tf1.placeholder(tf.float32, [3, 4], name="x")
    pos = x > 0
    out = {
        "less": x < 0, "le": x <= 0, "gt": pos, "ge": x >= 0, "eq": tf.equal(x, 0.25),
        "ne": tf.not_equal(x, 0.25), "and": tf.logical_and(pos, x < 1),
        "or": tf.logical_or(pos, x < -1), "not": tf.logical_not(pos),
        "where": tf.where(pos, x, -x), "sum": tf.reduce_sum(x), "sum1": tf.reduce_sum(x, 1),
        "mean": tf.reduce_mean(x, axis=0, keepdims=True), "max": tf.reduce_max(x),
        "min": tf.reduce_min(x, 1), "prod": tf.reduce_prod(x + 2, 0),
        "all": tf.reduce_all(pos, 1), "any": tf.reduce_any(pos), "argmax": tf.argmax(x, 1),
        "argmin": tf.argmin(x), "cumsum": tf.cumsum(x, axis=1),
        "clip": tf.clip_by_value(x, -0.5, 0.5),
    }  # fmt: skip
    return out, {x: _X}


def arrays(tf: Any, tf1: Any) -> tuple[dict, dict]:
    x = tf1.placeholder(tf.float32, [None, 4], name="x")
    out = {
        "reshape": tf.reshape(x, [-1, 2]), "dyn_reshape": tf.reshape(x, [tf.shape(x)[0], 2, 2]),
        "expand": tf.expand_dims(x, 1), "squeeze": tf.squeeze(tf.expand_dims(x, 0), [0]),
        "transpose": tf.transpose(x), "concat": tf.concat([x, x * 2], axis=1),
        "stack": tf.stack([x, x], axis=1), "unstack0": tf.unstack(tf.ones([2, 3]))[1],
        "split": tf.split(x, 2, axis=1)[1], "splitv": tf.split(x, [1, 3], axis=1)[1],
        "tile": tf.tile(x, [1, 2]), "pad": tf.pad(x, [[1, 0], [0, 2]]),
        "pad_v2": tf.pad(x, [[1, 0], [0, 2]], constant_values=7.0),
        "mirror": tf.pad(x, [[1, 1], [1, 1]], mode="REFLECT"),
        "gather": tf.gather(x, [2, 0]), "gather1": tf.gather(x, [3, 1], axis=1),
        "slice": tf.slice(x, [1, 1], [2, -1]), "getitem": x[1:, ::2],
        "getitem2": x[-1, None, 1:3], "getitem3": x[..., 0],
        "fill": tf.fill([2, 2], 3.0), "zeros_like": tf.zeros_like(x), "ones_like": tf.ones_like(x),
        "shape": tf.shape(x), "size": tf.size(x), "rank": tf.rank(x),
        "range": tf.range(2, 10, 3), "one_hot": tf.one_hot([0, 2], 3),
        "broadcast": tf.broadcast_to(tf.constant([1.0, 2.0]), [3, 2]),
        "reverse": tf.reverse(x, [1]), "identity": tf.identity(x),
        "identity_n": tf.identity_n([x, x + 1])[1], "stop_gradient": tf.stop_gradient(x),
        "default": tf1.placeholder_with_default(tf.constant([1.0]), [None]),
        "zeros": tf.zeros([2, 3]), "ones": tf.ones([2, tf.shape(x)[0]], dtype=tf.int32),
        "strings": tf.constant(["a", "bc"]), "bool": tf.constant([True, False]),
    }  # fmt: skip
    return out, {x: _X}


def neural(tf: Any, tf1: Any) -> tuple[dict, dict]:
    img = tf1.placeholder(tf.float32, [None, 5, 5, 3], name="img")
    kernel = tf.constant(np.linspace(-1, 1, 3 * 3 * 3 * 4, dtype=np.float32).reshape(3, 3, 3, 4))
    conv = tf.nn.conv2d(img, kernel, strides=1, padding="SAME")
    logits = tf.reshape(tf.nn.bias_add(conv, [0.1, 0.2, 0.3, 0.4]), [-1, 4])
    out = {
        "conv": conv, "conv_valid": tf.nn.conv2d(img, kernel, strides=2, padding="VALID"),
        "relu": tf.nn.relu(logits), "relu6": tf.nn.relu6(logits), "elu": tf.nn.elu(logits),
        "selu": tf.nn.selu(logits), "leaky": tf.nn.leaky_relu(logits),
        "softmax": tf.nn.softmax(logits), "log_softmax": tf.nn.log_softmax(logits),
        "softplus": tf.nn.softplus(logits), "softsign": tf.nn.softsign(logits),
        "max_pool": tf.nn.max_pool2d(img, 2, 2, "VALID"),
        "avg_pool": tf.nn.avg_pool2d(img, 3, 1, "SAME"),
        "top_k": tf.nn.top_k(logits, 2).values,
    }  # fmt: skip
    return out, {img: _IMG}


def raw(tf: Any, tf1: Any) -> tuple[dict, dict]:
    a = tf1.placeholder(tf.int32, [3], name="a")
    out = {
        "add": tf.raw_ops.AddV2(x=a, y=a, name="raw_add"),
        "bitand": tf.raw_ops.BitwiseAnd(x=a, y=tf.constant([1, 3, 5])),
        "select": tf.raw_ops.SelectV2(condition=a > 1, t=a, e=-a),
        "cumprod": tf.raw_ops.Cumprod(x=a, axis=0),
        "unique": tf.raw_ops.Unique(x=tf.constant([1, 1, 2])).y,
        "inv_perm": tf.raw_ops.InvertPermutation(x=tf.constant([2, 0, 1])),
    }  # fmt: skip
    return out, {a: np.array([1, 2, 3], np.int32)}


def variables(tf: Any, tf1: Any) -> tuple[dict, dict]:
    x = tf1.placeholder(tf.float32, [2], name="x")
    v = tf.Variable([1.0, 2.0], name="v")
    r = tf1.Variable(3.0, name="r", use_resource=False)
    with tf1.variable_scope("scope"):
        w = tf1.get_variable("w", shape=[2], initializer=tf1.constant_initializer(0.5))
    out = {"y": x * v + r * w, "read": v.read_value(), "r": tf.identity(r)}
    return out, {x: np.array([1.0, 2.0], np.float32)}


def misc(tf: Any, tf1: Any) -> tuple[dict, dict]:
    x = tf1.placeholder(tf.float32, [None, 4], name="x")
    n = tf1.placeholder(tf.int32, [], name="n")
    with tf1.name_scope("outer"):
        with tf.name_scope("inner"):
            a = np.float32(2.0) * x
        b = tf.identity(a, name="b")
    with tf1.name_scope(None, "default_name", [x]):
        c = x[:, 1:n]
        d = x[n]
    with tf.control_dependencies([b]):
        e = tf.add(x, 1.0)
    grouped = tf.group(b, c.op, name="grouped")
    with tf.control_dependencies([grouped]):
        f = tf.identity(x)
    g = tf.constant(1.5, shape=[2, 2])
    h = tf.reshape(x, [2, 2, -1])
    out = {
        "a": a,
        "b": b,
        "c": c,
        "d": d,
        "e": e,
        "f": f,
        "g": g,
        "h": h,
        "neg_index": x[-1],
        "ellipsis": x[..., ::-1],
        "x_t": tf.transpose(x, [1, 0]),
    }
    return out, {x: _X[:2], n: np.int32(1)}


def serialized_examples(rows: list[dict[str, list[float]]]) -> np.ndarray:
    """tf.Example protos (float features) serialized, as a 1-D object array of bytes."""
    from savedmodel import protos

    out = np.empty(len(rows), dtype=object)
    for i, row in enumerate(rows):
        example = protos.Example()
        for key, values in row.items():
            example.features.feature[key].float_list.value.extend(values)
        out[i] = example.SerializeToString()
    return out


def parsing(tf: Any, tf1: Any) -> tuple[dict, dict]:
    ser = tf1.placeholder(tf.string, [None], name="tf_example")
    feats = tf.io.parse_example(
        ser,
        {
            "x": tf.io.FixedLenFeature([2], tf.float32),
            "k": tf.io.FixedLenFeature([], tf.float32, default_value=7.0),
        },
    )
    out = {"x": feats["x"], "k": feats["k"], "sum": tf.reduce_sum(feats["x"], 1) + feats["k"]}
    examples = serialized_examples([{"x": [1.0, 2.0]}, {"x": [3.0, 4.0], "k": [0.5]}])
    return out, {ser: examples}


PROGRAMS: dict[str, Program] = {
    "misc": misc,
    "parsing": parsing,
    "arithmetic": arithmetic,
    "compare_and_reduce": compare_and_reduce,
    "arrays": arrays,
    "neural": neural,
    "raw": raw,
    "variables": variables,
}
INIT_PROGRAMS = {"variables"}
