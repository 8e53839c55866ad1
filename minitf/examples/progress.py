"""A plain-text progress bar on stderr (no dependency): steps, steps/s and the running loss.

On a terminal the bar redraws in place (``\\r``) a few times a second; otherwise (a log file, a
pipe, CI) it prints one line per epoch.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["ProgressBar"]


class ProgressBar:
    """``epoch 2/8 [#########...........]  63/125  412.3 steps/s  loss 0.2345``."""

    def __init__(self, total: int, label: str = "", width: int = 24,
                 stream: TextIO | None = None, enabled: bool = True,
                 interval: float = 0.2) -> None:
        self.total = max(int(total), 1)
        self.label = label
        self.width = width
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.interactive = enabled and bool(getattr(self.stream, "isatty", lambda: False)())
        self.interval = interval
        self.count = 0
        self.loss: float | None = None
        self.start = time.perf_counter()
        self._rate_start: float | None = None  # the first step (JIT compile) is not counted
        self._rate_count = 0
        self._last_draw = 0.0

    def update(self, n: int = 1, loss: float | None = None) -> None:
        self.count += n
        if loss is not None:
            self.loss = float(loss)
        now = time.perf_counter()
        if self._rate_start is None:
            self._rate_start = now
        else:
            self._rate_count += n
        if self.interactive and (now - self._last_draw >= self.interval
                                 or self.count >= self.total):
            self._last_draw = now
            self.stream.write("\r" + self.render())
            self.stream.flush()

    @property
    def steps_per_second(self) -> float | None:
        if self._rate_start is None or self._rate_count == 0:
            return None
        elapsed = time.perf_counter() - self._rate_start
        return self._rate_count / elapsed if elapsed > 0 else None

    def render(self) -> str:
        done = min(self.count, self.total)
        filled = int(self.width * done / self.total)
        bar = "#" * filled + "." * (self.width - filled)
        digits = len(str(self.total))
        parts = [f"{self.label} [{bar}] {done:>{digits}}/{self.total}"]
        rate = self.steps_per_second
        if rate is not None:
            parts.append(f"{rate:7.1f} steps/s")
        if self.loss is not None:
            parts.append(f"loss {self.loss:.4f}")
        return "  ".join(parts)

    def close(self, suffix: str = "") -> None:
        if not self.enabled:
            return
        line = self.render() + (f"  {suffix}" if suffix else "")
        self.stream.write(("\r" if self.interactive else "") + line + "\n")
        self.stream.flush()
