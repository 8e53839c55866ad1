"""``tf.saved_model.builder.SavedModelBuilder`` (TF 1.x): ``saved_model.pb`` (TF's SavedModel
protobuf, wire format) plus ``variables/variables.{index,data-00000-of-00001}`` written by a
Saver in minitf's checkpoint format, plus copied asset files under ``assets/``."""

from __future__ import annotations

import logging
import os
import shutil
from typing import Any

from minitf.framework.graph import GraphKeys, get_default_graph
from minitf.framework.operation import Operation
from minitf.framework.proto import Any as AnyProto
from minitf.framework.proto import AssetFileDef, SavedModel, SignatureDef, text_format
from minitf.saved_model import constants

__all__ = ["SavedModelBuilder", "Builder", "get_variables_path", "get_variables_dir",
           "get_assets_dir"]

_log = logging.getLogger("minitf")


def get_variables_dir(export_dir: Any) -> str:
    return os.path.join(os.fspath(_text(export_dir)), constants.VARIABLES_DIRECTORY)


def get_variables_path(export_dir: Any) -> str:
    return os.path.join(get_variables_dir(export_dir), constants.VARIABLES_FILENAME)


def get_assets_dir(export_dir: Any) -> str:
    return os.path.join(os.fspath(_text(export_dir)), constants.ASSETS_DIRECTORY)


def _text(path: Any) -> Any:
    return path.decode() if isinstance(path, bytes) else path


def _asset_path_from_tensor(path_tensor: Any) -> str:
    from minitf.framework.constant_value import constant_value
    from minitf.framework.tensor import Tensor

    if not isinstance(path_tensor, Tensor):
        raise TypeError(f"Asset path tensor {path_tensor} must be a Tensor.")
    if path_tensor.op.type != "Const":
        raise TypeError(f"Asset path tensor {path_tensor} must be of type constant."
                        f"Has type {path_tensor.op.type} instead.")
    if path_tensor.dtype.base_dtype.name != "string":
        raise TypeError(f"Asset path tensor {path_tensor}` must be of dtype string."
                        f"Has type {path_tensor.dtype} instead.")
    value = constant_value(path_tensor)
    if value is None or getattr(value, "ndim", 0) != 0:
        raise TypeError(f"Asset path tensor {path_tensor} must be a scalar.")
    value = value.item() if hasattr(value, "item") else value
    return _text(value)


