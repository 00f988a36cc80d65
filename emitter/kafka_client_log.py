"""librdkafka's own log lines and error events, as Python log records: leveled by severity, deduplicated.

A client that can't reach its broker says so many times a second (every reconnect, every request,
per broker thread). Each kind of line is logged once, then held back for ``interval_s``; the next one
after that says how many were held back. Every Kafka client emitter opens (producer, consumer, admin)
gets its logging settings from ``ClientLog.settings``.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Any, Final

from confluent_kafka import KafkaError

from emitter.throttled_log import ThrottledLog, numbers_apart

LOGGER_NAME: Final = "emitter.kafka"
DEFAULT_INTERVAL_S: Final = 30.0

# librdkafka retries what it logs at ERROR (a refused connection, a dropped socket) by itself; emitter
# reports what that means for the run (events not delivered, a broker never reached) as its own error.
_LEVELS: Final = {logging.CRITICAL: logging.ERROR, logging.ERROR: logging.WARNING}
# A broker that can't be reached, or is gone: emitter itself says what that means for the run (the
# stream's "could not list topics" and its undelivered count, the sink's notice once per interval), so the
# client's own words about it are detail, at INFO.
UNREACHABLE_CODES: Final = frozenset({KafkaError._TRANSPORT, KafkaError._ALL_BROKERS_DOWN, KafkaError._RESOLVE})
_UNREACHABLE_FACILITIES: Final = frozenset({"FAIL"})
_THREAD_PREFIX = re.compile(r"^\[thrd:[^\]]*\]:\s*")
_BROKER_PREFIX = re.compile(r"^\S+/\S+: ")  # "127.0.0.1:9092/1: " or ".../bootstrap: ": one broker, two names
_DETAIL = re.compile(r"\s*\((after|\d+ identical)[^)]*\)")


def _kind(text: str) -> str:
    """What makes two lines "the same": the text without timings, counts, ports or broker ids."""
    return numbers_apart(_DETAIL.sub("", _BROKER_PREFIX.sub("", text)))


class ClientLog:
    """Receives librdkafka's log callback (``log``) and error events (``error``) for one client.

    Args:
        client: how lines name the client, e.g. "Kafka producer".
        interval_s: how long a line of one kind holds back the next ones.
        logger: where records go; default the ``emitter.kafka`` logger.
        clock: seconds, monotonic (a test may pass its own).
    """

    def __init__(
        self,
        client: str,
        *,
        interval_s: float = DEFAULT_INTERVAL_S,
        logger: logging.Logger | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._lines = ThrottledLog(logger or logging.getLogger(LOGGER_NAME), interval_s, clock=clock)

    def settings(self) -> dict[str, Any]:
        """The librdkafka config entries that route this client's logs and error events here."""
        return {"logger": self, "error_cb": self.error}

    def log(self, level: int, message: str, *args: Any, **_: Any) -> None:
        """confluent-kafka's log callback: ``log(level, "%s [%s] %s", facility, client name, text)``."""
        text = str(args[-1]) if len(args) == 3 else (message % args if args else message)
        unreachable = len(args) == 3 and args[0] in _UNREACHABLE_FACILITIES
        self.note(logging.INFO if unreachable else _LEVELS.get(level, level), _THREAD_PREFIX.sub("", text))

    def error(self, error: KafkaError) -> None:
        """An error event librdkafka recovers from by itself (transport, all brokers down)."""
        self.note(logging.INFO if error.code() in UNREACHABLE_CODES else logging.WARNING, error.str())

    def note(self, level: int, text: str) -> None:
        """Log ``text`` at ``level`` unless a line of its kind went out less than ``interval_s`` ago."""
        self._lines.note(level, f"{self._client}: {text}", kind=_kind(text))


__all__ = ["DEFAULT_INTERVAL_S", "LOGGER_NAME", "UNREACHABLE_CODES", "ClientLog"]
