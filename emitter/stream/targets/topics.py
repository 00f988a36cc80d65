"""Create missing topics with the AdminClient: existing ones are left as they are."""

from __future__ import annotations

import concurrent.futures
import logging
import time
from collections.abc import Mapping, Sequence
from typing import Any, Final

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient
from confluent_kafka.admin._metadata import ClusterMetadata
from confluent_kafka.cimpl import NewTopic

from emitter.kafka_client_log import ClientLog
from emitter.stream.targets.errors import TopicSetupError

_LOG = logging.getLogger(__name__)
# a broker that doesn't answer within this is reported, rather than waited on like librdkafka would
DEFAULT_SETUP_TIMEOUT_S: Final = 10.0

# Connection settings an AdminClient shares with the producer; producer tuning (idempotence, batching,
# compression) would only make the admin handle do needless work.
_ADMIN_PREFIXES: Final = ("bootstrap.servers", "security.", "sasl.", "ssl.", "socket.", "client.id")
_ADMIN_KEYS: Final = frozenset(
    {
        "broker.address.family",
        "connections.max.idle.ms",
        "metadata.max.age.ms",
        "request.timeout.ms",
        "enable.ssl.certificate.verification",
        "debug",
        "log_level",
    }
)


def admin_config(producer_config: Mapping[str, Any]) -> dict[str, Any]:
    """The connection part of a producer config."""
    return {
        key: value for key, value in producer_config.items() if key in _ADMIN_KEYS or key.startswith(_ADMIN_PREFIXES)
    }


def ensure_topics(
    producer_config: Mapping[str, Any],
    names: Sequence[str],
    partitions: int,
    replication: int = 1,
    *,
    create: bool = True,
    target_name: str = "Kafka",
    timeout: float = DEFAULT_SETUP_TIMEOUT_S,
) -> list[str]:
    """Create the missing topics among ``names``; return those created.

    Args:
        producer_config: the producer's librdkafka config; its connection settings are reused.
        partitions: partition count for new topics (existing topics keep theirs).
        replication: replication factor for new topics.
        create: False only checks that the topics exist (Event Hubs: hubs are made in Azure).
        timeout: seconds for the whole operation.
    """
    if partitions < 1 or replication < 1:
        raise TopicSetupError(f"partitions ({partitions}) and replication ({replication}) must be at least 1")
    wanted = list(dict.fromkeys(names))
    if not wanted:
        return []
    deadline = time.monotonic() + timeout
    settings: dict[str, Any] = {**admin_config(producer_config), **ClientLog(f"{target_name} admin").settings()}
    admin = AdminClient(settings)
    where = producer_config.get("bootstrap.servers", "?")
    existing = _topics(admin, deadline, where, target_name)
    for name in wanted:
        have = existing.get(name)
        if have is not None and have < partitions:
            _LOG.warning("topic %s has %d partitions (asked for %d); leaving it as it is", name, have, partitions)
    missing = [name for name in wanted if name not in existing]
    if not missing:
        return []
    if not create:
        raise TopicSetupError(
            f"{target_name}: missing {', '.join(missing)} at {where}; create them first (for Event Hubs: in the "
            "Azure portal, CLI or Bicep, one event hub per topic)"
        )
    futures = admin.create_topics(
        [NewTopic(name, num_partitions=partitions, replication_factor=replication) for name in missing],
        operation_timeout=max(0.0, deadline - time.monotonic()),
        request_timeout=max(0.1, deadline - time.monotonic()),
    )
    created = []
    for name, future in futures.items():
        try:
            future.result(timeout=max(0.1, deadline - time.monotonic()))
        except concurrent.futures.TimeoutError as exc:
            raise TopicSetupError(
                f"{target_name}: creating topic {name} at {where} timed out after {timeout:g}s"
            ) from exc
        except KafkaException as exc:
            error = exc.args[0]
            if isinstance(error, KafkaError) and error.code() == KafkaError.TOPIC_ALREADY_EXISTS:
                continue  # someone else made it meanwhile
            raise TopicSetupError(f"{target_name}: could not create topic {name} at {where}: {_text(exc)}") from exc
        created.append(name)
    _wait_visible(admin, created, deadline, where, target_name)
    return created


def _topics(admin: AdminClient, deadline: float, where: object, target_name: str) -> dict[str, int]:
    """Existing topic names and their partition counts."""
    metadata = _metadata(admin, deadline, where, target_name)
    return {name: len(topic.partitions) for name, topic in metadata.topics.items() if topic.error is None}


def _metadata(admin: AdminClient, deadline: float, where: object, target_name: str) -> ClusterMetadata:
    try:
        return admin.list_topics(timeout=max(0.1, deadline - time.monotonic()))
    except KafkaException as exc:
        raise TopicSetupError(
            f"{target_name}: could not list topics at {where}: {_text(exc)}; is the broker running and reachable?"
        ) from exc


def _wait_visible(admin: AdminClient, names: list[str], deadline: float, where: object, target_name: str) -> None:
    """Wait until new topics show up in metadata with a leader for every partition."""
    pending = set(names)
    while pending:
        metadata = _metadata(admin, deadline, where, target_name)
        for name in list(pending):
            topic = metadata.topics.get(name)
            if topic is not None and topic.error is None and all(p.leader >= 0 for p in topic.partitions.values()):
                pending.discard(name)
        if not pending:
            return
        if time.monotonic() >= deadline:
            raise TopicSetupError(f"{target_name}: topics {', '.join(sorted(pending))} not ready at {where} in time")
        time.sleep(0.05)


def _text(exc: KafkaException) -> str:
    error = exc.args[0] if exc.args else exc
    if isinstance(error, KafkaError):
        return f"{error.str()} ({error.name()})"
    return str(error)
