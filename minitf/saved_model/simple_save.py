"""``tf.saved_model.simple_save``: a SERVING SavedModel with one predict signature."""

from __future__ import annotations

from typing import Any

from minitf.framework.graph import GraphKeys
from minitf.saved_model import signature_constants, tag_constants
from minitf.saved_model.builder import SavedModelBuilder
from minitf.saved_model.signature_def_utils import predict_signature_def

__all__ = ["simple_save"]


def simple_save(session: Any, export_dir: Any, inputs: dict[str, Any],
                outputs: dict[str, Any], legacy_init_op: Any = None) -> None:
    """Saves ``session``'s graph and variables under tag SERVING with the signature
    ``serving_default`` = predict(``inputs`` → ``outputs``); devices are cleared."""
    signature_def_map = {
        signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY:
            predict_signature_def(inputs, outputs)}
    builder = SavedModelBuilder(export_dir)
    builder.add_meta_graph_and_variables(
        session, tags=[tag_constants.SERVING], signature_def_map=signature_def_map,
        assets_collection=session.graph.get_collection(GraphKeys.ASSET_FILEPATHS),
        main_op=legacy_init_op, clear_devices=True)
    builder.save()
