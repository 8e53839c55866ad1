"""``tf.saved_model.loader`` (TF 1.x): ``load(sess, tags, export_dir)`` imports the MetaGraphDef
of ``tags`` into the session's graph, restores the variables from ``variables/variables`` and
runs the main (or legacy init) op with the asset paths fed."""

from __future__ import annotations

import logging
import os
from typing import Any

from minitf.framework import errors
from minitf.framework.proto import AssetFileDef, SavedModel, text_format
from minitf.saved_model import constants
from minitf.saved_model.builder import get_assets_dir, get_variables_path

__all__ = ["load", "maybe_saved_model_directory", "SavedModelLoader", "parse_saved_model",
           "get_asset_tensors", "get_init_op"]

_log = logging.getLogger("minitf")


def _text(path: Any) -> Any:
    return path.decode() if isinstance(path, bytes) else path


def parse_saved_model(export_dir: Any) -> SavedModel:
    """The SavedModel message of ``export_dir`` (``saved_model.pb`` or ``.pbtxt``)."""
    export_dir = _text(os.fspath(export_dir))
    pb = os.path.join(export_dir, constants.SAVED_MODEL_FILENAME_PB)
    pbtxt = os.path.join(export_dir, constants.SAVED_MODEL_FILENAME_PBTXT)
    saved_model = SavedModel()
    if os.path.exists(pb):
        with open(pb, "rb") as f:
            data = f.read()
        try:
            saved_model.ParseFromString(data)
        except Exception as e:  # noqa: BLE001 - any decoding failure is an IOError, as TF's
            raise OSError(f"Cannot parse file {pb}: {e}.") from e
        return saved_model
    if os.path.exists(pbtxt):
        with open(pbtxt, "rb") as f:
            data = f.read()
        try:
            text_format.Merge(data.decode("utf-8"), saved_model)
        except (UnicodeDecodeError, text_format.ParseError) as e:
            raise OSError(f"Cannot parse file {pbtxt}: {e}.") from e
        return saved_model
    raise OSError(f"SavedModel file does not exist at: {export_dir}{os.path.sep}"
                  f"{{{constants.SAVED_MODEL_FILENAME_PBTXT}|"
                  f"{constants.SAVED_MODEL_FILENAME_PB}}}")


def maybe_saved_model_directory(export_dir: Any) -> bool:
    """Whether ``export_dir`` holds a ``saved_model.pb`` or ``saved_model.pbtxt``."""
    export_dir = _text(os.fspath(export_dir))
    return any(os.path.exists(os.path.join(export_dir, n)) for n in
               (constants.SAVED_MODEL_FILENAME_PB, constants.SAVED_MODEL_FILENAME_PBTXT))


def _scoped(name: str, import_scope: str | None) -> str:
    return f"{import_scope.rstrip('/')}/{name}" if import_scope else name


def get_asset_tensors(export_dir: Any, meta_graph_def: Any,
                      import_scope: str | None = None) -> dict[str, str]:
    """``{asset tensor name: path under export_dir/assets}`` (the feed for the init op)."""
    assets_dir = get_assets_dir(export_dir)
    out: dict[str, str] = {}
    if constants.ASSETS_KEY in meta_graph_def.collection_def:
        col = meta_graph_def.collection_def[constants.ASSETS_KEY]
        for packed in col.any_list.value:
            asset = AssetFileDef()
            packed.Unpack(asset)
            out[_scoped(asset.tensor_info.name, import_scope)] = os.path.join(
                assets_dir, asset.filename)
    for asset in meta_graph_def.asset_file_def:
        out[_scoped(asset.tensor_info.name, import_scope)] = os.path.join(assets_dir,
                                                                          asset.filename)
    return out


def get_init_op(meta_graph_def: Any, import_scope: str | None = None) -> Any:
    """The main op (signature ``__saved_model_init_op``, else the ``saved_model_main_op`` or
    ``legacy_init_op`` collection), or None."""
    from minitf.framework.graph import get_default_graph

    graph = get_default_graph()
    if constants.INIT_OP_SIGNATURE_KEY in meta_graph_def.signature_def:
        sig = meta_graph_def.signature_def[constants.INIT_OP_SIGNATURE_KEY]
        name = sig.outputs[constants.INIT_OP_SIGNATURE_KEY].name
        return graph.as_graph_element(_scoped(name, import_scope))
    for key in (constants.MAIN_OP_KEY, constants.LEGACY_INIT_OP_KEY):
        if key in meta_graph_def.collection_def:
            names = list(meta_graph_def.collection_def[key].node_list.value)
            if len(names) != 1:
                raise RuntimeError("Expected exactly one SavedModel init op. "
                                   f"Found {len(names)}: {names}.")
            return graph.as_graph_element(_scoped(names[0], import_scope))
    return None


