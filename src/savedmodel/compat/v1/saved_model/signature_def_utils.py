"""SignatureDef builders and checks (`tf.compat.v1.saved_model.signature_def_utils`).

predict / classification / regression signatures with TensorFlow Serving's constraints, the
validity check Serving applies, and `MethodNameUpdater`, which rewrites method names of an
existing SavedModel (e.g. to restore classify/regress signatures TF2 exports lack).
"""

from __future__ import annotations

import os
import shutil
from typing import Any

from savedmodel import dtypes, protos, tensors
from savedmodel.compat.v1.saved_model.utils import (
    build_tensor_info,
    build_tensor_info_from_op,
    get_element_from_tensor_info,
)
from savedmodel.errors import NotFoundError
from savedmodel.formats import saved_model_dir as smdir
from savedmodel.formats import saved_model_writer
from savedmodel.framework.operation import Tensor
from savedmodel.saved_model import signature_constants as sc

DT_STRING = dtypes.string.as_datatype_enum
DT_FLOAT = dtypes.float32.as_datatype_enum


def build_signature_def(inputs: Any = None, outputs: Any = None, method_name: str | None = None,
                        defaults: Any = None) -> Any:  # fmt: skip
    sig = protos.SignatureDef()
    for key in inputs or {}:
        sig.inputs[key].CopyFrom(inputs[key])
    for key in outputs or {}:
        sig.outputs[key].CopyFrom(outputs[key])
    if method_name is not None:
        sig.method_name = method_name
    for arg_name, default in (defaults or {}).items():
        if isinstance(default, Tensor):
            if default.op.type != "Const":
                raise ValueError(
                    f"Unable to convert object {default} of type {type(default)} to TensorProto."
                )
            sig.defaults[arg_name].CopyFrom(default.op._attrs["value"].tensor)
        else:
            sig.defaults[arg_name].CopyFrom(tensors.make_tensor_proto(default))
    return sig


def regression_signature_def(examples: Any, predictions: Any) -> Any:
    if examples is None:
        raise ValueError("Regression `examples` cannot be None.")
    if not isinstance(examples, Tensor):
        raise ValueError(
            "Expected regression `examples` to be of type Tensor. Found `examples`"
            f" of type {type(examples)}."
        )
    if predictions is None:
        raise ValueError("Regression `predictions` cannot be None.")
    inp = build_tensor_info(examples)
    if inp.dtype != DT_STRING:
        raise ValueError(
            f"Regression input tensors must be of type string. Found tensors with type {inp.dtype}."
        )
    out = build_tensor_info(predictions)
    if out.dtype != DT_FLOAT:
        raise ValueError(
            f"Regression output tensors must be of type float. Found tensors with type {out.dtype}."
        )
    return build_signature_def({sc.REGRESS_INPUTS: inp}, {sc.REGRESS_OUTPUTS: out},
                               sc.REGRESS_METHOD_NAME)  # fmt: skip


def classification_signature_def(examples: Any, classes: Any, scores: Any) -> Any:
    if examples is None:
        raise ValueError("Classification `examples` cannot be None.")
    if not isinstance(examples, Tensor):
        raise ValueError(
            "Classification `examples` must be a string Tensor. Found `examples` of"
            f" type {type(examples)}."
        )
    if classes is None and scores is None:
        raise ValueError("Classification `classes` and `scores` cannot both be None.")
    inp = build_tensor_info(examples)
    if inp.dtype != DT_STRING:
        raise ValueError(
            "Classification input tensors must be of type string. Found tensors of"
            f" type {inp.dtype}"
        )
    outputs = {}
    if classes is not None:
        info = build_tensor_info(classes)
        if info.dtype != DT_STRING:
            raise ValueError(
                "Classification classes must be of type string Tensor. Found"
                f" tensors of type {info.dtype}.`"
            )
        outputs[sc.CLASSIFY_OUTPUT_CLASSES] = info
    if scores is not None:
        info = build_tensor_info(scores)
        if info.dtype != DT_FLOAT:
            raise ValueError("Classification scores must be a float Tensor.")
        outputs[sc.CLASSIFY_OUTPUT_SCORES] = info
    return build_signature_def({sc.CLASSIFY_INPUTS: inp}, outputs, sc.CLASSIFY_METHOD_NAME)


