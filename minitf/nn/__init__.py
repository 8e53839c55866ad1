"""The ``tf.nn`` namespace (TF 1.x names): re-exports only; the ops live in
``minitf/ops/nn_*.py``."""

from minitf.ops.math_ops import sigmoid, tanh
from minitf.ops.nn_activation_ops import (
    elu,
    leaky_relu,
    log_softmax,
    relu,
    relu6,
    selu,
    softmax,
    softplus,
    softsign,
)
from minitf.ops.nn_composite_ops import (
    atrous_conv2d,
    conv1d,
    crelu,
    relu_layer,
    separable_conv2d,
    swish,
    zero_fraction,
)
from minitf.ops.nn_conv_ops import (
    bias_add,
    conv2d,
    conv2d_backprop_filter,
    conv2d_backprop_input,
    conv2d_transpose,
    depthwise_conv2d,
    depthwise_conv2d_native,
    depthwise_conv2d_native_backprop_filter,
    depthwise_conv2d_native_backprop_input,
)
from minitf.ops.nn_embedding_ops import embedding_lookup
from minitf.ops.nn_embedding_sparse import embedding_lookup_sparse
from minitf.ops.nn_loss_ops import (
    l2_loss,
    sigmoid_cross_entropy_with_logits,
    softmax_cross_entropy_with_logits,
    softmax_cross_entropy_with_logits_v2,
    sparse_softmax_cross_entropy_with_logits,
    weighted_cross_entropy_with_logits,
)
from minitf.ops.nn_normalization_ops import (
    batch_normalization,
    fused_batch_norm,
    l2_normalize,
    local_response_normalization,
    lrn,
    moments,
    weighted_moments,
)
from minitf.ops.nn_ops import dropout, in_top_k, top_k, xw_plus_b
from minitf.ops.nn_pooling_ops import avg_pool, max_pool
from minitf.ops.nn_sampling_ops import (
    compute_accidental_hits,
    log_uniform_candidate_sampler,
    nce_loss,
    sampled_softmax_loss,
)
from minitf.rnn import rnn_cell  # recurrent networks: minitf/rnn
from minitf.rnn.rnn import (
    bidirectional_dynamic_rnn,
    dynamic_rnn,
    static_bidirectional_rnn,
    static_rnn,
)

max_pool2d = max_pool
avg_pool2d = avg_pool

__all__ = [
    "avg_pool2d", "max_pool2d",
    "atrous_conv2d", "avg_pool", "batch_normalization", "bias_add", "compute_accidental_hits",
    "conv1d", "conv2d", "conv2d_backprop_filter", "conv2d_backprop_input", "conv2d_transpose",
    "crelu", "depthwise_conv2d", "depthwise_conv2d_native",
    "depthwise_conv2d_native_backprop_filter", "depthwise_conv2d_native_backprop_input", "dropout",
    "elu", "embedding_lookup", "embedding_lookup_sparse", "fused_batch_norm", "in_top_k",
    "l2_loss", "l2_normalize",
    "leaky_relu", "local_response_normalization", "log_softmax", "log_uniform_candidate_sampler",
    "lrn", "max_pool", "moments", "nce_loss", "relu", "relu6", "relu_layer",
    "sampled_softmax_loss", "selu", "separable_conv2d", "sigmoid",
    "sigmoid_cross_entropy_with_logits", "softmax", "softmax_cross_entropy_with_logits",
    "softmax_cross_entropy_with_logits_v2", "softplus", "softsign",
    "sparse_softmax_cross_entropy_with_logits", "swish", "tanh", "top_k",
    "weighted_cross_entropy_with_logits", "weighted_moments", "xw_plus_b", "zero_fraction",
]
__all__ += ["bidirectional_dynamic_rnn", "dynamic_rnn", "rnn_cell", "static_bidirectional_rnn",
            "static_rnn"]
