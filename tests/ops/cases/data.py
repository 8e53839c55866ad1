"""Cases of the tf.data ops: each builds a small pipeline and fetches one get_next."""

import numpy as np

import minitf as tf
from tests.ops.cases import case, exempt, placeholder64, rand

exempt("MinitfFnArg", "a tf.data function's argument: fed by its dataset op; tests/data/")


def _first(ds):
    return ds.make_one_shot_iterator().get_next()


def _slices():
    x = placeholder64([4, 3])
    it = tf.data.Dataset.from_tensor_slices(x).make_initializable_iterator()
    with tf.control_dependencies([it.initializer]):
        return it.get_next(), {x: rand(4, 3)}


for _t in ("TensorSliceDataset", "IteratorV2", "MakeIterator"):
    case(_t, grad=False)(_slices)


@case("TensorDataset", grad=False)
def _():
    return _first(tf.data.Dataset.from_tensors(np.arange(3.0))), {}


@case("RangeDataset", grad=False)
@case("OneShotIterator", grad=False)
@case("IteratorGetNext", grad=False)
def _():
    return _first(tf.data.Dataset.range(3, 9, 2)), {}


@case("GeneratorDataset", grad=False)
def _():
    return _first(tf.data.Dataset.from_generator(lambda: iter([[1.0, 2.0]]), tf.float64)), {}


@case("ZipDataset", grad=False)
def _():
    return _first(tf.data.Dataset.zip((tf.data.Dataset.range(2),
                                       tf.data.Dataset.range(5, 9))))[1], {}


@case("ConcatenateDataset", grad=False)
def _():
    ds = tf.data.Dataset.range(0).concatenate(tf.data.Dataset.range(4, 6))
    return _first(ds), {}


@case("MapDataset", grad=False)
def _():
    return _first(tf.data.Dataset.from_tensors(np.arange(4.0)).map(lambda v: v * 2.0)), {}


@case("ParallelMapDataset", grad=False)
def _():
    return _first(tf.data.Dataset.range(3).map(lambda v: v + 1, num_parallel_calls=2)), {}


@case("FilterDataset", grad=False)
def _():
    return _first(tf.data.Dataset.range(9).filter(lambda v: v > 4)), {}


@case("FlatMapDataset", grad=False)
def _():
    return _first(tf.data.Dataset.range(1, 3).flat_map(
        lambda v: tf.data.Dataset.from_tensors(tf.fill([v], v)))), {}


@case("BatchDatasetV2", grad=False)
def _():
    return _first(tf.data.Dataset.range(7).batch(3)), {}


@case("PaddedBatchDatasetV2", grad=False)
def _():
    ds = tf.data.Dataset.range(1, 4).map(lambda v: tf.fill([v], v))
    return _first(ds.padded_batch(3, padded_shapes=[None])), {}


@case("ShuffleDataset", grad=False)
def _():
    return _first(tf.data.Dataset.range(6).shuffle(6, seed=5).batch(6)), {}


@case("RepeatDataset", grad=False)
@case("TakeDataset", grad=False)
@case("SkipDataset", grad=False)
@case("PrefetchDataset", grad=False)
@case("CacheDataset", grad=False)
def _():
    ds = tf.data.Dataset.range(3).cache().repeat(3).skip(2).take(4).prefetch(1).batch(4)
    return _first(ds), {}


@case("IteratorToStringHandle", grad=False)
@case("IteratorFromStringHandleV2", grad=False)
def _():
    it = tf.data.Dataset.range(4).make_one_shot_iterator()
    feedable = tf.data.Iterator.from_string_handle(it.string_handle(), tf.int64, [])
    return feedable.get_next(), {}
