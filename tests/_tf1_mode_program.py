"""FORMAT.md §6.1's program in TF1 mode (`disable_v2_behavior()`): ref variables, default graph.

Run as a script (`python _tf1_mode_program.py tensorflow|savedmodel EXPORT_DIR`) because
`disable_v2_behavior()` changes process-wide state.
"""

from __future__ import annotations

import sys

if sys.argv[1] == "tensorflow":
    import tensorflow as tf
    import tensorflow.compat.v1 as tf1
else:
    import savedmodel as tf
    import savedmodel.compat.v1 as tf1

tf1.disable_v2_behavior()
assert not tf1.executing_eagerly()
x = tf1.placeholder(tf.float32, [None], name="x")
two = tf1.Variable(2.0, name="two")
y = tf.add(x, two, name="y")
assert two.dtype.name == "float32_ref" or str(two.dtype) == "<dtype: 'float32_ref'>"
with tf1.Session() as sess:
    sess.run(tf1.global_variables_initializer())
    print(sess.run(y, {x: [1.0, 2.0]}).tolist())
    tf1.saved_model.simple_save(sess, sys.argv[2], inputs={"x": x}, outputs={"y": y})
