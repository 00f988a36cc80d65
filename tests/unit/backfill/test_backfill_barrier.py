"""Days made durable in batches: the manifest names only synced files, and batching never changes a byte."""

from __future__ import annotations

import json
import math
import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from emitter.backfill import run_backfill
from emitter.backfill.chunk import Barrier
from emitter.backfill.validate import validate_output
from emitter.config import Config
from emitter.errors import OutputError
from emitter.formats.atomic import is_temp_file

DAY1, DAY4 = date(2024, 1, 1), date(2024, 1, 4)
TABLES = ["stores", "receipts", "receipt_lines", "marketing"]
ONE_BATCH = Barrier(max_seconds=math.inf, max_files=10**6, max_bytes=1 << 40)
EVERY_DAY = Barrier(max_files=1)
TWO_DAYS = Barrier(max_seconds=math.inf, max_files=6)  # three fact tables a day


def _checksums(out: Path) -> dict[str, str]:
    partitions = json.loads((out / "_manifest.json").read_text())["partitions"]
    return {key: record["sha256"] for key, record in partitions.items()}


def _data_files(out: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.parent != out and not p.name.startswith(".")
    }


class _DurabilityLog:
    """Watches fsyncs and renames at the OS boundary (they still happen) and checks every manifest written.

    When a new manifest is renamed into place, each partition it lists must already have been synced
    under its temp name, renamed into place, and had its folder synced after that rename.
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch, out: Path) -> None:
        self.out = out
        self.events: list[tuple[str, str]] = []
        self.manifests: list[dict[str, Any]] = []
        real_fsync, real_replace = os.fsync, os.replace

        def fsync(fd: int) -> None:
            real_fsync(fd)
            self.events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))

        def replace(src: str | Path, dst: str | Path) -> None:
            if Path(dst).name == "_manifest.json":
                self._check(json.loads(Path(src).read_text())["partitions"])
            real_replace(src, dst)
            self.events.append(("replace", str(dst)))

        monkeypatch.setattr(os, "fsync", fsync)
        monkeypatch.setattr(os, "replace", replace)

    def _check(self, partitions: dict[str, Any]) -> None:
        self.manifests.append(partitions)
        for key in partitions:
            path = self.out / key
            assert ("replace", str(path)) in self.events, f"{key} recorded before it was renamed into place"
            renamed = self.events.index(("replace", str(path)))
            temp_prefix = str(path.parent / f".{path.name}.")
            synced = [
                i for i, (kind, p) in enumerate(self.events[:renamed]) if kind == "fsync" and p.startswith(temp_prefix)
            ]
            assert synced, f"{key} recorded but never synced before its rename"
            assert ("fsync", str(path.parent)) in self.events[renamed:], f"{key} recorded before its folder was synced"


needs_proc = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="names fds through /proc/self/fd")


@needs_proc
def test_the_manifest_only_ever_names_files_already_durable(
    small_config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    log = _DurabilityLog(monkeypatch, out)
    run_backfill(small_config, DAY1, DAY4, out, tables=TABLES, barrier=TWO_DAYS)

    recorded_days = [sorted({r["dt"] for r in m.values() if r["dt"]}) for m in log.manifests]
    assert recorded_days == [
        [],  # the claim
        [],  # master data
        ["2024-01-01", "2024-01-02"],
        ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"],
    ]


def test_the_manifest_is_rewritten_per_batch_of_days_not_per_day(
    small_config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rewrites: list[str] = []
    real_replace = os.replace

    def replace(src: str | Path, dst: str | Path) -> None:
        if Path(dst).name == "_manifest.json":
            rewrites.append(str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    run_backfill(small_config, DAY1, DAY4, tmp_path / "batched", tables=TABLES, barrier=ONE_BATCH)
    batched = len(rewrites)
    rewrites.clear()
    run_backfill(small_config, DAY1, DAY4, tmp_path / "daily", tables=TABLES, barrier=EVERY_DAY)

    assert batched == 3, "claim, master data, the one batch of four days"
    assert len(rewrites) == 2 + 4


@pytest.mark.slow
def test_batching_and_workers_do_not_change_a_byte(small_config: Config, tmp_path: Path) -> None:
    runs = {
        "one batch": {"barrier": ONE_BATCH},
        "every day": {"barrier": EVERY_DAY},
        "two workers, two days a batch": {"barrier": TWO_DAYS, "workers": 2},
    }
    files = {}
    for name, options in runs.items():
        run_backfill(small_config, DAY1, DAY4, tmp_path / name, tables=TABLES, **options)
        files[name] = _data_files(tmp_path / name)
        assert _checksums(tmp_path / name) == _checksums(tmp_path / "one batch")

    assert len(files["one batch"]) == 1 + 3 * 4
    assert files["every day"] == files["one batch"] == files["two workers, two days a batch"]


class _DataDiskFull:
    """The temp file of one partition lands on ``/dev/full``, so writing it fails as on a full disk."""

    def __init__(self, partition: str) -> None:
        self.partition = partition
        self.refused = 0
        self._open = os.open

    def __call__(self, path: Any, flags: int, mode: int = 0o777, *, dir_fd: int | None = None) -> int:
        if os.path.basename(os.fsdecode(path)).startswith(f".{self.partition}.") and flags & os.O_CREAT:
            self.refused += 1
            os.close(self._open(path, flags, mode, dir_fd=dir_fd))  # the temp file exists, as on a full disk
            return self._open("/dev/full", os.O_WRONLY)
        return self._open(path, flags, mode, dir_fd=dir_fd)


def test_a_failed_write_leaves_none_of_its_batch_and_the_rerun_completes(
    small_config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    full = _DataDiskFull("receipts_20240103.parquet")
    monkeypatch.setattr(os, "open", full)
    with pytest.raises(OutputError, match=r"receipts_20240103\.parquet.*No space left on device"):
        run_backfill(small_config, DAY1, DAY4, out, tables=TABLES, barrier=ONE_BATCH)
    monkeypatch.undo()

    assert full.refused == 1
    assert [p for p in out.rglob("*") if is_temp_file(p)] == []
    assert list(_data_files(out)) == ["master/stores.parquet"], "days 1 and 2 were staged in the failed batch"
    assert list(_checksums(out)) == ["master/stores.parquet"]

    resumed = run_backfill(small_config, DAY1, DAY4, out, tables=TABLES, barrier=ONE_BATCH)
    assert resumed.skipped == 1 and resumed.days_written == 4
    clean = tmp_path / "clean"
    run_backfill(small_config, DAY1, DAY4, clean, tables=TABLES)
    assert _data_files(out) == _data_files(clean)
    assert all(result.ok for result in validate_output(out))