def predict_signature_def(inputs: Any, outputs: Any) -> Any:
    if not inputs:
        raise ValueError("Prediction `inputs` cannot be None or empty.")
    if not outputs:
        raise ValueError("Prediction `outputs` cannot be None or empty.")
    return build_signature_def(
        {k: build_tensor_info(t) for k, t in inputs.items()},
        {k: build_tensor_info(t) for k, t in outputs.items()},
        sc.PREDICT_METHOD_NAME,
    )


def _supervised(method_name: str, inputs: Any, loss: Any = None, predictions: Any = None,
                metrics: Any = None) -> Any:  # fmt: skip
    if not inputs:
        raise ValueError(f"{method_name} `inputs` cannot be None or empty.")
    outputs: dict[str, Any] = {}
    for group in (loss, predictions, metrics):
        if group is not None:
            outputs.update({k: build_tensor_info(t) for k, t in group.items()})
    return build_signature_def({k: build_tensor_info(t) for k, t in inputs.items()}, outputs,
                               method_name)  # fmt: skip


def supervised_train_signature_def(inputs: Any, loss: Any, predictions: Any = None,
                                   metrics: Any = None) -> Any:  # fmt: skip
    return _supervised(sc.SUPERVISED_TRAIN_METHOD_NAME, inputs, loss, predictions, metrics)


def supervised_eval_signature_def(inputs: Any, loss: Any, predictions: Any = None,
                                  metrics: Any = None) -> Any:  # fmt: skip
    return _supervised(sc.SUPERVISED_EVAL_METHOD_NAME, inputs, loss, predictions, metrics)


def is_valid_signature(signature_def: Any) -> bool:
    if signature_def is None:
        return False
    return (_valid_classification(signature_def) or _valid_regression(signature_def)
            or _valid_predict(signature_def))  # fmt: skip


def _valid_predict(sig: Any) -> bool:
    return sig.method_name == sc.PREDICT_METHOD_NAME and bool(sig.inputs) and bool(sig.outputs)


def _valid_regression(sig: Any) -> bool:
    return (
        sig.method_name == sc.REGRESS_METHOD_NAME
        and set(sig.inputs) == {sc.REGRESS_INPUTS}
        and sig.inputs[sc.REGRESS_INPUTS].dtype == DT_STRING
        and set(sig.outputs) == {sc.REGRESS_OUTPUTS}
        and sig.outputs[sc.REGRESS_OUTPUTS].dtype == DT_FLOAT
    )


def _valid_classification(sig: Any) -> bool:
    if sig.method_name != sc.CLASSIFY_METHOD_NAME:
        return False
    if set(sig.inputs) != {sc.CLASSIFY_INPUTS} or sig.inputs[sc.CLASSIFY_INPUTS].dtype != DT_STRING:
        return False
    allowed = {sc.CLASSIFY_OUTPUT_CLASSES, sc.CLASSIFY_OUTPUT_SCORES}
    if not sig.outputs or set(sig.outputs) - allowed:
        return False
    if sc.CLASSIFY_OUTPUT_CLASSES in sig.outputs and (
        sig.outputs[sc.CLASSIFY_OUTPUT_CLASSES].dtype != DT_STRING
    ):
        return False
    return not (sc.CLASSIFY_OUTPUT_SCORES in sig.outputs
                and sig.outputs[sc.CLASSIFY_OUTPUT_SCORES].dtype != DT_FLOAT)  # fmt: skip


def op_signature_def(op: Any, key: str) -> Any:
    return build_signature_def(outputs={key: build_tensor_info_from_op(op)})


def load_op_from_signature_def(signature_def: Any, key: str,
                               import_scope: str | None = None) -> Any:  # fmt: skip
    try:
        return get_element_from_tensor_info(signature_def.outputs[key], import_scope=import_scope)
    except KeyError:
        raise NotFoundError(
            f'The key "{key}" could not be found in the graph. Please make sure the SavedModel'
            " was created by the internal _SavedModelBuilder. If you are using the public API,"
            f" please make sure the SignatureDef in the SavedModel does not contain the key"
            f' "{key}".'
        ) from None


