"""Resume, force, refusal of foreign data and interruption, against the real retail scenario."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import pytest
from support import small_config as make_small_config

from emitter.backfill import BackfillInterrupted, ManifestMismatch, run_backfill
from emitter.backfill.output_dir import claimed_output_dir
from emitter.config import Config
from emitter.errors import ConfigError, OutputError
from emitter.formats.atomic import is_temp_file

DAY1, DAY2, DAY3 = date(2024, 1, 1), date(2024, 1, 2), date(2024, 1, 3)
TABLES = ["stores", "receipts", "receipt_lines", "marketing"]


def _manifest(out: Path) -> dict[str, dict[str, object]]:
    partitions: dict[str, dict[str, object]] = json.loads((out / "_manifest.json").read_text())["partitions"]
    return partitions


def _checksums(out: Path) -> dict[str, object]:
    return {key: record["sha256"] for key, record in _manifest(out).items()}


def _temp_files(out: Path) -> list[Path]:
    return [path for path in out.rglob("*") if is_temp_file(path)]


class _InterruptAfter:
    """A progress listener that presses Ctrl-C after ``n`` partitions."""

    def __init__(self, n: int) -> None:
        self.remaining = n

    def begin(self, partitions_per_table: Mapping[str, int]) -> None:
        pass

    def advance(self, table: str, rows: int, nbytes: int) -> None:
        self.remaining -= 1
        if self.remaining == 0:
            raise KeyboardInterrupt

    def end(self) -> None:
        pass


def test_manifest_describes_every_file(small_config: Config, tmp_path: Path) -> None:
    out = tmp_path / "out"
    summary = run_backfill(small_config, DAY1, DAY2, out, tables=TABLES)

    body = json.loads((out / "_manifest.json").read_text())
    assert body["fingerprint"] == small_config.fingerprint()
    assert (body["seed"], body["scenario"], body["format"]) == (42, "retail", "parquet")
    assert set(body["partitions"]) == {
        "master/stores.parquet",
        *(
            f"facts/{t}/dt={d}/{t}_{d.replace('-', '')}.parquet"
            for t in TABLES[1:]
            for d in ("2024-01-01", "2024-01-02")
        ),
    }
    for key, record in body["partitions"].items():
        data = (out / key).read_bytes()
        assert record["bytes"] == len(data)
        assert record["sha256"] == hashlib.sha256(data).hexdigest()
    assert summary.files == 7 and summary.skipped == 0 and summary.days_written == 2
    assert summary.tables["receipts"].rows == sum(
        r["rows"] for r in body["partitions"].values() if r["table"] == "receipts"
    )
    assert summary.tables["receipts"].rows > 0


def test_rerun_skips_complete_partitions_and_repairs_missing_ones(small_config: Config, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_backfill(small_config, DAY1, DAY2, out, tables=TABLES)
    before = _checksums(out)
    mtimes = {key: (out / key).stat().st_mtime_ns for key in before}

    again = run_backfill(small_config, DAY1, DAY2, out, tables=TABLES)
    assert again.files == 0 and again.skipped == 7
    assert {key: (out / key).stat().st_mtime_ns for key in before} == mtimes

    deleted = "facts/receipts/dt=2024-01-02/receipts_20240102.parquet"
    truncated = "master/stores.parquet"
    (out / deleted).unlink()
    (out / truncated).write_bytes((out / truncated).read_bytes()[:10])
    repaired = run_backfill(small_config, DAY1, DAY2, out, tables=TABLES)
    assert repaired.files == 2 and repaired.skipped == 5
    assert set(repaired.tables) == {"stores", "receipts"}
    assert _checksums(out) == before


def test_extending_the_range_only_writes_new_days(small_config: Config, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_backfill(small_config, DAY1, DAY2, out, tables=TABLES)
    summary = run_backfill(small_config, DAY1, DAY3, out, tables=TABLES)

    assert summary.days_written == 1 and summary.files == 3


def test_force_rewrites_everything_with_identical_bytes(small_config: Config, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_backfill(small_config, DAY1, DAY1, out, tables=TABLES)
    before = _checksums(out)

    forced = run_backfill(small_config, DAY1, DAY1, out, tables=TABLES, force=True)
    assert forced.files == 4 and forced.skipped == 0
    assert _checksums(out) == before


def test_another_config_is_refused_unless_forced(small_config: Config, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_backfill(small_config, DAY1, DAY1, out, tables=["receipts"])
    reseeded = make_small_config(seed=7)

    with pytest.raises(ManifestMismatch, match="--force"):
        run_backfill(reseeded, DAY1, DAY1, out, tables=["receipts"])

    run_backfill(reseeded, DAY1, DAY1, out, tables=["receipts"], force=True)
    assert json.loads((out / "_manifest.json").read_text())["fingerprint"] == reseeded.fingerprint()


def test_only_requested_tables_are_written(small_config: Config, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_backfill(small_config, DAY1, DAY1, out, tables=["products", "marketing"])

    files = sorted(str(p.relative_to(out)) for p in out.rglob("*.parquet"))
    assert files == ["facts/marketing/dt=2024-01-01/marketing_20240101.parquet", "master/products.parquet"]


def test_every_format_writes_its_extension(small_config: Config, tmp_path: Path) -> None:
    for fmt in ("csv", "jsonl", "avro"):
        out = tmp_path / fmt
        summary = run_backfill(small_config, DAY1, DAY1, out, fmt=fmt, tables=["stores", "receipts"])
        assert summary.files == 2
        assert (out / f"master/stores.{fmt}").is_file()
        assert (out / f"facts/receipts/dt=2024-01-01/receipts_20240101.{fmt}").is_file()


def test_bad_arguments_are_config_errors(small_config: Config, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(ConfigError, match="before start"):
        run_backfill(small_config, DAY2, DAY1, out)
    with pytest.raises(ConfigError, match=r"unknown table bogus.*valid tables: geographies, stores"):
        run_backfill(small_config, DAY1, DAY1, out, tables=["receipts", "bogus"])
    with pytest.raises(ConfigError, match="unknown format"):
        run_backfill(small_config, DAY1, DAY1, out, fmt="xml")
    with pytest.raises(ConfigError, match="workers"):
        run_backfill(small_config, DAY1, DAY1, out, workers=0)
    assert not out.exists(), "nothing is created before the arguments are checked"


def test_unwritable_or_busy_output_is_an_output_error(small_config: Config, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(OutputError, match="not writable"):
        run_backfill(small_config, DAY1, DAY1, blocker / "out", tables=["receipts"])

    out = tmp_path / "out"
    with claimed_output_dir(out), pytest.raises(OutputError, match="in use by another emitter backfill"):
        run_backfill(small_config, DAY1, DAY1, out, tables=["receipts"])


def test_temp_files_from_a_killed_run_are_swept(small_config: Config, tmp_path: Path) -> None:
    out = tmp_path / "out"
    stale = out / "facts/receipts/dt=2024-01-01/.receipts_20240101.parquet.k1ll3d.tmp"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"half")

    run_backfill(small_config, DAY1, DAY1, out, tables=["receipts"])
    assert _temp_files(out) == []


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_interrupted_run_keeps_completed_days_and_resumes(small_config: Config, tmp_path: Path, workers: int) -> None:
    clean = tmp_path / "clean"
    run_backfill(small_config, DAY1, DAY3, clean, tables=TABLES)

    out = tmp_path / "out"
    with pytest.raises(BackfillInterrupted, match="run the same command again to resume"):
        run_backfill(small_config, DAY1, DAY3, out, tables=TABLES, workers=workers, progress=_InterruptAfter(4))
    assert _temp_files(out) == []
    recorded = _checksums(out)
    assert 1 <= len(recorded) < 10
    for key, checksum in recorded.items():
        assert hashlib.sha256((out / key).read_bytes()).hexdigest() == checksum

    resumed = run_backfill(small_config, DAY1, DAY3, out, tables=TABLES, workers=workers)
    assert resumed.skipped == len(recorded)
    assert _checksums(out) == _checksums(clean)
