from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

import pytest

from emitter.backfill.errors import ManifestMismatch, ManifestUnreadable
from emitter.backfill.integrity import PartitionState, partition_state
from emitter.backfill.manifest import (
    Manifest,
    PartitionRecord,
    manifest_path,
    open_manifest,
    read_manifest,
    write_manifest,
)
from emitter.config import Config
from emitter.scenarios.registry import effective_settings
from emitter.scenarios.retail import RetailSettings

KEY = "facts/receipts/dt=2024-01-01/receipts_20240101.parquet"


def _manifest(config: Config) -> Manifest:
    manifest = Manifest(
        scenario=config.scenario,
        seed=config.seed,
        fingerprint=config.fingerprint(),
        format="parquet",
        settings=effective_settings(config).model_dump(mode="json"),
    )
    manifest.partitions[KEY] = PartitionRecord("receipts", "2024-01-01", "parquet", rows=3, bytes=5, sha256="ab" * 32)
    manifest.partitions["master/stores.parquet"] = PartitionRecord("stores", None, "parquet", 1, 2, "cd" * 32)
    return manifest


def test_round_trip_through_json(tmp_path: Path) -> None:
    manifest = _manifest(Config())
    write_manifest(tmp_path, manifest)

    assert read_manifest(tmp_path) == manifest
    body = json.loads(manifest_path(tmp_path).read_text())
    assert body["fingerprint"] == Config().fingerprint()
    assert body["seed"] == 42 and body["scenario"] == "retail" and body["format"] == "parquet"
    assert body["manifest_version"] == 2
    assert body["settings"] == effective_settings(Config()).model_dump(mode="json")
    assert body["settings"]["volume"]["stores"] == 250
    assert list(body["partitions"]) == sorted(body["partitions"])
    assert body["partitions"][KEY] == {
        "table": "receipts",
        "dt": "2024-01-01",
        "format": "parquet",
        "rows": 3,
        "bytes": 5,
        "sha256": "ab" * 32,
    }
    assert [p.name for p in tmp_path.iterdir()] == ["_manifest.json"], "no temp file left behind"


def test_missing_manifest_reads_as_none(tmp_path: Path) -> None:
    assert read_manifest(tmp_path) is None


def test_intact_means_recorded_and_present_with_the_recorded_size_and_checksum(tmp_path: Path) -> None:
    manifest = _manifest(Config())
    manifest.partitions[KEY] = replace(manifest.partitions[KEY], sha256=hashlib.sha256(b"12345").hexdigest())

    def state(key: str) -> PartitionState:
        return partition_state(tmp_path, key, manifest.partitions.get(key))

    assert state(KEY) is PartitionState.MISSING, "file missing"
    (tmp_path / KEY).parent.mkdir(parents=True)
    (tmp_path / KEY).write_bytes(b"1234")
    assert state(KEY) is PartitionState.DAMAGED, "size differs"
    (tmp_path / KEY).write_bytes(b"12346")
    assert state(KEY) is PartitionState.DAMAGED, "same size, other content"
    (tmp_path / KEY).write_bytes(b"12345")
    assert state(KEY) is PartitionState.INTACT
    assert state("facts/other.parquet") is PartitionState.MISSING, "not recorded"


def test_open_keeps_records_made_under_the_same_config(tmp_path: Path) -> None:
    config = Config()
    write_manifest(tmp_path, _manifest(config))

    opened = open_manifest(tmp_path, config, "parquet", force=False)
    assert set(opened.partitions) == {KEY, "master/stores.parquet"}
    assert opened.format == "parquet"


def test_a_fresh_manifest_records_the_effective_settings(tmp_path: Path, small_config: Config) -> None:
    opened = open_manifest(tmp_path, small_config, "parquet", force=False)
    assert opened.settings == effective_settings(small_config).model_dump(mode="json")
    assert opened.settings["volume"]["stores"] == RetailSettings.PRESETS["small"]["volume"]["stores"]
    assert opened.partitions == {}


def test_open_refuses_another_config_without_force(tmp_path: Path) -> None:
    write_manifest(tmp_path, _manifest(Config()))
    other = Config(seed=7)

    with pytest.raises(ManifestMismatch, match=r"another configuration.*--force.*another --out"):
        open_manifest(tmp_path, other, "parquet", force=False)

    forced = open_manifest(tmp_path, other, "parquet", force=True)
    assert forced.fingerprint == other.fingerprint()
    assert forced.partitions == {}


def test_unreadable_manifest_needs_force(tmp_path: Path) -> None:
    manifest_path(tmp_path).write_text("{not json")

    with pytest.raises(ManifestUnreadable, match=r"not a valid emitter manifest.*--force"):
        open_manifest(tmp_path, Config(), "parquet", force=False)
    assert open_manifest(tmp_path, Config(), "parquet", force=True).partitions == {}
