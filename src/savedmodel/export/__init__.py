"""Estimator-style export outputs: `PredictOutput`, `ClassificationOutput`, `RegressionOutput`.

They build the SignatureDefs an Estimator's `export_saved_model` writes for its
`export_outputs` (`tf.estimator.export.*Output`), from the serving receiver tensors:

    out = savedmodel.export.ClassificationOutput(scores=scores, classes=classes)
    sig = out.as_signature_def({"inputs": serialized_examples})   # tensorflow/serving/classify
"""

from __future__ import annotations

from savedmodel.export.export_output import ClassificationOutput as ClassificationOutput
from savedmodel.export.export_output import ExportOutput as ExportOutput
from savedmodel.export.export_output import PredictOutput as PredictOutput
from savedmodel.export.export_output import RegressionOutput as RegressionOutput
