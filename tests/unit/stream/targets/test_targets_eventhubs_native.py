"""Native Event Hubs: batching with real azure-eventhub EventDataBatch objects, built offline.

Nothing here connects to Azure: batches are made with ``EventDataBatch(max_size_in_bytes=...)``,
and producer clients are only constructed (``from_connection_string`` connects on first send).
"""

from __future__ import annotations

import sys

import pytest

pytest.importorskip("azure.eventhub")

from emitter.stream.targets import MissingDependencyError, TargetConfigError, TargetOptions, open_target
from emitter.stream.targets.eventhubs_native import (
    EventHubsTarget,
    EventTooLargeError,
    import_azure_eventhub,
    partition_key_for,
    plan_batches,
)

NAMESPACE = "Endpoint=sb://my-ns.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=c2VjcmV0"


def _bodies(batch: object) -> list[bytes]:
    return [b"".join(event.body) for event in batch._internal_events]  # type: ignore[attr-defined]


def test_partition_key_is_the_message_key_as_text() -> None:
    assert partition_key_for(b"store-017") == "store-017"
    assert partition_key_for("café".encode()) == "café"
    assert partition_key_for(b"\xff\x00") == "ff00"  # not UTF-8: hex, still a string
    assert partition_key_for(b"") is None


def test_batches_group_by_key_and_keep_order() -> None:
    keys = [b"a", b"b", b"a", b"", b"b", b"a"]
    values = [b"a1", b"b1", b"a2", b"n1", b"b2", b"a3"]
    batches = plan_batches(keys, values)
    assert [batch._partition_key for batch in batches] == ["a", "b", None]  # type: ignore[attr-defined]
    assert [_bodies(batch) for batch in batches] == [[b"a1", b"a2", b"a3"], [b"b1", b"b2"], [b"n1"]]


def test_batches_respect_the_size_limit() -> None:
    limit = 10_000
    values = [bytes([i % 256]) * 900 for i in range(100)]  # 90 kB for one key
    batches = plan_batches([b"k"] * 100, values, max_size_in_bytes=limit)
    assert len(batches) > 9
    assert all(0 < batch.size_in_bytes <= limit for batch in batches)
    assert [body for batch in batches for body in _bodies(batch)] == values
    # each batch is full: the next event would not have fit
    assert all(batch.size_in_bytes + 900 > limit for batch in batches[:-1])


def test_default_limit_is_the_standard_tier_megabyte() -> None:
    values = [b"x" * 100_000] * 25  # 2.5 MB
    batches = plan_batches([b"k"] * 25, values)
    assert len(batches) == 3
    assert all(batch.size_in_bytes <= 1_046_528 for batch in batches)
    assert sum(len(batch) for batch in batches) == 25


def test_one_event_over_the_limit_is_a_clear_error() -> None:
    with pytest.raises(EventTooLargeError, match="20000 bytes does not fit"):
        plan_batches([b"k", b"k"], [b"small", b"x" * 20_000], max_size_in_bytes=10_000)
    with pytest.raises(EventTooLargeError):
        plan_batches([b"k"], [b"x" * 20_000], max_size_in_bytes=10_000)


def test_keys_and_values_must_pair_up() -> None:
    with pytest.raises(ValueError, match="2 keys for 1 values"):
        plan_batches([b"a", b"b"], [b"1"])


def test_target_builds_one_client_per_hub_without_connecting() -> None:
    target = EventHubsTarget(NAMESPACE)
    try:
        client = target._client("retail.receipts")
        assert client.eventhub_name == "retail.receipts"
        assert target._client("retail.receipts") is client
        assert target.stats().accepted == 0
        target.flush()
    finally:
        target.close()


def test_hub_connection_string_is_only_for_its_hub() -> None:
    target = EventHubsTarget(NAMESPACE + ";EntityPath=retail.receipts")
    try:
        assert target._client("retail.receipts").eventhub_name == "retail.receipts"
        with pytest.raises(TargetConfigError, match=r"for hub retail\.receipts, not retail\.visits"):
            target._client("retail.visits")
    finally:
        target.close()


def test_open_target_native(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVENTHUBS_CONNECTION_STRING", NAMESPACE)
    target = open_target("eventhubs-native", TargetOptions(max_batch_bytes=500_000))
    assert isinstance(target, EventHubsTarget)
    target.close()


def test_missing_package_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "azure.eventhub", None)  # makes the import fail
    with pytest.raises(MissingDependencyError, match=r"pip install 'emitter\[eventhubs\]'"):
        import_azure_eventhub()
    with pytest.raises(MissingDependencyError):
        EventHubsTarget(NAMESPACE)
