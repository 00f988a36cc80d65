"""``clear_backfill`` deletes only what a backfill wrote, and never while a backfill holds the directory."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from emitter.backfill import run_backfill
from emitter.backfill.output_dir import claimed_output_dir
from emitter.backfill.status import clear_backfill
from emitter.config import Config
from emitter.errors import OutputError

DAY = date(2024, 3, 15)


@pytest.fixture
def out(tmp_path: Path, small_config: Config) -> Path:
    out = tmp_path / "out"
    run_backfill(small_config, DAY, DAY, out, tables=["stores"])
    return out


def test_a_manifest_naming_a_file_outside_the_output_is_refused_and_nothing_is_deleted(
    out: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "precious.txt"
    outside.write_text("keep me")
    manifest_file = out / "_manifest.json"
    body = json.loads(manifest_file.read_text())
    (record,) = body["partitions"].values()
    body["partitions"]["../precious.txt"] = record
    manifest_file.write_text(json.dumps(body))
    before = sorted(out.rglob("*"))

    with pytest.raises(OutputError, match=r"outside master/ and facts/"):
        clear_backfill(out)

    assert outside.read_text() == "keep me"
    assert sorted(out.rglob("*")) == before


def test_a_directory_a_backfill_holds_is_not_cleared(out: Path) -> None:
    with claimed_output_dir(out), pytest.raises(OutputError, match="in use by another emitter backfill"):
        clear_backfill(out)

    assert (out / "_manifest.json").exists()
