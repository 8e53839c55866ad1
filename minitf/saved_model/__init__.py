"""``tf.saved_model`` (TF 1.x API): SavedModelBuilder / simple_save write ``saved_model.pb``
(TF's SavedModel protobuf) and the variables in minitf's checkpoint format; ``loader.load``
brings a MetaGraphDef, its variables and its main op back into a session."""

from minitf.saved_model import (
    builder,
    constants,
    loader,
    signature_constants,
    signature_def_utils,
    tag_constants,
    utils,
)
from minitf.saved_model.builder import Builder, SavedModelBuilder
from minitf.saved_model.constants import (
    ASSETS_DIRECTORY,
    ASSETS_KEY,
    LEGACY_INIT_OP_KEY,
    MAIN_OP_KEY,
    SAVED_MODEL_FILENAME_PB,
    SAVED_MODEL_FILENAME_PBTXT,
    SAVED_MODEL_SCHEMA_VERSION,
    VARIABLES_DIRECTORY,
    VARIABLES_FILENAME,
)
from minitf.saved_model.loader import load, maybe_saved_model_directory
from minitf.saved_model.signature_constants import (
    CLASSIFY_INPUTS,
    CLASSIFY_METHOD_NAME,
    CLASSIFY_OUTPUT_CLASSES,
    CLASSIFY_OUTPUT_SCORES,
    DEFAULT_SERVING_SIGNATURE_DEF_KEY,
    PREDICT_INPUTS,
    PREDICT_METHOD_NAME,
    PREDICT_OUTPUTS,
    REGRESS_INPUTS,
    REGRESS_METHOD_NAME,
    REGRESS_OUTPUTS,
)
from minitf.saved_model.signature_def_utils import (
    build_signature_def,
    classification_signature_def,
    is_valid_signature,
    predict_signature_def,
    regression_signature_def,
)
from minitf.saved_model.simple_save import simple_save
from minitf.saved_model.tag_constants import EVAL, GPU, SERVING, TPU, TRAINING
from minitf.saved_model.utils import build_tensor_info, get_tensor_from_tensor_info

contains_saved_model = maybe_saved_model_directory

__all__ = [
    "builder", "constants", "loader", "signature_constants", "signature_def_utils",
    "tag_constants", "utils", "Builder", "SavedModelBuilder", "load", "simple_save",
    "maybe_saved_model_directory", "contains_saved_model", "build_signature_def",
    "classification_signature_def", "is_valid_signature", "predict_signature_def",
    "regression_signature_def", "build_tensor_info", "get_tensor_from_tensor_info",
    "ASSETS_DIRECTORY", "ASSETS_KEY", "LEGACY_INIT_OP_KEY", "MAIN_OP_KEY",
    "SAVED_MODEL_FILENAME_PB", "SAVED_MODEL_FILENAME_PBTXT", "SAVED_MODEL_SCHEMA_VERSION",
    "VARIABLES_DIRECTORY", "VARIABLES_FILENAME", "CLASSIFY_INPUTS", "CLASSIFY_METHOD_NAME",
    "CLASSIFY_OUTPUT_CLASSES", "CLASSIFY_OUTPUT_SCORES", "DEFAULT_SERVING_SIGNATURE_DEF_KEY",
    "PREDICT_INPUTS", "PREDICT_METHOD_NAME", "PREDICT_OUTPUTS", "REGRESS_INPUTS",
    "REGRESS_METHOD_NAME", "REGRESS_OUTPUTS", "EVAL", "GPU", "SERVING", "TPU", "TRAINING",
]
