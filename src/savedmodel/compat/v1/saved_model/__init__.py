"""`tf.compat.v1.saved_model`: TF1 SavedModel building and loading.

builder = tf1.saved_model.Builder(export_dir)
builder.add_meta_graph_and_variables(sess, ["serve"], signature_def_map={...})
builder.save()
tf1.saved_model.simple_save(sess, export_dir, inputs={...}, outputs={...})
meta_graph = tf1.saved_model.load(sess, ["serve"], export_dir)
"""

from __future__ import annotations

from savedmodel.compat.v1.saved_model import builder as builder
from savedmodel.compat.v1.saved_model import loader as loader
from savedmodel.compat.v1.saved_model import main_op as main_op
from savedmodel.compat.v1.saved_model import signature_def_utils as signature_def_utils
from savedmodel.compat.v1.saved_model import utils as utils
from savedmodel.compat.v1.saved_model.builder import Builder as Builder
from savedmodel.compat.v1.saved_model.loader import contains_saved_model as contains_saved_model
from savedmodel.compat.v1.saved_model.loader import load as load
from savedmodel.compat.v1.saved_model.loader import (
    maybe_saved_model_directory as maybe_saved_model_directory,
)
from savedmodel.compat.v1.saved_model.main_op import main_op_with_restore as main_op_with_restore
from savedmodel.compat.v1.saved_model.signature_def_utils import (
    build_signature_def as build_signature_def,
)
from savedmodel.compat.v1.saved_model.signature_def_utils import (
    classification_signature_def as classification_signature_def,
)
from savedmodel.compat.v1.saved_model.signature_def_utils import (
    is_valid_signature as is_valid_signature,
)
from savedmodel.compat.v1.saved_model.signature_def_utils import (
    predict_signature_def as predict_signature_def,
)
from savedmodel.compat.v1.saved_model.signature_def_utils import (
    regression_signature_def as regression_signature_def,
)
from savedmodel.compat.v1.saved_model.simple_save import simple_save as simple_save
from savedmodel.compat.v1.saved_model.utils import build_tensor_info as build_tensor_info
from savedmodel.compat.v1.saved_model.utils import (
    get_tensor_from_tensor_info as get_tensor_from_tensor_info,
)
from savedmodel.saved_model import constants as constants
from savedmodel.saved_model import signature_constants as signature_constants
from savedmodel.saved_model import tag_constants as tag_constants
from savedmodel.saved_model.constants import *  # noqa: F403
from savedmodel.saved_model.signature_constants import *  # noqa: F403
from savedmodel.saved_model.tag_constants import *  # noqa: F403

SavedModelBuilder = Builder