def _check_minitf_checkpoint(prefix: str) -> None:
    """A variables checkpoint written by TensorFlow (its table format) cannot be read: say so
    instead of reporting a corrupt file."""
    from minitf.train.checkpoint_format import INDEX_MAGIC

    index = prefix + ".index"
    try:
        with open(index, "rb") as f:
            head = f.read(len(INDEX_MAGIC))
    except OSError:
        return
    if head != INDEX_MAGIC:
        raise errors.UnimplementedError(
            None, None,
            f"The variables of this SavedModel ({index}) are not in minitf's checkpoint "
            "format: most likely TensorFlow wrote them (TensorFlow's table-based V2 checkpoint "
            "format), which minitf cannot read. The graph and signatures were parsed; re-export "
            "the model with minitf, or convert the variables with TensorFlow "
            "(tf.train.load_checkpoint) and assign them.")


class SavedModelLoader:
    """Loads graphs and restores variables from a SavedModel directory."""

    def __init__(self, export_dir: Any) -> None:
        self._export_dir = _text(os.fspath(export_dir))
        self._variables_path = get_variables_path(self._export_dir)
        self._saved_model = parse_saved_model(self._export_dir)

    @property
    def export_dir(self) -> str:
        return self._export_dir

    @property
    def variables_path(self) -> str:
        return self._variables_path

    @property
    def saved_model(self) -> SavedModel:
        return self._saved_model

    def get_meta_graph_def_from_tags(self, tags: Any) -> Any:
        available = []
        for meta in self._saved_model.meta_graphs:
            have = set(meta.meta_info_def.tags)
            available.append(have)
            if have == set(tags):
                return meta
        raise RuntimeError(
            f"MetaGraphDef associated with tags {str(tags).strip('[]')} could not be found in "
            f"SavedModel, with available tags '{available}'. To inspect available tag-sets in "
            "the SavedModel, please use the SavedModel CLI: `saved_model_cli`.")

    def load_graph(self, graph: Any, tags: Any, import_scope: str | None = None,
                   **saver_kwargs: Any) -> tuple[Any, Any]:
        from minitf.train.meta_graph import import_meta_graph

        meta = self.get_meta_graph_def_from_tags(tags)
        with graph.as_default():
            saver = import_meta_graph(meta, import_scope=import_scope, **saver_kwargs)
        return saver, None

    def restore_variables(self, sess: Any, saver: Any, import_scope: str | None = None) -> None:
        from minitf.framework.graph import GraphKeys
        from minitf.train.saver import Saver

        with sess.graph.as_default():
            if saver is None and not sess.graph.get_collection(GraphKeys.GLOBAL_VARIABLES,
                                                               scope=import_scope):
                _log.info("The specified SavedModel has no variables; no checkpoints were "
                          "restored.")
            elif isinstance(saver, Saver):
                _check_minitf_checkpoint(self._variables_path)
                saver.restore(sess, self._variables_path)
            else:
                raise ValueError("No tf.train.Saver object was passed to the function "
                                 "`SavedModelLoader.restore_variables`. Since there are "
                                 "variables in the graph, a saver is required.")

    def run_init_ops(self, sess: Any, tags: Any, import_scope: str | None = None) -> None:
        meta = self.get_meta_graph_def_from_tags(tags)
        with sess.graph.as_default():
            feed = get_asset_tensors(self._export_dir, meta, import_scope)
            init_op = get_init_op(meta, import_scope)
            if init_op is not None:
                sess.run(fetches=[init_op], feed_dict=feed)

    def load(self, sess: Any, tags: Any, import_scope: str | None = None,
             **saver_kwargs: Any) -> Any:
        """Imports, restores and initializes; returns the MetaGraphDef of ``tags``."""
        self.get_meta_graph_def_from_tags(tags)
        # TF's variables (and its sharded saver's graph ops) cannot be used: fail before
        # the graph is touched
        _check_minitf_checkpoint(self._variables_path)
        with sess.graph.as_default():
            saver, _ = self.load_graph(sess.graph, tags, import_scope, **saver_kwargs)
            self.restore_variables(sess, saver, import_scope)
            self.run_init_ops(sess, tags, import_scope)
        return self.get_meta_graph_def_from_tags(tags)


def load(sess: Any, tags: Any, export_dir: Any, import_scope: str | None = None,
         **saver_kwargs: Any) -> Any:
    """Loads the MetaGraphDef of ``tags`` from ``export_dir`` into ``sess`` (graph, variable
    values, main op); returns that MetaGraphDef."""
    return SavedModelLoader(export_dir).load(sess, tags, import_scope, **saver_kwargs)
