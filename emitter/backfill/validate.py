"""``validate``: load backfill output and run its scenario's rules (declared foreign keys included) over it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

from emitter.backfill.integrity import PartitionState, partition_state, read_partition
from emitter.backfill.manifest import Manifest, read_manifest
from emitter.errors import OutputError
from emitter.scenarios import RuleResult, Scenario, scenario_class


def manifest_of(out_dir: Path) -> Manifest:
    """The manifest of a backfill output directory, or one clear error."""
    manifest = read_manifest(out_dir)
    if manifest is None:
        raise OutputError(f"{out_dir}: no _manifest.json here; point at a directory written by `emitter backfill`")
    formats = sorted(manifest.formats())
    if len(formats) > 1:  # only an older emitter let a second format in; every row would be read twice
        raise OutputError(
            f"{out_dir} holds the same data in {' and '.join(formats)}; keep one with "
            f"`emitter backfill --out {out_dir} --format {manifest.format} --force` over its range"
        )
    return manifest


def scenario_of(manifest: Manifest) -> Scenario[Any]:
    """The scenario that wrote the output, with the seed and settings its manifest records."""
    cls = scenario_class(manifest.scenario)
    return cls(manifest.seed, cls.settings_model.model_validate(manifest.settings))


def load_output(
    out_dir: Path, tables: Sequence[str] | None = None, manifest: Manifest | None = None
) -> dict[str, pa.Table]:
    """Every table recorded in ``out_dir``'s manifest, by table id (all its days concatenated, in day order)."""
    manifest = manifest or manifest_of(out_dir)
    catalog = scenario_class(manifest.scenario).catalog()
    parts: dict[str, list[pa.Table]] = {}
    for key in sorted(manifest.partitions, key=lambda k: (manifest.partitions[k].dt or "", k)):
        record = manifest.partitions[key]
        if tables is not None and record.table not in tables:
            continue
        avro = catalog.avro(catalog.get(record.table))
        parts.setdefault(record.table, []).append(read_partition(out_dir, key, record, avro))
    return {name: pa.concat_tables(batches) for name, batches in parts.items()}


def validate_output(out_dir: Path) -> list[RuleResult]:
    """Check every file against its manifest checksum, then every rule of the scenario that wrote it."""
    manifest = manifest_of(out_dir)
    tables = load_output(out_dir, manifest=manifest)
    changed = [
        key
        for key, record in manifest.partitions.items()
        if partition_state(out_dir, key, record) is not PartitionState.INTACT
    ]
    integrity = RuleResult(
        "files match their manifest checksums",
        not changed,
        f"{len(changed)} changed" + (f", e.g. {changed[0]}" if changed else ""),
    )
    return [integrity, *scenario_of(manifest).rules(tables)]


def expect_scenario(out_dir: Path, scenario: str | None) -> None:
    """A ``--scenario`` given for existing output must be the one that wrote it."""
    if scenario is None:
        return
    written = manifest_of(out_dir).scenario
    if scenario != written:
        scenario_class(scenario)  # an unknown name gets its own message
        raise OutputError(
            f"--scenario: {out_dir} was written by scenario {written}, not {scenario}; "
            f"drop --scenario or pass {written}"
        )
