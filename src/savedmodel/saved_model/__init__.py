"""TF-style `savedmodel.saved_model` namespace (`tf.saved_model` without TensorFlow).

import savedmodel
model = savedmodel.saved_model.load("/path/to/export")
model.signatures["serving_default"](x=[1.0, 2.0])
"""

from __future__ import annotations

from savedmodel.api.loader import load as load
