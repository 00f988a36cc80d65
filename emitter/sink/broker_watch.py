"""Notices when the sink's broker is gone or its topics don't exist, instead of waiting on them forever.

librdkafka retries an unreachable broker and an empty subscription without end, and says nothing the
caller could act on. The watch tracks the client's "all brokers down" events and whether partitions
are assigned; once that has lasted ``give_up_after_s`` it asks the broker directly (a metadata
request) and, if the broker is gone or no topic matches, raises ``SinkError`` with one clear line.
Without ``give_up_after_s`` the sink keeps retrying and the watch logs one warning per interval.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable
from typing import Any, Final

from confluent_kafka import Consumer, KafkaError, KafkaException

from emitter.errors import EmitterError
from emitter.kafka_client_log import UNREACHABLE_CODES, ClientLog

_LOG = logging.getLogger("emitter.sink")
PROBE_TIMEOUT_S: Final = 5.0
DEFAULT_NOTICE_EVERY_S: Final = 10.0


class SinkError(EmitterError):
    """The sink can't consume or load."""


def subscription(topics: str) -> list[str]:
    """``retail.*`` → a librdkafka regex subscription (``^retail\\..*``); plain names stay names."""
    out = []
    for name in (t.strip() for t in topics.split(",") if t.strip()):
        out.append("^" + ".*".join(re.escape(part) for part in name.split("*")) + "$" if "*" in name else name)
    if not out:
        raise SinkError("topics: give at least one topic name or pattern, e.g. 'retail.*'")
    return out


def matching_topics(names: Iterable[str], topics: str) -> list[str]:
    """The ``names`` that ``topics`` (comma-separated names and ``*`` patterns) selects, sorted."""
    wanted = subscription(topics)
    return sorted(n for n in names if any(re.fullmatch(w[1:-1], n) if w.startswith("^") else w == n for w in wanted))


class BrokerWatch:
    """Tracks how long the sink has had no broker (or no partitions), and says so or gives up.

    Args:
        bootstrap_servers: for messages.
        topics: the sink's ``--topics`` (names and ``*`` patterns).
        started: when the sink started (monotonic seconds): having no partitions counts from then.
        give_up_after_s: raise once stuck this long (the sink's ``--until-idle``); None: warn and retry.
        notice_every_s: without ``give_up_after_s``, one warning per this many seconds while stuck.
    """

    def __init__(
        self,
        bootstrap_servers: str,
        topics: str,
        started: float,
        give_up_after_s: float | None,
        notice_every_s: float = DEFAULT_NOTICE_EVERY_S,
    ) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.topics = topics
        self.give_up_after_s = give_up_after_s
        self.notice_every_s = notice_every_s
        self.client_log = ClientLog("Kafka consumer")
        self.down_since: float | None = None
        self.unassigned_since: float | None = started
        self.next_look = started + (give_up_after_s if give_up_after_s is not None else notice_every_s)

    def settings(self) -> dict[str, Any]:
        """Consumer config entries: client logs deduplicated, error events watched."""
        return {**self.client_log.settings(), "error_cb": self.on_error}

    def on_error(self, error: KafkaError) -> None:
        if error.code() in UNREACHABLE_CODES and self.down_since is None:
            self.down_since = time.monotonic()
        self.client_log.error(error)

    def alive(self) -> None:
        """A message arrived: the broker is there."""
        self.down_since = None

    def check(self, consumer: Consumer, now: float, assigned: bool) -> None:
        """Call now and then from the loop: raises ``SinkError``, or warns, once stuck long enough."""
        if assigned:
            self.unassigned_since = None
        elif self.unassigned_since is None:
            self.unassigned_since = now
        stuck = [t for t in (self.down_since, self.unassigned_since) if t is not None]
        if not stuck or now < self.next_look:
            return
        waited = now - min(stuck)
        if self.give_up_after_s is not None and waited < self.give_up_after_s:
            return
        problem = self._problem(consumer, waited, assigned)
        self.next_look = now + (self.notice_every_s if self.give_up_after_s is None else 1.0)
        if problem is None:
            self.down_since = None  # it answers, and partitions are coming (a group join takes seconds)
            return
        if self.give_up_after_s is not None:
            raise SinkError(f"{problem} (--until-idle {self.give_up_after_s:g}s)")
        _LOG.warning("%s; still retrying (Ctrl-C stops)", problem)

    def _problem(self, consumer: Consumer, waited: float, assigned: bool) -> str | None:
        """What is wrong, as one line, or None if the broker answers and (unassigned) has matching topics."""
        try:
            listed = consumer.list_topics(timeout=PROBE_TIMEOUT_S).topics
        except KafkaException as exc:
            reason = exc.args[0].str() if exc.args and isinstance(exc.args[0], KafkaError) else str(exc)
            return (
                f"no answer from {self.bootstrap_servers} for {waited:.0f}s ({reason}); is the broker running "
                "and --bootstrap-servers right?"
            )
        if assigned or matching_topics(listed, self.topics):
            return None
        return (
            f"topics: nothing on {self.bootstrap_servers} matches {self.topics!r} after {waited:.0f}s; "
            "check --topics, or start the stream first"
        )


__all__ = ["BrokerWatch", "SinkError", "matching_topics", "subscription"]
