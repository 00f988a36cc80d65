"""Event Hubs over the Kafka endpoint: connection strings and the librdkafka settings built from them."""

from __future__ import annotations

import pytest

from emitter.stream.embedded_broker import free_port
from emitter.stream.targets import TargetConfigError, TargetOptions, open_target
from emitter.stream.targets.eventhubs import (
    CONNECTION_STRING_ENV,
    MAX_REQUEST_BYTES,
    eventhubs_producer_config,
    parse_connection_string,
    resolve_connection_string,
)

SECRET = "c2VjcmV0LWtleS12YWx1ZQ=="  # base64 keys end in '=': the parser must keep them whole
AZURE = (
    f"Endpoint=sb://my-ns.servicebus.windows.net/;SharedAccessKeyName=send-only;SharedAccessKey={SECRET};"
    "EntityPath=retail.receipts"
)
EMULATOR = f"Endpoint=sb://localhost;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={SECRET};UseDevelopmentEmulator=true;"


def test_parse_azure_connection_string() -> None:
    connection = parse_connection_string(AZURE)
    assert connection.host == "my-ns.servicebus.windows.net"
    assert connection.key_name == "send-only"
    assert connection.entity_path == "retail.receipts"
    assert not connection.emulator
    assert connection.kafka_bootstrap == "my-ns.servicebus.windows.net:9093"
    assert SECRET not in repr(connection)


def test_keys_are_case_insensitive_and_empty_parts_ignored() -> None:
    text = f"endpoint=sb://NS.servicebus.windows.net;;sharedaccesskeyname=k;sharedaccesskey={SECRET};"
    connection = parse_connection_string(text)
    assert connection.host == "ns.servicebus.windows.net"
    assert connection.entity_path is None


@pytest.mark.parametrize(
    ("text", "named"),
    [
        (f"SharedAccessKeyName=k;SharedAccessKey={SECRET}", "Endpoint"),
        (f"Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKey={SECRET}", "SharedAccessKeyName"),
        ("Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k", "SharedAccessKey"),
        ("Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=", "SharedAccessKey"),
        (f"Endpoint=https://ns.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey={SECRET}", "Endpoint"),
        (f"Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k;{SECRET[:-2]}", "part 3"),
        (f"Endpoint=sb://ns:99999/;SharedAccessKeyName=k;SharedAccessKey={SECRET}", "port"),
    ],
)
def test_malformed_strings_name_the_problem_not_the_secret(text: str, named: str) -> None:
    with pytest.raises(TargetConfigError, match=named) as caught:
        parse_connection_string(text)
    assert SECRET[:-2] not in str(caught.value)


def test_shared_access_signature_is_enough() -> None:
    text = "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessSignature=SharedAccessSignature sr=x&sig=y"
    assert parse_connection_string(text).key_name is None


def test_connection_string_from_argument_then_environment() -> None:
    env = {CONNECTION_STRING_ENV: EMULATOR}
    assert resolve_connection_string(AZURE, env).host == "my-ns.servicebus.windows.net"
    assert resolve_connection_string(None, env).emulator
    assert resolve_connection_string("  ", env).emulator
    with pytest.raises(TargetConfigError, match=CONNECTION_STRING_ENV):
        resolve_connection_string(None, {})


def test_azure_config_uses_sasl_ssl_and_the_connection_string_as_password() -> None:
    config = eventhubs_producer_config(parse_connection_string(AZURE))
    assert config["bootstrap.servers"] == "my-ns.servicebus.windows.net:9093"
    assert config["security.protocol"] == "SASL_SSL"
    assert config["sasl.mechanism"] == "PLAIN"
    assert config["sasl.username"] == "$ConnectionString"
    assert config["sasl.password"] == AZURE


def test_recommended_settings() -> None:
    config = eventhubs_producer_config(parse_connection_string(AZURE))
    assert config["request.timeout.ms"] == 60_000
    assert config["metadata.max.age.ms"] < 240_000
    assert config["connections.max.idle.ms"] < 240_000
    assert config["compression.type"] == "gzip"  # not the Kafka default, lz4
    assert config["message.max.bytes"] <= MAX_REQUEST_BYTES == 1_046_528
    assert config["batch.size"] <= MAX_REQUEST_BYTES
    assert config["enable.idempotence"] is True
    assert config["acks"] == "all"


def test_emulator_switch_uses_plaintext_sasl_on_the_kafka_port() -> None:
    config = eventhubs_producer_config(parse_connection_string(EMULATOR))
    assert config["bootstrap.servers"] == "localhost:9092"
    assert config["security.protocol"] == "SASL_PLAINTEXT"
    assert config["sasl.mechanism"] == "PLAIN"
    assert config["sasl.password"] == EMULATOR.strip()


@pytest.mark.parametrize(
    ("endpoint", "bootstrap"),
    [
        ("sb://eventhubs-emulator", "eventhubs-emulator:9092"),
        ("sb://localhost:5672", "localhost:9092"),  # the AMQP port is never Kafka's
        ("sb://127.0.0.1:19092", "127.0.0.1:19092"),
    ],
)
def test_emulator_host_and_port_come_from_the_endpoint(endpoint: str, bootstrap: str) -> None:
    text = f"Endpoint={endpoint};SharedAccessKeyName=k;SharedAccessKey={SECRET};UseDevelopmentEmulator=true"
    assert parse_connection_string(text).kafka_bootstrap == bootstrap


@pytest.mark.parametrize("codec", ["lz4", "zstd", "snappy", "LZ4"])
def test_only_gzip_compression(codec: str) -> None:
    connection = parse_connection_string(AZURE)
    with pytest.raises(TargetConfigError, match="only gzip"):
        eventhubs_producer_config(connection, compression=codec)
    with pytest.raises(TargetConfigError, match="only gzip"):
        eventhubs_producer_config(connection, {"compression.type": codec})
    with pytest.raises(TargetConfigError, match="only gzip"):
        eventhubs_producer_config(connection, {"compression.codec": codec})
    assert eventhubs_producer_config(connection, compression="none")["compression.type"] == "none"


@pytest.mark.parametrize("key", ["message.max.bytes", "batch.size"])
def test_size_limit(key: str) -> None:
    connection = parse_connection_string(AZURE)
    with pytest.raises(TargetConfigError, match=f"1046528 bytes: lower {key}"):
        eventhubs_producer_config(connection, {key: "2000000"})
    assert eventhubs_producer_config(connection, {key: "500000"})[key] == "500000"


@pytest.mark.parametrize("key", ["metadata.max.age.ms", "connections.max.idle.ms"])
def test_idle_limits(key: str) -> None:
    connection = parse_connection_string(AZURE)
    with pytest.raises(TargetConfigError, match=key):
        eventhubs_producer_config(connection, {key: 300_000})


def test_other_user_properties_win() -> None:
    config = eventhubs_producer_config(parse_connection_string(AZURE), {"linger.ms": "50", "client.id": "me"})
    assert (config["linger.ms"], config["client.id"]) == ("50", "me")


def test_open_target_eventhubs_builds_a_kafka_target() -> None:
    # The emulator switch on a local closed port: librdkafka may try to connect, but only to this machine.
    text = f"Endpoint=sb://127.0.0.1:{free_port()};SharedAccessKeyName=k;SharedAccessKey={SECRET};UseDevelopmentEmulator=true"
    target = open_target("eventhubs", TargetOptions(connection_string=text))
    try:
        config = target.config  # type: ignore[attr-defined]
        assert config["security.protocol"] == "SASL_PLAINTEXT"
        assert config["compression.type"] == "gzip"
    finally:
        target.close(timeout=0)
