"""Files a backfill can be trusted with: resume checks content, one format per directory, the umask, a full disk."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from support import ManifestDiskFull
from support import small_config as make_small_config

from emitter.backfill import ManifestMismatch, run_backfill
from emitter.backfill.validate import validate_output
from emitter.config import Config
from emitter.errors import OutputError
from emitter.formats.atomic import is_temp_file

DAY1, DAY2 = date(2024, 1, 1), date(2024, 1, 2)
TABLES = ["stores", "receipts", "marketing"]


def _records(out: Path) -> dict[str, dict[str, object]]:
    partitions: dict[str, dict[str, object]] = json.loads((out / "_manifest.json").read_text())["partitions"]
    return partitions


def _flip_middle_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _data_files(out: Path) -> list[str]:
    return sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file() and p.parent != out)


def test_resume_rewrites_a_partition_whose_content_differs_from_the_manifest(
    small_config: Config, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    run_backfill(small_config, DAY1, DAY2, out, tables=TABLES)
    recorded = _records(out)
    damaged = "facts/receipts/dt=2024-01-02/receipts_20240102.parquet"
    size = (out / damaged).stat().st_size
    _flip_middle_byte(out / damaged)
    assert (out / damaged).stat().st_size == size, "same size: only the content tells"

    again = run_backfill(small_config, DAY1, DAY2, out, tables=TABLES)
    assert again.damaged == [damaged]
    assert again.files == 1 and again.skipped == len(recorded) - 1
    assert hashlib.sha256((out / damaged).read_bytes()).hexdigest() == recorded[damaged]["sha256"]
    assert _records(out) == recorded
    assert all(r.ok for r in validate_output(out))


def test_a_second_format_in_one_directory_is_refused_naming_both(small_config: Config, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_backfill(small_config, DAY1, DAY1, out, tables=TABLES)
    before = _data_files(out)

    with pytest.raises(ManifestMismatch, match=r"parquet.*csv.*--force") as refused:
        run_backfill(small_config, DAY1, DAY1, out, fmt="csv", tables=TABLES)
    assert "\n" not in str(refused.value)
    assert _data_files(out) == before, "nothing written or removed"
    assert {r["format"] for r in _records(out).values()} == {"parquet"}


def test_force_replaces_the_other_format(small_config: Config, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_backfill(small_config, DAY1, DAY2, out, tables=TABLES)
    parquet_rows = {key.rsplit(".", 1)[0]: r["rows"] for key, r in _records(out).items()}

    summary = run_backfill(small_config, DAY1, DAY2, out, fmt="csv", tables=TABLES, force=True)
    records = _records(out)
    assert {r["format"] for r in records.values()} == {"csv"}
    assert _data_files(out) == sorted(records), "the parquet files are gone, every csv file is recorded"
    assert {key.rsplit(".", 1)[0]: r["rows"] for key, r in records.items()} == parquet_rows
    assert summary.files == len(records)
    assert all(r.ok for r in validate_output(out))


@pytest.fixture
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    """Run the test under the umask given as the parameter, and restore the suite's own afterwards."""
    previous = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(previous)


@pytest.mark.parametrize(
    ("umask", "mode"),
    [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)],
    indirect=["umask"],
    ids=["umask-022", "umask-002", "umask-077"],
)
def test_data_files_and_the_manifest_follow_the_umask(
    small_config: Config, tmp_path: Path, umask: int, mode: int
) -> None:
    out = tmp_path / "out"
    run_backfill(small_config, DAY1, DAY1, out, tables=["stores", "receipts"])

    written = [out / "_manifest.json", out / "master/stores.parquet"]
    written.append(out / "facts/receipts/dt=2024-01-01/receipts_20240101.parquet")
    assert {str(p.relative_to(out)): stat.S_IMODE(p.stat().st_mode) for p in written} == {
        str(p.relative_to(out)): mode for p in written
    }


def test_a_full_disk_while_the_manifest_is_written_keeps_the_previous_manifest(
    small_config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    full = ManifestDiskFull(allowed=1)  # the claim at the start lands; recording the first finished day doesn't
    monkeypatch.setattr(os, "open", full)
    with pytest.raises(OutputError, match=r"_manifest\.json.*No space left on device") as refused:
        run_backfill(small_config, DAY1, DAY2, out, tables=TABLES)
    monkeypatch.undo()
    assert full.refused >= 1
    assert "\n" not in str(refused.value)
    assert [p for p in out.rglob("*") if is_temp_file(p)] == []
    assert _records(out) == {}, "the manifest written before the disk filled is intact"

    resumed = run_backfill(small_config, DAY1, DAY2, out, tables=TABLES)
    assert resumed.files == len(_records(out)) == 1 + 2 * 2
    assert all(r.ok for r in validate_output(out))


def test_force_under_another_config_removes_the_files_it_no_longer_records(
    small_config: Config, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    run_backfill(small_config, DAY1, DAY2, out, tables=TABLES)

    run_backfill(make_small_config(seed=7), DAY1, DAY1, out, tables=TABLES, force=True)
    records = _records(out)
    assert {r["dt"] for r in records.values()} == {None, "2024-01-01"}
    assert _data_files(out) == sorted(records), "day 2 of the old seed is gone with its records"
    assert all(r.ok for r in validate_output(out))
