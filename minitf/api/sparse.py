"""``tf.sparse``: the TF 1.x ``tf.sparse.*`` names for the sparse ops (re-exports only)."""

from minitf.framework.sparse_tensor import SparseTensor, SparseTensorValue
from minitf.ops.nn_embedding_sparse import sparse_segment_mean as segment_mean
from minitf.ops.nn_embedding_sparse import sparse_segment_sqrt_n as segment_sqrt_n
from minitf.ops.nn_embedding_sparse import sparse_segment_sum as segment_sum
from minitf.ops.sparse_more_ops import from_dense
from minitf.ops.sparse_more_ops import sparse_fill_empty_rows as fill_empty_rows
from minitf.ops.sparse_more_ops import sparse_mask as mask
from minitf.ops.sparse_more_ops import sparse_maximum as maximum
from minitf.ops.sparse_more_ops import sparse_minimum as minimum
from minitf.ops.sparse_more_ops import sparse_softmax as softmax
from minitf.ops.sparse_ops import sparse_add as add
from minitf.ops.sparse_ops import sparse_concat as concat
from minitf.ops.sparse_ops import sparse_placeholder as placeholder
from minitf.ops.sparse_ops import sparse_reduce_sum as reduce_sum
from minitf.ops.sparse_ops import sparse_reduce_sum_sparse as reduce_sum_sparse
from minitf.ops.sparse_ops import sparse_reorder as reorder
from minitf.ops.sparse_ops import sparse_reshape as reshape
from minitf.ops.sparse_ops import sparse_retain as retain
from minitf.ops.sparse_ops import sparse_tensor_dense_matmul as matmul
from minitf.ops.sparse_ops import sparse_tensor_dense_matmul as sparse_dense_matmul
from minitf.ops.sparse_ops import sparse_tensor_to_dense as to_dense
from minitf.ops.sparse_ops import sparse_to_dense
from minitf.ops.sparse_ops import sparse_transpose as transpose

__all__ = ["SparseTensor", "SparseTensorValue", "add", "concat", "fill_empty_rows",
           "from_dense", "mask", "matmul", "maximum", "minimum", "placeholder", "reduce_sum",
           "reduce_sum_sparse", "reorder", "reshape", "retain", "segment_mean",
           "segment_sqrt_n", "segment_sum", "softmax", "sparse_dense_matmul", "sparse_to_dense",
           "to_dense", "transpose"]
