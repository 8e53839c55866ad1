"""Summary ops (TF's logging_ops: ScalarSummary, HistogramSummary, ImageSummary, AudioSummaryV2,
TensorSummaryV2, MergeSummary ...) and the ``tf.summary`` wrappers that build them.

Each op outputs a serialized ``Summary`` protocol buffer (a scalar string tensor) with the
bytes TensorFlow's kernel produces; tags follow TF 1.x: the name scope the wrapper opens
(``train/loss``, made unique as ``train/loss_1``), prefixed by ``family`` when given.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from minitf.framework import dtypes, errors
from minitf.framework.graph import GraphKeys, add_to_collection, get_collection, name_scope
from minitf.framework.op_def_library import apply_op
from minitf.framework.op_registry import NotDifferentiable, register_op
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.framework.tensor_shape import TensorShape
from minitf.summary import encoding

__all__ = ["scalar", "histogram", "image", "audio", "text", "tensor_summary", "merge",
           "merge_all", "get_summary_description"]

_BAD_COLOR = np.array([255, 0, 0, 255], dtype=np.uint8)


def _scalar_shape(op: Any) -> list[TensorShape]:
    return [TensorShape([])]


def _shape_str(shape: tuple[int, ...]) -> str:
    return "[" + ",".join(str(d) for d in shape) + "]"


def _bad(message: str) -> errors.OpError:
    return errors.InvalidArgumentError(None, None, message)


def _summary_bytes(summary: Any) -> np.ndarray:
    return np.array(summary.SerializeToString(), dtype=object)


def _tag(t: Any) -> str:
    v = np.asarray(t).reshape(-1)
    if v.size != 1:
        raise _bad(f"tag must be scalar, got shape {_shape_str(np.shape(t))}")
    item = v[0]
    return item.decode() if isinstance(item, bytes) else str(item)


def _new_summary() -> Any:
    from minitf.framework.proto import Summary

    return Summary()


# --- ScalarSummary -------------------------------------------------------------------------------

def _scalar_reference(tags: Any, values: Any) -> np.ndarray:
    tags = np.asarray(tags, dtype=object)
    values = np.asarray(values)
    if tags.shape != values.shape:
        single = f" (tag '{_tag(tags)}')" if tags.size == 1 else ""
        raise _bad(f"tags and values are not the same shape: {_shape_str(tags.shape)} != "
                   f"{_shape_str(values.shape)}{single}")
    s = _new_summary()
    for t, v in zip(tags.ravel().tolist(), values.ravel().tolist()):
        s.value.add(tag=t.decode() if isinstance(t, bytes) else str(t), simple_value=float(v))
    return _summary_bytes(s)


register_op("ScalarSummary", inputs=["tags: string", "values: T"], outputs=["summary: string"],
            attrs=["T: real"], shape=_scalar_shape, reference=_scalar_reference,
            doc="A Summary with one simple_value per element of `values`, tagged by `tags`.")
NotDifferentiable("ScalarSummary")


# --- HistogramSummary ----------------------------------------------------------------------------

def _histogram_kernel(op: Any, state: Any) -> Any:
    node = op.name

    def histogram_summary(tag: Any, values: Any) -> np.ndarray:
        try:
            histo = encoding.histogram_proto(values)
        except ValueError as e:
            if str(e) == "nan":
                raise _bad(f"Nan in summary histogram for: {node}") from None
            raise _bad(f"Infinity in Histogram for: {node}") from None
        s = _new_summary()
        s.value.add(tag=_tag(tag)).histo.CopyFrom(histo)
        return _summary_bytes(s)

    return histogram_summary


register_op("HistogramSummary", inputs=["tag: string", "values: T"], outputs=["summary: string"],
            attrs=["T: real = float32"], shape=_scalar_shape, make_kernel=_histogram_kernel,
            doc="A Summary with a histogram of `values` (TF's default buckets).")
NotDifferentiable("HistogramSummary")


# --- ImageSummary --------------------------------------------------------------------------------

def _image_reference(tag: Any, tensor: Any, max_images: int = 3,
                     bad_color: Any = None) -> np.ndarray:
    arr = np.asarray(tensor)
    if arr.ndim != 4 or arr.shape[3] not in (1, 3, 4):
        raise _bad(f"Tensor must be 4-D with last dim 1, 3, or 4, not {_shape_str(arr.shape)}")
    if arr.shape[1] >= 2 ** 31 or arr.shape[2] >= 2 ** 31:
        raise _bad("image too large to encode")
    color = _BAD_COLOR if bad_color is None else np.asarray(bad_color, dtype=np.uint8).ravel()
    if color.size < arr.shape[3]:
        raise _bad(f"bad_color must have at least {arr.shape[3]} elements, has {color.size}")
    base = _tag(tag)
    s = _new_summary()
    for i in range(min(int(max_images), arr.shape[0])):
        v = s.value.add(tag=f"{base}/image/{i}" if max_images > 1 else f"{base}/image")
        img = encoding.image_to_uint8(arr[i], color)
        v.image.height = int(arr.shape[1])
        v.image.width = int(arr.shape[2])
        v.image.colorspace = int(arr.shape[3])
        v.image.encoded_image_string = encoding.encode_png(img)
    return _summary_bytes(s)


register_op("ImageSummary", inputs=["tag: string", "tensor: T"], outputs=["summary: string"],
            attrs=["max_images: int >= 1 = 3", "T: {uint8, float32, float16, float64} = float32",
                   "bad_color: tensor"],
            shape=_scalar_shape, reference=_image_reference,
            kernel_attrs=("max_images", "bad_color"),
            doc="A Summary with up to `max_images` PNG-encoded images of a [batch, h, w, c] "
                "tensor.")
NotDifferentiable("ImageSummary")


# --- AudioSummary / AudioSummaryV2 ---------------------------------------------------------------

def _audio_summary(tag: Any, tensor: Any, sample_rate: float, max_outputs: int) -> np.ndarray:
    arr = np.asarray(tensor, dtype=np.float32)
    if arr.ndim not in (2, 3):
        raise _bad(f"Tensor must be 3-D or 2-D, got: {_shape_str(arr.shape)}")
    if not sample_rate > 0:
        raise _bad(f"sample_rate must be > 0, got {sample_rate}")
    if arr.ndim == 2:
        arr = arr[:, :, None]
    base = _tag(tag)
    s = _new_summary()
    for i in range(min(int(max_outputs), arr.shape[0])):
        v = s.value.add(tag=f"{base}/audio/{i}" if max_outputs > 1 else f"{base}/audio")
        v.audio.sample_rate = float(sample_rate)
        v.audio.num_channels = int(arr.shape[2])
        v.audio.length_frames = int(arr.shape[1])
        v.audio.encoded_audio_string = encoding.encode_wav(arr[i], int(sample_rate))
        v.audio.content_type = "audio/wav"
    return _summary_bytes(s)


def _audio_v2_reference(tag: Any, tensor: Any, sample_rate: Any,
                        max_outputs: int = 3) -> np.ndarray:
    rate = np.asarray(sample_rate)
    if rate.ndim != 0:
        raise _bad(f"sample_rate must be rank 0 (got {_shape_str(rate.shape)})")
    return _audio_summary(tag, tensor, float(rate), max_outputs)


def _audio_v1_reference(tag: Any, tensor: Any, sample_rate: float = 0.0,
                        max_outputs: int = 3) -> np.ndarray:
    return _audio_summary(tag, tensor, float(sample_rate), max_outputs)


register_op("AudioSummaryV2", inputs=["tag: string", "tensor: float32", "sample_rate: float32"],
            outputs=["summary: string"], attrs=["max_outputs: int >= 1 = 3"],
            shape=_scalar_shape, reference=_audio_v2_reference, kernel_attrs=("max_outputs",),
            doc="A Summary with up to `max_outputs` WAV-encoded clips of a [batch, frames, "
                "channels] tensor.")
NotDifferentiable("AudioSummaryV2")
register_op("AudioSummary", inputs=["tag: string", "tensor: float32"],
            outputs=["summary: string"], attrs=["sample_rate: float", "max_outputs: int >= 1 = 3"],
            shape=_scalar_shape, reference=_audio_v1_reference,
            kernel_attrs=("sample_rate", "max_outputs"),
            doc="Deprecated form of AudioSummaryV2 with the sample rate as an attribute.")
NotDifferentiable("AudioSummary")


# --- TensorSummaryV2 / TensorSummary -------------------------------------------------------------

def _tensor_v2_kernel(op: Any, state: Any) -> Any:
    dtype = op.inputs[1].dtype

    def tensor_summary_v2(tag: Any, tensor: Any, metadata: Any) -> np.ndarray:
        from minitf.framework.proto import DecodeError

        s = _new_summary()
        v = s.value.add(tag=_tag(tag))
        v.tensor.CopyFrom(encoding.tensor_proto_for_summary(tensor, dtype))
        raw = np.asarray(metadata, dtype=object).reshape(-1)[0]
        raw = raw if isinstance(raw, bytes) else str(raw).encode()
        v.metadata.SetInParent()
        try:
            v.metadata.MergeFromString(raw)
        except DecodeError:
            raise _bad("Could not parse serialized_summary_metadata") from None
        return _summary_bytes(s)

    return tensor_summary_v2


register_op("TensorSummaryV2", inputs=["tag: string", "tensor: T",
                                       "serialized_summary_metadata: string"],
            outputs=["summary: string"], attrs=["T: type"], shape=_scalar_shape,
            make_kernel=_tensor_v2_kernel,
            doc="A Summary holding a whole tensor, with plugin metadata.")
NotDifferentiable("TensorSummaryV2")


def _tensor_v1_kernel(op: Any, state: Any) -> Any:
    dtype = op.inputs[0].dtype
    node = op.name
    description = op._attrs.get("description") or ""
    display_name = op._attrs.get("display_name") or ""

    def tensor_summary(tensor: Any) -> np.ndarray:
        s = _new_summary()
        v = s.value.add(node_name=node)
        v.tensor.CopyFrom(encoding.tensor_proto_for_summary(tensor, dtype))
        if description:
            v.metadata.summary_description = description
        if display_name:
            v.metadata.display_name = display_name
        return _summary_bytes(s)

    return tensor_summary


register_op("TensorSummary", inputs=["tensor: T"], outputs=["summary: string"],
            attrs=["T: type", "description: string = ''", "labels: list(string) = []",
                   "display_name: string = ''"],
            shape=_scalar_shape, make_kernel=_tensor_v1_kernel,
            doc="Deprecated form of TensorSummaryV2 (tagged by node name).")
NotDifferentiable("TensorSummary")


# --- MergeSummary --------------------------------------------------------------------------------

def _merge_reference(*inputs: Any) -> np.ndarray:
    from minitf.framework.proto import DecodeError, Summary

    out = Summary()
    seen: set[str] = set()
    for value in inputs:
        for raw in np.asarray(value, dtype=object).ravel().tolist():
            raw = raw if isinstance(raw, bytes) else str(raw).encode()
            part = Summary()
            try:
                part.MergeFromString(raw)
            except DecodeError:
                raise _bad("Could not parse one of the summary inputs") from None
            for v in part.value:
                if v.tag and v.tag in seen:
                    raise _bad(f"Duplicate tag {v.tag} found in summary inputs ")
                if v.tag:
                    seen.add(v.tag)
                out.value.add().CopyFrom(v)
    return _summary_bytes(out)


register_op("MergeSummary", inputs=["inputs: N * string"], outputs=["summary: string"],
            attrs=["N: int >= 1"], shape=_scalar_shape, reference=_merge_reference,
            doc="The union of the values of serialized Summary protos (tags must be unique).")
NotDifferentiable("MergeSummary")


# --- the tf.summary wrappers ---------------------------------------------------------------------

_INVALID_TAG_CHARACTERS = re.compile(r"[^-/\w.]")


def _clean_tag(name: str | None) -> str | None:
    """TF's summary_op_util.clean_tag: invalid characters become ``_``; leading ``/`` drop."""
    if name is None:
        return None
    return _INVALID_TAG_CHARACTERS.sub("_", name).lstrip("/")


