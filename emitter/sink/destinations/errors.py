"""Destination failures a user can act on: each message names what failed, where, and how to fix it."""

from __future__ import annotations

from emitter.errors import EmitterError


class DestinationError(EmitterError):
    """A warehouse destination can't be opened, written or queried."""


class DestinationURLError(DestinationError):
    """The destination URL is malformed or names an unknown kind of destination."""


class DestinationConnectionError(DestinationError):
    """The destination could not be opened (server down, bad credentials, file locked)."""


class SchemaEvolutionError(DestinationError):
    """Incoming rows would change the type of an existing column; only new columns are added."""


class StaleOffsetsError(DestinationError):
    """Another consumer moved a partition's stored offset since this batch was read; nothing was written.

    ``partitions`` names the (topic, partition) pairs whose stored next offset was not where the batch began.
    """

    def __init__(self, message: str, partitions: list[tuple[str, int]]) -> None:
        super().__init__(message)
        self.partitions = partitions

    @classmethod
    def of(cls, where: str, stale: list[tuple[str, int, int | None]]) -> StaleOffsetsError:
        """The error for ``stale`` (topic, partition, offset the batch was read from; None: the start)."""
        read = ", ".join(f"{t}[{p}] (read from {'the start' if s is None else s})" for t, p, s in stale)
        return cls(
            f"{where}: another consumer already loaded past where this batch was read: {read}; "
            "nothing of the batch was written",
            [(t, p) for t, p, _ in stale],
        )
