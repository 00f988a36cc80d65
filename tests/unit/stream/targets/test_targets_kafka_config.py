"""Kafka target settings: defaults, overrides, producer properties from the command line."""

from __future__ import annotations

import pytest

from emitter.stream.embedded_broker import free_port
from emitter.stream.targets import TARGET_KINDS, TargetConfigError, TargetOptions, open_target
from emitter.stream.targets.kafka import KafkaTarget, parse_producer_properties, producer_config
from emitter.stream.targets.topics import admin_config


def test_defaults_are_safe_and_batched() -> None:
    config = producer_config("127.0.0.1:9092")
    assert config["bootstrap.servers"] == "127.0.0.1:9092"
    assert config["enable.idempotence"] is True
    assert config["acks"] == "all"
    assert config["compression.type"] == "lz4"
    assert 5 <= config["linger.ms"] <= 20
    assert config["batch.size"] > 0


def test_user_properties_override_defaults_and_compression() -> None:
    config = producer_config("b:9092", {"linger.ms": "50", "compression.type": "zstd"}, compression="gzip")
    assert config["linger.ms"] == "50"
    assert config["compression.type"] == "zstd"
    assert producer_config("b:9092", compression=" GZIP ")["compression.type"] == "gzip"


def test_bad_compression_and_empty_bootstrap() -> None:
    with pytest.raises(TargetConfigError, match="unknown compression 'brotli'"):
        producer_config("b:9092", compression="brotli")
    with pytest.raises(TargetConfigError, match="bootstrap"):
        producer_config(" ")


def test_parse_producer_properties() -> None:
    assert parse_producer_properties(["linger.ms=20", " acks = 1 ", "sasl.password=a=b="]) == {
        "linger.ms": "20",
        "acks": "1",
        "sasl.password": "a=b=",
    }
    with pytest.raises(TargetConfigError, match=r"'linger\.ms' is not key=value"):
        parse_producer_properties(["linger.ms"])
    with pytest.raises(TargetConfigError, match="not key=value"):
        parse_producer_properties(["=5"])


def test_unknown_librdkafka_property_is_a_config_error() -> None:
    with pytest.raises(TargetConfigError, match=r"no\.such\.property"):
        KafkaTarget(producer_config(f"127.0.0.1:{free_port()}", {"no.such.property": "1"}))


def test_admin_config_keeps_only_connection_settings() -> None:
    config = producer_config("b:9092", {"sasl.username": "u", "security.protocol": "SASL_SSL", "linger.ms": 5})
    assert admin_config(config) == {
        "bootstrap.servers": "b:9092",
        "sasl.username": "u",
        "security.protocol": "SASL_SSL",
    }


def test_open_target_kafka_and_unknown_kind() -> None:
    assert TARGET_KINDS == ("kafka", "eventhubs", "eventhubs-native")
    target = open_target("kafka", TargetOptions(bootstrap_servers=f"127.0.0.1:{free_port()}"))
    assert isinstance(target, KafkaTarget)
    assert target.uses_produce_batch  # the installed confluent-kafka has it
    target.send("t", [], [])  # nothing to do, nothing accepted
    assert target.stats().accepted == 0
    target.close(timeout=0)
    with pytest.raises(TargetConfigError, match="unknown target 'kinesis'"):
        open_target("kinesis")


def test_keys_and_values_must_pair_up() -> None:
    target = KafkaTarget(producer_config(f"127.0.0.1:{free_port()}"))
    with pytest.raises(ValueError, match="2 keys for 1 values"):
        target.send("t", [b"a", b"b"], [b"1"])
    target.close(timeout=0)