class _SummaryScope:
    """TF's ``summary_scope``: the name scope of a summary op and its tag."""

    def __init__(self, name: str, family: str | None, values: list[Any]) -> None:
        self._name = _clean_tag(name)
        self._family = _clean_tag(family)
        base = self._name if self._family is None else f"{self._family}/{self._name}"
        self._cm = name_scope(base, None, values)

    def __enter__(self) -> tuple[str, str]:
        scope = self._cm.__enter__()
        stripped = scope.rstrip("/")
        tag = stripped if self._family is None else f"{self._family}/{stripped}"
        return tag, scope

    def __exit__(self, *exc: Any) -> None:
        self._cm.__exit__(*exc)


def _collect(value: Any, collections: Any, default: list[str]) -> None:
    for key in default if collections is None else collections:
        add_to_collection(key, value)


def scalar(name: str, tensor: Any, collections: list[str] | None = None,
           family: str | None = None) -> Any:
    """A ``ScalarSummary`` of a real scalar tensor (``tf.summary.scalar``)."""
    with _SummaryScope(name, family, [tensor]) as (tag, scope):
        val = apply_op("ScalarSummary", name=scope, tags=tag, values=tensor)
        _collect(val, collections, [GraphKeys.SUMMARIES])
    return val


def histogram(name: str, values: Any, collections: list[str] | None = None,
              family: str | None = None) -> Any:
    """A ``HistogramSummary`` of ``values`` (``tf.summary.histogram``)."""
    with _SummaryScope(name, family, [values]) as (tag, scope):
        val = apply_op("HistogramSummary", name=scope, tag=tag, values=values)
        _collect(val, collections, [GraphKeys.SUMMARIES])
    return val


