"""Azure Event Hubs over its Kafka endpoint: connection string → librdkafka config.

Event Hubs speaks Kafka on ``NAMESPACE.servicebus.windows.net:9093`` with SASL PLAIN, the user
``$ConnectionString`` and the connection string as password. The settings follow Microsoft's
recommendations for Kafka clients: requests up to 1,046,528 bytes, metadata refreshed before Azure
drops idle connections (240 s), a 60 s request timeout, and gzip as the only compression.
The local emulator (``UseDevelopmentEmulator=true``) takes SASL over plain TCP on port 9092.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import urlsplit

from emitter.stream.targets.errors import TargetConfigError
from emitter.stream.targets.kafka import producer_config

CONNECTION_STRING_ENV: Final = "EVENTHUBS_CONNECTION_STRING"
KAFKA_PORT: Final = 9093
EMULATOR_KAFKA_PORT: Final = 9092
MAX_REQUEST_BYTES: Final = 1_046_528  # larger requests make the service close the connection
IDLE_LIMIT_MS: Final = 240_000  # Azure closes inbound TCP connections idle this long
_AMQP_PORTS: Final = frozenset({5671, 5672})
ALLOWED_COMPRESSION: Final = ("gzip", "none")

RECOMMENDED_CONFIG: Final[Mapping[str, Any]] = {
    "request.timeout.ms": 60_000,
    "metadata.max.age.ms": 180_000,
    "connections.max.idle.ms": 180_000,
    "socket.keepalive.enable": True,
    "compression.type": "gzip",
    "message.max.bytes": 1_000_000,
    "batch.size": 1_000_000,
}


@dataclass(frozen=True)
class EventHubsConnection:
    """The parts of an Event Hubs connection string; ``repr`` never shows the key."""

    host: str
    port: int | None
    key_name: str | None
    entity_path: str | None
    emulator: bool
    text: str = field(repr=False)

    @property
    def kafka_bootstrap(self) -> str:
        if not self.emulator:
            return f"{self.host}:{KAFKA_PORT}"
        # The Endpoint's port is the emulator's AMQP port unless it was set to where Kafka listens.
        port = self.port if self.port is not None and self.port not in _AMQP_PORTS else EMULATOR_KAFKA_PORT
        return f"{self.host}:{port}"


def parse_connection_string(text: str) -> EventHubsConnection:
    """Parse ``Endpoint=sb://NS.servicebus.windows.net/;SharedAccessKeyName=...;SharedAccessKey=...``.

    Errors name the missing or malformed key, never a value.
    """
    fields: dict[str, str] = {}
    for index, segment in enumerate(text.strip().split(";"), start=1):
        if not segment.strip():
            continue
        key, sep, value = segment.partition("=")
        key = key.strip()
        if not sep or not key:
            raise TargetConfigError(f"Event Hubs connection string: part {index} is not Key=Value")
        fields[key.lower()] = value.strip()
    endpoint = fields.get("endpoint")
    if not endpoint:
        raise TargetConfigError(
            "Event Hubs connection string has no Endpoint (Endpoint=sb://NAMESPACE.servicebus.windows.net/)"
        )
    parts = urlsplit(endpoint)
    try:
        port = parts.port
    except ValueError as exc:
        raise TargetConfigError("Event Hubs connection string: Endpoint has an invalid port") from exc
    if parts.scheme.lower() != "sb" or not parts.hostname:
        raise TargetConfigError(
            "Event Hubs connection string: Endpoint must look like sb://NAMESPACE.servicebus.windows.net/"
        )
    emulator = fields.get("usedevelopmentemulator", "").lower() == "true"
    has_sas = "sharedaccesssignature" in fields
    if not has_sas:
        for name in ("SharedAccessKeyName", "SharedAccessKey"):
            if not fields.get(name.lower()):
                raise TargetConfigError(f"Event Hubs connection string has no {name}")
    return EventHubsConnection(
        host=parts.hostname,
        port=port,
        key_name=fields.get("sharedaccesskeyname"),
        entity_path=fields.get("entitypath") or None,
        emulator=emulator,
        text=text.strip(),
    )


def resolve_connection_string(value: str | None, environ: Mapping[str, str] | None = None) -> EventHubsConnection:
    """The connection string given, else ``$EVENTHUBS_CONNECTION_STRING``, parsed."""
    env = os.environ if environ is None else environ
    text = value if value and value.strip() else env.get(CONNECTION_STRING_ENV, "")
    if not text.strip():
        raise TargetConfigError(
            f"no Event Hubs connection string: pass --connection-string or set {CONNECTION_STRING_ENV}"
        )
    return parse_connection_string(text)


def eventhubs_producer_config(
    connection: EventHubsConnection,
    properties: Mapping[str, Any] | None = None,
    *,
    compression: str | None = None,
) -> dict[str, Any]:
    """librdkafka settings for the Event Hubs Kafka endpoint; the user's properties are checked, then win."""
    user = dict(properties or {})
    if compression is not None:
        _check_codec(compression, "compression")
    for key in ("compression.type", "compression.codec"):
        if key in user:
            _check_codec(str(user[key]), key)
    for key in ("message.max.bytes", "batch.size"):
        if key in user and _as_int(user[key], key) > MAX_REQUEST_BYTES:
            raise TargetConfigError(f"Event Hubs refuses requests over {MAX_REQUEST_BYTES} bytes: lower {key}")
    for key in ("metadata.max.age.ms", "connections.max.idle.ms"):
        if key in user and _as_int(user[key], key) >= IDLE_LIMIT_MS:
            raise TargetConfigError(
                f"{key} must stay below {IDLE_LIMIT_MS} for Event Hubs, which drops connections idle that long"
            )
    security = {
        "security.protocol": "SASL_PLAINTEXT" if connection.emulator else "SASL_SSL",
        "sasl.mechanism": "PLAIN",
        "sasl.username": "$ConnectionString",
        "sasl.password": connection.text,
    }
    base = producer_config(connection.kafka_bootstrap, {**RECOMMENDED_CONFIG, **security})
    if compression is not None:
        base["compression.type"] = compression.strip().lower()
    base.update(user)
    return base


def _check_codec(value: str, key: str) -> None:
    if value.strip().lower() not in ALLOWED_COMPRESSION:
        raise TargetConfigError(
            f"Event Hubs' Kafka endpoint supports only gzip compression: {key}={value} is refused (use gzip or none)"
        )


def _as_int(value: object, key: str) -> int:
    try:
        return int(str(value))
    except ValueError as exc:
        raise TargetConfigError(f"producer property {key} must be a whole number") from exc
