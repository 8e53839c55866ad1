"""Candidate sampling: LogUniformCandidateSampler and ComputeAccidentalHits, and the sampled
losses nce_loss / sampled_softmax_loss built from them with embedding_lookup, matmul and the
cross-entropies, as TF builds them (``_compute_sampled_logits``)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from minitf.framework import dtypes, errors
from minitf.framework.graph import name_scope
from minitf.framework.op_def_library import apply_op
from minitf.framework.op_registry import NotDifferentiable, register_op
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.framework.tensor_shape import TensorShape

__all__ = ["log_uniform_candidate_sampler", "compute_accidental_hits", "nce_loss",
           "sampled_softmax_loss"]

_FLT_MAX = float(np.finfo(np.float32).max)


def _math() -> Any:
    from minitf.ops import math_ops

    return math_ops


def _array() -> Any:
    from minitf.ops import array_ops

    return array_ops


# --- LogUniformCandidateSampler ------------------------------------------------------------------

def log_uniform_probability(values: np.ndarray, range_max: int) -> np.ndarray:
    """P(class) = log((c + 2) / (c + 1)) / log(range_max + 1) (Zipfian)."""
    v = np.asarray(values, dtype=np.float64)
    return np.log((v + 2.0) / (v + 1.0)) / math.log(range_max + 1)


def _expected_count(p: np.ndarray, batch_size: int, num_tries: int) -> np.ndarray:
    if num_tries == batch_size:
        return p * batch_size
    return -np.expm1(num_tries * np.log1p(-p))


def sample_log_uniform(gen: np.random.Generator, num_sampled: int, unique: bool,
                       range_max: int) -> tuple[np.ndarray, int]:
    """(candidates, number of draws): exp(u log(range_max + 1)) - 1, without repeats when
    ``unique`` (rejection, as TF's RangeSampler)."""
    log_range = math.log(range_max + 1)

    def draw(n: int) -> np.ndarray:
        return (np.exp(gen.random(n) * log_range).astype(np.int64) - 1) % range_max

    if not unique:
        return draw(num_sampled), num_sampled
    picked: list[int] = []
    seen: set[int] = set()
    tries = 0
    while len(picked) < num_sampled:
        batch = draw(max(2 * (num_sampled - len(picked)), 16))
        for v in batch.tolist():
            tries += 1
            if v not in seen:
                seen.add(v)
                picked.append(v)
                if len(picked) == num_sampled:
                    break
    return np.array(picked, dtype=np.int64), tries


def _sampler_kernel(op: Any, state: Any) -> Any:
    a = op._attrs
    num_true, num_sampled = a["num_true"], a["num_sampled"]
    unique, range_max = a["unique"], a["range_max"]

    def run(true_classes: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        t = np.asarray(true_classes)
        if t.ndim != 2 or t.shape[1] != num_true:
            raise errors.InvalidArgumentError(
                None, None, f"true_classes must be a matrix with num_true={num_true} columns, "
                            f"got shape {list(t.shape)}")
        if unique and num_sampled > range_max:
            raise errors.InvalidArgumentError(None, None, "Sampler's range is too small.")
        gen = state.random_generator(op)
        sampled, tries = sample_log_uniform(gen, num_sampled, unique, range_max)
        true_p = log_uniform_probability(t, range_max)
        samp_p = log_uniform_probability(sampled, range_max)
        return (sampled, _expected_count(true_p, num_sampled, tries).astype(np.float32),
                _expected_count(samp_p, num_sampled, tries).astype(np.float32))

    return run


def _sampler_shape(op: Any) -> list[TensorShape]:
    t = op.inputs[0].get_shape().with_rank(2)
    batch = t.as_list()[0] if t.ndims else None
    n = op._attrs["num_sampled"]
    return [TensorShape([n]), TensorShape([batch, op._attrs["num_true"]]), TensorShape([n])]


register_op("LogUniformCandidateSampler", inputs=["true_classes: int64"],
            outputs=["sampled_candidates: int64", "true_expected_count: float32",
                     "sampled_expected_count: float32"],
            attrs=["num_true: int >= 1", "num_sampled: int >= 1", "unique: bool",
                   "range_max: int >= 1", "seed: int = 0", "seed2: int = 0"],
            shape=_sampler_shape, make_kernel=_sampler_kernel, stateful=True)
NotDifferentiable("LogUniformCandidateSampler")


def _seeds(seed: Any) -> dict[str, int]:
    from minitf.ops import random_ops

    s1, s2 = random_ops.get_seed(seed)
    return {"seed": int(s1 or 0), "seed2": int(s2 or 0)}


def log_uniform_candidate_sampler(true_classes: Any, num_true: int, num_sampled: int,
                                  unique: bool, range_max: int, seed: Any = None,
                                  name: str | None = None) -> Any:
    """Samples classes from the log-uniform (Zipfian) distribution over [0, range_max).

    Returns (sampled_candidates, true_expected_count, sampled_expected_count).
    """
    return apply_op("LogUniformCandidateSampler", name=name or "LogUniformCandidateSampler",
                    true_classes=true_classes, num_true=num_true, num_sampled=num_sampled,
                    unique=unique, range_max=range_max, **_seeds(seed))


# --- ComputeAccidentalHits -----------------------------------------------------------------------

def _accidental_hits_ref(true_classes: Any, sampled: Any,
                         num_true: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    t, s = np.asarray(true_classes), np.asarray(sampled)
    if t.ndim != 2 or t.shape[1] != num_true:
        raise errors.InvalidArgumentError(None, None, f"true_classes must be a matrix with "
                                                      f"num_true={num_true} columns")
    rows, ids = [], []
    positions: dict[int, list[int]] = {}
    for j, v in enumerate(s.tolist()):
        positions.setdefault(v, []).append(j)
    for i, row in enumerate(t.tolist()):
        for c in row:
            for j in positions.get(c, ()):
                rows.append(i)
                ids.append(j)
    n = len(rows)
    return (np.array(rows, dtype=np.int32), np.array(ids, dtype=np.int64),
            np.full(n, -_FLT_MAX, dtype=np.float32))


register_op("ComputeAccidentalHits", inputs=["true_classes: int64", "sampled_candidates: int64"],
            outputs=["indices: int32", "ids: int64", "weights: float32"],
            attrs=["num_true: int", "seed: int = 0", "seed2: int = 0"],
            shape=lambda op: [TensorShape([None])] * 3, reference=_accidental_hits_ref,
            kernel_attrs=("num_true",))
NotDifferentiable("ComputeAccidentalHits")


def compute_accidental_hits(true_classes: Any, sampled_candidates: Any, num_true: int,
                            seed: Any = None, name: str | None = None) -> Any:
    """(row indices, sampled positions, -FLT_MAX weights) of sampled candidates equal to a
    true class of their row."""
    return apply_op("ComputeAccidentalHits", name=name or "ComputeAccidentalHits",
                    true_classes=true_classes, sampled_candidates=sampled_candidates,
                    num_true=num_true, **_seeds(seed))


# --- sampled losses ------------------------------------------------------------------------------

def _sum_rows(x: Tensor) -> Tensor:
    return _math().reduce_sum(x, 1)


def _compute_sampled_logits(weights: Any, biases: Any, labels: Any, inputs: Any,
                            num_sampled: int, num_classes: int, num_true: int = 1,
                            sampled_values: Any = None, subtract_log_q: bool = True,
                            remove_accidental_hits: bool = False,
                            partition_strategy: str = "mod", name: str | None = None,
                            seed: Any = None) -> tuple[Tensor, Tensor]:
    from minitf.ops.gradients_impl import stop_gradient
    from minitf.ops.nn_embedding_ops import embedding_lookup

    m, a = _math(), _array()
    if not isinstance(weights, (list, tuple)):
        weights = [weights]
    weights = list(weights)
    with name_scope(name, "compute_sampled_logits", weights + [biases, inputs, labels]):
        labels = convert_to_tensor(labels, name="labels")
        if labels.dtype.base_dtype != dtypes.int64:
            labels = m.cast(labels, dtypes.int64)
        inputs = convert_to_tensor(inputs, name="inputs")
        labels_flat = a.reshape(labels, np.array([-1], dtype=np.int32))
        if sampled_values is None:
            sampled_values = log_uniform_candidate_sampler(
                true_classes=labels, num_true=num_true, num_sampled=num_sampled, unique=True,
                range_max=num_classes, seed=seed)
        sampled, true_expected, sampled_expected = (stop_gradient(s) for s in sampled_values)
        sampled = m.cast(sampled, dtypes.int64)
        all_ids = a.concat([labels_flat, sampled], 0)
        all_w = embedding_lookup(weights, all_ids, partition_strategy=partition_strategy)
        if all_w.dtype.base_dtype != inputs.dtype.base_dtype:
            all_w = m.cast(all_w, inputs.dtype.base_dtype)
        n_true = a.shape(labels_flat)[0]
        true_w = a.slice(all_w, [0, 0], a.stack([n_true, -1]))
        sampled_w = a.slice(all_w, a.stack([n_true, 0]), [-1, -1])
        sampled_logits = m.matmul(inputs, sampled_w, transpose_b=True)
        all_b = embedding_lookup(biases, all_ids, partition_strategy=partition_strategy)
        if all_b.dtype.base_dtype != inputs.dtype.base_dtype:
            all_b = m.cast(all_b, inputs.dtype.base_dtype)
        true_b = a.slice(all_b, [0], a.shape(labels_flat))
        sampled_b = a.slice(all_b, a.shape(labels_flat), [-1])
        dim = a.shape(true_w)[1:2]
        new_true_w_shape = a.concat([[-1, num_true], dim], 0)
        row_wise_dots = m.multiply(a.expand_dims(inputs, 1), a.reshape(true_w, new_true_w_shape))
        dots_as_matrix = a.reshape(row_wise_dots, a.concat([[-1], dim], 0))
        true_logits = a.reshape(_sum_rows(dots_as_matrix), [-1, num_true])
        true_b = a.reshape(true_b, [-1, num_true])
        true_logits += true_b
        sampled_logits += sampled_b
        if remove_accidental_hits:
            acc_indices, acc_ids, acc_weights = compute_accidental_hits(labels, sampled,
                                                                        num_true=num_true)
            rows = a.shape(labels)[0]
            flat = m.cast(acc_indices, dtypes.int64) * num_sampled + acc_ids
            hits = m.unsorted_segment_sum(a.ones_like(acc_weights), flat,
                                          m.cast(rows, dtypes.int64) * num_sampled)
            mask = a.reshape(hits > 0, a.stack([rows, num_sampled]))
            penalty = convert_to_tensor(-_FLT_MAX, dtype=sampled_logits.dtype.base_dtype)
            sampled_logits += a.where(mask, a.fill(a.shape(sampled_logits), penalty),
                                      a.zeros_like(sampled_logits))
        if subtract_log_q:
            true_logits -= m.log(true_expected)
            sampled_logits -= m.log(sampled_expected)
        out_logits = a.concat([true_logits, sampled_logits], 1)
        out_labels = a.concat([a.ones_like(true_logits) / num_true,
                               a.zeros_like(sampled_logits)], 1)
        return out_logits, out_labels


def nce_loss(weights: Any, biases: Any, labels: Any, inputs: Any, num_sampled: int,
             num_classes: int, num_true: int = 1, sampled_values: Any = None,
             remove_accidental_hits: bool = False, partition_strategy: str = "mod",
             name: str = "nce_loss") -> Tensor:
    """Noise-contrastive estimation loss per example (Gutmann & Hyvarinen): logistic loss of
    the true classes against ``num_sampled`` log-uniform negatives."""
    from minitf.ops.nn_loss_ops import sigmoid_cross_entropy_with_logits

    logits, labels = _compute_sampled_logits(
        weights=weights, biases=biases, labels=labels, inputs=inputs, num_sampled=num_sampled,
        num_classes=num_classes, num_true=num_true, sampled_values=sampled_values,
        subtract_log_q=True, remove_accidental_hits=remove_accidental_hits,
        partition_strategy=partition_strategy, name=name)
    losses = sigmoid_cross_entropy_with_logits(labels=labels, logits=logits,
                                               name="sampled_losses")
    return _sum_rows(losses)


def sampled_softmax_loss(weights: Any, biases: Any, labels: Any, inputs: Any, num_sampled: int,
                         num_classes: int, num_true: int = 1, sampled_values: Any = None,
                         remove_accidental_hits: bool = True, partition_strategy: str = "mod",
                         name: str = "sampled_softmax_loss", seed: Any = None) -> Tensor:
    """Softmax cross-entropy over the true class and ``num_sampled`` sampled classes
    (Jean et al. 2014); a cheap training-time estimate of the full softmax loss."""
    from minitf.ops.gradients_impl import stop_gradient
    from minitf.ops.nn_loss_ops import softmax_cross_entropy_with_logits_v2

    logits, labels = _compute_sampled_logits(
        weights=weights, biases=biases, labels=labels, inputs=inputs, num_sampled=num_sampled,
        num_classes=num_classes, num_true=num_true, sampled_values=sampled_values,
        subtract_log_q=True, remove_accidental_hits=remove_accidental_hits,
        partition_strategy=partition_strategy, name=name, seed=seed)
    labels = stop_gradient(labels, name="labels_stop_gradient")
    return softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
