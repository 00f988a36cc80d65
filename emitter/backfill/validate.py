"""``validate``: load backfill output and run the scenario's business-rule checks over it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa

from emitter.backfill.manifest import read_manifest
from emitter.config import Config
from emitter.errors import OutputError
from emitter.formats.atomic import describe_file
from emitter.formats.readers import read_table
from emitter.scenarios import get_scenario
from emitter.scenarios.base import RuleResult


def load_output(out_dir: Path, tables: Sequence[str] | None = None) -> dict[str, pa.Table]:
    """Every table recorded in ``out_dir``'s manifest (all its days concatenated, in day order)."""
    manifest = read_manifest(out_dir)
    if manifest is None:
        raise OutputError(f"{out_dir}: no _manifest.json here; point at a directory written by `emitter backfill`")
    parts: dict[str, list[pa.Table]] = {}
    for key in sorted(manifest.partitions, key=lambda k: (manifest.partitions[k].dt or "", k)):
        record = manifest.partitions[key]
        if tables is not None and record.table not in tables:
            continue
        parts.setdefault(record.table, []).append(
            read_table(out_dir / key, record.format, manifest.scenario, record.table)
        )
    return {name: pa.concat_tables(batches) for name, batches in parts.items()}


def validate_output(config: Config, out_dir: Path) -> list[RuleResult]:
    """Check every file against its manifest checksum, then every business rule the tables allow."""
    tables = load_output(out_dir)
    manifest = read_manifest(out_dir)
    assert manifest is not None  # load_output raised otherwise
    changed = [
        key for key, record in manifest.partitions.items() if describe_file(out_dir / key).sha256 != record.sha256
    ]
    integrity = RuleResult(
        "files match their manifest checksums",
        not changed,
        f"{len(changed)} changed" + (f", e.g. {changed[0]}" if changed else ""),
    )
    if manifest.scenario != config.scenario:
        config = config.model_copy(update={"scenario": manifest.scenario})
    return [integrity, *get_scenario(config).check(tables)]
