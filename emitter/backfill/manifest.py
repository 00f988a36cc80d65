"""``_manifest.json``: what each partition holds (rows, bytes, sha256) and the config that made it."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from emitter.backfill.errors import ManifestMismatch, ManifestUnreadable
from emitter.backfill.layout import MANIFEST_NAME
from emitter.config import Config
from emitter.formats.atomic import atomic_write_bytes

# 2: the scenario's effective settings are recorded; the fingerprint digests them (data files are unchanged)
MANIFEST_VERSION = 2


@dataclass(frozen=True)
class PartitionRecord:
    """One completed file: its table id, day (None for reference tables), format and content digest."""

    table: str
    dt: str | None
    format: str
    rows: int
    bytes: int
    sha256: str


@dataclass
class Manifest:
    """The record of completed partitions, keyed by file path relative to the output directory."""

    scenario: str
    seed: int
    fingerprint: str
    format: str
    partitions: dict[str, PartitionRecord] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)  # the scenario's effective settings

    def is_complete(self, key: str, out_dir: Path) -> bool:
        """Recorded, and the file is still there with the recorded size."""
        record = self.partitions.get(key)
        if record is None:
            return False
        try:
            return (out_dir / key).stat().st_size == record.bytes
        except OSError:
            return False

    def to_json(self) -> str:
        body: dict[str, Any] = {
            "manifest_version": MANIFEST_VERSION,
            "scenario": self.scenario,
            "seed": self.seed,
            "fingerprint": self.fingerprint,
            "format": self.format,
            "settings": self.settings,
            "partitions": {key: asdict(self.partitions[key]) for key in sorted(self.partitions)},
        }
        return json.dumps(body, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        body = json.loads(text)
        return cls(
            scenario=str(body["scenario"]),
            seed=int(body["seed"]),
            fingerprint=str(body["fingerprint"]),
            format=str(body["format"]),
            partitions={key: PartitionRecord(**value) for key, value in body["partitions"].items()},
            settings=dict(body.get("settings", {})),
        )


def manifest_path(out_dir: Path) -> Path:
    return out_dir / MANIFEST_NAME


def read_manifest(out_dir: Path) -> Manifest | None:
    """The manifest in ``out_dir``, or None when there is none yet."""
    path = manifest_path(out_dir)
    try:
        text = path.read_text()
    except FileNotFoundError:
        return None
    try:
        return Manifest.from_json(text)
    except (ValueError, KeyError, TypeError) as exc:
        raise ManifestUnreadable(
            f"{path}: not a valid emitter manifest ({exc}); re-run with --force to start over, or choose another --out"
        ) from exc


def write_manifest(out_dir: Path, manifest: Manifest) -> None:
    """Replace the manifest atomically, so a crash leaves either the old or the new one."""
    atomic_write_bytes(manifest_path(out_dir), manifest.to_json().encode())


def open_manifest(out_dir: Path, config: Config, fmt: str, force: bool) -> Manifest:
    """Load the manifest for a run, refusing data made under another config unless ``force``.

    With ``force`` and a different config the old records are dropped: they no longer describe
    what this run produces.
    """
    from emitter.scenarios.registry import effective_settings

    fresh = Manifest(
        scenario=config.scenario,
        seed=config.seed,
        fingerprint=config.fingerprint(),
        format=fmt,
        settings=effective_settings(config).model_dump(mode="json"),
    )
    try:
        existing = read_manifest(out_dir)
    except ManifestUnreadable:
        if force:
            return fresh
        raise
    if existing is None:
        return fresh
    if existing.fingerprint != fresh.fingerprint:
        if force:
            return fresh
        raise ManifestMismatch(
            f"{out_dir} holds data from another configuration (fingerprint {existing.fingerprint}, "
            f"scenario {existing.scenario}, seed {existing.seed}; this run is {fresh.fingerprint}, "
            f"scenario {fresh.scenario}, seed {fresh.seed}); re-run with --force to overwrite it, "
            "or choose another --out"
        )
    existing.format = fmt
    return existing
