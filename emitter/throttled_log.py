"""Log lines that repeat, once per interval: the first of a kind goes out, the next ones are counted.

A broker that is gone, or a second sink racing this one, can make the same line many times a second;
one line per interval, saying how many were held back, tells the operator as much.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Final

_MAX_KINDS: Final = 1_000  # forget what was seen rather than grow without bound
_NUMBER = re.compile(r"\d+")


def numbers_apart(text: str) -> str:
    """``text`` with every number as ``#``: lines that differ only in counts, offsets or ports are one kind."""
    return _NUMBER.sub("#", text)


class ThrottledLog:
    """``note(level, text)``: log ``text`` unless a line of its kind went out less than ``interval_s`` ago.

    Args:
        logger: where records go.
        interval_s: how long a line of one kind holds back the next ones.
        clock: seconds, monotonic (a test may pass its own).
    """

    def __init__(
        self,
        logger: logging.Logger,
        interval_s: float,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._logger = logger
        self._interval_s = interval_s
        self._clock = clock
        self._last: dict[str, tuple[float, int]] = {}  # kind → (when logged, lines held back since)

    def note(self, level: int, text: str, kind: str | None = None) -> None:
        """``kind``: what makes two lines "the same"; default the text with its numbers blanked."""
        if not self._logger.isEnabledFor(level):
            return
        kind = numbers_apart(text) if kind is None else kind
        now = self._clock()
        last = self._last.get(kind)
        if last is not None and now - last[0] < self._interval_s:
            self._last[kind] = (last[0], last[1] + 1)
            return
        if len(self._last) >= _MAX_KINDS:
            self._last.clear()
        self._last[kind] = (now, 0)
        held = f" ({last[1]} more like it since the last one)" if last and last[1] else ""
        self._logger.log(level, "%s%s", text, held)


__all__ = ["ThrottledLog", "numbers_apart"]
