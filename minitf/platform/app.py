"""``tf.app``: ``run(main, argv)`` parses the flags (unknown ones are left in ``argv``) and exits
with ``main(argv)``; ``tf.app.flags`` is :mod:`minitf.platform.flags`."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, NoReturn

from minitf.platform import flags

__all__ = ["run", "flags"]


def run(main: Callable[[list[str]], Any] | None = None,
        argv: list[str] | None = None) -> NoReturn:
    """Parses ``argv`` (default ``sys.argv``) into ``tf.flags.FLAGS`` and calls
    ``sys.exit(main(remaining_argv))``; ``main`` defaults to ``__main__.main``."""
    args = list(sys.argv if argv is None else argv)
    if not args:
        args = [sys.argv[0] if sys.argv else ""]
    remaining = flags.FLAGS(args, known_only=True)
    if main is None:
        main = sys.modules["__main__"].main  # type: ignore[attr-defined]
    sys.exit(main(remaining))
