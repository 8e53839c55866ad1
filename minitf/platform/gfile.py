"""``tf.gfile`` (TF 1.x names) on the local file system: errors are ``tf.errors`` classes
(NotFoundError, AlreadyExistsError, FailedPreconditionError ...) as TF raises them."""

from __future__ import annotations

import errno
import glob as _glob
import os
import shutil
from collections.abc import Iterator
from typing import Any

from minitf.framework import errors

__all__ = ["GFile", "Open", "FastGFile", "Exists", "IsDirectory", "ListDirectory", "Glob",
           "MakeDirs", "MkDir", "Remove", "DeleteRecursively", "Rename", "Copy", "Walk",
           "Stat", "FileStatistics"]


def _path(name: Any) -> str:
    if isinstance(name, bytes):
        return name.decode()
    return os.fspath(name)


def _error(e: OSError, path: str) -> errors.OpError:
    code = e.errno
    text = f"{path}; {os.strerror(code) if code else e}"
    if code == errno.ENOENT:
        return errors.NotFoundError(None, None, text)
    if code == errno.EEXIST:
        return errors.AlreadyExistsError(None, None, text)
    if code in (errno.EACCES, errno.EPERM):
        return errors.PermissionDeniedError(None, None, text)
    if code in (errno.ENOTDIR, errno.EISDIR, errno.ENOTEMPTY):
        return errors.FailedPreconditionError(None, None, text)
    return errors.UnknownError(None, None, text)


class GFile:
    """A file (``tf.gfile.GFile`` / ``Open``): opened on first use, text or binary by mode."""

    def __init__(self, name: Any, mode: str = "r") -> None:
        self.__name = _path(name)
        if mode.replace("b", "").replace("+", "") not in ("r", "w", "a"):
            raise errors.InvalidArgumentError(None, None, f"mode {mode!r} not in (r, w, a)")
        self.__mode = mode
        self._f: Any = None

    @property
    def name(self) -> str:
        return self.__name

    @property
    def mode(self) -> str:
        return self.__mode

    def _file(self) -> Any:
        if self._f is None:
            if "r" in self.__mode and not os.path.exists(self.__name):
                raise errors.NotFoundError(None, None,
                                           f"{self.__name}; No such file or directory")
            try:
                binary = "b" in self.__mode
                self._f = open(self.__name, self.__mode,  # noqa: SIM115 - closed by close()
                               **({} if binary else {"encoding": "utf-8", "newline": ""}))
            except OSError as e:
                raise _error(e, self.__name) from None
        return self._f

    def size(self) -> int:
        return Stat(self.__name).length

    def read(self, n: int = -1) -> Any:
        return self._file().read(n)

    def readline(self) -> Any:
        return self._file().readline()

    def readlines(self) -> list[Any]:
        return self._file().readlines()

    def write(self, file_content: Any) -> None:
        f = self._file()
        if "b" in self.__mode and isinstance(file_content, str):
            file_content = file_content.encode()
        elif "b" not in self.__mode and isinstance(file_content, bytes):
            file_content = file_content.decode()
        f.write(file_content)

    def seek(self, offset: int | None = None, whence: int = 0,
             position: int | None = None) -> int:
        if position is not None:
            offset = position
        return self._file().seek(0 if offset is None else offset, whence)

    def tell(self) -> int:
        return self._file().tell()

    def flush(self) -> None:
        if self._f is not None:
            self._f.flush()

    def close(self) -> None:
        if self._f is not None:
            self._f.close()
            self._f = None

    def seekable(self) -> bool:
        return True

    def __iter__(self) -> Iterator[Any]:
        return iter(self._file())

    def __next__(self) -> Any:
        return next(self._file())

    next = __next__

    def __enter__(self) -> GFile:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


Open = GFile
FastGFile = GFile


def Exists(filename: Any) -> bool:  # noqa: N802 - TF's names
    return os.path.exists(_path(filename))