class MethodNameUpdater:
    """Rewrite the method names of signatures in an existing SavedModel.

        updater = MethodNameUpdater(export_dir)
        updater.replace_method_name("serving_default", "tensorflow/serving/classify",
                                    tags="serve")
        updater.save()                         # in place, like TensorFlow
        updater.save(new_dir)                  # a new SavedModel: variables and assets copied too

    TensorFlow's version writes only `saved_model.pb` to a new directory; this one also copies
    `variables/`, `assets/`, `assets.extra/` and `fingerprint.pb` there, so the copy loads.
    """

    def __init__(self, export_dir: str | os.PathLike[str]) -> None:
        self._export_dir = os.fspath(export_dir)
        self._saved_model = smdir.read_saved_model(self._export_dir)

    def replace_method_name(self, signature_key: str, method_name: str,
                            tags: Any = None) -> None:  # fmt: skip
        if not signature_key:
            raise ValueError("`signature_key` must be defined.")
        if not method_name:
            raise ValueError("`method_name` must be defined.")
        if tags is not None and not isinstance(tags, list):
            tags = [tags]
        found = False
        for mg in self._saved_model.meta_graphs:
            meta_tags = list(mg.meta_info_def.tags)
            if tags is None or set(tags) == set(meta_tags):
                if signature_key not in mg.signature_def:
                    raise ValueError(
                        f"MetaGraphDef associated with tags {meta_tags} does not have"
                        f" a signature_def with key: '{signature_key}'. This means"
                        " either you specified the wrong signature key or forgot to"
                        " put the signature_def with the corresponding key in your"
                        " SavedModel."
                    )
                mg.signature_def[signature_key].method_name = method_name
                found = True
        if not found:
            raise ValueError(
                f"MetaGraphDef associated with tags {tags} could not be found in"
                " SavedModel. This means either you specified invalid tags or your"
                " SavedModel does not have a MetaGraphDef with the specified tags."
            )

    def save(self, new_export_dir: str | os.PathLike[str] | None = None, *,
             copy_files: bool = True) -> None:  # fmt: skip
        """Write the updated SavedModel (in place, or to `new_export_dir`)."""
        is_text = os.path.exists(
            os.path.join(self._export_dir, smdir.SAVED_MODEL_FILENAME_PBTXT)
        ) and not os.path.exists(os.path.join(self._export_dir, smdir.SAVED_MODEL_FILENAME_PB))
        target = self._export_dir if new_export_dir is None else os.fspath(new_export_dir)
        if os.path.abspath(target) == os.path.abspath(self._export_dir):
            name = smdir.SAVED_MODEL_FILENAME_PBTXT if is_text else smdir.SAVED_MODEL_FILENAME_PB
            data = (str(self._saved_model).encode("utf-8") if is_text
                    else self._saved_model.SerializeToString(deterministic=True))  # fmt: skip
            path = os.path.join(target, name)
            tmp = f"{path}.tmp{os.getpid()}"
            with open(tmp, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
            return
        if not copy_files:
            os.makedirs(target, exist_ok=True)
            name = smdir.SAVED_MODEL_FILENAME_PBTXT if is_text else smdir.SAVED_MODEL_FILENAME_PB
            data = (str(self._saved_model).encode("utf-8") if is_text
                    else self._saved_model.SerializeToString(deterministic=True))  # fmt: skip
            with open(os.path.join(target, name), "wb") as f:
                f.write(data)
            return
        src = self._export_dir
        variables = os.path.join(src, smdir.VARIABLES_DIRECTORY)
        assets = os.path.join(src, smdir.ASSETS_DIRECTORY)
        extra = os.path.join(src, smdir.EXTRA_ASSETS_DIRECTORY)
        has_ckpt = os.path.exists(os.path.join(variables, "variables.index"))
        saved_model_writer.write_saved_model(
            target, self._saved_model, as_text=is_text,
            variables=os.path.join(variables, "variables") if has_ckpt else None,
            assets=assets if os.path.isdir(assets) else None,
            extra_assets=extra if os.path.isdir(extra) else None,
            fingerprint=os.path.exists(os.path.join(src, smdir.FINGERPRINT_FILENAME)),
        )  # fmt: skip


def _rmtree(path: str) -> None:
    shutil.rmtree(path, ignore_errors=True)