def image(name: str, tensor: Any, max_outputs: int = 3, collections: list[str] | None = None,
          family: str | None = None) -> Any:
    """An ``ImageSummary`` of a [batch, height, width, 1|3|4] tensor (``tf.summary.image``):
    uint8 images as they are, float images rescaled to [0, 255] as TF does."""
    with _SummaryScope(name, family, [tensor]) as (tag, scope):
        val = apply_op("ImageSummary", name=scope, tag=tag, tensor=tensor,
                       max_images=max_outputs, bad_color=_BAD_COLOR.copy())
        _collect(val, collections, [GraphKeys.SUMMARIES])
    return val


def audio(name: str, tensor: Any, sample_rate: Any, max_outputs: int = 3,
          collections: list[str] | None = None, family: str | None = None) -> Any:
    """An ``AudioSummaryV2`` of a [batch, frames(, channels)] float tensor in [-1, 1]
    (``tf.summary.audio``), encoded as 16-bit WAV."""
    with _SummaryScope(name, family, [tensor]) as (tag, scope):
        rate = convert_to_tensor(sample_rate, dtype=dtypes.float32, name="sample_rate")
        val = apply_op("AudioSummaryV2", name=scope, tag=tag, tensor=tensor,
                       max_outputs=max_outputs, sample_rate=rate)
        _collect(val, collections, [GraphKeys.SUMMARIES])
    return val


