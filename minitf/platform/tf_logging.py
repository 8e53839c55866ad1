"""``tf.logging``: TF 1.x's logging functions on Python's ``logging`` (logger ``tensorflow``,
messages ``INFO:tensorflow:...`` on stderr, level WARN until ``set_verbosity``)."""

from __future__ import annotations

import logging as _logging
import sys
import threading
from typing import Any

__all__ = ["DEBUG", "INFO", "WARN", "ERROR", "FATAL", "get_logger", "log", "debug", "info",
           "warn", "warning", "error", "fatal", "vlog", "log_every_n", "log_first_n", "log_if",
           "set_verbosity", "get_verbosity", "flush", "TaskLevelStatusMessage"]

DEBUG = _logging.DEBUG
INFO = _logging.INFO
WARN = _logging.WARN
ERROR = _logging.ERROR
FATAL = _logging.FATAL

_logger: _logging.Logger | None = None
_lock = threading.Lock()
_counts: dict[Any, int] = {}


def get_logger() -> _logging.Logger:
    """The ``tensorflow`` logger (a stderr handler added on first use, as TF does)."""
    global _logger
    if _logger is not None:
        return _logger
    with _lock:
        if _logger is None:
            logger = _logging.getLogger("tensorflow")
            if not logger.handlers:
                handler = _logging.StreamHandler(sys.stderr)
                handler.setFormatter(_logging.Formatter(_logging.BASIC_FORMAT, None))
                logger.addHandler(handler)
            if logger.level == _logging.NOTSET:
                logger.setLevel(WARN)
            logger.propagate = False
            _logger = logger
    return _logger


def log(level: int, msg: Any, *args: Any, **kwargs: Any) -> None:
    get_logger().log(level, msg, *args, **kwargs)


def debug(msg: Any, *args: Any, **kwargs: Any) -> None:
    get_logger().debug(msg, *args, **kwargs)


def info(msg: Any, *args: Any, **kwargs: Any) -> None:
    get_logger().info(msg, *args, **kwargs)


def warning(msg: Any, *args: Any, **kwargs: Any) -> None:
    get_logger().warning(msg, *args, **kwargs)


warn = warning


def error(msg: Any, *args: Any, **kwargs: Any) -> None:
    get_logger().error(msg, *args, **kwargs)


def fatal(msg: Any, *args: Any, **kwargs: Any) -> None:
    """Logs at FATAL (TF 1.x's tf.logging.fatal logs; it does not abort)."""
    get_logger().fatal(msg, *args, **kwargs)


def vlog(level: int, msg: Any, *args: Any, **kwargs: Any) -> None:
    get_logger().log(level, msg, *args, **kwargs)


def _caller_key(depth: int = 2) -> tuple[str, int]:
    f = sys._getframe(depth)
    return f.f_code.co_filename, f.f_lineno


def log_every_n(level: int, msg: Any, n: int, *args: Any) -> None:
    """Logs the 1st, (n+1)th, (2n+1)th ... call made from this line."""
    key = _caller_key()
    with _lock:
        count = _counts.get(key, 0)
        _counts[key] = count + 1
    if n <= 1 or count % n == 0:
        log(level, msg, *args)


def log_first_n(level: int, msg: Any, n: int, *args: Any) -> None:
    """Logs only the first ``n`` calls made from this line."""
    key = _caller_key()
    with _lock:
        count = _counts.get(key, 0)
        _counts[key] = count + 1
    if count < n:
        log(level, msg, *args)


def log_if(level: int, msg: Any, condition: Any, *args: Any) -> None:
    if condition:
        log(level, msg, *args)


def set_verbosity(v: int) -> None:
    """Messages below level ``v`` are dropped."""
    get_logger().setLevel(v)


def get_verbosity() -> int:
    return get_logger().getEffectiveLevel()


def flush() -> None:
    for handler in get_logger().handlers:
        handler.flush()


def TaskLevelStatusMessage(msg: Any) -> None:  # noqa: N802 - TF's name
    error(msg)
