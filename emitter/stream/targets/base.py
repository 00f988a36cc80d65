"""What every stream target offers: keyed byte events in, delivery counts out."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

GiveUp = Callable[[], bool]
"""Asked while a send waits for room: True ends the wait (a stop signal, the end of the run's duration)."""


@dataclass(frozen=True)
class TargetStats:
    """Counts since the target opened.

    ``accepted`` events were taken by the client; each ends ``delivered``, ``failed`` (the client said
    it was not delivered) or ``unconfirmed`` (dropped at close without an answer: it may or may not have
    landed), and until then is ``in_flight``. ``failed`` also counts events refused at ``send`` (never
    accepted), so every event handed to ``send`` is exactly one of delivered, failed, unconfirmed and
    in flight; once closed, in flight is 0.
    """

    accepted: int
    delivered: int
    failed: int
    in_flight: int
    delivered_by_topic: Mapping[str, int] = field(default_factory=dict)
    queue_full_waits: int = 0
    unconfirmed: int = 0
    first_error: str | None = None  # the first delivery failure, as a readable line

    @property
    def sent(self) -> int:
        """Events handed to ``send``: delivered + failed + unconfirmed + in flight."""
        return self.delivered + self.failed + self.unconfirmed + self.in_flight

    @property
    def undelivered(self) -> int:
        return self.failed + self.unconfirmed


class Target(Protocol):
    """A destination for encoded events: Kafka, Event Hubs over its Kafka endpoint or natively."""

    def ensure_topics(self, names: Sequence[str], partitions: int, replication: int = 1) -> list[str]:
        """Make sure the topics (hubs) exist; return the names created."""
        ...

    def send(self, topic: str, keys: Sequence[bytes], values: Sequence[bytes], give_up: GiveUp | None = None) -> int:
        """Hand over events, ``keys[i]`` with ``values[i]``; return how many were taken.

        All are taken unless ``give_up()`` ends a wait for room (or a failure does). Raises a latched
        delivery error before taking any.
        """
        ...

    def flush(self, timeout: float | None = None) -> None:
        """Return once everything accepted is delivered, or raise."""
        ...

    def close(self, timeout: float | None = 30.0) -> None:
        """Flush and release connections; ``timeout=0``: don't wait, count the undelivered as failed, don't raise."""
        ...

    def stats(self) -> TargetStats: ...
