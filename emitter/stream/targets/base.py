"""What every stream target offers: keyed byte events in, delivery counts out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class TargetStats:
    """Counts since the target opened.

    ``accepted`` events were taken by the client; each ends ``delivered`` or failed, and until then is
    ``in_flight``. ``failed`` also counts events refused at ``send`` (never accepted).
    """

    accepted: int
    delivered: int
    failed: int
    in_flight: int
    delivered_by_topic: Mapping[str, int] = field(default_factory=dict)
    queue_full_waits: int = 0


class Target(Protocol):
    """A destination for encoded events: Kafka, Event Hubs over its Kafka endpoint or natively."""

    def ensure_topics(self, names: Sequence[str], partitions: int, replication: int = 1) -> list[str]:
        """Make sure the topics (hubs) exist; return the names created."""
        ...

    def send(self, topic: str, keys: Sequence[bytes], values: Sequence[bytes]) -> None:
        """Hand over events, ``keys[i]`` with ``values[i]``; raises a latched delivery error."""
        ...

    def flush(self, timeout: float | None = None) -> None:
        """Return once everything accepted is delivered, or raise."""
        ...

    def close(self, timeout: float | None = 30.0) -> None:
        """Flush and release connections; ``timeout=0``: don't wait, count the undelivered as failed, don't raise."""
        ...

    def stats(self) -> TargetStats: ...
