"""Cases for the array ops (shapes, reshapes, concat/stack/split, pad/tile/reverse, slicing,
gather/scatter, constructors)."""

import numpy as np

import minitf as tf
from minitf.framework.op_def_library import apply_op
from minitf.ops.array_ops import broadcast_gradient_args
from tests.ops.cases import case, placeholder64, rand


def _int_ph(shape, dtype=tf.int32):
    return tf.placeholder(dtype, shape)


# --- shapes ---------------------------------------------------------------------------------------

@case("Shape", grad=False)
def shape_dynamic():
    x = placeholder64([None, 3])
    return tf.shape(x), {x: rand(2, 3)}


@case("ShapeN", grad=False)
def shape_n():
    x, y = placeholder64([None, 3]), placeholder64(None)
    return tf.concat(tf.shape_n([x, y], out_type=tf.int64), 0), {x: rand(2, 3), y: rand(4)}


@case("Size", grad=False)
def size_dynamic():
    x = placeholder64([None, 3])
    return tf.size(x, out_type=tf.int64), {x: rand(4, 3)}


@case("Rank", grad=False)
def rank_dynamic():
    x = placeholder64(None)
    return tf.rank(x), {x: rand(2, 3, 1)}


@case("Reshape")
def reshape():
    x = placeholder64([2, 3])
    return tf.reshape(x, [3, 2]), {x: rand(2, 3)}


@case("Reshape")
def reshape_partial():
    x = placeholder64([None, 6])
    return tf.reshape(x, [-1, 2, 3]), {x: rand(2, 6)}


@case("ExpandDims")
def expand_dims():
    x = placeholder64([2, 3])
    return tf.expand_dims(x, -1), {x: rand(2, 3)}


@case("Squeeze")
def squeeze():
    x = placeholder64([1, 3, 1])
    return tf.squeeze(x, [2]), {x: rand(1, 3, 1)}


@case("Fill")
def fill():
    v = placeholder64([])
    return tf.fill([2, 3], v), {v: np.float64(0.7)}


@case("ZerosLike")
def zeros_like():
    x = placeholder64([None, 3])
    return x * 2.0 + tf.zeros_like(x), {x: rand(2, 3)}


@case("OnesLike")
def ones_like():
    x = placeholder64([2, 3])
    return x * apply_op("OnesLike", x=x), {x: rand(2, 3)}


@case("BroadcastTo")
def broadcast_to():
    x = placeholder64([3, 1])
    return tf.broadcast_to(x, [2, 3, 4]), {x: rand(3, 1)}


@case("BroadcastGradientArgs", grad=False)
def broadcast_gradient_args_case():
    a, b = _int_ph([None]), _int_ph([None])
    r0, r1 = broadcast_gradient_args(a, b)
    return tf.concat([r0, r1], 0), {a: np.array([2, 1, 3], np.int32),
                                    b: np.array([1, 3], np.int32)}


@case("BroadcastArgs", grad=False)
def broadcast_args():
    a, b = _int_ph([None]), _int_ph([None])
    return tf.broadcast_dynamic_shape(a, b), {a: np.array([2, 1, 3], np.int32),
                                              b: np.array([4, 1], np.int32)}


# --- rearranging ----------------------------------------------------------------------------------

@case("Transpose")
def transpose():
    x = placeholder64([2, 3, 4])
    return tf.transpose(x, [1, 2, 0]), {x: rand(2, 3, 4)}


@case("ConjugateTranspose")
def conjugate_transpose():
    x = placeholder64([2, 3])
    return apply_op("ConjugateTranspose", x=x, perm=[1, 0]), {x: rand(2, 3)}


@case("InvertPermutation", grad=False)
def invert_permutation():
    p = _int_ph([None])
    return tf.invert_permutation(p), {p: np.array([2, 0, 3, 1], np.int32)}


@case("ConcatV2")
def concat():
    x, y = placeholder64([2, 3]), placeholder64([2, 1])
    return tf.concat([x, y], -1), {x: rand(2, 3), y: rand(2, 1)}


@case("ConcatV2")
def concat_dynamic():
    x, y = placeholder64([None, 3]), placeholder64([None, 3])
    return tf.concat([x, y], 0), {x: rand(2, 3), y: rand(1, 3)}


@case("ConcatOffset", grad=False)
def concat_offset():
    a, b = _int_ph([3]), _int_ph([3])
    offs = apply_op("ConcatOffset", concat_dim=1, shape=[a, b])
    return tf.stack(offs), {a: np.array([2, 3, 5], np.int32), b: np.array([2, 7, 5], np.int32)}


@case("Pack")
def pack():
    x, y = placeholder64([2, 3]), placeholder64([2, 3])
    return tf.stack([x, y], axis=1), {x: rand(2, 3), y: rand(2, 3)}


@case("Unpack")
def unpack():
    x = placeholder64([2, 3])
    return tf.unstack(x, axis=1)[2], {x: rand(2, 3)}


@case("Split")
def split():
    x = placeholder64([2, 4])
    return tf.split(x, 2, axis=1)[1], {x: rand(2, 4)}


@case("SplitV")
def split_v():
    x = placeholder64([5, 2])
    return tf.split(x, [2, -1], 0)[1], {x: rand(5, 2)}


@case("Tile")
def tile():
    x = placeholder64([2, 3])
    return tf.tile(x, [2, 3]), {x: rand(2, 3)}


@case("Pad")
def pad():
    x = placeholder64([2, 3])
    return tf.pad(x, [[1, 0], [2, 1]]), {x: rand(2, 3)}


