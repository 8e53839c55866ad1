"""minitf: a TensorFlow 1.x-style dataflow graph engine.

``import minitf as tf`` and write TF1 code: build a static graph, run it in a Session.
This module only re-exports; each op family lists its public names in ``__all__``.
"""

from minitf.framework import errors
from minitf.framework.dtypes import *  # noqa: F403
from minitf.framework.dtypes import DType, as_dtype
from minitf.framework.tensor_shape import Dimension, TensorShape
from minitf.framework.device_spec import DeviceSpec
from minitf.framework.tensor import Tensor
from minitf.framework.operation import Operation
from minitf.framework.graph import (
    Graph,
    GraphKeys,
    add_to_collection,
    add_to_collections,
    colocate_with,
    control_dependencies,
    device,
    get_collection,
    get_collection_ref,
    get_default_graph,
    get_name_scope,
    name_scope,
    reset_default_graph,
)
from minitf.framework.op_registry import (
    NotDifferentiable,
    RegisterGradient,
    no_gradient,
)
from minitf.framework.tensor_conversion import (
    convert_to_tensor,
    is_tensor,
    register_tensor_conversion_function,
)
from minitf.ops.constant_op import constant
from minitf.ops.array_ops import *  # noqa: F403
from minitf.ops.math_ops import *  # noqa: F403
from minitf.ops.state_ops import *  # noqa: F403
from minitf.ops.control_flow_ops import *  # noqa: F403
from minitf.ops.control_flow_ops import tuple_ as tuple  # noqa: A001
from minitf.ops.functional_ops import foldl, foldr, map_fn, scan
from minitf.ops.tensor_array_ops import TensorArray
from minitf.ops.variables import *  # noqa: F403
from minitf.ops.variable_scope import *  # noqa: F403
from minitf.ops.init_ops import *  # noqa: F403
from minitf.ops.random_ops import *  # noqa: F403
from minitf.ops import nn_ops as _nn_ops  # registers the nn op types
from minitf.ops import training_ops as _training_ops  # registers Apply* (GraphDef import)
from minitf.ops.clip_ops import *  # noqa: F403
from minitf.ops.data_flow_ops import *  # noqa: F403
from minitf.ops.io_ops import *  # noqa: F403
from minitf.ops.parsing_ops import *  # noqa: F403
from minitf.ops.check_ops import *  # noqa: F403
from minitf.ops.linalg_ops import *  # noqa: F403
from minitf.platform.eager import *  # noqa: F403
from minitf.ops.gradients_impl import gradients, hessians, stop_gradient
from minitf.framework.indexed_slices import IndexedSlices, IndexedSlicesValue
from minitf.framework.sparse_tensor import (
    SparseTensor,
    SparseTensorValue,
    convert_to_tensor_or_sparse_tensor,
)
from minitf.ops.sparse_ops import *  # noqa: F403
from minitf.ops.sparse_more_ops import (
    setdiff1d,
    sparse_fill_empty_rows,
    sparse_mask,
    sparse_maximum,
    sparse_minimum,
    sparse_softmax,
)
from minitf.ops.nn_embedding_sparse import (
    sparse_segment_mean,
    sparse_segment_sqrt_n,
    sparse_segment_sum,
)
from minitf.framework.graph_io import import_graph_def
from minitf.ops.math_ops import range_ as range  # noqa: A001
from minitf.client.session import (
    InteractiveSession,
    Session,
    get_default_session,
)

__version__ = "0.1.0"

from minitf import _lazy

for _name, _module in {
    "test": "minitf.testing",
    "nn": "minitf.nn",
    "train": "minitf.train",
    "saved_model": "minitf.saved_model",
    "summary": "minitf.summary",
    "layers": "minitf.layers",
    "contrib": "minitf.contrib",
    "initializers": "minitf.initializers",
    "keras": "minitf.keras",
    "examples": "minitf.examples",
    "datasets": "minitf.datasets",
    "data": "minitf.data",
    "viz": "minitf.viz",
    "compat": "minitf.compat",
    "random": "minitf.api.random",
    "math": "minitf.api.math",
    "linalg": "minitf.api.linalg",
    "bitwise": "minitf.api.bitwise",
    "losses": "minitf.losses",
    "metrics": "minitf.metrics",
    "app": "minitf.platform.app",
    "flags": "minitf.platform.flags",
    "logging": "minitf.platform.tf_logging",
    "gfile": "minitf.platform.gfile",
    "dtypes": "minitf.framework.dtypes",
    "graph_util": "minitf.framework.graph_util",
    "debugging": "minitf.api.debugging",
    "image": "minitf.image",
    "sparse": "minitf.api.sparse",
    "queue": "minitf.api.queue",
}.items():
    _lazy.register(_name, _module)
_lazy.register("extract_image_patches", "minitf.ops.image_patches_ops", "extract_image_patches")
for _name in ("ConfigProto", "RunOptions", "RunMetadata", "GPUOptions", "GraphOptions",
              "OptimizerOptions", "GraphDef", "NodeDef", "AttrValue", "TensorProto",
              "MetaGraphDef", "Summary", "Event", "SessionLog", "HistogramProto"):
    _lazy.register(_name, "minitf.framework.proto", _name)


def __getattr__(name: str):  # noqa: ANN202 - module-level lazy attributes
    """Lazily imported parts of the API (keeps ``import minitf`` fast)."""
    from minitf import _lazy

    return _lazy.resolve(name)
