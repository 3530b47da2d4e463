"""The ExportOutput classes and their checks (TensorFlow's `export_output.py` semantics)."""

from __future__ import annotations

from typing import Any

from savedmodel import dtypes
from savedmodel.compat.v1.saved_model import signature_def_utils
from savedmodel.framework.operation import Tensor


class ExportOutput:
    """One output head of an exported model; `as_signature_def(receiver_tensors)`."""

    _SEPARATOR_CHAR = "/"

    def as_signature_def(self, receiver_tensors: Any) -> Any:
        raise NotImplementedError

    def _check_output_key(self, key: Any, error_label: str) -> str:
        if isinstance(key, tuple):
            key = self._SEPARATOR_CHAR.join(key)
        if not isinstance(key, str):
            raise ValueError(f"{error_label} output key must be a string; got {key}.")
        return key

    def _wrap_and_check_outputs(
        self, outputs: Any, single_output_default_name: str, error_label: str | None = None
    ) -> dict[str, Tensor]:
        if not isinstance(outputs, dict):
            outputs = {single_output_default_name: outputs}
        result = {}
        for key, value in outputs.items():
            error_name = error_label or single_output_default_name
            key = self._check_output_key(key, error_name)
            if not isinstance(value, Tensor):
                raise ValueError(f"{error_name} output value must be a Tensor; got {value}.")
            result[key] = value
        return result


def _single_string_input(receiver_tensors: Any, kind: str) -> Tensor:
    message = (
        f"{kind} signatures can only accept a single tensor input of type tf.string. Please check"
        " to make sure that you have structured the serving_input_receiver_fn so that it creates"
        " a single string placeholder. If your model function expects multiple inputs, then use"
        " `tf.io.parse_example()` to parse the string into multiple Tensors.\n Received:"
        f" {receiver_tensors}"
    )
    if len(receiver_tensors) != 1:
        raise ValueError(message)
    ((_, examples),) = receiver_tensors.items()
    if dtypes.as_dtype(examples.dtype) != dtypes.string:
        raise ValueError(message)
    return examples


class ClassificationOutput(ExportOutput):
    """Scores (float) and/or classes (string) for the `tensorflow/serving/classify` method."""

    def __init__(self, scores: Any = None, classes: Any = None) -> None:
        if scores is not None and not (isinstance(scores, Tensor) and scores.dtype.is_floating):
            raise ValueError(f"Classification scores must be a float32 Tensor; got {scores}")
        if classes is not None and not (
            isinstance(classes, Tensor) and dtypes.as_dtype(classes.dtype) == dtypes.string
        ):
            raise ValueError(f"Classification classes must be a string Tensor; got {classes}")
        if scores is None and classes is None:
            raise ValueError(
                "Cannot create a ClassificationOutput with empty arguments. At least one of"
                " `scores` and `classes` must be defined."
            )
        self._scores = scores
        self._classes = classes

    @property
    def scores(self) -> Any:
        return self._scores

    @property
    def classes(self) -> Any:
        return self._classes

    def as_signature_def(self, receiver_tensors: Any) -> Any:
        examples = _single_string_input(receiver_tensors, "Classification")
        return signature_def_utils.classification_signature_def(examples, self.classes, self.scores)


class RegressionOutput(ExportOutput):
    """A float value for the `tensorflow/serving/regress` method."""

    def __init__(self, value: Any) -> None:
        if not (isinstance(value, Tensor) and value.dtype.is_floating):
            raise ValueError(f"Regression output value must be a float32 Tensor; got {value}")
        self._value = value

    @property
    def value(self) -> Any:
        return self._value

    def as_signature_def(self, receiver_tensors: Any) -> Any:
        examples = _single_string_input(receiver_tensors, "Regression")
        return signature_def_utils.regression_signature_def(examples, self.value)


class PredictOutput(ExportOutput):
    """Arbitrary named outputs for the `tensorflow/serving/predict` method."""

    _SINGLE_OUTPUT_DEFAULT_NAME = "output"

    def __init__(self, outputs: Any) -> None:
        self._outputs = self._wrap_and_check_outputs(
            outputs, self._SINGLE_OUTPUT_DEFAULT_NAME, error_label="Prediction"
        )

    @property
    def outputs(self) -> dict[str, Tensor]:
        return self._outputs

    def as_signature_def(self, receiver_tensors: Any) -> Any:
        return signature_def_utils.predict_signature_def(receiver_tensors, self.outputs)