@case("PadV2")
def pad_v2():
    x = placeholder64([2, 3])
    return tf.pad(x, [[1, 0], [2, 1]], constant_values=1.5), {x: rand(2, 3)}


@case("MirrorPad")
def mirror_pad_reflect():
    x = placeholder64([3, 4])
    return tf.pad(x, [[2, 1], [3, 2]], mode="REFLECT"), {x: rand(3, 4)}


@case("MirrorPad")
def mirror_pad_symmetric():
    x = placeholder64([3, 4])
    return tf.pad(x, [[3, 1], [0, 4]], mode="SYMMETRIC"), {x: rand(3, 4)}


@case("MirrorPadGrad")
def mirror_pad_grad():
    g = placeholder64([6, 9])
    return apply_op("MirrorPadGrad", input=g, paddings=[[2, 1], [3, 2]], mode="REFLECT"), \
        {g: rand(6, 9)}


@case("ReverseV2")
def reverse():
    x = placeholder64([2, 3, 4])
    return tf.reverse(x, [0, -1]), {x: rand(2, 3, 4)}


@case("ReverseSequence")
def reverse_sequence():
    x = placeholder64([3, 4, 2])
    return tf.reverse_sequence(x, [1, 4, 2], seq_axis=1, batch_axis=0), {x: rand(3, 4, 2)}


# --- slicing --------------------------------------------------------------------------------------

@case("StridedSlice")
def strided_slice_getitem():
    x = placeholder64([4, 5, 3])
    return x[1:, ::-2, None, 1], {x: rand(4, 5, 3)}


@case("StridedSlice")
def strided_slice_ellipsis():
    x = placeholder64([None, 5, 3])
    return x[..., 3:0:-1, :2], {x: rand(2, 5, 3)}


@case("StridedSliceGrad")
def strided_slice_grad():
    dy = placeholder64([2, 4])
    return apply_op("StridedSliceGrad", shape=[4, 5], begin=[1, 4], end=[3, 0], strides=[1, -1],
                    dy=dy), {dy: rand(2, 4)}


@case("Slice")
def slice_():
    x = placeholder64([3, 4])
    return tf.slice(x, [1, 1], [-1, 2]), {x: rand(3, 4)}


# --- gather / scatter ------------------------------------------------------------------------------

@case("GatherV2")
def gather_axis0():
    x = placeholder64([5, 3])
    return tf.gather(x, [[4, 0], [1, 4]]), {x: rand(5, 3)}


@case("GatherV2")
def gather_axis1():
    x = placeholder64([2, 5, 3])
    return tf.gather(x, [3, 0, 3], axis=1), {x: rand(2, 5, 3)}


@case("GatherNd")
def gather_nd():
    x = placeholder64([3, 4, 2])
    return tf.gather_nd(x, [[0, 1], [2, 3], [0, 1]]), {x: rand(3, 4, 2)}


@case("GatherNd")
def gather_nd_rows():
    x = placeholder64([3, 4])
    return tf.gather_nd(x, [[2], [0]]), {x: rand(3, 4)}


@case("ScatterNd")
def scatter_nd():
    u = placeholder64([3, 2])
    return tf.scatter_nd([[1], [3], [1]], u, [4, 2]), {u: rand(3, 2)}


@case("Unique", grad=False)
def unique():
    x = placeholder64([None])
    y, idx = tf.unique(x)
    return tf.concat([y, tf.cast(idx, tf.float64)], 0), \
        {x: np.array([3.0, 1.0, 3.0, 2.0, 1.0])}


@case("Select")
def select_rows():
    c = tf.placeholder(tf.bool, [3])
    x, y = placeholder64([3, 2]), placeholder64([3, 2])
    return tf.where(c, x, y), {c: np.array([True, False, True]), x: rand(3, 2), y: rand(3, 2)}


@case("Where", grad=False)
def where_coords():
    c = tf.placeholder(tf.bool, [2, 3])
    return tf.where(c), {c: np.array([[True, False, True], [False, False, True]])}


# --- constructors ----------------------------------------------------------------------------------

@case("LinSpace")
def linspace():
    a, b = placeholder64([]), placeholder64([])
    return tf.linspace(a, b, 5), {a: np.float64(-0.5), b: np.float64(2.0)}


@case("OneHot", grad=False)
def one_hot():
    i = _int_ph([3])
    return tf.one_hot(i, 4, on_value=2.0, off_value=-1.0, axis=0, dtype=tf.float64), \
        {i: np.array([3, 0, 7], np.int32)}


@case("Diag")
def diag():
    x = placeholder64([2, 3])
    return tf.diag(x), {x: rand(2, 3)}


@case("DiagPart")
def diag_part():
    x = placeholder64([2, 3, 2, 3])
    return tf.diag_part(x), {x: rand(2, 3, 2, 3)}


@case("MatrixDiagV3")
def matrix_diag():
    x = placeholder64([2, 3])
    return tf.matrix_diag(x, k=1), {x: rand(2, 3)}


@case("MatrixSetDiagV3")
def matrix_set_diag():
    x, d = placeholder64([2, 3, 4]), placeholder64([2, 3])
    return tf.matrix_set_diag(x, d, k=-0), {x: rand(2, 3, 4), d: rand(2, 3)}


@case("MatrixDiagPartV3")
def matrix_diag_part():
    x = placeholder64([2, 3, 4])
    return tf.matrix_diag_part(x, k=-1), {x: rand(2, 3, 4)}