def tensor_summary(name: str, tensor: Any, summary_description: str | None = None,
                   collections: list[str] | None = None, summary_metadata: Any = None,
                   family: str | None = None, display_name: str | None = None) -> Any:
    """A ``TensorSummaryV2`` holding the whole tensor (``tf.summary.tensor_summary``)."""
    from minitf.framework.proto import SummaryMetadata

    metadata = SummaryMetadata() if summary_metadata is None else summary_metadata
    if summary_description is not None:
        metadata.summary_description = summary_description
    if display_name is not None:
        metadata.display_name = display_name
    serialized = metadata.SerializeToString()
    with _SummaryScope(name, family, [tensor]) as (tag, scope):
        val = apply_op("TensorSummaryV2", name=scope, tag=tag, tensor=tensor,
                       serialized_summary_metadata=serialized)
        _collect(val, collections, [GraphKeys.SUMMARIES])
    return val


def text(name: str, tensor: Any, collections: list[str] | None = None) -> Any:
    """A text summary (a string tensor, rendered as Markdown by TensorBoard's text plugin)."""
    from minitf.framework.proto import SummaryMetadata

    tensor = convert_to_tensor(tensor)
    if tensor.dtype.base_dtype != dtypes.string:
        raise ValueError(f"Expected tensor {tensor.name} to have dtype string, got "
                         f"{tensor.dtype.name}")
    metadata = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="text"))
    return tensor_summary(name=name, tensor=tensor, summary_metadata=metadata,
                          collections=collections)


def merge(inputs: list[Any], collections: list[str] | None = None,
          name: str | None = None) -> Any:
    """A ``MergeSummary`` of serialized Summary tensors (``tf.summary.merge``)."""
    name = _clean_tag(name)
    with name_scope(name, "Merge", inputs):
        val = apply_op("MergeSummary", name=name, inputs=list(inputs))
        _collect(val, collections, [])
    return val


def merge_all(key: str = GraphKeys.SUMMARIES, scope: str | None = None,
              name: str | None = None) -> Any:
    """Merges every summary in collection ``key`` (None when there is none)."""
    summary_ops = get_collection(key, scope=scope)
    if not summary_ops:
        return None
    return merge(summary_ops, name=name)


def get_summary_description(node_def: Any) -> Any:
    """The SummaryDescription of a TensorSummary node (``tf.summary.get_summary_description``)."""
    from minitf.framework.proto import SummaryDescription

    if node_def.op != "TensorSummary":
        raise ValueError(f"Can't get_summary_description on {node_def.op}")
    description_str = node_def.attr["description"].s if "description" in node_def.attr else b""
    description_str = description_str.decode() if isinstance(description_str, bytes) \
        else description_str
    if not description_str:
        return SummaryDescription()
    from minitf.framework.proto import text_format

    desc = SummaryDescription()
    text_format.Parse(description_str, desc)
    return desc