class SavedModelBuilder:
    """Builds a SavedModel: one MetaGraphDef per tag set, the variables saved once."""

    def __init__(self, export_dir: Any) -> None:
        self._saved_model = SavedModel(
            saved_model_schema_version=constants.SAVED_MODEL_SCHEMA_VERSION)
        self._export_dir = _text(os.fspath(export_dir))
        if os.path.exists(self._export_dir):
            if not os.path.isdir(self._export_dir) or os.listdir(self._export_dir):
                raise AssertionError(
                    f"Export directory {self._export_dir} already exists, and isn't empty. "
                    "Please choose a different export directory, or delete all the contents "
                    "of the specified directory.")
        else:
            os.makedirs(self._export_dir)
        self._has_saved_variables = False
        self._saved_asset_files: set[str] = set()

    # --- validation ----------------------------------------------------------------------
    def _validate_tensor_info(self, tensor_info: Any) -> None:
        if tensor_info is None:
            raise AssertionError("All TensorInfo protos used in the SignatureDefs must have "
                                 "the name and dtype fields set.")
        if tensor_info.WhichOneof("encoding") is None:
            raise AssertionError(
                f"Invalid `tensor_info`: {tensor_info}. All TensorInfo protos used in the "
                "SignatureDefs must have one of the 'encoding' fields (e.g., name or "
                "coo_sparse) set.")
        if tensor_info.dtype == 0:
            raise AssertionError(
                f"Invalid `tensor_info`: {tensor_info}. All TensorInfo protos used in the "
                "SignatureDefs must have the dtype field set.")

    def _validate_signature_def_map(self, signature_def_map: dict[str, Any]) -> None:
        for sig in signature_def_map.values():
            if not isinstance(sig, SignatureDef):
                raise TypeError(f"signature_def_map values must be SignatureDef protos; got "
                                f"{type(sig)}")
            for info in sig.inputs.values():
                self._validate_tensor_info(info)
            for info in sig.outputs.values():
                self._validate_tensor_info(info)
        for key, what in ((constants.INIT_OP_SIGNATURE_KEY, "initialization"),
                          (constants.TRAIN_OP_SIGNATURE_KEY, "the train op")):
            if key in signature_def_map:
                raise KeyError(f'SignatureDef map key "{key}" is reserved for {what}. Please '
                               "use a different key.")

    # --- collections ---------------------------------------------------------------------
    def _save_and_write_assets(self, assets_collection: Any) -> None:
        if assets_collection is None:
            return
        graph = get_default_graph()
        filename_map: dict[str, str] = {}
        for tensor in assets_collection:
            source = _asset_path_from_tensor(tensor)
            if not source:
                raise ValueError(f"Asset filepath tensor {tensor} in is invalid.")
            name = os.path.basename(source)
            if name in filename_map and filename_map[name] != source:
                base, ext = os.path.splitext(name)
                i = 1
                while f"{base}_{i}{ext}" in filename_map:
                    i += 1
                name = f"{base}_{i}{ext}"
            asset = AssetFileDef(filename=name)
            asset.tensor_info.name = tensor.name
            packed = AnyProto()
            packed.Pack(asset)
            graph.add_to_collection(constants.ASSETS_KEY, packed)
            filename_map[name] = source
        if not filename_map:
            return
        assets_dir = get_assets_dir(self._export_dir)
        os.makedirs(assets_dir, exist_ok=True)
        for name, source in filename_map.items():
            dest = os.path.join(assets_dir, name)
            if dest not in self._saved_asset_files and not os.path.exists(dest):
                shutil.copyfile(source, dest)
                self._saved_asset_files.add(dest)

    def _maybe_add_main_op(self, main_op: Any) -> None:
        if main_op is None:
            return
        if not isinstance(main_op, Operation):
            raise TypeError(f"Expected {main_op} to be an Operation but got type "
                            f"{type(main_op)} instead.")
        graph = get_default_graph()
        for key in (constants.MAIN_OP_KEY, constants.LEGACY_INIT_OP_KEY):
            if graph.get_collection(key):
                raise ValueError(f"Graph already contains one or more main ops under the "
                                 f"collection {key}.")
        graph.add_to_collection(constants.MAIN_OP_KEY, main_op)

    def _add_train_op(self, train_op: Any) -> None:
        if train_op is None:
            return
        if not hasattr(train_op, "graph"):
            raise TypeError(f"`train_op` {train_op} needs to be a Tensor or Op.")
        get_default_graph().add_to_collection(constants.TRAIN_OP_KEY, train_op)

    def _maybe_create_saver(self, saver: Any = None) -> Any:
        from minitf.framework.proto import SaverDef
        from minitf.train.saver import Saver

        if saver:
            return saver
        graph = get_default_graph()
        saveables = (graph.get_collection(GraphKeys.GLOBAL_VARIABLES)
                     + graph.get_collection(GraphKeys.SAVEABLE_OBJECTS))
        return Saver(saveables, sharded=True, write_version=SaverDef.V2, allow_empty=True)

    def _tag_and_add_meta_graph(self, meta_graph_def: Any, tags: Any,
                                signature_def_map: dict[str, Any]) -> None:
        for tag in tags or []:
            meta_graph_def.meta_info_def.tags.append(tag)
        for key, sig in signature_def_map.items():
            meta_graph_def.signature_def[key].CopyFrom(sig)
        self._saved_model.meta_graphs.add().CopyFrom(meta_graph_def)

    # --- the API -------------------------------------------------------------------------
    def add_meta_graph(self, tags: Any, signature_def_map: Any = None,
                       assets_collection: Any = None, legacy_init_op: Any = None,
                       clear_devices: bool = False, main_op: Any = None,
                       strip_default_attrs: bool = False, saver: Any = None) -> None:
        """Adds another MetaGraphDef (another tag set) over the variables already saved."""
        if not self._has_saved_variables:
            raise AssertionError("Graph state including variables and assets has not been "
                                 "saved yet. Please invoke `add_meta_graph_and_variables()` "
                                 "first.")
        signature_def_map = dict(signature_def_map or {})
        self._validate_signature_def_map(signature_def_map)
        self._save_and_write_assets(assets_collection)
        self._maybe_add_main_op(main_op or legacy_init_op)
        saver = self._maybe_create_saver(saver)
        meta = saver.export_meta_graph(clear_devices=clear_devices,
                                       strip_default_attrs=strip_default_attrs)
        self._tag_and_add_meta_graph(meta, tags, signature_def_map)

    def add_meta_graph_and_variables(self, sess: Any, tags: Any, signature_def_map: Any = None,
                                     assets_collection: Any = None, legacy_init_op: Any = None,
                                     clear_devices: bool = False, main_op: Any = None,
                                     strip_default_attrs: bool = False,
                                     saver: Any = None) -> None:
        """Saves the session's variables under ``variables/`` and adds the first MetaGraphDef
        (tagged ``tags``, with ``signature_def_map``)."""
        if self._has_saved_variables:
            raise AssertionError("Graph state including variables and assets has already "
                                 "been saved. Please invoke `add_meta_graph()` instead.")
        signature_def_map = dict(signature_def_map or {})
        self._validate_signature_def_map(signature_def_map)
        with sess.graph.as_default():
            self._save_and_write_assets(assets_collection)
            self._maybe_add_main_op(main_op or legacy_init_op)
            os.makedirs(get_variables_dir(self._export_dir), exist_ok=True)
            saver = self._maybe_create_saver(saver)
            saver.save(sess, get_variables_path(self._export_dir), write_meta_graph=False,
                       write_state=False)
            meta = saver.export_meta_graph(clear_devices=clear_devices,
                                           strip_default_attrs=strip_default_attrs)
        self._tag_and_add_meta_graph(meta, tags, signature_def_map)
        self._has_saved_variables = True

    def save(self, as_text: bool = False) -> bytes:
        """Writes ``saved_model.pb`` (or ``saved_model.pbtxt``); returns its path (bytes)."""
        os.makedirs(self._export_dir, exist_ok=True)
        if as_text:
            path = os.path.join(self._export_dir, constants.SAVED_MODEL_FILENAME_PBTXT)
            data = text_format.MessageToString(self._saved_model).encode()
        else:
            path = os.path.join(self._export_dir, constants.SAVED_MODEL_FILENAME_PB)
            data = self._saved_model.SerializeToString()
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        _log.info("SavedModel written to: %s", path)
        return path.encode()


Builder = SavedModelBuilder