def IsDirectory(dirname: Any) -> bool:  # noqa: N802
    return os.path.isdir(_path(dirname))


def ListDirectory(dirname: Any) -> list[str]:  # noqa: N802
    """The entries of ``dirname`` (names only, unsorted as TF leaves them)."""
    path = _path(dirname)
    if not os.path.isdir(path):
        raise errors.NotFoundError(None, None, f"Could not find directory {path}")
    return os.listdir(path)


def Glob(filename: Any) -> list[str]:  # noqa: N802
    """Files matching a pattern, or each of a list of patterns."""
    patterns = filename if isinstance(filename, (list, tuple)) else [filename]
    out: list[str] = []
    for p in patterns:
        out.extend(_glob.glob(_path(p)))
    return out


def MakeDirs(dirname: Any) -> None:  # noqa: N802
    """Creates ``dirname`` and its parents (no error when it exists)."""
    path = _path(dirname)
    try:
        os.makedirs(path, exist_ok=True)
    except FileExistsError as e:
        raise _error(e, path) from None
    except OSError as e:
        raise _error(e, path) from None


def MkDir(dirname: Any) -> None:  # noqa: N802
    """Creates ``dirname`` (its parent must exist; no error when it exists, as TF)."""
    path = _path(dirname)
    if os.path.isdir(path):
        return
    try:
        os.mkdir(path)
    except OSError as e:
        raise _error(e, path) from None


def Remove(filename: Any) -> None:  # noqa: N802
    path = _path(filename)
    try:
        os.remove(path)
    except OSError as e:
        raise _error(e, path) from None


def DeleteRecursively(dirname: Any) -> None:  # noqa: N802
    """Removes a directory tree (or a file)."""
    path = _path(dirname)
    if not os.path.exists(path):
        raise errors.NotFoundError(None, None, f"{path}; No such file or directory")
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.remove(path)
    except OSError as e:
        raise _error(e, path) from None


def Rename(oldname: Any, newname: Any, overwrite: bool = False) -> None:  # noqa: N802
    old, new = _path(oldname), _path(newname)
    if not overwrite and os.path.exists(new):
        raise errors.AlreadyExistsError(None, None, f"file already exists: {new}")
    try:
        os.replace(old, new)
    except OSError as e:
        raise _error(e, old) from None


def Copy(oldpath: Any, newpath: Any, overwrite: bool = False) -> None:  # noqa: N802
    old, new = _path(oldpath), _path(newpath)
    if not overwrite and os.path.exists(new):
        raise errors.AlreadyExistsError(None, None, f"file already exists: {new}")
    try:
        shutil.copyfile(old, new)
    except OSError as e:
        raise _error(e, old) from None


def Walk(top: Any, in_order: bool = True) -> Iterator[tuple[str, list[str], list[str]]]:  # noqa: N802
    """(dirname, subdirs, files) for ``top`` and every directory below it: parents first when
    ``in_order``, else children first; nothing when ``top`` does not exist."""
    path = _path(top)
    if not os.path.isdir(path):
        return iter(())
    return os.walk(path, topdown=in_order)


class FileStatistics:
    """``length`` (bytes), ``mtime_nsec``, ``is_directory`` (TF's FileStatistics)."""

    def __init__(self, length: int = 0, mtime_nsec: int = 0, is_directory: bool = False) -> None:
        self.length = length
        self.mtime_nsec = mtime_nsec
        self.is_directory = is_directory

    def __repr__(self) -> str:
        return (f"FileStatistics(length={self.length}, mtime_nsec={self.mtime_nsec}, "
                f"is_directory={self.is_directory})")


def Stat(filename: Any) -> FileStatistics:  # noqa: N802
    path = _path(filename)
    try:
        st = os.stat(path)
    except OSError as e:
        raise _error(e, path) from None
    return FileStatistics(st.st_size, st.st_mtime_ns, os.path.isdir(path))
