"""``tf.train.Saver``: saves and restores variables through graph ops, as TF 1.x does.

The graph part mirrors TF's BulkSaverBuilder (V2): ``save/filename`` → ``save/Const``
(the filename tensor, feedable), ``save/SaveV2`` + ``save/control_dependency`` (the save
tensor), ``save/RestoreV2`` + ``save/Assign``, ``save/Assign_1`` ... + ``save/restore_all``;
the SaverDef names them. File names, the ``checkpoint`` state file, ``max_to_keep`` and
``keep_checkpoint_every_n_hours`` follow TF; the file contents are minitf's format
(:mod:`minitf.train.checkpoint_format`).
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

import numpy as np

from minitf.framework import errors
from minitf.framework.graph import GraphKeys, get_default_graph
from minitf.framework.proto import SaverDef
from minitf.framework.tensor import Tensor
from minitf.train import checkpoint_management as cm
from minitf.train.checkpoint_format import CheckpointReader

__all__ = ["Saver", "BaseSaverBuilder", "BulkSaverBuilder", "SaverDef"]

_log = logging.getLogger("minitf")
_VARIABLE_OPS = ("Variable", "VariableV2", "AutoReloadVariable", "TemporaryVariable")


class _Saveable:
    """One saved tensor: its checkpoint key, the value to save and the variable to restore."""

    def __init__(self, name: str, var: Any) -> None:
        from minitf.ops.variables import Variable

        self.name = name
        if isinstance(var, Variable):
            self.ref = var._ref()
            self.tensor = var.value()
        else:
            self.ref = var
            self.tensor = var
        self.op = self.ref.op
        self.dtype = self.ref.dtype.base_dtype
        self.shape = self.ref.get_shape()
        self.restorable = self.op.type in _VARIABLE_OPS

    def restore(self, tensor: Tensor, reshape: bool) -> Any:
        from minitf.ops import array_ops, state_ops

        if not self.restorable:
            raise ValueError(f"Can only restore Variables; {self.name} is a {self.op.type}")
        if reshape:
            shape = self.shape.as_list() if self.shape.is_fully_defined() else \
                array_ops.shape(self.ref)
            tensor = array_ops.reshape(tensor, shape)
        return state_ops.assign(self.ref, tensor,
                                validate_shape=not reshape and self.shape.is_fully_defined())


def _saveables(var_list: Any) -> list[_Saveable]:
    """``var_list`` (list of Variables / variable tensors, or dict name → variable), sorted
    by checkpoint key as TF sorts them."""
    from minitf.ops.variables import Variable

    named: dict[str, Any] = {}
    if isinstance(var_list, dict):
        for name, var in var_list.items():
            if not isinstance(name, str):
                raise TypeError(f"names_to_saveables must be a dict mapping string names to "
                                f"Variables. Name is not a string: {name!r}")
            if not isinstance(var, (Variable, Tensor)):
                raise TypeError(f"names_to_saveables must be a dict mapping string names to "
                                f"Tensors/Variables. Not a variable: {var}")
            named[name] = var
    else:
        if not isinstance(var_list, (list, tuple, set)):
            raise TypeError(f"Variables to save should be passed in a dict or a list. Got "
                            f"{var_list}")
        for var in var_list:
            if isinstance(var, Variable):
                name = var.op.name
            elif isinstance(var, Tensor) and var.op.type in _VARIABLE_OPS:
                name = var.op.name
            else:
                raise TypeError(f"Variable to save is not a Variable: {var}")
            if name in named:
                raise ValueError(f"At least two variables have the same name: {name}")
            named[name] = var
    return [_Saveable(n, named[n]) for n in sorted(named)]


class BaseSaverBuilder:
    """Builds the save and restore ops of a Saver (TF's BulkSaverBuilder)."""

    def __init__(self, write_version: int = SaverDef.V2) -> None:
        self._write_version = write_version

    def save_op(self, filename_tensor: Tensor, saveables: list[_Saveable]) -> Any:
        from minitf.train.checkpoint_ops import save_v2

        return save_v2(filename_tensor, [s.name for s in saveables], [""] * len(saveables),
                       [s.tensor for s in saveables])

    def bulk_restore(self, filename_tensor: Tensor, saveables: list[_Saveable]) -> list[Tensor]:
        from minitf.train.checkpoint_ops import restore_v2

        return restore_v2(filename_tensor, [s.name for s in saveables],
                          [""] * len(saveables), [s.dtype for s in saveables])

    def _build_internal(self, var_list: Any, reshape: bool = False, sharded: bool = False,
                        max_to_keep: int = 5, keep_checkpoint_every_n_hours: float = 10000.0,
                        name: str | None = None, restore_sequentially: bool = False,
                        filename: str | None = None, build_save: bool = True,
                        build_restore: bool = True) -> SaverDef:
        from minitf.ops import array_ops, control_flow_ops
        from minitf.ops.constant_op import constant

        if not isinstance(var_list, (list, tuple, dict, set)):
            raise TypeError(f"Variables to save should be passed in a dict or a list. Got "
                            f"{var_list}")
        saveables = _saveables(var_list)
        g = get_default_graph()
        with g.name_scope(name or "save"):
            default = constant(filename or "model", name="filename/input")
            filename_tensor = array_ops.placeholder_with_default(default, shape=[],
                                                                 name="filename")
            filename_tensor = array_ops.placeholder_with_default(filename_tensor, shape=[],
                                                                 name="Const")
            save_tensor = None
            if build_save:
                save = self.save_op(filename_tensor, saveables)
                with g.control_dependencies([save]):
                    save_tensor = array_ops.identity(filename_tensor,
                                                     name="control_dependency")
            restore_op = None
            if build_restore:
                restored = self.bulk_restore(filename_tensor, saveables)
                assigns = [s.restore(t, reshape) for s, t in zip(saveables, restored)
                           if s.restorable]
                restore_op = control_flow_ops.group(*assigns, name="restore_all")
        return SaverDef(
            filename_tensor_name=filename_tensor.name,
            save_tensor_name=save_tensor.name if save_tensor is not None else "",
            restore_op_name=restore_op.name if restore_op is not None else "",
            max_to_keep=max_to_keep, sharded=sharded,
            keep_checkpoint_every_n_hours=keep_checkpoint_every_n_hours,
            version=self._write_version)


BulkSaverBuilder = BaseSaverBuilder


def _prepend_scope(name: str, scope: str | None) -> str:
    if not scope:
        return name
    scope = scope.rstrip("/")
    return f"{scope}/{name}" if not name.startswith("^") else f"^{scope}/{name[1:]}"


def _strip_scope(name: str, scope: str) -> str:
    scope = scope.rstrip("/") + "/"
    return name[len(scope):] if name.startswith(scope) else name


def _wrap_restore_error(err: errors.OpError, msg: str) -> errors.OpError:
    text = (f"Restoring from checkpoint failed. This is most likely due to {msg} from the "
            "checkpoint. Please ensure that you have not altered the graph expected based on "
            f"the checkpoint. Original error:\n\n{err.message}")
    return type(err)(err.node_def, err.op, text)


class Saver:
    """Saves and restores variables (``tf.train.Saver``)."""

    def __init__(self, var_list: Any = None, reshape: bool = False, sharded: bool = False,
                 max_to_keep: int = 5, keep_checkpoint_every_n_hours: float = 10000.0,
                 name: str | None = None, restore_sequentially: bool = False,
                 saver_def: Any = None, builder: Any = None, defer_build: bool = False,
                 allow_empty: bool = False, write_version: int = SaverDef.V2,
                 pad_step_number: bool = False, save_relative_paths: bool = False,
                 filename: str | None = None) -> None:
        if defer_build and var_list is not None and (
                not isinstance(var_list, (list, tuple, dict, set)) or var_list):
            raise ValueError("If `var_list` is provided then build cannot be deferred. Either "
                             "set defer_build=False or var_list=None.")
        self._var_list = var_list
        self._reshape = reshape
        self._sharded = sharded
        self._max_to_keep = max_to_keep
        self._keep_checkpoint_every_n_hours = keep_checkpoint_every_n_hours
        self._name = name
        self._restore_sequentially = restore_sequentially
        if saver_def is not None and isinstance(saver_def, SaverDef):
            saver_def = SaverDef.FromString(saver_def.SerializeToString())
        self.saver_def = saver_def
        self._builder = builder
        self._is_built = False
        self._allow_empty = allow_empty
        self._is_empty: bool | None = None
        self._write_version = write_version
        self._pad_step_number = pad_step_number
        self._filename = filename
        self._last_checkpoints: list[tuple[str, float]] = []
        self._checkpoints_to_be_deleted: list[tuple[str, float]] = []
        self._saveable_list: list[_Saveable] = []
        if not defer_build:
            self.build()
        if self.saver_def:
            self._check_saver_def()
            self._write_version = self.saver_def.version
        self._save_relative_paths = save_relative_paths

    # --- building --------------------------------------------------------------------------
    def build(self) -> None:
        if self._is_built:
            return
        self._is_built = True
        if not self.saver_def:
            if self._builder is None:
                self._builder = BulkSaverBuilder(self._write_version)
            if self._var_list is None:
                g = get_default_graph()
                self._var_list = (g.get_collection(GraphKeys.GLOBAL_VARIABLES)
                                  + g.get_collection(GraphKeys.SAVEABLE_OBJECTS))
            if isinstance(self._var_list, (list, tuple, dict, set)) and not self._var_list:
                if self._allow_empty:
                    self._is_empty = True
                    return
                raise ValueError("No variables to save")
            self._is_empty = False
            self._saveable_list = _saveables(self._var_list)
            self.saver_def = self._builder._build_internal(
                self._var_list, reshape=self._reshape, sharded=self._sharded,
                max_to_keep=self._max_to_keep,
                keep_checkpoint_every_n_hours=self._keep_checkpoint_every_n_hours,
                name=self._name, restore_sequentially=self._restore_sequentially,
                filename=self._filename)
        elif self._name:
            sd = self.saver_def
            sd.filename_tensor_name = _prepend_scope(sd.filename_tensor_name, self._name)
            sd.save_tensor_name = _prepend_scope(sd.save_tensor_name, self._name)
            sd.restore_op_name = _prepend_scope(sd.restore_op_name, self._name)
        self._check_saver_def()
        self._next_checkpoint_time = (time.time()
                                      + self.saver_def.keep_checkpoint_every_n_hours * 3600)

    def _check_saver_def(self) -> None:
        if not isinstance(self.saver_def, SaverDef):
            raise ValueError(f"saver_def must be a saver_pb2.SaverDef: {self.saver_def}")
        if not self.saver_def.save_tensor_name:
            raise ValueError(f"saver_def must specify the save_tensor_name: {self.saver_def}")
        if not self.saver_def.restore_op_name:
            raise ValueError(f"saver_def must specify the restore_op_name: {self.saver_def}")

    # --- the list of kept checkpoints ----------------------------------------------------------
    def _record_last_checkpoint(self, latest_save_path: str) -> None:
        if not self.saver_def.max_to_keep:
            return
        self._last_checkpoints = [p for p in self._last_checkpoints if p[0] != latest_save_path]
        self._last_checkpoints.append((latest_save_path, time.time()))
        if len(self._last_checkpoints) > self.saver_def.max_to_keep:
            self._checkpoints_to_be_deleted.append(self._last_checkpoints.pop(0))

    def _maybe_delete_old_checkpoints(self, meta_graph_suffix: str = "meta") -> None:
        if self._checkpoints_to_be_deleted:
            path, stamp = self._checkpoints_to_be_deleted.pop(0)
            if stamp > self._next_checkpoint_time:  # keep one every N hours
                self._next_checkpoint_time += (self.saver_def.keep_checkpoint_every_n_hours
                                               * 3600)
                return
            try:
                # minitf always writes V2 file sets, whatever write_version says
                cm.remove_checkpoint(path, SaverDef.V2, meta_graph_suffix)
            except Exception as e:  # noqa: BLE001 - TF ignores failed deletions
                _log.warning("Ignoring: %s", e)

    @property
    def last_checkpoints(self) -> list[str]:
        """Paths of the checkpoints not yet deleted, oldest first."""
        return [p[0] for p in self._last_checkpoints]

    def set_last_checkpoints(self, last_checkpoints: list[str]) -> None:
        assert isinstance(last_checkpoints, list)
        self._last_checkpoints = [(s, np.inf) for s in last_checkpoints]

    def set_last_checkpoints_with_time(self, last_checkpoints_with_time: list[Any]) -> None:
        assert isinstance(last_checkpoints_with_time, list)
        self._last_checkpoints = list(last_checkpoints_with_time)

    def recover_last_checkpoints(self, checkpoint_paths: list[str]) -> None:
        """Takes over ``checkpoint_paths`` that still exist (with their mtimes)."""
        with_times = []
        for path in checkpoint_paths:
            mtime = cm.get_checkpoint_mtimes([path])
            if mtime:
                with_times.append((path, mtime[0]))
        self.set_last_checkpoints_with_time(with_times)

    def as_saver_def(self) -> SaverDef:
        return self.saver_def

    def to_proto(self, export_scope: str | None = None) -> SaverDef | None:
        if export_scope is None:
            return self.saver_def
        sd = self.saver_def
        if not (sd.filename_tensor_name.startswith(export_scope)
                and sd.save_tensor_name.startswith(export_scope)
                and sd.restore_op_name.startswith(export_scope)):
            return None
        out = SaverDef()
        out.CopyFrom(sd)
        out.filename_tensor_name = _strip_scope(out.filename_tensor_name, export_scope)
        out.save_tensor_name = _strip_scope(out.save_tensor_name, export_scope)
        out.restore_op_name = _strip_scope(out.restore_op_name, export_scope)
        return out

    @staticmethod
    def from_proto(saver_def: SaverDef, import_scope: str | None = None) -> Saver:
        return Saver(saver_def=saver_def, name=import_scope)

    # --- save / restore -----------------------------------------------------------------------
    def save(self, sess: Any, save_path: str, global_step: Any = None,
             latest_filename: str | None = None, meta_graph_suffix: str = "meta",
             write_meta_graph: bool = True, write_state: bool = True,
             strip_default_attrs: bool = False, save_debug_info: bool = False) -> str | None:
        """Saves the variables to ``save_path`` (``-<global_step>`` appended when given);
        returns the checkpoint prefix, updates the state file and deletes old checkpoints."""
        from minitf.client.session import BaseSession
        from minitf.train.training_util import global_step as read_step

        if not self._is_built:
            raise RuntimeError("`build()` should be called before save if defer_build==True")
        if latest_filename is None:
            latest_filename = "checkpoint"
        if os.path.split(latest_filename)[0]:
            raise ValueError("'latest_filename' must not contain path components")
        save_path = os.fspath(save_path)
        if global_step is not None:
            if not isinstance(global_step, (int, np.integer)):
                global_step = read_step(sess, global_step)
            checkpoint_file = f"{save_path}-{int(global_step)}"
            if self._pad_step_number:
                checkpoint_file = f"{save_path}-{int(global_step):08d}"
        else:
            checkpoint_file = save_path
            if os.path.basename(save_path) == latest_filename and not self._sharded:
                raise ValueError(f"'latest_filename' collides with 'save_path': "
                                 f"'{latest_filename}' and '{save_path}'")
        if not isinstance(sess, BaseSession):
            raise TypeError(f"'sess' must be a Session; {sess}")
        parent = os.path.dirname(save_path)
        model_checkpoint_path = None
        if not self._is_empty:
            if parent and not os.path.isdir(parent):
                raise ValueError(f"Parent directory of {save_path} doesn't exist, can't save.")
            result = sess.run(self.saver_def.save_tensor_name,
                              {self.saver_def.filename_tensor_name: checkpoint_file})
            model_checkpoint_path = result.decode() if isinstance(result, bytes) \
                else str(result)
            if write_state:
                self._record_last_checkpoint(model_checkpoint_path)
                cm.update_checkpoint_state_internal(
                    save_dir=parent, model_checkpoint_path=model_checkpoint_path,
                    all_model_checkpoint_paths=self.last_checkpoints,
                    latest_filename=latest_filename,
                    save_relative_paths=self._save_relative_paths)
                self._maybe_delete_old_checkpoints(meta_graph_suffix=meta_graph_suffix)
        if write_meta_graph:
            meta_file = cm.meta_graph_filename(checkpoint_file, meta_graph_suffix)
            with sess.graph.as_default():
                self.export_meta_graph(meta_file, strip_default_attrs=strip_default_attrs)
        return model_checkpoint_path

    def export_meta_graph(self, filename: str | None = None, collection_list: Any = None,
                          as_text: bool = False, export_scope: str | None = None,
                          clear_devices: bool = False, clear_extraneous_savers: bool = False,
                          strip_default_attrs: bool = False,
                          save_debug_info: bool = False) -> Any:
        from minitf.train.meta_graph import export_meta_graph

        return export_meta_graph(filename=filename, saver_def=self.saver_def,
                                 collection_list=collection_list, as_text=as_text,
                                 export_scope=export_scope, clear_devices=clear_devices,
                                 clear_extraneous_savers=clear_extraneous_savers,
                                 strip_default_attrs=strip_default_attrs)

    def restore(self, sess: Any, save_path: str) -> None:
        """Restores the variables from checkpoint ``save_path``."""
        if self._is_empty:
            return
        if save_path is None:
            raise ValueError("Can't load save_path when it is None.")
        prefix = os.fspath(save_path)
        if not cm.checkpoint_exists(prefix):
            raise ValueError("The passed save_path is not a valid checkpoint: " + prefix)
        _log.info("Restoring parameters from %s", prefix)
        try:
            self._check_against_checkpoint(sess, prefix)
            sess.run(self.saver_def.restore_op_name,
                     {self.saver_def.filename_tensor_name: prefix})
        except errors.NotFoundError as err:
            raise _wrap_restore_error(
                err, "a Variable name or other graph key that is missing") from None
        except errors.InvalidArgumentError as err:
            raise _wrap_restore_error(
                err, "a mismatch between the current graph and the graph") from None

    def _check_against_checkpoint(self, sess: Any, prefix: str) -> None:
        """Names the variable, both shapes and the file when they disagree (the graph ops
        alone would report only the op)."""
        saveables = self._saveable_list or _saveables_from_graph(sess.graph, self.saver_def)
        if not saveables:
            return
        reader = CheckpointReader(prefix)
        shapes = reader.get_variable_to_shape_map()
        for s in saveables:
            if not s.restorable:
                continue
            if s.name not in shapes:
                raise errors.NotFoundError(None, None, f"Key {s.name} not found in checkpoint "
                                                       f"{prefix}")
            have = shapes[s.name]
            want = s.shape.as_list() if s.shape.ndims is not None else None
            if want is None or self._reshape:
                if self._reshape and s.shape.is_fully_defined() and \
                        int(np.prod(have)) != int(np.prod(want)):
                    raise errors.InvalidArgumentError(
                        None, None, f"Cannot reshape variable {s.name}: checkpoint {prefix} "
                                    f"has shape {have} ({int(np.prod(have))} values), the "
                                    f"variable has shape {want}")
                continue
            if len(have) != len(want) or any(w is not None and w != h
                                             for w, h in zip(want, have)):
                raise errors.InvalidArgumentError(
                    None, None, f"Shape mismatch for variable {s.name}: the checkpoint "
                                f"{prefix} has shape {have}, the variable has shape {want}")


def _saveables_from_graph(graph: Any, saver_def: SaverDef) -> list[_Saveable]:
    """The (key, variable) pairs of a Saver built from a SaverDef (e.g. by import_meta_graph),
    read off its restore op: restore_all → Assign(var, RestoreV2:i) ← tensor_names[i]."""
    from minitf.framework.constant_value import constant_value

    try:
        restore_all = graph.get_operation_by_name(saver_def.restore_op_name)
    except (KeyError, ValueError):
        return []
    out = []
    for assign in restore_all.control_inputs:
        if assign.type != "Assign":
            continue
        src = assign.inputs[1]
        while src.op.type == "Reshape":
            src = src.op.inputs[0]
        if src.op.type != "RestoreV2":
            continue
        names = constant_value(src.op.inputs[1])
        if names is None:
            continue
        key = names.reshape(-1)[src.value_index]
        key = key.decode() if isinstance(key, bytes) else str(key)
        saveable = _Saveable(key, assign.inputs[0])
        if assign._attrs.get("validate_shape", True) is False:
            continue  # a reshaping restore: any shape with the same size is fine
        out.append(saveable)
    return out
