"""Azure Event Hubs through the native ``azure-eventhub`` SDK (AMQP): ``pip install 'emitter[eventhubs]'``.

Each topic is an event hub. Events go out in ``EventDataBatch``es of at most ``max_batch_bytes``
(1,046,528 by default, the Standard tier's limit). The message key is the partition key, so a batch
holds one key's events: Event Hubs hashes the partition key server-side, which keeps one key on one
partition and in order. Sends are synchronous, so ``flush`` has nothing left to wait for.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Sequence
from types import ModuleType, TracebackType
from typing import TYPE_CHECKING, Any, Final

from emitter.stream.targets.base import GiveUp, TargetStats
from emitter.stream.targets.errors import (
    DeliveryError,
    MissingDependencyError,
    TargetConfigError,
    TargetError,
    TopicSetupError,
)
from emitter.stream.targets.eventhubs import MAX_REQUEST_BYTES, EventHubsConnection, resolve_connection_string

if TYPE_CHECKING:
    from azure.eventhub import EventDataBatch, EventHubProducerClient

_LOG = logging.getLogger(__name__)
DEFAULT_MAX_BATCH_BYTES: Final = MAX_REQUEST_BYTES
INSTALL_HINT: Final = "pip install 'emitter[eventhubs]'"


class EventTooLargeError(TargetError):
    """One event is larger than a whole batch may be."""


def import_azure_eventhub() -> ModuleType:
    """``azure.eventhub``, or a clear error saying how to install it."""
    try:
        return importlib.import_module("azure.eventhub")
    except ImportError as exc:
        raise MissingDependencyError(
            f"the native Event Hubs target needs the azure-eventhub package: {INSTALL_HINT} "
            "(or use --target eventhubs, which goes through the Kafka endpoint)"
        ) from exc


def partition_key_for(key: bytes) -> str | None:
    """The Event Hubs partition key for a message key: its text, or hex if it isn't UTF-8; none if empty.

    The service hashes only string partition keys (others are spread round-robin), hence the text.
    """
    if not key:
        return None
    try:
        return key.decode("utf-8")
    except UnicodeDecodeError:
        return key.hex()


def plan_batches(
    keys: Sequence[bytes], values: Sequence[bytes], *, max_size_in_bytes: int = DEFAULT_MAX_BATCH_BYTES
) -> list[EventDataBatch]:
    """Split events into batches of one partition key each, none over ``max_size_in_bytes``.

    Keys keep the order they first appear in; each key's events keep their order.
    """
    if len(keys) != len(values):
        raise ValueError(f"{len(keys)} keys for {len(values)} values")
    azure = import_azure_eventhub()
    groups: dict[str | None, list[bytes]] = {}
    for key, value in zip(keys, values, strict=True):
        groups.setdefault(partition_key_for(key), []).append(value)
    batches: list[EventDataBatch] = []
    for partition_key, group in groups.items():
        batch = azure.EventDataBatch(max_size_in_bytes=max_size_in_bytes, partition_key=partition_key)
        for value in group:
            event = azure.EventData(value)
            try:
                batch.add(event)
            except ValueError:
                if len(batch) == 0:
                    raise _too_large(len(value), max_size_in_bytes) from None
                batches.append(batch)
                batch = azure.EventDataBatch(max_size_in_bytes=max_size_in_bytes, partition_key=partition_key)
                try:
                    batch.add(event)
                except ValueError:
                    raise _too_large(len(value), max_size_in_bytes) from None
        if len(batch):
            batches.append(batch)
    return batches


def _too_large(size: int, limit: int) -> EventTooLargeError:
    return EventTooLargeError(
        f"an event of {size} bytes does not fit in an Event Hubs batch of {limit} bytes (with AMQP overhead)"
    )


class EventHubsTarget:
    """Sends keyed byte events to event hubs named like the topics.

    Args:
        connection_string: namespace (or hub) connection string; None reads
            ``$EVENTHUBS_CONNECTION_STRING``.
        max_batch_bytes: batch size limit; raise it only on tiers that take larger messages.
        send_timeout_s: how long one batch may take to be acknowledged.
    """

    def __init__(
        self,
        connection_string: str | None = None,
        *,
        max_batch_bytes: int = DEFAULT_MAX_BATCH_BYTES,
        send_timeout_s: float = 60.0,
    ) -> None:
        self._connection: EventHubsConnection = resolve_connection_string(connection_string)
        self._azure = import_azure_eventhub()
        self._max_batch_bytes = max_batch_bytes
        self._send_timeout_s = send_timeout_s
        self._clients: dict[str, EventHubProducerClient] = {}
        self._delivered: dict[str, int] = {}
        self._accepted = 0
        self._failed = 0
        self._first_error: str | None = None
        self._closed = False

    def ensure_topics(self, names: Sequence[str], partitions: int, replication: int = 1) -> list[str]:
        """Check that an event hub exists for each name; hubs are created in Azure, not here."""
        for name in dict.fromkeys(names):
            try:
                self._client(name).get_eventhub_properties()
            except self._azure.exceptions.EventHubError as exc:
                raise TopicSetupError(
                    f"Event Hubs: hub {name} is missing or unreachable ({type(exc).__name__}); create it in "
                    "the Azure portal, CLI or Bicep"
                ) from exc
        return []

    def send(self, topic: str, keys: Sequence[bytes], values: Sequence[bytes], give_up: GiveUp | None = None) -> int:
        """Send the events now, one batch per partition key; a failed batch is raised on the next call.

        Sends are synchronous, so there is no queue to wait on and ``give_up`` is never asked.
        """
        self._raise_if_failed()
        if self._closed:
            raise RuntimeError("Event Hubs target is closed")
        if not values:
            return 0
        batches = plan_batches(keys, values, max_size_in_bytes=self._max_batch_bytes)
        client = self._client(topic)
        self._accepted += len(values)
        remaining = len(values)
        for batch in batches:
            try:
                client.send_batch(batch, timeout=self._send_timeout_s)
            except self._azure.exceptions.EventHubError as exc:
                self._failed += remaining
                self._first_error = f"Event Hubs: batch to {topic} not delivered: {type(exc).__name__}: {exc}"
                _LOG.debug("Event Hubs send failed", exc_info=exc)
                return len(values)
            remaining -= len(batch)
            self._delivered[topic] = self._delivered.get(topic, 0) + len(batch)
        return len(values)

    def flush(self, timeout: float | None = None) -> None:
        """Sends are synchronous: only raises an earlier failure."""
        self._raise_if_failed()

    def close(self, timeout: float | None = 30.0) -> None:
        if self._closed:
            return
        self._closed = True
        for client in self._clients.values():
            try:
                client.close()
            except Exception as exc:
                _LOG.warning("closing Event Hubs client: %s", exc)
        self._clients.clear()

    def stats(self) -> TargetStats:
        delivered = sum(self._delivered.values())
        return TargetStats(
            accepted=self._accepted,
            delivered=delivered,
            failed=self._failed,
            in_flight=self._accepted - delivered - self._failed,
            delivered_by_topic=dict(self._delivered),
            first_error=self._first_error,
        )

    def __enter__(self) -> EventHubsTarget:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _client(self, hub: str) -> EventHubProducerClient:
        client = self._clients.get(hub)
        if client is None:
            entity = self._connection.entity_path
            if entity is not None and entity != hub:
                raise TargetConfigError(
                    f"the Event Hubs connection string is for hub {entity}, not {hub}: use a namespace-level "
                    "connection string (no EntityPath) to send to several hubs"
                )
            kwargs: dict[str, Any] = {} if entity is not None else {"eventhub_name": hub}
            try:
                client = self._azure.EventHubProducerClient.from_connection_string(self._connection.text, **kwargs)
            except ValueError as exc:
                # The SDK's message may quote the string, key included: say what to check instead.
                raise TargetConfigError(
                    "azure-eventhub rejected the Event Hubs connection string: check its Endpoint, "
                    "SharedAccessKeyName and SharedAccessKey"
                ) from exc
            self._clients[hub] = client
        return client

    def _raise_if_failed(self) -> None:
        if self._first_error is not None:
            raise DeliveryError(self._first_error)
