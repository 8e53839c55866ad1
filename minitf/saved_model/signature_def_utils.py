"""``tf.saved_model.signature_def_utils``: building SignatureDefs."""

from __future__ import annotations

from typing import Any

from minitf.framework.proto import SignatureDef
from minitf.saved_model import signature_constants as sc
from minitf.saved_model.utils import build_tensor_info

__all__ = ["build_signature_def", "predict_signature_def", "classification_signature_def",
           "regression_signature_def", "is_valid_signature"]


def build_signature_def(inputs: Any = None, outputs: Any = None,
                        method_name: str | None = None, defaults: Any = None) -> SignatureDef:
    """A SignatureDef from ``{key: TensorInfo}`` maps and a method name."""
    sig = SignatureDef()
    for key, info in (inputs or {}).items():
        sig.inputs[key].CopyFrom(info)
    for key, info in (outputs or {}).items():
        sig.outputs[key].CopyFrom(info)
    if method_name is not None:
        sig.method_name = method_name
    if defaults:
        from minitf.framework.proto import make_tensor_proto

        for key, value in defaults.items():
            sig.defaults[key].CopyFrom(make_tensor_proto(value))
    return sig


def predict_signature_def(inputs: dict[str, Any], outputs: dict[str, Any]) -> SignatureDef:
    """A ``tensorflow/serving/predict`` signature over ``{key: tensor}`` maps."""
    if inputs is None or not inputs:
        raise ValueError("Prediction `inputs` cannot be None or empty.")
    if outputs is None or not outputs:
        raise ValueError("Prediction `outputs` cannot be None or empty.")
    return build_signature_def({k: build_tensor_info(t) for k, t in inputs.items()},
                               {k: build_tensor_info(t) for k, t in outputs.items()},
                               sc.PREDICT_METHOD_NAME)


def classification_signature_def(examples: Any, classes: Any, scores: Any) -> SignatureDef:
    """A ``tensorflow/serving/classify`` signature (string ``examples`` in)."""
    if examples is None:
        raise ValueError("Classification `examples` cannot be None.")
    if classes is None and scores is None:
        raise ValueError("Classification `classes` and `scores` cannot both be None.")
    outputs = {}
    if classes is not None:
        outputs[sc.CLASSIFY_OUTPUT_CLASSES] = build_tensor_info(classes)
    if scores is not None:
        outputs[sc.CLASSIFY_OUTPUT_SCORES] = build_tensor_info(scores)
    return build_signature_def({sc.CLASSIFY_INPUTS: build_tensor_info(examples)}, outputs,
                               sc.CLASSIFY_METHOD_NAME)


def regression_signature_def(examples: Any, predictions: Any) -> SignatureDef:
    """A ``tensorflow/serving/regress`` signature."""
    if examples is None:
        raise ValueError("Regression `examples` cannot be None.")
    if predictions is None:
        raise ValueError("Regression `predictions` cannot be None.")
    return build_signature_def({sc.REGRESS_INPUTS: build_tensor_info(examples)},
                               {sc.REGRESS_OUTPUTS: build_tensor_info(predictions)},
                               sc.REGRESS_METHOD_NAME)


def is_valid_signature(signature_def: Any) -> bool:
    """Whether the signature names a method and its inputs/outputs are non-empty."""
    if not isinstance(signature_def, SignatureDef) or not signature_def.method_name:
        return False
    return bool(signature_def.inputs) and bool(signature_def.outputs)
